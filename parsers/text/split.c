#include "parsers/text/split.h"

#include <string.h>

#include "analyzer/lib/cpus.h"

/* The first line at or after P, up to END, that START accepts; NULL when none. */
static const char *next_start(const char *p, const char *end, bool (*start)(struct span line))
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = { p, (size_t)((nl ? nl : end) - p) };
		if (start(line))
			return p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

/* A line start at or after AT (AT itself when a line ends just before it). */
static const char *line_start_after(const char *data, const char *at, const char *end)
{
	if (at == data || at[-1] == '\n')
		return at;
	const char *nl = memchr(at, '\n', (size_t)(end - at));
	return nl ? nl + 1 : end;
}

/* Parses part P, or leaves it when a part before stopped short (its lines are the caller's then). */
static void work(struct text_split *s, struct text_part *p)
{
	if (!atomic_load(&s->short_part)) {
		s->parse(p);
		p->parsed = true;
		if (p->stop != p->to)
			atomic_store(&s->short_part, true);
	}
	pthread_mutex_lock(&s->lock);
	atomic_store(&p->done, true);
	pthread_cond_broadcast(&s->done_cond);
	pthread_mutex_unlock(&s->lock);
}

/* Takes a part no thread has and works on it; false when none is left. */
static bool take_one(struct text_split *s)
{
	size_t i;
	while (!atomic_load(&s->short_part) && (i = atomic_fetch_add(&s->next, 1)) < s->n) {
		struct text_part *p = &s->part[i];
		if (!atomic_exchange(&p->taken, true)) {
			work(s, p);
			return true;
		}
	}
	return false;
}

static void *helper(void *arg)
{
	struct text_split *s = arg;
	while (take_one(s))
		;
	return NULL;
}

/* Until part I is done: the caller works on it, or on later ones, or waits for the thread that has it. */
static void wait_part(struct text_split *s, size_t i)
{
	struct text_part *p = &s->part[i];
	if (!atomic_exchange(&p->taken, true)) {
		work(s, p);
		return;
	}
	while (!atomic_load(&p->done) && take_one(s))
		;
	pthread_mutex_lock(&s->lock);
	while (!atomic_load(&p->done))
		pthread_cond_wait(&s->done_cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

size_t text_split_start(struct text_split *s, struct dump *d, const char *data, size_t len,
			int jobs, bool (*start)(struct span line), void (*parse)(struct text_part *p))
{
	s->n = s->nthreads = 0;
	s->parse = parse;
	atomic_init(&s->next, 0);
	atomic_init(&s->short_part, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->done_cond, NULL);
	size_t threads = (size_t)(jobs > 0 ? jobs : cpus_usable());
	if (threads > TEXT_SPLIT_THREADS)
		threads = TEXT_SPLIT_THREADS;
	size_t pieces = threads * TEXT_SPLIT_PER_THREAD;
	if (pieces > len / TEXT_SPLIT_MIN)
		pieces = len / TEXT_SPLIT_MIN;
	if (threads < 2 || pieces < 2)
		return 0;
	const char *end = data + len, *prev = data;
	size_t size = len / pieces;
	for (size_t i = 1; i < pieces; i++) { /* part I - 1 begins near piece I's start */
		const char *at = line_start_after(data, data + size * i, end);
		if (at < prev + TEXT_SPLIT_MIN / 2)
			continue;
		const char *limit = i + 1 < pieces ? data + size * (i + 1) : end;
		const char *from = at < limit ? next_start(at, limit, start) : NULL;
		if (!from)
			continue;
		s->part[s->n++] = (struct text_part){ .from = from };
		prev = from;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct text_part *p = &s->part[i];
		p->to = i + 1 < s->n ? s->part[i + 1].from : end;
		p->stop = p->to;
		p->d = dump_new_part(d, (size_t)(p->to - p->from));
		atomic_init(&p->taken, false);
		atomic_init(&p->done, false);
	}
	for (size_t i = 1; i < threads && s->nthreads < s->n; i++) /* the caller is a thread too */
		if (!pthread_create(&s->threads[s->nthreads], NULL, helper, s))
			s->nthreads++;
	return s->n;
}

const char *text_split_until(const struct text_split *s, size_t i, const char *end)
{
	return i < s->n ? s->part[i].from : end;
}

bool text_split_adopt(struct text_split *s, size_t i, struct dump *d)
{
	struct text_part *p = &s->part[i];
	wait_part(s, i);
	bool adopted = p->parsed && dump_adopt_part(d, p->d);
	if (!adopted)
		dump_free(p->d);
	p->d = NULL;
	return adopted;
}

void text_split_end(struct text_split *s)
{
	atomic_store(&s->short_part, true); /* parts not taken yet stay so */
	for (size_t i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	s->nthreads = 0;
	for (size_t i = 0; i < s->n; i++) {
		dump_free(s->part[i].d);
		s->part[i].d = NULL;
	}
	s->n = 0;
	pthread_cond_destroy(&s->done_cond);
	pthread_mutex_destroy(&s->lock);
}
