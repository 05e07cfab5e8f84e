#include "parsers/native/symcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"
#include "analyzer/lib/arena.h"
#include "analyzer/lib/hashmap.h"

struct cached {
	struct frame *frames;
	size_t n;
};

/* A build-id this process has met, for the persistent cache. */
struct build {
	char *id;                 /* lowercase hex */
	char *stamp;              /* this run's stamp (symcache_attach) */
	bool dirty;               /* entries were added since the last save */
};

static struct {
	bool on;
	size_t max;
	struct hashmap map;
	char *dir;                /* the persistent cache's directory, or NULL */
	int dirfd;                /* that directory, open: every file is named relative to it */
	struct hashmap builds;    /* build-id hex -> struct build */
} cache;

void symcache_enable(size_t max_entries)
{
	cache.on = true;
	cache.max = max_entries;
}

bool symcache_enabled(void)
{
	return cache.on;
}

/*
 * Appends MOD's build-id in hex (what every key of MOD starts with) to
 * OUT: false, OUT as it was, when the cache is off, MOD has none, or its
 * key would not fit SIZE bytes. No printf: a core asks for a few dozen
 * keys, each a build-id's 40 digits.
 */
static bool add_build_id(Dwfl_Module *mod, struct strbuf *out, size_t size)
{
	const unsigned char *id;
	GElf_Addr vaddr;
	int len = cache.on && mod ? dwfl_module_build_id(mod, &id, &vaddr) : 0;
	if (len <= 0 || (size_t)len * 2 + 24 > size)
		return false;
	strbuf_addhex(out, id, (size_t)len);
	return true;
}

/*
 * KEY (SIZE bytes): MOD's build-id (add_build_id), TAIL, HEX in hex when
 * not NULL, then END; false as add_build_id.
 */
static bool module_key(Dwfl_Module *mod, const char *tail, const uint64_t *hex, const char *end,
		       char *key, size_t size)
{
	static struct strbuf k = STRBUF_INIT;
	strbuf_reset(&k);
	if (!add_build_id(mod, &k, size))
		return false;
	strbuf_adds(&k, tail);
	if (hex)
		strbuf_addx(&k, *hex);
	strbuf_adds(&k, end);
	memcpy(key, k.buf, k.len + 1);
	return true;
}

bool symcache_key(Dwfl_Module *mod, uint64_t offset, bool activation, char *key, size_t size)
{
	return module_key(mod, "+", &offset, activation ? "/1" : "/0", key, size);
}

/* The "has DWARF" entries share the map, keyed "BUILDID+dwarf". */
static bool dwarf_key(Dwfl_Module *mod, char *key, size_t size)
{
	return module_key(mod, "+dwarf", NULL, "", key, size);
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

static void mark_dirty(const char *key);

void symcache_note_dwarf(Dwfl_Module *mod, bool has)
{
	char key[160];
	if (dwarf_key(mod, key, sizeof(key)) && !hashmap_get(&cache.map, key)) {
		hashmap_put(&cache.map, xstrdup(key), has ? &yes : &no);
		mark_dirty(key);
	}
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

/* Adds copies of FRAMES[0..N) under KEY (a copy is made of KEY too). */
static void insert(const char *key, const struct frame *frames, size_t n)
{
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

void symcache_put(const char *key, const struct frame *frames, size_t n)
{
	if (!cache.on || cache.map.count >= cache.max || hashmap_get(&cache.map, key))
		return;
	insert(key, frames, n);
	mark_dirty(key);
}

/* The value of a remembered name that is NULL (no symbol there). */
static char no_name[] = "";

/* Keeps NAME (a copy; NULL: none) under KEY, "BUILDID+sOFFSET". */
static void insert_name(const char *key, const char *name)
{
	hashmap_put(&cache.map, xstrdup(key), name ? xstrdup(name) : no_name);
}

const char *symcache_addrname(Dwfl_Module *mod, uint64_t addr,
			      const char *(*lookup)(Dwfl_Module *mod, uint64_t addr))
{
	Dwarf_Addr start;
	char key[160];
	if (!mod)
		return NULL;
	dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	uint64_t rel = addr - start;
	if (!module_key(mod, "+s", &rel, "", key, sizeof(key)))
		return lookup(mod, addr);
	char *hit = hashmap_get(&cache.map, key);
	if (hit)
		return hit == no_name ? NULL : hit;
	const char *name = lookup(mod, addr);
	if (cache.map.count < cache.max) {
		insert_name(key, name);
		mark_dirty(key);
	}
	return name;
}

/*
 * The kind of entry a key's suffix (after "BUILDID+") names, as its record
 * type in a file: 'D' has DWARF, 'S' a pc's symbol name, 'N' a symbol by
 * name, 'V' a data name, 'P' a pc's frames ("OFFSET/ACTIVATION", hex). A
 * record whose suffix is of another kind is refused: each kind has its own
 * value type in the map.
 */
static char suffix_kind(const char *suffix)
{
	if (!strcmp(suffix, "dwarf"))
		return 'D';
	switch (suffix[0]) {
	case 's':
		return 'S';
	case 'n':
		return 'N';
	case 'v':
		return 'V';
	default:
		return 'P';
	}
}

/* KEY = "BUILDID+" of MOD, and MOD's bounds; false when the cache is off or MOD has no build-id. */
static bool module_prefix(Dwfl_Module *mod, struct strbuf *key, Dwarf_Addr *start, Dwarf_Addr *end)
{
	strbuf_reset(key);
	if (!add_build_id(mod, key, 160)) /* the size of every other key's buffer */
		return false;
	strbuf_addch(key, '+');
	dwfl_module_info(mod, NULL, start, end, NULL, NULL, NULL, NULL);
	return true;
}

/* A symbol by name: where it is in its module, or that the module has none. */
struct symbol_entry {
	bool found;
	uint64_t offset, raw;     /* from the module's start; st_value */
};

static void insert_symbol(const char *key, bool found, uint64_t offset, uint64_t raw)
{
	struct symbol_entry *e = xcalloc(1, sizeof(*e));
	e->found = found;
	e->offset = found ? offset : 0;
	e->raw = found ? raw : 0;
	hashmap_put(&cache.map, xstrdup(key), e); /* lives as long as the process */
}

/* KEY = "BUILDID+nNAME"; false when not to be cached. */
static bool symbol_key(Dwfl_Module *mod, const char *name, struct strbuf *key, Dwarf_Addr *start,
		       Dwarf_Addr *end)
{
	if (!name || strlen(name) > SYMCACHE_NAME_MAX || !module_prefix(mod, key, start, end))
		return false;
	strbuf_addch(key, 'n');
	strbuf_adds(key, name);
	return true;
}

int symcache_symbol(Dwfl_Module *mod, const char *name, uint64_t *addr, uint64_t *raw)
{
	struct strbuf key = STRBUF_INIT;
	Dwarf_Addr start, end;
	int rc = -1;
	const struct symbol_entry *e =
		symbol_key(mod, name, &key, &start, &end) ? hashmap_get(&cache.map, key.buf) : NULL;
	if (e) {
		rc = e->found;
		if (e->found) {
			*addr = start + e->offset;
			*raw = e->raw;
		}
	}
	strbuf_release(&key);
	return rc;
}

void symcache_note_symbol(Dwfl_Module *mod, const char *name, bool found, uint64_t addr,
			  uint64_t raw)
{
	struct strbuf key = STRBUF_INIT;
	Dwarf_Addr start, end;
	if (symbol_key(mod, name, &key, &start, &end) && (!found || (addr >= start && addr < end)) &&
	    cache.map.count < cache.max && !hashmap_get(&cache.map, key.buf)) {
		insert_symbol(key.buf, found, addr - start, raw);
		mark_dirty(key.buf);
	}
	strbuf_release(&key);
}

/* KEY = "BUILDID+vOFFSET"; false when not to be cached (ADDR outside MOD too). */
static bool dataname_key(Dwfl_Module *mod, uint64_t addr, struct strbuf *key)
{
	Dwarf_Addr start, end;
	if (!module_prefix(mod, key, &start, &end) || addr < start || addr >= end)
		return false;
	strbuf_addch(key, 'v');
	strbuf_addx(key, addr - start);
	return true;
}

int symcache_dataname(Dwfl_Module *mod, uint64_t addr, const char **name)
{
	struct strbuf key = STRBUF_INIT;
	const char *hit = dataname_key(mod, addr, &key) ? hashmap_get(&cache.map, key.buf) : NULL;
	strbuf_release(&key);
	if (!hit)
		return -1;
	if (hit == no_name)
		return 0;
	*name = hit;
	return 1;
}

void symcache_note_dataname(Dwfl_Module *mod, uint64_t addr, const char *name)
{
	struct strbuf key = STRBUF_INIT;
	if ((!name || strlen(name) <= SYMCACHE_NAME_MAX) && dataname_key(mod, addr, &key) &&
	    cache.map.count < cache.max && !hashmap_get(&cache.map, key.buf)) {
		insert_name(key.buf, name);
		mark_dirty(key.buf);
	}
	strbuf_release(&key);
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

/* ---- the persistent cache ---- */

#define FILE_MAGIC "MORTEMSC"
#define MAX_FRAMES_PER_PC 4096u
#define MAX_STRING (1u << 20)

static struct build *build_of(const char *id, size_t len)
{
	char buf[160];
	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, id, len);
	buf[len] = '\0';
	return hashmap_get(&cache.builds, buf);
}

/* KEY is "BUILDID+...": its build gained an entry. */
static void mark_dirty(const char *key)
{
	const char *plus = cache.dir ? strchr(key, '+') : NULL;
	struct build *b = plus ? build_of(key, (size_t)(plus - key)) : NULL;
	if (b && b->stamp)
		b->dirty = true;
}

static int mkdirs(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	strbuf_adds(&p, dir);
	int rc = 0;
	for (char *s = p.buf + 1; rc == 0; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p.buf, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	strbuf_release(&p);
	return rc;
}

/*
 * DIR opened, when it is a directory only this user can change: owned by
 * the effective user, writable by no group and no other, and, when DIR is a
 * symbolic link, the link is this user's too. Anyone else who could write
 * there could plant entries (what a report names) or links for a write to
 * follow. -1 otherwise.
 */
static int open_own_dir(const char *dir)
{
	struct stat st;
	uid_t me = geteuid();
	if (lstat(dir, &st) < 0 || (S_ISLNK(st.st_mode) && st.st_uid != me))
		return -1;
	int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != me ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -1;
	}
	return fd;
}

int symcache_persist(const char *dir)
{
	if (cache.dir)
		return 0;
	int fd = dir && dir[0] == '/' && mkdirs(dir) == 0 ? open_own_dir(dir) : -1;
	if (fd < 0)
		return -1;
	if (!cache.on)
		symcache_enable(1 << 20);
	cache.dir = xstrdup(dir);
	cache.dirfd = fd;
	return 0;
}

int symcache_default_dir(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	strbuf_reset(out);
	if (xdg && xdg[0] == '/')
		strbuf_addf(out, "%s/mortem", xdg);
	else if (home && home[0] == '/')
		strbuf_addf(out, "%s/.cache/mortem", home);
	else
		return -1;
	return 0;
}

/* The name of build ID's file in the cache's directory. */
static void file_name(struct strbuf *out, const char *id)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s.sym", id);
}

/* ---- the file format: a header, then records, all checked before use ---- */

static void put_u32(struct strbuf *sb, uint32_t v) { strbuf_add(sb, &v, sizeof(v)); }
static void put_u64(struct strbuf *sb, uint64_t v) { strbuf_add(sb, &v, sizeof(v)); }

static void put_str(struct strbuf *sb, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= MAX_STRING)
		n = MAX_STRING - 1;
	put_u32(sb, s ? (uint32_t)n : UINT32_MAX);
	strbuf_add(sb, s ? s : "", n);
}

struct reader {
	const unsigned char *p, *end;
	bool bad;
};

static bool take(struct reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

static uint32_t get_u32(struct reader *r) { uint32_t v = 0; take(r, &v, sizeof(v)); return v; }
static uint64_t get_u64(struct reader *r) { uint64_t v = 0; take(r, &v, sizeof(v)); return v; }
static uint8_t get_u8(struct reader *r) { uint8_t v = 0; take(r, &v, 1); return v; }

/* A string (NULL for the null mark) into SB; false when bad. */
static bool get_str(struct reader *r, struct strbuf *sb, bool *null)
{
	uint32_t n = get_u32(r);
	strbuf_reset(sb);
	*null = n == UINT32_MAX;
	if (*null)
		return !r->bad;
	if (n >= MAX_STRING || (size_t)(r->end - r->p) < n || memchr(r->p, '\0', n)) {
		r->bad = true;
		return false;
	}
	strbuf_add(sb, r->p, n);
	r->p += n;
	return !r->bad;
}

static void encode_pc(struct strbuf *out, const char *suffix, const struct cached *c)
{
	strbuf_addch(out, 'P');
	put_str(out, suffix);
	put_u32(out, (uint32_t)c->n);
	for (size_t i = 0; i < c->n; i++) {
		const struct frame *f = &c->frames[i];
		strbuf_addch(out, (char)f->kind);
		strbuf_addch(out, (char)f->has_offset);
		put_u64(out, f->offset);
		put_u32(out, (uint32_t)f->line);
		put_u32(out, (uint32_t)f->column);
		put_str(out, f->function);
		put_str(out, f->file);
	}
}

static int by_key(const void *x, const void *y)
{
	const struct hashmap_slot *a = *(const struct hashmap_slot *const *)x;
	const struct hashmap_slot *b = *(const struct hashmap_slot *const *)y;
	return strcmp(a->key, b->key);
}

/* The records of build ID in the map, in a payload (by key: the same entries give the same bytes). */
static void encode_build(struct strbuf *out, const char *id)
{
	size_t idlen = strlen(id), n = 0, alloc = 0;
	const struct hashmap_slot **slots = NULL;
	for (size_t i = 0; i < cache.map.cap; i++) {
		const struct hashmap_slot *s = &cache.map.slots[i];
		const char *key = s->key;
		if (!key || strncmp(key, id, idlen) || key[idlen] != '+')
			continue;
		ALLOC_GROW(slots, n + 1, alloc);
		slots[n++] = s;
	}
	if (n)
		qsort(slots, n, sizeof(*slots), by_key);
	for (size_t i = 0; i < n; i++) {
		const char *suffix = (const char *)slots[i]->key + idlen + 1;
		char kind = suffix_kind(suffix);
		if (kind == 'D') {
			strbuf_addch(out, 'D');
			strbuf_addch(out, *(const int *)slots[i]->value ? 1 : 0);
		} else if (kind == 'S' || kind == 'V') {
			const char *name = slots[i]->value;
			strbuf_addch(out, kind);
			put_str(out, suffix);
			put_str(out, name == no_name ? NULL : name);
		} else if (kind == 'N') {
			const struct symbol_entry *e = slots[i]->value;
			strbuf_addch(out, 'N');
			put_str(out, suffix);
			strbuf_addch(out, e->found ? 1 : 0);
			put_u64(out, e->offset);
			put_u64(out, e->raw);
		} else {
			encode_pc(out, suffix, slots[i]->value);
		}
	}
	free(slots);
}

/* One 'P' record into the map (unless its key is there); false when bad. */
static bool decode_pc(struct reader *r, const char *id, bool apply, struct strbuf *key,
		      struct strbuf *a, struct strbuf *b)
{
	bool null;
	if (!get_str(r, a, &null) || null || !a->len || suffix_kind(a->buf) != 'P')
		return false;
	strbuf_reset(key);
	strbuf_addf(key, "%s+%s", id, a->buf);
	uint32_t n = get_u32(r);
	if (r->bad || n > MAX_FRAMES_PER_PC)
		return false;
	struct frame fv[16], *frames = n <= 16 ? fv : xcalloc(n, sizeof(*frames));
	char **strs = xcalloc(2 * (size_t)n + 1, sizeof(*strs));
	bool ok = true;
	for (uint32_t i = 0; i < n && ok; i++) {
		struct frame *f = &frames[i];
		memset(f, 0, sizeof(*f));
		uint8_t kind = get_u8(r), has_offset = get_u8(r);
		f->offset = get_u64(r);
		int32_t line = (int32_t)get_u32(r), column = (int32_t)get_u32(r);
		bool fnull, lnull;
		ok = get_str(r, a, &fnull) && (strs[2 * i] = fnull ? NULL : xstrdup(a->buf), true) &&
		     get_str(r, b, &lnull) && kind < FRAME_KIND_COUNT && has_offset <= 1 &&
		     line >= 0 && column >= 0;
		if (!ok)
			break;
		strs[2 * i + 1] = lnull ? NULL : xstrdup(b->buf);
		f->kind = (enum frame_kind)kind;
		f->has_offset = has_offset;
		f->line = line;
		f->column = column;
		f->function = strs[2 * i];
		f->file = strs[2 * i + 1];
	}
	if (ok && apply && cache.map.count < cache.max && !hashmap_get(&cache.map, key->buf))
		insert(key->buf, frames, n);
	for (size_t i = 0; i < 2 * (size_t)n; i++)
		free(strs[i]);
	free(strs);
	if (frames != fv)
		free(frames);
	return ok;
}

/* One 'S' or 'V' record (TYPE): a key, and a name or the null mark; false when bad. */
static bool decode_name(struct reader *r, char type, const char *id, bool apply, struct strbuf *key,
			struct strbuf *a, struct strbuf *b)
{
	bool null, snull;
	if (!get_str(r, a, &null) || null || suffix_kind(a->buf) != type || !get_str(r, b, &snull) ||
	    (type == 'V' && b->len > SYMCACHE_NAME_MAX))
		return false;
	strbuf_reset(key);
	strbuf_addf(key, "%s+%s", id, a->buf);
	if (apply && cache.map.count < cache.max && !hashmap_get(&cache.map, key->buf))
		insert_name(key->buf, snull ? NULL : b->buf);
	return true;
}

/* One 'N' record: a key, found (0 or 1), offset and st_value (both 0 when not found); false when bad. */
static bool decode_symbol(struct reader *r, const char *id, bool apply, struct strbuf *key,
			  struct strbuf *a)
{
	bool null;
	if (!get_str(r, a, &null) || null || suffix_kind(a->buf) != 'N' || a->len > SYMCACHE_NAME_MAX + 1)
		return false;
	uint8_t found = get_u8(r);
	uint64_t offset = get_u64(r), raw = get_u64(r);
	if (r->bad || found > 1 || (!found && (offset || raw)))
		return false;
	strbuf_reset(key);
	strbuf_addf(key, "%s+%s", id, a->buf);
	if (apply && cache.map.count < cache.max && !hashmap_get(&cache.map, key->buf))
		insert_symbol(key->buf, found, offset, raw);
	return true;
}

/*
 * Checks a whole file's bytes for build ID and STAMP; with APPLY, adds its
 * entries to the map (those not there yet). Returns false for a file that
 * is not whole and sound, or not of this build and stamp.
 */
static bool decode_file(const unsigned char *data, size_t len, const char *id, const char *stamp,
			bool apply)
{
	struct reader r = { data, data + len, false };
	char magic[8];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, key = STRBUF_INIT;
	bool null, ok = take(&r, magic, 8) && !memcmp(magic, FILE_MAGIC, 8) &&
			get_u32(&r) == SYMCACHE_FILE_VERSION && get_str(&r, &a, &null) && !null &&
			!strcmp(a.buf, id) && get_str(&r, &b, &null) && !null && !strcmp(b.buf, stamp);
	uint64_t plen = ok ? get_u64(&r) : 0, sum = ok ? get_u64(&r) : 0;
	ok = ok && !r.bad && plen == (uint64_t)(r.end - r.p) && hash_fnv1a(r.p, plen) == sum;
	while (ok && r.p < r.end) {
		uint8_t type = get_u8(&r);
		if (type == 'D') {
			uint8_t has = get_u8(&r);
			ok = !r.bad && has <= 1;
			strbuf_reset(&key);
			strbuf_addf(&key, "%s+dwarf", id);
			if (ok && apply && !hashmap_get(&cache.map, key.buf))
				hashmap_put(&cache.map, xstrdup(key.buf), has ? &yes : &no);
		} else if (type == 'P') {
			ok = decode_pc(&r, id, apply, &key, &a, &b);
		} else if (type == 'S' || type == 'V') {
			ok = decode_name(&r, (char)type, id, apply, &key, &a, &b);
		} else if (type == 'N') {
			ok = decode_symbol(&r, id, apply, &key, &a);
		} else {
			ok = false;
		}
	}
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&key);
	return ok && !r.bad;
}

/*
 * The whole file NAME in the cache's directory into OUT (at most
 * SYMCACHE_DISK_MAX bytes); -1 when unreadable or not a regular file. A
 * symbolic link is not followed and nothing blocks (a FIFO put there); the
 * open is not one of the dump's (openat: the open() guard never sees it).
 */
static int read_file(const char *name, struct strbuf *out)
{
	int fd = openat(cache.dirfd, name,
			O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SYMCACHE_DISK_MAX) {
		strbuf_reset(out);
		strbuf_grow(out, (size_t)st.st_size);
		ssize_t got;
		while (out->len < (size_t)st.st_size &&
		       (got = read(fd, out->buf + out->len, (size_t)st.st_size - out->len)) > 0)
			out->len += (size_t)got;
		out->buf[out->len] = '\0';
		rc = out->len == (size_t)st.st_size ? 0 : -1;
	}
	close(fd);
	return rc;
}

bool symcache_load_bytes(const void *data, size_t len, const char *id, const char *stamp)
{
	return cache.on && decode_file(data, len, id, stamp, false) &&
	       decode_file(data, len, id, stamp, true);
}

/* Loads build B's file into the map; false when absent or not sound (then it is rewritten). */
static bool load_build(struct build *b)
{
	struct strbuf name = STRBUF_INIT, data = STRBUF_INIT;
	file_name(&name, b->id);
	bool ok = read_file(name.buf, &data) == 0 &&
		  symcache_load_bytes(data.buf, data.len, b->id, b->stamp);
	if (ok) /* recently used: evicted last */
		utimensat(cache.dirfd, name.buf, NULL, AT_SYMLINK_NOFOLLOW);
	strbuf_release(&name);
	strbuf_release(&data);
	return ok;
}

/* MOD's build-id into KEY, when the cache persists and has not attached that build yet. */
static bool unattached_build(Dwfl_Module *mod, char *key, size_t size)
{
	if (!cache.dir || !module_key(mod, "", NULL, "", key, size))
		return false;
	return !hashmap_get(&cache.builds, key);
}

bool symcache_wants_stamp(Dwfl_Module *mod)
{
	char key[160];
	return unattached_build(mod, key, sizeof(key));
}

void symcache_attach(Dwfl_Module *mod, const char *stamp)
{
	char key[160];
	if (!unattached_build(mod, key, sizeof(key)))
		return;
	struct build *b = xcalloc(1, sizeof(*b));
	b->id = xstrdup(key);
	b->stamp = xstrdup(stamp);
	hashmap_put(&cache.builds, b->id, b);
	if (!load_build(b))
		b->dirty = true; /* absent, stale or damaged: written anew at the next save */
}

/* ---- writing ---- */

struct cache_file {
	char *name;
	off_t size;
	struct timespec mtime;
};

static int older_first(const void *x, const void *y)
{
	const struct cache_file *a = x, *b = y;
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec ? -1 : 1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec < b->mtime.tv_nsec ? -1 : 1;
	return strcmp(a->name, b->name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/*
 * Keeps the directory's files under SYMCACHE_DISK_MAX bytes, the least
 * recently used going first; temporary files left by a run that died are
 * removed after an hour.
 */
static void evict(void)
{
	int fd = openat(cache.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct cache_file *files = NULL;
	size_t n = 0, alloc = 0;
	uint64_t total = 0;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(dir))) {
		struct stat st;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(e->d_name, ".tmp-", 5)) {
			if (st.st_mtime < now - 3600)
				unlinkat(dirfd(dir), e->d_name, 0);
			continue;
		}
		if (!ends_with(e->d_name, ".sym"))
			continue;
		ALLOC_GROW(files, n + 1, alloc);
		files[n++] = (struct cache_file){ xstrdup(e->d_name), st.st_size, st.st_mtim };
		total += (uint64_t)st.st_size;
	}
	if (total > SYMCACHE_DISK_MAX) {
		qsort(files, n, sizeof(*files), older_first);
		for (size_t i = 0; i < n && total > SYMCACHE_DISK_MAX; i++)
			if (unlinkat(dirfd(dir), files[i].name, 0) == 0)
				total -= (uint64_t)files[i].size;
	}
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	closedir(dir);
}

/* A new temporary file in the cache's directory, its name into NAME; -1 when none can be made. */
static int make_temp(struct strbuf *name)
{
	static unsigned serial;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	for (int attempt = 0; attempt < 64; attempt++) {
		strbuf_reset(name);
		strbuf_addf(name, ".tmp-%ld-%lx-%u", (long)getpid(), (unsigned long)now.tv_nsec,
			    serial++);
		int fd = openat(cache.dirfd, name->buf,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Writes build B's file: what is on disk now (another run's), merged with the map, renamed into place. */
static void save_build(struct build *b)
{
	struct strbuf name = STRBUF_INIT, data = STRBUF_INIT, out = STRBUF_INIT, tmp = STRBUF_INIT;
	file_name(&name, b->id);
	if (read_file(name.buf, &data) == 0 &&
	    decode_file((const unsigned char *)data.buf, data.len, b->id, b->stamp, false))
		decode_file((const unsigned char *)data.buf, data.len, b->id, b->stamp, true);
	struct strbuf payload = STRBUF_INIT;
	encode_build(&payload, b->id);
	strbuf_add(&out, FILE_MAGIC, 8);
	put_u32(&out, SYMCACHE_FILE_VERSION);
	put_str(&out, b->id);
	put_str(&out, b->stamp);
	put_u64(&out, payload.len);
	put_u64(&out, hash_fnv1a(payload.buf, payload.len));
	strbuf_add(&out, payload.buf, payload.len);
	/* renamed over NAME: a link planted there is replaced, never followed */
	int fd = out.len <= SYMCACHE_DISK_MAX ? make_temp(&tmp) : -1;
	if (fd >= 0) {
		bool ok = fd_write_full(fd, out.buf, out.len) == 0;
		ok = close(fd) == 0 && ok;
		if (!ok || renameat(cache.dirfd, tmp.buf, cache.dirfd, name.buf) < 0)
			unlinkat(cache.dirfd, tmp.buf, 0);
	}
	b->dirty = false;
	strbuf_release(&payload);
	strbuf_release(&name);
	strbuf_release(&data);
	strbuf_release(&out);
	strbuf_release(&tmp);
}

void symcache_save(void)
{
	if (!cache.dir)
		return;
	bool wrote = false;
	for (size_t i = 0; i < cache.builds.cap; i++) {
		struct build *b = cache.builds.slots[i].key ? cache.builds.slots[i].value : NULL;
		if (b && b->dirty) {
			save_build(b);
			wrote = true;
		}
	}
	if (wrote)
		evict();
}
