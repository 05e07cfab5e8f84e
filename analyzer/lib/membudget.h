#ifndef MORTEM_MEMBUDGET_H
#define MORTEM_MEMBUDGET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One budget for the decompressed bytes held in memory (memfds) at once,
 * shared by the process that makes it and every process it forks after:
 * triage's walker (archive members, compressed files) and its workers
 * draw from it, so `--max-decompressed` bounds them all together. The
 * counter lives in a shared anonymous mapping and is changed atomically.
 */
struct membudget;

/* A budget of TOTAL bytes, none taken. Never NULL (dies when no mapping can be made). */
struct membudget *membudget_new(uint64_t total);
void membudget_free(struct membudget *b);

uint64_t membudget_total(const struct membudget *b);
/* Bytes taken now (by any process). */
uint64_t membudget_used(const struct membudget *b);
/* The most ever taken at once. */
uint64_t membudget_peak(const struct membudget *b);

/* Takes N bytes when that many are left: true; otherwise takes nothing: false. */
bool membudget_take(struct membudget *b, uint64_t n);
/* Gives back N bytes taken before. */
void membudget_give(struct membudget *b, uint64_t n);

/*
 * A share of B, for a process that may die holding bytes (triage's walker
 * child): taking from or giving to the share takes from or gives to B,
 * and the share counts what was taken through it, so that whoever outlives
 * that process gives back what it held (membudget_give(share,
 * membudget_own(share))). Total, used and peak are B's. Never NULL; freed
 * with membudget_free (B stays).
 */
struct membudget *membudget_share(struct membudget *b);
/* Bytes taken through the share S and not given back, nor disowned. */
uint64_t membudget_own(const struct membudget *s);
/*
 * N bytes taken through the share S are now someone else's to give back,
 * to B itself: S no longer counts them (B still does).
 */
void membudget_disown(struct membudget *s, uint64_t n);

#endif
