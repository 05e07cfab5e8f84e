#include "signatures/rules.h"
#include "analyzer/lib/path.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/prefetch.h"
#include "analyzer/lib/ptrmemo.h"
#include "analyzer/model/catalogue.h"

struct clause {
	enum rule_key key;
	enum frame_scope scope;
	bool negate;
	pcre2_code **re;          /* one, or one per stack step */
	size_t nre, re_alloc;
	uint64_t lo, hi;          /* address range */
	long num;                 /* errno */
	bool yes;                 /* crashed */
	char *text;               /* finding id, lock kind */
};

struct rule {
	char *id, *title, *summary, *advice, *refines, *origin;
	enum severity severity;
	enum confidence confidence;
	bool has_severity;
	int top;
	int line;
	struct clause *clauses;
	size_t nclauses, clauses_alloc;
};

struct ruleset {
	struct rule **rules;
	size_t n, alloc;
	struct frame_app_rule *app;   /* [in-app] and [system] blocks, in file order (globs owned) */
	size_t napp, app_alloc;
};

static const char *const key_names[] = {
#define X_NAME(e, name, scoped, help) name,
	RULE_KEYS(X_NAME)
#undef X_NAME
};
static const bool key_scoped[] = {
#define X_SCOPED(e, name, scoped, help) scoped,
	RULE_KEYS(X_SCOPED)
#undef X_SCOPED
};
static const char *const scope_names[] = {
#define X_NAME(e, name, help) name,
	FRAME_SCOPES(X_NAME)
#undef X_NAME
};

/* Placeholders a summary or advice may name. */
static const char *const placeholders[] = {
	"thread", "threads", "frame", "frames", "function", "module", "signal", "code",
	"address", "errno", "message", "reason", "top", "site", "locks", "lock", "other-locks",
	"other-thread", "runtime", "finding", "handler", NULL,
};

/* ---- building and freeing ---- */

struct ruleset *ruleset_new(void)
{
	return xcalloc(1, sizeof(struct ruleset));
}

static void clause_release(struct clause *c)
{
	for (size_t i = 0; i < c->nre; i++)
		pcre2_code_free(c->re[i]);
	free(c->re);
	free(c->text);
}

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nclauses; i++)
		clause_release(&r->clauses[i]);
	free(r->clauses);
	free(r->id);
	free(r->title);
	free(r->summary);
	free(r->advice);
	free(r->refines);
	free(r->origin);
	free(r);
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->napp; i++)
		free((char *)rs->app[i].glob);
	free(rs->app);
	free(rs);
}

/*
 * Same-id rules are alternatives, except that a rule from a user's file
 * (REPLACE) drops the rules of that id from other files.
 */
static void ruleset_put(struct ruleset *rs, struct rule *r, bool replace)
{
	size_t kept = 0;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *o = rs->rules[i];
		if (replace && !strcmp(o->id, r->id) && strcmp(o->origin, r->origin))
			rule_free(o);
		else
			rs->rules[kept++] = o;
	}
	rs->n = kept;
	ALLOC_GROW(rs->rules, rs->n + 1, rs->alloc);
	rs->rules[rs->n++] = r;
}

size_t ruleset_count(const struct ruleset *rs)
{
	return rs->n;
}

size_t ruleset_app_rules(const struct ruleset *rs, const struct frame_app_rule **rules)
{
	if (rules)
		*rules = rs->app;
	return rs->napp;
}

struct rule_info ruleset_rule(const struct ruleset *rs, size_t i)
{
	const struct rule *r = rs->rules[i];
	return (struct rule_info){ r->id, r->title, r->severity, r->origin };
}

/* ---- parsing ---- */

struct parse {
	const char *origin;
	int line;
	struct strbuf *errs;
	int nerrs;
	bool replace;             /* a user's file: its rules replace same-id rules of other files */
	struct rule *rule;        /* the block being read, NULL outside one */
	int frames_block;         /* inside [in-app] (1) or [system] (0); -1 outside */
	bool rule_bad;
	char **last_value;
};

__attribute__((format(printf, 2, 3)))
static void perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	strbuf_addf(p->errs, "%s:%d: ", p->origin, p->line);
	va_start(ap, fmt);
	strbuf_vaddf(p->errs, fmt, ap);
	va_end(ap);
	strbuf_addch(p->errs, '\n');
	p->nerrs++;
	p->rule_bad = true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static pcre2_code *compile_re(struct parse *p, const char *pattern, bool whole)
{
	struct strbuf sb = STRBUF_INIT;
	if (whole)
		strbuf_addf(&sb, "^(?:%s)$", pattern);
	else
		strbuf_adds(&sb, pattern);
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)sb.buf, sb.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				       &code, &off, NULL);
	strbuf_release(&sb);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		perr(p, "bad regex '%s': %s at offset %zu", pattern, (const char *)msg,
		     (size_t)off - (whole ? 4 : 0));
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* no JIT: the interpreter still works */
	return re;
}

static void clause_add_re(struct clause *c, pcre2_code *re)
{
	ALLOC_GROW(c->re, c->nre + 1, c->re_alloc);
	c->re[c->nre++] = re;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s || *trim(end))
		return false;
	*v = x;
	return true;
}

static bool parse_address(struct clause *c, char *v)
{
	char *dash = strchr(v, '-');
	if (!dash)
		return parse_u64(v, &c->lo) && (c->hi = c->lo, true);
	*dash = '\0';
	return parse_u64(trim(v), &c->lo) && parse_u64(trim(dash + 1), &c->hi) && c->lo <= c->hi;
}

static bool parse_stack(struct parse *p, struct clause *c, char *v)
{
	for (;;) {
		char *sep = strstr(v, " <- ");
		if (sep)
			*sep = '\0';
		char *step = trim(v);
		if (!*step) {
			perr(p, "empty step in stack '%s'", v);
			return false;
		}
		pcre2_code *re = compile_re(p, step, false);
		if (!re)
			return false;
		clause_add_re(c, re);
		if (!sep)
			return true;
		v = sep + 4;
	}
}

static bool check_template(struct parse *p, const char *t)
{
	for (const char *s = strchr(t, '{'); s; s = strchr(s + 1, '{')) {
		const char *e = strchr(s, '}');
		if (!e) {
			perr(p, "unclosed '{' in template");
			return false;
		}
		bool known = false;
		for (size_t i = 0; placeholders[i]; i++)
			if (strlen(placeholders[i]) == (size_t)(e - s - 1) &&
			    !strncmp(placeholders[i], s + 1, (size_t)(e - s - 1)))
				known = true;
		if (!known) {
			perr(p, "unknown placeholder '%.*s'", (int)(e - s + 1), s);
			return false;
		}
	}
	return true;
}

static bool is_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static int find_key(const char *name, size_t len)
{
	for (int k = 0; k < RULE_KEY_COUNT; k++)
		if (strlen(key_names[k]) == len && !strncmp(key_names[k], name, len))
			return k;
	return -1;
}

static int find_scope(const char *name)
{
	for (int s = 0; s < FRAME_SCOPE_COUNT; s++)
		if (!strcmp(scope_names[s], name))
			return s;
	return -1;
}

static void set_text(struct parse *p, char **field, const char *v)
{
	if (*field)
		perr(p, "duplicate key");
	free(*field);
	*field = xstrdup(v);
	p->last_value = field;
}

static bool parse_match_value(struct parse *p, struct clause *c, char *v)
{
	switch (c->key) {
	case RK_STACK:
		return parse_stack(p, c, v);
	case RK_ADDRESS:
		if (!parse_address(c, v)) {
			perr(p, "bad address range '%s' (want ADDR or LO-HI)", v);
			return false;
		}
		return true;
	case RK_ERRNO: {
		uint64_t n;
		if (!parse_u64(v, &n) || n > 4095) {
			perr(p, "bad errno '%s' (want a number)", v);
			return false;
		}
		c->num = (long)n;
		return true;
	}
	case RK_CRASHED:
		if (strcmp(v, "yes") && strcmp(v, "no")) {
			perr(p, "crashed takes yes or no, not '%s'", v);
			return false;
		}
		c->yes = !strcmp(v, "yes");
		return true;
	case RK_FINDING:
		c->text = xstrdup(v);
		return true;
	case RK_LOCK_KIND:
		if (lock_kind_from_name(v) < 0) {
			perr(p, "unknown lock kind '%s'", v);
			return false;
		}
		c->text = xstrdup(v);
		return true;
	default: {
		bool whole = c->key == RK_SIGNAL || c->key == RK_CODE || c->key == RK_RUNTIME;
		pcre2_code *re = compile_re(p, v, whole);
		if (!re)
			return false;
		clause_add_re(c, re);
		return true;
	}
	}
}

static void parse_match(struct parse *p, int key, enum frame_scope scope, bool negate, char *v)
{
	struct rule *r = p->rule;
	struct clause c = { .key = key, .scope = scope, .negate = negate };
	if (!parse_match_value(p, &c, v)) {
		clause_release(&c);
		return;
	}
	ALLOC_GROW(r->clauses, r->nclauses + 1, r->clauses_alloc);
	r->clauses[r->nclauses++] = c;
}

static void parse_meta(struct parse *p, int key, char *v)
{
	struct rule *r = p->rule;
	switch (key) {
	case RK_TITLE: set_text(p, &r->title, v); break;
	case RK_SUMMARY: set_text(p, &r->summary, v); break;
	case RK_ADVICE: set_text(p, &r->advice, v); break;
	case RK_REFINES: set_text(p, &r->refines, v); break;
	case RK_SEVERITY: {
		int s = severity_from_name(v);
		if (s < 0)
			perr(p, "unknown severity '%s' (critical, high, medium, low, info)", v);
		r->severity = s < 0 ? SEV_INFO : (enum severity)s;
		r->has_severity = true;
		break;
	}
	case RK_CONFIDENCE: {
		int c = confidence_from_name(v);
		if (c < 0)
			perr(p, "unknown confidence '%s' (certain, likely, possible)", v);
		r->confidence = c < 0 ? CONF_POSSIBLE : (enum confidence)c;
		break;
	}
	case RK_TOP: {
		uint64_t n;
		if (!parse_u64(v, &n) || !n || n > 1000)
			perr(p, "bad top '%s' (want 1..1000)", v);
		else
			r->top = (int)n;
		break;
	}
	}
}

static void parse_key_value(struct parse *p, char *line, char *eq)
{
	*eq = '\0';
	char *k = trim(line), *v = trim(eq + 1);
	p->last_value = NULL;
	bool negate = *k == '!';
	if (negate)
		k = trim(k + 1);
	char *dot = strchr(k, '.');
	int key = find_key(k, dot ? (size_t)(dot - k) : strlen(k));
	if (key < 0) {
		perr(p, "unknown key '%s'", k);
		return;
	}
	int scope = SCOPE_ANY;
	if (dot && (!key_scoped[key] || (scope = find_scope(dot + 1)) < 0)) {
		perr(p, key_scoped[key] ? "unknown scope '%s' (any, crashed, top, handler)"
					: "key '%s' takes no scope", key_scoped[key] ? dot + 1 : k);
		return;
	}
	if (!*v) {
		perr(p, "empty value for '%s'", k);
		return;
	}
	bool meta = key <= RK_TOP;
	if (meta && negate) {
		perr(p, "'!' only negates a match key, not '%s'", k);
		return;
	}
	if (meta)
		parse_meta(p, key, v);
	else
		parse_match(p, key, scope, negate, v);
}

static void finish_rule(struct parse *p, struct ruleset *rs)
{
	struct rule *r = p->rule;
	if (!r)
		return;
	int line = p->line;
	p->line = r->line;
	const struct catalogue_entry *known = catalogue_find(r->id);
	if (known && (r->title || r->has_severity))
		perr(p, "rule '%s': its title and severity are the catalogue's (see mortem rules); remove them",
		     r->id);
	if (known && !r->title) {
		r->title = xstrdup(known->title);
		r->severity = known->severity;
		r->has_severity = true;
	}
	if (!r->title)
		perr(p, "rule '%s' has no title", r->id);
	if (!r->has_severity || !r->summary || !r->advice)
		perr(p, "rule '%s' needs severity, summary and advice", r->id);
	if (!r->nclauses && !r->refines)
		perr(p, "rule '%s' matches nothing (no match key)", r->id);
	if (r->summary)
		check_template(p, r->summary);
	if (r->advice)
		check_template(p, r->advice);
	p->line = line;
	if (p->rule_bad)
		rule_free(r);
	else
		ruleset_put(rs, r, p->replace);
	p->rule = NULL;
	p->last_value = NULL;
}

/* "[in-app]" or "[system]": 1 or 0; -1 for any other header. */
static int frames_header(const char *line)
{
	return !strcmp(line, "[in-app]") ? 1 : !strcmp(line, "[system]") ? 0 : -1;
}

/* A "module = GLOB" line of an [in-app] or [system] block. */
static void parse_frames_line(struct parse *p, struct ruleset *rs, char *line, char *eq)
{
	*eq = '\0';
	char *k = trim(line), *v = trim(eq + 1);
	int field = frame_app_field_from_name(k);
	if (field < 0) {
		perr(p, "unknown key '%s' in [%s] (module, function or file)", k,
		     p->frames_block ? "in-app" : "system");
		return;
	}
	if (!*v) {
		perr(p, "empty value for '%s'", k);
		return;
	}
	ALLOC_GROW(rs->app, rs->napp + 1, rs->app_alloc);
	rs->app[rs->napp++] = (struct frame_app_rule){ field, xstrdup(v), p->frames_block == 1 };
}

static void start_rule(struct parse *p, struct ruleset *rs, char *line)
{
	finish_rule(p, rs);
	p->rule_bad = false;
	p->frames_block = frames_header(line);
	if (p->frames_block >= 0)
		return;
	char *end = strchr(line, ']');
	if (!end || *trim(end + 1) || strncmp(line, "[rule ", 6)) {
		perr(p, "bad block header (want '[rule ID]')");
		p->rule = NULL;
		return;
	}
	*end = '\0';
	char *id = trim(line + 6);
	if (!is_id(id)) {
		perr(p, "bad rule id '%s' (lowercase letters, digits, '-')", id);
		return;
	}
	struct rule *r = xcalloc(1, sizeof(*r));
	r->id = xstrdup(id);
	r->origin = xstrdup(p->origin);
	r->confidence = CONF_LIKELY;
	r->top = 5;
	r->line = p->line;
	p->rule = r;
}

static void continue_value(struct parse *p, const char *more)
{
	size_t a = strlen(*p->last_value), b = strlen(more);
	char *s = xmalloc(a + b + 2);
	memcpy(s, *p->last_value, a);
	s[a] = ' ';
	memcpy(s + a + 1, more, b + 1);
	free(*p->last_value);
	*p->last_value = s;
}

static void parse_line(struct parse *p, struct ruleset *rs, char *raw)
{
	bool indented = *raw == ' ' || *raw == '\t';
	char *line = trim(raw);
	if (!*line || *line == '#')
		return;
	if (*line == '[') {
		start_rule(p, rs, line);
		return;
	}
	if (indented && p->rule && p->last_value) {
		continue_value(p, line);
		return;
	}
	char *eq = strchr(line, '=');
	if (!eq) {
		perr(p, "expected 'key = value'");
		return;
	}
	if (p->frames_block >= 0) {
		parse_frames_line(p, rs, line, eq);
		return;
	}
	if (!p->rule) {
		if (!p->rule_bad)
			perr(p, "key outside a [rule ID] block");
		return;
	}
	parse_key_value(p, line, eq);
}

static int add_text(struct ruleset *rs, const char *origin, const char *text, size_t len,
		    struct strbuf *errs, bool replace)
{
	struct parse p = { .origin = origin, .errs = errs, .replace = replace, .frames_block = -1 };
	const char *s = text, *end = text + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = xmalloc(n + 1);
		memcpy(line, s, n);
		line[n] = '\0';
		p.line++;
		if (memchr(line, '\0', n))
			perr(&p, "NUL byte in rule file");
		else
			parse_line(&p, rs, line);
		free(line);
		s += n + 1;
	}
	p.line++;
	finish_rule(&p, rs);
	return p.nerrs;
}

int ruleset_add_text(struct ruleset *rs, const char *origin, const char *text, size_t len,
		     struct strbuf *errs)
{
	return add_text(rs, origin, text, len, errs, true);
}

int ruleset_add_file(struct ruleset *rs, const char *path, struct strbuf *errs)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		strbuf_addf(errs, "%s: cannot open rule file: %s\n", path, strerror(errno));
		return -1;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		strbuf_release(&sb);
		strbuf_addf(errs, "%s: cannot read rule file\n", path);
		return -1;
	}
	int nerrs = ruleset_add_text(rs, path, sb.buf, sb.len, errs);
	strbuf_release(&sb);
	return nerrs;
}

int ruleset_add_builtin(struct ruleset *rs, struct strbuf *errs)
{
	int nerrs = 0;
	for (unsigned i = 0; i < builtin_rules_count; i++)
		nerrs += add_text(rs, builtin_rules[i].name, builtin_rules[i].text,
				  strlen(builtin_rules[i].text), errs, false);
	return nerrs;
}

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ruleset *shared_rules;

static void free_shared(void)
{
	frame_app_rules_set(NULL, 0);
	ruleset_free(shared_rules);
	shared_rules = NULL;
}

const struct ruleset *ruleset_shared(const char *const *files, size_t nfiles, struct strbuf *err)
{
	pthread_mutex_lock(&shared_lock);
	struct ruleset *rs = shared_rules;
	if (!rs) {
		struct strbuf errs = STRBUF_INIT;
		rs = ruleset_new();
		int bad = ruleset_add_builtin(rs, &errs);
		for (size_t i = 0; i < nfiles && !bad; i++)
			bad = ruleset_add_file(rs, files[i], &errs);
		if (bad) {
			char *nl = strchr(errs.buf, '\n');
			error_set(err, "%.*s", nl ? (int)(nl - errs.buf) : (int)errs.len, errs.buf);
			ruleset_free(rs);
			rs = NULL;
		} else {
			shared_rules = rs;
			frame_app_rules_set(rs->app, rs->napp);
			atexit(free_shared);
		}
		strbuf_release(&errs);
	}
	pthread_mutex_unlock(&shared_lock);
	return rs;
}

/* ---- evaluation ---- */

struct hit {
	struct thread *thread;
	const struct frame *frame;
};

struct eval {
	struct dump *d;
	const struct rule *rule;
	struct finding *refined;
	struct thread *crashed;
	pcre2_match_data *md;
	struct strbuf subject;
	int pcre_error;
	struct hit *hits;         /* evidence, in clause order */
	size_t nhits, hits_alloc;
	const char *module;       /* the first module a module clause matched */
	const struct lock *lock;  /* the first lock a lock-kind clause matched */
	struct ptrmemo handler_ends; /* handler_scan of each shared stack, by array */
};

/* Where the signal handler's frames end in a stack: the first handler entry, or 0. */
static size_t handler_scan(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++)
		if (frame_is_handler_entry(&t->frames[i]))
			return i;
	return 0;
}

/* handler_scan once per distinct stack: a pool's threads share one (thread_share_frames). */
static size_t handler_end(struct eval *ev, const struct thread *t)
{
	return thread_frames_ask(&ev->handler_ends, t, handler_scan);
}

static int re_match(struct eval *ev, const pcre2_code *re, const char *s)
{
	if (!s)
		s = "";
	int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, ev->md, NULL);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH && !ev->pcre_error)
		ev->pcre_error = rc;
	return 0;
}

static const char *frame_subject(struct eval *ev, enum rule_key key, const struct frame *f)
{
	switch (key) {
	case RK_FUNCTION:
	case RK_STACK: return f->function;
	case RK_MODULE: return f->module;
	case RK_FILE: return f->file;
	case RK_KIND: return frame_kind_name(f->kind);
	default:
		strbuf_reset(&ev->subject);
		strbuf_addf(&ev->subject, "%s!%s", f->module ? path_basename(f->module) : "",
			    f->function ? f->function : "");
		return ev->subject.buf;
	}
}

/* Frames [0, end) of T that the scope covers (SCOPE_TOP also skips noise before its start). */
static size_t scope_end(struct eval *ev, const struct thread *t, enum frame_scope scope)
{
	if (scope == SCOPE_HANDLER)
		return handler_end(ev, t);
	if (scope != SCOPE_TOP)
		return t->nframes;
	int meaningful = 0;
	for (size_t i = thread_crash_start(t); i < t->nframes; i++)
		if (!frame_is_noise(&t->frames[i]) && ++meaningful == ev->rule->top)
			return i + 1;
	return t->nframes;
}

static bool in_scope(const struct thread *t, size_t i, enum frame_scope scope, size_t start)
{
	return scope != SCOPE_TOP || (i >= start && !frame_is_noise(&t->frames[i]));
}

static void add_hit(struct eval *ev, struct thread *t, const struct frame *f)
{
	ALLOC_GROW(ev->hits, ev->nhits + 1, ev->hits_alloc);
	ev->hits[ev->nhits++] = (struct hit){ t, f };
}

static bool thread_in_scope(const struct eval *ev, const struct thread *t)
{
	if (!ev->refined)
		return true;
	for (size_t i = 0; i < ev->refined->nthreads; i++)
		if (ev->refined->threads[i] == t)
			return true;
	return false;
}

/* Frames of one thread: the first matching frame, or for a stack, every step in order. */
static bool match_thread_frames(struct eval *ev, const struct clause *c, struct thread *t)
{
	size_t end = scope_end(ev, t, c->scope);
	size_t start = c->scope == SCOPE_TOP ? thread_crash_start(t) : 0;
	size_t step = 0, first_hit = ev->nhits;
	for (size_t i = 0; i < end && step < c->nre; i++) {
		const struct frame *f = &t->frames[i];
		if (!in_scope(t, i, c->scope, start))
			continue;
		if (!re_match(ev, c->re[step], frame_subject(ev, c->key, f)))
			continue;
		if (!c->negate)
			add_hit(ev, t, f);
		step++;
		if (c->key != RK_STACK)
			break;
	}
	if (step == c->nre)
		return true;
	ev->nhits = first_hit;
	return false;
}

static bool match_frames(struct eval *ev, const struct clause *c)
{
	if (c->scope == SCOPE_CRASHED || c->scope == SCOPE_TOP)
		return ev->crashed && match_thread_frames(ev, c, ev->crashed);
	for (size_t i = 0; i < ev->d->nthreads; i++) {
		PREFETCH_FIELD(ev->d->threads, i, ev->d->nthreads, frames);
		PREFETCH_FIELD(ev->d->threads, i, ev->d->nthreads, frames_shared);
		struct thread *t = ev->d->threads[i];
		if (thread_in_scope(ev, t) && match_thread_frames(ev, c, t))
			return true;
	}
	return false;
}

static bool match_loaded_module(struct eval *ev, const struct clause *c)
{
	for (size_t i = 0; i < ev->d->nmodules; i++) {
		const struct module *m = ev->d->modules[i];
		const char *s = m->path ? m->path : m->name;
		if (re_match(ev, c->re[0], s)) {
			if (!ev->module)
				ev->module = s;
			return true;
		}
	}
	/* text dumps list no modules: the frames' modules are what was loaded */
	for (size_t i = 0; i < ev->d->nthreads; i++) {
		const struct thread *t = ev->d->threads[i];
		for (size_t j = 0; j < t->nframes; j++)
			if (t->frames[j].module && re_match(ev, c->re[0], t->frames[j].module)) {
				if (!ev->module)
					ev->module = t->frames[j].module;
				return true;
			}
	}
	return false;
}

static bool match_thread_field(struct eval *ev, const struct clause *c)
{
	for (size_t i = 0; i < ev->d->nthreads; i++) {
		struct thread *t = ev->d->threads[i];
		const char *s = c->key == RK_STATE ? t->state : t->name;
		if (c->scope != SCOPE_ANY && t != ev->crashed)
			continue;
		if (s && thread_in_scope(ev, t) && re_match(ev, c->re[0], s)) {
			if (!c->negate)
				add_hit(ev, t, NULL);
			return true;
		}
	}
	return false;
}

static bool match_section(struct eval *ev, const struct clause *c)
{
	for (size_t i = 0; i < ev->d->nsections; i++) {
		const struct section *s = ev->d->sections[i];
		if (!s->text)
			continue;
		int rc = pcre2_match(c->re[0], (PCRE2_SPTR)s->text, s->len, 0, 0, ev->md, NULL);
		if (rc >= 0)
			return true;
		if (rc != PCRE2_ERROR_NOMATCH && !ev->pcre_error)
			ev->pcre_error = rc;
	}
	return false;
}

static bool match_lock_kind(struct eval *ev, const struct clause *c)
{
	struct lock **locks = ev->refined ? ev->refined->locks : ev->d->locks;
	size_t n = ev->refined ? ev->refined->nlocks : ev->d->nlocks;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lock_kind_name(locks[i]->kind), c->text)) {
			if (!ev->lock && !c->negate)
				ev->lock = locks[i];
			return true;
		}
	return false;
}

static bool match_crash(struct eval *ev, const struct clause *c)
{
	const struct crash *cr = ev->d->crash;
	if (c->key == RK_CRASHED)
		return (cr != NULL || ev->crashed != NULL) == c->yes;
	if (!cr)
		return false;
	switch (c->key) {
	case RK_SIGNAL: return cr->signal && re_match(ev, c->re[0], cr->signal);
	case RK_CODE: return cr->code && re_match(ev, c->re[0], cr->code);
	case RK_ADDRESS: return cr->has_address && cr->address >= c->lo && cr->address <= c->hi;
	case RK_ERRNO: return cr->has_errno && cr->err_no == c->num;
	case RK_MESSAGE: return cr->abort_message && re_match(ev, c->re[0], cr->abort_message);
	case RK_REASON: return cr->reason && re_match(ev, c->re[0], cr->reason);
	default: return false;
	}
}

static bool match_clause(struct eval *ev, const struct clause *c)
{
	switch (c->key) {
	case RK_FRAME:
	case RK_FUNCTION:
	case RK_FILE:
	case RK_KIND:
	case RK_STACK:
		return match_frames(ev, c);
	case RK_MODULE:
		return c->scope == SCOPE_ANY ? match_loaded_module(ev, c) : match_frames(ev, c);
	case RK_STATE:
	case RK_THREAD_NAME:
		return match_thread_field(ev, c);
	case RK_SECTION:
		return match_section(ev, c);
	case RK_RUNTIME:
		return ev->d->process.runtime && re_match(ev, c->re[0], ev->d->process.runtime);
	case RK_FINDING:
		return dump_find_finding(ev->d, c->text) != NULL;
	case RK_LOCK_KIND:
		return match_lock_kind(ev, c);
	default:
		return match_crash(ev, c);
	}
}

static bool rule_matches(struct eval *ev)
{
	for (size_t i = 0; i < ev->rule->nclauses; i++) {
		const struct clause *c = &ev->rule->clauses[i];
		if (match_clause(ev, c) == c->negate)
			return false;
	}
	return true;
}

/* ---- templates ---- */

/* The signal handler T runs: the frame above its trampoline, or a known handler frame. */
static void describe_handler(const struct thread *t, struct strbuf *out)
{
	for (size_t i = 0; t && i < t->nframes; i++) {
		if (!frame_is_handler_entry(&t->frames[i]))
			continue;
		size_t k = frame_is_trampoline(&t->frames[i]) && i ? i - 1 : i;
		frame_describe_brief(&t->frames[k], out);
		return;
	}
	strbuf_adds(out, "an unknown handler");
}

static void list_threads(const struct eval *ev, struct strbuf *out)
{
	size_t shown = 0;
	for (size_t i = 0; i < ev->nhits; i++) {
		const struct thread *t = ev->hits[i].thread;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= ev->hits[j].thread == t;
		if (seen)
			continue;
		if (shown == 6) {
			strbuf_adds(out, ", ...");
			return;
		}
		if (shown++)
			strbuf_adds(out, ", ");
		thread_describe(t, out);
	}
	if (!shown)
		strbuf_adds(out, "no thread");
}

static void list_frames(const struct eval *ev, struct strbuf *out)
{
	size_t shown = 0;
	for (size_t i = 0; i < ev->nhits; i++) {
		const struct frame *f = ev->hits[i].frame;
		if (!f)
			continue;
		if (shown++)
			strbuf_adds(out, ", ");
		frame_describe_brief(f, out);
	}
	if (!shown)
		strbuf_adds(out, "no frame");
}

static const struct hit *first_frame_hit(const struct eval *ev)
{
	for (size_t i = 0; i < ev->nhits; i++)
		if (ev->hits[i].frame)
			return &ev->hits[i];
	return NULL;
}

/* The refined finding's locks, each described (lock_describe); EXCEPT is left out. */
static void list_locks(const struct eval *ev, const struct lock *except, struct strbuf *out)
{
	struct lock **locks = ev->refined ? ev->refined->locks : NULL;
	size_t n = ev->refined ? ev->refined->nlocks : 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (locks[i] == except)
			continue;
		if (shown++)
			strbuf_adds(out, ", ");
		lock_describe(locks[i], out);
	}
	if (!shown)
		strbuf_adds(out, "no lock");
}

/* The lock a lock-kind clause matched, else the refined finding's first. */
static void describe_lock(const struct eval *ev, struct strbuf *out)
{
	const struct lock *l = ev->lock ? ev->lock : ev->refined && ev->refined->nlocks ? ev->refined->locks[0] : NULL;
	if (l)
		lock_describe(l, out);
	else
		strbuf_adds(out, "an unknown lock");
}

/* The first thread the evidence names after {thread}'s. */
static void describe_other_thread(const struct eval *ev, struct strbuf *out)
{
	const struct thread *first = ev->nhits ? ev->hits[0].thread : ev->crashed;
	for (size_t i = 0; i < ev->nhits; i++)
		if (ev->hits[i].thread != first) {
			thread_describe(ev->hits[i].thread, out);
			return;
		}
	for (size_t i = 0; ev->refined && i < ev->refined->nthreads; i++)
		if (ev->refined->threads[i] != first) {
			thread_describe(ev->refined->threads[i], out);
			return;
		}
	strbuf_adds(out, "another thread");
}

static void expand_crash_field(const struct eval *ev, const char *name, struct strbuf *out)
{
	const struct crash *cr = ev->d->crash;
	if (!strcmp(name, "signal"))
		strbuf_adds(out, cr && cr->signal ? cr->signal : "no signal");
	else if (!strcmp(name, "code"))
		strbuf_adds(out, cr && cr->code ? cr->code : "no code");
	else if (!strcmp(name, "address") && cr && cr->has_address)
		strbuf_addf(out, "0x%llx", (unsigned long long)cr->address);
	else if (!strcmp(name, "address"))
		strbuf_adds(out, "an unknown address");
	else if (!strcmp(name, "errno") && cr && cr->has_errno)
		strbuf_addf(out, "%d (%s)", cr->err_no, strerror(cr->err_no));
	else if (!strcmp(name, "errno"))
		strbuf_adds(out, "unknown");
	else if (!strcmp(name, "message"))
		strbuf_addf(out, cr && cr->abort_message ? "\"%s\"" : "%s",
			    cr && cr->abort_message ? cr->abort_message : "no message recorded");
	else if (!strcmp(name, "reason"))
		strbuf_adds(out, cr && cr->reason ? cr->reason : "no reason recorded");
}

static void expand_one(const struct eval *ev, const char *name, struct strbuf *out)
{
	const struct hit *h = first_frame_hit(ev);
	if (!strcmp(name, "thread")) {
		const struct thread *t = ev->nhits ? ev->hits[0].thread : ev->crashed;
		if (t)
			thread_describe(t, out);
		else
			strbuf_adds(out, "an unknown thread");
	} else if (!strcmp(name, "threads")) {
		list_threads(ev, out);
	} else if (!strcmp(name, "frame")) {
		if (h)
			frame_describe_brief(h->frame, out);
		else
			strbuf_adds(out, "an unknown frame");
	} else if (!strcmp(name, "frames")) {
		list_frames(ev, out);
	} else if (!strcmp(name, "function")) {
		strbuf_adds(out, h && h->frame->function ? h->frame->function : "??");
	} else if (!strcmp(name, "module")) {
		const char *m = ev->module ? ev->module : h ? h->frame->module : NULL;
		strbuf_adds(out, m ? path_basename(m) : "an unknown module");
	} else if (!strcmp(name, "top")) {
		const struct frame *f = ev->crashed ? thread_top_frame(ev->crashed) : NULL;
		if (f)
			frame_describe_brief(f, out);
		else
			strbuf_adds(out, "an unknown frame");
	} else if (!strcmp(name, "site")) {
		const struct frame *f = ev->crashed ? thread_site_frame(ev->crashed) : NULL;
		if (f)
			frame_describe_brief(f, out);
		else
			strbuf_adds(out, "an unknown frame");
	} else if (!strcmp(name, "locks")) {
		list_locks(ev, NULL, out);
	} else if (!strcmp(name, "lock")) {
		describe_lock(ev, out);
	} else if (!strcmp(name, "other-locks")) {
		list_locks(ev, ev->lock, out);
	} else if (!strcmp(name, "other-thread")) {
		describe_other_thread(ev, out);
	} else if (!strcmp(name, "handler")) {
		describe_handler(h ? h->thread : ev->crashed, out);
	} else if (!strcmp(name, "runtime")) {
		strbuf_adds(out, ev->d->process.runtime ? ev->d->process.runtime : "unknown runtime");
	} else if (!strcmp(name, "finding")) {
		strbuf_adds(out, ev->refined && ev->refined->summary ? ev->refined->summary : "");
	} else {
		expand_crash_field(ev, name, out);
	}
}

static const char *expand(struct eval *ev, const char *tmpl)
{
	struct strbuf out = STRBUF_INIT;
	for (const char *s = tmpl; *s; s++) {
		const char *e = *s == '{' ? strchr(s, '}') : NULL;
		if (!e) {
			strbuf_addch(&out, *s);
			continue;
		}
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(e - s - 1), s + 1);
		expand_one(ev, name, &out);
		s = e;
	}
	const char *r = dump_strndup(ev->d, out.buf, out.len);
	strbuf_release(&out);
	return r;
}

/* ---- applying ---- */

static void add_rule_finding(struct eval *ev)
{
	const struct rule *r = ev->rule;
	struct finding *f = dump_add_finding(ev->d, r->id, r->title, r->severity, r->confidence);
	if (ev->refined) {
		for (size_t i = 0; i < ev->refined->nthreads; i++)
			finding_add_thread(ev->d, f, ev->refined->threads[i]);
		for (size_t i = 0; i < ev->refined->nlocks; i++)
			finding_add_lock(ev->d, f, ev->refined->locks[i]);
	} else {
		if (ev->crashed)
			finding_add_thread(ev->d, f, ev->crashed);
		for (size_t i = 0; i < ev->nhits; i++)
			finding_add_thread(ev->d, f, ev->hits[i].thread);
	}
	f->summary = expand(ev, r->summary);
	f->advice = expand(ev, r->advice);
}

static int eval_rule(struct eval *ev, struct finding *refined)
{
	ev->refined = refined;
	ev->nhits = 0;
	ev->module = NULL;
	ev->lock = NULL;
	bool hit = rule_matches(ev);
	if (ev->pcre_error)
		return ev->pcre_error;
	if (hit)
		add_rule_finding(ev);
	return 0;
}

static int apply_rule(struct eval *ev, const struct rule *r)
{
	ev->rule = r;
	if (dump_find_finding(ev->d, r->id))
		return 0; /* a detector (or an earlier rule file) already said it */
	if (!r->refines)
		return eval_rule(ev, NULL);
	size_t n = ev->d->nfindings;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ev->d->findings[i]->id, r->refines))
			continue;
		int rc = eval_rule(ev, ev->d->findings[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int ruleset_apply(const struct ruleset *rs, struct dump *d, struct strbuf *err)
{
	return ruleset_apply_crashed(rs, d, dump_crash_thread(d), err);
}

int ruleset_apply_crashed(const struct ruleset *rs, struct dump *d, struct thread *crashed,
			  struct strbuf *err)
{
	struct eval ev = { .d = d, .crashed = crashed };
	strbuf_init(&ev.subject, 256);
	ev.md = pcre2_match_data_create(1, NULL);
	if (!ev.md)
		die_oom();
	int rc = 0;
	for (size_t i = 0; i < rs->n && !rc; i++) {
		rc = apply_rule(&ev, rs->rules[i]);
		if (rc) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(rc, msg, sizeof(msg));
			error_set(err, "rule '%s' (%s:%d): pcre2_match: %s", rs->rules[i]->id,
				  rs->rules[i]->origin, rs->rules[i]->line, (const char *)msg);
		}
	}
	pcre2_match_data_free(ev.md);
	strbuf_release(&ev.subject);
	free(ev.hits);
	ptrmemo_release(&ev.handler_ends);
	return rc ? -1 : 0;
}
