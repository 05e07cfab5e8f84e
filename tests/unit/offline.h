/*
 * For unit tests on real modules of this machine (included by test_*.c):
 * a libdwfl session that reports files offline and finds their debug
 * files the standard way (by build-id under /usr/lib/debug, .debug, and
 * the debug link).
 */
#ifndef MORTEM_TEST_OFFLINE_H
#define MORTEM_TEST_OFFLINE_H

#include <elfutils/libdwfl.h>

static char *offline_debuginfo_path = "-:.debug:/usr/lib/debug";

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &offline_debuginfo_path,
};

#endif
