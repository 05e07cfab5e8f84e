#include "analyzer/triage/pqlib.h"

#include "analyzer/lib/dynlib.h"

static struct pqlib pq;

static const struct dynlib_sym pq_syms[] = {
#define PQLIB_SYM(f) { #f, (void **)&pq.f },
	PQLIB_FUNCS(PQLIB_SYM)
#undef PQLIB_SYM
};

static struct dynlib pq_lib = DYNLIB_INIT("libpq.so.5", "PostgreSQL support", pq_syms);

const struct pqlib *pqlib_load(struct strbuf *err)
{
	return dynlib_load(&pq_lib, err) < 0 ? NULL : &pq;
}
