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
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;"
	"text-align:left;vertical-align:top}th{background:#f4f4f4}"
	"td.n{text-align:right}code,pre{font:12px/1.35 ui-monospace,monospace}"
	"pre{background:#f7f7f7;padding:.6em;overflow-x:auto}"
	".critical{color:#b00;font-weight:bold}.high{color:#c50}.medium{color:#a80}"
	"details{margin:.3em 0}section{margin:2em 0;border-top:2px solid #ccc}"
	"svg text{font:11px ui-monospace,monospace}";

static const char *sev_name(int s)
{
	return s >= 0 ? severity_name((enum severity)s) : "-";
}

static void table(const struct triage_run *run, struct strbuf *out)
{
	strbuf_adds(out, "<table><tr><th>count</th><th>severity</th><th>signature</th>"
			 "<th>findings</th><th>last seen</th><th>bucket</th></tr>\n");
	for (size_t i = 0; i < run->nbuckets; i++) {
		const struct triage_bucket *b = &run->buckets[i];
		strbuf_addf(out, "<tr><td class=n>%zu</td><td class=\"%s\">%s</td><td><a href=\"#b%zu\">",
			    b->nmembers, sev_name(b->severity), sev_name(b->severity), i);
		esc(out, b->signature);
		strbuf_adds(out, "</a></td><td>");
		for (size_t k = 0; k < b->nfindings; k++) {
			esc(out, b->findings[k]);
			strbuf_adds(out, k + 1 < b->nfindings ? ", " : "");
		}
		strbuf_adds(out, "</td><td>");
		if (b->last_seen)
			triage_time(out, b->last_seen);
		strbuf_adds(out, "</td><td><code>");
		esc(out, b->bucket);
		strbuf_adds(out, "</code></td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

static void stack(const struct triage_bucket *b, struct strbuf *out)
{
	json_t *st = json_object_get(b->example->rec.root, "stack");
	json_t *frames = json_object_get(st, "frames");
	if (!json_array_size(frames))
		return;
	strbuf_adds(out, "<h3>example stack: thread ");
	esc(out, json_string_value(json_object_get(st, "thread")));
	strbuf_adds(out, "</h3>\n<pre>");
	for (size_t i = 0; i < json_array_size(frames); i++) {
		strbuf_addf(out, "#%-3zu ", i);
		esc(out, json_string_value(json_array_get(frames, i)));
		strbuf_addch(out, '\n');
	}
	strbuf_adds(out, "</pre>\n");
}

/* Index of NAME among NODES (added when new). */
static size_t node_of(const char **nodes, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(nodes[i], name))
			return i;
	nodes[*n] = name;
	return (*n)++;
}

/*
 * The wait-for edges drawn as an inline SVG: threads in a row, each edge an
 * arc labelled by the lock (forward edges above the row, backward below).
 */
static void graph(const struct triage_bucket *b, struct strbuf *out)
{
	json_t *edges = json_object_get(b->example->rec.root, "graph");
	size_t ne = json_array_size(edges);
	if (!ne)
		return;
	const char *nodes[2 * 64 + 2];
	size_t nn = 0, from[64], to[64];
	const char *label[64];
	size_t k = 0;
	for (size_t i = 0; i < ne && k < 64; i++) {
		json_t *e = json_array_get(edges, i);
		const char *f = json_string_value(json_object_get(e, "from"));
		const char *t = json_string_value(json_object_get(e, "to"));
		if (!f)
			continue;
		from[k] = node_of(nodes, &nn, f);
		to[k] = node_of(nodes, &nn, t ? t : "(owner unknown)");
		label[k] = json_string_value(json_object_get(e, "lock"));
		k++;
	}
	const int step = 220, y = 40 + 30 * (int)nn;
	strbuf_addf(out, "<h3>lock graph</h3>\n<svg width=\"%d\" height=\"%d\"><defs><marker "
			 "id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
			 "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path "
			 "d=\"M0,0L10,5L0,10z\" fill=\"#b00\"/></marker></defs>\n",
		    (int)nn * step + 40, 2 * y);
	for (size_t i = 0; i < k; i++) {
		int x1 = 120 + (int)from[i] * step, x2 = 120 + (int)to[i] * step;
		int span = from[i] < to[i] ? (int)(to[i] - from[i]) : (int)(from[i] - to[i]);
		int h = (from[i] < to[i] ? -1 : 1) * (30 + 30 * span);
		if (from[i] == to[i]) {
			x2 += 30;
			h = -60;
		}
		strbuf_addf(out, "<path d=\"M%d,%dQ%d,%d %d,%d\" fill=\"none\" stroke=\"#b00\" "
				 "marker-end=\"url(#arrow)\"/>",
			    x1, y + (h < 0 ? -12 : 12), (x1 + x2) / 2, y + 2 * h, x2, y + (h < 0 ? -12 : 12));
		strbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">",
			    (x1 + x2) / 2, y + h + (h < 0 ? -4 : 12));
		esc(out, label[i] ? label[i] : "?");
		strbuf_adds(out, "</text>\n");
	}
	for (size_t i = 0; i < nn; i++) {
		int x = 120 + (int)i * step;
		strbuf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"200\" height=\"24\" rx=\"6\" "
				 "fill=\"#fde\" stroke=\"#b00\"/><text x=\"%d\" y=\"%d\" "
				 "text-anchor=\"middle\">",
			    x - 100, y - 12, x, y + 4);
		esc(out, nodes[i]);
		strbuf_adds(out, "</text>\n");
	}
	strbuf_adds(out, "</svg>\n<p>");
	for (size_t i = 0; i < k; i++) {
		strbuf_adds(out, "thread ");
		esc(out, nodes[from[i]]);
		strbuf_adds(out, " waits for ");
		esc(out, label[i] ? label[i] : "?");
		strbuf_adds(out, " held by ");
		esc(out, nodes[to[i]]);
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
	stack(b, out);
	graph(b, out);
	strbuf_addf(out, "<details><summary>%zu members</summary><pre>", b->nmembers);
	for (size_t k = 0; k < b->nmembers; k++) {
		esc(out, b->members[k]->path);
		strbuf_addch(out, '\n');
	}
	strbuf_adds(out, "</pre></details></section>\n");
}

void triage_html(const struct triage_run *run, struct strbuf *out)
{
	strbuf_addf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			 "<title>mortem triage</title><style>%s</style></head><body>\n",
		    style);
	strbuf_addf(out, "<h1>mortem triage</h1>\n<p>%zu artifacts: %zu analyzed, %zu failed, "
			 "%zu skipped (not dumps), %zu buckets.</p>\n",
		    run->analyzed + run->nproblems, run->analyzed, run->nproblems, run->skipped,
		    run->nbuckets);
	table(run, out);
	for (size_t i = 0; i < run->nbuckets; i++)
		bucket_section(&run->buckets[i], i, out);
	if (run->nproblems) {
		strbuf_adds(out, "<section><h2>failed</h2><table>\n");
		for (size_t i = 0; i < run->nproblems; i++) {
			strbuf_adds(out, "<tr><td><code>");
			esc(out, run->problems[i].path);
			strbuf_adds(out, "</code></td><td>");
			esc(out, run->problems[i].error);
			strbuf_adds(out, "</td></tr>\n");
		}
		strbuf_adds(out, "</table></section>\n");
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
