/* A module's debug sections made ready before libdw opens them (dwarfprep.h). */
#include "parsers/native/dwarfprep.h"
#include "parsers/native/elfshare.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/lib/hugemap.h"
#include "analyzer/lib/xalloc.h"

struct dwarfprep {
	void *base;
	size_t len;
};

/* A section to inflate: its compressed bytes and where they go. */
struct zsection {
	Elf_Scn *scn;
	GElf_Shdr sh;
	GElf_Chdr ch;
	const unsigned char *raw; /* the compression header, then the stream, as libelf has them */
	size_t rawlen;
	size_t hdr;               /* the compression header's size */
	off_t off;                /* where RAW is in the file */
	size_t at;                /* offset in the region */
};

/* deflate expands a byte to at most 1,032: a larger stated size is a lie */
#define DEFLATE_MAX_RATIO 1032

/* Whether NAME is a location-list section (DWARF 5's, the older one, GNU-compressed ones). */
static bool location_lists(const char *name)
{
	return name && (!strcmp(name, ".debug_loclists") || !strcmp(name, ".debug_loc") ||
			!strcmp(name, ".zdebug_loclists") || !strcmp(name, ".zdebug_loc"));
}

/* Marks ELF's location-list sections SHT_NOBITS. */
static void drop_location_lists(Elf *elf, size_t shstrndx)
{
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !location_lists(elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		sh.sh_type = SHT_NOBITS;
		gelf_update_shdr(scn, &sh);
	}
}

/* Whether SCN is a zlib-compressed debug section with its bytes (not SHT_NOBITS); fills Z. */
static bool zlib_section(Elf *elf, Elf_Scn *scn, size_t shstrndx, struct zsection *z)
{
	if (!gelf_getshdr(scn, &z->sh) || z->sh.sh_type == SHT_NOBITS ||
	    !(z->sh.sh_flags & SHF_COMPRESSED))
		return false;
	const char *name = elf_strptr(elf, shstrndx, z->sh.sh_name);
	if (!name || strncmp(name, ".debug_", 7))
		return false;
	if (!gelf_getchdr(scn, &z->ch) || z->ch.ch_type != ELFCOMPRESS_ZLIB || !z->ch.ch_size)
		return false;
	size_t hdr = gelf_getclass(elf) == ELFCLASS32 ? sizeof(Elf32_Chdr) : sizeof(Elf64_Chdr);
	Elf_Data *raw = elf_rawdata(scn, NULL);
	if (!raw || !raw->d_buf || raw->d_size <= hdr)
		return false;
	z->scn = scn;
	z->raw = raw->d_buf;
	z->rawlen = raw->d_size;
	z->hdr = hdr;
	int64_t base = elf_getbase(elf); /* not 0 for a member of an archive */
	z->off = base < 0 ? -1 : (off_t)base + (off_t)z->sh.sh_offset;
	return z->ch.ch_size / DEFLATE_MAX_RATIO <= z->rawlen - hdr;
}

/* A mapping of our own of part of a file, unmapped once read. */
struct window {
	void *at;
	size_t len;
};

/*
 * Z's compressed stream: in a mapping of our own of FD (the file libelf
 * maps: its pages then leave the process's memory when W is unmapped,
 * where libelf's mapping would keep them for the rest of the run), when
 * it holds the same header; else where libelf has it.
 */
static const unsigned char *stream_of(const struct zsection *z, int fd, struct window *w)
{
	w->at = NULL;
	long page = sysconf(_SC_PAGESIZE);
	if (fd >= 0 && z->off >= 0 && page > 0) {
		off_t start = z->off & ~(off_t)(page - 1);
		size_t lead = (size_t)(z->off - start);
		void *m = mmap(NULL, lead + z->rawlen, PROT_READ, MAP_PRIVATE, fd, start);
		if (m != MAP_FAILED) {
			*w = (struct window){ m, lead + z->rawlen };
			const unsigned char *raw = (const unsigned char *)m + lead;
			if (!memcmp(raw, z->raw, z->hdr))
				return raw + z->hdr;
			munmap(w->at, w->len);
			w->at = NULL;
		}
	}
	return z->raw + z->hdr;
}

/* Makes Z's section plain: its header and its data say OUT, inflated. */
static void present(struct zsection *z, void *out)
{
	Elf_Data *data = elf_getdata(z->scn, NULL);
	if (!data)
		return;
	data->d_buf = out;
	data->d_size = z->ch.ch_size;
	data->d_type = ELF_T_BYTE;
	data->d_off = 0;
	data->d_align = z->ch.ch_addralign ? z->ch.ch_addralign : 1;
	z->sh.sh_flags &= ~(GElf_Xword)SHF_COMPRESSED;
	z->sh.sh_size = z->ch.ch_size;
	z->sh.sh_addralign = data->d_align;
	gelf_update_shdr(z->scn, &z->sh);
}

static void release(void *p)
{
	dwarfprep_free(p);
}

/* dwarfprep_elf, reading the compressed streams from FD (ELF's file) where it can (-1: never). */
static struct dwarfprep *prepare(Elf *elf, int fd)
{
	size_t shstrndx;
	GElf_Ehdr eh;
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	drop_location_lists(elf, shstrndx);
	if (eh.e_type == ET_REL) /* libdwfl relocates its DWARF in place: inflated by libdw, as before */
		return NULL;
	struct zsection *zs = NULL;
	size_t n = 0, alloc = 0, len = 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		struct zsection z;
		if (!zlib_section(elf, scn, shstrndx, &z) || z.ch.ch_size > SIZE_MAX / 2 - len)
			continue;
		z.at = len;
		len += (z.ch.ch_size + 63) & ~(size_t)63;
		ALLOC_GROW(zs, n + 1, alloc);
		zs[n++] = z;
	}
	void *base = n ? hugemap_fresh(len) : MAP_FAILED;
	struct libdeflate_decompressor *dc = base != MAP_FAILED ? libdeflate_alloc_decompressor() : NULL;
	bool any = false;
	for (size_t i = 0; dc && i < n; i++) {
		unsigned char *out = (unsigned char *)base + zs[i].at;
		struct window w;
		const unsigned char *in = stream_of(&zs[i], fd, &w);
		size_t got = 0;
		bool ok = libdeflate_zlib_decompress(dc, in, zs[i].rawlen - zs[i].hdr, out,
						     zs[i].ch.ch_size, &got) == LIBDEFLATE_SUCCESS &&
			  got == zs[i].ch.ch_size;
		if (w.at)
			munmap(w.at, w.len);
		if (!ok)
			continue; /* libdw tries it, and fails as it would have */
		present(&zs[i], out);
		any = true;
	}
	if (dc)
		libdeflate_free_decompressor(dc);
	free(zs);
	if (base == MAP_FAILED)
		return NULL;
	if (!any) {
		munmap(base, len);
		return NULL;
	}
	struct dwarfprep *p = xmalloc(sizeof(*p));
	p->base = base;
	p->len = len;
	if (elfshare_adopt(elf, release, p, len))
		return NULL; /* ELF is shared: its inflated bytes live as long as it */
	return p;
}

struct dwarfprep *dwarfprep_module(Dwfl_Module *mod)
{
	GElf_Sym sym;
	GElf_Addr value;
	Elf *elf = NULL;
	if (dwfl_module_getsymtab(mod) < 2 ||
	    !dwfl_module_getsym_info(mod, 1, &sym, &value, NULL, &elf, NULL))
		return NULL;
	/* the file ELF is: the module's own, or its debug file */
	Dwarf_Addr bias;
	const char *mainfile = NULL, *debugfile = NULL;
	Elf *main_elf = dwfl_module_getelf(mod, &bias);
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, &debugfile);
	const char *path = elf == main_elf ? mainfile : debugfile;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	struct dwarfprep *p = prepare(elf, fd);
	if (fd >= 0)
		close(fd);
	return p;
}

struct dwarfprep *dwarfprep_elf(Elf *elf)
{
	return prepare(elf, -1);
}

void dwarfprep_free(struct dwarfprep *p)
{
	if (!p)
		return;
	munmap(p->base, p->len);
	free(p);
}
