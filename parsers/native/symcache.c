#include "parsers/native/symcache.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/hashmap.h"

struct cached {
	struct frame *frames;
	size_t n;
};

static struct {
	bool on;
	size_t max;
	struct hashmap map;
} cache;

void symcache_enable(size_t max_entries)
{
	cache.on = true;
	cache.max = max_entries;
}

bool symcache_key(Dwfl_Module *mod, uint64_t offset, bool activation, char *key, size_t size)
{
	if (!cache.on || !mod)
		return false;
	const unsigned char *id;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &id, &vaddr);
	if (len <= 0 || (size_t)len * 2 + 24 > size)
		return false;
	for (int i = 0; i < len; i++)
		snprintf(key + 2 * i, 3, "%02x", id[i]);
	snprintf(key + 2 * len, size - 2 * (size_t)len, "+%llx/%d", (unsigned long long)offset,
		 activation);
	return true;
}

/* The "has DWARF" entries share the map, keyed "BUILDID+dwarf". */
static bool dwarf_key(Dwfl_Module *mod, char *key, size_t size)
{
	if (!symcache_key(mod, 0, false, key, size))
		return false;
	char *plus = strrchr(key, '+');
	snprintf(plus, size - (size_t)(plus - key), "+dwarf");
	return true;
}

static int yes = 1, no = 0;

int symcache_has_dwarf(Dwfl_Module *mod)
{
	char key[160];
	if (!dwarf_key(mod, key, sizeof(key)))
		return -1;
	int *v = hashmap_get(&cache.map, key);
	return v ? *v : -1;
}

void symcache_note_dwarf(Dwfl_Module *mod, bool has)
{
	char key[160];
	if (dwarf_key(mod, key, sizeof(key)) && !hashmap_get(&cache.map, key))
		hashmap_put(&cache.map, xstrdup(key), has ? &yes : &no);
}

const struct frame *symcache_get(const char *key, size_t *n)
{
	struct cached *c = cache.on && !strstr(key, "+dwarf") ? hashmap_get(&cache.map, key) : NULL;
	if (!c)
		return NULL;
	*n = c->n;
	return c->frames;
}

static const char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void symcache_put(const char *key, const struct frame *frames, size_t n)
{
	if (!cache.on || cache.map.count >= cache.max || hashmap_get(&cache.map, key))
		return;
	struct cached *c = xcalloc(1, sizeof(*c));
	c->frames = xcalloc(n ? n : 1, sizeof(*c->frames));
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		struct frame *f = &c->frames[i];
		f->function = dup_or_null(frames[i].function);
		f->offset = frames[i].offset;
		f->has_offset = frames[i].has_offset;
		f->file = dup_or_null(frames[i].file);
		f->line = frames[i].line;
		f->column = frames[i].column;
		f->kind = frames[i].kind;
	}
	hashmap_put(&cache.map, xstrdup(key), c); /* lives as long as the process */
}

void symcache_copy(struct dump *d, struct frame *f, const struct frame *cached)
{
	f->function = cached->function ? dump_strdup(d, cached->function) : NULL;
	f->offset = cached->offset;
	f->has_offset = cached->has_offset;
	f->file = cached->file ? dump_strdup(d, cached->file) : NULL;
	f->line = cached->line;
	f->column = cached->column;
	f->kind = cached->kind;
}
