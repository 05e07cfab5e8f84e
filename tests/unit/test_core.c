/* Pieces of the core parser that stand alone: si_code names, register
   decoding, core memory (segments, omitted text from the mapped file,
   truncation), the call-site check of the stack scan, the probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/native/coremem.h"
#include "parsers/parser.h"
#include "parsers/native/regs.h"
#include "parsers/native/sigcode.h"
#include "parsers/native/unwind.h"
#include "tests/unit/tempfile.h"

static void test_sigcode_names(void **state)
{
	(void)state;
	assert_string_equal(sigcode_name(SIGSEGV, 1), "SEGV_MAPERR");
	assert_string_equal(sigcode_name(SIGSEGV, 2), "SEGV_ACCERR");
	assert_string_equal(sigcode_name(SIGBUS, 2), "BUS_ADRERR");
	assert_string_equal(sigcode_name(SIGFPE, 1), "FPE_INTDIV");
	assert_string_equal(sigcode_name(SIGABRT, -6), "SI_TKILL");
	assert_string_equal(sigcode_name(SIGSEGV, 0x80), "SI_KERNEL");
	assert_string_equal(sigcode_name(SIGTERM, 0), "SI_USER");
	assert_null(sigcode_name(SIGABRT, 1));
	assert_null(sigcode_name(SIGSEGV, 99));
	assert_true(sigcode_has_address(SIGSEGV, 1));
	assert_false(sigcode_has_address(SIGSEGV, 0x80));
	assert_false(sigcode_has_address(SIGABRT, -6));
}

static void test_regs_x86_64(void **state)
{
	(void)state;
	struct regs_abi x86 = { EM_X86_64, true, false };
	uint64_t raw[27];
	for (int i = 0; i < 27; i++)
		raw[i] = 0x1000 + (uint64_t)i;
	struct thread_regs r;
	assert_int_equal(regs_decode(&x86, raw, sizeof(raw), &r), 0);
	assert_true(r.valid);
	assert_int_equal(r.pc, 0x1000 + 16);        /* rip */
	assert_int_equal(r.sp, 0x1000 + 19);        /* rsp */
	assert_int_equal(r.fp, 0x1000 + 4);         /* rbp */
	assert_int_equal(r.syscall_nr, 0x1000 + 15);/* orig_rax */
	assert_int_equal(r.syscall_arg[0], 0x1000 + 14); /* rdi */
	assert_int_equal(r.syscall_arg[3], 0x1000 + 7);  /* r10 */
	assert_int_equal(r.syscall_ret, 0x1000 + 10);    /* rax */
	assert_int_equal(r.tls_base, 0x1000 + 21);       /* fs_base */
	assert_int_equal(regs_decode(&x86, raw, 8, &r), -1);
	assert_false(r.valid);
	struct regs_abi none = { EM_NONE, true, false };
	assert_int_equal(regs_decode(&none, raw, sizeof(raw), &r), -1);
}

/* A big-endian 32-bit core (s390): words swapped, the psw address's mode bit dropped. */
static void test_regs_s390_big_endian(void **state)
{
	(void)state;
	unsigned char raw[35 * 4] = { 0 };
	raw[1 * 4 + 0] = 0x80; raw[1 * 4 + 2] = 0x05; raw[1 * 4 + 3] = 0x10; /* pswa 0x80000510 */
	raw[17 * 4 + 0] = 0x7f; raw[17 * 4 + 3] = 0x08;                        /* r15 0x7f000008 */
	struct regs_abi s390 = { EM_S390, false, true };
	struct thread_regs r;
	assert_int_equal(regs_decode(&s390, raw, sizeof(raw), &r), 0);
	assert_int_equal(r.pc, 0x510);
	assert_int_equal(r.sp, 0x7f000008);
	assert_int_equal(r.syscall_nr, -1);
	assert_int_equal(regs_decode(&s390, raw, 34 * 4, &r), -1);
	struct regs_abi rv = { EM_RISCV, true, false };
	uint64_t words[32] = { 0x10400, 1, 0x3ff000 };
	assert_int_equal(regs_decode(&rv, words, sizeof(words), &r), 0);
	assert_int_equal(r.pc, 0x10400);
	assert_int_equal(r.sp, 0x3ff000);
}

static void test_regs_aarch64(void **state)
{
	(void)state;
	struct regs_abi a64 = { EM_AARCH64, true, false };
	uint64_t raw[34];
	for (int i = 0; i < 34; i++)
		raw[i] = (uint64_t)i;
	struct thread_regs r;
	assert_int_equal(regs_decode(&a64, raw, sizeof(raw), &r), 0);
	assert_int_equal(r.pc, 32);
	assert_int_equal(r.sp, 31);
	assert_int_equal(r.fp, 29);
	assert_int_equal(r.syscall_nr, 8);
	assert_int_equal(r.syscall_arg[5], 5);
}

static void test_coremem(void **state)
{
	(void)state;
	/* a "core" of 3 pages: segment A fully present, segment B cut at the end */
	unsigned char core[3 * 4096];
	for (size_t i = 0; i < sizeof(core); i++)
		core[i] = (unsigned char)(i / 4096 + 1);
	char path[256];
	int fd = temp_file(path, "coremem");
	unsigned char text[8192];
	memset(text, 0x90, sizeof(text));
	text[4096] = 0xc3;
	assert_int_equal(write(fd, text, sizeof(text)), (ssize_t)sizeof(text));
	close(fd);
	char path2[256]; /* a second file: a page of 0x55, 4,088 bytes of 0x66 */
	fd = temp_file(path2, "coremem");
	unsigned char other[8184];
	memset(other, 0x55, 4096);
	memset(other + 4096, 0x66, sizeof(other) - 4096);
	assert_int_equal(write(fd, other, sizeof(other)), (ssize_t)sizeof(other));
	close(fd);

	struct coremem *m = coremem_new(core, sizeof(core));
	coremem_add_segment(m, 0x10000, 0x1000, 0, 0x1000, PF_R | PF_W);
	coremem_add_segment(m, 0x20000, 0x3000, 0x1000, 0x3000, PF_R | PF_W); /* 1 page lost */
	coremem_add_segment(m, 0x40000, 0x1000, 0x3000, 0, PF_R | PF_X);       /* omitted text */
	coremem_add_file(m, 0x40000, 0x41000, 0x1000, path);
	coremem_add_file(m, 0x60000, 0x62000, 0, path);                        /* no segment (gdb) */
	coremem_add_file(m, 0x70000, 0x72000, 0, path2);
	coremem_seal(m);
	assert_int_equal(coremem_truncated_segments(m), 1);
	unsigned char b[16];
	assert_int_equal(coremem_read(m, 0x10ff8, b, 8), 0);
	assert_int_equal(b[0], 1);
	assert_int_equal(coremem_read(m, 0x20ffc, b, 8), 0);      /* across pages, both in the core */
	assert_int_equal(b[0], 2);
	assert_int_equal(b[7], 3);
	assert_int_equal(coremem_read(m, 0x21ff8, b, 16), -1);   /* runs into the lost page */
	assert_int_equal(coremem_read(m, 0x40000, b, 2), 0);     /* omitted text: from the file at 0x1000 */
	assert_int_equal(b[0], 0xc3);
	assert_int_equal(b[1], 0x90);
	assert_int_equal(coremem_read(m, 0x60fff, b, 2), 0);     /* file mapping without a segment */
	assert_int_equal(b[0], 0x90);
	assert_int_equal(b[1], 0xc3);
	assert_int_equal(coremem_read(m, 0x50000, b, 1), -1);    /* unmapped */
	assert_int_equal(coremem_read(m, 0xfff, b, 1), -1);
	/* small reads go through the last page read: another file's page in between changes nothing */
	assert_int_equal(coremem_read(m, 0x70ffe, b, 4), 0);
	assert_memory_equal(b, "\x55\x55\x66\x66", 4);
	assert_int_equal(coremem_read(m, 0x40000, b, 1), 0);
	assert_int_equal(b[0], 0xc3);
	assert_int_equal(coremem_read(m, 0x71000, b, 2), 0);
	assert_memory_equal(b, "\x66\x66", 2);
	assert_int_equal(coremem_read(m, 0x71ff0, b, 8), 0);      /* 0x71ff0..8: the file's last bytes */
	assert_memory_equal(b, "\x66\x66\x66\x66\x66\x66\x66\x66", 8);
	assert_int_equal(coremem_read(m, 0x71ffc, b, 8), -1);     /* past the file's end */
	unsigned char whole[8192];                                  /* a big read, not through the page */
	assert_int_equal(coremem_read(m, 0x60000, whole, sizeof(whole)), 0);
	assert_memory_equal(whole, text, sizeof(text));
	coremem_free(m);
	unlink(path);
	unlink(path2);
}

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const unsigned char *code = ctx;
	if (addr < 0x1000 || addr + len > 0x1000 + 32)
		return -1;
	memcpy(buf, code + (addr - 0x1000), len);
	return 0;
}

static void test_follows_call(void **state)
{
	(void)state;
	unsigned char code[32] = { 0 };
	/* 0x1000: 8 nops, call rel32 at 0x1008 (ends 0x100d), call *%rax at 0x100d (ends 0x100f) */
	memset(code, 0x90, sizeof(code));
	code[8] = 0xe8;
	code[13] = 0xff;
	code[14] = 0xd0;
	struct memory_ops ops = { .read = fake_read };
	struct unwind_target t = { .machine = EM_X86_64, .le64 = true, .mem = &ops, .mem_ctx = code };
	assert_true(unwind_follows_call(&t, 0x100d));
	assert_true(unwind_follows_call(&t, 0x100f));
	assert_false(unwind_follows_call(&t, 0x1010));
	assert_false(unwind_follows_call(&t, 0x2000));
}

static void test_probe(void **state)
{
	(void)state;
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_type = ET_CORE;
	assert_int_equal(core_parser.probe((const unsigned char *)&eh, sizeof(eh)), 100);
	eh.e_type = ET_DYN;
	assert_int_equal(core_parser.probe((const unsigned char *)&eh, sizeof(eh)), 0);
	assert_int_equal(core_parser.probe((const unsigned char *)"\177ELF", 4), 0);
	/* a big-endian core: e_type 4 in its own byte order */
	eh.e_ident[EI_DATA] = ELFDATA2MSB;
	eh.e_type = ET_CORE << 8;
	assert_int_equal(core_parser.probe((const unsigned char *)&eh, sizeof(eh)), 100);
	assert_null(live_parser.probe);
}

/*
 * A minimal host core for the checks before libunwind-coredump: one
 * PT_NOTE with an NT_PRSTATUS of elf_prstatus's size and an NT_FILE of
 * one mapping.
 */
struct tiny_core {
	unsigned char b[4096];
	size_t len, prstatus, file; /* offsets of the two note headers */
};

static size_t add_note(struct tiny_core *c, uint32_t type, const void *desc, uint32_t size)
{
	size_t at = c->len;
	uint32_t h[3] = { 5, size, type };
	memcpy(c->b + at, h, 12);
	memcpy(c->b + at + 12, "CORE\0\0\0", 8);
	memcpy(c->b + at + 20, desc, size);
	c->len = at + 20 + ((size + 3) & ~3u);
	return at;
}

static void tiny_core_make(struct tiny_core *c)
{
	memset(c, 0, sizeof(*c));
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_phoff = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
			  .e_ehsize = sizeof(Elf64_Ehdr) };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(c->b, &eh, sizeof(eh));
	c->len = sizeof(eh) + sizeof(Elf64_Phdr);
	size_t notes = c->len;
	unsigned char prstatus[336] = { 0 };
	c->prstatus = add_note(c, NT_PRSTATUS, prstatus, sizeof(prstatus));
	uint64_t file[2 + 3] = { 1, 4096, 0x400000, 0x401000, 0 };
	unsigned char fdesc[sizeof(file) + 8];
	memcpy(fdesc, file, sizeof(file));
	memcpy(fdesc + sizeof(file), "/nope\0\0", 8);
	c->file = add_note(c, NT_FILE, fdesc, sizeof(fdesc));
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = notes, .p_filesz = c->len - notes };
	memcpy(c->b + sizeof(eh), &ph, sizeof(ph));
}

static void test_libunwind_core_checks(void **state)
{
	(void)state;
	struct tiny_core c;
	tiny_core_make(&c);
	assert_true(unwind_libunwind_core_ok(c.b, c.len, NULL));
	/* the damaged NT_FILE count that crashed _UCD_create (issue 21) */
	uint64_t huge = 0x7fffffffffffffffULL;
	memcpy(c.b + c.file + 20, &huge, 8);
	assert_false(unwind_libunwind_core_ok(c.b, c.len, NULL));
	/* names that run past the note */
	tiny_core_make(&c);
	memcpy(c.b + c.file + 20 + 40, "/nopeXYZ", 8);
	assert_false(unwind_libunwind_core_ok(c.b, c.len, NULL));
	/* a thread note smaller than the elf_prstatus libunwind copies */
	tiny_core_make(&c);
	uint32_t small = 200;
	memcpy(c.b + c.prstatus + 4, &small, 4);
	assert_false(unwind_libunwind_core_ok(c.b, c.len, NULL));
	/* a note size that walks past the segment */
	tiny_core_make(&c);
	uint32_t big = 0xfffffffeu;
	memcpy(c.b + c.file + 4, &big, 4);
	assert_false(unwind_libunwind_core_ok(c.b, c.len, NULL));
	/* the note segment past the end of the file */
	tiny_core_make(&c);
	assert_false(unwind_libunwind_core_ok(c.b, c.len - 8, NULL));
	/* an x32 core (ELFCLASS32 on x86-64): not libunwind's ABI */
	tiny_core_make(&c);
	c.b[EI_CLASS] = ELFCLASS32;
	struct strbuf why = STRBUF_INIT;
	assert_false(unwind_libunwind_core_ok(c.b, c.len, &why));
	assert_non_null(strstr(why.buf, "ABI"));
	strbuf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigcode_names), cmocka_unit_test(test_regs_x86_64),
		cmocka_unit_test(test_regs_aarch64), cmocka_unit_test(test_regs_s390_big_endian),
		cmocka_unit_test(test_coremem),
		cmocka_unit_test(test_follows_call), cmocka_unit_test(test_probe),
		cmocka_unit_test(test_libunwind_core_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
