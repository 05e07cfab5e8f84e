/*
 * A live process (format "live", `mortem report -p PID`): every thread is
 * stopped with PTRACE_SEIZE + PTRACE_INTERRUPT (no signal is sent, so the
 * process and its parent see nothing: no SIGSTOP, no group stop), the
 * registers are read with PTRACE_GETREGSET, libdwfl is attached with
 * dwfl_linux_proc_attach(..., assume_ptrace_stopped = true) and the same
 * unwinder chain and symbolization as for cores run; then every thread is
 * detached (PTRACE_DETACH), which restarts an interrupted sleep: a sleeping
 * process is sleeping again afterwards. A thread that was taking a signal
 * when it was seized stops in a signal-delivery stop instead: the signal is
 * out of its queue then, and is given back at the detach (a detach with
 * signal 0 would suppress it), so no signal is lost to a snapshot.
 *
 * Memory (d->mem) is read with process_vm_readv, falling back to
 * /proc/PID/mem. The threads are released when parse() returns, so reads
 * made later by the analysis see the running process: for the threads
 * that are blocked (the ones the lock graph cares about) nothing moves.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"
#include "parsers/native/native.h"
#include "parsers/parser.h"
#include "parsers/native/regs.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#define HOST_MACHINE EM_NONE
#endif

#define STOP_WAIT_MS 2000

struct live_mem {
	pid_t pid;
	int memfd;      /* /proc/PID/mem, opened on first need */
};

struct live_state {
	struct dump *d;
	pid_t pid;
	pid_t *tids;    /* seized threads */
	int *resend;    /* per seized thread: the signal its stop took (0: none) */
	size_t ntids, atids, aresend;
};

static int live_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct live_mem *m = ctx;
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t r = process_vm_readv(m->pid, &local, 1, &remote, 1, 0);
	if (r == (ssize_t)len)
		return 0;
	if (m->memfd == -2) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)m->pid);
		m->memfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (m->memfd < 0)
		return -1;
	return pread(m->memfd, buf, len, (off_t)addr) == (ssize_t)len ? 0 : -1;
}

static void live_mem_free(void *ctx)
{
	struct live_mem *m = ctx;
	if (m->memfd >= 0)
		close(m->memfd);
	free(m);
}

/* ---- /proc ---- */

static char *read_small_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0 && sb.len < (1 << 20))
		strbuf_add(&sb, buf, (size_t)r);
	close(fd);
	return strbuf_detach(&sb, len);
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'Z': return "Z (zombie)";
	case 'X': return "X (dead)";
	case 'I': return "I (idle)";
	default: return NULL;
	}
}

/* The thread's state letter from /proc/PID/task/TID/stat (after the ")" of comm). */
static char task_state(pid_t pid, pid_t tid)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	size_t len;
	char *s = read_small_file(path, &len);
	char c = 0;
	const char *p = s ? strrchr(s, ')') : NULL;
	if (p && p[1] == ' ')
		c = p[2];
	free(s);
	return c;
}

static void describe_thread(struct live_state *ls, pid_t tid)
{
	struct dump *d = ls->d;
	char id[32], path[96];
	snprintf(id, sizeof(id), "%d", (int)tid);
	struct thread *t = dump_add_thread(d, id);
	t->tid = tid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)ls->pid, (int)tid);
	size_t len;
	char *comm = read_small_file(path, &len);
	if (comm) {
		while (len && comm[len - 1] == '\n')
			len--;
		t->name = dump_strndup(d, comm, len);
		free(comm);
	}
	t->state = state_name(task_state(ls->pid, tid));
}

static void describe_process(struct live_state *ls)
{
	struct dump *d = ls->d;
	char path[64], exe[4096];
	d->process.pid = ls->pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)ls->pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0)
		d->process.executable = dump_strndup(d, exe, (size_t)n);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)ls->pid);
	size_t len;
	char *cmd = read_small_file(path, &len);
	if (cmd) {
		while (len && cmd[len - 1] == '\0')
			len--;
		for (size_t i = 0; i < len; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		d->process.cmdline = dump_strndup(d, cmd, len);
		free(cmd);
	}
}

/* ---- stopping and releasing ---- */

static bool seized(const struct live_state *ls, pid_t tid)
{
	for (size_t i = 0; i < ls->ntids; i++)
		if (ls->tids[i] == tid)
			return true;
	return false;
}

/* The number (in BASE) after "KEY:" in /proc/PID/status (the first one), or -1. */
static long long status_field(pid_t pid, const char *key, int base)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long long v = -1;
	size_t n = strlen(key);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, base);
			break;
		}
	fclose(f);
	return v;
}

/* Why the kernel refused to let us ptrace PID (EPERM), as precisely as /proc tells. */
static void explain_eperm(pid_t pid, struct strbuf *why)
{
	long long tracer = status_field(pid, "TracerPid", 10);
	long long uid = status_field(pid, "Uid", 10);
	long long cap = status_field(getpid(), "CapEff", 16);
	bool cap_ptrace = cap >= 0 && (cap >> 19 & 1); /* CAP_SYS_PTRACE */
	struct strbuf line = STRBUF_INIT;
	fd_first_line("/proc/sys/kernel/yama/ptrace_scope", &line);
	char *end;
	long v = strtol(line.buf, &end, 10);
	int scope = end > line.buf ? (int)v : -1;
	strbuf_release(&line);
	if (tracer > 0)
		strbuf_addf(why, "already traced by process %lld (a debugger or another tool)", tracer);
	else if (uid >= 0 && uid != (long long)geteuid() && !cap_ptrace)
		strbuf_addf(why, "it belongs to uid %lld: run mortem as that user or with CAP_SYS_PTRACE",
			    uid);
	else if (scope == 3)
		strbuf_adds(why, "kernel.yama.ptrace_scope is 3: no process may be traced");
	else if (scope == 2 && !cap_ptrace)
		strbuf_adds(why, "kernel.yama.ptrace_scope is 2: only with CAP_SYS_PTRACE (as root)");
	else if (scope == 1 && !cap_ptrace)
		strbuf_adds(why, "kernel.yama.ptrace_scope is 1: only a parent may trace; run as root "
				   "or set it to 0");
	else
		strbuf_adds(why, "ptrace not allowed (a security module, or the process is not dumpable)");
}

static int seize_one(struct live_state *ls, pid_t tid, struct strbuf *err)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		if (errno == ESRCH)
			return 0; /* the thread exited meanwhile */
		int e = errno;
		struct strbuf why = STRBUF_INIT;
		if (e == EPERM)
			explain_eperm(ls->pid, &why);
		int rc = error_set(err, "cannot attach to process %d: %s%s%s%s", (int)ls->pid,
				   strerror(e), why.len ? " (" : "", why.len ? why.buf : "",
				   why.len ? ")" : "");
		strbuf_release(&why);
		return rc;
	}
	ALLOC_GROW(ls->tids, ls->ntids + 1, ls->atids);
	ALLOC_GROW(ls->resend, ls->ntids + 1, ls->aresend);
	ls->resend[ls->ntids] = 0;
	ls->tids[ls->ntids++] = tid;
	ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
	return 0;
}

/*
 * The signal a stop with wait STATUS took from the thread, which the
 * detach must deliver: a signal-delivery stop's (event 0). The stop
 * PTRACE_INTERRUPT asked for is a PTRACE_EVENT_STOP and took nothing.
 */
static int stop_signal(int status)
{
	if (!WIFSTOPPED(status) || status >> 16 == PTRACE_EVENT_STOP)
		return 0;
	return WSTOPSIG(status);
}

/*
 * Waits for the stop of every thread seized since FROM. A thread in
 * uninterruptible sleep (state D, a hung NFS read) stops only when it
 * leaves the kernel: wait a while, not forever.
 */
static void wait_stopped(struct live_state *ls, size_t from)
{
	for (size_t k = from; k < ls->ntids; k++) {
		pid_t tid = ls->tids[k];
		int waited = 0;
		for (;;) {
			int status;
			pid_t r = waitpid(tid, &status, __WALL | WNOHANG);
			if (r == tid) {
				ls->resend[k] = stop_signal(status);
				break;
			}
			if (r < 0 && errno != EINTR)
				break;
			if (waited >= STOP_WAIT_MS) {
				dump_warn(ls->d, "thread %d did not stop within %d ms (uninterruptible "
					  "sleep?): its registers and stack are missing",
					  (int)tid, STOP_WAIT_MS);
				break;
			}
			usleep(1000);
			waited++;
		}
	}
}

/* Stops every thread; threads created meanwhile are caught by another pass. */
static int stop_all(struct live_state *ls, struct strbuf *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)ls->pid);
	for (int pass = 0; pass < 10; pass++) {
		DIR *dir = opendir(path);
		if (!dir)
			return error_set(err, "no such process %d", (int)ls->pid);
		size_t before = ls->ntids;
		struct dirent *e;
		while ((e = readdir(dir))) {
			pid_t tid = (pid_t)atoi(e->d_name);
			if (tid <= 0 || seized(ls, tid))
				continue;
			describe_thread(ls, tid);
			if (seize_one(ls, tid, err) < 0) {
				closedir(dir);
				return -1;
			}
		}
		closedir(dir);
		wait_stopped(ls, before);
		if (ls->ntids == before)
			return 0;
	}
	return 0;
}

static void release_all(struct live_state *ls)
{
	for (size_t i = 0; i < ls->ntids; i++)
		ptrace(PTRACE_DETACH, ls->tids[i], NULL, (void *)(uintptr_t)ls->resend[i]);
	free(ls->tids);
	free(ls->resend);
	ls->tids = NULL;
	ls->resend = NULL;
	ls->ntids = 0;
}

static void read_regs(struct live_state *ls, struct native *n)
{
	for (size_t i = 0; i < ls->d->nthreads; i++) {
		struct thread *t = ls->d->threads[i];
		unsigned char raw[34 * 8];
		struct iovec iov = { raw, sizeof(raw) };
		if (ptrace(PTRACE_GETREGSET, (pid_t)t->tid, (void *)(uintptr_t)NT_PRSTATUS, &iov) < 0)
			continue;
		struct regs_abi abi = regs_host_abi(HOST_MACHINE);
		if (regs_decode(&abi, raw, iov.iov_len, thread_regs(ls->d, t)) == 0)
			native_keep_raw_regs(n, t->tid, raw, iov.iov_len);
#if defined(__aarch64__)
		uint64_t tpidr;
		struct iovec tiov = { &tpidr, sizeof(tpidr) };
		if (ptrace(PTRACE_GETREGSET, (pid_t)t->tid, (void *)(uintptr_t)0x401 /* NT_ARM_TLS */, &tiov) == 0)
			thread_regs(ls->d, t)->tls_base = tpidr;
#endif
	}
}

/* ---- parse ---- */

static int snapshot(struct live_state *ls, const struct mortem_opts *o, struct strbuf *err)
{
	struct dump *d = ls->d;
	struct native *n = native_new(d, o, true, err);
	if (!n)
		return -1;
	n->machine = HOST_MACHINE;
	struct live_mem *m = xcalloc(1, sizeof(*m));
	m->pid = ls->pid;
	m->memfd = -2;
	n->read = live_read;
	n->read_ctx = m;
	n->release = live_mem_free;
	int rc = dwfl_linux_proc_report(n->dwfl, ls->pid);
	if (rc != 0)
		return error_set(err, "dwfl_linux_proc_report: %s",
				 rc < 0 ? dwfl_error() : strerror(rc));
	if (dwfl_report_end(n->dwfl, NULL, NULL) != 0)
		return error_set(err, "dwfl_report_end: %s", dwfl_error());
	rc = dwfl_linux_proc_attach(n->dwfl, ls->pid, true);
	if (rc != 0)
		dump_warn(d, "dwfl_linux_proc_attach: %s",
			  rc < 0 ? dwfl_error() : strerror(rc));
	read_regs(ls, n);
	native_add_modules(n);
	native_expose_memory(n);
	d->process.runtime = "native";
	for (size_t i = 0; i < d->nmodules; i++)
		if (d->modules[i]->name && !strcmp(d->modules[i]->name, "libjvm.so"))
			d->process.runtime = "jvm";
	struct unwind_target target = { .pid = ls->pid, .le64 = sizeof(void *) == 8 &&
						 __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ };
	return native_unwind_all(n, &target, err);
}

static int live_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
		      struct strbuf *err)
{
	struct live_state ls = { .d = d, .pid = (pid_t)o->pid };
	if (o->pid <= 0)
		return error_set(err, "no process id given (-p PID)");
	if (ls.pid == getpid())
		return error_set(err, "cannot snapshot mortem itself");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", (int)ls.pid);
	if (access(path, F_OK) != 0)
		return error_set(err, "no such process %d", (int)ls.pid);
	if (task_state(ls.pid, ls.pid) == 'Z')
		return error_set(err, "process %d is a zombie: nothing to unwind", (int)ls.pid);
	dump_snapshot_begin(d);
	describe_process(&ls);
	int rc = stop_all(&ls, err);
	if (rc == 0)
		rc = snapshot(&ls, o, err);
	release_all(&ls);
	return rc;
}

const struct parser live_parser = {
	.name = "live",
	.summary = "a running process (-p PID), stopped briefly with ptrace",
	.probe = NULL,
	.parse = live_parse,
};
