/*
 * mutate --zero-tid K FILE OUT: writes FILE (an ELF core) to OUT with the
 * thread id of its K-th NT_PRSTATUS (from 0) set to 0.
 *
 * mutate --file-count VALUE FILE OUT: writes FILE (an ELF core) to OUT with
 * the count of its NT_FILE note set to VALUE (0x7fffffffffffffff: the
 * damaged count libunwind-coredump once read past its note with).
 *
 * mutate --prstatus-size SIZE FILE OUT: writes FILE to OUT with the size of
 * its first NT_PRSTATUS note set to SIZE (the note's bytes stay in place).
 *
 * mutate --owner K NAME FILE OUT: writes FILE to OUT with the owner of its
 * K-th note (from 0) renamed NAME (at most the note's name size: "QEMU"
 * in place of "CORE"), for the cores that are not a process's.
 *
 * mutate FILE OUTPREFIX N SEED: writes N damaged copies of FILE, named
 * OUTPREFIX.0 ... OUTPREFIX.N-1, for the robustness test. Deterministic for
 * a given SEED. The damage cycles through what real broken inputs show:
 * truncation at an offset (a copy cut short, a paste cut mid-line), flipped
 * bytes, a chunk deleted or repeated, binary junk inserted, and, when FILE
 * is an ELF core, lies in the program headers, in the notes' sizes and
 * types (the sizes a parser must not trust), in a thread note's thread
 * id (0, -1, or another thread's), in NT_FILE's count or the end of its
 * names, and in a thread note's size (below the elf_prstatus a reader
 * copies).
 */
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

struct buf {
	unsigned char *p;
	size_t len;
};

static unsigned char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *p = malloc(cap);
	size_t r;
	while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	fclose(f);
	*len = n;
	return p;
}

/* Offsets of the notes' headers (namesz field) and of the program headers. */
struct elf_map {
	size_t notes[4096];
	size_t nnotes;
	size_t tid_at[4096];      /* the pid field of each NT_PRSTATUS */
	size_t ntids;
	size_t file_at[16];       /* the descriptor of each NT_FILE */
	size_t file_size[16];
	size_t nfiles;
	size_t prstatus_at[4096]; /* the header of each NT_PRSTATUS */
	size_t nprstatus;
	size_t phdrs[1024];
	size_t nphdrs;
};

static void put32(unsigned char *at, uint64_t v) { uint32_t x = (uint32_t)v; memcpy(at, &x, 4); }
static void put64(unsigned char *at, uint64_t v) { memcpy(at, &v, 8); }
static uint32_t get32(const unsigned char *at) { uint32_t x; memcpy(&x, at, 4); return x; }
static uint64_t get64(const unsigned char *at) { uint64_t x; memcpy(&x, at, 8); return x; }

static void map_elf(const unsigned char *p, size_t len, struct elf_map *m)
{
	m->nnotes = m->nphdrs = m->ntids = m->nfiles = m->nprstatus = 0;
	if (len < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) || p[EI_CLASS] != ELFCLASS64)
		return;
	const Elf64_Ehdr *eh = (const void *)p;
	for (size_t i = 0; i < eh->e_phnum && m->nphdrs < 1024; i++) {
		uint64_t off = eh->e_phoff + i * sizeof(Elf64_Phdr);
		if (off + sizeof(Elf64_Phdr) > len)
			break;
		m->phdrs[m->nphdrs++] = off;
		Elf64_Phdr ph;
		memcpy(&ph, p + off, sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		uint64_t n = ph.p_offset, end = ph.p_offset + ph.p_filesz;
		while (n + 12 <= end && m->nnotes < 4096) {
			uint32_t nsz, dsz;
			memcpy(&nsz, p + n, 4);
			memcpy(&dsz, p + n + 4, 4);
			m->notes[m->nnotes++] = n;
			uint64_t desc = n + 12 + ((nsz + 3ULL) & ~3ULL);
			/* elf_prstatus: pr_info 12, pr_cursig 2, pad 2, sigpend 8, sighold 8, then pr_pid */
			if (get32(p + n + 8) == NT_PRSTATUS && dsz >= 36 && desc + 36 <= end)
				m->tid_at[m->ntids++] = desc + 32;
			if (get32(p + n + 8) == NT_PRSTATUS)
				m->prstatus_at[m->nprstatus++] = n;
			if (get32(p + n + 8) == NT_FILE && dsz >= 16 && desc + dsz <= end &&
			    m->nfiles < 16) {
				m->file_size[m->nfiles] = dsz;
				m->file_at[m->nfiles++] = desc;
			}
			n += 12 + ((nsz + 3ULL) & ~3ULL) + ((dsz + 3ULL) & ~3ULL);
		}
	}
}

static uint64_t lie(uint64_t truth, size_t file_len)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return 0xffffffffu;
	case 2: return truth + 1 + below(64);
	case 3: return truth ? truth - 1 - below(truth) : 1;
	case 4: return file_len + below(4096);
	default: return rnd();
	}
}

/* Damages B (a copy of the original) in place or by reallocation, the K-th way. */
static void damage(struct buf *b, unsigned k, const struct elf_map *m)
{
	size_t len = b->len;
	unsigned kinds = (m->nnotes || m->nphdrs) ? 11 : 6;
	switch (k % kinds) {
	case 0: /* truncated: evenly spread and random cut points */
		b->len = (k / kinds) % 2 ? below(len) : len * ((k / kinds) % 16 + 1) / 17;
		break;
	case 1: /* a few flipped bytes */
		for (size_t i = 0, n = 1 + below(8); len && i < n; i++)
			b->p[below(len)] ^= (unsigned char)(1u << below(8));
		break;
	case 2: { /* a chunk deleted */
		size_t at = below(len), n = below(len - at < 4096 ? len - at : 4096);
		memmove(b->p + at, b->p + at + n, len - at - n);
		b->len -= n;
		break;
	}
	case 3: { /* a chunk repeated */
		size_t at = below(len), n = below(len - at < 4096 ? len - at : 4096);
		b->p = realloc(b->p, len + n);
		memmove(b->p + at + n, b->p + at, len - at);
		b->len += n;
		break;
	}
	case 4: { /* binary junk inserted */
		size_t at = below(len), n = 1 + below(512);
		b->p = realloc(b->p, len + n);
		memmove(b->p + at + n, b->p + at, len - at);
		for (size_t i = 0; i < n; i++)
			b->p[at + i] = (unsigned char)rnd();
		b->len += n;
		break;
	}
	case 5: /* random bytes overwrite a run */
		for (size_t at = below(len), i = 0, n = 1 + below(64); at + i < len && i < n; i++)
			b->p[at + i] = (unsigned char)rnd();
		break;
	case 10: /* NT_FILE's count lies, or its last name loses its NUL */
		if (m->nfiles) {
			size_t i = below(m->nfiles);
			static const uint64_t counts[] = { 0x7fffffffffffffffULL, 0xffffffffULL,
							   1ULL << 40 };
			if (below(2))
				put64(b->p + m->file_at[i], below(2) ? counts[below(3)]
						: get64(b->p + m->file_at[i]) + 1 + below(8));
			else
				b->p[m->file_at[i] + m->file_size[i] - 1] = 'x';
			break;
		}
		/* fall through */
	case 9: /* a thread note's size shrinks below elf_prstatus */
		if (m->nprstatus) {
			size_t at = m->prstatus_at[below(m->nprstatus)] + 4;
			put32(b->p + at, below(get32(b->p + at)));
			break;
		}
		/* fall through */
	case 8: /* a thread note's thread id lies */
		if (m->ntids) {
			static const uint32_t bad[] = { 0, 0xffffffffu };
			size_t at = m->tid_at[below(m->ntids)];
			put32(b->p + at, below(3) < 2 ? bad[below(2)] : get32(b->p + m->tid_at[0]));
			break;
		}
		/* fall through */
	case 6: /* a note's size or type lies */
		if (m->nnotes) {
			size_t at = m->notes[below(m->nnotes)] + 4 * below(3);
			put32(b->p + at, lie(get32(b->p + at), len));
			break;
		}
		/* fall through */
	default: /* a program header lies: offset, vaddr, filesz or memsz */
		if (m->nphdrs) {
			static const size_t fields[] = { offsetof(Elf64_Phdr, p_offset),
				offsetof(Elf64_Phdr, p_vaddr), offsetof(Elf64_Phdr, p_filesz),
				offsetof(Elf64_Phdr, p_memsz) };
			size_t at = m->phdrs[below(m->nphdrs)] + fields[below(4)];
			put64(b->p + at, lie(get64(b->p + at), len));
		}
		break;
	}
}

static int save(const char *name, const struct buf *b)
{
	FILE *f = fopen(name, "wb");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f)) {
		perror(name);
		return -1;
	}
	return 0;
}

static int zero_tid(const char *k, const char *in, const char *out)
{
	size_t len;
	struct buf b = { load(in, &len), 0 };
	static struct elf_map m;
	if (!b.p)
		return perror(in), 1;
	b.len = len;
	map_elf(b.p, len, &m);
	size_t i = strtoul(k, NULL, 10);
	if (i >= m.ntids) {
		fprintf(stderr, "mutate: %s has %zu thread notes\n", in, m.ntids);
		return 1;
	}
	put32(b.p + m.tid_at[i], 0);
	int rc = save(out, &b) ? 1 : 0;
	free(b.p);
	return rc;
}

/* The --file-count and --prstatus-size lies, told in one place. */
static int tell_lie(const char *what, const char *value, const char *in, const char *out)
{
	size_t len;
	struct buf b = { load(in, &len), 0 };
	static struct elf_map m;
	if (!b.p)
		return perror(in), 1;
	b.len = len;
	map_elf(b.p, len, &m);
	bool files = !strcmp(what, "--file-count");
	if (files ? !m.nfiles : !m.nprstatus) {
		fprintf(stderr, "mutate: %s has no %s note\n", in, files ? "NT_FILE" : "NT_PRSTATUS");
		return 1;
	}
	if (files)
		put64(b.p + m.file_at[0], strtoull(value, NULL, 0));
	else
		put32(b.p + m.prstatus_at[0] + 4, strtoull(value, NULL, 0));
	int rc = save(out, &b) ? 1 : 0;
	free(b.p);
	return rc;
}

static int rename_owner(const char *k, const char *name, const char *in, const char *out)
{
	size_t len;
	struct buf b = { load(in, &len), 0 };
	static struct elf_map m;
	if (!b.p)
		return perror(in), 1;
	b.len = len;
	map_elf(b.p, len, &m);
	size_t i = strtoul(k, NULL, 10);
	uint32_t namesz = i < m.nnotes ? get32(b.p + m.notes[i]) : 0;
	if (!namesz || strlen(name) + 1 > namesz || m.notes[i] + 12 + namesz > len) {
		fprintf(stderr, "mutate: %s has no note %zu with room for '%s'\n", in, i, name);
		return 1;
	}
	memset(b.p + m.notes[i] + 12, 0, namesz);
	memcpy(b.p + m.notes[i] + 12, name, strlen(name));
	int rc = save(out, &b) ? 1 : 0;
	free(b.p);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "--owner"))
		return rename_owner(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 5 && !strcmp(argv[1], "--zero-tid"))
		return zero_tid(argv[2], argv[3], argv[4]);
	if (argc == 5 && (!strcmp(argv[1], "--file-count") || !strcmp(argv[1], "--prstatus-size")))
		return tell_lie(argv[1], argv[2], argv[3], argv[4]);
	if (argc != 5) {
		fprintf(stderr, "usage: mutate FILE OUTPREFIX N SEED | mutate --zero-tid K FILE OUT | "
			"mutate --file-count VALUE FILE OUT | mutate --prstatus-size SIZE FILE OUT\n");
		return 2;
	}
	size_t len;
	unsigned char *orig = load(argv[1], &len);
	if (!orig) {
		perror(argv[1]);
		return 1;
	}
	unsigned n = (unsigned)strtoul(argv[3], NULL, 10);
	rng_state = strtoull(argv[4], NULL, 10) * 2654435761u + 88172645463325252ULL;
	static struct elf_map m;
	map_elf(orig, len, &m);
	for (unsigned k = 0; k < n; k++) {
		struct buf b = { malloc(len ? len : 1), len };
		memcpy(b.p, orig, len);
		damage(&b, k, &m);
		char name[4096];
		snprintf(name, sizeof(name), "%s.%u", argv[2], k);
		if (save(name, &b))
			return 1;
		free(b.p);
	}
	free(orig);
	return 0;
}
