/*
 * JSON thread dumps, parsed with jansson:
 *
 * jcmd-json: `jcmd PID Thread.dump_to_file -format=json FILE` (JDK 21+):
 *   {"threadDump": {"processId": "1", "runtimeVersion": "21.0.1+12",
 *     "threadContainers": [{"container": "<root>", "threads": [
 *       {"tid": "22", "name": "t", "state": "BLOCKED", "virtual": true,
 *        "blockedOn": "java.lang.Object@7f1d1d06", "waitingOn": "...",
 *        "parkBlocker": {"object": "j.u.c.locks.ReentrantLock$NonfairSync@7ee1", "owner": "23"},
 *        "monitorsOwned": [{"depth": 6, "locks": ["java.lang.Object@7f1d1d06"]}],
 *        "stack": ["java.base/java.lang.Thread.run(Thread.java:1474)"]}]}]}}
 *   Every container's threads (virtual threads included) are threads; tid is
 *   the Java thread id (the JSON has no kernel id), so it is the thread id.
 *
 * actuator-json: Spring Boot actuator /threaddump (ThreadInfo as JSON),
 *   possibly with the raw HTTP response head before it:
 *   {"threads": [{"threadName", "threadId", "threadState", "daemon",
 *     "lockInfo": {"className", "identityHashCode"}, "lockOwnerId",
 *     "lockedMonitors": [{"className", "identityHashCode", "lockedStackDepth"}],
 *     "lockedSynchronizers": [...], "stackTrace": [{"className", "methodName",
 *     "fileName", "lineNumber", "moduleName", "moduleVersion", "nativeMethod"}]}]}
 *
 * A document cut short keeps the thread objects complete before the cut.
 * Lock ids are "Class@hexhash" as Java's toString prints them, so both
 * formats and VisualVM text dumps name an object the same way. The lock
 * model is javastack.h's: blockedOn/BLOCKED lockInfo wait for a monitor,
 * parkBlocker/parked lockInfo wait for a j.u.c. synchronizer (not a
 * ConditionObject), waitingOn/Object.wait release it.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "parsers/text/javastack.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static struct span sp(const char *s)
{
	return (struct span){ s ? s : "", s ? strlen(s) : 0 };
}

/* The class part of "Class@hash". */
static struct span class_of(const char *id)
{
	struct span x = sp(id);
	const char *at = id ? strrchr(id, '@') : NULL;
	if (at)
		x.len = (size_t)(at - id);
	return x;
}

/* Where the JSON object starts and ends in DATA (skipping an HTTP head), or false. */
static bool json_bounds(const unsigned char *data, size_t len, size_t *start, size_t *end)
{
	const unsigned char *b = memchr(data, '{', len);
	if (!b)
		return false;
	size_t e = len;
	while (e > 0 && data[e - 1] != '}')
		e--;
	*start = (size_t)(b - data);
	*end = e > *start ? e : len;
	return true;
}

static json_t *load_json(struct dump *d, const struct input *in)
{
	size_t start, end;
	if (!json_bounds(in->data, in->len, &start, &end)) {
		dump_warn(d, "no JSON object in the input");
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_loadb((const char *)in->data + start, end - start, 0, &jerr);
	if (!root)
		dump_warn(d, "input ended early or is not valid JSON: %s (line %d)", jerr.text,
			  jerr.line);
	return root;
}

/*
 * A cut JSON document: the thread objects complete before the cut. Finds
 * each object that starts with KEY ("{ "tid": ...") and its closing brace
 * (braces counted outside strings), and hands each to jansson alone.
 */
typedef void (*thread_fn)(struct dump *d, json_t *jt, struct javalocks *jl);

static size_t object_end(const unsigned char *p, size_t i, size_t len)
{
	int depth = 0;
	bool in_str = false;
	for (; i < len; i++) {
		unsigned char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

static size_t salvage_threads(struct dump *d, const struct input *in, const char *key,
			      thread_fn fn, struct javalocks *jl)
{
	const unsigned char *p = in->data;
	size_t len = in->len, klen = strlen(key), n = 0;
	for (size_t i = 0; i + klen < len; i++) {
		if (p[i] != '{')
			continue;
		size_t k = i + 1;
		while (k < len && (p[k] == ' ' || p[k] == '\n' || p[k] == '\r' || p[k] == '\t'))
			k++;
		if (k + klen > len || memcmp(p + k, key, klen))
			continue;
		size_t end = object_end(p, i, len);
		if (!end)
			break;
		json_t *jt = json_loadb((const char *)p + i, end - i, 0, NULL);
		if (json_is_object(jt)) {
			fn(d, jt, jl);
			n++;
		}
		json_decref(jt);
		i = end - 1;
	}
	return n;
}

/* ---- jcmd-json ---- */

static void jcmd_thread(struct dump *d, json_t *jt, struct javalocks *jl)
{
	const char *tid = jstr(jt, "tid");
	const char *name = jstr(jt, "name");
	struct thread *t = dump_add_thread(d, tid ? tid : name);
	t->name = name ? dump_strdup(d, name) : NULL;
	const char *state = jstr(jt, "state");
	if (state)
		t->state = dump_strdup(d, state);
	struct javaframe_hint hint = JAVAFRAME_HINT_INIT;
	json_t *stack = json_object_get(jt, "stack");
	size_t i;
	json_t *fr;
	json_array_foreach(stack, i, fr) {
		if (!json_is_string(fr))
			continue;
		struct frame *f = thread_add_frame(d, t);
		if (!f)
			break;
		javastack_frame(d, &hint, f, sp(json_string_value(fr)), false);
	}
	json_t *owned = json_object_get(jt, "monitorsOwned");
	json_t *m;
	json_array_foreach(owned, i, m) {
		json_t *locks = json_object_get(m, "locks");
		size_t k;
		json_t *l;
		json_array_foreach(locks, k, l)
			if (json_is_string(l))
				javalocks_add(jl, JL_LOCKED, sp(json_string_value(l)),
					      class_of(json_string_value(l)));
	}
	const char *blocked = jstr(jt, "blockedOn");
	const char *waiting = jstr(jt, "waitingOn");
	json_t *park = json_object_get(jt, "parkBlocker");
	const char *parked = json_is_object(park) ? jstr(park, "object") : jstr(jt, "parkBlocker");
	if (blocked)
		javalocks_add(jl, JL_WAIT_LOCK, sp(blocked), class_of(blocked));
	if (waiting)
		javalocks_add(jl, JL_WAIT_ON, sp(waiting), class_of(waiting));
	if (parked)
		javalocks_add(jl, JL_PARK, sp(parked), class_of(parked));
	javalocks_apply(d, t, jl, state && !strcmp(state, "BLOCKED"));
}

/* The JVM may name the owner of a parked-on synchronizer: a hold, once all threads exist. */
static void jcmd_park_owners(struct dump *d, json_t *containers)
{
	size_t i, k;
	json_t *c, *jt;
	json_array_foreach(containers, i, c) {
		json_array_foreach(json_object_get(c, "threads"), k, jt) {
			json_t *park = json_object_get(jt, "parkBlocker");
			const char *owner = json_is_object(park) ? jstr(park, "owner") : NULL;
			const char *obj = json_is_object(park) ? jstr(park, "object") : NULL;
			struct thread *o = owner ? dump_find_thread(d, owner) : NULL;
			struct lock *l = obj ? dump_find_lock(d, obj) : NULL;
			if (o && l && !l->owner)
				thread_hold(d, o, l);
		}
	}
}

/*
 * The start of both JSON parses: the whole document, or NULL when it does
 * not parse (cut short, damaged) after the threads were salvaged one by
 * one from the objects that hold KEY.
 */
static json_t *begin_parse(struct dump *d, const struct input *in, const char *key, thread_fn fn)
{
	d->process.runtime = "jvm";
	dump_snapshot_begin(d);
	json_t *root = load_json(d, in);
	if (!root) {
		struct javalocks jl = JAVALOCKS_INIT;
		salvage_threads(d, in, key, fn, &jl);
		javalocks_release(&jl);
	}
	return root;
}

static int jcmd_json_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			   struct strbuf *err)
{
	(void)o;
	(void)err;
	json_t *root = begin_parse(d, in, "\"tid\"", jcmd_thread);
	if (!root)
		return 0;
	json_t *td = json_object_get(root, "threadDump");
	const char *pid = jstr(td, "processId");
	if (pid)
		d->process.pid = strtoll(pid, NULL, 10);
	const char *ver = jstr(td, "runtimeVersion");
	if (ver)
		d->process.runtime_version = dump_strdup(d, ver);
	const char *time = jstr(td, "time");
	if (time)
		d->process.time = dump_strdup(d, time);
	struct javalocks jl = JAVALOCKS_INIT;
	json_t *containers = json_object_get(td, "threadContainers");
	size_t i;
	json_t *c;
	json_array_foreach(containers, i, c) {
		size_t k;
		json_t *jt;
		json_array_foreach(json_object_get(c, "threads"), k, jt)
			if (json_is_object(jt))
				jcmd_thread(d, jt, &jl);
	}
	jcmd_park_owners(d, containers);
	javalocks_release(&jl);
	json_decref(root);
	return 0;
}

static int jcmd_json_probe(const unsigned char *data, size_t len)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if (i == len || data[i] != '{')
		return 0;
	struct span x = { (const char *)data, len };
	return span_find(x, "\"threadDump\"") >= 0 ? 95 : 0;
}

const struct parser jcmd_json_parser = {
	.name = "jcmd-json",
	.summary = "jcmd Thread.dump_to_file -format=json (JDK 21+, virtual threads)",
	.probe = jcmd_json_probe,
	.parse = jcmd_json_parse,
};

/* ---- actuator-json ---- */

static const char *object_id(struct dump *d, json_t *info)
{
	const char *cls = jstr(info, "className");
	json_t *h = json_object_get(info, "identityHashCode");
	if (!cls || !json_is_integer(h))
		return NULL;
	return dump_printf(d, "%s@%llx", cls, (unsigned long long)json_integer_value(h));
}

static void actuator_frame(struct dump *d, struct thread *t, json_t *fr)
{
	struct frame *f = thread_add_frame(d, t);
	if (!f)
		return;
	const char *cls = jstr(fr, "className"), *m = jstr(fr, "methodName");
	f->kind = FRAME_JAVA;
	f->function = dump_printf(d, "%s.%s", cls ? cls : "?", m ? m : "?");
	const char *file = jstr(fr, "fileName");
	if (file)
		f->file = dump_strdup(d, file);
	json_t *line = json_object_get(fr, "lineNumber");
	if (json_is_integer(line) && json_integer_value(line) > 0)
		f->line = (int)json_integer_value(line);
	const char *mod = jstr(fr, "moduleName"), *ver = jstr(fr, "moduleVersion");
	if (mod)
		f->module = ver ? dump_printf(d, "%s@%s", mod, ver) : dump_strdup(d, mod);
	json_t *nat = json_object_get(fr, "nativeMethod");
	f->text = dump_printf(d, "%s(%s)", f->function,
			      json_is_true(nat) ? "Native Method" : (file ? file : "Unknown Source"));
}

static void actuator_thread(struct dump *d, json_t *jt, struct javalocks *jl)
{
	const char *name = jstr(jt, "threadName");
	json_t *jid = json_object_get(jt, "threadId");
	const char *id = json_is_integer(jid)
				 ? dump_printf(d, "%lld", (long long)json_integer_value(jid))
				 : name;
	struct thread *t = dump_add_thread(d, id);
	t->name = name ? dump_strdup(d, name) : NULL;
	const char *state = jstr(jt, "threadState");
	if (state)
		t->state = dump_strdup(d, state);
	t->daemon = json_is_true(json_object_get(jt, "daemon"));
	size_t i;
	json_t *fr;
	json_array_foreach(json_object_get(jt, "stackTrace"), i, fr)
		actuator_frame(d, t, fr);
	json_t *m;
	json_array_foreach(json_object_get(jt, "lockedMonitors"), i, m) {
		const char *oid = object_id(d, m);
		if (oid)
			javalocks_add(jl, JL_LOCKED, sp(oid), class_of(oid));
	}
	json_array_foreach(json_object_get(jt, "lockedSynchronizers"), i, m) {
		const char *oid = object_id(d, m);
		if (oid)
			javalocks_add(jl, JL_OWNABLE, sp(oid), class_of(oid));
	}
	const char *lid = object_id(d, json_object_get(jt, "lockInfo"));
	if (lid) {
		bool blocked = state && !strcmp(state, "BLOCKED");
		bool in_wait = t->nframes && t->frames[0].function &&
			       strstr(t->frames[0].function, "Object.wait");
		enum jlock_what w = blocked ? JL_WAIT_LOCK : in_wait ? JL_WAIT_ON : JL_PARK;
		javalocks_add(jl, w, sp(lid), class_of(lid));
	}
	javalocks_apply(d, t, jl, state && !strcmp(state, "BLOCKED"));
}

static int actuator_json_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			       struct strbuf *err)
{
	(void)o;
	(void)err;
	json_t *root = begin_parse(d, in, "\"threadName\"", actuator_thread);
	if (!root)
		return 0;
	struct javalocks jl = JAVALOCKS_INIT;
	size_t i;
	json_t *jt;
	json_array_foreach(json_object_get(root, "threads"), i, jt)
		if (json_is_object(jt))
			actuator_thread(d, jt, &jl);
	javalocks_release(&jl);
	json_decref(root);
	return 0;
}

static int actuator_json_probe(const unsigned char *data, size_t len)
{
	struct span x = { (const char *)data, len };
	if (span_find(x, "\"threadName\"") < 0 || span_find(x, "\"threads\"") < 0)
		return 0;
	return span_starts(x, "HTTP/") || span_starts(span_skip_ws(x), "{") ? 95 : 0;
}

const struct parser actuator_json_parser = {
	.name = "actuator-json",
	.summary = "Spring Boot actuator /threaddump JSON (also with its HTTP response head)",
	.probe = actuator_json_probe,
	.parse = actuator_json_parse,
};
