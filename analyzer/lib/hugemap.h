#ifndef MORTEM_HUGEMAP_H
#define MORTEM_HUGEMAP_H
/*
 * Mappings that start at a huge-page boundary (2 MB) and ask for huge
 * pages. In a virtual machine the first touch of a page is what filling or
 * reading a big buffer spends much of its time on; with huge pages one
 * touch covers 2 MB instead of 4 KB.
 */
#include <stdbool.h>
#include <stddef.h>

#define HUGEMAP_PAGE ((size_t)2 << 20)

/*
 * An anonymous private mapping of LEN bytes with protection PROT, its start
 * at a 2 MB boundary and nothing mapped around it (free it with
 * munmap(p, LEN)); MAP_FAILED when the kernel refuses. A file can then be
 * mapped over it with MAP_FIXED. Not yet advised: see hugemap_advise.
 */
void *hugemap_reserve(size_t len, int prot);

/* Asks for huge pages over [AT, AT + LEN) (advice: the kernel may not). */
void hugemap_advise(void *at, size_t len);

/*
 * Asks for huge pages over the whole 2 MB pieces inside [AT, AT + LEN),
 * memory of any origin (a big malloc'ed buffer about to be written).
 */
void hugemap_advise_within(void *at, size_t len);

/*
 * Whether the kernel gives anonymous memory huge pages when asked
 * (transparent huge pages "always" or "madvise", read once): without them
 * a copy made to save first touches costs more first touches.
 */
bool hugemap_available(void);

/*
 * Read-write anonymous memory of LEN bytes on huge pages where the kernel
 * gives them, every page present on return (one call, not a fault per
 * page): for a buffer about to be written whole. MAP_FAILED when refused;
 * free with munmap(p, LEN).
 */
void *hugemap_fresh(size_t len);

#endif
