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
#include "analyzer/lib/termsafe.h"
#include "analyzer/report/lockdot.h"
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

/* Aborts unless a text report holds no raw control character but newlines, tabs and its colours. */
static inline void fuzz_check_text(const struct strbuf *out)
{
	if (!termsafe_clean(out->buf, out->len, TERMSAFE_LINES | TERMSAFE_COLOR)) {
		fprintf(stderr, "report_text: a raw control character or escape sequence\n");
		abort();
	}
}

/* Aborts when a DOT quoted string comes near Graphviz's 16384-byte limit. */
static inline void fuzz_check_dot(const struct strbuf *out)
{
	size_t run = 0;
	bool quoted = false;
	for (size_t i = 0; i < out->len; i++) {
		if (out->buf[i] == '\\' && quoted) {
			i++, run += 2;
			continue;
		}
		if (out->buf[i] == '"')
			quoted = !quoted, run = 0;
		else if (quoted && ++run > 8192) {
			fprintf(stderr, "lockdot: a label of more than 8192 bytes\n");
			abort();
		}
	}
}

/* Renders D every way (JSON, the text report folded and whole, DOT) and checks each. */
static inline void fuzz_render(const struct dump *d)
{
	struct strbuf out = STRBUF_INIT;
	report_json(d, &out);
	fuzz_check_json(&out);
	strbuf_reset(&out);
	report_text(d, &out, REPORT_COLOR); /* folded: threads to read first, groups, runs */
	fuzz_check_text(&out);
	strbuf_reset(&out);
	report_text(d, &out, REPORT_ALL);
	fuzz_check_text(&out);
	strbuf_reset(&out);
	lockdot_render(d, &out);
	fuzz_check_dot(&out);
	strbuf_release(&out);
}

#endif
