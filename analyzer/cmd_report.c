#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "analyzer/commands.h"
#include "analyzer/isolate.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/report/lockdot.h"
#include "analyzer/pipeline.h"
#include "analyzer/report/report.h"
#include "signatures/rules.h"

/*
 * Each input is analyzed in a child process (isolate.h) that renders its
 * report, and a child that dies leaves no half report (and no broken JSON)
 * behind. Where stdout is a regular file the child writes there directly
 * and what a failed child wrote is cut off again (ftruncate back to where
 * it began); /dev/null takes it as it comes. Anything else (a pipe, a
 * terminal) gets the report through OUT, an anonymous file, copied to
 * stdout once the child ended well. The child's exit status says what it made.
 */
enum { ONE_OK = 0, ONE_FAILED = 1, ONE_DOT_FAILED = 2 };

struct report_job {
	const struct mortem_opts *o;
	char **paths;                 /* the inputs; index npaths: the live process o->pid */
	int npaths;
	struct input stdin_bytes;     /* what the input "-" holds, opened once by the parent
					 (every child sees the same bytes) */
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
		return pipeline_load_held(&job->stdin_bytes, o, err);
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
	isolate_test_late_fault(subject);
	if (rc < 0) {
		cli_error(subject, "cannot write the report: %s", strerror(errno));
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
	off_t len = lseek(out, 0, SEEK_END);
	int rc = len < 0 || fflush(stdout) ? -1 : fd_copy_range(1, out, 0, (size_t)len);
	if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
		rc = -1;
	return rc;
}

/*
 * Whether the children write to stdout directly: a regular file written at
 * its end (not O_APPEND: another writer may add to it meanwhile), which a
 * failed report can be cut off from, or /dev/null.
 */
static bool stdout_direct(void)
{
	struct stat st;
	int fl = fcntl(1, F_GETFL);
	if (fstat(1, &st) < 0 || fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return false;
	if (S_ISCHR(st.st_mode))
		return st.st_rdev == makedev(1, 3);
	return S_ISREG(st.st_mode) && !(fl & O_APPEND) && lseek(1, 0, SEEK_CUR) == st.st_size &&
	       ftruncate(1, st.st_size) == 0;
}

/* The blank line between two text reports (JSON reports follow one another): 0, or -1. */
static int separate(bool printed, const struct mortem_opts *o)
{
	return printed && !o->json ? cli_write_stdout("\n", 1) : 0;
}

/* A report that failed: what it wrote to FD (stdout or OUT) since START is cut off, in a regular file. */
static void cut_back(int fd, off_t start)
{
	struct stat st;
	if (start >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, start) == 0)
		lseek(fd, start, SEEK_SET);
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
				  .stdin_bytes = INPUT_INIT, .color = !o->json && cli_use_color(o, 1) };
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-")) {
			cli_paste_hint(argv[i]);
			if (input_open_raw(&job.stdin_bytes, "-", &err) < 0) {
				cli_error("-", "%s", err.buf);
				strbuf_release(&err);
				return 1;
			}
			break;
		}
	bool direct = stdout_direct();
	int out = direct ? 1 : memfd_create("mortem-report", MFD_CLOEXEC);
	if (out < 0) {
		cli_error("report", "memfd_create: %s", strerror(errno));
		input_close(&job.stdin_bytes);
		strbuf_release(&err);
		return 1;
	}
	struct isolate *iso = isolate_new(analyze_one, &job, out, o->timeout_given ? o->timeout : 0);
	bool printed = false;
	int status = 0;
	int total = argc + (o->pid > 0);
	for (int i = 0; i < total; i++) {
		char pidname[32];
		strbuf_reset(&err);
		off_t start = direct ? lseek(1, 0, SEEK_CUR) : 0; /* where a failed report is cut back to */
		/* direct: the separator goes first; it is cut off with a report that fails */
		if (direct && (separate(printed, o) < 0 || fflush(stdout))) {
			status = 1;
			break;
		}
		int rc = isolate_call(iso, i, &err);
		if (rc < 0)
			cli_error(subject_of(&job, i, pidname, sizeof(pidname)), "%s", err.buf);
		if (rc != ONE_OK && rc != ONE_DOT_FAILED) {
			status = 1;
			cut_back(out, start);
			continue;
		}
		if (rc == ONE_DOT_FAILED)
			status = 1;
		if (!direct && (separate(printed, o) < 0 || copy_out(out) < 0)) {
			if (errno != EPIPE) /* a closed pipe says nothing: its reader is gone */
				cli_error(subject_of(&job, i, pidname, sizeof(pidname)),
					  "cannot write the report: %s", strerror(errno));
			status = 1;
			break; /* stdout is gone or full: nothing more can be shown */
		}
		printed = true;
	}
	isolate_free(iso);
	if (!direct)
		close(out);
	input_close(&job.stdin_bytes);
	strbuf_release(&err);
	return status;
}
