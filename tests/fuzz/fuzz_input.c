/*
 * libFuzzer target for analyzer/lib/input.c: compression detection and the
 * zstd/xz/gzip/lz4 decoders, UTF-16 detection and conversion, over bytes in
 * memory and in a mapped file; then format detection over the result.
 */
#include "fuzz_common.h"

#include "parsers/parser.h"

static const struct input_limits limits = { .max_decompressed = 16 << 20 };

static void touch(const struct input *in)
{
	volatile unsigned sum = 0;
	for (size_t i = 0; i < in->len; i += 4096)
		sum += in->data[i];
	if (in->len)
		sum += in->data[in->len - 1];
	(void)sum;
	(void)parser_detect(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct input in;
	if (input_from_memory(&in, "fuzz", data, size, &limits, &err) == 0) {
		touch(&in);
		input_close(&in);
	} else {
		fuzz_check_error(&err);
	}
	strbuf_reset(&err);
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd >= 0) {
		if (input_open(&in, path, &limits, &err) == 0) {
			touch(&in);
			input_close(&in);
		} else {
			fuzz_check_error(&err);
		}
		close(fd);
	}
	strbuf_release(&err);
	return 0;
}
