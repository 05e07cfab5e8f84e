#include "../analyzer/commands.h"

int cmd_browse(int argc, char **argv, struct mortem_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	cli_error("browse", "the browser is not built yet; use 'mortem report'");
	return 2;
}
