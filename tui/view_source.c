/*
 * The source of a frame, when the file is on this machine (directly or
 * through --source-path OLD=NEW), with the cursor on the frame's line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view.h"
#include "analyzer/lib/path.h"

/* Appends the lines of the file at PATH; returns -1 when it cannot be read. */
static int read_lines(struct view *v, const char *path, int mark)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int no = 0;
	struct strbuf sb = STRBUF_INIT;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		no++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		strbuf_reset(&sb);
		for (ssize_t i = 0; i < n; i++) { /* tabs to 8 columns */
			if (line[i] == '\t')
				do
					strbuf_addch(&sb, ' ');
				while (sb.len % 8);
			else
				strbuf_addch(&sb, line[i]);
		}
		view_add(v, no == mark ? ST_TITLE : ST_NORMAL, TGT_NONE, (size_t)no, 0, "%s%5d  %s",
			 no == mark ? ">" : " ", no, sb.buf);
	}
	strbuf_release(&sb);
	free(line);
	fclose(fp);
	return 0;
}

static void source_open(struct view *v)
{
	struct browser *b = v->b;
	const struct frame *f = &b->model.th[v->thread].t->frames[v->frame];
	free(v->path);
	v->path = tui_source_resolve(f, b->o->source_paths, b->o->nsource_paths);
	if (!v->path || read_lines(v, v->path, f->line) < 0) {
		free(v->path);
		v->path = NULL;
		v->title = arena_printf(b->arena, "%s: not found on this machine", f->file);
		view_add(v, ST_MEDIUM, TGT_NONE, 0, 0, "The source file %s is not here.", f->file);
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0,
			 "If the sources live elsewhere, name their root (searched by file name and Java package)");
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "or map the build path to them:");
		view_add(v, ST_TITLE, TGT_NONE, 0, 0, "  mortem browse --source-path ~/src/app INPUT");
		view_add(v, ST_TITLE, TGT_NONE, 0, 0, "  mortem browse --source-path /build/dir=/my/checkout INPUT");
		return;
	}
	v->title = arena_printf(b->arena, "%s:%d  in %s", v->path, f->line,
				f->function ? f->function : "??");
	if (f->line > 0)
		view_select(v, (size_t)f->line - 1, true);
	if (f->line > 0 && (size_t)f->line > v->nlines)
		browser_message(b, ST_MEDIUM, "line %d is past the end of %s (%zu line%s): another version?",
				f->line, v->path, v->nlines, v->nlines == 1 ? "" : "s");
}

/* "PATH:LINE  in FUNCTION": cut, the path loses its start, never the file's name and line. */
static void source_heading(struct view *v, int row, int width)
{
	const struct frame *f = &v->b->model.th[v->thread].t->frames[v->frame];
	term_fill(row, 0, width, ST_NORMAL);
	if (!v->path) {
		term_put_cut(row, 1, width - 1, ST_HEADER, v->title, NULL);
		return;
	}
	struct strbuf loc = STRBUF_INIT, fn = STRBUF_INIT;
	strbuf_addf(&loc, "%s:%d", v->path, f->line);
	strbuf_addf(&fn, "  in %s", f->function ? f->function : "??");
	int avail = width - 1, locw = term_width(loc.buf), fnw = term_width(fn.buf);
	int namew = term_width(path_basename(loc.buf)) + 1;
	int keep = locw + fnw <= avail ? locw : avail - fnw > namew ? avail - fnw : namew;
	if (keep > avail)
		keep = avail;
	int x = 1 + term_put_cut_front(row, 1, keep, ST_HEADER, loc.buf, NULL);
	term_put_cut(row, x, width - x, ST_HEADER, fn.buf, NULL);
	strbuf_release(&loc);
	strbuf_release(&fn);
}

static void source_status(struct view *v, struct strbuf *out)
{
	strbuf_addf(out, "line %zu/%zu", v->nlines ? v->cursor + 1 : 0, v->nlines);
}

static void source_release(struct view *v)
{
	free(v->path);
	v->path = NULL;
}

const struct view_ops source_view = {
	.id = VIEW_SOURCE,
	.open = source_open,
	.heading = source_heading,
	.status = source_status,
	.release = source_release,
};
