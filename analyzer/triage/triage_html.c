/* triage --html: one self-contained page (inline CSS, inline SVG, no scripts or fetches). */
#include <string.h>

#include "analyzer/triage/triage.h"

static void esc(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': strbuf_adds(out, "&amp;"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '"': strbuf_adds(out, "&quot;"); break;
		case '\'': strbuf_adds(out, "&#39;"); break;
		default: strbuf_addch(out, *s);
		}
	}
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:80em}"
	"table{border-collapse:collapse;width:100%}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;"
	"text-align:left;vertical-align:top}th{background:#f4f4f4}"
	"td.s{overflow-wrap:anywhere}td.t{white-space:nowrap}h2{overflow-wrap:anywhere}"
	"td.n{text-align:right}code,pre{font:12px/1.35 ui-monospace,monospace}"
	"pre{background:#f7f7f7;padding:.6em;overflow-x:auto;margin:.3em 0}"
	".critical{color:#b00;font-weight:bold}.high{color:#c50}.medium{color:#a80}"
	"details{margin:.3em 0}section{margin:2em 0;border-top:2px solid #ccc}"
	"summary{cursor:pointer;color:#555}"
	".msg{background:#fff4f4;border-left:4px solid #b00;padding:.4em .8em;white-space:pre-wrap;"
	"font:13px/1.4 ui-monospace,monospace}"
	".finding{border-left:4px solid #ccc;padding:.1em .8em;margin:.6em 0}"
	".finding.critical,.finding.high{border-color:#b00}.finding.medium{border-color:#a80}"
	".finding p{margin:.3em 0;white-space:pre-wrap;font-weight:normal;color:#222}"
	".sys{color:#888}.fold{color:#735}"
	"svg text{font:11px ui-monospace,monospace}";

static const char *sev_name(int s)
{
	return s >= 0 ? severity_name((enum severity)s) : "-";
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void table(const struct triage_run *run, struct strbuf *out)
{
	strbuf_adds(out, "<table><tr><th>count</th><th>severity</th><th>signature</th>"
			 "<th>findings</th><th>last seen</th><th>bucket</th></tr>\n");
	for (size_t i = 0; i < run->nbuckets; i++) {
		const struct triage_bucket *b = &run->buckets[i];
		strbuf_addf(out, "<tr><td class=n>%zu</td><td class=\"%s\">%s</td><td class=s><a href=\"#b%zu\">",
			    b->nmembers, sev_name(b->severity), sev_name(b->severity), i);
		esc(out, b->signature);
		strbuf_adds(out, "</a></td><td>");
		for (size_t k = 0; k < b->nfindings; k++) {
			esc(out, b->findings[k]);
			strbuf_adds(out, k + 1 < b->nfindings ? ", " : "");
		}
		strbuf_adds(out, "</td><td class=t>");
		if (b->last_seen)
			triage_time(out, b->last_seen);
		strbuf_adds(out, "</td><td><code>");
		esc(out, b->bucket);
		strbuf_adds(out, "</code></td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

/* The crash in the example's own words: the signal, then the abort/assert message or the VM's reason. */
static void crash_message(const struct triage_bucket *b, struct strbuf *out)
{
	json_t *c = json_object_get(record_root(&b->example->rec), "crash");
	const char *sig = get_str(c, "signal"), *code = get_str(c, "code");
	const char *msg = get_str(c, "message"), *reason = get_str(c, "reason");
	if (!msg && !reason && !sig)
		return;
	strbuf_adds(out, "<div class=msg>");
	if (sig) {
		esc(out, sig);
		if (code) {
			strbuf_addch(out, ' ');
			esc(out, code);
		}
		strbuf_adds(out, (msg || reason) ? "\n" : "");
	}
	if (reason) {
		esc(out, reason);
		strbuf_adds(out, msg ? "\n" : "");
	}
	esc(out, msg);
	strbuf_adds(out, "</div>\n");
}

/* Each finding's title, summary and advice. */
static void findings(const struct triage_bucket *b, struct strbuf *out)
{
	json_t *details = json_object_get(record_root(&b->example->rec), "details");
	for (size_t i = 0; i < json_array_size(details); i++) {
		json_t *f = json_array_get(details, i);
		const char *sev = get_str(f, "severity");
		strbuf_adds(out, "<div class=\"finding ");
		esc(out, sev ? sev : "-");
		strbuf_adds(out, "\"><b>");
		esc(out, get_str(f, "title"));
		strbuf_adds(out, "</b> (");
		esc(out, get_str(f, "id"));
		if (sev) {
			strbuf_adds(out, ", ");
			esc(out, sev);
		}
		strbuf_adds(out, ")");
		if (get_str(f, "summary")) {
			strbuf_adds(out, "<p>");
			esc(out, get_str(f, "summary"));
			strbuf_adds(out, "</p>");
		}
		if (get_str(f, "advice")) {
			strbuf_adds(out, "<p><b>advice:</b> ");
			esc(out, get_str(f, "advice"));
			strbuf_adds(out, "</p>");
		}
		strbuf_adds(out, "</div>\n");
	}
}

/* The example stack, written as plain frames (in a <pre>) and folded runs (each in a <details>). */
struct stack_out {
	struct strbuf *out;
	json_t *frames;
	bool in_pre;
};

static void pre(struct stack_out *so, bool open)
{
	if (so->in_pre != open)
		strbuf_adds(so->out, open ? "<pre>" : "</pre>\n");
	so->in_pre = open;
}

static void frame_line(struct stack_out *so, size_t i, bool sys)
{
	pre(so, true);
	strbuf_addf(so->out, "%s#%-3zu ", sys ? "<span class=sys>" : "", i);
	esc(so->out, json_string_value(json_array_get(so->frames, i)));
	strbuf_adds(so->out, sys ? "</span>\n" : "\n");
}

/* Frames FROM..TO (exclusive) folded under SUMMARY. */
static void folded_frames(struct stack_out *so, size_t from, size_t to, const char *summary)
{
	pre(so, false);
	strbuf_adds(so->out, "<details><summary>");
	esc(so->out, summary);
	strbuf_adds(so->out, "</summary>");
	for (size_t k = from; k < to; k++)
		frame_line(so, k, true);
	pre(so, false);
	strbuf_adds(so->out, "</details>\n");
}

/* How many frames from I on are system frames (in_app false); 0 without the flags. */
static size_t system_run(json_t *in_app, size_t i, size_t n)
{
	size_t k = i;
	while (k < n && json_is_false(json_array_get(in_app, k)))
		k++;
	return k - i;
}

/* How many frames from I on repeat frame I's text (recursion). */
static size_t repeat_run(json_t *frames, size_t i, size_t n)
{
	const char *s = json_string_value(json_array_get(frames, i));
	size_t k = i + 1;
	while (k < n && s && json_string_value(json_array_get(frames, k)) &&
	       !strcmp(s, json_string_value(json_array_get(frames, k))))
		k++;
	return k - i;
}

/*
 * The example stack from its first meaningful frame (what comes before it
 * folded), runs of three or more system frames folded, repeats in one line.
 */
static void stack(const struct triage_bucket *b, struct strbuf *out)
{
	json_t *st = json_object_get(record_root(&b->example->rec), "stack");
	json_t *frames = json_object_get(st, "frames"), *in_app = json_object_get(st, "in_app");
	size_t n = json_array_size(frames), top = (size_t)json_integer_value(json_object_get(st, "top"));
	if (!n)
		return;
	if (top >= n)
		top = 0;
	struct strbuf sum = STRBUF_INIT;
	strbuf_adds(out, "<h3>example stack: thread ");
	esc(out, get_str(st, "thread"));
	strbuf_adds(out, "</h3>\n");
	struct stack_out so = { out, frames, false };
	if (top) {
		const char *first = json_string_value(json_array_get(frames, 0));
		size_t name = first ? strcspn(first, "+ ") : 0;
		strbuf_addf(&sum, "%zu frame%s of plumbing above it (%.*s%s)", top, plural(top), (int)name,
			    first ? first : "", top > 1 ? " ..." : "");
		folded_frames(&so, 0, top, sum.buf);
	}
	for (size_t i = top; i < n;) {
		size_t sys = system_run(in_app, i, n), rep = repeat_run(frames, i, n);
		if (sys >= 3 && i > top) {
			strbuf_reset(&sum);
			strbuf_addf(&sum, "%zu system frames", sys);
			folded_frames(&so, i, i + sys, sum.buf);
			i += sys;
		} else if (rep >= 4) {
			frame_line(&so, i, sys > 0);
			strbuf_addf(out, "<span class=fold>#%zu–#%zu  the same frame ×%zu</span>\n", i + 1,
				    i + rep - 2, rep - 2);
			frame_line(&so, i + rep - 1, sys > 0);
			i += rep;
		} else {
			frame_line(&so, i, sys > 0);
			i++;
		}
	}
	pre(&so, false);
	strbuf_release(&sum);
}

struct node {
	const char *name, *at;
};

/* Index of NAME among NODES (added when new, with where it is). */
static size_t node_of(struct node *nodes, size_t *n, const char *name, const char *at)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(nodes[i].name, name)) {
			if (!nodes[i].at)
				nodes[i].at = at;
			return i;
		}
	nodes[*n] = (struct node){ name, at };
	return (*n)++;
}

/* Columns a node's box needs for its two lines (monospace, capped). */
static int node_chars(const struct node *nd)
{
	size_t w = strlen(nd->name);
	if (nd->at && strlen(nd->at) > w)
		w = strlen(nd->at);
	return w > 44 ? 44 : (int)w;
}

/* TEXT in at most 44 characters: its start (KEEP_END false) or its end, an ellipsis for the rest. */
static void esc_cut(struct strbuf *out, const char *text, bool keep_end)
{
	size_t n = strlen(text);
	if (n <= 44) {
		esc(out, text);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	if (keep_end) {
		size_t from = n - 43;
		while (from < n && ((unsigned char)text[from] & 0xc0) == 0x80)
			from++; /* never split a UTF-8 sequence */
		strbuf_adds(&sb, "…");
		strbuf_adds(&sb, text + from);
	} else {
		size_t keep = 43;
		while (keep && ((unsigned char)text[keep] & 0xc0) == 0x80)
			keep--;
		strbuf_add(&sb, text, keep);
		strbuf_adds(&sb, "…");
	}
	esc(out, sb.buf);
	strbuf_release(&sb);
}

/*
 * The wait-for edges drawn as an inline SVG: threads in a row (name, and
 * the user's frame it is at), each edge an arc labelled by the lock
 * (forward edges above the row, backward below). IDs carry the bucket's
 * number: one page holds many graphs.
 */
static void graph(const struct triage_bucket *b, size_t bi, struct strbuf *out)
{
	json_t *edges = json_object_get(record_root(&b->example->rec), "graph");
	size_t ne = json_array_size(edges);
	if (!ne)
		return;
	struct node nodes[2 * 64 + 2];
	size_t nn = 0, from[64], to[64];
	const char *label[64];
	size_t k = 0;
	for (size_t i = 0; i < ne && k < 64; i++) {
		json_t *e = json_array_get(edges, i);
		const char *f = get_str(e, "from"), *t = get_str(e, "to");
		if (!f)
			continue;
		from[k] = node_of(nodes, &nn, f, get_str(e, "from_at"));
		to[k] = node_of(nodes, &nn, t ? t : "(owner unknown)", get_str(e, "to_at"));
		label[k] = get_str(e, "lock");
		k++;
	}
	int widest = 20;
	for (size_t i = 0; i < nn; i++)
		if (node_chars(&nodes[i]) > widest)
			widest = node_chars(&nodes[i]);
	const int boxw = widest * 7 + 16, step = boxw + 40, y = 50 + 30 * (int)nn;
	strbuf_addf(out, "<h3>lock graph</h3>\n<svg width=\"%d\" height=\"%d\"><defs><marker "
			 "id=\"arrow-b%zu\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
			 "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path "
			 "d=\"M0,0L10,5L0,10z\" fill=\"#b00\"/></marker></defs>\n",
		    (int)nn * step + 40, 2 * y, bi);
	for (size_t i = 0; i < k; i++) {
		int x1 = 20 + boxw / 2 + (int)from[i] * step, x2 = 20 + boxw / 2 + (int)to[i] * step;
		int span = from[i] < to[i] ? (int)(to[i] - from[i]) : (int)(from[i] - to[i]);
		int h = (from[i] < to[i] ? -1 : 1) * (30 + 30 * span);
		int off = 22;
		if (from[i] == to[i]) {
			x2 += 30;
			h = -60;
		}
		strbuf_addf(out, "<path d=\"M%d,%dQ%d,%d %d,%d\" fill=\"none\" stroke=\"#b00\" "
				 "marker-end=\"url(#arrow-b%zu)\"/>",
			    x1, y + (h < 0 ? -off : off), (x1 + x2) / 2, y + 2 * h, x2, y + (h < 0 ? -off : off), bi);
		strbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">",
			    (x1 + x2) / 2, y + h + (h < 0 ? -4 : 12));
		esc_cut(out, label[i] ? label[i] : "?", false);
		strbuf_adds(out, "</text>\n");
	}
	for (size_t i = 0; i < nn; i++) {
		int x = 20 + boxw / 2 + (int)i * step;
		strbuf_addf(out, "<g><title>");
		esc(out, nodes[i].name);
		if (nodes[i].at) {
			strbuf_adds(out, " at ");
			esc(out, nodes[i].at);
		}
		strbuf_addf(out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"40\" rx=\"6\" "
				 "fill=\"#fde\" stroke=\"#b00\"/><text x=\"%d\" y=\"%d\" "
				 "text-anchor=\"middle\">",
			    x - boxw / 2, y - 20, boxw, x, y - 4);
		esc_cut(out, nodes[i].name, false);
		strbuf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">", x,
			    y + 12);
		esc_cut(out, nodes[i].at ? nodes[i].at : "", true); /* its file:line */
		strbuf_adds(out, "</text></g>\n");
	}
	strbuf_adds(out, "</svg>\n<p>");
	for (size_t i = 0; i < k; i++) {
		strbuf_adds(out, "thread ");
		esc(out, nodes[from[i]].name);
		strbuf_adds(out, " waits for ");
		esc(out, label[i] ? label[i] : "?");
		strbuf_adds(out, " held by ");
		esc(out, nodes[to[i]].name);
		if (nodes[from[i]].at) {
			strbuf_adds(out, " (waiting at ");
			esc(out, nodes[from[i]].at);
			strbuf_adds(out, ")");
		}
		strbuf_adds(out, "<br>\n");
	}
	strbuf_adds(out, "</p>\n");
}

static void bucket_section(const struct triage_bucket *b, size_t i, struct strbuf *out)
{
	strbuf_addf(out, "<section id=\"b%zu\"><h2>%zu &times; ", i, b->nmembers);
	esc(out, b->signature);
	strbuf_addf(out, "</h2>\n<p>severity <span class=\"%s\">%s</span>, bucket <code>",
		    sev_name(b->severity), sev_name(b->severity));
	esc(out, b->bucket);
	strbuf_adds(out, "</code>, example <code>");
	esc(out, b->example->path);
	strbuf_adds(out, "</code></p>\n");
	crash_message(b, out);
	findings(b, out);
	stack(b, out);
	graph(b, i, out);
	strbuf_addf(out, "<details><summary>%zu member%s</summary><pre>", b->nmembers, plural(b->nmembers));
	for (size_t k = 0; k < b->nmembers; k++) {
		esc(out, b->members[k]->path);
		strbuf_addch(out, '\n');
	}
	strbuf_adds(out, "</pre></details></section>\n");
}

/* A list of paths and why (failed, skipped). */
static void path_table(const struct triage_problem *list, size_t n, struct strbuf *out)
{
	strbuf_adds(out, "<table>\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(out, "<tr><td><code>");
		esc(out, list[i].path);
		strbuf_adds(out, "</code></td><td>");
		esc(out, list[i].error);
		strbuf_adds(out, "</td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

void triage_html(const struct triage_run *run, struct strbuf *out)
{
	strbuf_addf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			 "<title>mortem triage</title><style>%s</style></head><body>\n",
		    style);
	size_t inputs = run->analyzed + run->nproblems;
	strbuf_addf(out, "<h1>mortem triage</h1>\n<p>%zu artifact%s: %zu analyzed, %zu failed, "
			 "%zu skipped (not dumps), %zu bucket%s.</p>\n",
		    inputs, plural(inputs), run->analyzed, run->nproblems, run->skipped, run->nbuckets,
		    plural(run->nbuckets));
	table(run, out);
	for (size_t i = 0; i < run->nbuckets; i++)
		bucket_section(&run->buckets[i], i, out);
	if (run->nproblems) {
		strbuf_adds(out, "<section><h2>failed</h2>\n");
		path_table(run->problems, run->nproblems, out);
		strbuf_adds(out, "</section>\n");
	}
	if (run->nskips) {
		strbuf_addf(out, "<section><h2>skipped</h2><details><summary>%zu input%s that %s not dumps"
				 "</summary>\n", run->nskips, plural(run->nskips), run->nskips == 1 ? "is" : "are");
		path_table(run->skips, run->nskips, out);
		strbuf_adds(out, "</details></section>\n");
	}
	if (run->nunread) {
		strbuf_adds(out, "<section><h2>not read (only regular files are opened)</h2><table>\n");
		for (size_t i = 0; i < run->nunread; i++) {
			strbuf_adds(out, "<tr><td><code>");
			esc(out, run->unread[i].path);
			strbuf_adds(out, "</code></td><td>");
			esc(out, run->unread[i].error);
			strbuf_adds(out, "</td></tr>\n");
		}
		strbuf_adds(out, "</table></section>\n");
	}
	strbuf_adds(out, "</body></html>\n");
}
