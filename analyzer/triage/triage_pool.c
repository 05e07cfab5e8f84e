#include "analyzer/triage/triage_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parsers/native/symcache.h"
#include "analyzer/lib/arena.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/triage/triage_record.h"

/*
 * Artifacts a worker holds: the one it analyzes and those waiting in its
 * socket behind it, so that it goes on while the parent reads its answers
 * and walks on. At most MAX_IN_FLIGHT in all (the parent keeps a copy of
 * the descriptor of each that waits).
 */
#define POOL_DEPTH 8
#define MIN_DEPTH 2
#define MAX_IN_FLIGHT 128

/*
 * While every busy worker has artifacts waiting behind the one it
 * analyzes, the parent naps before it waits for answers, then takes all
 * that came: an answer that has to wake the parent costs the worker's
 * send and the parent's poll a wake-up each (on a small core, a tenth of
 * the time of both); one written while the parent naps costs neither. The
 * nap is half the time the fewest waiting artifacts take, by the recent
 * time an artifact took, and at most NAP_MAX seconds.
 */
#define NAP_MAX 500e-6
#define NAP_MIN 50e-6

struct job {
	size_t tag;
	int fd;         /* a copy of the artifact's descriptor while it waits behind another, else -1 */
	size_t len;
	char *path;
};

struct worker {
	pid_t pid;
	int sock;
	struct job jobs[POOL_DEPTH]; /* in the order sent: jobs[0] is the one being analyzed */
	int njobs;
	double deadline; /* jobs[0]'s */
	double since;    /* when it started on its jobs or its answers were last taken */
	struct strbuf in; /* what was read of its answers and not yet taken */
};

struct pool {
	struct worker *w;
	struct pollfd *pfd; /* one a worker */
	struct strbuf out;  /* a request being sent */
	double per_job;     /* the recent time a worker took an artifact (0: not known yet) */
	int n, depth;
	size_t busy;
	const struct mortem_opts *o;
	int timeout;
	struct membudget *budget;
	pool_done_fn done;
	void *ctx;
};

struct request {
	uint64_t len;
	uint32_t pathlen;
};

/* A worker's answer: the lengths of the record and of its summary, which follow. */
struct answer {
	uint32_t record, summary;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Receives one request; returns the artifact's fd, or -1 at the end. */
static int worker_receive(int sock, struct request *rq, struct strbuf *path)
{
	int fd;
	ssize_t r = fd_recv_fds(sock, rq, sizeof(*rq), &fd, 1, MSG_WAITALL);
	if (r != (ssize_t)sizeof(*rq) || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	strbuf_reset(path);
	strbuf_grow(path, rq->pathlen + 1);
	if (fd_read_full(sock, path->buf, rq->pathlen) < 0) {
		close(fd);
		return -1;
	}
	path->len = rq->pathlen;
	path->buf[path->len] = '\0';
	return fd;
}

static void __attribute__((noreturn)) worker_main(int sock, const struct mortem_opts *o,
						  struct membudget *budget)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	symcache_enable(1 << 20); /* this worker's later cores reuse its symbolization */
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT, summary = STRBUF_INIT;
	struct request rq;
	int fd;
	while ((fd = worker_receive(sock, &rq, &path)) >= 0) {
		struct answer a = { 0 };
		strbuf_reset(&out);
		strbuf_reset(&summary);
		strbuf_add(&out, &a, sizeof(a)); /* one write: the lengths, the record, the summary */
		record_analyze(fd, (size_t)rq.len, path.buf, o, budget, &out, &summary);
		close(fd);
		a = (struct answer){ (uint32_t)(out.len - sizeof(a)), (uint32_t)summary.len };
		memcpy(out.buf, &a, sizeof(a));
		strbuf_add(&out, summary.buf, summary.len);
		if (fd_write_full(sock, out.buf, out.len) < 0)
			break;
	}
	_exit(0);
}

static void spawn(struct pool *p, int i)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die_oom();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die_oom();
	if (pid == 0) {
		close(sv[0]);
		for (int k = 0; k < p->n; k++) {
			if (k != i && p->w[k].sock >= 0)
				close(p->w[k].sock);
			for (int q = 0; q < p->w[k].njobs; q++) /* the parent's copies of waiting artifacts */
				if (p->w[k].jobs[q].fd >= 0)
					close(p->w[k].jobs[q].fd);
		}
		worker_main(sv[1], p->o, p->budget);
	}
	close(sv[1]);
	strbuf_release(&p->w[i].in);
	p->w[i] = (struct worker){ .pid = pid, .sock = sv[0], .in = STRBUF_INIT };
}

struct pool *pool_start(int nworkers, const struct mortem_opts *o, int timeout,
			struct membudget *budget, pool_done_fn done, void *ctx)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	p->n = nworkers < 1 ? 1 : nworkers;
	p->depth = MAX_IN_FLIGHT / p->n;
	p->depth = p->depth > POOL_DEPTH ? POOL_DEPTH : p->depth < MIN_DEPTH ? MIN_DEPTH : p->depth;
	p->w = xcalloc((size_t)p->n, sizeof(*p->w));
	p->pfd = xcalloc((size_t)p->n, sizeof(*p->pfd));
	strbuf_init(&p->out, 0);
	for (int i = 0; i < p->n; i++) {
		p->w[i].sock = -1;
		strbuf_init(&p->w[i].in, 0);
	}
	p->o = o;
	p->timeout = timeout;
	p->budget = budget;
	p->done = done;
	p->ctx = ctx;
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < p->n; i++)
		spawn(p, i);
	return p;
}

/*
 * Stops worker I (killing it when KILL, else ending its input) and reaps
 * it; returns its wait status. Its socket stays open (close_socket).
 */
static int reap(struct pool *p, int i, bool kill_it)
{
	struct worker *w = &p->w[i];
	if (kill_it)
		kill(w->pid, SIGKILL);
	else
		shutdown(w->sock, SHUT_WR); /* no more work: it ends */
	int status = 0;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void close_socket(struct worker *w)
{
	close(w->sock);
	w->sock = -1;
}

/* Artifact TAG is done: its RECORD and SUMMARY, or NULL and the ERROR that says why. */
static void finish_job(struct pool *p, size_t tag, const char *record, const char *summary,
		       const char *error)
{
	p->busy--;
	p->done(p->ctx, tag, record, summary, error);
}

/*
 * One message: the request, the path, the descriptor (what the socket did
 * not take at once follows).
 */
static bool send_request(struct pool *p, struct worker *w, int fd, size_t len, const char *path)
{
	struct request rq;
	memset(&rq, 0, sizeof(rq)); /* its padding too: every byte sent is defined */
	rq.len = len;
	rq.pathlen = (uint32_t)strlen(path);
	strbuf_reset(&p->out);
	strbuf_add(&p->out, &rq, sizeof(rq));
	strbuf_add(&p->out, path, rq.pathlen);
	struct iovec iov = { p->out.buf, p->out.len };
	ssize_t sent = fd_send_fds(w->sock, &iov, 1, &fd, 1);
	return sent > 0 && fd_write_full(w->sock, p->out.buf + sent, p->out.len - (size_t)sent) == 0;
}

static void job_release(struct job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	j->fd = -1;
	j->path = NULL;
}

/* Worker W's first job is done (or failed): the next one, if any, is now the one analyzed. */
static struct job pop_job(struct pool *p, struct worker *w)
{
	struct job head = w->jobs[0];
	memmove(&w->jobs[0], &w->jobs[1], (size_t)(w->njobs - 1) * sizeof(w->jobs[0]));
	w->njobs--;
	if (w->njobs) {
		w->deadline = now() + p->timeout;
		job_release(&w->jobs[0]); /* should it die now, it is the culprit: never sent again */
	}
	return head;
}

/*
 * Hands worker I the artifact TAG (FD, LEN bytes, named PATH): kept with a
 * copy of FD and PATH when it waits behind another (to be sent again should
 * the worker die). False when the worker could not be told.
 */
static bool push_job(struct pool *p, int i, int fd, size_t len, const char *path, size_t tag)
{
	struct worker *w = &p->w[i];
	struct job *j = &w->jobs[w->njobs++];
	*j = (struct job){ .tag = tag, .fd = -1, .len = len, .path = NULL };
	if (w->njobs == 1) {
		w->since = now();
		w->deadline = w->since + p->timeout;
	} else {
		j->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		j->path = xstrdup(path);
	}
	return send_request(p, w, fd, len, path);
}

static void replace(struct pool *p, int i, bool timed_out);
static ssize_t read_answers(struct worker *w);
static int take_answers(struct pool *p, int i);

/*
 * Sends the jobs that waited behind a dead worker's to its replacement, I,
 * by the copies of their descriptors; one without a copy (none could be
 * made) is reported lost.
 */
static void resend(struct pool *p, int i, struct job *waiting, int n)
{
	bool sent = true;
	for (int k = 0; k < n; k++) {
		struct job *j = &waiting[k];
		if (j->fd >= 0)
			sent &= push_job(p, i, j->fd, j->len, j->path, j->tag);
		else
			finish_job(p, j->tag, NULL, NULL, "analysis worker lost");
		job_release(j);
	}
	if (!sent)
		replace(p, i, false);
}

/* The worker died or misbehaved: report why, and put a fresh one in its place. */
static void replace(struct pool *p, int i, bool timed_out)
{
	struct worker *w = &p->w[i];
	int status = reap(p, i, true);
	/* what it answered before it died was done: taken, not blamed */
	while (read_answers(w) > 0)
		;
	take_answers(p, i);
	close_socket(w);
	struct job jobs[POOL_DEPTH];
	int njobs = w->njobs;
	memcpy(jobs, w->jobs, (size_t)njobs * sizeof(jobs[0]));
	w->njobs = 0;
	struct strbuf why = STRBUF_INIT;
	if (timed_out)
		strbuf_addf(&why, "analysis timed out after %d s (--timeout)", p->timeout);
	else if (WIFSIGNALED(status))
		strbuf_addf(&why, "analysis killed by %s",
			    signal_name(WTERMSIG(status)) ? signal_name(WTERMSIG(status)) : "a signal");
	else if (WIFEXITED(status))
		strbuf_addf(&why, "analysis ended with exit status %d", WEXITSTATUS(status));
	else
		strbuf_adds(&why, "analysis worker lost");
	spawn(p, i); /* idle */
	if (njobs) { /* the one it was analyzing */
		job_release(&jobs[0]);
		finish_job(p, jobs[0].tag, NULL, NULL, why.buf);
		resend(p, i, jobs + 1, njobs - 1);
	}
	strbuf_release(&why);
}

/* An answer taken from a worker's buffer: its job and, NUL-ended, its record and summary. */
struct taken {
	struct job job;
	char *record, *summary;
};

/* Reads what worker W has written since (up to 64 KB more): the bytes read, 0 at its end, or -1. */
static ssize_t read_answers(struct worker *w)
{
	strbuf_grow(&w->in, 64 << 10);
	ssize_t r;
	do
		r = read(w->sock, w->in.buf + w->in.len, w->in.alloc - w->in.len - 1);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		w->in.len += (size_t)r;
	return r;
}

/*
 * Takes every whole answer read of worker I, in order: each finishes its
 * oldest job. How many, or -1 when there is an answer for no job.
 */
static int take_answers(struct pool *p, int i)
{
	struct worker *w = &p->w[i];
	struct taken taken[POOL_DEPTH];
	int ntaken = 0;
	size_t at = 0;
	bool stray = false;
	while (w->in.len - at >= sizeof(struct answer)) {
		struct answer a;
		memcpy(&a, w->in.buf + at, sizeof(a));
		size_t whole = sizeof(a) + (size_t)a.record + a.summary;
		if (w->in.len - at < whole) {
			strbuf_grow(&w->in, whole - (w->in.len - at)); /* the rest comes later */
			break;
		}
		if (ntaken == w->njobs) {
			stray = true; /* more answers than jobs */
			break;
		}
		/* the record, NUL, the summary, NUL */
		const char *from = w->in.buf + at + sizeof(a);
		char *buf = xmalloc((size_t)a.record + a.summary + 2);
		memcpy(buf, from, a.record);
		memcpy(buf + a.record + 1, from + a.record, a.summary);
		buf[a.record] = buf[a.record + 1 + a.summary] = '\0';
		taken[ntaken++] = (struct taken){ .record = buf, .summary = buf + a.record + 1 };
		at += whole;
	}
	memmove(w->in.buf, w->in.buf + at, w->in.len - at);
	w->in.len -= at;
	if (ntaken) {
		double t = now(), each = (t - w->since) / ntaken;
		p->per_job = p->per_job ? 0.8 * p->per_job + 0.2 * each : each;
		w->since = t;
	}
	for (int k = 0; k < ntaken; k++) /* the jobs first: a completion may start more work */
		taken[k].job = pop_job(p, w);
	for (int k = 0; k < ntaken; k++) {
		job_release(&taken[k].job);
		finish_job(p, taken[k].job.tag, taken[k].record, taken[k].summary, NULL);
		free(taken[k].record);
	}
	return stray ? -1 : ntaken;
}

/*
 * Reads what worker I has written and takes every whole answer in it
 * (several may have come at once). The end of its output or an answer for
 * no job replaces it. Whether any job finished (part of an answer waits
 * for the rest).
 */
static bool collect(struct pool *p, int i)
{
	if (read_answers(&p->w[i]) <= 0) {
		replace(p, i, false);
		return true;
	}
	int n = take_answers(p, i);
	if (n < 0)
		replace(p, i, false);
	return n != 0;
}

/* How long to nap before waiting for answers (seconds; 0: none), see NAP_MAX. */
static double nap(const struct pool *p)
{
	int ahead = POOL_DEPTH;
	bool busy = false;
	for (int i = 0; i < p->n; i++) {
		if (!p->w[i].njobs)
			continue;
		busy = true;
		if (p->w[i].njobs - 1 < ahead)
			ahead = p->w[i].njobs - 1;
	}
	double t = busy ? ahead * p->per_job / 2 : 0;
	return t < NAP_MIN ? 0 : t > NAP_MAX ? NAP_MAX : t;
}

/*
 * Waits until at least one busy worker finished (or overran its time), or
 * MS milliseconds passed (-1: no limit). Returns whether any finished.
 */
static bool wait_some(struct pool *p, int ms_limit)
{
	struct pollfd *pfd = p->pfd;
	double end = ms_limit >= 0 ? now() + ms_limit / 1000.0 : 0;
	bool any = false, napped = false;
	for (;;) {
		double t = now(), first = end;
		int nfd = 0;
		for (int i = 0; i < p->n; i++) {
			bool busy = p->w[i].njobs > 0;
			pfd[i] = (struct pollfd){ .fd = busy ? p->w[i].sock : -1, .events = POLLIN };
			if (busy && p->timeout > 0 && (!first || p->w[i].deadline < first))
				first = p->w[i].deadline;
			nfd += busy;
		}
		if (!nfd && ms_limit < 0)
			break;
		int ms = -1;
		if (first)
			ms = first <= t ? 0 : (int)((first - t) * 1000) + 1;
		/* no answer waiting yet: the workers are behind, the parent naps (NAP_MAX) */
		double rest = ms_limit < 0 && !napped ? nap(p) : 0;
		int r = poll(pfd, (nfds_t)p->n, rest ? 0 : ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && rest) {
			napped = true;
			usleep((useconds_t)(rest * 1e6));
			continue;
		}
		for (int i = 0; i < p->n; i++) {
			if (!p->w[i].njobs)
				continue;
			if (r > 0 && pfd[i].revents) {
				any |= collect(p, i);
			} else if (p->timeout > 0 && now() >= p->w[i].deadline) {
				replace(p, i, true);
				any = true;
			}
		}
		if (any || (ms_limit >= 0 && now() >= end))
			break;
	}
	return any;
}

void pool_wait(struct pool *p, int ms)
{
	wait_some(p, ms < 0 ? 0 : ms);
}

void pool_submit(struct pool *p, int fd, size_t len, const char *path, size_t tag)
{
	while (p->busy == (size_t)p->n * (size_t)p->depth)
		wait_some(p, -1);
	int i = 0; /* the worker holding the fewest */
	for (int k = 1; k < p->n; k++)
		if (p->w[k].njobs < p->w[i].njobs)
			i = k;
	p->busy++;
	if (!push_job(p, i, fd, len, path, tag))
		replace(p, i, false);
}

bool pool_wait_one(struct pool *p)
{
	return wait_some(p, -1);
}

void pool_finish(struct pool *p)
{
	while (p->busy)
		wait_some(p, -1);
	for (int i = 0; i < p->n; i++) {
		reap(p, i, false);
		close_socket(&p->w[i]);
		strbuf_release(&p->w[i].in);
	}
	strbuf_release(&p->out);
	free(p->pfd);
	free(p->w);
	free(p);
}
