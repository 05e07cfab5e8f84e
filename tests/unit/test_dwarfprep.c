/*
 * dwarfprep (parsers/native/dwarfprep.h) on libc's debug file (libc6-dbg,
 * which make deps installs): once prepared, opening the DWARF leaves the
 * location lists as they are on disk, every other debug section is plain
 * and holds exactly what libelf's own inflation gives, and a function's
 * unit and source line are found as before. Sections that do not inflate
 * (bad bytes, a stated size no deflate stream reaches) are left compressed
 * for libdw, the others prepared all the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "offline.h"
#include "parsers/native/dwarfprep.h"
#include "parsers/native/elfshare.h"

static const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";

static Elf_Scn *section(Elf *elf, const char *want, GElf_Shdr *sh)
{
	size_t shstrndx;
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		const char *name = gelf_getshdr(scn, sh) ? elf_strptr(elf, shstrndx, sh->sh_name) : NULL;
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

/* libc's module in a fresh offline session, and the address of its malloc. */
static Dwfl_Module *libc_module(Dwfl **dwfl, GElf_Addr *malloc_at)
{
	*dwfl = dwfl_begin(&offline_callbacks);
	assert_non_null(*dwfl);
	dwfl_report_begin(*dwfl);
	Dwfl_Module *mod = dwfl_report_offline(*dwfl, "libc.so.6", libc, -1);
	dwfl_report_end(*dwfl, NULL, NULL);
	assert_non_null(mod);
	*malloc_at = 0;
	int nsyms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < nsyms && !*malloc_at; i++) {
		GElf_Sym sym;
		GElf_Addr value;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);
		if (name && !strcmp(name, "malloc") && GELF_ST_TYPE(sym.st_info) == STT_FUNC)
			*malloc_at = value;
	}
	assert_true(*malloc_at != 0);
	return mod;
}

/* The path of libc's debug file (found by a session of its own). */
static char *libc_debug_file(void)
{
	Dwfl *dwfl;
	GElf_Addr at;
	Dwfl_Module *mod = libc_module(&dwfl, &at);
	Dwarf_Addr bias;
	assert_non_null(dwfl_module_getdwarf(mod, &bias));
	const char *debugfile = NULL;
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
	assert_non_null(debugfile);
	char *path = strdup(debugfile);
	dwfl_end(dwfl);
	return path;
}

/* NAME's section of the file at PATH as libelf inflates it: its bytes (malloc'd) and size. */
static void *libelf_inflated(const char *path, const char *name, size_t *size)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	GElf_Shdr sh;
	Elf_Scn *scn = section(elf, name, &sh);
	assert_non_null(scn);
	if (sh.sh_flags & SHF_COMPRESSED)
		assert_int_equal(elf_compress(scn, 0, 0), 1);
	Elf_Data *data = elf_getdata(scn, NULL);
	assert_non_null(data);
	*size = data->d_size;
	void *copy = malloc(*size);
	memcpy(copy, data->d_buf, *size);
	elf_end(elf);
	close(fd);
	return copy;
}

/* Whether ELF's section NAME is plain and holds what libelf inflates from the file at PATH. */
static void assert_same_as_libelf(Elf *elf, const char *path, const char *name)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section(elf, name, &sh);
	assert_non_null(scn);
	assert_int_equal(sh.sh_flags & SHF_COMPRESSED, 0);
	Elf_Data *data = elf_getdata(scn, NULL);
	assert_non_null(data);
	size_t size;
	void *want = libelf_inflated(path, name, &size);
	assert_int_equal(data->d_size, size);
	assert_int_equal(sh.sh_size, size);
	assert_memory_equal(data->d_buf, want, size);
	free(want);
}

static const char *const inflated_sections[] = {
	".debug_aranges", ".debug_info", ".debug_abbrev", ".debug_line",
	".debug_str", ".debug_line_str", ".debug_rnglists",
};

static void test_libc_prepared(void **state)
{
	(void)state;
	char *path = libc_debug_file();
	Dwfl *dwfl;
	GElf_Addr malloc_at;
	Dwfl_Module *mod = libc_module(&dwfl, &malloc_at);
	struct dwarfprep *prep = dwarfprep_module(mod);
	assert_non_null(prep); /* Debian compresses libc6-dbg's sections with zlib */

	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	assert_non_null(dw);
	Elf *elf = dwarf_getelf(dw);
	GElf_Shdr sh;
	Elf_Scn *loc = section(elf, ".debug_loclists", &sh);
	assert_non_null(loc);
	assert_int_equal(sh.sh_type, SHT_NOBITS);
	for (size_t i = 0; i < sizeof(inflated_sections) / sizeof(*inflated_sections); i++)
		assert_same_as_libelf(elf, path, inflated_sections[i]);

	Dwarf_Addr cubias;
	assert_non_null(dwfl_module_addrdie(mod, malloc_at, &cubias));
	Dwfl_Line *line = dwfl_module_getsrc(mod, malloc_at);
	assert_non_null(line);
	int lineno = 0;
	const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	assert_non_null(file);
	assert_non_null(strstr(file, "malloc.c"));
	assert_true(lineno > 0);
	dwfl_end(dwfl);
	dwarfprep_free(prep);
	free(path);
}

/* The compression header of NAME's section in the file image BUF (its offset into BUF). */
static Elf64_Chdr *chdr_of(unsigned char *buf, size_t len, const char *name)
{
	Elf *elf = elf_memory((char *)buf, len);
	assert_non_null(elf);
	GElf_Shdr sh;
	assert_non_null(section(elf, name, &sh));
	elf_end(elf);
	assert_true(sh.sh_flags & SHF_COMPRESSED);
	assert_true(sh.sh_offset + sh.sh_size <= len);
	return (Elf64_Chdr *)(buf + sh.sh_offset);
}

/* The file at PATH read into memory (malloc'd; libelf may write to an elf_memory image). */
static unsigned char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	unsigned char *buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

static void test_bad_sections_left(void **state)
{
	(void)state;
	char *path = libc_debug_file();
	size_t len;
	unsigned char *buf = read_whole(path, &len);

	/* .debug_info: bytes in the middle of its stream changed (the checksum fails) */
	Elf64_Chdr *info = chdr_of(buf, len, ".debug_info");
	unsigned char *payload = (unsigned char *)(info + 1);
	for (size_t i = 0; i < 64; i++)
		payload[1000 + i] ^= 0x5a;
	/* .debug_abbrev: a stated size no deflate stream of its length reaches */
	Elf64_Chdr *abbrev = chdr_of(buf, len, ".debug_abbrev");
	abbrev->ch_size = (Elf64_Xword)1 << 44;

	Elf *elf = elf_memory((char *)buf, len);
	assert_non_null(elf);
	struct dwarfprep *prep = dwarfprep_elf(elf);
	assert_non_null(prep);
	GElf_Shdr sh;
	assert_non_null(section(elf, ".debug_info", &sh));
	assert_true(sh.sh_flags & SHF_COMPRESSED);
	assert_non_null(section(elf, ".debug_abbrev", &sh));
	assert_true(sh.sh_flags & SHF_COMPRESSED);
	assert_non_null(section(elf, ".debug_loclists", &sh));
	assert_int_equal(sh.sh_type, SHT_NOBITS);
	assert_same_as_libelf(elf, path, ".debug_line");
	assert_same_as_libelf(elf, path, ".debug_str");
	elf_end(elf);
	dwarfprep_free(prep);
	free(buf);
	free(path);
}

/* A relocatable object's sections stay compressed (libdwfl relocates its DWARF in place); its location lists still go. */
static void test_relocatable_left(void **state)
{
	(void)state;
	char *path = libc_debug_file();
	size_t len;
	unsigned char *buf = read_whole(path, &len);
	((Elf64_Ehdr *)buf)->e_type = ET_REL;
	Elf *elf = elf_memory((char *)buf, len);
	assert_non_null(elf);
	assert_null(dwarfprep_elf(elf));
	GElf_Shdr sh;
	assert_non_null(section(elf, ".debug_info", &sh));
	assert_true(sh.sh_flags & SHF_COMPRESSED);
	assert_non_null(section(elf, ".debug_loclists", &sh));
	assert_int_equal(sh.sh_type, SHT_NOBITS);
	elf_end(elf);
	free(buf);
	free(path);
}

/* A file without compressed debug sections (libc itself) gets nothing to free. */
static void test_nothing_to_inflate(void **state)
{
	(void)state;
	int fd = open(libc, O_RDONLY);
	assert_true(fd >= 0);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	assert_non_null(elf);
	assert_null(dwarfprep_elf(elf));
	assert_null(dwarfprep_elf(NULL));
	elf_end(elf);
	close(fd);
}

int main(void)
{
	elf_version(EV_CURRENT);
	/*
	 * Each session here opens its files afresh: with descriptors shared
	 * (elfshare.h), the session that finds libc's debug file would leave
	 * its sections inflated (by libdw) for the next. test_elfshare checks
	 * dwarfprep with a shared descriptor.
	 */
	elfshare_limits(0, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libc_prepared),
		cmocka_unit_test(test_bad_sections_left),
		cmocka_unit_test(test_relocatable_left),
		cmocka_unit_test(test_nothing_to_inflate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
