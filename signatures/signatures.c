#include "signatures/signatures.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/model/catalogue.h"
#include "signatures/detect.h"

/* The C string literal after "NAME=" in ARGS (gdb prints `assertion=0x55.. "x > 0"`), unescaped. */
static bool arg_string(const char *args, const char *name, struct strbuf *out)
{
	size_t n = strlen(name);
	const char *s = args;
	while ((s = strstr(s, name)) && (s[n] != '=' || (s > args && s[-1] != ' ' && s[-1] != '(')))
		s += n;
	if (!s)
		return false;
	const char *q = strchr(s, '"');
	const char *comma = strstr(s, ", ");
	if (!q || (comma && comma < q))
		return false;
	for (q++; *q && *q != '"'; q++) {
		if (*q == '\\' && q[1])
			q++;
		strbuf_addch(out, *q);
	}
	return *q == '"';
}

/* "line=63" -> 63, or 0. */
static long arg_number(const char *args, const char *name)
{
	const char *s = strstr(args, name);
	size_t n = strlen(name);
	if (!s || s[n] != '=')
		return 0;
	s += n + 1;
	if (!strncmp(s, name, n) && !strncmp(s + n, "@entry=", 7))
		s += n + 7; /* line=line@entry=63 */
	return strtol(s, NULL, 10);
}

/*
 * Text dumps print __assert_fail's arguments but no abort message: rebuild
 * glibc's "file:line: function: Assertion `expr' failed." from them (and
 * take malloc_printerr's message), from the crashing thread T's frames.
 */
static void recover_assert_message(struct dump *d, struct thread *t)
{
	if (!t || (d->crash && d->crash->abort_message))
		return;
	for (size_t i = 0; i < t->nframes && i < 16; i++) {
		const struct frame *f = &t->frames[i];
		if (!f->function || !f->args)
			continue;
		struct strbuf msg = STRBUF_INIT;
		if (strstr(f->function, "malloc_printerr") && arg_string(f->args, "str", &msg)) {
			dump_crash(d)->abort_message = dump_strdup(d, msg.buf);
			strbuf_release(&msg);
			return;
		}
		strbuf_release(&msg);
		if (!strstr(f->function, "assert_fail"))
			continue;
		struct strbuf expr = STRBUF_INIT, file = STRBUF_INIT, fn = STRBUF_INIT;
		if (arg_string(f->args, "assertion", &expr)) {
			arg_string(f->args, "file", &file);
			arg_string(f->args, "function", &fn);
			dump_crash(d)->abort_message = dump_printf(d, "%s:%ld: %s: Assertion `%s' failed.",
				file.len ? file.buf : "?", arg_number(f->args, "line"),
				fn.len ? fn.buf : "?", expr.buf);
		}
		strbuf_release(&expr);
		strbuf_release(&file);
		strbuf_release(&fn);
		return;
	}
}

int signatures_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	struct detect_ctx cx;
	detect_ctx_init(&cx, d);
	struct thread *crashed = cx.crashed;
	recover_assert_message(d, crashed);
	for (size_t i = 0; i < detectors_count; i++)
		if (!dump_find_finding(d, detectors[i].id))
			detectors[i].run(d, &cx);
	detect_ctx_release(&cx);
	const struct ruleset *rs = ruleset_shared(o->rules_files, o->nrules_files, err);
	if (!rs)
		return -1;
	return ruleset_apply_crashed(rs, d, crashed, err);
}

void signatures_catalogue(const struct ruleset *rs,
			  void (*fn)(const struct catalogue_line *line, void *ctx), void *ctx)
{
	for (size_t i = 0; i < catalogue_count; i++) {
		struct catalogue_line line = { catalogue[i].id, catalogue[i].severity, catalogue[i].title,
					       catalogue[i].origin };
		fn(&line, ctx);
	}
	/* the ids a --rules file added (a rule set lists each id once per rule: skip repeats) */
	for (size_t i = 0; rs && i < ruleset_count(rs); i++) {
		struct rule_info r = ruleset_rule(rs, i);
		bool seen = catalogue_find(r.id) != NULL;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(ruleset_rule(rs, k).id, r.id);
		if (seen)
			continue;
		struct catalogue_line line = { r.id, r.severity, r.title, r.origin };
		fn(&line, ctx);
	}
}
