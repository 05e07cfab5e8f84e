/*
 * mortem's command line: parse options (one table, options.h), pick the
 * command (one table, commands.h), run it, exit with its status.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/parser.h"
#include "parsers/text/text.h"
#include "signatures/rules.h"
#include "analyzer/commands.h"
#include "analyzer/lib/xalloc.h"
#include "analyzer/model/options.h"
#include "analyzer/version.h"

static void usage(FILE *to)
{
	fprintf(to, "usage: mortem [OPTIONS] [INPUT]        browse on a terminal, else report\n");
#define X_USAGE(name, fn, use, summary) fprintf(to, "       mortem %-30s %s\n", use, summary);
	COMMANDS(X_USAGE)
#undef X_USAGE
	fprintf(to, "       mortem report -p PID                 snapshot a live process (ptrace)\n");
	fprintf(to, "\nINPUT is a core file (also .zst/.xz/.gz/.lz4), an hs_err log, a thread dump\n"
		    "(jstack, jcmd, gdb, eu-stack, lldb, pstack), or - for standard input.\n"
		    "Without INPUT, mortem reads standard input (a pipe, or a paste ended by Ctrl-D).\n");
	fprintf(to, "\noptions:\n");
#define X_HELP(id, lng, shrt, arg, help)                                                   \
	{                                                                                  \
		char left[64];                                                             \
		if (shrt)                                                                  \
			snprintf(left, sizeof(left), "-%c, --%s%s%s", shrt, lng, arg ? " " : "", \
				 arg ? arg : "");                                          \
		else                                                                       \
			snprintf(left, sizeof(left), "    --%s%s%s", lng, arg ? " " : "",    \
				 arg ? arg : "");                                          \
		fprintf(to, "  %-31s %s\n", left, help);                                   \
	}
	OPTIONS(X_HELP)
#undef X_HELP
	fprintf(to, "\ninput formats (--input-format):");
	for (size_t i = 0; parser_list[i]; i++)
		fprintf(to, " %s", parser_list[i]->name);
	fprintf(to, "\n\nexit status: 0 every input analyzed, 1 some input could not be analyzed,\n"
		    "2 wrong usage. Errors: \"mortem: INPUT: message\" on stderr.\n");
}

static const struct option long_options[] = {
#define X_LONG(id, lng, shrt, arg, help) { lng, arg ? required_argument : no_argument, NULL, 1000 + id },
	OPTIONS(X_LONG)
#undef X_LONG
	{ NULL, 0, NULL, 0 },
};

static int short_to_id(int c)
{
#define X_SHORT(id, lng, shrt, arg, help) \
	if (shrt && c == shrt)            \
		return id;
	OPTIONS(X_SHORT)
#undef X_SHORT
	return -1;
}

static const char *short_options(void)
{
	static char buf[64];
	size_t n = 0;
	buf[n++] = '+'; /* stop at the first operand: the command word is handled by us */
	buf[n++] = ':';
#define X_SHORTSTR(id, lng, shrt, arg, help) \
	if (shrt) {                          \
		buf[n++] = shrt;             \
		if (arg)                     \
			buf[n++] = ':';      \
	}
	OPTIONS(X_SHORTSTR)
#undef X_SHORTSTR
	buf[n] = '\0';
	return buf;
}

static int parse_int(const char *opt, const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		cli_error(NULL, "--%s: '%s' is not a number from %lld to %lld", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A byte count with an optional K, M, G or T suffix (powers of 1024), at least MIN. */
static int parse_size(const char *opt, const char *s, long long min, long long *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (!*s || *s == '-' || *end || v > (1ULL << 62) >> shift || (long long)(v << shift) < min) {
		cli_error(NULL, "--%s: '%s' is not a size of at least %lld bytes (K, M, G suffixes)",
			  opt, s, min);
		return -1;
	}
	*out = (long long)(v << shift);
	return 0;
}

/* Appends V to a repeatable option's list (a few entries: grown one at a time). */
static void push(const char ***arr, size_t *n, const char *v)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = v;
}

/* Applies one option; returns 0, 1 when the program should exit 0 (help, version), or -1 (usage). */
static int apply_option(struct mortem_opts *o, int id, const char *arg)
{
	long long v;
	switch (id) {
	case OPT_JSON: o->json = true; break;
	case OPT_ALL: o->all = true; break;
	case OPT_EXE: o->exe = arg; break;
	case OPT_SYSROOT: o->sysroot = arg; break;
	case OPT_DEBUG_DIR: push(&o->debug_dirs, &o->ndebug_dirs, arg); break;
	case OPT_RULES: push(&o->rules_files, &o->nrules_files, arg); break;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			o->color = COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			o->color = COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			o->color = COLOR_NEVER;
		else {
			cli_error(NULL, "--color: '%s' is not auto, always or never", arg);
			return -1;
		}
		break;
	case OPT_JOBS:
		if (parse_int("jobs", arg, 1, 1024, &v))
			return -1;
		o->jobs = (int)v;
		break;
	case OPT_SNAPSHOT:
		if (parse_int("snapshot", arg, 1, 1000000, &v))
			return -1;
		o->snapshot = (int)v;
		break;
	case OPT_UNWINDER:
		if (strcmp(arg, "dwfl") && strcmp(arg, "libunwind")) {
			cli_error(NULL, "--unwinder: '%s' is not dwfl or libunwind", arg);
			return -1;
		}
		o->unwinder = arg;
		break;
	case OPT_DOT: o->dot = arg; break;
	case OPT_HTML: o->html = arg; break;
	case OPT_DB: o->db = arg; break;
	case OPT_SINCE: o->since = arg; break;
	case OPT_LEASE:
		if (parse_int("lease", arg, 1, 30 * 86400, &v))
			return -1;
		o->lease = v;
		break;
	case OPT_INPUT_FORMAT:
		if (!parser_find(arg)) {
			cli_error(NULL, "--input-format: unknown format '%s'", arg);
			return -1;
		}
		o->input_format = arg;
		break;
	case OPT_PID:
		if (parse_int("pid", arg, 1, 0x7fffffff, &v))
			return -1;
		o->pid = v;
		break;
	case OPT_SOURCE_PATH: push(&o->source_paths, &o->nsource_paths, arg); break;
	case OPT_KEYS: o->keys = true; break;
	case OPT_NO_JAVA: o->no_java = true; break;
	case OPT_NO_CACHE: o->no_cache = true; break;
	case OPT_MAX_FRAMES:
		if (parse_int("max-frames", arg, 0, 100000000, &v))
			return -1;
		o->max_frames = (size_t)v;
		break;
	case OPT_MAX_THREADS:
		if (parse_int("max-threads", arg, 1, 100000000, &v))
			return -1;
		o->max_threads = (size_t)v;
		break;
	case OPT_TIMEOUT:
		if (parse_int("timeout", arg, 1, 86400, &v))
			return -1;
		o->timeout = (int)v;
		o->timeout_given = true;
		break;
	case OPT_MAX_LINE:
		if (parse_size("max-line", arg, 80, &v))
			return -1;
		o->max_line = (size_t)v;
		break;
	case OPT_MAX_DECOMPRESSED:
		if (parse_size("max-decompressed", arg, 1, &v))
			return -1;
		o->max_decompressed = (uint64_t)v;
		break;
	case OPT_MAX_DEPTH:
		if (parse_int("max-depth", arg, 1, 64, &v))
			return -1;
		o->max_depth = (int)v;
		break;
	case OPT_MAX_MEMBERS:
		if (parse_int("max-members", arg, 1, 1000000000, &v))
			return -1;
		o->max_members = (uint64_t)v;
		break;
	case OPT_MAX_ARCHIVE_BYTES:
		if (parse_size("max-archive-bytes", arg, 1, &v))
			return -1;
		o->max_archive_bytes = (uint64_t)v;
		break;
	case OPT_CHECK: o->check = arg; break;
	case OPT_HELP: usage(stdout); return 1;
	case OPT_VERSION: printf("mortem %s\n", MORTEM_VERSION); return 1;
	default: return -1;
	}
	return 0;
}

/*
 * Parses options anywhere among the operands (GNU style), leaving the
 * operands in order at the front of argv. Returns the operand count, or
 * -1 (usage) / -2 (exit 0).
 */
static int parse_options(int argc, char **argv, struct mortem_opts *o)
{
	char **operands = calloc((size_t)argc + 1, sizeof(char *));
	int nops = 0;
	const char *shorts = short_options();
	opterr = 0;
	optind = 1;
	while (optind < argc) {
		int c = getopt_long(argc, argv, shorts, long_options, NULL);
		if (c == -1) {
			if (optind < argc && !strcmp(argv[optind - 1], "--")) {
				while (optind < argc)
					operands[nops++] = argv[optind++];
				break;
			}
			operands[nops++] = argv[optind++];
			continue;
		}
		if (c == '?' || c == ':') {
			if (c == ':')
				cli_error(NULL, "option '%s' needs an argument", argv[optind - 1]);
			else if (optopt)
				cli_error(NULL, "unknown option '-%c' (see mortem --help)", optopt);
			else
				cli_error(NULL, "unknown option '%s' (see mortem --help)", argv[optind - 1]);
			free(operands);
			return -1;
		}
		int id = c >= 1000 ? c - 1000 : short_to_id(c);
		int rc = apply_option(o, id, optarg);
		if (rc) {
			free(operands);
			return rc < 0 ? -1 : -2;
		}
	}
	for (int i = 0; i < nops; i++)
		argv[i] = operands[i];
	argv[nops] = NULL;
	free(operands);
	return nops;
}

/* A bad --rules file is a usage error, said once before any input is read. */
static int check_rules(int n, char **argv, const struct mortem_opts *o)
{
	if (!o->nrules_files || (n > 0 && !strcmp(argv[0], "rules")))
		return 0;
	struct strbuf err = STRBUF_INIT;
	int rc = ruleset_shared(o->rules_files, o->nrules_files, &err) ? 0 : -1;
	if (rc)
		cli_error(NULL, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

static int run(int n, char **argv, struct mortem_opts *o)
{
	if (check_rules(n, argv, o) < 0)
		return 2;
#define X_DISPATCH(name, fn, use, summary)           \
	if (n > 0 && !strcmp(argv[0], name))         \
		return fn(n - 1, argv + 1, o);
	COMMANDS(X_DISPATCH)
#undef X_DISPATCH
	if (n == 0 && o->pid > 0)
		return cmd_report(0, argv, o);
	if (n > 1) {
		cli_error(NULL, "expected one INPUT, or a command (see mortem --help)");
		return 2;
	}
	static char stdin_name[] = "-";
	if (n == 0) { /* no INPUT: the dump comes on standard input (a pipe, or a paste) */
		argv[0] = stdin_name;
		argv[1] = NULL;
		n = 1;
	}
	if (isatty(1) && !o->json)
		return cmd_browse(n, argv, o);
	return cmd_report(n, argv, o);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	/* static: the options, and the lists repeatable ones grow, live as long as the process */
	static struct mortem_opts o = MORTEM_OPTS_INIT;
	int n = parse_options(argc, argv, &o);
	int rc = n == -2 ? 0 : n < 0 ? 2 : run(n, argv, &o);
	/* the repeatable options' arrays (their strings are argv's) */
	free(o.debug_dirs);
	free(o.rules_files);
	free(o.source_paths);
	return rc;
}
