#ifndef MORTEM_PREFETCH_H
#define MORTEM_PREFETCH_H

/*
 * A pass over many objects reached through an array of pointers (a dump's
 * threads) waits on memory, one cache miss per object, not on work: asking
 * for the object PREFETCH_AHEAD places further on while this one is worked
 * on lets the misses overlap. PREFETCH_FIELD(ARR, I, N, FIELD), at step I
 * of a pass over the N pointers of ARR, asks for FIELD of the object
 * PREFETCH_AHEAD steps ahead (a hint: it never faults, and changes nothing).
 */
#define PREFETCH_AHEAD 8

#define PREFETCH_FIELD(arr, i, n, field)                                   \
	do {                                                               \
		if ((i) + PREFETCH_AHEAD < (n))                            \
			__builtin_prefetch(&(arr)[(i) + PREFETCH_AHEAD]->field); \
	} while (0)

#endif
