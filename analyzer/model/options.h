#ifndef MORTEM_OPTIONS_H
#define MORTEM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every option a user can type, defined once: the getopt table, the --help
 * text come from this one list; doc/mortem.1 documents each (doc_man.sh).
 *
 * X(ID, long name, short char or 0, argument name or NULL, help text)
 */
#define OPTIONS(X)                                                                                  \
	X(OPT_JSON, "json", 0, NULL, "JSON output (one object per input, JSON Lines)")               \
	X(OPT_ALL, "all", 0, NULL, "report: every thread in full, in dump order (nothing folded)")   \
	X(OPT_EXE, "exe", 0, "PATH", "the executable that produced a core")                          \
	X(OPT_SYSROOT, "sysroot", 0, "DIR", "resolve a core's shared-library paths under DIR")        \
	X(OPT_DEBUG_DIR, "debug-dir", 0, "DIR", "extra place for separate debug info (repeatable)")   \
	X(OPT_RULES, "rules", 0, "FILE", "load extra signature rules (repeatable)")                  \
	X(OPT_COLOR, "color", 0, "WHEN", "colours in text output: auto, always or never")            \
	X(OPT_JOBS, "jobs", 'j', "N", "workers for triage; threads that parse one big jstack dump (default: number of CPUs)") \
	X(OPT_SNAPSHOT, "snapshot", 0, "N", "which snapshot of a multi-dump input (default: last)")  \
	X(OPT_UNWINDER, "unwinder", 0, "NAME", "native unwinder: dwfl or libunwind")                 \
	X(OPT_NO_JAVA, "no-java", 0, NULL, "cores and live JVMs: native frames only (no Java frames, names or locks)") \
	X(OPT_NO_CACHE, "no-cache", 0, NULL, "cores and live processes: neither read nor write the symbolization cache") \
	X(OPT_DOT, "dot", 0, "FILE", "write the lock graph as Graphviz DOT")                         \
	X(OPT_HTML, "html", 0, "FILE", "triage: also write a self-contained HTML report")            \
	X(OPT_DB, "db", 0, "FILE|URL", "triage: keep results in SQLite (FILE) or PostgreSQL (postgresql://...), analyze only new artifacts") \
	X(OPT_LEASE, "lease", 0, "SECONDS", "triage --db: a claim not stored by then is taken by another worker (default 4 times the timeout)") \
	X(OPT_SINCE, "since", 0, "DATE", "triage --db: report only artifacts first seen since DATE") \
	X(OPT_INPUT_FORMAT, "input-format", 0, "NAME", "skip detection: parse input as NAME")        \
	X(OPT_PID, "pid", 'p', "PID", "snapshot a live process (ptrace) instead of reading a file")  \
	X(OPT_SOURCE_PATH, "source-path", 0, "DIR", "browse: a source root searched by file name and Java package, or OLD=NEW mapping a build path (repeatable)") \
	X(OPT_KEYS, "keys", 0, NULL, "browse: list the browser's keys (a Markdown table) and exit") \
	X(OPT_MAX_FRAMES, "max-frames", 0, "N", "frames kept per thread (default 2048, 0: no limit)") \
	X(OPT_MAX_THREADS, "max-threads", 0, "N", "threads kept per dump (default 100000)")         \
	X(OPT_TIMEOUT, "timeout", 0, "SECONDS", "time per artifact (triage, default 120) or input (report: none)")    \
	X(OPT_MAX_LINE, "max-line", 0, "BYTES", "text dumps: longer lines are cut (default 1M)")     \
	X(OPT_MAX_DECOMPRESSED, "max-decompressed", 0, "BYTES", "decompressed bytes in memory at once, triage's walker and workers together (default: half the RAM)") \
	X(OPT_MAX_DEPTH, "max-depth", 0, "N", "triage: archives nested inside archives (default 8)")  \
	X(OPT_MAX_MEMBERS, "max-members", 0, "N", "triage: archive members read in all (default 1000000)") \
	X(OPT_MAX_ARCHIVE_BYTES, "max-archive-bytes", 0, "BYTES", "triage: bytes decompressed from archives in all (default 64G)") \
	X(OPT_CHECK, "check", 0, "FILE", "rules: validate a rule file and report errors")            \
	X(OPT_HELP, "help", 'h', NULL, "show this help")                                              \
	X(OPT_VERSION, "version", 0, NULL, "print the version")

#define X_ENUM(id, l, s, a, h) id,
enum option_id { OPTIONS(X_ENUM) OPTION_COUNT };
#undef X_ENUM

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* What the user asked for; filled by the CLI, read by every layer. */
struct mortem_opts {
	bool json;
	bool all;                /* report --all: every thread in full, nothing folded */
	const char *exe;
	const char *sysroot;
	const char **debug_dirs;
	size_t ndebug_dirs;
	const char **rules_files;
	size_t nrules_files;
	enum color_mode color;
	int jobs;                /* triage's workers; a big jstack dump's parse threads (parsers/text/split.h); 0: CPUs */
	int snapshot;            /* 0: the last */
	const char *unwinder;    /* NULL: default (dwfl, libunwind where dwfl stops) */
	bool no_java;            /* cores and live JVMs: skip HotSpot's Java side */
	bool no_cache;           /* no persistent symbolization cache (parsers/native/symcache.h) */
	const char *dot;
	const char *html;
	const char *db;
	const char *since;
	int64_t lease;            /* triage --db: claim lease in seconds; 0: 4 x timeout */
	const char *input_format;
	int64_t pid;             /* -1: none */
	const char **source_paths;
	size_t nsource_paths;
	bool keys;               /* browse --keys: print the key table */
	bool frame_notes;        /* not an option: browse sets it, as only the browser shows the
				    lines a dump prints under frames (dump.h keep_notes) */
	size_t max_frames;
	size_t max_threads;
	int timeout;
	bool timeout_given;       /* --timeout typed: report applies it too (triage always does) */
	size_t max_line;          /* 0: TEXT_MAX_LINE_DEFAULT */
	uint64_t max_decompressed;/* 0: half the physical memory */
	int max_depth;            /* triage: 0: WALK_LIMITS_DEFAULT's */
	uint64_t max_members;     /* triage: 0: WALK_LIMITS_DEFAULT's */
	uint64_t max_archive_bytes;/* triage: 0: WALK_LIMITS_DEFAULT's */
	const char *check;
};

#define MORTEM_OPTS_INIT { .pid = -1, .max_frames = 2048, .max_threads = 100000, .timeout = 120 }

#endif
