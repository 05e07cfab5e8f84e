#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/commands.h"
#include "analyzer/pipeline.h"
#include "tui/browse.h"

int cmd_browse(int argc, char **argv, struct mortem_opts *o)
{
	if (o->keys) {
		struct strbuf keys = STRBUF_INIT;
		browse_key_table(&keys);
		int rc = cli_write_stdout(keys.buf, keys.len);
		strbuf_release(&keys);
		return rc < 0 ? 1 : 0;
	}
	if (argc != 1) {
		cli_error("browse", argc ? "expected one INPUT" : "no INPUT given (see mortem --help)");
		return 2;
	}
	if (!browse_have_terminal()) {
		cli_error("browse", "no terminal to draw on; use 'mortem report %s'", argv[0]);
		return 2;
	}
	if (!strcmp(argv[0], "-") && isatty(0))
		fputs("mortem: paste the dump, then press Ctrl-D\n", stderr);
	struct strbuf err = STRBUF_INIT;
	struct dump *d = pipeline_load_path(argv[0], o, &err);
	if (!d) {
		cli_error(argv[0], "%s", err.len ? err.buf : "cannot be analyzed");
		strbuf_release(&err);
		return 1;
	}
	int rc = browse_dump(d, o, &err);
	if (rc < 0)
		cli_error("browse", "%s", err.buf);
	dump_free(d);
	strbuf_release(&err);
	return rc < 0 ? 2 : 0;
}
