/*
 * symindex (parsers/native/symindex.h) against libdwfl itself: for real
 * modules of this machine (libc with its separate debug symbols, the
 * dynamic loader, libstdc++, this test, libjvm.so when a JDK is here),
 * every answer at symbol starts, ends, one byte either side and addresses
 * between must be dwfl_module_addrinfo's, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offline.h"
#include "parsers/native/symindex.h"

/* One address asked of both: the same symbol, offset, symbol fields and bias. */
static void same_answer(Dwfl_Module *mod, const struct symindex *ix, GElf_Addr addr)
{
	GElf_Off off1 = 0, off2 = 0;
	GElf_Sym s1, s2;
	Dwarf_Addr b1 = 0, b2 = 0;
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	const char *want = dwfl_module_addrinfo(mod, addr, &off1, &s1, NULL, NULL, &b1);
	const char *got = symindex_addrinfo(ix, mod, addr, &off2, &s2, &b2);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	if (strcmp(want, got) || off1 != off2 || b1 != b2 || s1.st_value != s2.st_value ||
	    s1.st_size != s2.st_size || s1.st_info != s2.st_info)
		fail_msg("%s at 0x%llx: libdwfl %s+0x%llx, index %s+0x%llx", dwfl_module_info(mod, 0, 0, 0, 0, 0, 0, 0),
			 (unsigned long long)addr, want, (unsigned long long)off1, got,
			 (unsigned long long)off2);
}

static int check_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	(void)userdata;
	size_t *checked = arg;
	int nsyms = dwfl_module_getsymtab(mod);
	if (nsyms <= 1)
		return DWARF_CB_OK;
	struct symindex *ix = symindex_new(mod);
	if (!ix)
		fail_msg("%s: no index for an x86-64 shared object", name);
	Dwarf_Addr end;
	dwfl_module_info(mod, NULL, NULL, &end, NULL, NULL, NULL, NULL);
	/* about 400 symbols of each table, evenly spread, and their edges */
	int step = nsyms / 400 + 1;
	for (int i = 1; i < nsyms; i += step) {
		GElf_Sym sym;
		GElf_Addr value;
		if (!dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL))
			continue;
		GElf_Addr at[] = { value - 1, value, value + 1, value + sym.st_size - 1,
				   value + sym.st_size, value + sym.st_size / 2 };
		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++)
			same_answer(mod, ix, at[k]);
		++*checked;
	}
	/* and addresses across the module, symbols or not */
	srand(7);
	for (int k = 0; k < 300; k++)
		same_answer(mod, ix, start + (GElf_Addr)((double)rand() / RAND_MAX * (double)(end - start)));
	symindex_free(ix);
	return DWARF_CB_OK;
}

static void test_same_as_libdwfl(void **state)
{
	(void)state;
	static const char *const files[] = {
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/ld-linux-x86-64.so.2",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
		"/proc/self/exe",
		"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
	};
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	assert_non_null(dwfl);
	dwfl_report_begin(dwfl);
	size_t reported = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (access(files[i], R_OK) == 0 && dwfl_report_offline(dwfl, files[i], files[i], -1))
			reported++;
	dwfl_report_end(dwfl, NULL, NULL);
	assert_true(reported >= 3);
	size_t checked = 0;
	dwfl_getmodules(dwfl, check_module, &checked, 0);
	assert_true(checked > 1000);
	dwfl_end(dwfl);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_same_as_libdwfl) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
