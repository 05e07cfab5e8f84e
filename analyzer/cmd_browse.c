#include <fcntl.h>
#include <signal.h>
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
	isolate_analysis_done();
	int rc = browse_dump(d, job->o, &err);
	if (rc < 0)
		cli_error("browse", "%s", err.buf);
	dump_free(d);
	strbuf_release(&err);
	return rc < 0 ? 2 : 0;
}

/*
 * The browser died of SIG while drawing (it restored the terminal in its
 * handler; the tty's modes are set back here too, in case it could not):
 * mortem dies the same way, as the browser did before it had a child.
 */
static void die_as_browser(int sig, int tty, const struct termios *saved)
{
	if (tty >= 0)
		tcsetattr(tty, TCSAFLUSH, saved);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
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
	cli_paste_hint(argv[0]);
	o->frame_notes = true; /* the stack view shows them */
	struct browse_job job = { argv[0], o };
	struct termios saved;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0 && tcgetattr(tty, &saved) < 0) {
		close(tty);
		tty = -1;
	}
	struct strbuf why = STRBUF_INIT;
	/* the keys the terminal turns into signals are the browser's to take (as system() does) */
	void (*old_int)(int) = signal(SIGINT, SIG_IGN), (*old_quit)(int) = signal(SIGQUIT, SIG_IGN);
	struct isolate *iso = isolate_new(browse_one, &job, -1, 0);
	int rc = isolate_call(iso, 0, &why);
	int sig = isolate_last_signal(iso);
	bool drawing = isolate_last_after_analysis(iso);
	isolate_free(iso);
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	if (rc < 0 && sig && drawing)
		die_as_browser(sig, tty, &saved);
	if (rc < 0) {
		cli_error(argv[0], "%s", why.buf);
		rc = 1;
	}
	if (tty >= 0)
		close(tty);
	strbuf_release(&why);
	return rc;
}
