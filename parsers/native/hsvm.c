#include "parsers/native/hsvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/xalloc.h"

struct item_def {
	enum hsvm_kind kind;
	const char *type, *field, *alt;
	bool required;
};

static const struct item_def items[HS_ITEM_COUNT] = {
#define X_DEF(id, k, t, f, a, r) [id] = { k, t, f, a, r },
	HSVM_ITEMS(X_DEF)
#undef X_DEF
};

/* ---- typed reads ---- */

int hsvm_u8(const struct hsvm *vm, uint64_t addr, uint8_t *out)
{
	return vm->read(vm->ctx, addr, out, 1);
}

int hsvm_u16(const struct hsvm *vm, uint64_t addr, uint16_t *out)
{
	return vm->read(vm->ctx, addr, out, 2);
}

int hsvm_u32(const struct hsvm *vm, uint64_t addr, uint32_t *out)
{
	return vm->read(vm->ctx, addr, out, 4);
}

int hsvm_u64(const struct hsvm *vm, uint64_t addr, uint64_t *out)
{
	return vm->read(vm->ctx, addr, out, 8);
}

uint64_t hsvm_ptr(const struct hsvm *vm, uint64_t addr)
{
	uint64_t v;
	if (!addr || vm->read(vm->ctx, addr, &v, 8) < 0)
		return 0;
	return v;
}

int hsvm_cstr(const struct hsvm *vm, uint64_t addr, size_t max, struct strbuf *out)
{
	if (!addr)
		return -1;
	char chunk[64];
	size_t done = 0;
	while (done < max) {
		size_t want = sizeof(chunk);
		/* stay inside one 64-byte block: a string near the end of a mapping */
		want -= (addr + done) % sizeof(chunk);
		if (vm->read(vm->ctx, addr + done, chunk, want) < 0) {
			/* the block crosses into unreadable memory: byte by byte */
			for (want = 0; want < sizeof(chunk) && done < max; want++, done++) {
				char c;
				if (vm->read(vm->ctx, addr + done, &c, 1) < 0)
					return -1;
				if (!c)
					return 0;
				strbuf_addch(out, c);
			}
			continue;
		}
		char *nul = memchr(chunk, 0, want);
		size_t n = nul ? (size_t)(nul - chunk) : want;
		if (n > max - done)
			n = max - done;
		strbuf_add(out, chunk, n);
		if (nul)
			return 0;
		done += want;
	}
	return 0;
}

/* ---- oops and metadata ---- */

uint64_t hsvm_oop_field(const struct hsvm *vm, uint64_t obj, uint64_t off)
{
	if (!obj)
		return 0;
	if (!vm->compressed_oops)
		return hsvm_ptr(vm, obj + off);
	uint32_t n;
	if (hsvm_u32(vm, obj + off, &n) < 0 || !n)
		return 0;
	return vm->oop_base + ((uint64_t)n << vm->oop_shift);
}

uint64_t hsvm_klass_of(const struct hsvm *vm, uint64_t obj)
{
	if (!obj)
		return 0;
	if (vm->compact_headers) {
		/* the narrow klass sits in the mark word's upper bits (markWord::klass_shift 42) */
		uint64_t mark;
		if (hsvm_u64(vm, obj, &mark) < 0)
			return 0;
		return vm->klass_base + ((mark >> 42) << vm->klass_shift);
	}
	uint64_t off = hsvm_get(vm, HS_OOP_KLASS);
	if (!vm->compressed_klass)
		return hsvm_ptr(vm, obj + off);
	uint32_t n;
	if (hsvm_u32(vm, obj + off, &n) < 0 || !n)
		return 0;
	return vm->klass_base + ((uint64_t)n << vm->klass_shift);
}

int hsvm_symbol(const struct hsvm *vm, uint64_t sym, struct strbuf *out)
{
	uint16_t len;
	if (!sym || hsvm_u16(vm, sym + hsvm_get(vm, HS_SYMBOL_LENGTH), &len) < 0)
		return -1;
	char buf[1024];
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (vm->read(vm->ctx, sym + hsvm_get(vm, HS_SYMBOL_BODY), buf, len) < 0)
		return -1;
	strbuf_add(out, buf, len);
	return 0;
}

int hsvm_klass_name(const struct hsvm *vm, uint64_t k, struct strbuf *out)
{
	size_t from = out->len;
	if (!k || hsvm_symbol(vm, hsvm_ptr(vm, k + hsvm_get(vm, HS_KLASS_NAME)), out) < 0)
		return -1;
	for (size_t i = from; i < out->len; i++) {
		if (out->buf[i] == '/')
			out->buf[i] = '.';
		/* a hidden class ("Foo$$Lambda$2+0x0000...") is printed "Foo$$Lambda$2/0x0000..." */
		else if (out->buf[i] == '+' && i + 2 < out->len && out->buf[i + 1] == '0' &&
			 out->buf[i + 2] == 'x')
			out->buf[i] = '/';
	}
	return 0;
}

/* ---- field metadata ---- */

#define JVM_ACC_STATIC 0x0008
#define MAX_FIELDS 4096

/* Whether constant pool CP's symbol at INDEX is NAME. */
static bool cp_symbol_is(const struct hsvm *vm, uint64_t cp, uint32_t index, const char *name,
			 struct strbuf *sb)
{
	strbuf_reset(sb);
	uint64_t sym = hsvm_ptr(vm, cp + hsvm_get(vm, HS_CP_SIZE) + (uint64_t)index * 8);
	return hsvm_symbol(vm, sym, sb) == 0 && !strcmp(sb->buf, name);
}

/* JDK 20 and before: Array<u2> of FieldInfo::field_slots shorts per field, Java fields first. */
static int64_t fields_u2(const struct hsvm *vm, uint64_t k, uint64_t cp, const char *name, struct strbuf *sb)
{
	uint64_t arr = hsvm_ptr(vm, k + hsvm_get(vm, HS_IK_FIELDS));
	uint16_t count;
	uint32_t len;
	if (!arr || hsvm_u16(vm, k + hsvm_get(vm, HS_IK_JAVA_FIELDS), &count) < 0 ||
	    hsvm_u32(vm, arr, &len) < 0)
		return -1;
	int64_t slots = hsvm_get_or(vm, HS_FI_SLOTS, 6), acc_at = hsvm_get_or(vm, HS_FI_ACCESS, 0),
		name_at = hsvm_get_or(vm, HS_FI_NAME, 1), low_at = hsvm_get_or(vm, HS_FI_LOW, 4),
		high_at = hsvm_get_or(vm, HS_FI_HIGH, 5), tag_size = hsvm_get_or(vm, HS_FI_TAG_SIZE, 2),
		tag_offset = hsvm_get_or(vm, HS_FI_TAG_OFFSET, 1), internal = hsvm_get_or(vm, HS_ACC_FIELD_INTERNAL, 0x400);
	int64_t at[] = { acc_at, name_at, low_at, high_at };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (at[i] < 0 || at[i] >= slots)
			return -1;
	if (slots < 6 || slots > 16 || tag_size < 0 || tag_size > 16 || count > MAX_FIELDS ||
	    (uint64_t)count * (uint64_t)slots > len)
		return -1;
	size_t n = (size_t)count * (size_t)slots;
	uint16_t *v = xmalloc(n ? n * 2 : 1);
	int64_t found = -1;
	if (vm->read(vm->ctx, arr + hsvm_get_or(vm, HS_ARRAY_U2_DATA, 4), v, n * 2) == 0) {
		for (size_t i = 0; i < count && found < 0; i++) {
			const uint16_t *f = v + i * (size_t)slots;
			uint16_t low = f[low_at];
			if (f[acc_at] & (JVM_ACC_STATIC | internal) || (low & 3) != tag_offset)
				continue;
			if (cp_symbol_is(vm, cp, f[name_at], name, sb))
				found = (int64_t)((((uint32_t)f[high_at] << 16) | low) >> tag_size);
		}
	}
	free(v);
	return found;
}

/* The mask of FieldInfo::FieldFlags bit I (its position DEF when the tables do not say). */
static uint32_t flag_bit(const struct hsvm *vm, enum hsvm_item i, int64_t def)
{
	return 1u << (hsvm_get_or(vm, i, def) & 31);
}

/*
 * JDK 21+: the UNSIGNED5 stream "java_fields injected_fields Field*", each
 * Field "name signature offset access flags" and one more item for each of
 * the initializer, generic signature and contention group flags.
 */
static int64_t fields_stream(const struct hsvm *vm, uint64_t k, uint64_t cp, const char *name,
			     struct strbuf *sb)
{
	uint64_t arr = hsvm_ptr(vm, k + hsvm_get(vm, HS_IK_FIELDINFO_STREAM));
	uint32_t len;
	if (!arr || hsvm_u32(vm, arr, &len) < 0 || !len || len > MAX_FIELDS * 16)
		return -1;
	uint8_t *buf = xmalloc(len);
	int64_t found = -1;
	uint32_t optional = flag_bit(vm, HS_FF_INITIALIZED, 0) | flag_bit(vm, HS_FF_GENERIC, 2) |
			    flag_bit(vm, HS_FF_CONTENDED, 4);
	uint32_t injected = flag_bit(vm, HS_FF_INJECTED, 1);
	size_t pos = 0;
	uint32_t java, extra;
	if (vm->read(vm->ctx, arr + hsvm_get_or(vm, HS_ARRAY_U1_DATA, 4), buf, len) == 0 &&
	    hsvm_stream_uint(vm, buf, len, &pos, &java) == 0 && hsvm_stream_uint(vm, buf, len, &pos, &extra) == 0) {
		for (uint32_t i = 0; i < java && i < MAX_FIELDS && found < 0; i++) {
			uint32_t f[5], skip;
			size_t j = 0;
			while (j < 5 && hsvm_stream_uint(vm, buf, len, &pos, &f[j]) == 0)
				j++;
			if (j < 5)
				break;
			for (uint32_t opt = f[4] & optional; opt; opt &= opt - 1)
				if (hsvm_stream_uint(vm, buf, len, &pos, &skip) < 0)
					break;
			if (f[3] & JVM_ACC_STATIC || f[4] & injected)
				continue;
			if (cp_symbol_is(vm, cp, f[0], name, sb))
				found = f[2];
		}
	}
	free(buf);
	return found;
}

int64_t hsvm_field_offset(const struct hsvm *vm, uint64_t k, const char *name)
{
	if (!k || !hsvm_has(vm, HS_IK_CONSTANTS))
		return -1;
	uint64_t cp = hsvm_ptr(vm, k + hsvm_get(vm, HS_IK_CONSTANTS));
	if (!cp)
		return -1;
	struct strbuf sb = STRBUF_INIT;
	int64_t off = -1;
	if (hsvm_has(vm, HS_IK_FIELDINFO_STREAM))
		off = fields_stream(vm, k, cp, name, &sb);
	else if (hsvm_has(vm, HS_IK_FIELDS) && hsvm_has(vm, HS_IK_JAVA_FIELDS))
		off = fields_u2(vm, k, cp, name, &sb);
	strbuf_release(&sb);
	return off > 0 && off < (1 << 20) ? off : -1;
}

static void add_utf8(struct strbuf *out, uint32_t c)
{
	if (c < 0x80) {
		strbuf_addch(out, (char)c);
	} else if (c < 0x800) {
		strbuf_addch(out, (char)(0xc0 | c >> 6));
		strbuf_addch(out, (char)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(out, (char)(0xe0 | c >> 12));
		strbuf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | (c & 0x3f)));
	}
}

int hsvm_string(const struct hsvm *vm, uint64_t str, int64_t value_off, int64_t coder_off,
		struct strbuf *out)
{
	uint64_t arr = hsvm_oop_field(vm, str, (uint64_t)value_off);
	uint8_t coder = 0;
	if (!arr || (coder_off >= 0 && hsvm_u8(vm, str + (uint64_t)coder_off, &coder) < 0))
		return -1;
	/* a byte[]: header, then the length (an int), then the bytes */
	uint64_t len_off = vm->compact_headers ? 8 : vm->compressed_klass ? 12 : 16;
	uint32_t len;
	if (hsvm_u32(vm, arr + len_off, &len) < 0 || len > (1u << 20))
		return -1;
	uint64_t data = arr + len_off + 4;
	unsigned char buf[512];
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (vm->read(vm->ctx, data, buf, len) < 0)
		return -1;
	if (coder == 0) {
		for (uint32_t i = 0; i < len; i++)
			add_utf8(out, buf[i]);
	} else {
		for (uint32_t i = 0; i + 1 < len; i += 2)
			add_utf8(out, (uint32_t)(buf[i] | buf[i + 1] << 8));
	}
	return 0;
}

/* ---- compressed streams ---- */

int hsvm_stream_uint(const struct hsvm *vm, const uint8_t *buf, size_t len, size_t *pos,
		     uint32_t *out)
{
	/* UNSIGNED5 (Pack200): lg_H = 6; X = 1 excluded byte since JDK 21 (L = 191), 0 before (L = 192) */
	const uint32_t X = vm->major >= 21 ? 1 : 0, L = 256 - X - 64;
	size_t p = *pos;
	if (p >= len)
		return -1;
	uint32_t b = buf[p++];
	if (b < X)
		return -1;
	uint32_t sum = b - X;
	if (sum < L) {
		*pos = p;
		*out = sum;
		return 0;
	}
	int shift = 6;
	for (int i = 1; i < 5; i++, shift += 6) {
		if (p >= len)
			return -1;
		b = buf[p++];
		if (b < X)
			return -1;
		sum += (b - X) << shift;
		if (b < X + L || i == 4)
			break;
	}
	*pos = p;
	*out = sum;
	return 0;
}

int hsvm_stream_sint(const struct hsvm *vm, const uint8_t *buf, size_t len, size_t *pos,
		     int32_t *out)
{
	uint32_t u;
	if (hsvm_stream_uint(vm, buf, len, pos, &u) < 0)
		return -1;
	*out = (int32_t)((u >> 1) ^ -(u & 1));
	return 0;
}

/* ---- the tables ---- */

struct layout {
	uint64_t base, stride, off[6];
};

static int read_layout(const struct hsvm *vm, int (*sym)(void *, const char *, uint64_t *),
		       void *sctx, const char *table, const char *const *names, size_t n,
		       struct layout *out, struct strbuf *err)
{
	char name[96];
	uint64_t a;
	snprintf(name, sizeof(name), "gHotSpotVM%s", table);
	if (sym(sctx, name, &a) < 0 || hsvm_u64(vm, a, &out->base) < 0 || !out->base)
		return error_set(err, "%s not found or unreadable", name);
	for (size_t i = 0; i <= n; i++) {
		/* "Structs" -> "StructEntry", "Types" -> "TypeEntry", "IntConstants" -> "IntConstantEntry" */
		char stem[48];
		snprintf(stem, sizeof(stem), "%.*s", (int)strlen(table) - 1, table);
		snprintf(name, sizeof(name), "gHotSpotVM%sEntry%s", stem, i < n ? names[i] : "ArrayStride");
		uint64_t v;
		if (sym(sctx, name, &a) < 0 || hsvm_u64(vm, a, &v) < 0)
			return error_set(err, "%s not found or unreadable", name);
		if (i < n)
			out->off[i] = v;
		else
			out->stride = v;
	}
	if (!out->stride || out->stride > 4096)
		return error_set(err, "gHotSpotVM%s: implausible entry size %llu", table,
				 (unsigned long long)out->stride);
	return 0;
}

/* wanted "Type::field" (or constant name) -> item index + 1 */
static void want_map(struct hashmap *m, char (*keys)[2][128])
{
	for (size_t i = 0; i < HS_ITEM_COUNT; i++) {
		const struct item_def *d = &items[i];
		if (d->field)
			snprintf(keys[i][0], 128, "%s::%s", d->type, d->field);
		else
			snprintf(keys[i][0], 128, "%s", d->type);
		hashmap_put(m, keys[i][0], (void *)(uintptr_t)(i + 1));
		if (d->alt) {
			snprintf(keys[i][1], 128, "%s", d->alt);
			hashmap_put(m, keys[i][1], (void *)(uintptr_t)(i + 1));
		}
	}
}

static void found(struct hsvm *vm, const struct hashmap *m, const char *key, enum hsvm_kind kind,
		  uint64_t value)
{
	uintptr_t k = (uintptr_t)hashmap_get(m, key);
	if (!k || items[k - 1].kind != kind || vm->have[k - 1])
		return;
	vm->val[k - 1] = value;
	vm->have[k - 1] = true;
}

#define MAX_ENTRIES 100000

static int read_structs(struct hsvm *vm, const struct layout *l, const struct hashmap *m)
{
	/* TypeName FieldName TypeString IsStatic Offset Address */
	struct strbuf key = STRBUF_INIT;
	size_t n = 0;
	for (uint64_t e = l->base; n < MAX_ENTRIES; e += l->stride, n++) {
		uint64_t tn = hsvm_ptr(vm, e + l->off[0]), fn = hsvm_ptr(vm, e + l->off[1]);
		if (!tn || !fn)
			break;
		strbuf_reset(&key);
		if (hsvm_cstr(vm, tn, 100, &key) < 0)
			continue;
		strbuf_adds(&key, "::");
		if (hsvm_cstr(vm, fn, 100, &key) < 0)
			continue;
		uint32_t is_static = 0;
		hsvm_u32(vm, e + l->off[3], &is_static);
		if (is_static)
			found(vm, m, key.buf, HSK_ADDR, hsvm_ptr(vm, e + l->off[5]));
		else
			found(vm, m, key.buf, HSK_OFF, hsvm_ptr(vm, e + l->off[4]));
	}
	strbuf_release(&key);
	return n ? 0 : -1;
}

static int read_named(struct hsvm *vm, const struct layout *l, const struct hashmap *m,
		      enum hsvm_kind kind)
{
	/* TypeName (or Name) at off[0], the value (size, int or long) at off[1] */
	struct strbuf key = STRBUF_INIT;
	size_t n = 0;
	for (uint64_t e = l->base; n < MAX_ENTRIES; e += l->stride, n++) {
		uint64_t name = hsvm_ptr(vm, e + l->off[0]);
		if (!name)
			break;
		strbuf_reset(&key);
		if (hsvm_cstr(vm, name, 120, &key) < 0)
			continue;
		uint64_t v = 0;
		if (kind == HSK_INT) {
			uint32_t i32;
			if (hsvm_u32(vm, e + l->off[1], &i32) == 0)
				v = (uint64_t)(int64_t)(int32_t)i32;
		} else {
			hsvm_u64(vm, e + l->off[1], &v);
		}
		found(vm, m, key.buf, kind, v);
	}
	strbuf_release(&key);
	return n ? 0 : -1;
}

static int check_required(const struct hsvm *vm, struct strbuf *err)
{
	for (size_t i = 0; i < HS_ITEM_COUNT; i++)
		if (items[i].required && !vm->have[i])
			return error_set(err, "HotSpot layout not known: %s%s%s missing from its tables",
					 items[i].type, items[i].field ? "::" : "",
					 items[i].field ? items[i].field : "");
	return 0;
}

/* A boolean -XX flag's value from the JVMFlag table; DEF when not found. */
static bool read_flag(const struct hsvm *vm, const char *name, bool def)
{
	uint64_t flags = hsvm_ptr(vm, hsvm_get(vm, HS_FLAGS)), n = hsvm_ptr(vm, hsvm_get(vm, HS_NUM_FLAGS));
	uint64_t size = hsvm_get(vm, HS_FLAG_SIZE);
	struct strbuf sb = STRBUF_INIT;
	bool v = def;
	for (uint64_t i = 0; flags && i < n && i < 10000; i++) {
		uint64_t f = flags + i * size;
		strbuf_reset(&sb);
		if (hsvm_cstr(vm, hsvm_ptr(vm, f + hsvm_get(vm, HS_FLAG_NAME)), 80, &sb) < 0 ||
		    strcmp(sb.buf, name))
			continue;
		uint8_t b;
		if (hsvm_u8(vm, hsvm_ptr(vm, f + hsvm_get(vm, HS_FLAG_ADDR)), &b) == 0)
			v = b != 0;
		break;
	}
	strbuf_release(&sb);
	return v;
}

static void read_globals(struct hsvm *vm)
{
	uint32_t major = 0, shift = 0;
	hsvm_u32(vm, hsvm_get(vm, HS_VM_MAJOR), &major);
	vm->major = (int)major;
	struct strbuf sb = STRBUF_INIT;
	if (hsvm_cstr(vm, hsvm_ptr(vm, hsvm_get(vm, HS_VM_RELEASE)), 100, &sb) == 0 && sb.len)
		vm->release = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	vm->oop_base = hsvm_ptr(vm, hsvm_get(vm, HS_NARROW_OOP_BASE));
	hsvm_u32(vm, hsvm_get(vm, HS_NARROW_OOP_SHIFT), &shift);
	vm->oop_shift = (int)(shift & 63);
	vm->klass_base = hsvm_ptr(vm, hsvm_get(vm, HS_NARROW_KLASS_BASE));
	shift = 0;
	hsvm_u32(vm, hsvm_get(vm, HS_NARROW_KLASS_SHIFT), &shift);
	vm->klass_shift = (int)(shift & 63);
	vm->compressed_oops = read_flag(vm, "UseCompressedOops", true);
	vm->compressed_klass = read_flag(vm, "UseCompressedClassPointers", true);
	vm->compact_headers = read_flag(vm, "UseCompactObjectHeaders", false);
}

int hsvm_open(struct hsvm *vm, hsvm_read_fn *read, void *ctx,
	      int (*sym)(void *sctx, const char *name, uint64_t *addr), void *sctx,
	      struct strbuf *err)
{
	memset(vm, 0, sizeof(*vm));
	vm->read = read;
	vm->ctx = ctx;
	static const char *const s_names[] = { "TypeNameOffset", "FieldNameOffset", "TypeStringOffset",
					       "IsStaticOffset", "OffsetOffset", "AddressOffset" };
	static const char *const t_names[] = { "TypeNameOffset", "SizeOffset" };
	static const char *const c_names[] = { "NameOffset", "ValueOffset" };
	struct layout ls, lt, li, ll;
	if (read_layout(vm, sym, sctx, "Structs", s_names, 6, &ls, err) < 0 ||
	    read_layout(vm, sym, sctx, "Types", t_names, 2, &lt, err) < 0 ||
	    read_layout(vm, sym, sctx, "IntConstants", c_names, 2, &li, err) < 0 ||
	    read_layout(vm, sym, sctx, "LongConstants", c_names, 2, &ll, err) < 0)
		return -1;
	struct hashmap m = HASHMAP_INIT;
	char (*keys)[2][128] = xcalloc(HS_ITEM_COUNT, sizeof(*keys));
	want_map(&m, keys);
	int rc = 0;
	if (read_structs(vm, &ls, &m) < 0 || read_named(vm, &lt, &m, HSK_SIZE) < 0 ||
	    read_named(vm, &li, &m, HSK_INT) < 0 || read_named(vm, &ll, &m, HSK_LONG) < 0)
		rc = error_set(err, "HotSpot's type tables are unreadable");
	hashmap_clear(&m);
	free(keys);
	if (rc < 0 || check_required(vm, err) < 0)
		return -1;
	if (!hsvm_has(vm, HS_BLOB_CODE_BEGIN) && !hsvm_has(vm, HS_BLOB_CODE_OFFSET))
		return error_set(err, "HotSpot layout not known: no CodeBlob code begin");
	read_globals(vm);
	return 0;
}

void hsvm_release(struct hsvm *vm)
{
	free((char *)vm->release);
	vm->release = NULL;
}
