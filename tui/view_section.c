/* One raw section of the input, line by line. */
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

static void section_open(struct view *v)
{
	const struct section *s = v->b->d->sections[v->section];
	v->title = arena_printf(v->b->arena, "Section: %s", s->title);
	const char *p = s->text, *end = s->text + s->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t raw = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t n = raw && p[raw - 1] == '\r' ? raw - 1 : raw;
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%.*s", (int)n, p);
		p += raw + 1;
	}
}

const struct view_ops section_view = {
	.id = VIEW_SECTION,
	.open = section_open,
};
