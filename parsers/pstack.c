/*
 * pstack in its three families:
 *
 * Linux pstack/gstack: gdb's `thread apply all bt` filtered to its
 *   "Thread" and "#" lines (no blank lines, no preamble), read by the gdb
 *   machine (gdbtext.c). Shell prompts running pstack and the multi-PID
 *   form's "==> PID <==" lines start a new snapshot.
 * Solaris pstack:
 *   5591:   /usr/local/mozilla/mozilla-bin
 *   -----------------  lwp# 1 / thread# 1  --------------------
 *    fe8dda58 poll     (513d530, fe8f75a8, 18) + 5c
 *    fe482aa4 ???????? (d6490, fe482a6c)
 * HotSpot Serviceability Agent PStack (`jhsdb jstack --mixed`, `jstack -m`):
 *   Deadlock Detection:
 *   ----------------- 20455 -----------------
 *   0x00007f51767ac360	__pthread_cond_wait + 0xc0
 *   0x00007f5165011f5d	* java.lang.Object.wait(long) bci:0 (Interpreted frame)
 */
#include <stdio.h>
#include <string.h>

#include "parsers/text/gdbframe.h"
#include "parsers/text/gdbtext.h"
#include "parsers/parser.h"

enum pstack_family { FAMILY_LINUX, FAMILY_SOLARIS, FAMILY_SA };

struct pstack_state {
	struct gdbtext g;
	enum pstack_family family;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "[user@host dir]$ pstack 6721", "$ gstack 1 2": the first pid. */
static bool prompt_line(struct span t, int64_t *pid)
{
	long at = span_find(t, "pstack ");
	if (at < 0)
		at = span_find(t, "gstack ");
	if (at < 0 || (at > 0 && t.s[at - 1] != ' ' && t.s[at - 1] != '$' && t.s[at - 1] != '#'))
		return false;
	struct span before = { t.s, (size_t)at };
	if (span_find(before, "$") < 0 && span_find(before, "#") < 0 && span_find(before, ">") < 0)
		return false;
	struct span y = span_skip_ws(span_drop(t, (size_t)at + 7));
	uint64_t n;
	if (!span_number(&y, &n))
		return false;
	*pid = (int64_t)n;
	return true;
}

/* "==> 3456 <==" */
static bool multi_pid_line(struct span t, int64_t *pid)
{
	if (!span_starts(t, "==> "))
		return false;
	struct span y = span_drop(t, 4);
	uint64_t n;
	if (!span_number(&y, &n) || !span_starts(y, " <=="))
		return false;
	*pid = (int64_t)n;
	return true;
}

/* "-----------------  lwp# 1 / thread# 1  --------------------" */
static bool solaris_lwp_line(struct span t, uint64_t *lwp)
{
	if (!span_starts(t, "-----"))
		return false;
	long at = span_find(t, "lwp# ");
	if (at < 0)
		return false;
	struct span y = span_drop(t, (size_t)at + 5);
	return span_number(&y, lwp);
}

/* "----------------- 20455 -----------------" */
static bool sa_thread_line(struct span t, uint64_t *lwp)
{
	if (!span_starts(t, "-----"))
		return false;
	struct span y = t;
	while (y.len && y.s[0] == '-')
		y = span_drop(y, 1);
	y = span_skip_ws(y);
	if (!span_number(&y, lwp))
		return false;
	y = span_skip_ws(y);
	return span_starts(y, "-----");
}

/* "5591:   /usr/local/mozilla/mozilla-bin" */
static bool solaris_pid_line(struct span t, int64_t *pid, struct span *cmd)
{
	uint64_t n;
	struct span y = t;
	if (!y.len || y.s[0] < '0' || y.s[0] > '9' || !span_number(&y, &n) || !span_starts(y, ":"))
		return false;
	*cmd = span_trim(span_drop(y, 1));
	*pid = (int64_t)n;
	return cmd->len > 0;
}

static void set_function(struct pstack_state *st, struct frame *f, struct span name)
{
	name = span_trim(name);
	if (name.len && name.s[0] != '?')
		f->function = gdbframe_intern(st->g.d, name);
}

/* " fe8dda58 poll     (513d530, fe8f75a8, 18) + 5c" */
static bool solaris_frame(struct pstack_state *st, struct span t)
{
	struct span y = t;
	uint64_t pc;
	if (!t.len || !is_hex(t.s[0]) || !span_hex(&y, &pc) || !y.len || (y.s[0] != ' ' && y.s[0] != '\t'))
		return false;
	struct dump *d = st->g.d;
	struct frame *f = gdbtext_add_frame(&st->g);
	if (!f)
		return true;
	f->pc = pc;
	f->has_pc = true;
	struct span name = span_word(&y);
	set_function(st, f, name);
	y = span_skip_ws(y);
	if (span_starts(y, "(")) {
		size_t n = gdbframe_balanced(y);
		if (n) {
			f->args = dump_strndup(d, y.s + 1, n - 2);
			y = span_skip_ws(span_drop(y, n));
		}
	}
	if (span_starts(y, "+ ")) {
		y = span_drop(y, 2);
		if (span_hex(&y, &f->offset))
			f->has_offset = true;
	}
	return true;
}

/* "0x00007f51758d378b	_ZN7Monitor5IWaitEP6Threadl + 0xcb" or a Java frame after "* ". */
static bool sa_frame(struct pstack_state *st, struct span t)
{
	struct span y = t;
	uint64_t pc;
	if (!span_starts(t, "0x") || !span_hex(&y, &pc) || !y.len || (y.s[0] != '\t' && y.s[0] != ' '))
		return false;
	struct frame *f = gdbtext_add_frame(&st->g);
	if (!f)
		return true;
	f->pc = pc;
	f->has_pc = true;
	y = span_trim(y);
	if (span_starts(y, "* ")) {
		y = span_drop(y, 2);
		long bci = span_find(y, " bci:");
		set_function(st, f, bci >= 0 ? (struct span){ y.s, (size_t)bci } : y);
		f->kind = span_find(y, "(Interpreted frame)") >= 0 ? FRAME_INTERPRETED
			: span_find(y, "(Compiled frame)") >= 0    ? FRAME_JIT
								   : FRAME_JAVA;
		return true;
	}
	long plus = span_find(y, " + 0x");
	if (plus >= 0) {
		struct span off = span_drop(y, (size_t)plus + 3);
		if (span_hex(&off, &f->offset))
			f->has_offset = true;
		y.len = (size_t)plus;
	}
	set_function(st, f, y);
	return true;
}

static void sa_preamble(struct pstack_state *st, struct span t)
{
	struct dump *d = st->g.d;
	if (span_starts(t, "Attaching to process ID ")) {
		struct span y = span_drop(t, strlen("Attaching to process ID "));
		uint64_t pid;
		if (span_number(&y, &pid))
			d->process.pid = (int64_t)pid;
	} else if (span_starts(t, "JVM version is ")) {
		struct span v = span_trim(span_drop(t, strlen("JVM version is ")));
		d->process.runtime = "jvm";
		d->process.runtime_version = dump_strndup(d, v.s, v.len);
	}
}

static void pstack_line(struct pstack_state *st, struct span raw)
{
	struct span t = span_trim(raw);
	struct dump *d = st->g.d;
	int64_t pid;
	uint64_t lwp;
	struct span cmd;
	if (prompt_line(t, &pid) || multi_pid_line(t, &pid)) {
		gdbtext_marker(&st->g, pid);
	} else if (solaris_lwp_line(t, &lwp)) {
		st->family = FAMILY_SOLARIS;
		gdbtext_begin_thread(&st->g, dump_printf(d, "%llu", (unsigned long long)lwp), (int64_t)lwp);
	} else if (sa_thread_line(t, &lwp)) {
		st->family = FAMILY_SA;
		gdbtext_begin_thread(&st->g, dump_printf(d, "%llu", (unsigned long long)lwp), (int64_t)lwp);
	} else if (st->family != FAMILY_SA && solaris_pid_line(t, &pid, &cmd)) {
		st->family = FAMILY_SOLARIS;
		gdbtext_marker(&st->g, pid);
		if (!d->snapshot_frozen)
			d->process.cmdline = dump_strndup(d, cmd.s, cmd.len);
	} else if (st->family == FAMILY_SOLARIS) {
		solaris_frame(st, t);
	} else if (st->family == FAMILY_SA) {
		sa_frame(st, t);
	} else if (span_starts(t, "Attaching to process ID ") || span_starts(t, "JVM version is ")) {
		sa_preamble(st, t);
	} else {
		gdbtext_line(&st->g, raw);
	}
}

static int pstack_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			struct strbuf *err)
{
	(void)o;
	(void)err;
	struct pstack_state st = { .family = FAMILY_LINUX };
	struct line_reader r;
	struct line l;
	gdbtext_init(&st.g, d, in->data, in->len);
	line_reader_open(&r, d, in->data, in->len);
	while (line_next(&r, &l))
		pstack_line(&st, span_of(&l));
	gdbtext_finish(&st.g);
	return 0;
}

/*
 * Solaris and SA separators are certain. Linux pstack is gdb text, told
 * apart by a pstack prompt, "==> PID <==", or thread headers that follow
 * a frame line directly (gstack keeps only "Thread" and "#" lines; gdb
 * separates threads with a blank line).
 */
static int pstack_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int lines = 0, glued = 0, frames = 0;
	bool marker = false, prev_frame = false;
	while (line_next(&r, &l) && lines++ < 2000) {
		struct span t = span_trim(span_of(&l));
		uint64_t lwp;
		int64_t pid;
		struct gdbthread th;
		if (solaris_lwp_line(t, &lwp) || sa_thread_line(t, &lwp))
			return 95;
		if (prompt_line(t, &pid) || multi_pid_line(t, &pid))
			marker = true;
		if (t.len > 1 && t.s[0] == '#' && t.s[1] >= '0' && t.s[1] <= '9') {
			frames++;
			prev_frame = true;
			continue;
		}
		if (prev_frame && t.s && t.len && t.s[0] == 'T' && gdbframe_thread_header(t, &th))
			glued++;
		prev_frame = false;
	}
	if (marker && frames)
		return 90;
	if (glued)
		return 88;
	return 0;
}

const struct parser pstack_parser = {
	.name = "pstack",
	.summary = "pstack/gstack (Linux, Solaris) and HotSpot SA mixed-mode pstack",
	.probe = pstack_probe,
	.parse = pstack_parse,
};
