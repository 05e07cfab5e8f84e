/* triage's walker with its archives read in a child process (walkiso.h). */
#include "analyzer/walkiso.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "analyzer/isolate.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/lib/xalloc.h"

/*
 * What parent and child say to each other, one message each (a
 * SOCK_SEQPACKET socketpair: a message arrives whole or not at all, even
 * from a child that dies while sending). The parent asks the child to
 * read a FILE; the child answers with ARTIFACTs (each waits for an
 * ANSWER: the artifact callback's return), PROBLEMs and WAITs for memory
 * (each waits for an ANSWER: whether some was given back). Progress rides
 * along with the next message (a message of its own at the end): one
 * wake-up less per member.
 */
enum msg_kind { MSG_FILE, MSG_ARTIFACT, MSG_PROBLEM, MSG_PROGRESS, MSG_WAIT, MSG_ANSWER };

struct msg {
	uint32_t kind;
	uint32_t split;           /* PROBLEM: the path's length (its message follows a NUL) */
	uint64_t len, raw_len;    /* FILE, ARTIFACT: the bytes of the descriptors sent along */
	uint64_t charge;          /* ARTIFACT: budget bytes the memfd holds, taken over by the parent */
	uint64_t progress;        /* any: bytes of the file consumed since the last message */
	int64_t mtime;
	int64_t value;            /* ANSWER */
};

/* Text after the header, at most (a message must fit the socket's buffer); longer is cut. */
#define MSG_TEXT_MAX (96 << 10)

struct walkiso {
	const struct walk_limits *limits; /* the caller's */
	const struct walk_ops *ops;
	void *ctx;
	struct walk_limits child_limits;  /* the child's: the budget through SHARE */
	struct membudget *share;
	struct walk_stats *shared;        /* the child's totals, in a shared mapping: they outlive it */
	uint64_t seen_bytes, seen_members, seen_own; /* what moved() saw last */
	struct isolate *iso;
	int sock[2];                      /* [0] the parent's end, [1] the child's */
	int stop;                         /* an artifact callback's nonzero return */
	uint64_t progress;                /* the child's, not sent yet */
	struct strbuf text;
	/* the file being read, for a request run in this process (no child could be made) */
	const char *path;
	int fd;
	size_t len;
	int64_t mtime;
};

static int send_msg(int sock, struct msg *m, const char *text, size_t textlen,
		    const int *fds, int nfds)
{
	if (textlen > MSG_TEXT_MAX)
		textlen = MSG_TEXT_MAX;
	struct iovec iov[2] = { { (void *)m, sizeof(*m) }, { (void *)text, textlen } };
	return fd_send_fds(sock, iov, 2, fds, nfds) < 0 ? -1 : 0;
}

/*
 * Receives one message into M, its text into TEXT (NUL-terminated) and
 * up to two descriptors into FDS (-1 where none). Returns 0, or -1 (none
 * to be had; FLAGS MSG_DONTWAIT: none waiting).
 */
static int recv_msg(int sock, struct msg *m, struct strbuf *text, int fds[2], int flags)
{
	static char buf[sizeof(struct msg) + MSG_TEXT_MAX];
	ssize_t r = fd_recv_fds(sock, buf, sizeof(buf), fds, 2, flags);
	if (r < 0)
		return -1;
	if ((size_t)r < sizeof(*m)) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return -1;
	}
	memcpy(m, buf, sizeof(*m));
	strbuf_reset(text);
	strbuf_add(text, buf + sizeof(*m), (size_t)r - sizeof(*m));
	if (m->split > text->len)
		m->split = (uint32_t)text->len;
	return 0;
}

static void close_fds(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- the child: walk_file's callbacks become messages ---- */

/* Sends M from the child, with the progress not sent yet. */
static int child_send(struct walkiso *wi, struct msg *m, const char *text, size_t textlen,
		      const int *fds, int nfds)
{
	m->progress = wi->progress;
	wi->progress = 0;
	return send_msg(wi->sock[1], m, text, textlen, fds, nfds);
}

/* Waits for the parent's answer (0 when it cannot be had). */
static int64_t child_answer(struct walkiso *wi)
{
	struct msg m;
	int fds[2];
	while (recv_msg(wi->sock[1], &m, &wi->text, fds, 0) == 0) {
		close_fds(fds);
		if (m.kind == MSG_ANSWER)
			return m.value;
	}
	return 0;
}

static int child_artifact(void *ctx, const struct walk_artifact *a)
{
	struct walkiso *wi = ctx;
	isolate_test_walker_fault(a->path);
	struct msg m = { .kind = MSG_ARTIFACT, .len = a->len, .raw_len = a->raw_len,
			 .charge = a->charge ? *a->charge : 0, .mtime = a->mtime };
	int fds[2] = { a->fd, a->raw_fd };
	int nfds = a->raw_fd >= 0 && a->raw_fd != a->fd ? 2 : 1;
	if (child_send(wi, &m, a->path, strlen(a->path), fds, nfds) < 0)
		return 1; /* the parent is gone: stop */
	if (a->charge)
		*a->charge = 0; /* the parent's now, with the memfd */
	return (int)child_answer(wi);
}

static void child_problem(void *ctx, const char *path, const char *msg)
{
	struct walkiso *wi = ctx;
	struct strbuf sb = STRBUF_INIT;
	size_t plen = strlen(path);
	if (plen > MSG_TEXT_MAX / 2)
		plen = MSG_TEXT_MAX / 2;
	strbuf_add(&sb, path, plen);
	strbuf_addch(&sb, '\0');
	strbuf_adds(&sb, msg);
	struct msg m = { .kind = MSG_PROBLEM, .split = (uint32_t)plen };
	child_send(wi, &m, sb.buf, sb.len, NULL, 0);
	strbuf_release(&sb);
}

static void child_progress(void *ctx, uint64_t raw)
{
	struct walkiso *wi = ctx;
	wi->progress += raw;
}

static bool child_wait_memory(void *ctx)
{
	struct walkiso *wi = ctx;
	struct msg m = { .kind = MSG_WAIT };
	return child_send(wi, &m, "", 0, NULL, 0) == 0 && child_answer(wi) != 0;
}

static const struct walk_ops child_ops = {
	.artifact = child_artifact,
	.problem = child_problem,
	.progress = child_progress,
	.wait_memory = child_wait_memory,
};

/* The request, in the child: read the file the parent sent. */
static int read_in_child(struct walkiso *wi)
{
	struct msg m;
	int fds[2];
	struct strbuf path = STRBUF_INIT;
	if (recv_msg(wi->sock[1], &m, &path, fds, 0) < 0 || m.kind != MSG_FILE || fds[0] < 0) {
		close_fds(fds);
		strbuf_release(&path);
		return 125;
	}
	isolate_test_walker_fault(path.buf);
	int rc = walk_file(path.buf, fds[0], m.len, m.mtime, &wi->child_limits, &child_ops, wi,
			   wi->shared) != 0;
	if (wi->progress) {
		struct msg p = { .kind = MSG_PROGRESS };
		child_send(wi, &p, "", 0, NULL, 0);
	}
	close_fds(fds);
	strbuf_release(&path);
	return rc;
}

static int read_request(void *ctx, int n, int out)
{
	struct walkiso *wi = ctx;
	(void)n;
	(void)out;
	if (isolate_in_child())
		return read_in_child(wi);
	/* no child could be made: read it here, the message that was sent for it dropped */
	struct msg m;
	int fds[2];
	while (recv_msg(wi->sock[1], &m, &wi->text, fds, MSG_DONTWAIT) == 0)
		close_fds(fds);
	return walk_file(wi->path, wi->fd, wi->len, wi->mtime, wi->limits, wi->ops,
			 wi->ctx, wi->shared) != 0;
}

/* ---- the parent: serving the child's messages ---- */

static void answer(struct walkiso *wi, int64_t value)
{
	struct msg m = { .kind = MSG_ANSWER, .value = value };
	send_msg(wi->sock[0], &m, "", 0, NULL, 0);
}

/* An artifact from the child: handed to the caller as the walker would. Returns the callback's value. */
static int take_artifact(struct walkiso *wi, const struct msg *m, int fds[2])
{
	uint64_t charge = m->charge;
	if (wi->share)
		membudget_disown(wi->share, charge);
	int raw_fd = fds[1] >= 0 ? fds[1] : fds[0];
	int stop = 0;
	if (fds[0] < 0) {
		wi->ops->problem(wi->ctx, wi->text.buf, "the archive's reader handed over a member "
				 "without its bytes");
	} else {
		struct walk_artifact a = { wi->text.buf, fds[0], m->len, raw_fd,
					   raw_fd == fds[0] ? m->len : m->raw_len, m->mtime, &charge };
		stop = wi->ops->artifact(wi->ctx, &a);
	}
	if (charge && wi->limits->budget)
		membudget_give(wi->limits->budget, charge); /* nobody took it over: the memfd goes now */
	if (stop)
		wi->stop = stop;
	return stop;
}

/* One message from the child (isolate_watch: the descriptor is readable). */
static void serve(void *ctx)
{
	struct walkiso *wi = ctx;
	struct msg m;
	int fds[2];
	if (recv_msg(wi->sock[0], &m, &wi->text, fds, MSG_DONTWAIT) < 0)
		return;
	if (m.progress && wi->ops->progress)
		wi->ops->progress(wi->ctx, m.progress);
	switch (m.kind) {
	case MSG_ARTIFACT:
		answer(wi, take_artifact(wi, &m, fds));
		break;
	case MSG_PROBLEM:
		wi->ops->problem(wi->ctx, wi->text.buf, wi->text.buf + m.split +
				 (m.split < wi->text.len));
		break;
	case MSG_WAIT:
		answer(wi, wi->ops->wait_memory && wi->ops->wait_memory(wi->ctx));
		break;
	default:
		break;
	}
	close_fds(fds);
}

/* Whether the child decompressed or took anything since it was last asked. */
static bool moved(void *ctx)
{
	struct walkiso *wi = ctx;
	uint64_t bytes = __atomic_load_n(&wi->shared->bytes, __ATOMIC_RELAXED);
	uint64_t members = __atomic_load_n(&wi->shared->members, __ATOMIC_RELAXED);
	uint64_t own = wi->share ? membudget_own(wi->share) : 0;
	bool any = bytes != wi->seen_bytes || members != wi->seen_members || own != wi->seen_own;
	wi->seen_bytes = bytes;
	wi->seen_members = members;
	wi->seen_own = own;
	return any;
}

/*
 * The child is gone: what it said and was not served, and what was said
 * to it and not read, is dropped; the budget it held is given back.
 */
static void recover(struct walkiso *wi)
{
	struct msg m;
	int fds[2];
	for (int end = 0; end < 2; end++)
		while (recv_msg(wi->sock[end], &m, &wi->text, fds, MSG_DONTWAIT) == 0)
			close_fds(fds);
	if (wi->share)
		membudget_give(wi->share, membudget_own(wi->share));
}

/* walk.h's read_file, in the parent: the file goes to the child. */
static int read_file(void *ctx, const char *path, int fd, size_t len, int64_t mtime)
{
	struct walkiso *wi = ctx;
	wi->path = path;
	wi->fd = fd;
	wi->len = len;
	wi->mtime = mtime;
	wi->stop = 0;
	moved(wi); /* progress counts from here */
	struct strbuf why = STRBUF_INIT;
	struct msg m = { .kind = MSG_FILE, .len = len, .mtime = mtime };
	int rc;
	if (send_msg(wi->sock[0], &m, path, strlen(path), &fd, 1) < 0) {
		strbuf_addf(&why, "cannot hand the file to the archive reader: %s", strerror(errno));
		rc = -1;
	} else {
		rc = isolate_call(wi->iso, 0, &why);
	}
	if (rc < 0) {
		recover(wi);
		wi->ops->problem(wi->ctx, path, why.buf);
	}
	strbuf_release(&why);
	return wi->stop ? wi->stop : rc > 0;
}

/* ---- the caller's callbacks, for what the parent walks itself ---- */

static int fwd_artifact(void *ctx, const struct walk_artifact *a)
{
	struct walkiso *wi = ctx;
	return wi->ops->artifact(wi->ctx, a);
}

static void fwd_problem(void *ctx, const char *path, const char *msg)
{
	struct walkiso *wi = ctx;
	wi->ops->problem(wi->ctx, path, msg);
}

static void fwd_progress(void *ctx, uint64_t raw)
{
	struct walkiso *wi = ctx;
	if (wi->ops->progress)
		wi->ops->progress(wi->ctx, raw);
}

static void fwd_skip(void *ctx, const char *path, const char *what)
{
	struct walkiso *wi = ctx;
	if (wi->ops->skip)
		wi->ops->skip(wi->ctx, path, what);
}

static bool fwd_wait_memory(void *ctx)
{
	struct walkiso *wi = ctx;
	return wi->ops->wait_memory && wi->ops->wait_memory(wi->ctx);
}

static const struct walk_ops parent_ops = {
	.artifact = fwd_artifact,
	.problem = fwd_problem,
	.progress = fwd_progress,
	.skip = fwd_skip,
	.wait_memory = fwd_wait_memory,
	.read_file = read_file,
};

static void add_stats(struct walk_stats *to, const struct walk_stats *from)
{
	to->members += from->members;
	to->bytes += from->bytes;
	to->archives += from->archives;
	to->limit_hit |= from->limit_hit;
	to->bytes_exhausted |= from->bytes_exhausted;
	to->members_exhausted |= from->members_exhausted;
}

int walkiso_paths(const char *const *paths, size_t npaths, const struct walk_limits *limits,
		  const struct walk_ops *ops, void *ctx, struct walk_stats *stats, int timeout)
{
	struct walkiso wi = { .limits = limits, .ops = ops, .ctx = ctx, .text = STRBUF_INIT };
	void *shared = MAP_FAILED;
	if (!isolate_disabled() &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, wi.sock) == 0) {
		shared = mmap(NULL, sizeof(*wi.shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			close(wi.sock[0]), close(wi.sock[1]);
	}
	if (shared == MAP_FAILED)
		return walk_paths(paths, npaths, limits, ops, ctx, stats);
	wi.shared = shared;
	memset(wi.shared, 0, sizeof(*wi.shared));
	wi.share = limits->budget ? membudget_share(limits->budget) : NULL;
	wi.child_limits = *limits;
	wi.child_limits.budget = wi.share;
	wi.iso = isolate_new(read_request, &wi, wi.sock[1], timeout);
	isolate_watch(wi.iso, &(struct isolate_watch){ .what = "archive", .fd = wi.sock[0],
						       .serve = serve, .moved = moved,
						       .ctx = &wi });
	int r = walk_paths(paths, npaths, limits, &parent_ops, &wi, stats);
	isolate_free(wi.iso);
	add_stats(stats, wi.shared);
	recover(&wi);
	close(wi.sock[0]);
	close(wi.sock[1]);
	membudget_free(wi.share);
	munmap(wi.shared, sizeof(*wi.shared));
	strbuf_release(&wi.text);
	return r;
}
