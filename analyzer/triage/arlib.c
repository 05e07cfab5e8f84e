#include "analyzer/triage/arlib.h"

#include "analyzer/lib/dynlib.h"

/* libarchive.so.13 is the ABI of libarchive 3, whose header this build reads. */
#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "arlib.c loads libarchive.so.13 (libarchive 3.x); <archive.h> is another version"
#endif

static struct arlib ar;

static const struct dynlib_sym ar_syms[] = {
#define ARLIB_SYM(f) { #f, (void **)&ar.f },
	ARLIB_FUNCS(ARLIB_SYM)
#undef ARLIB_SYM
};

static struct dynlib ar_lib = DYNLIB_INIT("libarchive.so.13", "archive support", ar_syms);

const struct arlib *arlib_load(struct strbuf *err)
{
	return dynlib_load(&ar_lib, err) < 0 ? NULL : &ar;
}
