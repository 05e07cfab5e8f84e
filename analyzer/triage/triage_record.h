#ifndef MORTEM_TRIAGE_RECORD_H
#define MORTEM_TRIAGE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/membudget.h"
#include "analyzer/lib/strbuf.h"

/*
 * What triage keeps of one analyzed artifact: a compact JSON object that a
 * worker sends back over its pipe and the --db file stores as is.
 *
 *   {"status": "ok"|"failed"|"skipped", "error": "why (failed/skipped)",
 *    "format", "signature", "bucket", "severity": "high"|null,
 *    "findings": [ids], "time": "as the dump says"|null, "executable",
 *    "score": how informative the example stack is (symbols, source lines),
 *    "crash": {"signal", "code", "reason", "message", "frame"}|null,
 *    "details": [{"id", "title", "severity", "summary", "advice"}] (one per finding id),
 *    "stack": {"thread": "...", "frames": ["fn (module) at file:line", ...],
 *              "in_app": [bool per frame], "top": index of the first meaningful frame},
 *    "graph": [{"from": thread, "to": thread, "lock": label, "from_at", "to_at":
 *               the user's frame each thread is at, "fn file:line"}]}
 *
 * Records stored by older versions lack crash, details, in_app, top and
 * the *_at keys; readers take them as absent.
 *
 * "graph" holds the wait-for edges of the lock cycles the findings name.
 */

enum record_status { RECORD_OK, RECORD_FAILED, RECORD_SKIPPED };

struct triage_record {
	char *text;                 /* the record as given */
	json_t *root;               /* the whole record parsed: NULL until record_root() */
	json_t *keys;               /* parsed from the whole record: owns the strings below */
	char *fields;               /* read from a summary: owns the strings below */
	enum record_status status;
	const char *error;          /* failed/skipped: why */
	const char *format;
	const char *signature;      /* NULL: no crash or hang signature */
	const char *bucket;
	int severity;               /* enum severity, or -1 when no finding */
	const char **findings;      /* the finding ids */
	size_t nfindings;
	long long score;
};

/*
 * A record's summary: the keys a run groups and ranks by (status, format,
 * signature, bucket, error, severity, score, then the finding ids), sent
 * beside the record so that triage's parent reads them without parsing
 * the record (details, stack, graph: 1.8 KB for a small core, which cost
 * the parent a third of its time) nor even a JSON object (parsing one
 * with jansson was still six in ten of the parent's instructions): each
 * field is a netstring, its length in hex, ':', '+' and the value or '-'
 * for none, ','.
 */

/*
 * Worker side: analyzes the LEN bytes readable from FD (named PATH) with O
 * and appends the record to OUT, its summary to SUMMARY (nothing for a
 * failed or skipped record: it is as small as a summary). What it
 * decompresses is taken from BUDGET (shared with the walker and the other
 * workers) when not NULL. Never fails: problems become a "failed" record,
 * bytes no parser recognises a "skipped" one.
 */
void record_analyze(int fd, size_t len, const char *path, const struct mortem_opts *o,
		    struct membudget *budget, struct strbuf *out, struct strbuf *summary);

/* Appends the record of an analyzed dump to OUT, and its summary to SUMMARY when not NULL. */
void record_from_dump(const struct dump *d, struct strbuf *out, struct strbuf *summary);

/* Appends a record with STATUS (failed or skipped) and the reason WHY. */
void record_problem(struct strbuf *out, enum record_status status, const char *why);

/*
 * Reads the record JSON into R: its keys from SUMMARY when not NULL nor
 * empty (then JSON itself is parsed only when record_root asks), else
 * from JSON. R keeps a copy of JSON. Returns 0, or -1 with a message in
 * ERR (R left empty).
 */
int record_parse(struct triage_record *r, const char *json, const char *summary,
		 struct strbuf *err);
/* The whole record, parsed on first use (an empty object when it does not parse); R owns it. */
json_t *record_root(struct triage_record *r);
void record_release(struct triage_record *r);

/* Whether DATA starts with an ELF header of type ET_CORE. */
bool record_is_elf_core(const unsigned char *data, size_t len);

#endif
