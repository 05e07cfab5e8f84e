#ifndef MORTEM_DYNLIB_H
#define MORTEM_DYNLIB_H

#include <stddef.h>

#include "analyzer/lib/strbuf.h"

/*
 * A shared library loaded when a feature first needs it (dlopen), rather
 * than by the dynamic loader at every start: a library that one command
 * uses, with the dozen it pulls in, costs every other run its mapping and
 * relocation. Its module lists the functions it calls once, as an X-macro,
 * and expands the list twice: into a table of pointers declared with the
 * library header's own prototypes (`__typeof__(PQexec) *PQexec;`), so a
 * call with a wrong signature fails to build, and into the dynlib_sym
 * array that says where each address goes (analyzer/triage/pqlib.h).
 */

struct dynlib_sym {
	const char *name; /* the function, "PQexec" */
	void **slot;      /* the table's pointer for it */
};

struct dynlib {
	const char *soname;           /* "libpq.so.5": the ABI the header describes */
	const char *feature;          /* "PostgreSQL support": what needs it, for the message */
	const struct dynlib_sym *syms;
	size_t nsyms;
	/* dynlib_load's: zero-initialize */
	int state;                    /* 0 not tried, 1 loaded, -1 failed */
	char *error;                  /* failed: the message */
};

#define DYNLIB_INIT(soname, feature, syms) \
	{ (soname), (feature), (syms), sizeof(syms) / sizeof((syms)[0]), 0, NULL }

/*
 * Loads D->soname (RTLD_NOW | RTLD_LOCAL) and fills every slot of D->syms,
 * on the first call; later calls give the first call's answer (thread
 * safe, no second dlopen). Returns 0; or -1 with ERR set to "FEATURE needs
 * SONAME (dlopen: <dlerror>)", or "(dlsym: <dlerror>)" when a function is
 * missing (an older or another library under that name), every slot
 * NULL. A library loaded stays loaded until the process ends.
 */
int dynlib_load(struct dynlib *d, struct strbuf *err);

#endif
