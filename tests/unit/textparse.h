/*
 * Helpers for the text-parser unit tests (included by test_*.c, after
 * cmocka.h): parse a string with a parser, check what detection picks,
 * cut a text at every byte, open a text as a mapped file.
 */
#ifndef MORTEM_TEST_TEXTPARSE_H
#define MORTEM_TEST_TEXTPARSE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"
#include "parsers/parser.h"
#include "tests/unit/tempfile.h"

/*
 * Writes the LEN bytes at DATA to a new temporary file (its name into
 * PATH, 256 bytes; under $TMPDIR when set) and opens it as an input: a
 * mapped one. The caller closes IN and unlinks PATH.
 */
static inline void mapped_input(struct input *in, char *path, const char *data, size_t len)
{
	int fd = temp_file(path, "test-input");
	assert_int_equal(fd_write_full(fd, data, len), 0);
	close(fd);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_open(in, path, NULL, &err), 0);
	assert_non_null(in->map);
	strbuf_release(&err);
}

/* The thread of D named NAME; fails the test when there is none. */
static inline struct thread *named(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->name && !strcmp(d->threads[i]->name, name))
			return d->threads[i];
	fail_msg("no thread %s", name);
	return NULL;
}

/* The parser detection picks for TEXT, or NULL. */
static inline const struct parser *detect(const char *text)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", text, strlen(text), NULL, &err), 0);
	const struct parser *p = parser_detect(&in);
	input_close(&in);
	strbuf_release(&err);
	return p;
}

/* Parses the first LEN bytes of TEXT with P; the parse must succeed. */
static inline struct dump *parse_n(const struct parser *p, const char *text, size_t len)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", text, len, NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct dump *d = dump_new("t");
	assert_int_equal(p->parse(d, &in, &o, &err), 0);
	input_close(&in);
	strbuf_release(&err);
	return d;
}

/* Detection must pick P for TEXT; then parses it. */
static inline struct dump *parse_detected(const struct parser *p, const char *text)
{
	assert_ptr_equal(detect(text), p);
	return parse_n(p, text, strlen(text));
}

/*
 * Cuts TEXT at every byte: each prefix parses, never holds more threads
 * than the whole, and a prefix cut inside a line says so in a warning.
 */
static inline void every_prefix(const struct parser *p, const char *text)
{
	size_t n = strlen(text);
	struct dump *whole = parse_n(p, text, n);
	size_t all = whole->nthreads;
	dump_free(whole);
	for (size_t cut = 1; cut < n; cut++) {
		struct dump *d = parse_n(p, text, cut);
		assert_true(d->nthreads <= all);
		if (text[cut - 1] != '\n') {
			bool noted = false;
			for (size_t i = 0; i < d->input.nwarnings; i++)
				noted |= strstr(d->input.warnings[i], "ended early") != NULL;
			assert_true(noted);
		}
		dump_free(d);
	}
}

#endif
