/* The raw sections of an hs_err log: a list, and Enter shows one. */
#include <stdio.h>
#include "tui/view.h"

static void sections_open(struct view *v)
{
	const struct dump *d = v->b->d;
	v->title = arena_printf(v->b->arena, "   BYTES  SECTION (%zu; Enter shows one)", d->nsections);
	if (!d->nsections)
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "This input has no raw sections (only hs_err logs do).");
	for (size_t i = 0; i < d->nsections; i++)
		view_add(v, ST_NORMAL, TGT_SECTION, i, 0, "%8zu  %s", d->sections[i]->len, d->sections[i]->title);
}

const struct view_ops sections_view = {
	.id = VIEW_SECTIONS,
	.open = sections_open,
};
