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

struct report_job {
	const struct mortem_opts *o;
	char **paths;                 /* the inputs; index npaths: the live process o->pid */
	int npaths;
	struct strbuf stdin_bytes;    /* what the input "-" holds, read by the parent */
	bool color;
};

/* "pid 123" or the path: the subject of error lines. */
static const char *subject_of(const struct report_job *job, int n, char *buf, size_t size)
{
	if (n < job->npaths)
		return job->paths[n];
	snprintf(buf, size, "pid %lld", (long long)job->o->pid);
	return buf;
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

static struct dump *load(const struct report_job *job, int n, struct strbuf *err)
{
	const struct mortem_opts *o = job->o;
	if (n == job->npaths)
		return pipeline_load_pid(o->pid, o, err);
	if (!strcmp(job->paths[n], "-"))
		return pipeline_load_bytes("-", job->stdin_bytes.buf, job->stdin_bytes.len, o, err);
	return pipeline_load_path(job->paths[n], o, err);
}

/* In the child: analyze input N, render it into OUT. */
static int analyze_one(void *ctx, int n, int out)
{
	const struct report_job *job = ctx;
	char pidname[32];
	const char *subject = subject_of(job, n, pidname, sizeof(pidname));
	isolate_test_fault(subject);
	struct strbuf err = STRBUF_INIT;
	struct dump *d = load(job, n, &err);
	if (!d) {
		cli_error(subject, "%s", err.len ? err.buf : "cannot be analyzed");
		strbuf_release(&err);
		return ONE_FAILED;
	}
	strbuf_release(&err);
	FILE *f = fdopen(dup(out), "w");
	unsigned flags = (job->color ? REPORT_COLOR : 0) | (job->o->all ? REPORT_ALL : 0);
	int rc = !f ? -1 : job->o->json ? report_json_file(d, f) : report_text_file(d, f, flags);
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		cli_error(subject, "cannot buffer the report: %s", strerror(errno));
		dump_free(d);
		return ONE_FAILED;
	}
	rc = write_dot(d, subject, job->o) < 0 ? ONE_DOT_FAILED : ONE_OK;
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
	struct report_job job = { .o = o, .paths = argv, .npaths = argc,
				  .stdin_bytes = STRBUF_INIT, .color = !o->json && cli_use_color(o, 1) };
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-")) {
			cli_paste_hint(argv[i]);
			if (read_stdin(&job.stdin_bytes) < 0) {
				strbuf_release(&job.stdin_bytes);
				return 1;
			}
			break;
		}
	int out = memfd_create("mortem-report", MFD_CLOEXEC);
	if (out < 0) {
		cli_error("report", "memfd_create: %s", strerror(errno));
		strbuf_release(&job.stdin_bytes);
		return 1;
	}
	struct isolate *iso = isolate_new(analyze_one, &job, out, o->timeout_given ? o->timeout : 0);
	bool printed = false;
	int status = 0;
	int total = argc + (o->pid > 0);
	for (int i = 0; i < total; i++) {
		char pidname[32];
		strbuf_reset(&err);
		int rc = isolate_call(iso, i, &err);
		if (rc < 0)
			cli_error(subject_of(&job, i, pidname, sizeof(pidname)), "%s", err.buf);
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
	isolate_free(iso);
	close(out);
	strbuf_release(&job.stdin_bytes);
	strbuf_release(&err);
	return status;
}
