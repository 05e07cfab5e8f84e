#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/commands.h"
#include "analyzer/isolate.h"
#include "analyzer/report/lockdot.h"
#include "analyzer/pipeline.h"
#include "analyzer/report/report.h"
#include "signatures/rules.h"

/*
 * Each input is analyzed in a child process (isolate.h) that renders its
 * report into OUT, an anonymous file; the parent copies it to stdout once
 * the child ended well, so a child that dies leaves no half report (and
 * no broken JSON) behind. The child's exit status says what it made.
 */
enum { ONE_OK = 0, ONE_FAILED = 1, ONE_DOT_FAILED = 2 };

struct one_input {
	const struct mortem_opts *o;
	const char *path;             /* NULL: the live process o->pid */
	const char *subject;
	const struct strbuf *stdin_bytes; /* path "-": what the parent read */
	bool color;
};

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

static struct dump *load(const struct one_input *in, struct strbuf *err)
{
	if (!in->path)
		return pipeline_load_pid(in->o->pid, in->o, err);
	if (in->stdin_bytes)
		return pipeline_load_bytes("-", in->stdin_bytes->buf, in->stdin_bytes->len, in->o, err);
	return pipeline_load_path(in->path, in->o, err);
}

/* In the child: analyze one input, render it into OUT. */
static int analyze_one(void *ctx, int out)
{
	const struct one_input *in = ctx;
	isolate_test_fault(in->subject);
	struct strbuf err = STRBUF_INIT;
	struct dump *d = load(in, &err);
	if (!d) {
		cli_error(in->subject, "%s", err.len ? err.buf : "cannot be analyzed");
		strbuf_release(&err);
		return ONE_FAILED;
	}
	strbuf_release(&err);
	FILE *f = fdopen(dup(out), "w");
	int rc = !f ? -1 : in->o->json ? report_json_file(d, f) : report_text_file(d, f, in->color);
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		cli_error(in->subject, "cannot buffer the report: %s", strerror(errno));
		dump_free(d);
		return ONE_FAILED;
	}
	rc = write_dot(d, in->subject, in->o) < 0 ? ONE_DOT_FAILED : ONE_OK;
	dump_free(d);
	return rc;
}

/* Copies what OUT holds to stdout and empties it; -1 when stdout fails. */
static int copy_out(int out)
{
	char buf[1 << 16];
	ssize_t r;
	int rc = 0;
	lseek(out, 0, SEEK_SET);
	while (rc == 0 && (r = read(out, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || cli_write_stdout(buf, (size_t)r) < 0)
			rc = -1;
	}
	if (rc == 0 && fflush(stdout))
		rc = -1;
	if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
		rc = -1;
	return rc;
}

/* Standard input, read once in the parent: every child sees the same bytes. */
static int read_stdin(struct strbuf *sb)
{
	for (;;) {
		strbuf_grow(sb, 1 << 16);
		ssize_t r = read(0, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cli_error("-", "cannot read: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		sb->len += (size_t)r;
		sb->buf[sb->len] = '\0';
	}
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
	struct strbuf err = STRBUF_INIT;
	/* compiled once here, not once per child */
	if (!ruleset_shared(o->rules_files, o->nrules_files, &err)) {
		cli_error(NULL, "%s", err.buf);
		strbuf_release(&err);
		return 2;
	}
	int out = memfd_create("mortem-report", MFD_CLOEXEC);
	if (out < 0) {
		cli_error("report", "memfd_create: %s", strerror(errno));
		return 1;
	}
	struct one_input in = { .o = o, .color = !o->json && cli_use_color(o, 1) };
	struct strbuf stdin_bytes = STRBUF_INIT;
	bool stdin_read = false, printed = false;
	int status = 0;
	int total = argc + (o->pid > 0);
	for (int i = 0; i < total; i++) {
		char pidname[32];
		in.path = i < argc ? argv[i] : NULL;
		in.stdin_bytes = NULL;
		in.subject = in.path;
		if (!in.path) {
			snprintf(pidname, sizeof(pidname), "pid %lld", (long long)o->pid);
			in.subject = pidname;
		} else if (!strcmp(in.path, "-")) {
			if (!stdin_read && read_stdin(&stdin_bytes) < 0) {
				status = 1;
				continue;
			}
			stdin_read = true;
			in.stdin_bytes = &stdin_bytes;
		}
		strbuf_reset(&err);
		int rc = isolate_run(analyze_one, &in, out, o->timeout_given ? o->timeout : 0, &err);
		if (rc < 0)
			cli_error(in.subject, "%s", err.buf);
		if (rc != ONE_OK && rc != ONE_DOT_FAILED) {
			status = 1;
			continue;
		}
		if (rc == ONE_DOT_FAILED)
			status = 1;
		if ((printed && !o->json && cli_write_stdout("\n", 1) < 0) || copy_out(out) < 0) {
			status = 1;
			break; /* stdout is gone (a closed pipe): nothing more can be shown */
		}
		printed = true;
	}
	close(out);
	strbuf_release(&stdin_bytes);
	strbuf_release(&err);
	return status;
}
