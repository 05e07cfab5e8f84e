#include <stdio.h>

#include "../analyzer/commands.h"
#include "catalogue.h"

int cmd_rules(int argc, char **argv, struct mortem_opts *o)
{
	(void)argv;
	if (argc) {
		cli_error("rules", "takes no operands (see mortem --help)");
		return 2;
	}
	if (o->check) {
		cli_error(o->check, "rule files are not supported by this build");
		return 1;
	}
	for (size_t i = 0; i < catalogue_count; i++)
		printf("%-26s %-9s %s\n", catalogue[i].id, severity_name(catalogue[i].severity),
		       catalogue[i].title);
	return 0;
}
