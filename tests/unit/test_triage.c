/* Triage: the archive walker and its limits, content hashes, dates, records and buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/contenthash.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/triage/triage.h"
#include "analyzer/triage/walk.h"

/* ---- building archives in memory ---- */

struct member {
	const char *name;
	const void *data;
	size_t len;
};

/* An archive of MEMBERS in FORMAT ("tar" or "zip"), compressed with FILTER ("gzip", "zstd" or NULL). */
static unsigned char *make_archive(const char *format, const char *filter, const struct member *m,
				   size_t n, size_t *len)
{
	size_t cap = 1 << 20;
	unsigned char *buf = xmalloc(cap);
	struct archive *a = archive_write_new();
	if (!strcmp(format, "zip"))
		archive_write_set_format_zip(a);
	else
		archive_write_set_format_pax_restricted(a);
	if (filter && !strcmp(filter, "gzip"))
		archive_write_add_filter_gzip(a);
	else if (filter && !strcmp(filter, "zstd"))
		archive_write_add_filter_zstd(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000 + (time_t)i, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

static char dir[64];

static char *write_file(const char *name, const void *data, size_t len)
{
	char *path = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* ---- collecting what the walk finds ---- */

struct seen {
	struct strbuf found;    /* "path=content-length\n" per artifact */
	struct strbuf problems; /* "path: msg\n" */
	char first[256];
};

static int on_artifact(void *ctx, const struct walk_artifact *a)
{
	struct seen *s = ctx;
	strbuf_addf(&s->found, "%s=%zu\n", a->path, a->len);
	if (!s->first[0] && a->len) {
		size_t n = a->len < 255 ? a->len : 255;
		assert_int_equal(fd_pread_full(a->fd, s->first, n, 0), 0);
		s->first[n] = '\0';
	}
	return 0;
}

static void on_problem(void *ctx, const char *path, const char *msg)
{
	struct seen *s = ctx;
	strbuf_addf(&s->problems, "%s: %s\n", path, msg);
}

static const struct walk_ops ops = { .artifact = on_artifact, .problem = on_problem };

static void walk1(const char *path, const struct walk_limits *lim, struct seen *s)
{
	struct walk_stats st;
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->found, 0);
	strbuf_init(&s->problems, 0);
	assert_int_equal(walk_paths(&path, 1, lim, &ops, s, &st), 0);
}

static void seen_release(struct seen *s)
{
	strbuf_release(&s->found);
	strbuf_release(&s->problems);
}

static const char dump_text[] = "TID 1:\n#0  0x0000000000401000 main\n";

/* a.tar.gz holding inner.zip (holding x/dump.txt) and ./top.txt */
static char *nested(void)
{
	struct member in[] = { { "x/dump.txt", dump_text, sizeof(dump_text) - 1 } };
	size_t zlen, tlen;
	unsigned char *zip = make_archive("zip", NULL, in, 1, &zlen);
	struct member out[] = { { "inner.zip", zip, zlen }, { "./top.txt", "hello\n", 6 } };
	unsigned char *tgz = make_archive("tar", "gzip", out, 2, &tlen);
	char *path = write_file("a.tar.gz", tgz, tlen);
	free(zip);
	free(tgz);
	return path;
}

static void test_nested_archives(void **state)
{
	(void)state;
	char *path = nested();
	struct walk_limits lim = WALK_LIMITS_DEFAULT;
	struct seen s;
	walk1(path, &lim, &s);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s!/inner.zip!/x/dump.txt=%zu\n%s!/top.txt=6\n", path,
		    sizeof(dump_text) - 1, path);
	assert_string_equal(s.found.buf, want.buf);
	assert_string_equal(s.first, dump_text);
	assert_string_equal(s.problems.buf, "");
	strbuf_release(&want);
	seen_release(&s);
	free(path);
}

static void test_depth_limit(void **state)
{
	(void)state;
	char *path = nested();
	struct walk_limits lim = WALK_LIMITS_DEFAULT;
	lim.max_depth = 1;
	struct seen s;
	walk1(path, &lim, &s);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s!/inner.zip: archive nested deeper than 1 level (--max-depth); not opened\n", path);
	assert_string_equal(s.problems.buf, want.buf);
	strbuf_reset(&want);
	strbuf_addf(&want, "%s!/top.txt=6\n", path);
	assert_string_equal(s.found.buf, want.buf);
	strbuf_release(&want);
	seen_release(&s);
	free(path);
}

static void test_member_and_byte_limits(void **state)
{
	(void)state;
	static char zeros[200000];
	struct member m[] = { { "a", "1", 1 }, { "b", "2", 1 }, { "big", zeros, sizeof(zeros) },
			      { "c", "3", 1 } };
	size_t len;
	unsigned char *tar = make_archive("tar", "zstd", m, 4, &len);
	assert_true(len < 10000); /* the zeros compress: a small bomb */
	char *path = write_file("b.tar.zst", tar, len);
	static const struct {
		struct walk_limits lim;
		const char *found, *absent, *problem;
	} cases[] = {
		{ { .max_depth = 8, .max_bytes = 1 << 30, .max_members = 2 }, "b.tar.zst!/b=1\n",
		  "b.tar.zst!/big", "b.tar.zst!/big: limit of 2 archive members reached (--max-members)" },
		{ { .max_depth = 8, .max_bytes = 100000, .max_members = 10 }, "b.tar.zst!/b=1\n",
		  "b.tar.zst!/c", "b.tar.zst!/big: limit of 100000 bytes decompressed from archives" },
		/* one member over the memory budget: that member fails, the walk goes on */
		{ { .max_depth = 8, .max_bytes = 1 << 30, .max_members = 10 },
		  "b.tar.zst!/c=1\n", "b.tar.zst!/big=",
		  "b.tar.zst!/big: member larger than the limit of 100000 bytes decompressed in memory "
		  "at once (--max-decompressed)" },
	};
	struct membudget *budget = membudget_new(100000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s;
		struct walk_limits lim = cases[i].lim;
		if (i == 2)
			lim.budget = budget;
		walk1(path, &lim, &s);
		assert_non_null(strstr(s.found.buf, "b.tar.zst!/a=1\n"));
		assert_non_null(strstr(s.found.buf, cases[i].found));
		assert_null(strstr(s.found.buf, cases[i].absent));
		assert_non_null(strstr(s.problems.buf, cases[i].problem));
		seen_release(&s);
	}
	assert_int_equal(membudget_used(budget), 0); /* every member's bytes were given back */
	membudget_free(budget);
	free(tar);
	free(path);
}

/* A share of the budget (triage's archive reader): what it held is given back when it dies. */
static void test_budget_share(void **state)
{
	(void)state;
	struct membudget *b = membudget_new(100);
	struct membudget *sh = membudget_share(b);
	assert_int_equal(membudget_total(sh), 100);
	assert_true(membudget_take(b, 30));
	assert_true(membudget_take(sh, 50));
	assert_false(membudget_take(sh, 30)); /* 80 of the 100 are taken, by both */
	assert_int_equal(membudget_used(sh), 80);
	assert_int_equal(membudget_own(sh), 50);
	membudget_disown(sh, 20); /* a memfd handed over: its new holder gives it back to B */
	assert_int_equal(membudget_own(sh), 30);
	membudget_give(b, 20);
	membudget_give(sh, membudget_own(sh)); /* the reader died holding the rest */
	assert_int_equal(membudget_own(sh), 0);
	assert_int_equal(membudget_used(b), 30);
	membudget_give(b, 30);
	assert_int_equal(membudget_used(b), 0);
	assert_int_equal(membudget_peak(b), 80);
	membudget_free(sh);
	membudget_free(b);
}

/* walk_file goes on with the run's stats: a limit reached in one file holds for the next. */
static void test_walk_file_keeps_the_limits(void **state)
{
	(void)state;
	struct member m[] = { { "a", "1", 1 }, { "b", "2", 1 }, { "c", "3", 1 } };
	size_t len;
	unsigned char *tar = make_archive("tar", "zstd", m, 3, &len);
	struct walk_limits lim = { .max_depth = 8, .max_bytes = 1 << 30, .max_members = 4 };
	struct walk_stats st = { 0 };
	struct seen s;
	memset(&s, 0, sizeof(s));
	strbuf_init(&s.found, 0);
	strbuf_init(&s.problems, 0);
	int fd = memfd_create("t", MFD_CLOEXEC);
	assert_int_equal(write(fd, tar, len), (ssize_t)len);
	assert_int_equal(walk_file("x.tar.zst", fd, len, 0, &lim, &ops, &s, &st), 0);
	assert_int_equal(walk_file("y.tar.zst", fd, len, 0, &lim, &ops, &s, &st), 0);
	assert_string_equal(s.found.buf, "x.tar.zst!/a=1\nx.tar.zst!/b=1\nx.tar.zst!/c=1\n"
			    "y.tar.zst!/a=1\n");
	assert_non_null(strstr(s.problems.buf, "y.tar.zst!/b: limit of 4 archive members"));
	assert_int_equal(walk_file("z.tar.zst", fd, len, 0, &lim, &ops, &s, &st), 0);
	assert_null(strstr(s.found.buf, "z.tar.zst"));
	assert_int_equal(st.members, 4);
	assert_true(st.members_exhausted && st.limit_hit);
	close(fd);
	seen_release(&s);
	free(tar);
}

static void test_compressed_file_is_an_artifact(void **state)
{
	(void)state;
	/* a gzip stream of plain text: compressed, but not an archive */
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_raw(a);
	unsigned char buf[4096];
	size_t len;
	archive_write_open_memory(a, buf, sizeof(buf), &len);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_filetype(e, AE_IFREG);
	archive_write_header(a, e);
	archive_write_data(a, dump_text, sizeof(dump_text) - 1);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	assert_true(walk_is_archive(buf, len));
	char *path = write_file("core.1.gz", buf, len);
	struct walk_limits lim = WALK_LIMITS_DEFAULT;
	struct seen s;
	walk1(path, &lim, &s);
	/* handed over decompressed (the walker's memfd counts in the budget) */
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s=%zu\n", path, sizeof(dump_text) - 1);
	assert_string_equal(s.found.buf, want.buf);
	assert_memory_equal(s.first, dump_text, strlen(s.first));
	assert_string_equal(s.problems.buf, "");
	strbuf_release(&want);
	seen_release(&s);
	free(path);
}

static void test_symlink_loop(void **state)
{
	(void)state;
	char sub[128], link[160];
	snprintf(sub, sizeof(sub), "%s/tree", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	char *f = write_file("tree/one.txt", "x", 1);
	snprintf(link, sizeof(link), "%s/loop", sub);
	assert_int_equal(symlink(".", link), 0);
	struct walk_limits lim = WALK_LIMITS_DEFAULT;
	struct seen s;
	walk1(sub, &lim, &s);
	/* tree/loop is tree again: walked once */
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s=1\n", f);
	assert_non_null(strstr(s.found.buf, want.buf));
	assert_ptr_equal(strstr(s.found.buf, "one.txt"), strrchr(s.found.buf, '/') + 1);
	assert_string_equal(s.problems.buf, "");
	strbuf_release(&want);
	seen_release(&s);
	free(f);
}

static void test_truncated_archive(void **state)
{
	(void)state;
	static char big[300000];
	uint32_t x = 12345; /* incompressible, so half the archive holds the first member */
	for (size_t i = 0; i < sizeof(big); i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)(x >> 24);
	}
	struct member m[] = { { "first.txt", dump_text, sizeof(dump_text) - 1 },
			      { "second.bin", big, sizeof(big) } };
	size_t len;
	unsigned char *tgz = make_archive("tar", "gzip", m, 2, &len);
	char *path = write_file("cut.tar.gz", tgz, len * 3 / 4);
	struct walk_limits lim = WALK_LIMITS_DEFAULT;
	struct seen s;
	walk1(path, &lim, &s);
	assert_non_null(strstr(s.found.buf, "cut.tar.gz!/first.txt="));
	assert_null(strstr(s.found.buf, "second.bin"));
	assert_non_null(strstr(s.problems.buf, "cut.tar.gz!/second.bin: cannot read from the archive"));
	seen_release(&s);
	free(tgz);
	free(path);
}

static void test_contenthash(void **state)
{
	(void)state;
	char a[CONTENTHASH_HEX], b[CONTENTHASH_HEX], c[CONTENTHASH_HEX];
	static unsigned char x[1000], y[1000];
	for (size_t i = 0; i < sizeof(x); i++)
		x[i] = y[i] = (unsigned char)i;
	contenthash_hex(x, sizeof(x), a);
	contenthash_hex(y, sizeof(y), b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), strlen("1000-") + 32);
	y[999] ^= 1;
	contenthash_hex(y, sizeof(y), c);
	assert_string_not_equal(a, c);
	contenthash_hex(x, 999, c);
	assert_string_not_equal(a, c);
	contenthash_hex("", 0, c);
	assert_int_equal(strncmp(c, "0-", 2), 0);
}

/*
 * The hash is what a triage store knows an artifact by: it must not change
 * from one version to the next (values from the first version), whether the
 * bytes come at once or through a descriptor in pieces of any block size.
 */
static void test_contenthash_stable(void **state)
{
	(void)state;
	static unsigned char x[100000];
	for (size_t i = 0; i < sizeof(x); i++)
		x[i] = (unsigned char)(i * 7 + (i >> 8));
	static const struct {
		size_t len;
		const char *hash;
	} known[] = {
		{ 0, "0-acfa648f754d64c55b3d871bbec34099" },
		{ 1, "1-1402fed3221767a0b57947f8f8d50dab" },
		{ 31, "31-4dd4c18152106c365fd07640579e77ec" },
		{ 32, "32-0bb35c96513c8a1dcec398cb398f813d" },
		{ 33, "33-02ebdfb80601577e9214fbd6682c6ebe" },
		{ 65537, "65537-f167ef5d8a842f4d47d61c26718686d4" },
		{ 100000, "100000-585c6beea40bd00945adf253f85b9aa8" },
	};
	int fd = memfd_create("mortem-test-hash", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fd_write_full(fd, x, sizeof(x)), 0);
	static unsigned char buf[4096];
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		char h[CONTENTHASH_HEX];
		contenthash_hex(x, known[k].len, h);
		assert_string_equal(h, known[k].hash);
		assert_int_equal(contenthash_fd(fd, known[k].len, buf, 64, h), 0);
		assert_string_equal(h, known[k].hash);
		assert_int_equal(contenthash_fd(fd, known[k].len, buf, sizeof(buf), h), 0);
		assert_string_equal(h, known[k].hash);
	}
	char h[CONTENTHASH_HEX];
	assert_int_equal(contenthash_fd(fd, sizeof(x) + 1, buf, sizeof(buf), h), -1); /* cut short */
	close(fd);
}

static void test_dates(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(triage_parse_date("2026-11-23", &t), 0);
	assert_int_equal(t, 1795392000);
	assert_int_equal(triage_parse_date("2026-11-23T10:20:30Z", &t), 0);
	assert_int_equal(t, 1795392000 + 10 * 3600 + 20 * 60 + 30);
	assert_int_equal(triage_parse_date("2026-11-23 10:20", &t), 0);
	assert_int_equal(t, 1795392000 + 10 * 3600 + 20 * 60);
	assert_int_equal(triage_parse_date("2026-11-23T10:20:30.123+02:00", &t), 0);
	assert_int_equal(t, 1795392000 + 8 * 3600 + 20 * 60 + 30);
	assert_int_equal(triage_parse_date("2026-11-23T10:20:30-0130", &t), 0);
	assert_int_equal(t, 1795392000 + 11 * 3600 + 50 * 60 + 30);
	assert_int_equal(triage_parse_date("yesterday", &t), -1);
	assert_int_equal(triage_parse_date("2026-13-01", &t), -1);
	assert_int_equal(triage_parse_date("2026-11-23T25:00", &t), -1);
	assert_int_equal(triage_parse_date("2026-11-23x", &t), -1);
	struct strbuf sb = STRBUF_INIT;
	triage_time(&sb, 1795392000 + 61);
	assert_string_equal(sb.buf, "2026-11-23T00:01:01Z");
	strbuf_release(&sb);
}

/* Summaries that are not one are refused; one with commas, colons and newlines in its values reads back. */
static void test_summary_fields(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"zz", "5:+ok", "2:+ok", "3:+ok,", "0:,", "2:-x,", "1:*,",
		"3:+ok,1:-,1:-,1:-,1:-,1:-,",            /* a field short */
		"3:+ok,1:-,1:-,1:-,1:-,1:-,1:-,1:-,",    /* a finding without an id */
		"3:+ok,1:-,1:-,1:-,1:-,1:-,1:-,5:+ab,",  /* a length past the end */
		"ffffffffffffffff:+x,", "10000000000000000:+x,",
	};
	struct strbuf err = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct triage_record r;
		if (record_parse(&r, "{}", bad[i], &err) == 0)
			fail_msg("summary %zu (%s) was taken", i, bad[i]);
		assert_null(r.text);
	}
	struct dump *d = dump_new("x");
	d->input.format = "gdb";
	d->signature = "SIGSEGV in f(a, b: c)\nand more,";
	d->bucket = "beef";
	dump_add_finding(d, "null-dereference", "x", SEV_HIGH, CONF_CERTAIN);
	dump_add_finding(d, "stack-overflow", "y", SEV_MEDIUM, CONF_LIKELY);
	dump_add_finding(d, "null-dereference", "z", SEV_HIGH, CONF_CERTAIN);
	struct strbuf rec = STRBUF_INIT, sum = STRBUF_INIT;
	record_from_dump(d, &rec, &sum);
	dump_free(d);
	struct triage_record a, b;
	assert_int_equal(record_parse(&a, rec.buf, sum.buf, &err), 0);
	assert_int_equal(record_parse(&b, rec.buf, NULL, &err), 0);
	assert_string_equal(a.signature, "SIGSEGV in f(a, b: c)\nand more,");
	assert_string_equal(a.signature, b.signature);
	assert_string_equal(a.format, b.format);
	assert_string_equal(a.bucket, b.bucket);
	assert_int_equal(a.severity, SEV_HIGH);
	assert_int_equal(a.severity, b.severity);
	assert_int_equal(a.score, b.score);
	assert_int_equal(a.nfindings, 2);
	assert_int_equal(b.nfindings, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(a.findings[i], b.findings[i]);
	record_release(&a);
	record_release(&b);
	strbuf_release(&rec);
	strbuf_release(&sum);
	strbuf_release(&err);
}

static void test_elf_core_magic(void **state)
{
	(void)state;
	unsigned char core[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	core[16] = 4;
	assert_true(record_is_elf_core(core, sizeof(core)));
	core[16] = 2; /* ET_EXEC */
	assert_false(record_is_elf_core(core, sizeof(core)));
	assert_false(record_is_elf_core(core, 10));
}

static void add_item(struct triage_run *run, const char *path, int64_t mtime, const char *json)
{
	struct triage_item *it = xcalloc(1, sizeof(*it));
	it->path = xstrdup(path);
	it->mtime = mtime;
	it->done = true;
	it->fresh = true;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(record_parse(&it->rec, json, NULL, &err), 0);
	strbuf_release(&err);
	run->items = xrealloc(run->items, (run->nitems + 1) * sizeof(*run->items));
	run->items[run->nitems++] = it;
}

static void test_buckets(void **state)
{
	(void)state;
	struct triage_run run = { 0 };
	const char *a = "{\"status\":\"ok\",\"signature\":\"SIGSEGV in f\",\"bucket\":\"aaaa\","
			"\"severity\":\"medium\",\"findings\":[\"null-dereference\"],\"score\":%d}";
	char buf[512];
	snprintf(buf, sizeof(buf), a, 3);
	add_item(&run, "z/3", 300, buf);
	snprintf(buf, sizeof(buf), a, 9);
	add_item(&run, "z/2", 200, buf);
	snprintf(buf, sizeof(buf), a, 9);
	add_item(&run, "z/4", 100, buf);
	add_item(&run, "y/1", 0,
		 "{\"status\":\"ok\",\"signature\":\"lock cycle: a < b\",\"bucket\":\"bbbb\","
		 "\"severity\":\"critical\",\"findings\":[\"lock-cycle\"],\"score\":1}");
	add_item(&run, "y/2", 0,
		 "{\"status\":\"ok\",\"signature\":\"SIGSEGV in f\",\"bucket\":\"aaaa\","
		 "\"severity\":\"high\",\"findings\":[\"stack-overflow\",\"null-dereference\"],\"score\":0}");
	add_item(&run, "x/junk", 0, "{\"status\":\"skipped\",\"error\":\"not a dump\"}");
	add_item(&run, "x/bad", 0, "{\"status\":\"failed\",\"error\":\"truncated\"}");
	add_item(&run, "x/plain", 0, "{\"status\":\"ok\",\"signature\":null,\"bucket\":null,\"findings\":[]}");
	add_item(&run, "x/hang", 0,
		 "{\"status\":\"ok\",\"signature\":null,\"bucket\":null,\"severity\":\"critical\","
		 "\"findings\":[\"lock-cycle\"]}");
	triage_aggregate(&run);
	assert_int_equal(run.analyzed, 7);
	assert_int_equal(run.skipped, 1);
	assert_int_equal(run.nproblems, 1);
	assert_string_equal(run.problems[0].path, "x/bad");
	assert_int_equal(run.nbuckets, 4);
	const struct triage_bucket *b = &run.buckets[0];
	assert_string_equal(b->bucket, "aaaa");
	assert_int_equal(b->nmembers, 4);
	assert_string_equal(b->members[0]->path, "y/2");
	assert_string_equal(b->members[3]->path, "z/4");
	assert_string_equal(b->example->path, "z/2"); /* best score; the first by path on a tie */
	assert_int_equal(b->severity, SEV_HIGH);
	assert_int_equal(b->nfindings, 2);
	assert_string_equal(b->findings[0], "stack-overflow");
	assert_int_equal(b->first_seen, 100);
	assert_int_equal(b->last_seen, 300);
	/* count ties sort by severity (none last), then by signature */
	assert_string_equal(run.buckets[1].signature, "lock cycle: a < b");
	/* without a signature, what was found still keeps bugs apart */
	assert_string_equal(run.buckets[2].signature, TRIAGE_NO_SIGNATURE " (findings: lock-cycle)");
	assert_int_equal(run.buckets[2].severity, SEV_CRITICAL);
	assert_string_equal(run.buckets[3].signature, TRIAGE_NO_SIGNATURE);
	assert_int_equal(run.buckets[3].severity, -1);
	assert_string_not_equal(run.buckets[3].bucket, run.buckets[2].bucket);
	struct strbuf out = STRBUF_INIT;
	triage_json(&run, &out);
	json_error_t je;
	json_t *v = json_loads(out.buf, 0, &je);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "schema")), "mortem.triage/1");
	assert_int_equal(json_integer_value(json_object_get(v, "inputs")), 8);
	json_decref(v);
	strbuf_reset(&out);
	triage_text(&run, &out, 70);
	for (char *line = out.buf; *line;) {
		char *nl = strchr(line, '\n');
		assert_true(nl - line <= 70);
		line = nl + 1;
	}
	strbuf_reset(&out);
	triage_html(&run, &out);
	assert_non_null(strstr(out.buf, "lock cycle: a &lt; b"));
	assert_null(strstr(out.buf, "http"));
	strbuf_release(&out);
	triage_run_release(&run);
}

/* A dump with a two-thread lock cycle: the record carries its stack and wait-for edges. */
static void test_record_of_a_cycle(void **state)
{
	(void)state;
	struct dump *d = dump_new("hang.txt");
	d->input.format = "eu-stack";
	struct thread *a = dump_add_thread(d, "101");
	struct thread *b = dump_add_thread(d, "102");
	a->name = "worker<1>";
	struct frame *f = thread_add_frame(d, a);
	f->function = "take_a_then_b";
	f->file = "abba.c";
	f->line = 13;
	struct lock *la = dump_lock(d, "0x10", LOCK_PTHREAD_MUTEX);
	struct lock *lb = dump_lock(d, "0x20", LOCK_PTHREAD_MUTEX);
	la->label = "mutex A";
	lb->label = "mutex B";
	thread_hold(d, a, la);
	thread_hold(d, b, lb);
	thread_wait_on(d, a, lb);
	thread_wait_on(d, b, la);
	struct finding *fi = dump_add_finding(d, "lock-cycle", "deadlock", SEV_CRITICAL, CONF_CERTAIN);
	finding_add_thread(d, fi, a);
	finding_add_thread(d, fi, b);
	finding_add_lock(d, fi, la);
	finding_add_lock(d, fi, lb);
	d->signature = "lock cycle: take_a_then_b";
	d->bucket = "cccc";
	struct strbuf rec = STRBUF_INIT, sum = STRBUF_INIT, err = STRBUF_INIT;
	record_from_dump(d, &rec, &sum);
	dump_free(d);

	/* the summary: the grouping keys alone, read as the whole record reads */
	assert_null(strstr(sum.buf, "graph"));
	assert_true(sum.len < rec.len / 2);
	struct triage_record whole;
	assert_int_equal(record_parse(&whole, rec.buf, NULL, &err), 0);
	struct triage_run run = { 0 };
	add_item(&run, "hang.txt", 0, rec.buf);
	struct triage_item *it = run.items[0];
	record_release(&it->rec);
	assert_int_equal(record_parse(&it->rec, rec.buf, sum.buf, &err), 0);
	assert_null(it->rec.root); /* parsed when asked for */
	assert_int_equal(it->rec.status, RECORD_OK);
	assert_int_equal(it->rec.severity, SEV_CRITICAL);
	assert_string_equal(it->rec.bucket, "cccc");
	assert_string_equal(it->rec.signature, whole.signature);
	assert_string_equal(it->rec.format, "eu-stack");
	assert_int_equal(it->rec.score, 2 + 2 + 1);
	assert_int_equal(whole.score, it->rec.score);
	assert_int_equal(it->rec.nfindings, whole.nfindings);
	assert_int_equal(it->rec.nfindings, 1);
	assert_string_equal(it->rec.findings[0], whole.findings[0]);
	assert_string_equal(it->rec.findings[0], "lock-cycle");
	assert_null(it->rec.error);
	assert_string_equal(it->rec.text, rec.buf);
	json_t *g = json_object_get(record_root(&it->rec), "graph");
	assert_true(json_equal(record_root(&it->rec), whole.root));
	record_release(&whole);
	assert_int_equal(json_array_size(g), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "from")),
			    "101 \"worker<1>\"");
	assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "to")), "102");
	assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "lock")), "mutex B");
	triage_aggregate(&run);
	struct strbuf out = STRBUF_INIT;
	triage_html(&run, &out);
	assert_non_null(strstr(out.buf, "<svg"));
	assert_non_null(strstr(out.buf, "thread 101 &quot;worker&lt;1&gt;&quot; waits for mutex B held by 102"));
	assert_non_null(strstr(out.buf, "take_a_then_b at abba.c:13"));
	assert_null(strstr(out.buf, "worker<1>"));
	assert_null(strstr(out.buf, "http"));
	strbuf_release(&out);
	strbuf_release(&rec);
	strbuf_release(&sum);
	strbuf_release(&err);
	triage_run_release(&run);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mortem-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_archives),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_member_and_byte_limits),
		cmocka_unit_test(test_budget_share),
		cmocka_unit_test(test_walk_file_keeps_the_limits),
		cmocka_unit_test(test_compressed_file_is_an_artifact),
		cmocka_unit_test(test_symlink_loop),
		cmocka_unit_test(test_truncated_archive),
		cmocka_unit_test(test_contenthash),
		cmocka_unit_test(test_contenthash_stable),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_summary_fields),
		cmocka_unit_test(test_elf_core_magic),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_record_of_a_cycle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
