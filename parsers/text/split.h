#ifndef MORTEM_SPLIT_H
#define MORTEM_SPLIT_H

/*
 * One big text dump parsed on several threads: one per CPU (or -j N). The
 * input is cut at lines its parser names (a thread's first line) into
 * pieces of at least TEXT_SPLIT_MIN bytes, eight for each thread, which
 * share the work however unalike the CPUs are. The caller parses the first
 * piece into its dump; every other piece is a part, parsed into a dump of
 * its own (dump_new_part) by whichever thread is free, the caller's too
 * once its piece is read. The caller takes the parts in order, each as soon
 * as it is parsed (helping with later ones while it waits): adopts its
 * dump (dump_adopt_part) where it fits, else parses its lines itself, and
 * parses what lies between it and the next.
 *
 * A part's parse reads from its first line and stops at its end or at the
 * first line it leaves to the caller (a new snapshot, a section that is
 * not a thread): STOP says where, and the caller goes on from there. Once
 * a part has stopped short, no thread takes another (an input of many
 * small snapshots would be read twice): the caller reads the rest.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "parsers/text/text.h"

#define TEXT_SPLIT_THREADS 8     /* at most */
#define TEXT_SPLIT_PER_THREAD 8  /* pieces */
#define TEXT_SPLIT_MAX (TEXT_SPLIT_THREADS * TEXT_SPLIT_PER_THREAD)
#define TEXT_SPLIT_MIN ((size_t)256 << 10)

struct text_part {
	const char *from, *to;   /* its bytes: FROM starts a line the parser's START accepted */
	struct dump *d;          /* its dump (NULL once adopted or freed) */
	/* what its parse leaves behind */
	const char *stop;        /* where it stopped: TO, or the first line it did not read */
	size_t lines;            /* the lines it read */
	struct span last;        /* the last non-blank line it read (a parser that looks back needs it) */
	bool parsed;             /* false: left unread (an earlier part stopped short) */
	/* private */
	atomic_bool taken;       /* a thread has it */
	atomic_bool done;        /* parsed or left: what is above is final */
};

struct text_split {
	size_t n;                /* parts; 0: the input is read in one piece */
	struct text_part part[TEXT_SPLIT_MAX];
	/* private */
	void (*parse)(struct text_part *p);
	atomic_size_t next;      /* where a thread looks for a part to take */
	atomic_bool short_part;  /* a part stopped before its end: the rest is the caller's to read */
	pthread_mutex_t lock;    /* with DONE_COND: a part is done */
	pthread_cond_t done_cond;
	pthread_t threads[TEXT_SPLIT_THREADS];
	size_t nthreads;
};

/*
 * Plans the parts of the LEN bytes at DATA, the input of D, for up to JOBS
 * threads (0: one per CPU this process may run on), at lines for which
 * START(line) is true, and starts the threads that parse them with PARSE:
 * it reads P->from..P->to into P->d and sets P->stop, P->lines and
 * P->last, calling nothing that is not thread-safe outside P->d. Returns
 * the number of parts, S->n (0: too small, or one CPU: the caller reads
 * it all).
 */
size_t text_split_start(struct text_split *s, struct dump *d, const char *data, size_t len,
			int jobs, bool (*start)(struct span line), void (*parse)(struct text_part *p));
/* Where the caller's reading stops before part I: its from (the end after the last part). */
const char *text_split_until(const struct text_split *s, size_t i, const char *end);
/*
 * Part I into D, once it is parsed (the caller parses other parts while it
 * waits; parts are taken in order, after the caller's first piece): true
 * when D adopted its dump (the caller reads on from its stop), false when
 * not, or when it was left unread (the caller reads its lines itself, from
 * its from; its dump is freed).
 */
bool text_split_adopt(struct text_split *s, size_t i, struct dump *d);
/* Waits for the threads and frees the dumps not adopted. */
void text_split_end(struct text_split *s);

#endif
