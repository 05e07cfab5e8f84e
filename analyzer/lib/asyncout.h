#ifndef MORTEM_ASYNCOUT_H
#define MORTEM_ASYNCOUT_H
/*
 * A FILE written by a thread of its own, a chunk at a time, while the
 * caller fills the next chunk: two buffers, swapped (writing a report of
 * 185 MB into the page cache took as long as rendering it). The thread
 * starts with the first chunk handed over, so a small report never has
 * one; where no thread can be made, each chunk is written on the spot.
 * Only the writer touches the FILE between asyncout_init and asyncout_end.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "analyzer/lib/strbuf.h"

struct asyncout {
	FILE *to;
	pthread_t thread;
	bool started;
	bool no_thread;           /* none could be made: every chunk is written on the spot */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct strbuf chunk;      /* the writer's: written while FULL */
	bool full, closing;
	int error;                /* errno of the first write that failed; 0: none */
};

void asyncout_init(struct asyncout *a, FILE *to);
/*
 * Hands OUT's bytes to the writer (once it has written the previous chunk)
 * and leaves OUT empty, with the writer's old buffer. Returns -1 once a
 * write has failed (later chunks are dropped), else 0.
 */
int asyncout_take(struct asyncout *a, struct strbuf *out);
/*
 * Waits until every chunk is written and ends the thread: 0, or -1 with
 * errno the first failed write's.
 */
int asyncout_end(struct asyncout *a);

#endif
