#include "parsers/text/javastack.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

void javalocks_add(struct javalocks *jl, enum jlock_what what, struct span id, struct span cls)
{
	if (!id.len)
		return;
	ALLOC_GROW(jl->ev, jl->n + 1, jl->alloc);
	jl->ev[jl->n++] = (struct jlock_event){ what, id, cls };
}

/* "<0x..> (a C)" or "<id>" or "C@hash" at X: the id and the class. */
static void object_ref(struct span x, struct span *id, struct span *cls)
{
	x = span_skip_ws(x);
	*cls = (struct span){ x.s, 0 };
	if (x.len && x.s[0] == '<') {
		long close = span_find(x, ">");
		if (close < 0) {
			*id = (struct span){ x.s, 0 };
			return;
		}
		*id = (struct span){ x.s, (size_t)close + 1 };
		struct span rest = span_skip_ws(span_drop(x, (size_t)close + 1));
		if (span_starts(rest, "(a ")) {
			rest = span_drop(rest, 3);
			long e = span_find(rest, ")");
			*cls = (struct span){ rest.s, e >= 0 ? (size_t)e : rest.len };
		}
		return;
	}
	/* VisualVM / JMX: "java.util.concurrent.locks.ReentrantLock$NonfairSync@7a29682f" */
	struct span w = span_word(&x);
	*id = w;
	long at = -1;
	for (size_t i = w.len; i > 0; i--)
		if (w.s[i - 1] == '@') {
			at = (long)i - 1;
			break;
		}
	if (at > 0)
		*cls = (struct span){ w.s, (size_t)at };
	else
		*id = (struct span){ x.s, 0 };
}

/*
 * Whether X starts with the lower-case prefix P (N >= 2 bytes), in any case.
 * Its first and next-to-last bytes are asked first: no two prefixes of a
 * lock line share both, so most lines are compared in full once.
 */
static bool starts_ci(struct span x, const char *p, size_t n)
{
	return x.len >= n && (x.s[0] | 0x20) == p[0] && (x.s[n - 2] | 0x20) == p[n - 2] &&
	       !strncasecmp(x.s, p, n);
}

bool javalocks_line(struct javalocks *jl, struct span x, bool ownable)
{
#define KIND(prefix, what) { prefix, sizeof(prefix) - 1, what }
	static const struct {
		const char *prefix;
		size_t len;
		enum jlock_what what;
	} kinds[] = {
		KIND("locked ", JL_LOCKED),
		KIND("waiting to lock ", JL_WAIT_LOCK),
		KIND("waiting to re-lock in wait() ", JL_RELOCK),
		KIND("waiting on ", JL_WAIT_ON),
		KIND("parking to wait for ", JL_PARK),
		KIND("eliminated ", JL_LOCKED),
	};
#undef KIND
	if (!span_starts(x, "- "))
		return false;
	x = span_drop(x, 2);
	struct span id, cls;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!starts_ci(x, kinds[i].prefix, kinds[i].len))
			continue;
		object_ref(span_drop(x, kinds[i].len), &id, &cls);
		if (!id.len)
			return false;
		/* "eliminated" (scalar-replaced) monitors are not really held */
		if (i == 5)
			return true;
		enum jlock_what w = kinds[i].what;
		if (ownable && w == JL_LOCKED)
			w = JL_OWNABLE;
		javalocks_add(jl, w, id, cls);
		return true;
	}
	if (!ownable || span_eq(x, "None")) /* every thread's "Locked ownable synchronizers: - None" */
		return false;
	object_ref(x, &id, &cls);
	if (!id.len)
		return false;
	javalocks_add(jl, JL_OWNABLE, id, cls);
	return true;
}

/* The lock an event names; its label, the class, is interned (a dump names a few classes many times). */
static struct lock *lock_for(struct dump *d, const struct jlock_event *e, enum lock_kind kind)
{
	struct lock *l = dump_lock_n(d, e->id.s, e->id.len, kind);
	if (l && !l->label && e->cls.len)
		l->label = dump_intern(d, e->cls.s, e->cls.len);
	return l;
}

static bool released(const struct javalocks *jl, struct span id)
{
	for (size_t i = 0; i < jl->n; i++)
		if (jl->ev[i].what == JL_WAIT_ON && jl->ev[i].id.len == id.len &&
		    !memcmp(jl->ev[i].id.s, id.s, id.len))
			return true;
	return false;
}

static bool is_condition(struct span cls)
{
	return span_find(cls, "ConditionObject") >= 0;
}

void javalocks_apply(struct dump *d, struct thread *t, struct javalocks *jl, bool blocked)
{
	bool waiting = false;
	for (size_t i = 0; i < jl->n; i++) /* the look-ups' cache misses overlap */
		dump_lock_prefetch(d, jl->ev[i].id.s, jl->ev[i].id.len);
	for (size_t i = 0; i < jl->n; i++) {
		const struct jlock_event *e = &jl->ev[i];
		struct lock *l;
		switch (e->what) {
		case JL_LOCKED:
			if (released(jl, e->id))
				break;
			if ((l = lock_for(d, e, LOCK_JAVA_MONITOR)))
				thread_hold(d, t, l);
			break;
		case JL_OWNABLE:
			if ((l = lock_for(d, e, LOCK_JUC_SYNC)))
				thread_hold(d, t, l);
			break;
		case JL_WAIT_ON:
			if (!blocked)
				break;
			/* notified, re-entering the monitor */
			__attribute__((fallthrough));
		case JL_WAIT_LOCK:
		case JL_RELOCK:
			if (!waiting && (l = lock_for(d, e, LOCK_JAVA_MONITOR))) {
				thread_wait_on(d, t, l);
				waiting = true;
			}
			break;
		case JL_PARK:
			if (is_condition(e->cls))
				break;
			if (!waiting && (l = lock_for(d, e, LOCK_JUC_SYNC))) {
				thread_wait_on(d, t, l);
				waiting = true;
			}
			break;
		}
	}
	jl->n = 0;
}

void javalocks_release(struct javalocks *jl)
{
	free(jl->ev);
	jl->ev = NULL;
	jl->n = jl->alloc = 0;
}

/* Drops a "module@ver/" or "loader//" or "loader/module@ver/" prefix of a function. */
static struct span drop_module_prefix(struct span fn, struct span *module)
{
	long dd = span_find(fn, "//");
	if (dd >= 0)
		return span_drop(fn, (size_t)dd + 2);
	long slash = span_find(fn, "/");
	if (slash < 0)
		return fn;
	struct span head = { fn.s, (size_t)slash };
	struct span after = span_drop(fn, (size_t)slash + 1);
	/* "java.base@17/" or jcmd's "java.base/"; not a hidden class "X$$Lambda/0x12.run" */
	if (span_find(head, "@") < 0 && (span_find(head, "$") >= 0 || span_starts(after, "0x")))
		return fn;
	/* "loader/module@ver/": the module is the last component */
	long s2 = -1;
	for (size_t i = 0; i < head.len; i++)
		if (head.s[i] == '/')
			s2 = (long)i;
	*module = s2 >= 0 ? span_drop(head, (size_t)s2 + 1) : head;
	return span_drop(fn, (size_t)slash + 1);
}

static const char *dotted(struct dump *d, struct span fn)
{
	char *s = (char *)dump_strndup(d, fn.s, fn.len);
	for (char *p = s; *p; p++)
		if (*p == '/')
			*p = '.';
	return s;
}

/* "(java.base@17/File.java:12)" inside the parentheses: module, file, line. */
static void frame_location(struct dump *d, struct frame *f, struct span loc, struct span *module)
{
	long slash = -1;
	for (size_t i = 0; i < loc.len; i++)
		if (loc.s[i] == '/')
			slash = (long)i;
	if (slash >= 0) {
		if (!module->len)
			*module = (struct span){ loc.s, (size_t)slash };
		loc = span_drop(loc, (size_t)slash + 1);
	}
	if (span_eq(loc, "Native Method") || span_eq(loc, "Unknown Source") ||
	    span_eq(loc, "Compiled Code") || !loc.len)
		return;
	size_t colon = span_colon_number(loc);
	if (colon < loc.len) {
		f->line = span_atoi(span_drop(loc, colon + 1)); /* the digits end the span */
		f->file = dump_intern(d, loc.s, colon);
		return;
	}
	f->file = dump_intern(d, loc.s, loc.len);
}

/* Parses the trimmed frame text X into F's kind, function, module, file and line. */
static void frame_parse(struct dump *d, struct frame *f, struct span x, bool slashed)
{
	f->kind = FRAME_JAVA;
	struct span module = { x.s, 0 };
	/* the location is the last parenthesised group */
	long open = -1;
	if (x.len && x.s[x.len - 1] == ')') {
		int depth = 0;
		for (size_t i = x.len; i > 0; i--) {
			char c = x.s[i - 1];
			if (c == ')')
				depth++;
			else if (c == '(' && --depth == 0) {
				open = (long)i - 1;
				break;
			}
		}
	}
	struct span fn = x;
	if (open >= 0) {
		fn.len = (size_t)open;
		struct span loc = { x.s + open + 1, x.len - (size_t)open - 2 };
		frame_location(d, f, loc, &module);
	} else if (!slashed) {
		long cut = span_find(x, "("); /* a line cut short inside its location */
		if (cut >= 0)
			fn.len = (size_t)cut;
	}
	if (slashed) {
		long sig = span_find(fn, "(");
		if (sig >= 0)
			fn.len = (size_t)sig;
		f->function = fn.len ? dotted(d, fn) : NULL;
	} else {
		fn = drop_module_prefix(fn, &module);
		f->function = fn.len ? dump_intern(d, fn.s, fn.len) : NULL;
	}
	if (module.len)
		f->module = dump_intern(d, module.s, module.len);
}

/*
 * A parsed frame kept in the memo word of its interned text: only what
 * frame_parse sets (a dump whose every stack is distinct keeps one memo
 * per line, so it is small).
 */
struct frame_memo {
	const char *text;          /* interned */
	size_t len;
	struct frame_memo *next;   /* the frame that followed this one last time */
	const char *function, *file, *module;
	size_t suffix;             /* line_suffix of its text */
	int line;
	unsigned char kind;        /* enum frame_kind */
	bool slashed;
};

/* Where the ":LINE)" that ends X begins (X's length when it ends otherwise). */
static size_t line_suffix(struct span x)
{
	if (!x.len || x.s[x.len - 1] != ')')
		return x.len;
	size_t colon = span_colon_number((struct span){ x.s, x.len - 1 });
	return colon < x.len - 1 ? colon : x.len;
}

/*
 * Where X's line number begins when X is SIB's text with another line
 * number ("m(File.java:12)" and "m(File.java:40)": frame_parse gives both
 * the same function, module and file, only the line differs); 0 when it
 * is not (SIB NULL too).
 */
static size_t sibling_line_at(const struct frame_memo *sib, struct span x, bool slashed)
{
	if (!sib || sib->slashed != slashed || sib->suffix == sib->len)
		return 0;
	size_t cut = line_suffix(x);
	return cut == sib->suffix && cut < x.len && !memcmp(sib->text, x.s, cut) ? cut + 1 : 0;
}

/* Whether M is the memo of the trimmed frame text X. */
static bool memo_is(const struct frame_memo *m, struct span x, bool slashed)
{
	return m && m->len == x.len && m->slashed == slashed && !memcmp(m->text, x.s, x.len);
}

/*
 * The memo of the trimmed frame text X: looked up by its interned text,
 * parsed on first sight (*UNSEEN then: no frame had it).
 */
static struct frame_memo *memo_of(struct dump *d, struct span x, bool slashed, bool *unseen)
{
	const char *text = dump_intern(d, x.s, x.len);
	void **slot = dump_intern_memo(text);
	struct frame_memo *m = *slot;
	*unseen = !m; /* every frame's text gets its memo here: none, no frame had it */
	if (m && m->slashed == slashed)
		return m;
	m = arena_alloc(d->arena, sizeof(*m));
	m->text = text;
	m->len = x.len;
	m->suffix = line_suffix(x);
	m->slashed = slashed;
	struct frame f;
	memset(&f, 0, sizeof(f));
	frame_parse(d, &f, x, slashed);
	m->function = f.function;
	m->file = f.file;
	m->module = f.module;
	m->line = f.line;
	m->kind = (unsigned char)f.kind;
	*slot = m;
	return m;
}

/* F as frame_parse reads M's text: a Java frame is its fields (no text of its own). */
static void frame_of_memo(struct frame *f, const struct frame_memo *m)
{
	f->kind = (enum frame_kind)m->kind;
	f->function = m->function;
	if (m->file) {
		f->file = m->file;
		f->line = m->line;
	}
	if (m->module)
		f->module = m->module;
}

bool javastack_frame(struct dump *d, struct javaframe_hint *hint, struct frame *f, struct span x,
		     bool slashed)
{
	x = span_trim(x);
	struct frame_memo *prev = hint ? hint->prev : NULL;
	struct frame_memo *m = prev ? prev->next : NULL;
	bool unseen = false;
	if (!memo_is(m, x, slashed)) {
		size_t line_at = sibling_line_at(m, x, slashed);
		if (line_at) {
			/*
			 * The method that followed last time at another line (each
			 * thread of a pool at a line of its own): its fields with this
			 * line, no parse and no look-up, so whether a stack holding it
			 * was seen before is not known.
			 */
			frame_of_memo(f, m);
			f->line = span_atoi(span_drop(x, line_at)); /* as frame_location reads it */
			hint->prev = m;
			return false;
		}
		m = memo_of(d, x, slashed, &unseen);
		if (prev)
			prev->next = m;
	}
	if (hint)
		hint->prev = m;
	frame_of_memo(f, m);
	return unseen;
}
