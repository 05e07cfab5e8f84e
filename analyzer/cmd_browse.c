#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "analyzer/commands.h"
#include "analyzer/isolate.h"
#include "analyzer/pipeline.h"
#include "tui/browse.h"

struct browse_job {
	const char *path;
	const struct mortem_opts *o;
};

/* In the child (isolate.h): analyze, then draw; the exit status is the command's. */
static int browse_one(void *ctx, int n, int out)
{
	(void)n, (void)out;
	const struct browse_job *job = ctx;
	isolate_test_fault(job->path);
	struct strbuf err = STRBUF_INIT;
	struct dump *d = pipeline_load_path(job->path, job->o, &err);
	if (!d) {
		cli_error(job->path, "%s", err.len ? err.buf : "cannot be analyzed");
		strbuf_release(&err);
		return 1;
	}
	int rc = browse_dump(d, job->o, &err);
	if (rc < 0)
		cli_error("browse", "%s", err.buf);
	dump_free(d);
	strbuf_release(&err);
	return rc < 0 ? 2 : 0;
}

/* After a child died while it may have held the terminal in the browser's mode. */
static void restore_terminal(int tty, const struct termios *saved)
{
	static const char leave[] = "\033[0m\033[?25h\033[?1049l\r\n";
	if (tty < 0)
		return;
	tcsetattr(tty, TCSAFLUSH, saved);
	if (write(tty, leave, sizeof(leave) - 1) < 0)
		return;
}

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
	struct browse_job job = { argv[0], o };
	struct termios saved;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0 && tcgetattr(tty, &saved) < 0) {
		close(tty);
		tty = -1;
	}
	struct strbuf why = STRBUF_INIT;
	struct isolate *iso = isolate_new(browse_one, &job, -1, o->timeout_given ? o->timeout : 0);
	int rc = isolate_call(iso, 0, &why);
	isolate_free(iso);
	if (rc < 0) {
		restore_terminal(tty, &saved);
		cli_error(argv[0], "%s", why.buf);
		rc = 1;
	}
	if (tty >= 0)
		close(tty);
	strbuf_release(&why);
	return rc;
}
