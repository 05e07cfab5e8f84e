/*
 * A temporary file for the unit tests (included by test_*.c, after
 * cmocka.h): under $TMPDIR when set, else /tmp.
 */
#ifndef MORTEM_TEST_TEMPFILE_H
#define MORTEM_TEST_TEMPFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Creates a new empty file named mortem-NAME.XXXXXX (the X's made unique),
 * its path into PATH (256 bytes), and returns it open read-write. The
 * caller closes it and unlinks PATH.
 */
static inline int temp_file(char *path, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) >= 200)
		tmp = "/tmp";
	snprintf(path, 256, "%s/mortem-%.40s.XXXXXX", tmp, name);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

#endif
