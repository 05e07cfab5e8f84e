#include "parser.h"

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

const struct parser *parser_detect(const struct input *in)
{
	size_t len = in->len < PROBE_BYTES ? in->len : PROBE_BYTES;
	const struct parser *best = NULL;
	int best_score = 0;
	for (size_t i = 0; parser_list[i]; i++) {
		const struct parser *p = parser_list[i];
		if (!p->probe)
			continue;
		int score = p->probe(in->data, len);
		if (score > best_score) {
			best = p;
			best_score = score;
		}
	}
	return best;
}
