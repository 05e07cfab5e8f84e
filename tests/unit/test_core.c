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
	uint64_t raw[27];
	for (int i = 0; i < 27; i++)
		raw[i] = 0x1000 + (uint64_t)i;
	struct thread_regs r;
	assert_int_equal(regs_decode(EM_X86_64, raw, sizeof(raw), &r), 0);
	assert_true(r.valid);
	assert_int_equal(r.pc, 0x1000 + 16);        /* rip */
	assert_int_equal(r.sp, 0x1000 + 19);        /* rsp */
	assert_int_equal(r.fp, 0x1000 + 4);         /* rbp */
	assert_int_equal(r.syscall_nr, 0x1000 + 15);/* orig_rax */
	assert_int_equal(r.syscall_arg[0], 0x1000 + 14); /* rdi */
	assert_int_equal(r.syscall_arg[3], 0x1000 + 7);  /* r10 */
	assert_int_equal(r.syscall_ret, 0x1000 + 10);    /* rax */
	assert_int_equal(r.tls_base, 0x1000 + 21);       /* fs_base */
	assert_int_equal(regs_decode(EM_X86_64, raw, 8, &r), -1);
	assert_false(r.valid);
	assert_int_equal(regs_decode(EM_RISCV, raw, sizeof(raw), &r), -1);
}

static void test_regs_aarch64(void **state)
{
	(void)state;
	uint64_t raw[34];
	for (int i = 0; i < 34; i++)
		raw[i] = (uint64_t)i;
	struct thread_regs r;
	assert_int_equal(regs_decode(EM_AARCH64, raw, sizeof(raw), &r), 0);
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
	char path[] = "/tmp/mortem-coremem-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unsigned char text[8192];
	memset(text, 0x90, sizeof(text));
	text[4096] = 0xc3;
	assert_int_equal(write(fd, text, sizeof(text)), (ssize_t)sizeof(text));
	close(fd);

	struct coremem *m = coremem_new(core, sizeof(core));
	coremem_add_segment(m, 0x10000, 0x1000, 0, 0x1000, PF_R | PF_W);
	coremem_add_segment(m, 0x20000, 0x3000, 0x1000, 0x3000, PF_R | PF_W); /* 1 page lost */
	coremem_add_segment(m, 0x40000, 0x1000, 0x3000, 0, PF_R | PF_X);       /* omitted text */
	coremem_add_file(m, 0x40000, 0x41000, 0x1000, path);
	coremem_add_file(m, 0x60000, 0x62000, 0, path);                        /* no segment (gdb) */
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
	coremem_free(m);
	unlink(path);
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
	struct unwind_target t = { .machine = EM_X86_64, .mem = &ops, .mem_ctx = code };
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
	assert_null(live_parser.probe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigcode_names), cmocka_unit_test(test_regs_x86_64),
		cmocka_unit_test(test_regs_aarch64), cmocka_unit_test(test_coremem),
		cmocka_unit_test(test_follows_call), cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
