#include <stdio.h>
#include <string.h>

#include "analyzer/commands.h"
#include "analyzer/report/lockdot.h"
#include "analyzer/pipeline.h"
#include "analyzer/report/report.h"

/* Renders one analyzed dump to stdout; returns -1 when stdout fails. */
static int emit(const struct dump *d, const struct mortem_opts *o, bool color, bool first)
{
	if (o->json)
		return report_json_file(d, stdout) < 0 || fflush(stdout) ? -1 : 0;
	if (!first && cli_write_stdout("\n", 1) < 0)
		return -1;
	return report_text_file(d, stdout, color) < 0 || fflush(stdout) ? -1 : 0;
}

static int write_dot(const struct dump *d, const char *subject, const struct mortem_opts *o)
{
	if (!o->dot)
		return 0;
	struct strbuf err = STRBUF_INIT;
	int rc = lockdot_write_file(d, o->dot, &err);
	if (rc < 0)
		cli_error(subject, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

int cmd_report(int argc, char **argv, struct mortem_opts *o)
{
	if (argc == 0 && o->pid < 0) {
		cli_error("report", "no INPUT given (see mortem --help)");
		return 2;
	}
	if (o->dot && argc + (o->pid > 0) > 1) {
		cli_error("report", "--dot takes a single input");
		return 2;
	}
	bool color = !o->json && cli_use_color(o, 1);
	int status = 0;
	struct strbuf err = STRBUF_INIT;
	int total = argc + (o->pid > 0);
	for (int i = 0; i < total; i++) {
		char pidname[32];
		const char *subject;
		struct dump *d;
		strbuf_reset(&err);
		if (i == argc) {
			snprintf(pidname, sizeof(pidname), "pid %lld", (long long)o->pid);
			subject = pidname;
			d = pipeline_load_pid(o->pid, o, &err);
		} else {
			subject = argv[i];
			d = pipeline_load_path(argv[i], o, &err);
		}
		if (!d) {
			cli_error(subject, "%s", err.len ? err.buf : "cannot be analyzed");
			status = 1;
			continue;
		}
		if (emit(d, o, color, i == 0) < 0) {
			dump_free(d);
			status = 1;
			break; /* stdout is gone (a closed pipe): nothing more can be shown */
		}
		if (write_dot(d, subject, o) < 0)
			status = 1;
		dump_free(d);
	}
	strbuf_release(&err);
	return status;
}
