/*
 * The shared module descriptors (elfshare.h). This file defines
 * elf_begin() for the whole program; libelf's own is found behind it with
 * dlsym(RTLD_NEXT).
 */
#include "parsers/native/elfshare.h"

#include <dlfcn.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "analyzer/lib/xalloc.h"

struct kept {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t used; /* the clock when last handed out */
	Elf *elf;
	void (*release)(void *); /* what was adopted with it */
	void *adopted;
	uint64_t adopted_size;
};

static struct kept *table;
static size_t nkept, alloc;
static size_t max_files = 64;
static uint64_t max_bytes = (uint64_t)256 << 20;
static uint64_t bytes, clock_now, hits, kept_total;

typedef Elf *begin_fn(int fd, Elf_Cmd cmd, Elf *ref);
typedef int end_fn(Elf *elf);

/* libelf's own definition of NAME, behind this file's. */
static void *libelf_own(const char *name)
{
	void *real = dlsym(RTLD_NEXT, name);
	if (!real) {
		fprintf(stderr, "mortem: libelf's %s not found: %s\n", name, dlerror());
		abort();
	}
	return real;
}

static begin_fn *libelf_begin(void)
{
	static begin_fn *real;
	if (!real)
		*(void **)&real = libelf_own("elf_begin");
	return real;
}

static end_fn *libelf_end(void)
{
	static end_fn *real;
	if (!real)
		*(void **)&real = libelf_own("elf_end");
	return real;
}

static bool same_file(const struct kept *k, const struct stat *sb)
{
	return k->dev == sb->st_dev && k->ino == sb->st_ino && k->size == sb->st_size &&
	       k->mtime.tv_sec == sb->st_mtim.tv_sec && k->mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

/* How many references ELF has (libelf says how many are left when one is dropped). */
static int references(Elf *elf)
{
	libelf_begin()(-1, ELF_C_READ_MMAP_PRIVATE, elf);
	return libelf_end()(elf);
}

static void forget(size_t i)
{
	struct kept k = table[i];
	table[i] = table[--nkept];
	bytes -= (uint64_t)k.size + k.adopted_size;
	libelf_end()(k.elf);
	if (k.release)
		k.release(k.adopted);
}

/*
 * Drops the least recently used files until FILES and WANT_BYTES hold,
 * among those no one but the table holds: what a session still uses (and
 * what was adopted with it, which that session reads) stays.
 */
static void evict_until(size_t files, uint64_t want_bytes)
{
	while (nkept > files || bytes > want_bytes) {
		size_t oldest = nkept;
		for (size_t i = 0; i < nkept; i++)
			if ((oldest == nkept || table[i].used < table[oldest].used) &&
			    references(table[i].elf) == 1)
				oldest = i;
		if (oldest == nkept)
			return; /* all in use: above the bounds until they are let go */
		forget(oldest);
	}
}

void elfshare_limits(size_t files, uint64_t max)
{
	max_files = files;
	max_bytes = max;
	evict_until(max_files, max_bytes);
}

void elfshare_trim(void)
{
	evict_until(max_files, max_bytes);
}

void elfshare_drop(void)
{
	evict_until(0, 0);
}

void elfshare_stats(struct elfshare_stats *out)
{
	*out = (struct elfshare_stats){
		.files = nkept, .bytes = bytes, .hits = hits, .kept = kept_total
	};
	for (size_t i = 0; i < nkept; i++)
		out->in_use += references(table[i].elf) > 1;
}

/* The table's entry for the file SB describes, or NULL. */
static struct kept *find(const struct stat *sb)
{
	for (size_t i = 0; i < nkept; i++)
		if (same_file(&table[i], sb))
			return &table[i];
	return NULL;
}

/* K's descriptor with one more reference, for a read of kind CMD. */
static Elf *hand_out(struct kept *k, Elf_Cmd cmd)
{
	k->used = ++clock_now;
	hits++;
	return libelf_begin()(-1, cmd, k->elf);
}

Elf *elfshare_get(const struct stat *sb)
{
	struct kept *k = find(sb);
	return k ? hand_out(k, ELF_C_READ_MMAP_PRIVATE) : NULL;
}

/* The table's entry for the descriptor ELF, or NULL. */
static struct kept *kept_of(const Elf *elf)
{
	for (size_t i = 0; elf && i < nkept; i++)
		if (table[i].elf == elf)
			return &table[i];
	return NULL;
}

bool elfshare_adopt(Elf *elf, void (*release)(void *), void *arg, uint64_t size)
{
	struct kept *k = kept_of(elf);
	if (!k || k->release)
		return false;
	k->release = release;
	k->adopted = arg;
	k->adopted_size = size;
	bytes += size;
	return true;
}

/* An executable's or a shared object's descriptor: nothing writes into it. */
static bool shareable(Elf *elf)
{
	GElf_Ehdr eh;
	return elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) &&
	       (eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
}

/* Puts ELF (of the file SB) into the table, which then owns that reference. */
static bool keep(Elf *elf, const struct stat *sb)
{
	if (!max_files)
		return false;
	/* every byte in memory, the caller's descriptor no longer used */
	if (elf_cntl(elf, ELF_C_FDREAD) != 0)
		return false;
	evict_until(max_files - 1, max_bytes - (uint64_t)sb->st_size);
	if (nkept >= 4 * max_files)
		return false; /* held by sessions (or never given back): no more kept until they leave */
	ALLOC_GROW(table, nkept + 1, alloc);
	table[nkept++] = (struct kept){ .dev = sb->st_dev,
					.ino = sb->st_ino,
					.size = sb->st_size,
					.mtime = sb->st_mtim,
					.used = ++clock_now,
					.elf = elf };
	bytes += (uint64_t)sb->st_size;
	kept_total++;
	return true;
}

/*
 * A kept descriptor is always made with ELF_C_READ_MMAP_PRIVATE, whatever
 * the first caller asked: libelf lets a private descriptor stand for a
 * read-only one (ELF_C_READ_MMAP), not the other way round, and libdwfl
 * asks for private ones after mortem's own code asked for a read-only one
 * of the same debug file.
 */
Elf *elf_begin(int fd, Elf_Cmd cmd, Elf *ref)
{
	begin_fn *begin = libelf_begin();
	struct stat sb;
	if (ref || fd < 0 || (cmd != ELF_C_READ_MMAP && cmd != ELF_C_READ_MMAP_PRIVATE) ||
	    fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_nlink == 0 ||
	    (uint64_t)sb.st_size > max_bytes / 2)
		return begin(fd, cmd, ref);
	struct kept *k = find(&sb);
	if (k)
		return hand_out(k, cmd);
	Elf *elf = begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!elf || !shareable(elf) || !keep(elf, &sb)) {
		if (elf && cmd == ELF_C_READ_MMAP_PRIVATE)
			return elf;
		elf_end(elf);
		return begin(fd, cmd, NULL); /* plain libelf, as asked */
	}
	return begin(-1, cmd, elf); /* the caller's reference */
}

/*
 * Ending one's reference to a kept descriptor is, for its user, ending
 * the descriptor: none are left that are the user's (0), whoever else
 * holds it. libdwfl closes a module's file descriptor only then, each
 * module its own.
 */
int elf_end(Elf *elf)
{
	int left = libelf_end()(elf);
	return left > 0 && kept_of(elf) ? 0 : left;
}
