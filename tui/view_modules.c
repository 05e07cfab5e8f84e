/* The modules pane: every loaded module, its build-id and whether debug info was found. */
#include <stdio.h>
#include "view.h"

static void modules_open(struct view *v)
{
	const struct dump *d = v->b->d;
	v->title = arena_printf(v->b->arena, "  %-5s %-40s %s", "DEBUG", "BUILD-ID", "PATH");
	if (!d->nmodules) {
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "No modules are listed in this input (cores and hs_err logs list them).");
		return;
	}
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = d->modules[i];
		view_add(v, m->debug_info ? ST_NORMAL : ST_DIM, TGT_NONE, i, 0, " %-5s %-40s %s",
			 m->debug_info ? "yes" : "no", m->build_id ? m->build_id : "-",
			 m->path ? m->path : m->name ? m->name : "?");
	}
}

const struct view_ops modules_view = {
	.id = VIEW_MODULES,
	.open = modules_open,
};
