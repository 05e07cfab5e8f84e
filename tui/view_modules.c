/* The modules pane: every loaded module, whether debug info was found, its build-id. */
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

static const char *module_path(const struct module *m)
{
	return m->path ? m->path : m->name ? m->name : "?";
}

static void modules_open(struct view *v)
{
	const struct dump *d = v->b->d;
	int pathw = 4;
	for (size_t i = 0; i < d->nmodules; i++) {
		int w = term_width(module_path(d->modules[i]));
		if (w > pathw)
			pathw = w;
	}
	if (pathw > 60)
		pathw = 60;
	v->title = arena_printf(v->b->arena, "%-5s  %-*s  %s", "DEBUG", pathw, "PATH", "BUILD-ID");
	if (!d->nmodules) {
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "No modules are listed in this input (cores and hs_err logs list them).");
		return;
	}
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = d->modules[i];
		const char *path = module_path(m);
		/* pad by display width: paths may hold UTF-8 */
		int pad = pathw - term_width(path);
		view_add(v, m->debug_info ? ST_NORMAL : ST_DIM, TGT_NONE, i, 0, "%-5s  %s%*s  %s",
			 m->debug_info ? "yes" : "no", path, pad > 0 ? pad : 0, "", m->build_id ? m->build_id : "-");
	}
}

const struct view_ops modules_view = {
	.id = VIEW_MODULES,
	.open = modules_open,
};
