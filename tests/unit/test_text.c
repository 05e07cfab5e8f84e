/*
 * The text parsers' line reader (parsers/text/text.h) over a mapped file:
 * it reads ahead into copies of its own or from the mapping (as its probe
 * or the test chooses) and gives back the pages behind it, and every line,
 * a line read again and a section copied from far behind are the same
 * bytes as from memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/lib/hugemap.h"
#include "analyzer/lib/input.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"
#include "textparse.h"

/*
 * The resident bytes of [ADDR, ADDR + LEN) into *RSS_KB, and how many of
 * them are anonymous (a copy's, not the file's) into *ANON_KB, summed over
 * the mappings there (/proc/self/smaps); false when unknown.
 */
static bool resident_kb(const void *addr, size_t len, long *rss_kb, long *anon_kb)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return false;
	unsigned long from = (unsigned long)(uintptr_t)addr, to = from + len, lo, hi;
	char line[512];
	bool in = false, seen = false;
	long kb;
	*rss_kb = *anon_kb = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, ' ') > strchr(line, '-')) {
			in = lo < to && hi > from;
			seen |= in;
		} else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1) {
			*rss_kb += kb;
		} else if (in && sscanf(line, "Anonymous: %ld kB", &kb) == 1) {
			*anon_kb += kb;
		}
	}
	fclose(f);
	return seen;
}

/*
 * 24 MB of lines of every length from 0 to 3,000 bytes, some ending in
 * CRLF or CR CR LF, a few over the line limit, and no newline at the end.
 */
static char *make_text(size_t *len)
{
	size_t cap = 24u << 20, n = 0, k = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	while (n + 8000 < cap) {
		size_t l = (k * 7919) % 3001;
		if (k % 997 == 0)
			l = 6000; /* over the limit of the test's readers */
		for (size_t i = 0; i < l; i++)
			s[n++] = (char)('a' + (k + i) % 26);
		if (k % 5 == 1)
			s[n++] = '\r';
		if (k % 11 == 2) {
			s[n++] = '\r';
			s[n++] = '\r';
		}
		s[n++] = '\n';
		k++;
	}
	memcpy(s + n, "last line, no newline", 21);
	*len = n + 21;
	return s;
}

/*
 * A reader over a mapped file reads the same lines as one over memory,
 * with the file's descriptor (FD) and reading ahead as HOW says (copies of
 * its own, the file's pages, or what its probe finds), or without the
 * descriptor (the file's pages), and gives back what it has read: a few MB
 * resident halfway, nothing at the end, where every byte of the mapping is
 * the file's again.
 */
static void check_mapped_lines(bool fd, enum text_ahead how)
{
	size_t len;
	char *text = make_text(&len);
	char path[256];
	struct input in;
	mapped_input(&in, path, text, len);
	struct dump *d = dump_new("t");
	d->input_map = in.map;
	d->input_map_len = in.map_len;
	if (fd)
		d->input_fd = in.fd;
	d->max_line = 5000;
	text_set_ahead(how);
	struct line_reader mapped, heap;
	line_reader_open(&mapped, d, in.data, in.len);
	assert_non_null(mapped.drop_at); /* this reader gives pages back */
	long touch = text_ahead_touch_ns();
	if (fd && how == TEXT_AHEAD_PROBE && hugemap_available())
		assert_true(touch >= 0); /* the first big reader probed */
	else
		assert_int_equal(touch, -1);
	bool copy = fd && hugemap_available() &&
		    (how == TEXT_AHEAD_COPY || (how == TEXT_AHEAD_PROBE && touch > AHEAD_SLOW_TOUCH_NS));
	assert_int_equal(mapped.fd >= 0, copy);
	struct dump *h = dump_new("h");
	h->max_line = 5000;
	line_reader_open(&heap, h, text, len);
	assert_null(heap.drop_at);  /* a reader over the heap never does */
	struct line a, b, first = { 0 };
	size_t lines = 0;
	long rss = 0, anon = 0, mid_rss = 0, mid_anon = 0;
	bool mid = false, known = true;
	while (line_next(&heap, &b)) {
		assert_true(line_next(&mapped, &a));
		assert_int_equal(a.len, b.len);
		assert_int_equal(a.no, b.no);
		assert_int_equal((size_t)(a.s - (const char *)in.data), (size_t)(b.s - text));
		assert_memory_equal(a.s, b.s, a.len);
		assert_true(a.len <= 5000);
		if (!lines++)
			first = a;
		if (!mid && (size_t)(a.s - (const char *)in.data) > (12u << 20)) {
			mid = true; /* halfway: a few MB around the reader (given back in whole 2 MB steps) */
			known = resident_kb(in.map, in.map_len, &mid_rss, &mid_anon);
		}
	}
	if (known) {
		assert_true(mid_rss > 0 && mid_rss <= 10 * 1024);
		if (copy) /* what is ahead is a copy; the file's pages were never touched */
			assert_true(mid_anon >= 2048 && mid_anon <= mid_rss);
		else
			assert_int_equal(mid_anon, 0);
	}
	assert_false(line_next(&mapped, &a));
	/* at the end all of it was given back: the file's mapping, nothing of a copy */
	if (resident_kb(in.map, in.map_len, &rss, &anon)) {
		assert_true(rss < 1024);
		assert_int_equal(anon, 0);
	}
	assert_null(mapped.drop_from);
	assert_int_equal(d->lines_cut, h->lines_cut);
	assert_true(d->lines_cut > 0);
	assert_int_equal(b.len, 21);
	/* the first line's page was given back: it reads again from the file */
	assert_memory_equal(first.s, text, first.len);
	/* the reader pushed back over a page given back reads the same line */
	line_unread(&mapped, &first);
	assert_true(line_next(&mapped, &a));
	assert_int_equal(a.len, first.len);
	assert_memory_equal(a.s, text, a.len);
	/* and every byte is at its place: the file mapped back at the offsets it was copied from */
	assert_memory_equal(in.data, text, len);
	dump_free(d);
	dump_free(h);
	input_close(&in);
	unlink(path);
	free(text);
	text_set_ahead(TEXT_AHEAD_PROBE);
}

static void test_mapped_lines_match_memory(void **state)
{
	(void)state;
	check_mapped_lines(false, TEXT_AHEAD_PROBE);
	check_mapped_lines(true, TEXT_AHEAD_MAP);
}

static void test_mapped_lines_copied_ahead(void **state)
{
	(void)state;
	check_mapped_lines(true, TEXT_AHEAD_COPY);
}

/* The probe decides once, and either way the lines are the file's. */
static void test_mapped_lines_probed(void **state)
{
	(void)state;
	check_mapped_lines(true, TEXT_AHEAD_PROBE);
}

/*
 * A jstack dump of 12 MB whose deadlock section spans 6 MB: the section is
 * copied at its end from pages the reader gave back; the threads before
 * and after it are read whole.
 */
static void test_mapped_jstack_section_behind(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n");
	for (int i = 0; i < 12000; i++)
		strbuf_addf(&sb,
			    "\"w-%d\" #%d prio=5 os_prio=0 tid=0x00007f00%08x nid=0x%x waiting on condition\r\n"
			    "   java.lang.Thread.State: WAITING (parking)\r\n"
			    "\tat jdk.internal.misc.Unsafe.park(java.base@17/Native Method)\r\n"
			    "\t- parking to wait for  <0x00000000f%07x> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\r\n"
			    "\tat Pool.work(Pool.java:%d)\r\n\r\n",
			    i, i + 1, i, 1000 + i, i % 7, i % 50);
	size_t start = sb.len;
	strbuf_adds(&sb, "Found one Java-level deadlock:\n=============================\n");
	while (sb.len - start < (6u << 20))
		strbuf_adds(&sb, "\"w-1\":\n  waiting for ownable synchronizer 0x00000000f0000001, which is held by \"w-2\"\n");
	size_t end = sb.len;
	strbuf_adds(&sb, "\nFound 1 deadlock.\n\n\"tail\" #99999 prio=5 nid=0x99999 runnable\n"
			   "   java.lang.Thread.State: RUNNABLE\n\tat Tail.run(Tail.java:1)\n\n"
			   "JNI global refs: 15, weak refs: 0\n");
	char path[256];
	struct input in;
	mapped_input(&in, path, sb.buf, sb.len);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	struct dump *d = dump_new("t"), *h = dump_new("h");
	d->input_map = in.map;
	d->input_map_len = in.map_len;
	d->input_fd = in.fd; /* as the pipeline sets it */
	text_set_ahead(TEXT_AHEAD_COPY); /* the reader copies ahead */
	assert_int_equal(jstack_parser.parse(d, &in, &o, &err), 0);
	struct input mem;
	assert_int_equal(input_from_memory(&mem, "h", sb.buf, sb.len, NULL, &err), 0);
	assert_int_equal(jstack_parser.parse(h, &mem, &o, &err), 0);
	assert_int_equal(d->nthreads, 12001);
	assert_int_equal(d->nthreads, h->nthreads);
	assert_int_equal(d->nlocks, h->nlocks);
	for (size_t i = 0; i < d->nthreads; i++) {
		assert_string_equal(d->threads[i]->id, h->threads[i]->id);
		assert_int_equal(d->threads[i]->nframes, h->threads[i]->nframes);
		if (d->threads[i]->nframes) {
			assert_string_equal(d->threads[i]->frames[0].function, h->threads[i]->frames[0].function);
			assert_int_equal(d->threads[i]->frames[0].line, h->threads[i]->frames[0].line);
		}
	}
	assert_string_equal(d->threads[12000]->name, "tail");
	assert_int_equal(d->nsections, 1);
	assert_true(d->sections[0]->len >= end - start - 1);
	assert_memory_equal(d->sections[0]->text, sb.buf + start, end - start - 1);
	assert_int_equal(d->sections[0]->len, h->sections[0]->len);
	dump_free(d);
	dump_free(h);
	input_close(&mem);
	input_close(&in);
	unlink(path);
	strbuf_release(&err);
	strbuf_release(&sb);
	text_set_ahead(TEXT_AHEAD_PROBE);
}

/* span_word, eight bytes at a time, against a byte-at-a-time reference on random text. */
static void test_span_word_matches_bytewise(void **state)
{
	(void)state;
	static const char alphabet[] = " \t\r\f\v\x01\x1f!~abc=#[]\x80\xff\x00";
	char buf[96];
	unsigned seed = 12345;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 90);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		struct span x = { buf, len }, ref = x;
		for (;;) {
			struct span w = span_word(&x);
			/* the reference: skip blanks, then take non-blanks */
			while (ref.len && text_is_ws(*ref.s)) {
				ref.s++;
				ref.len--;
			}
			size_t n = 0;
			while (n < ref.len && !text_is_ws(ref.s[n]))
				n++;
			assert_int_equal(w.len, n);
			if (n)
				assert_ptr_equal(w.s, ref.s);
			ref.s += n;
			ref.len -= n;
			assert_int_equal(x.len, ref.len);
			if (!n)
				break;
		}
	}
}

/* Numbers at the very end of the bytes, a page nobody may read after them: read as atoi/strtoull would, within the span. */
static void test_span_numbers_end_at_the_span(void **state)
{
	(void)state;
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + page, (size_t)page, PROT_NONE), 0);
	char *end = m + page;
	memcpy(end - 3, "123", 3);
	assert_int_equal(span_atoi((struct span){ end - 3, 3 }), 123);
	assert_int_equal(span_atoull((struct span){ end - 3, 3 }), 123);
	assert_int_equal(span_atoi((struct span){ end - 3, 2 }), 12); /* the span ends first */
	memset(end - 40, '9', 40);
	assert_int_equal(span_atoi((struct span){ end - 40, 40 }), atoi("9999999999999999999999999999999999999999"));
	assert_true(span_atoull((struct span){ end - 40, 40 }) == strtoull("9999999999999999999999999999999999999999", NULL, 10));
	assert_int_equal(span_atoi((struct span){ end, 0 }), 0);
	munmap(m, (size_t)page * 2);
}

/*
 * span_atoi is atoi on the span's text: its fast path (up to 9 digits first)
 * and its slow one, on random digits, signs, blanks and what follows them.
 */
static void test_span_atoi_is_atoi(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789012345678901234567890123456789 -+)x:\t";
	char buf[24];
	unsigned seed = 4242;
	for (int k = 0; k < 200000; k++) {
		size_t n = (size_t)(rand_r(&seed) % 16);
		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[(size_t)rand_r(&seed) % (sizeof(alphabet) - 1)];
		buf[n] = '\0';
		assert_int_equal(span_atoi((struct span){ buf, n }), atoi(buf));
	}
	assert_int_equal(span_atoi((struct span){ "999999999)", 10 }), 999999999);
	assert_int_equal(span_atoi((struct span){ "1234567890)", 11 }), 1234567890);
	assert_int_equal(span_atoi((struct span){ "007", 3 }), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapped_lines_match_memory),
		cmocka_unit_test(test_mapped_lines_copied_ahead),
		cmocka_unit_test(test_mapped_lines_probed),
		cmocka_unit_test(test_mapped_jstack_section_behind),
		cmocka_unit_test(test_span_word_matches_bytewise),
		cmocka_unit_test(test_span_numbers_end_at_the_span),
		cmocka_unit_test(test_span_atoi_is_atoi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
