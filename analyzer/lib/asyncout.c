#include "analyzer/lib/asyncout.h"

#include <errno.h>

/* Writes CHUNK unless a write failed before (then it is dropped); the first failure's errno is kept. */
static void write_chunk(struct asyncout *a, const struct strbuf *chunk, int *error)
{
	if (*error || !chunk->len)
		return;
	errno = 0;
	if (fwrite(chunk->buf, 1, chunk->len, a->to) != chunk->len)
		*error = errno ? errno : EIO;
}

static void *writer(void *arg)
{
	struct asyncout *a = arg;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->full && !a->closing)
			pthread_cond_wait(&a->cond, &a->lock);
		if (!a->full)
			break;
		int error = a->error;
		pthread_mutex_unlock(&a->lock); /* the chunk is the writer's until FULL is cleared */
		write_chunk(a, &a->chunk, &error);
		pthread_mutex_lock(&a->lock);
		a->error = error;
		strbuf_reset(&a->chunk);
		a->full = false;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

void asyncout_init(struct asyncout *a, FILE *to)
{
	a->to = to;
	a->started = a->no_thread = false;
	a->full = a->closing = false;
	a->error = 0;
	strbuf_init(&a->chunk, 0);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
}

int asyncout_take(struct asyncout *a, struct strbuf *out)
{
	if (!a->started && !a->no_thread) { /* tried once */
		a->started = !pthread_create(&a->thread, NULL, writer, a);
		a->no_thread = !a->started;
	}
	if (!a->started) { /* no thread: written here */
		write_chunk(a, out, &a->error);
		strbuf_reset(out);
		return a->error ? -1 : 0;
	}
	pthread_mutex_lock(&a->lock);
	while (a->full)
		pthread_cond_wait(&a->cond, &a->lock);
	struct strbuf mine = a->chunk; /* empty: the one written last */
	a->chunk = *out;
	*out = mine;
	a->full = true;
	int error = a->error;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return error ? -1 : 0;
}

int asyncout_end(struct asyncout *a)
{
	if (a->started) {
		pthread_mutex_lock(&a->lock);
		a->closing = true;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
		a->started = false;
	}
	strbuf_release(&a->chunk);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	if (!a->error)
		return 0;
	errno = a->error;
	return -1;
}
