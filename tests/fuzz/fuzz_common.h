#ifndef MORTEM_FUZZ_COMMON_H
#define MORTEM_FUZZ_COMMON_H
/*
 * Shared by the libFuzzer targets: bytes in a memfd opened by path (so a
 * parser sees a real, mmapped, read-only file descriptor, as for a file on
 * disk), and the checks every rendered report must pass.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/input.h"
#include "analyzer/report/report.h"
#include "analyzer/lib/strbuf.h"

/* Writes DATA to a new memfd; returns it (or -1) and its /proc path in PATH. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t path_len)
{
	int fd = memfd_create("mortem-fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

/* Aborts (a finding for libFuzzer) unless OUT is one valid JSON object and a newline. */
static inline void fuzz_check_json(const struct strbuf *out)
{
	if (!out->len || out->buf[out->len - 1] != '\n' || memchr(out->buf, '\n', out->len - 1)) {
		fprintf(stderr, "report_json: not exactly one line\n");
		abort();
	}
	json_error_t e;
	json_t *j = json_loadb(out->buf, out->len, 0, &e);
	if (!j || !json_is_object(j)) {
		fprintf(stderr, "report_json: invalid JSON: %s at %d\n", e.text, e.position);
		abort();
	}
	json_decref(j);
}

/* Aborts unless an error message is one non-empty line. */
static inline void fuzz_check_error(const struct strbuf *err)
{
	if (!err->len || memchr(err->buf, '\n', err->len)) {
		fprintf(stderr, "error message is not one line: '%.*s'\n", (int)err->len, err->buf);
		abort();
	}
}

/* Renders D both ways and checks the JSON. */
static inline void fuzz_render(const struct dump *d)
{
	struct strbuf out = STRBUF_INIT;
	report_json(d, &out);
	fuzz_check_json(&out);
	strbuf_reset(&out);
	report_text(d, &out, true);
	strbuf_release(&out);
}

#endif
