#include "analyzer/analysis/lockgraph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/prefetch.h"
#include "analyzer/lib/ptrmemo.h"
#include "analyzer/model/catalogue.h"
#include "analyzer/analysis/analyze.h"

#include "analyzer/analysis/lockhotspot.h"

/*
 * Nodes are the threads that hold a lock (0 .. nthreads-1, in dump order),
 * then every lock (nthreads .. n-1); edges go from such a thread to the
 * lock it waits on, and from a lock to each thread holding it. A thread
 * that holds nothing has no edge into it, so it is on no cycle: leaving it
 * out keeps the graph as small as the holders (a dump of 200,000 waiting
 * threads that hold nothing has no thread node), and making the locks
 * nodes keeps the edge count linear (holders + holds) even when many
 * threads wait on a lock that many threads hold for reading. A thread that
 * is not a node reaches the graph only through its wait (blocking_lock).
 */
struct graph {
	size_t nthreads, n;
	struct thread **thread; /* each thread node's thread (sorted by index: dump order) */
	size_t *first;    /* n + 1: edges of node v are edge[first[v] .. first[v+1]) */
	size_t *edge;
	size_t *comp;     /* component number of each node (SIZE_MAX: none) */
	size_t *comp_size;
	size_t ncomp;
	bool holders_shown; /* some lock other than a join has a holder (owner or holds) */
};

#define NONE SIZE_MAX

static bool thread_in_dump(const struct dump *d, const struct thread *t)
{
	return t && t->index < d->nthreads && d->threads[t->index] == t;
}

static bool lock_in_dump(const struct dump *d, const struct lock *l)
{
	return l && l->index < d->nlocks && d->locks[l->index] == l;
}

static bool holds_lock(const struct thread *t, const struct lock *l)
{
	if (l->owner == t)
		return true;
	for (size_t i = 0; i < t->nholds; i++)
		if (t->holds[i] == l)
			return true;
	return false;
}

/* Kinds where waiting on a lock one holds is a deadlock rather than reentry or EDEADLK. */
static bool kind_self_deadlocks(enum lock_kind k)
{
	return k == LOCK_PTHREAD_MUTEX || k == LOCK_FUTEX || k == LOCK_UNKNOWN;
}

/* The lock T really waits on, or NULL (none, not in the dump, or reentry of a lock it holds). */
static const struct lock *blocking_lock(const struct dump *d, const struct thread *t)
{
	const struct lock *l = t->waiting_on;
	if (!lock_in_dump(d, l))
		return NULL;
	if (holds_lock(t, l) && !kind_self_deadlocks(l->kind))
		return NULL;
	return l;
}

/*
 * Who holds which lock of the dump, from one pass over the threads'
 * holds: the threads of lock j's hold lists are thread[first[j] ..
 * first[j+1]) (indices in dump order); a lock's holders are its owner,
 * then those (lock_holders).
 */
struct holders {
	size_t *first;    /* nlocks + 1 */
	size_t *thread;
	bool shown;       /* some hold of a lock other than a join (in the dump or not) */
};

struct hold {
	size_t lock, thread;
};

static void holders_build(const struct dump *d, struct holders *h)
{
	struct hold *holds = NULL;
	size_t nholds = 0, alloc = 0;
	h->shown = false;
	for (size_t i = 0; i < d->nthreads; i++) {
		PREFETCH_FIELD(d->threads, i, d->nthreads, nholds);
		const struct thread *t = d->threads[i];
		for (size_t k = 0; k < t->nholds; k++) {
			const struct lock *l = t->holds[k];
			h->shown |= l->kind != LOCK_THREAD_JOIN;
			if (!lock_in_dump(d, l))
				continue;
			ALLOC_GROW(holds, nholds + 1, alloc);
			holds[nholds++] = (struct hold){ l->index, i };
		}
	}
	h->first = xcalloc(d->nlocks + 1, sizeof(*h->first));
	for (size_t k = 0; k < nholds; k++)
		h->first[holds[k].lock + 1]++;
	for (size_t j = 0; j < d->nlocks; j++)
		h->first[j + 1] += h->first[j];
	h->thread = xmalloc((nholds ? nholds : 1) * sizeof(*h->thread));
	size_t *fill = xcalloc(d->nlocks ? d->nlocks : 1, sizeof(*fill));
	for (size_t k = 0; k < nholds; k++)
		h->thread[h->first[holds[k].lock] + fill[holds[k].lock]++] = holds[k].thread;
	free(fill);
	free(holds);
}

static void holders_release(struct holders *h)
{
	free(h->first);
	free(h->thread);
}

/* Stores in OUT each distinct thread holding lock J (its owner, then its hold list); returns how many. */
static size_t lock_holders(const struct dump *d, const struct holders *h, size_t j, struct thread **out)
{
	const struct lock *l = d->locks[j];
	size_t n = 0;
	if (thread_in_dump(d, l->owner))
		out[n++] = l->owner;
	for (size_t k = h->first[j]; k < h->first[j + 1]; k++)
		if (d->threads[h->thread[k]] != l->owner)
			out[n++] = d->threads[h->thread[k]];
	return n;
}

/* The thread node of T, or NONE when T holds no lock. */
static size_t thread_node(const struct graph *g, const struct thread *t)
{
	size_t lo = 0, hi = g->nthreads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->thread[mid]->index < t->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nthreads && g->thread[lo] == t ? lo : NONE;
}

/* The thread nodes: every thread that holds a lock of the dump, in dump order. */
static void graph_threads(const struct dump *d, const struct holders *h, struct graph *g)
{
	size_t words = d->nthreads / 64 + 1, n = 0;
	uint64_t *holder = xcalloc(words, sizeof(*holder));
	for (size_t j = 0; j < d->nlocks; j++) {
		const struct thread *o = d->locks[j]->owner;
		if (thread_in_dump(d, o))
			holder[o->index / 64] |= 1ull << (o->index % 64);
		for (size_t k = h->first[j]; k < h->first[j + 1]; k++)
			holder[h->thread[k] / 64] |= 1ull << (h->thread[k] % 64);
	}
	for (size_t w = 0; w < words; w++)
		n += (size_t)__builtin_popcountll(holder[w]);
	g->thread = xmalloc((n ? n : 1) * sizeof(*g->thread));
	for (size_t w = 0; w < words; w++)
		for (uint64_t bits = holder[w]; bits; bits &= bits - 1)
			g->thread[g->nthreads++] = d->threads[w * 64 + (size_t)__builtin_ctzll(bits)];
	free(holder);
}

static void graph_build(const struct dump *d, struct graph *g)
{
	struct holders h;
	holders_build(d, &h);
	memset(g, 0, sizeof(*g));
	graph_threads(d, &h, g);
	g->holders_shown = h.shown;
	for (size_t j = 0; j < d->nlocks && !g->holders_shown; j++)
		g->holders_shown = d->locks[j]->kind != LOCK_THREAD_JOIN && d->locks[j]->owner;
	g->n = g->nthreads + d->nlocks;
	g->first = xmalloc((g->n + 1) * sizeof(*g->first));
	g->edge = xmalloc((g->nthreads + d->nlocks + h.first[d->nlocks] + 1) * sizeof(*g->edge));
	size_t ne = 0;
	for (size_t v = 0; v < g->nthreads; v++) {
		g->first[v] = ne;
		const struct lock *l = blocking_lock(d, g->thread[v]);
		if (l)
			g->edge[ne++] = g->nthreads + l->index;
	}
	struct thread **tmp = xmalloc((g->nthreads + 1) * sizeof(*tmp));
	for (size_t j = 0; j < d->nlocks; j++) {
		g->first[g->nthreads + j] = ne;
		size_t nh = lock_holders(d, &h, j, tmp);
		for (size_t k = 0; k < nh; k++)
			g->edge[ne++] = thread_node(g, tmp[k]);
	}
	g->first[g->n] = ne;
	free(tmp);
	holders_release(&h);
}

/* Tarjan's strongly connected components without recursion: an explicit call stack. */
static void graph_scc(struct graph *g)
{
	size_t n = g->n, counter = 0, sp = 0, cp = 0;
	size_t *idx = xmalloc((n + 1) * sizeof(*idx)), *low = xmalloc((n + 1) * sizeof(*low));
	size_t *stack = xmalloc((n + 1) * sizeof(*stack)), *call = xmalloc((n + 1) * sizeof(*call));
	size_t *pos = xmalloc((n + 1) * sizeof(*pos));
	bool *on = xcalloc(n + 1, sizeof(*on));
	g->comp = xmalloc((n + 1) * sizeof(*g->comp));
	g->comp_size = xcalloc(n + 1, sizeof(*g->comp_size));
	g->ncomp = 0;
	for (size_t v = 0; v < n; v++) {
		idx[v] = NONE;
		g->comp[v] = NONE;
	}
	for (size_t root = 0; root < n; root++) {
		if (idx[root] != NONE || g->first[root] == g->first[root + 1])
			continue;
		idx[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = true;
		call[cp] = root;
		pos[cp++] = g->first[root];
		while (cp) {
			size_t v = call[cp - 1];
			if (pos[cp - 1] < g->first[v + 1]) {
				size_t w = g->edge[pos[cp - 1]++];
				if (idx[w] == NONE) {
					idx[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = true;
					call[cp] = w;
					pos[cp++] = g->first[w];
				} else if (on[w] && idx[w] < low[v]) {
					low[v] = idx[w];
				}
				continue;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] != idx[v])
				continue;
			size_t c = g->ncomp++, w;
			do {
				w = stack[--sp];
				on[w] = false;
				g->comp[w] = c;
				g->comp_size[c]++;
			} while (w != v);
		}
	}
	free(idx);
	free(low);
	free(stack);
	free(call);
	free(pos);
	free(on);
}

static void graph_release(struct graph *g)
{
	free(g->thread);
	free(g->first);
	free(g->edge);
	free(g->comp);
	free(g->comp_size);
}

static bool node_on_cycle(const struct graph *g, size_t v)
{
	return g->comp[v] != NONE && g->comp_size[g->comp[v]] > 1;
}

/* The next thread after thread V on its component: a holder of its lock in the same component. */
static size_t next_in_comp(const struct graph *g, size_t v)
{
	size_t l = g->edge[g->first[v]];
	for (size_t e = g->first[l]; e < g->first[l + 1]; e++)
		if (g->comp[g->edge[e]] == g->comp[v])
			return g->edge[e];
	return NONE; /* unreachable for a node on a cycle */
}

static const char *const timed_wait_marks[] = {
	"tryLock", "tryAcquireNanos", "parkNanos", "timedlock", "clocklock", "timedrdlock", "timedwrlock",
	"clockrdlock", "clockwrlock", "timedjoin", NULL, /* not clockjoin: pthread_join uses it */
};

/* Whether T's top frames wait with a time limit: 1 or 0 (thread_frames_ask's answer). */
static size_t frames_timed(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes && i < 12; i++)
		for (size_t k = 0; t->frames[i].function && timed_wait_marks[k]; k++)
			if (strstr(t->frames[i].function, timed_wait_marks[k]))
				return true;
	return false;
}

bool lockgraph_wait_is_timed(const struct thread *t)
{
	return (t->state && strstr(t->state, "TIMED")) || frames_timed(t);
}

/* lockgraph_wait_is_timed, its frames asked once per shared stack (MEMO). */
static bool wait_is_timed(struct ptrmemo *memo, const struct thread *t)
{
	return (t->state && strstr(t->state, "TIMED")) || thread_frames_ask(memo, t, frames_timed);
}

static void push_thread(struct lockgraph_cycle *c, struct thread *t, struct ptrmemo *memo)
{
	c->threads[c->nthreads++] = t;
	c->locks[c->nlocks++] = t->waiting_on;
	c->inferred |= t->waiting_on->owner_inferred;
	c->timed |= wait_is_timed(memo, t);
}

/*
 * Lays out component COMP starting at thread node START: first the simple
 * cycle that walking "waits for -> held by" from START closes, then any
 * other threads of the component in dump order (TOTAL threads in all).
 * SEEN is scratch (one per thread node); MEMO: wait_is_timed's.
 */
static void cycle_fill(const struct graph *g, size_t start, size_t total, unsigned char *seen,
		       struct ptrmemo *memo, struct lockgraph_cycle *c)
{
	size_t v = start;
	while (!seen[v]) {
		seen[v] = 1;
		v = next_in_comp(g, v);
	}
	size_t loop = v;
	do {
		seen[v] = 2;
		push_thread(c, g->thread[v], memo);
		v = next_in_comp(g, v);
	} while (v != loop);
	for (size_t i = start; i < g->nthreads && c->nthreads < total; i++)
		if (g->comp[i] == g->comp[start] && seen[i] != 2) {
			seen[i] = 2;
			push_thread(c, g->thread[i], memo);
		}
}

/* How many threads wait on a lock of each cycle without being on it (lockgraph_cycle.bystanders). */
static void count_bystanders(const struct dump *d, const struct graph *g, size_t *queued)
{
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct lock *l = blocking_lock(d, d->threads[i]);
		if (!l || !node_on_cycle(g, g->nthreads + l->index))
			continue;
		size_t v = thread_node(g, d->threads[i]);
		if (v == NONE || !node_on_cycle(g, v))
			queued[g->comp[g->nthreads + l->index]]++;
	}
}

static size_t cycles_from_graph(struct dump *d, const struct graph *g, struct lockgraph_cycle **out)
{
	size_t n = 0;
	*out = NULL;
	size_t ncycles = 0;
	size_t *threads_in = xcalloc(g->ncomp + 1, sizeof(*threads_in));
	for (size_t i = 0; i < g->nthreads; i++)
		if (node_on_cycle(g, i) && !threads_in[g->comp[i]]++)
			ncycles++;
	if (!ncycles) {
		free(threads_in);
		return 0;
	}
	size_t *queued = xcalloc(g->ncomp, sizeof(*queued));
	count_bystanders(d, g, queued);
	*out = arena_alloc(d->arena, ncycles * sizeof(**out));
	unsigned char *seen = xcalloc(g->nthreads, 1);
	unsigned char *done = xcalloc(g->ncomp, 1);
	struct ptrmemo timed = PTRMEMO_INIT;
	for (size_t i = 0; i < g->nthreads; i++) {
		if (!node_on_cycle(g, i) || done[g->comp[i]])
			continue;
		done[g->comp[i]] = 1;
		struct lockgraph_cycle *c = &(*out)[n++];
		memset(c, 0, sizeof(*c));
		c->threads = arena_alloc(d->arena, threads_in[g->comp[i]] * sizeof(*c->threads));
		c->locks = arena_alloc(d->arena, threads_in[g->comp[i]] * sizeof(*c->locks));
		cycle_fill(g, i, threads_in[g->comp[i]], seen, &timed, c);
		c->bystanders = queued[g->comp[i]];
	}
	free(threads_in);
	free(queued);
	free(seen);
	free(done);
	ptrmemo_release(&timed);
	return n;
}

/* ---- describing ---- */

/* Where T waits, in its own code: its first in-app frame that is not lock plumbing. */
static void describe_where(const struct thread *t, struct strbuf *out)
{
	size_t before = out->len;
	strbuf_adds(out, " (");
	if (thread_where(t, out)) {
		strbuf_addch(out, ')');
	} else {
		out->len = before;
		out->buf[before] = '\0';
	}
}

static void describe_edge(const struct thread *t, const struct lock *l, const struct thread *holder,
			  struct strbuf *out)
{
	thread_describe(t, out);
	describe_where(t, out);
	strbuf_adds(out, " \u2014waits for\u2192 ");
	lock_describe(l, out);
	strbuf_adds(out, " \u2014held by\u2192 ");
	if (holder == t)
		strbuf_adds(out, "itself");
	else if (holder)
		thread_describe(holder, out);
	else
		strbuf_adds(out, "an unknown thread");
	if (l->owner_inferred)
		strbuf_adds(out, " (owner inferred)");
}

/* Which thread of the cycle holds lock I (the next one on the drawn cycle when it holds it). */
static const struct thread *cycle_holder(const struct lockgraph_cycle *c, size_t i)
{
	const struct lock *l = c->locks[i];
	const struct thread *next = c->threads[(i + 1) % c->nthreads];
	if (holds_lock(next, l))
		return next;
	for (size_t k = 0; k < c->nthreads; k++)
		if (holds_lock(c->threads[k], l))
			return c->threads[k];
	return l->owner;
}

static bool cycle_has_kind(const struct lockgraph_cycle *c, enum lock_kind k)
{
	for (size_t i = 0; i < c->nlocks; i++)
		if (c->locks[i]->kind == k)
			return true;
	return false;
}

static const char *cycle_advice(const struct lockgraph_cycle *c)
{
	if (c->nthreads == 1)
		return "A thread waits for a lock it already holds: do not re-enter the lock (or make it "
		       "recursive deliberately); an error-checking mutex turns this hang into EDEADLK. "
		       "Signal handlers must never take a lock the interrupted code may hold.";
	if (cycle_has_kind(c, LOCK_LOADER))
		return "Never take an application or allocator lock inside a dl_iterate_phdr callback or "
		       "dlopen, and never enter the loader (unwinding with libunwind, dlopen, "
		       "dl_iterate_phdr) while holding a lock such code takes; take the loader lock "
		       "first everywhere, or unwind without it. The process must be restarted.";
	if (cycle_has_kind(c, LOCK_THREAD_JOIN))
		return "A thread joins a thread that waits for a lock the joiner holds: release locks "
		       "before pthread_join, or take them in one global order. The process must be "
		       "restarted.";
	if (cycle_has_kind(c, LOCK_JAVA_MONITOR) || cycle_has_kind(c, LOCK_JUC_SYNC))
		return "Take monitors and java.util.concurrent locks in one global order everywhere; "
		       "tryLock with a timeout lets a thread back off. The JVM must be restarted.";
	return "Take these locks in one global order everywhere (or use trylock and back off); a "
	       "deadlock never resolves by itself, the process must be restarted.";
}

/*
 * The cycle's threads (distinct by construction) and locks (once each),
 * without quadratic appends. MARK: one byte per lock of D, zero, left zero
 * (shared by every cycle: 25,000 cycles must not clear an array of the
 * dump's locks each).
 */
static void finding_set_cycle(struct dump *d, struct finding *f, const struct lockgraph_cycle *c,
			      unsigned char *mark)
{
	f->threads = arena_alloc(d->arena, c->nthreads * sizeof(*f->threads));
	memcpy(f->threads, c->threads, c->nthreads * sizeof(*f->threads));
	f->nthreads = c->nthreads;
	f->locks = arena_alloc(d->arena, c->nlocks * sizeof(*f->locks));
	for (size_t i = 0; i < c->nlocks; i++) {
		if (mark[c->locks[i]->index])
			continue; /* a mark, not a count: 256 waits on one lock must not wrap it */
		mark[c->locks[i]->index] = 1;
		f->locks[f->nlocks++] = c->locks[i];
	}
	for (size_t i = 0; i < c->nlocks; i++)
		mark[c->locks[i]->index] = 0;
}

static void add_cycle_finding(struct dump *d, const struct lockgraph_cycle *c, unsigned char *mark)
{
	struct finding *f = catalogue_add_finding(d, "lock-cycle", c->inferred ? CONF_LIKELY : CONF_CERTAIN);
	struct strbuf sb = STRBUF_INIT;
	if (c->nthreads == 1)
		strbuf_adds(&sb, "a thread waits for a lock it holds itself (self-deadlock):");
	else
		strbuf_addf(&sb, "%zu threads wait for each other in a cycle:", c->nthreads);
	for (size_t i = 0; i < c->nthreads; i++) {
		strbuf_addch(&sb, '\n');
		describe_edge(c->threads[i], c->locks[i], cycle_holder(c, i), &sb);
	}
	finding_set_cycle(d, f, c, mark);
	if (c->bystanders)
		strbuf_addf(&sb, "\n%zu more thread%s wait%s on these locks behind the cycle.", c->bystanders,
			    c->bystanders == 1 ? "" : "s", c->bystanders == 1 ? "s" : "");
	f->summary = dump_strdup(d, sb.buf);
	f->advice = cycle_advice(c);
	strbuf_release(&sb);
}

static void warn_timed_cycle(struct dump *d, const struct lockgraph_cycle *c)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < c->nthreads; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", c->threads[i]->id);
	dump_warn(d, "threads %s wait for each other, but with a timeout (tryLock, timed lock or join): a "
		  "lock-order inversion that breaks when the timeout expires, not reported as a deadlock", sb.buf);
	strbuf_release(&sb);
}

/* Waiters of L that really wait on it now (a parser may have moved a thread to another lock). */
static size_t live_waiters(const struct dump *d, const struct lock *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nwaiters; i++)
		if (thread_in_dump(d, l->waiters[i]) && l->waiters[i]->waiting_on == l &&
		    blocking_lock(d, l->waiters[i]) == l)
			n++;
	return n;
}

static void add_contention_finding(struct dump *d, const struct lock *cl, const struct thread *holder,
				   size_t nwait, bool holder_behind_cycle)
{
	struct lock *l = d->locks[cl->index];
	struct finding *f = catalogue_add_finding(d, "lock-contention",
						  l->owner_inferred ? CONF_LIKELY : CONF_CERTAIN);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%zu threads wait for ", nwait);
	lock_describe(l, &sb);
	strbuf_adds(&sb, " held by ");
	thread_describe(holder, &sb);
	describe_where(holder, &sb);
	if (holder->waiting_on) {
		strbuf_adds(&sb, ", itself waiting for ");
		lock_describe(holder->waiting_on, &sb);
		if (holder_behind_cycle)
			strbuf_adds(&sb, " (a lock of the deadlock above)");
	}
	strbuf_adds(&sb, "\nwaiting:");
	/* the holder, then each waiter once (arrays built directly: a queue may be 50,000 long) */
	f->threads = arena_alloc(d->arena, (nwait + 1) * sizeof(*f->threads));
	f->threads[f->nthreads++] = d->threads[holder->index];
	for (size_t i = 0; i < l->nwaiters && f->nthreads <= nwait; i++) {
		struct thread *t = l->waiters[i];
		if (!thread_in_dump(d, t) || t->waiting_on != l || blocking_lock(d, t) != l)
			continue;
		f->threads[f->nthreads++] = t;
		if (f->nthreads <= 11)
			strbuf_addf(&sb, " %s", t->id);
	}
	if (nwait > 10)
		strbuf_addf(&sb, " ... (%zu more)", nwait - 10);
	finding_add_lock(d, f, l);
	if (holder->waiting_on) /* the text names it: the finding holds it */
		finding_add_lock(d, f, holder->waiting_on);
	f->summary = dump_strdup(d, sb.buf);
	f->advice = "Shorten what the holder does under this lock (no I/O, no waiting while holding it), "
		    "split the lock, or find why the holder is stuck.";
	strbuf_release(&sb);
}

static void find_contention(struct dump *d, const struct graph *g)
{
	for (size_t j = 0; j < d->nlocks; j++) {
		size_t v = g->nthreads + j;
		if (g->first[v + 1] - g->first[v] != 1)
			continue; /* no holder known, or shared by several */
		size_t h = g->edge[g->first[v]];
		if (node_on_cycle(g, h))
			continue; /* the cycle finding tells this story */
		size_t nwait = live_waiters(d, d->locks[j]);
		const struct lock *next = blocking_lock(d, g->thread[h]);
		bool behind = next && node_on_cycle(g, g->nthreads + next->index);
		if (nwait >= LOCKGRAPH_CONTENTION_MIN_WAITERS)
			add_contention_finding(d, d->locks[j], g->thread[h], nwait, behind);
	}
}

/* ---- a text dump's deadlock, inferred ---- */

enum stance { STANCE_NONE, STANCE_RUNNING, STANCE_IDLE, STANCE_LOCK };

/* What T is doing, by the plumbing frames at the top of its stack. */
static enum stance thread_stance(const struct thread *t)
{
	const unsigned plumbing = FRAME_WAITING | ROLE_LOADER | ROLE_INTERRUPTIBLE;
	unsigned seen = 0;
	size_t i = 0;
	for (; i < t->nframes; i++) {
		unsigned r = frame_roles(&t->frames[i]);
		if (!(r & plumbing))
			break;
		seen |= r;
	}
	if (!t->nframes)
		return STANCE_NONE;
	if (!i)
		return STANCE_RUNNING;
	if (seen & ROLE_WAIT)
		return STANCE_IDLE;
	return seen & ROLE_LOCK ? STANCE_LOCK : STANCE_IDLE;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Whether the N threads at T wait on pairwise different locks (or, where a
 * lock is unknown, at different places: their first WAIT_PLACE_FRAMES own
 * frames and the line they wait at, so that three callers of one
 * transfer() helper count as three, and two lambdas of one file as two).
 */
#define WAIT_PLACE_FRAMES 3

static bool distinct_waits(const struct dump *d, struct thread **t, size_t n)
{
	char **keys = xcalloc(n, sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (t[i]->waiting_on) {
			strbuf_addf(&sb, "lock %s", t[i]->waiting_on->id);
		} else {
			thread_own_frames(d, t[i], WAIT_PLACE_FRAMES, &sb);
			strbuf_addch(&sb, ' ');
			thread_where(t[i], &sb); /* and the line: two lock sites of one function are two places */
		}
		keys[i] = strbuf_detach(&sb, NULL);
	}
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	bool distinct = true;
	for (size_t i = 1; i < n; i++)
		distinct &= strcmp(keys[i - 1], keys[i]) != 0;
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return distinct;
}

/*
 * A text dump (gdb, eu-stack, pstack, lldb) shows which lock a thread
 * waits for, at best, never who holds it. When two or more threads are
 * blocked taking pairwise different locks and every other thread is idle
 * (waiting, sleeping, in I/O), nothing runs that could release them: they
 * most likely hold each other's locks. A possible lock-cycle, so that the
 * text of a deadlock buckets with its core. HOLDERS_SHOWN: any lock of D
 * has a holder the dump shows (joins aside: their owner is the joined
 * thread), as graph_build found.
 */
static void infer_text_cycle(struct dump *d, bool holders_shown)
{
	if (d->mem || d->crash || dump_find_finding(d, "lock-cycle") || holders_shown)
		return;
	struct thread **blocked = xcalloc(d->nthreads ? d->nthreads : 1, sizeof(*blocked));
	size_t n = 0;
	bool running = false;
	for (size_t i = 0; i < d->nthreads && !running; i++) {
		enum stance s = thread_stance(d->threads[i]);
		running = s == STANCE_RUNNING;
		if (s == STANCE_LOCK)
			blocked[n++] = d->threads[i];
	}
	if (!running && n >= 2 && distinct_waits(d, blocked, n)) {
		struct finding *f = catalogue_add_finding(d, "lock-cycle", CONF_POSSIBLE);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%zu threads are blocked taking locks and every other thread is idle; the dump "
			    "does not say who holds the locks (a text dump), so they most likely wait for each "
			    "other in a cycle:", n);
		for (size_t i = 0; i < n; i++) {
			strbuf_addch(&sb, '\n');
			thread_describe(blocked[i], &sb);
			describe_where(blocked[i], &sb);
			strbuf_adds(&sb, " \u2014waits for\u2192 ");
			if (blocked[i]->waiting_on) {
				lock_describe(blocked[i]->waiting_on, &sb);
				finding_add_lock(d, f, blocked[i]->waiting_on);
			} else {
				strbuf_adds(&sb, "a lock");
			}
			finding_add_thread(d, f, blocked[i]);
		}
		f->summary = dump_strdup(d, sb.buf);
		f->advice = "Take these locks in one global order everywhere (or use trylock and back off). "
			    "To see who holds which lock, analyze a core of the hung process (gcore PID) or the "
			    "process itself (mortem report -p PID): the owners are read from memory.";
		strbuf_release(&sb);
	}
	free(blocked);
}

int lockgraph_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	(void)o;
	(void)err;
	lockhotspot_fill_owners(d);
	struct graph g;
	graph_build(d, &g);
	graph_scc(&g);
	struct lockgraph_cycle *cycles;
	size_t n = cycles_from_graph(d, &g, &cycles);
	unsigned char *mark = n ? xcalloc(d->nlocks, 1) : NULL;
	for (size_t i = 0; i < n; i++)
		if (cycles[i].timed)
			warn_timed_cycle(d, &cycles[i]);
		else
			add_cycle_finding(d, &cycles[i], mark);
	free(mark);
	find_contention(d, &g);
	bool holders_shown = g.holders_shown;
	graph_release(&g);
	lockhotspot_crosscheck(d);
	infer_text_cycle(d, holders_shown);
	return 0;
}
