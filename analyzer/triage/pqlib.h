#ifndef MORTEM_PQLIB_H
#define MORTEM_PQLIB_H

#include <libpq-fe.h>

#include "analyzer/lib/strbuf.h"

/*
 * libpq, loaded when triage first opens a postgresql:// store
 * (analyzer/lib/dynlib.h): linked in, libpq.so.5 with the TLS, Kerberos,
 * LDAP and SASL libraries it pulls in cost every mortem run about 8 ms and
 * 390 page faults at start. Every libpq function mortem calls is listed
 * here, once; each becomes the member of struct pqlib of the same name,
 * typed from <libpq-fe.h>: pq->PQexec(conn, sql).
 */
#define PQLIB_FUNCS(X)          \
	X(PQclear)              \
	X(PQconnectdbParams)    \
	X(PQconninfoFree)       \
	X(PQconninfoParse)      \
	X(PQenterPipelineMode)  \
	X(PQerrorMessage)       \
	X(PQexec)               \
	X(PQexitPipelineMode)   \
	X(PQfinish)             \
	X(PQgetResult)          \
	X(PQgetisnull)          \
	X(PQgetvalue)           \
	X(PQntuples)            \
	X(PQpipelineStatus)     \
	X(PQpipelineSync)       \
	X(PQprepare)            \
	X(PQresultErrorMessage) \
	X(PQresultStatus)       \
	X(PQsendQueryParams)    \
	X(PQsendQueryPrepared)  \
	X(PQsetNoticeProcessor) \
	X(PQsetSingleRowMode)   \
	X(PQstatus)

struct pqlib {
#define PQLIB_MEMBER(f) __typeof__(f) *f;
	PQLIB_FUNCS(PQLIB_MEMBER)
#undef PQLIB_MEMBER
};

/*
 * libpq's functions, libpq.so.5 loaded on the first call. Returns the
 * table (valid until the process ends), or NULL with ERR set to
 * "PostgreSQL support needs libpq.so.5 (dlopen: <why>)".
 */
const struct pqlib *pqlib_load(struct strbuf *err);

#endif
