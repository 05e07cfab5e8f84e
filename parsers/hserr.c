/*
 * HotSpot fatal-error logs (hs_err_pid*.log), JDK 6 to 25, Linux, macOS,
 * Windows, Solaris, whole or in fragments:
 *
 *   #  SIGSEGV (0xb) at pc=0x00007f..., pid=31802, tid=31803        (header, '#' lines)
 *   #  Internal Error (os_windows_x86.cpp:149), pid=3048, tid=13292
 *   #  guarantee(...) failed: message
 *   # There is insufficient memory for the Java Runtime Environment to continue.
 *   ---------------  S U M M A R Y ------------                    (Command Line, Host, Time)
 *   ---------------  T H R E A D  ---------------                  (Current thread, Stack,
 *                      Native frames, Java frames, siginfo, Registers, ...)
 *   ---------------  P R O C E S S  ---------------                (Java Threads, Other
 *                      Threads, VM state, VM Mutex, Heap, events, Dynamic libraries, ...)
 *   ---------------  S Y S T E M  ---------------                  (OS, CPU, Memory)
 *
 * Every titled section is also kept raw (dump_add_section) for the browser.
 * Threads: the current (crashed) thread with its frames, and every thread
 * of the "Java Threads" and "Other Threads" lists, by their kernel id.
 * Frames: J -> jit, j -> interpreted, V -> vm, v -> stub, C -> native,
 * A -> jit (AOT). Native frames are re-symbolized afterwards (resym.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"
#include "parsers/native/resym.h"
#include "parsers/text/text.h"

/* Section titles: a line at column 0 starting with one of these opens a section. */
#define HSERR_TITLES(X)                                   \
	X(SEC_CURRENT, "Current thread")                  \
	X(SEC_STACK, "Stack: ")                           \
	X(SEC_NATIVE, "Native frames:")                   \
	X(SEC_JAVA, "Java frames:")                       \
	X(SEC_SIGINFO, "siginfo:")                        \
	X(SEC_REGS, "Registers:")                         \
	X(SEC_REGMAP, "Register to memory mapping:")      \
	X(SEC_TOS, "Top of Stack:")                       \
	X(SEC_INSNS, "Instructions:")                     \
	X(SEC_SLOTMAP, "Stack slot to memory mapping:")   \
	X(SEC_SMR, "Threads class SMR info:")             \
	X(SEC_JTHREADS, "Java Threads:")                  \
	X(SEC_OTHERS, "Other Threads:")                   \
	X(SEC_VMSTATE, "VM state:")                       \
	X(SEC_MUTEX, "VM Mutex")                          \
	X(SEC_HEAP, "Heap:")                              \
	X(SEC_HEAPADDR, "heap address:")                  \
	X(SEC_LIBS, "Dynamic libraries:")                 \
	X(SEC_VMARGS, "VM Arguments:")                    \
	X(SEC_ENV, "Environment Variables:")              \
	X(SEC_SIGNALS, "Signal Handlers:")                \
	X(SEC_OS, "OS:")                                  \
	X(SEC_CPU, "CPU:")                                \
	X(SEC_MEMORY, "Memory:")                          \
	X(SEC_PROCMEM, "Process Memory:")                 \
	X(SEC_CMDLINE, "Command Line:")                   \
	X(SEC_HOST, "Host:")                              \
	X(SEC_TIME, "Time:")                              \
	X(SEC_METASPACE, "Metaspace:")                    \
	X(SEC_POLLING, "Polling page:")                   \
	X(SEC_COMPILE, "Threads with active compile tasks:") \
	X(SEC_GCLOG, "GC Precious Log:")                  \
	X(SEC_LOGGING, "Logging:")                        \
	X(SEC_RELEASE, "Release file:")                   \
	X(SEC_LOCALE, "Active Locale:")                   \
	X(SEC_UNAME, "uname:")                            \
	X(SEC_RLIMIT, "rlimit")                           \
	X(SEC_LOAD, "load average:")                      \
	X(SEC_LIBC, "libc:")                              \
	X(SEC_VMINFO, "vm_info:")

#define X_ENUM(e, s) e,
enum hs_section { SEC_NONE, SEC_HEADER, SEC_EVENTS, SEC_OTHER, HSERR_TITLES(X_ENUM) };
#undef X_ENUM

static const struct {
	enum hs_section id;
	const char *title;
} hs_titles[] = {
#define X_TITLE(e, s) { e, s },
	HSERR_TITLES(X_TITLE)
#undef X_TITLE
};

struct hs_state {
	struct dump *d;
	enum hs_section sec;
	const char *sec_start;     /* raw text of the open section */
	struct span sec_title;
	struct thread *current;    /* the crashed thread */
	bool native_frames_seen;
	bool header_reason_next;   /* the next '#' line is the error message */
	bool problematic_next;
	bool have_crash_info;
	const char *problematic;
	int64_t header_tid;        /* "tid=" of the error header, -1 */
	uint64_t header_pc;
	struct strbuf scratch;
};

static struct crash *crash(struct hs_state *st)
{
	st->have_crash_info = true;
	return dump_crash(st->d);
}

/* ---- sections ---- */

static enum hs_section title_of(struct span x)
{
	if (!x.len || x.s[0] == ' ' || x.s[0] == '\t')
		return SEC_NONE;
	for (size_t i = 0; i < sizeof(hs_titles) / sizeof(hs_titles[0]); i++)
		if (span_starts(x, hs_titles[i].title))
			return hs_titles[i].id;
	/* "Events (10 events):", "Compilation events (250 events):" */
	if (x.s[x.len - 1] == ':' && span_find(x, " events):") > 0)
		return SEC_EVENTS;
	if (span_starts(x, "---------------  "))
		return SEC_OTHER;
	return SEC_NONE;
}

static void close_section(struct hs_state *st, const char *end)
{
	if (st->sec_start && end > st->sec_start) {
		struct span t = st->sec_title;
		while (t.len && (t.s[t.len - 1] == ':' || t.s[t.len - 1] == ' '))
			t.len--;
		strbuf_reset(&st->scratch);
		strbuf_add(&st->scratch, t.s, t.len > 60 ? 60 : t.len);
		size_t len = (size_t)(end - st->sec_start);
		while (len && (st->sec_start[len - 1] == '\n' || st->sec_start[len - 1] == '\r'))
			len--;
		dump_add_section(st->d, st->scratch.buf, st->sec_start, len);
	}
	st->sec_start = NULL;
}

static void open_section(struct hs_state *st, enum hs_section sec, const struct line *l,
			 struct span title)
{
	close_section(st, l->s);
	st->sec = sec;
	st->sec_start = l->s;
	st->sec_title = title;
}

/* ---- header ---- */

static bool span_uint_after(struct span x, const char *key, uint64_t *out)
{
	long p = span_find(x, key);
	if (p < 0)
		return false;
	struct span v = span_drop(x, (size_t)p + strlen(key));
	return span_number(&v, out);
}

/* "SIGSEGV (0xb) at pc=0x..., pid=1, tid=2" or "EXCEPTION_ACCESS_VIOLATION (0xc0000005) at pc=..." */
static void header_signal(struct hs_state *st, struct span x)
{
	struct dump *d = st->d;
	struct span w = span_word(&x);
	struct crash *c = crash(st);
	c->signal = dump_strndup(d, w.s, w.len);
	int n = signal_number(c->signal);
	if (n > 0)
		c->signo = n;
	uint64_t v;
	if (span_uint_after(x, "pid=", &v))
		d->process.pid = (int64_t)v;
	if (span_uint_after(x, "tid=", &v))
		st->header_tid = (int64_t)v;
	if (span_uint_after(x, "pc=", &v))
		st->header_pc = v;
}

static void header_pid_tid(struct hs_state *st, struct span x)
{
	uint64_t v;
	if (span_uint_after(x, "pid=", &v))
		st->d->process.pid = (int64_t)v;
	if (span_uint_after(x, "tid=", &v))
		st->header_tid = (int64_t)v;
}

static void header_line(struct hs_state *st, struct span x)
{
	struct dump *d = st->d;
	x = span_trim(span_drop(x, 1));
	if (!x.len)
		return;
	if (st->header_reason_next) {
		st->header_reason_next = false;
		if (!span_starts(x, "JRE version") && !span_starts(x, "Java VM")) {
			struct crash *c = crash(st);
			if (!c->abort_message)
				c->abort_message = dump_strndup(d, x.s, x.len);
			return;
		}
	}
	if (st->problematic_next) {
		st->problematic_next = false;
		st->problematic = dump_strndup(d, x.s, x.len);
		return;
	}
	if (span_starts(x, "SIG") || span_starts(x, "EXCEPTION_")) {
		header_signal(st, x);
	} else if (span_starts(x, "Internal Error") || span_starts(x, "Out of Memory Error") ||
		   span_starts(x, "Error: ")) {
		long comma = span_find(x, ", pid=");
		struct span reason = x;
		if (comma > 0)
			reason.len = (size_t)comma;
		struct crash *c = crash(st);
		c->reason = dump_strndup(d, reason.s, reason.len);
		header_pid_tid(st, x);
		st->header_reason_next = true;
	} else if (span_starts(x, "There is insufficient memory")) {
		struct crash *c = crash(st);
		if (!c->reason)
			c->reason = "out of memory: there is insufficient memory for the Java Runtime "
				    "Environment to continue";
		st->header_reason_next = true;
	} else if (span_starts(x, "Native memory allocation") || span_starts(x, "java.lang.OutOfMemoryError")) {
		struct crash *c = crash(st);
		if (!c->abort_message)
			c->abort_message = dump_strndup(d, x.s, x.len);
	} else if (span_starts(x, "JRE version:")) {
		struct span v = span_trim(span_drop(x, strlen("JRE version:")));
		d->process.runtime_version = dump_strndup(d, v.s, v.len);
	} else if (span_starts(x, "Problematic frame:")) {
		st->problematic_next = true;
	}
}

/* ---- threads ---- */

/* The crashed thread when the log never names it: from the header's tid. */
static struct thread *header_thread(struct hs_state *st)
{
	struct dump *d = st->d;
	struct thread *t;
	if (st->header_tid >= 0) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)st->header_tid);
		t = dump_find_thread(d, id);
		if (!t) {
			t = dump_add_thread(d, id);
			t->tid = st->header_tid;
		}
	} else {
		t = dump_add_thread(d, "current");
	}
	t->crashed = true;
	if (st->header_pc) {
		thread_regs(st->d, t)->pc = st->header_pc;
	}
	if (d->crash)
		d->crash->thread = t;
	return t;
}

/* "JavaThread "main" daemon [_thread_in_vm, id=31803, stack(...)]" and the old forms. */
static struct thread *thread_entry(struct hs_state *st, struct span x, bool current)
{
	struct dump *d = st->d;
	uint64_t id;
	long idp = span_find(x, "id=");
	while (idp > 0 && x.s[idp - 1] != '[' && x.s[idp - 1] != ' ' && x.s[idp - 1] != ',') {
		struct span rest = span_drop(x, (size_t)idp + 3);
		long n = span_find(rest, "id=");
		idp = n < 0 ? -1 : idp + 3 + n;
	}
	struct span v = idp >= 0 ? span_drop(x, (size_t)idp + 3) : (struct span){ x.s, 0 };
	bool has_id = idp >= 0 && span_number(&v, &id);
	if (span_starts(x, "(exited)"))
		x = span_skip_ws(span_drop(x, 8));
	struct span type = span_word(&x);
	struct span name = type;
	struct span rest = span_skip_ws(x);
	if (rest.len && rest.s[0] == '"') {
		long close = span_find(span_drop(rest, 1), "\"");
		if (close >= 0) {
			name = (struct span){ rest.s + 1, (size_t)close };
			rest = span_drop(rest, (size_t)close + 2);
		}
	}
	struct thread *t = NULL;
	strbuf_reset(&st->scratch);
	if (has_id)
		strbuf_addf(&st->scratch, "%llu", (unsigned long long)id);
	else
		strbuf_add(&st->scratch, name.s, name.len);
	if (current && st->current) {
		t = st->current;
	} else {
		t = dump_find_thread(d, st->scratch.buf);
		if (!t || t->name) {
			if (t && !current && !t->crashed)
				t = NULL;
		}
		if (!t) {
			t = dump_add_thread(d, st->scratch.buf);
			if (has_id)
				t->tid = (int64_t)id;
		}
	}
	if (!t->name || current)
		t->name = dump_strndup(d, name.s, name.len);
	long br = span_find(rest, "[");
	if (br >= 0) {
		struct span pre = { rest.s, (size_t)br };
		t->daemon = span_find(pre, "daemon") >= 0;
		struct span in = span_drop(rest, (size_t)br + 1);
		if (span_starts(in, "_thread_")) {
			size_t n = 0;
			while (n < in.len && in.s[n] != ',' && in.s[n] != ']')
				n++;
			t->state = dump_strndup(d, in.s, n);
		}
	}
	return t;
}

static void current_thread(struct hs_state *st, struct span x)
{
	/* "Current thread (0x...):  JavaThread "main" [...]" / "Current thread is native thread" */
	long colon = span_find(x, "):");
	struct thread *t;
	if (colon < 0) {
		if (!st->current)
			st->current = header_thread(st);
		t = st->current;
		t->name = dump_strdup(st->d, "native thread");
	} else {
		struct span addr = span_drop(x, strlen("Current thread ("));
		struct span rest = span_skip_ws(span_drop(x, (size_t)colon + 2));
		/* the header's tid may have created the thread already */
		uint64_t id;
		long idp = span_find(rest, "id=");
		struct span v = idp >= 0 ? span_drop(rest, (size_t)idp + 3) : rest;
		if (!st->current && idp >= 0 && span_number(&v, &id)) {
			char key[32];
			snprintf(key, sizeof(key), "%llu", (unsigned long long)id);
			st->current = dump_find_thread(st->d, key);
		}
		t = thread_entry(st, rest, st->current != NULL);
		st->current = t;
		long close = span_find(addr, ")");
		if (close > 0)
			t->java_tid = dump_strndup(st->d, addr.s, (size_t)close);
	}
	t->crashed = true;
	if (st->have_crash_info || st->d->crash)
		dump_crash(st->d)->thread = t;
}

static void list_thread(struct hs_state *st, struct span x)
{
	bool cur = span_starts(x, "=>");
	if (cur)
		x = span_drop(x, 2);
	x = span_skip_ws(x);
	uint64_t addr;
	struct span a = x;
	if (!span_starts(x, "0x") || !span_hex(&a, &addr))
		return;
	struct span rest = span_skip_ws(a);
	if (!rest.len)
		return;
	struct thread *t = thread_entry(st, rest, cur && st->current);
	if (!t->java_tid)
		t->java_tid = dump_strndup(st->d, x.s, (size_t)(a.s - x.s));
	if (cur) {
		t->crashed = true;
		if (!st->current)
			st->current = t;
	}
}

/* "[0x00007f..] Threads_lock - owner thread: 0x00007f.." */
static void mutex_line(struct hs_state *st, struct span x)
{
	if (!span_starts(x, "[0x"))
		return;
	long close = span_find(x, "]");
	long own = span_find(x, " - owner thread: ");
	if (close < 0 || own < 0 || own < close)
		return;
	struct span name = span_trim((struct span){ x.s + close + 1, (size_t)(own - close - 1) });
	struct span owner = span_trim(span_drop(x, (size_t)own + strlen(" - owner thread: ")));
	struct dump *d = st->d;
	for (size_t i = 0; i < d->nthreads; i++) {
		struct thread *t = d->threads[i];
		if (t->java_tid && span_eq(owner, t->java_tid)) {
			strbuf_reset(&st->scratch);
			strbuf_addf(&st->scratch, "vm:%.*s", (int)name.len, name.s);
			struct lock *l = dump_lock(d, st->scratch.buf, LOCK_UNKNOWN);
			if (l) {
				if (!l->label)
					l->label = dump_strndup(d, name.s, name.len);
				thread_hold(d, t, l);
			}
			return;
		}
	}
}

/* ---- frames ---- */

static enum frame_kind frame_kind_of(char c)
{
	switch (c) {
	case 'J':
	case 'A':
		return FRAME_JIT;
	case 'j':
		return FRAME_INTERPRETED;
	case 'V':
		return FRAME_VM;
	case 'v':
		return FRAME_STUB;
	default:
		return FRAME_NATIVE;
	}
}

/* "sym+0x1a" at X: function and offset. */
static void symbol_offset(struct dump *d, struct frame *f, struct span x)
{
	x = span_trim(x);
	if (!x.len)
		return;
	size_t plus = x.len;
	for (size_t i = x.len; i > 0; i--)
		if (x.s[i - 1] == '+') {
			plus = i - 1;
			break;
		}
	if (plus < x.len) {
		struct span o = span_drop(x, plus + 1);
		uint64_t off;
		if (span_hex(&o, &off)) {
			f->offset = off;
			f->has_offset = true;
		}
		x.len = plus;
	}
	if (x.len)
		f->function = dump_strndup(d, x.s, x.len);
}

/* "java.util.Foo.bar(II)V+12 java.base@17" or "J 3285 c2 java.Foo.bar(III)V java.base@12 (110 bytes) @ 0x.." */
static void java_frame_text(struct dump *d, struct frame *f, struct span x, bool compiled)
{
	if (compiled) {
		/* skip "3285 c2 " / "3285% c1 " compile ids and tiers (JDK 8: "473 C2 ") */
		struct span y = x;
		struct span w = span_word(&y);
		if (w.len && w.s[0] >= '0' && w.s[0] <= '9') {
			x = y;
			struct span z = y;
			struct span tier = span_word(&z);
			if (span_eq(tier, "c1") || span_eq(tier, "c2") || span_eq(tier, "C1") ||
			    span_eq(tier, "C2") || span_eq(tier, "jvmci") || span_eq(tier, "aot"))
				x = z;
		}
		long at = span_find(x, " @ 0x");
		if (at >= 0) {
			struct span p = span_drop(x, (size_t)at + 3);
			uint64_t pc;
			if (span_hex(&p, &pc)) {
				f->pc = pc;
				f->has_pc = true;
			}
		}
	}
	x = span_skip_ws(x);
	struct span fn = span_word(&x);
	long paren = span_find(fn, "(");
	if (paren > 0)
		fn.len = (size_t)paren;
	if (fn.len)
		f->function = dump_strndup(d, fn.s, fn.len);
	struct span mod = span_word(&x);
	if (mod.len && span_find(mod, "@") > 0)
		f->module = dump_strndup(d, mod.s, mod.len);
}

static void frame_line(struct hs_state *st, struct span x)
{
	struct dump *d = st->d;
	if (x.len < 2 || !strchr("JjVvCA", x.s[0]) || (x.s[1] != ' ' && x.s[1] != '\t'))
		return;
	if (!st->current)
		st->current = header_thread(st);
	struct frame *f = thread_add_frame(d, st->current);
	if (!f)
		return;
	f->kind = frame_kind_of(x.s[0]);
	f->text = dump_strndup(d, x.s, x.len);
	struct span rest = span_skip_ws(span_drop(x, 1));
	if (rest.len && rest.s[0] == '[') {
		/* "[libjvm.so+0x1019e0a]  Unsafe_GetByte+0xaa" */
		long close = span_find(rest, "]");
		struct span in = { rest.s + 1, close > 0 ? (size_t)close - 1 : rest.len - 1 };
		size_t plus = in.len;
		for (size_t i = in.len; i > 0; i--)
			if (in.s[i - 1] == '+') {
				plus = i - 1;
				break;
			}
		f->module = dump_strndup(d, in.s, plus);
		if (plus < in.len) {
			struct span o = span_drop(in, plus + 1);
			uint64_t off;
			if (span_hex(&o, &off)) {
				f->module_offset = off;
				f->has_module_offset = true;
			}
		}
		if (close > 0)
			symbol_offset(d, f, span_drop(rest, (size_t)close + 1));
		return;
	}
	if (span_starts(rest, "0x")) {
		/* "C  0x0000000000000000" */
		uint64_t pc;
		struct span p = rest;
		if (span_hex(&p, &pc)) {
			f->pc = pc;
			f->has_pc = true;
		}
		return;
	}
	if (f->kind == FRAME_STUB) {
		/* "v  ~StubRoutines::call_stub 0x00007f..." */
		struct span w = span_word(&rest);
		f->function = dump_strndup(d, w.s, w.len);
		struct span p = span_skip_ws(rest);
		uint64_t pc;
		if (span_starts(p, "0x") && span_hex(&p, &pc)) {
			f->pc = pc;
			f->has_pc = true;
		}
		return;
	}
	if (f->kind == FRAME_JIT || f->kind == FRAME_INTERPRETED) {
		java_frame_text(d, f, rest, f->kind == FRAME_JIT);
		return;
	}
	symbol_offset(d, f, rest);
}

/* ---- siginfo, registers, libraries, summary ---- */

static void siginfo_line(struct hs_state *st, struct span x)
{
	struct dump *d = st->d;
	struct crash *c = crash(st);
	uint64_t v;
	if (span_uint_after(x, "si_signo: ", &v) || span_uint_after(x, "si_signo=", &v)) {
		if (!c->signo)
			c->signo = (int)v;
	}
	long sn = span_find(x, "si_signo=SIG");
	if (sn >= 0 && !c->signo) {
		struct span s = span_drop(x, (size_t)sn + 9);
		size_t n = 0;
		while (n < s.len && s.s[n] != ':' && s.s[n] != ',' && s.s[n] != ' ')
			n++;
		c->signal = dump_strndup(d, s.s, n);
		c->signo = signal_number(c->signal);
	}
	if (!c->signal && c->signo)
		c->signal = signal_name(c->signo);
	long code = span_find(x, "si_code");
	if (code >= 0) {
		struct span s = span_drop(x, (size_t)code);
		long open = span_find(s, "(");
		long close = span_find(s, ")");
		if (open >= 0 && close > open)
			c->code = dump_strndup(d, s.s + open + 1, (size_t)(close - open - 1));
	}
	long addr = span_find(x, "si_addr");
	if (addr < 0)
		addr = span_find(x, "address ");
	if (addr >= 0) {
		struct span s = span_drop(x, (size_t)addr);
		long hx = span_find(s, "0x");
		if (hx >= 0) {
			s = span_drop(s, (size_t)hx);
			if (span_hex(&s, &v)) {
				c->address = v;
				c->has_address = true;
			}
		}
	}
}

static void register_line(struct hs_state *st, struct span x)
{
	if (!st->current)
		return;
	struct thread_regs *r = thread_regs(st->d, st->current);
	static const char *names[] = { "RIP=", "RSP=", "RBP=", "EIP=", "ESP=", "EBP=", "pc =", "sp =", "fp =" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		long p = span_find(x, names[i]);
		if (p < 0 || (p > 0 && x.s[p - 1] != ' ' && x.s[p - 1] != ','))
			continue;
		struct span v = span_skip_ws(span_drop(x, (size_t)p + strlen(names[i])));
		uint64_t n;
		if (!span_hex(&v, &n))
			continue;
		r->valid = true;
		r->syscall_nr = -1;
		switch (i % 3) {
		case 0: r->pc = n; break;
		case 1: r->sp = n; break;
		default: r->fp = n; break;
		}
	}
}

/* A module named by PATH covering [START, END), merged with earlier mappings of it. */
static void add_mapping(struct hs_state *st, uint64_t start, uint64_t end, struct span path)
{
	struct dump *d = st->d;
	if (!path.len || path.s[0] == '[')
		return;
	for (size_t i = d->nmodules; i > 0; i--) {
		struct module *m = d->modules[i - 1];
		if (span_eq(path, m->path)) {
			if (start < m->start)
				m->start = start;
			if (end > m->end)
				m->end = end;
			return;
		}
		if (d->nmodules - i > 8)
			break;
	}
	struct module *m = dump_add_module(d);
	m->path = dump_strndup(d, path.s, path.len);
	const char *slash = strrchr(m->path, '/');
	const char *bslash = strrchr(m->path, '\\');
	if (bslash && (!slash || bslash > slash))
		slash = bslash;
	m->name = slash ? slash + 1 : m->path;
	m->start = start;
	m->end = end;
}

static void library_line(struct hs_state *st, struct span x)
{
	x = span_trim(x);
	uint64_t start, end = 0;
	struct span y = x;
	if (!span_hex(&y, &start))
		return;
	if (y.len && y.s[0] == '-') {
		/* Linux maps "start-end perms offset dev inode path" */
		y = span_drop(y, 1);
		if (!span_hex(&y, &end))
			return;
		struct span w = y;
		for (int i = 0; i < 4; i++)
			span_word(&w);
		add_mapping(st, start, end, span_trim(w));
		return;
	}
	y = span_skip_ws(y);
	if (span_starts(y, "- ")) {
		/* Windows "0x..start - 0x..end 	C:\path\x.dll" */
		y = span_skip_ws(span_drop(y, 2));
		if (!span_hex(&y, &end))
			return;
	}
	/* macOS "0x..start 	/path/lib.dylib" */
	add_mapping(st, start, end ? end : start, span_trim(y));
}

static void value_after(struct hs_state *st, struct span x, const char *title, const char **out)
{
	struct span v = span_trim(span_drop(x, strlen(title)));
	if (v.len && !*out)
		*out = dump_strndup(st->d, v.s, v.len);
}

static void vmargs_line(struct hs_state *st, struct span x)
{
	if (span_starts(x, "java_command:"))
		value_after(st, x, "java_command:", &st->d->process.cmdline);
}

/* ---- the line dispatcher ---- */

static void section_line(struct hs_state *st, struct span x)
{
	switch (st->sec) {
	case SEC_HEADER:
		header_line(st, x);
		break;
	case SEC_CURRENT:
		/* only its title line: the blank line after it names no thread */
		if (span_starts(x, "Current thread"))
			current_thread(st, x);
		break;
	case SEC_NATIVE:
		frame_line(st, x);
		break;
	case SEC_JAVA:
		if (!st->native_frames_seen)
			frame_line(st, x);
		break;
	case SEC_SIGINFO:
		siginfo_line(st, x);
		break;
	case SEC_REGS:
		register_line(st, x);
		break;
	case SEC_JTHREADS:
	case SEC_OTHERS:
		list_thread(st, x);
		break;
	case SEC_MUTEX:
		mutex_line(st, x);
		break;
	case SEC_LIBS:
		library_line(st, x);
		break;
	case SEC_VMARGS:
		vmargs_line(st, x);
		break;
	case SEC_CMDLINE:
		value_after(st, x, "Command Line:", &st->d->process.cmdline);
		break;
	case SEC_HOST:
		value_after(st, x, "Host:", &st->d->process.host);
		break;
	case SEC_TIME:
		value_after(st, x, "Time:", &st->d->process.time);
		break;
	default:
		break;
	}
}

static void hs_line(struct hs_state *st, const struct line *l)
{
	struct span x = span_of(l);
	if (x.len && x.s[0] == '#') {
		if (st->sec != SEC_HEADER)
			open_section(st, SEC_HEADER, l, (struct span){ "Header", 6 });
		header_line(st, x);
		return;
	}
	enum hs_section sec = title_of(x);
	if (sec != SEC_NONE) {
		if (st->sec == SEC_NATIVE)
			st->native_frames_seen = st->current && st->current->nframes;
		open_section(st, sec, l, x);
		if (sec == SEC_OTHER) /* "---------------  T H R E A D  ---" is a divider only */
			st->sec = SEC_NONE;
		/* titles that carry their value on the same line */
		if (sec == SEC_CURRENT || sec == SEC_SIGINFO || sec == SEC_CMDLINE || sec == SEC_HOST ||
		    sec == SEC_TIME || sec == SEC_REGS)
			section_line(st, x);
		return;
	}
	section_line(st, x);
}

/* pc = the library's load address (Dynamic libraries) + the frame's offset in it */
static void frame_pcs(struct dump *d, struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++) {
		struct frame *f = &t->frames[i];
		if (f->has_pc || !f->module || !f->has_module_offset)
			continue;
		for (size_t k = 0; k < d->nmodules; k++)
			if (d->modules[k]->name && !strcmp(d->modules[k]->name, f->module)) {
				f->pc = d->modules[k]->start + f->module_offset;
				f->has_pc = true;
				break;
			}
	}
}

static int hserr_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
		       struct strbuf *err)
{
	(void)err;
	struct hs_state st = { .d = d, .scratch = STRBUF_INIT, .header_tid = -1 };
	struct line_reader r;
	struct line l;
	d->process.runtime = "jvm";
	dump_snapshot_begin(d);
	line_reader_open(&r, d, in->data, in->len);
	while (line_next(&r, &l))
		hs_line(&st, &l);
	close_section(&st, r.end);
	if (d->crash && !st.current)
		st.current = header_thread(&st);
	if (d->crash && !d->crash->thread && st.current)
		d->crash->thread = st.current;
	if (d->crash && !d->crash->signal && !d->crash->reason && !d->crash->signo)
		d->crash->reason = "fatal error (details cut from the log)";
	if (!d->crash && !st.current)
		dump_warn(d, "input ended early or is a fragment: no error header and no current "
			     "thread");
	else if (!st.native_frames_seen && st.current && !st.current->nframes)
		dump_warn(d, "the crashed thread's frames are missing (cut short or not printed)");
	if (in->len && in->data[in->len - 1] != '\n')
		dump_warn(d, "input ended early: the last line is cut short");
	if (st.current) {
		frame_pcs(d, st.current);
		resym_thread(d, st.current, o);
	}
	strbuf_release(&st.scratch);
	return 0;
}

static int hserr_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int score = 0;
	while (line_next(&r, &l) && score < 100) {
		struct span x = span_trim(span_of(&l));
		if (span_find(x, "A fatal error has been detected by the Java Runtime") >= 0 ||
		    span_find(x, "There is insufficient memory for the Java Runtime") >= 0)
			return 100;
		if (span_starts(x, "---------------  T H R E A D") ||
		    span_starts(x, "---------------  P R O C E S S") ||
		    span_starts(x, "---------------  S U M M A R Y"))
			score += 60;
		else if (span_starts(x, "Current thread (0x") || span_starts(x, "Native frames: (J=") ||
			 span_starts(x, "Register to memory mapping:") ||
			 span_starts(x, "Java frames: (J=") || span_starts(x, "# Problematic frame:"))
			score += 50;
		else if (span_starts(x, "Dynamic libraries:") || span_starts(x, "siginfo:") ||
			 (span_find(x, " events):") > 0 && x.s[0] != ' '))
			score += 30;
	}
	return score > 97 ? 97 : score;
}

const struct parser hserr_parser = {
	.name = "hs_err",
	.summary = "HotSpot fatal-error logs (hs_err_pid*.log), any JDK, Linux/macOS/Windows",
	.probe = hserr_probe,
	.parse = hserr_parse,
};
