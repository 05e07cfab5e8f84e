#include "commands.h"

int cmd_triage(int argc, char **argv, struct mortem_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	cli_error("triage", "triage is not built yet; use 'mortem report'");
	return 2;
}
