#include <stdio.h>
#include <string.h>

#include "analyzer/commands.h"
#include "signatures/signatures.h"

static void print_line(const struct catalogue_line *line, void *ctx)
{
	(void)ctx;
	printf("%-26s %-9s %s\n", line->id, severity_name(line->severity), line->title);
}

/* Prints each "ORIGIN:LINE: message" line of ERRS as "mortem: ORIGIN:LINE: message". */
static void print_errors(const struct strbuf *errs)
{
	const char *s = errs->buf;
	while (*s) {
		const char *nl = strchr(s, '\n');
		int n = nl ? (int)(nl - s) : (int)strlen(s);
		cli_error(NULL, "%.*s", n, s);
		s += n + (nl ? 1 : 0);
	}
}

static int check_file(const char *path)
{
	struct strbuf errs = STRBUF_INIT;
	struct ruleset *rs = ruleset_new();
	int nerrs = ruleset_add_file(rs, path, &errs);
	if (nerrs)
		print_errors(&errs);
	else if (ruleset_app_rules(rs, NULL))
		printf("%s: %zu rule%s, %zu in-app/system pattern%s, no errors\n", path, ruleset_count(rs),
		       ruleset_count(rs) == 1 ? "" : "s", ruleset_app_rules(rs, NULL),
		       ruleset_app_rules(rs, NULL) == 1 ? "" : "s");
	else
		printf("%s: %zu rule%s, no errors\n", path, ruleset_count(rs),
		       ruleset_count(rs) == 1 ? "" : "s");
	strbuf_release(&errs);
	ruleset_free(rs);
	return nerrs ? 1 : 0;
}

int cmd_rules(int argc, char **argv, struct mortem_opts *o)
{
	(void)argv;
	if (argc) {
		cli_error("rules", "takes no operands (see mortem --help)");
		return 2;
	}
	if (o->check)
		return check_file(o->check);
	struct strbuf err = STRBUF_INIT;
	const struct ruleset *rs = ruleset_shared(o->rules_files, o->nrules_files, &err);
	if (!rs) {
		cli_error(NULL, "%s", err.buf);
		strbuf_release(&err);
		return 1;
	}
	signatures_catalogue(rs, print_line, NULL);
	strbuf_release(&err);
	return 0;
}
