#include "parsers/parser.h"

#include <string.h>

#define X_ENTRY(sym) &sym,
const struct parser *const parser_list[] = { PARSERS(X_ENTRY) NULL };
#undef X_ENTRY

const struct parser *parser_find(const char *name)
{
	for (size_t i = 0; parser_list[i]; i++)
		if (!strcmp(parser_list[i]->name, name))
			return parser_list[i];
	return NULL;
}

static const struct parser *probe_window(const unsigned char *data, size_t len, int *score)
{
	const struct parser *best = NULL;
	*score = 0;
	for (size_t i = 0; parser_list[i]; i++) {
		const struct parser *p = parser_list[i];
		if (!p->probe)
			continue;
		int sc = p->probe(data, len);
		if (sc > *score) {
			best = p;
			*score = sc;
		}
		if (sc >= PROBE_CERTAIN)
			break; /* nothing scores higher, and ties go to the first */
	}
	return best;
}

const struct parser *parser_detect(const struct input *in)
{
	size_t len = in->len < PROBE_BYTES ? in->len : PROBE_BYTES;
	int best_score;
	const struct parser *best = probe_window(in->data, len, &best_score);
	if (best_score >= PROBE_CONFIDENT || in->len <= PROBE_BYTES || memchr(in->data, 0, len))
		return best;
	/* text whose head says little (a long log): the dump may come later */
	size_t off = PROBE_BYTES;
	while (off < in->len) {
		const unsigned char *nl = memchr(in->data + off, '\n', in->len - off);
		if (!nl)
			break;
		off = (size_t)(nl - in->data) + 1;
		size_t n = in->len - off < PROBE_BYTES ? in->len - off : PROBE_BYTES;
		int sc;
		const struct parser *p = probe_window(in->data + off, n, &sc);
		if (sc > best_score) {
			best = p;
			best_score = sc;
		}
		if (best_score >= PROBE_CONFIDENT)
			break;
		off += n > 4096 ? n - 4096 : n; /* windows overlap a little */
	}
	return best;
}
