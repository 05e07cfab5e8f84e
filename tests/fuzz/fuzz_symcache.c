/*
 * libFuzzer target for the symbolization cache's files
 * (parsers/native/symcache.c): anyone who can write a file under
 * $XDG_CACHE_HOME/mortem can give it any bytes, and its checksum (FNV-1a)
 * is no secret. The input is used twice: as a whole file, and as the
 * records of a file whose header and checksum are made right here (the
 * layout of symcache.c: magic, version, build-id, stamp, payload length,
 * checksum), so that the mutations reach the record checks. Every load must
 * end, and a sound file must load again to the same answer.
 */
#include "fuzz_common.h"

#include "analyzer/lib/hashmap.h"
#include "parsers/native/symcache.h"

#define ID "00ab12"
#define STAMP "fuzz-stamp"

static void put(struct strbuf *sb, const void *p, size_t n) { strbuf_add(sb, p, n); }

static void put_str(struct strbuf *sb, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	put(sb, &n, sizeof(n));
	put(sb, s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool on;
	if (!on) {
		symcache_enable(4096); /* small: the bound on entries is reached too */
		on = true;
	}
	(void)symcache_load_bytes(data, size, ID, STAMP);

	struct strbuf f = STRBUF_INIT;
	uint32_t version = SYMCACHE_FILE_VERSION;
	uint64_t len = size, sum = hash_fnv1a(data, size);
	put(&f, "MORTEMSC", 8);
	put(&f, &version, sizeof(version));
	put_str(&f, ID);
	put_str(&f, STAMP);
	put(&f, &len, sizeof(len));
	put(&f, &sum, sizeof(sum));
	put(&f, data, size);
	bool sound = symcache_load_bytes(f.buf, f.len, ID, STAMP);
	if (symcache_load_bytes(f.buf, f.len, ID, STAMP) != sound)
		abort(); /* the same bytes, another answer */
	if (symcache_load_bytes(f.buf, f.len, ID, "another stamp"))
		abort(); /* written under other conditions: never used */
	strbuf_release(&f);
	return 0;
}
