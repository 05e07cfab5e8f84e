/* elfshare: libelf descriptors kept per file and shared, through libelf's and libdwfl's calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsers/native/dwarfprep.h"
#include "parsers/native/elfshare.h"
#include "tests/unit/offline.h"

/* A function of this test, to find by name through libdwfl. */
int mortem_elfshare_marker(int x);
int mortem_elfshare_marker(int x)
{
	return x * 3 + 1;
}

static char dir[] = "/tmp/mortem-elfshare-XXXXXX";

/* A copy of this test's executable at NAME in the test's folder, with e_type TYPE (0: as is). */
static char *copy_self(const char *name, uint16_t type)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *in = fopen("/proc/self/exe", "rb");
	char tmp[300];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *out = fopen(tmp, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[65536];
	size_t n, at = 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (type && at == 0)
			memcpy(buf + 16, &type, 2); /* e_type, host order */
		assert_int_equal(fwrite(buf, 1, n, out), n);
		at += n;
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, path), 0); /* a new file (inode) at the name */
	return path;
}

/* elf_begin on PATH as libdwfl calls it; the descriptor is closed at once. */
static Elf *begin_closed(const char *path, Elf_Cmd cmd)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	Elf *e = elf_begin(fd, cmd, NULL);
	close(fd);
	assert_non_null(e);
	return e;
}

/* Reads the section names: every byte the descriptor needs is its own. */
static void assert_readable(Elf *e)
{
	size_t shstrndx;
	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	bool text = false;
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
		GElf_Shdr sh;
		assert_non_null(gelf_getshdr(s, &sh));
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		assert_non_null(name);
		text = text || !strcmp(name, ".text");
	}
	assert_true(text);
}

static int setup(void **state)
{
	(void)state;
	elf_version(EV_CURRENT);
	if (!mkdtemp(dir))
		return -1;
	elfshare_drop();
	elfshare_limits(64, (uint64_t)256 << 20);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_same_file_one_descriptor(void **state)
{
	(void)state;
	elfshare_drop();
	struct elfshare_stats before, after;
	elfshare_stats(&before);
	const char *path = copy_self("same", 0);
	Elf *a = begin_closed(path, ELF_C_READ_MMAP_PRIVATE);
	Elf *b = begin_closed(path, ELF_C_READ_MMAP);
	assert_ptr_equal(a, b);
	elfshare_stats(&after);
	assert_int_equal(after.files, 1);
	assert_int_equal(after.kept - before.kept, 1);
	assert_int_equal(after.hits - before.hits, 1);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(after.bytes, (uint64_t)sb.st_size);
	assert_int_equal(elf_end(a), 0); /* none left that is a's: b's and the table's are not */
	assert_readable(b);
	assert_int_equal(elf_end(b), 0);
	Elf *c = begin_closed(path, ELF_C_READ_MMAP_PRIVATE); /* after every user ended it */
	assert_ptr_equal(c, a);
	assert_readable(c);
	elf_end(c);
	elfshare_drop();
	elfshare_stats(&after);
	assert_int_equal(after.files, 0);
	assert_int_equal(after.bytes, 0);
}

/* A reader of a kept file gets its bytes from the table, with a reference of its own. */
static void test_get_kept_bytes(void **state)
{
	(void)state;
	elfshare_drop();
	const char *path = copy_self("get", 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_null(elfshare_get(&sb)); /* not kept yet */
	Elf *a = begin_closed(path, ELF_C_READ_MMAP);
	Elf *g = elfshare_get(&sb);
	assert_ptr_equal(g, a);
	size_t n = 0;
	const char *bytes = elf_rawfile(g, &n);
	assert_non_null(bytes);
	assert_int_equal(n, (size_t)sb.st_size);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char want[4096];
	size_t got = fread(want, 1, sizeof(want), f);
	fclose(f);
	assert_memory_equal(bytes, want, got);
	assert_int_equal(elf_end(a), 0);
	struct elfshare_stats s;
	elfshare_stats(&s);
	assert_int_equal(s.in_use, 1); /* g's reference holds it */
	elfshare_drop();
	elfshare_stats(&s);
	assert_int_equal(s.files, 1); /* in use: stays */
	assert_memory_equal(elf_rawfile(g, NULL), want, got);
	assert_int_equal(elf_end(g), 0);
	elfshare_drop();
	elfshare_stats(&s);
	assert_int_equal(s.files, 0);
	struct stat other = sb;
	other.st_mtim.tv_nsec ^= 1; /* the same file changed since: not served */
	assert_null(elfshare_get(&other));
}

static void test_changed_file_new_descriptor(void **state)
{
	(void)state;
	elfshare_drop();
	const char *path = copy_self("changed", 0);
	Elf *a = begin_closed(path, ELF_C_READ_MMAP_PRIVATE);
	copy_self("changed", 0); /* replaced: same bytes, another inode */
	Elf *b = begin_closed(path, ELF_C_READ_MMAP_PRIVATE);
	assert_ptr_not_equal(a, b);
	assert_readable(a);
	assert_readable(b);
	struct elfshare_stats s;
	elfshare_stats(&s);
	assert_int_equal(s.files, 2);
	elf_end(a);
	elf_end(b);
	elfshare_drop();
}

/* What libdwfl writes into (ET_REL) or what is one dump's (ET_CORE), and reads without mapping, are never shared. */
static void test_not_shared(void **state)
{
	(void)state;
	elfshare_drop();
	struct elfshare_stats before, after;
	elfshare_stats(&before);
	static const uint16_t types[] = { ET_REL, ET_CORE };
	static const char *const names[] = { "rel", "core" };
	for (size_t i = 0; i < 2; i++) {
		const char *path = copy_self(names[i], types[i]);
		int fd = open(path, O_RDONLY);
		Elf *a = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
		Elf *b = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
		assert_non_null(a);
		assert_ptr_not_equal(a, b);
		GElf_Ehdr eh;
		assert_non_null(gelf_getehdr(a, &eh));
		assert_int_equal(eh.e_type, types[i]);
		assert_int_equal(elf_end(a), 0);
		assert_int_equal(elf_end(b), 0);
		close(fd);
	}
	const char *path = copy_self("read", 0);
	int fd = open(path, O_RDONLY);
	Elf *a = elf_begin(fd, ELF_C_READ, NULL);
	Elf *b = elf_begin(fd, ELF_C_READ, NULL);
	assert_ptr_not_equal(a, b);
	assert_readable(a);
	elf_end(a);
	elf_end(b);
	close(fd);
	elfshare_stats(&after);
	assert_int_equal(after.files, 0);
	assert_int_equal(after.kept, before.kept);
	assert_int_equal(after.hits, before.hits);
}

static int released;
static void count_release(void *arg)
{
	released += *(int *)arg;
}

/*
 * The least recently used file no one holds leaves first; a file held
 * stays (the table above its bounds) until let go; what was adopted with
 * a file is released when it leaves.
 */
static void test_limits(void **state)
{
	(void)state;
	elfshare_drop();
	elfshare_limits(2, (uint64_t)256 << 20);
	char *p1 = strdup(copy_self("one", 0));
	char *p2 = strdup(copy_self("two", 0));
	char *p3 = strdup(copy_self("three", 0));
	Elf *one = begin_closed(p1, ELF_C_READ_MMAP);
	elf_end(begin_closed(p2, ELF_C_READ_MMAP));
	elf_end(begin_closed(p1, ELF_C_READ_MMAP)); /* one is used again: two is older */
	int weight = 1;
	released = 0;
	Elf *two = begin_closed(p2, ELF_C_READ_MMAP);
	struct elfshare_stats s;
	elfshare_stats(&s);
	uint64_t before = s.bytes;
	assert_true(elfshare_adopt(two, count_release, &weight, 4096));
	assert_false(elfshare_adopt(two, count_release, &weight, 4096)); /* one adoption a file */
	elfshare_stats(&s);
	assert_int_equal(s.bytes, before + 4096);
	elf_end(two);
	Elf *three = begin_closed(p3, ELF_C_READ_MMAP); /* two leaves, one is held */
	elfshare_stats(&s);
	assert_int_equal(s.files, 2);
	assert_int_equal(s.in_use, 2);
	assert_int_equal(released, 1);
	Elf *again = begin_closed(p1, ELF_C_READ_MMAP);
	assert_ptr_equal(again, one);
	elf_end(again);
	/* every file held: the table passes its bound, and comes back to it once they are let go */
	Elf *two_anew = begin_closed(p2, ELF_C_READ_MMAP);
	elfshare_stats(&s);
	assert_int_equal(s.files, 3);
	assert_int_equal(s.in_use, 3);
	assert_readable(one);
	/* at most four times the bound held: a fourth file held is served, not kept */
	elfshare_limits(1, (uint64_t)256 << 20);
	char *p4 = strdup(copy_self("four", 0));
	Elf *four = begin_closed(p4, ELF_C_READ_MMAP);
	elfshare_stats(&s);
	assert_int_equal(s.files, 4);
	char *p5 = strdup(copy_self("five", 0));
	Elf *five = begin_closed(p5, ELF_C_READ_MMAP), *five2 = begin_closed(p5, ELF_C_READ_MMAP);
	assert_ptr_not_equal(five, five2);
	assert_readable(five);
	elfshare_stats(&s);
	assert_int_equal(s.files, 4);
	elf_end(five);
	elf_end(five2);
	elf_end(four);
	free(p4);
	free(p5);
	elfshare_limits(2, (uint64_t)256 << 20);
	elf_end(one);
	elf_end(two_anew);
	elf_end(three);
	elfshare_trim();
	elfshare_stats(&s);
	assert_int_equal(s.files, 2);
	assert_int_equal(s.in_use, 0);
	/* a file above half the byte limit is not kept */
	struct stat sb;
	assert_int_equal(stat(p1, &sb), 0);
	elfshare_limits(2, (uint64_t)sb.st_size); /* evicts down to the bound at once */
	elfshare_stats(&s);
	assert_true(s.bytes <= (uint64_t)sb.st_size);
	Elf *big = begin_closed(p2, ELF_C_READ_MMAP);
	Elf *big2 = begin_closed(p2, ELF_C_READ_MMAP);
	assert_ptr_not_equal(big, big2);
	assert_false(elfshare_adopt(big, count_release, &weight, 1)); /* not kept: the caller's */
	elf_end(big);
	elf_end(big2);
	elfshare_drop();
	elfshare_stats(&s);
	assert_int_equal(s.files, 0);
	elfshare_limits(64, (uint64_t)256 << 20);
	free(p1);
	free(p2);
	free(p3);
}

/* The descriptors this process has open. */
static int open_fds(void)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "ls /proc/%d/fd | wc -l", (int)getpid());
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	int n = -1;
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/*
 * libdwfl's own elf_begin calls reach the table: a second session maps
 * nothing again; and libdwfl closes the file descriptor of each module
 * when the session ends (it does only when elf_end says no reference is
 * left: counting the table's, every session left one open).
 */
static void test_dwfl_sessions_share(void **state)
{
	(void)state;
	elfshare_drop();
	const char *path = copy_self("dwfl", 0);
	struct elfshare_stats before, after;
	elfshare_stats(&before);
	int fds = open_fds();
	for (int round = 0; round < 5; round++) {
		Dwfl *dwfl = dwfl_begin(&offline_callbacks);
		assert_non_null(dwfl);
		Dwfl_Module *mod = dwfl_report_offline(dwfl, "dwfl", path, -1);
		assert_non_null(mod);
		assert_int_equal(dwfl_report_end(dwfl, NULL, NULL), 0);
		GElf_Addr bias;
		assert_non_null(dwfl_module_getelf(mod, &bias));
		int n = dwfl_module_getsymtab(mod);
		assert_true(n > 0);
		bool found = false;
		for (int i = 0; i < n && !found; i++) {
			GElf_Sym sym;
			const char *name = dwfl_module_getsym(mod, i, &sym, NULL);
			found = name && !strcmp(name, "mortem_elfshare_marker");
		}
		assert_true(found);
		dwfl_end(dwfl);
		struct elfshare_stats s;
		elfshare_stats(&s);
		assert_int_equal(s.in_use, 0); /* libdwfl gave back every reference it took */
	}
	assert_int_equal(open_fds(), fds);
	elfshare_stats(&after);
	assert_int_equal(after.kept - before.kept, 1);
	assert_true(after.hits - before.hits >= 4);
	elfshare_drop();
}

static GElf_Xword debug_info_flags(Elf *elf)
{
	size_t shstrndx;
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s)) {
		GElf_Shdr sh;
		assert_non_null(gelf_getshdr(s, &sh));
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".debug_info"))
			return sh.sh_flags;
	}
	fail_msg("no .debug_info");
	return 0;
}

/*
 * Debug sections inflated into memory of dwarfprep's in one session are
 * read by the next (the descriptor is shared): that memory lives as long
 * as the descriptor, not as the session.
 */
static void test_inflated_sections_outlive_a_session(void **state)
{
	(void)state;
	elfshare_drop();
	const char *path = copy_self("zdebug", 0);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "objcopy --compress-debug-sections=zlib %s 2>/dev/null", path);
	if (system(cmd) != 0)
		skip(); /* no objcopy (binutils) */
	for (int round = 0; round < 3; round++) {
		Dwfl *dwfl = dwfl_begin(&offline_callbacks);
		Dwfl_Module *mod = dwfl_report_offline(dwfl, "zdebug", path, -1);
		assert_non_null(mod);
		dwfl_report_end(dwfl, NULL, NULL);
		GElf_Addr addr = 0;
		int n = dwfl_module_getsymtab(mod);
		for (int i = 0; i < n && !addr; i++) {
			GElf_Sym sym;
			const char *name = dwfl_module_getsym(mod, i, &sym, NULL);
			if (name && !strcmp(name, "mortem_elfshare_marker"))
				addr = sym.st_value;
		}
		assert_true(addr != 0);
		GElf_Addr bias;
		Elf *elf = dwfl_module_getelf(mod, &bias);
		assert_int_equal(debug_info_flags(elf) & SHF_COMPRESSED, round == 0 ? SHF_COMPRESSED : 0);
		struct dwarfprep *prep = dwarfprep_module(mod);
		assert_null(prep); /* inflated (the first time), and kept with the shared descriptor */
		assert_int_equal(debug_info_flags(elf) & SHF_COMPRESSED, 0);
		Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
		assert_non_null(line);
		const char *file = dwfl_lineinfo(line, NULL, NULL, NULL, NULL, NULL);
		assert_non_null(file);
		assert_non_null(strstr(file, "test_elfshare.c"));
		dwfl_end(dwfl);
		dwarfprep_free(prep);
	}
	elfshare_drop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_file_one_descriptor),
		cmocka_unit_test(test_get_kept_bytes),
		cmocka_unit_test(test_changed_file_new_descriptor),
		cmocka_unit_test(test_not_shared),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_dwfl_sessions_share),
		cmocka_unit_test(test_inflated_sections_outlive_a_session),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
