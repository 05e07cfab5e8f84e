#include "parsers/native/hsframes.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/xalloc.h"

#define WORD 8
/* x86-64 interpreter frame slots, in words from fp (frame_x86.hpp) */
#define INTERP_METHOD_SLOT (-3)
#define INTERP_BCP_SLOT (-8)
#define JVM_ACC_NATIVE 0x0100
#define SERIALIZED_NULL 0
#define MAX_SCOPES 64
#define MAX_PCDESCS (1 << 16)

/* ---- the code cache ---- */

int hscode_init(struct hscode *c, const struct hsvm *vm, struct dump *d, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->d = d;
	c->low = hsvm_ptr(vm, hsvm_get(vm, HS_CODE_LOW));
	c->high = hsvm_ptr(vm, hsvm_get(vm, HS_CODE_HIGH));
	c->call_stub_return = hsvm_ptr(vm, hsvm_get(vm, HS_CALL_STUB_RETURN));
	uint64_t ga = hsvm_ptr(vm, hsvm_get(vm, HS_CODE_HEAPS));
	uint32_t len = 0;
	if (!ga || hsvm_u32(vm, ga + hsvm_get(vm, HS_GA_LEN), &len) < 0)
		return error_set(err, "CodeCache::_heaps is unreadable");
	uint64_t data = hsvm_ptr(vm, ga + hsvm_get(vm, HS_GA_DATA));
	for (uint32_t i = 0; i < len && c->nheaps < sizeof(c->heaps) / sizeof(c->heaps[0]); i++) {
		uint64_t h = hsvm_ptr(vm, data + (uint64_t)i * WORD);
		uint32_t log2 = 0;
		if (!h || hsvm_u32(vm, h + hsvm_get(vm, HS_HEAP_LOG2_SEG), &log2) < 0 || log2 > 20)
			continue;
		struct hsheap *hp = &c->heaps[c->nheaps];
		uint64_t mem = h + hsvm_get(vm, HS_HEAP_MEMORY), seg = h + hsvm_get(vm, HS_HEAP_SEGMAP);
		hp->low = hsvm_ptr(vm, mem + hsvm_get(vm, HS_VS_LOW_BOUNDARY));
		hp->high = hsvm_ptr(vm, mem + hsvm_get(vm, HS_VS_HIGH));
		hp->segmap = hsvm_ptr(vm, seg + hsvm_get(vm, HS_VS_LOW_BOUNDARY));
		hp->log2_seg = log2;
		if (hp->low && hp->high > hp->low && hp->segmap)
			c->nheaps++;
	}
	if (!c->nheaps)
		return error_set(err, "no readable code heap in CodeCache::_heaps");
	return 0;
}

void hscode_release(struct hscode *c)
{
	hashmap_clear(&c->names);
}

bool hscode_contains(const struct hscode *c, uint64_t pc)
{
	for (size_t i = 0; i < c->nheaps; i++)
		if (pc >= c->heaps[i].low && pc < c->heaps[i].high)
			return true;
	return false;
}

/* The start of the blob holding PC (CodeHeap::find_start), or 0. */
static uint64_t blob_at(const struct hscode *c, uint64_t pc)
{
	const struct hsvm *vm = c->vm;
	for (size_t i = 0; i < c->nheaps; i++) {
		const struct hsheap *h = &c->heaps[i];
		if (pc < h->low || pc >= h->high)
			continue;
		uint64_t seg = (pc - h->low) >> h->log2_seg;
		uint8_t b;
		if (hsvm_u8(vm, h->segmap + seg, &b) < 0 || b == 0xff)
			return 0;
		for (int k = 0; b && k < 1 << 16; k++) {
			if (b > seg)
				return 0;
			seg -= b;
			if (hsvm_u8(vm, h->segmap + seg, &b) < 0)
				return 0;
		}
		uint64_t block = h->low + (seg << h->log2_seg);
		uint8_t used;
		if (hsvm_u8(vm, block + hsvm_get(vm, HS_HEAPBLOCK_USED), &used) < 0 || !used)
			return 0;
		return block + hsvm_get(vm, HS_HEAPBLOCK_SIZE);
	}
	return 0;
}

struct blob {
	uint64_t addr, code_begin;
	int32_t frame_size;       /* words */
	bool nmethod, interpreter;
	const char *name;         /* interned */
};

static int blob_read(struct hscode *c, uint64_t pc, struct blob *b)
{
	const struct hsvm *vm = c->vm;
	memset(b, 0, sizeof(*b));
	b->addr = blob_at(c, pc);
	if (!b->addr)
		return -1;
	struct strbuf sb = STRBUF_INIT;
	if (hsvm_cstr(vm, hsvm_ptr(vm, b->addr + hsvm_get(vm, HS_BLOB_NAME)), 120, &sb) < 0 ||
	    hsvm_u32(vm, b->addr + hsvm_get(vm, HS_BLOB_FRAME_SIZE), (uint32_t *)&b->frame_size) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	b->name = dump_intern(c->d, sb.buf, sb.len);
	strbuf_release(&sb);
	b->nmethod = !strcmp(b->name, "nmethod");
	b->interpreter = !strcmp(b->name, "Interpreter");
	if (hsvm_has(vm, HS_BLOB_CODE_BEGIN)) {
		b->code_begin = hsvm_ptr(vm, b->addr + hsvm_get(vm, HS_BLOB_CODE_BEGIN));
	} else {
		uint32_t off = 0;
		hsvm_u32(vm, b->addr + hsvm_get(vm, HS_BLOB_CODE_OFFSET), &off);
		b->code_begin = b->addr + off;
	}
	return 0;
}

/* ---- methods ---- */

static uint64_t cp_symbol(const struct hsvm *vm, uint64_t cp, uint16_t index)
{
	return hsvm_ptr(vm, cp + hsvm_get(vm, HS_CP_SIZE) + (uint64_t)index * WORD);
}

static const struct hsname *method_read(struct hscode *c, uint64_t m)
{
	const struct hsvm *vm = c->vm;
	uint64_t cm = hsvm_ptr(vm, m + hsvm_get(vm, HS_METHOD_CONSTMETHOD));
	uint64_t cp = hsvm_ptr(vm, cm + hsvm_get(vm, HS_CM_CONSTANTS));
	uint64_t holder = hsvm_ptr(vm, cp + hsvm_get(vm, HS_CP_HOLDER));
	uint16_t name_index;
	if (!cm || !cp || !holder || hsvm_u16(vm, cm + hsvm_get(vm, HS_CM_NAME_INDEX), &name_index) < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	if (hsvm_klass_name(vm, holder, &sb) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	strbuf_addch(&sb, '.');
	if (hsvm_symbol(vm, cp_symbol(vm, cp, name_index), &sb) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	struct hsname *n = arena_alloc(c->d->arena, sizeof(*n));
	n->function = dump_intern(c->d, sb.buf, sb.len);
	uint16_t sf = 0;
	strbuf_reset(&sb);
	if (hsvm_has(vm, HS_CP_SOURCE_FILE) && hsvm_u16(vm, cp + hsvm_get(vm, HS_CP_SOURCE_FILE), &sf) == 0 &&
	    sf && hsvm_symbol(vm, cp_symbol(vm, cp, sf), &sb) == 0 && sb.len)
		n->file = dump_intern(c->d, sb.buf, sb.len);
	uint32_t access = 0;
	if (hsvm_get(vm, HS_ACCESS_FLAGS_SIZE) == 2) {
		uint16_t a16 = 0;
		hsvm_u16(vm, m + hsvm_get(vm, HS_METHOD_ACCESS), &a16);
		access = a16;
	} else {
		hsvm_u32(vm, m + hsvm_get(vm, HS_METHOD_ACCESS), &access);
	}
	n->native = access & JVM_ACC_NATIVE;
	strbuf_release(&sb);
	return n;
}

const struct hsname *hsframes_method(struct hscode *c, uint64_t m)
{
	size_t v;
	if (!m)
		return NULL;
	if (hashmap_get_ptr(&c->names, (const void *)(uintptr_t)m, &v))
		return (const struct hsname *)v;
	const struct hsname *n = method_read(c, m);
	hashmap_put_ptr(&c->names, (const void *)(uintptr_t)m, (size_t)n);
	return n;
}

int hsframes_line(struct hscode *c, uint64_t m, int bci)
{
	const struct hsvm *vm = c->vm;
	uint64_t cm = hsvm_ptr(vm, m + hsvm_get(vm, HS_METHOD_CONSTMETHOD));
	uint32_t flags = 0;
	uint16_t code_size;
	if (bci < 0 || !cm || hsvm_u32(vm, cm + hsvm_get(vm, HS_CM_FLAGS), &flags) < 0 ||
	    hsvm_u16(vm, cm + hsvm_get(vm, HS_CM_CODE_SIZE), &code_size) < 0)
		return 0;
	if (vm->major < 21)
		flags &= 0xffff; /* a u2 before ConstMethodFlags */
	if (!(flags & hsvm_get(vm, HS_CM_HAS_LINES)))
		return 0;
	uint64_t table = cm + hsvm_get(vm, HS_CM_SIZE) + code_size;
	uint8_t buf[4096];
	size_t len = sizeof(buf);
	/* the table is short; read what is readable of the next 4 KB */
	while (len >= 64 && vm->read(vm->ctx, table, buf, len) < 0)
		len /= 2;
	if (len < 64)
		return 0;
	int cur_bci = 0, cur_line = 0, best_bci = 0, best_line = 0;
	size_t pos = 0;
	while (pos < len) {
		uint8_t b = buf[pos++];
		if (!b)
			break;
		if (b == 0xff) {
			int32_t db, dl;
			if (hsvm_stream_sint(vm, buf, len, &pos, &db) < 0 ||
			    hsvm_stream_sint(vm, buf, len, &pos, &dl) < 0)
				break;
			cur_bci += db;
			cur_line += dl;
		} else {
			cur_bci += b >> 3;
			cur_line += b & 7;
		}
		if (cur_bci == bci)
			return cur_line;
		if (cur_bci < bci && cur_bci >= best_bci) {
			best_bci = cur_bci;
			best_line = cur_line;
		}
	}
	return best_line;
}

/* ---- frames ---- */

static void add(struct hsframes *out, const struct hsframe *f)
{
	if (out->n == out->alloc) {
		out->alloc = out->alloc ? 2 * out->alloc : 32;
		out->v = xrealloc(out->v, out->alloc * sizeof(*out->v));
	}
	out->v[out->n++] = *f;
}

void hsframes_release(struct hsframes *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->alloc = 0;
}

static bool interpreted(struct hscode *c, struct hsstart s, struct hsframes *out)
{
	const struct hsvm *vm = c->vm;
	uint64_t m = hsvm_ptr(vm, s.fp + INTERP_METHOD_SLOT * WORD);
	uint64_t bcp = hsvm_ptr(vm, s.fp + INTERP_BCP_SLOT * WORD);
	if (!s.fp || !hsframes_method(c, m))
		return false;
	uint64_t cm = hsvm_ptr(vm, m + hsvm_get(vm, HS_METHOD_CONSTMETHOD));
	uint64_t code = cm + hsvm_get(vm, HS_CM_SIZE);
	uint16_t code_size = 0;
	hsvm_u16(vm, cm + hsvm_get(vm, HS_CM_CODE_SIZE), &code_size);
	int bci = bcp >= code && bcp < code + code_size ? (int)(bcp - code) : -1;
	add(out, &(struct hsframe){ .pc = s.pc, .sp = s.sp, .method = m, .bci = bci,
				    .kind = FRAME_INTERPRETED });
	return true;
}

struct nm_tables {
	uint64_t pcs_begin, pcs_end, scopes, metadata;
};

static void nm_tables(const struct hsvm *vm, uint64_t nm, struct nm_tables *t)
{
	uint32_t pcs = 0, end = 0, meta = 0;
	hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_SCOPES_PCS_OFFSET), &pcs);
	if (hsvm_has(vm, HS_NM_IMMUTABLE_DATA)) {
		/* JDK 23+: pcs and scopes in the immutable data, metadata after the relocations */
		uint64_t imm = hsvm_ptr(vm, nm + hsvm_get(vm, HS_NM_IMMUTABLE_DATA));
		hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_SCOPES_DATA_OFFSET), &end);
		hsvm_u32(vm, nm + hsvm_get(vm, HS_BLOB_RELOC_SIZE), &meta);
		t->pcs_begin = imm + pcs;
		t->pcs_end = imm + end;
		t->scopes = imm + end;
		t->metadata = hsvm_ptr(vm, nm + hsvm_get(vm, HS_BLOB_MUTABLE_DATA)) + meta;
	} else {
		hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_DEPENDENCIES_OFFSET), &end);
		hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_METADATA_OFFSET), &meta);
		t->pcs_begin = nm + pcs;
		t->pcs_end = nm + end;
		t->scopes = hsvm_ptr(vm, nm + hsvm_get(vm, HS_NM_SCOPES_DATA_BEGIN));
		t->metadata = nm + meta;
	}
}

/*
 * The scope decode offset of the PcDesc at PC (a return address, a safepoint
 * or an implicit check has one), or -1. A top frame stopped elsewhere (a
 * fault in inlined code) has none: the nearest PcDesc before or after it
 * may belong to another inlined method, so the frame keeps the nmethod's
 * own method, without a line, as hs_err names it.
 */
static int64_t pcdesc_scope(const struct hsvm *vm, const struct nm_tables *t, int64_t pc_off)
{
	uint64_t size = hsvm_get(vm, HS_PCDESC_SIZE);
	if (!size || t->pcs_end <= t->pcs_begin || (t->pcs_end - t->pcs_begin) / size > MAX_PCDESCS)
		return -1;
	size_t n = (size_t)((t->pcs_end - t->pcs_begin) / size);
	unsigned char *buf = xmalloc(n * size);
	int64_t best = -1;
	if (vm->read(vm->ctx, t->pcs_begin, buf, n * size) == 0) {
		for (size_t i = 0; i < n; i++) {
			int32_t off, scope;
			memcpy(&off, buf + i * size + hsvm_get(vm, HS_PCDESC_PC), 4);
			memcpy(&scope, buf + i * size + hsvm_get(vm, HS_PCDESC_SCOPE), 4);
			if (off == pc_off) {
				best = scope;
				break;
			}
		}
	}
	free(buf);
	return best;
}

static void compiled(struct hscode *c, const struct blob *b, struct hsstart s, struct hsframes *out)
{
	const struct hsvm *vm = c->vm;
	uint64_t method = hsvm_ptr(vm, b->addr + hsvm_get(vm, HS_NM_METHOD));
	struct hsframe f = { .pc = s.pc, .sp = s.sp, .method = method, .bci = -1, .kind = FRAME_JIT };
	const struct hsname *name = hsframes_method(c, method);
	struct nm_tables t;
	nm_tables(vm, b->addr, &t);
	int64_t scope = name && !name->native ? pcdesc_scope(vm, &t, (int64_t)(s.pc - b->code_begin)) : -1;
	size_t before = out->n;
	for (int depth = 0; scope > SERIALIZED_NULL && depth < MAX_SCOPES; depth++) {
		uint8_t buf[20];
		size_t len = sizeof(buf), pos = 0;
		while (len && vm->read(vm->ctx, t.scopes + (uint64_t)scope, buf, len) < 0)
			len--;
		uint32_t sender, index, bci;
		if (hsvm_stream_uint(vm, buf, len, &pos, &sender) < 0 ||
		    hsvm_stream_uint(vm, buf, len, &pos, &index) < 0 ||
		    hsvm_stream_uint(vm, buf, len, &pos, &bci) < 0 || !index)
			break;
		f.method = hsvm_ptr(vm, t.metadata + (uint64_t)(index - 1) * WORD);
		f.bci = (int)bci - 1; /* InvocationEntryBci is -1 */
		if (!hsframes_method(c, f.method))
			break;
		add(out, &f);
		scope = sender;
	}
	if (out->n == before && name) {
		f.method = method;
		f.bci = -1;
		add(out, &f);
	}
}

static void stub(struct hsstart s, const struct blob *b, struct hsframes *out)
{
	add(out, &(struct hsframe){ .pc = s.pc, .sp = s.sp, .bci = -1, .kind = FRAME_STUB,
				    .stub = b->name });
}

/* The sender of a frame of FRAME_SIZE words at S (compiled code and stubs). */
static struct hsstart sender_sized(const struct hsvm *vm, struct hsstart s, int32_t frame_size)
{
	uint64_t sp = s.sp + (uint64_t)frame_size * WORD;
	return (struct hsstart){ .sp = sp, .pc = hsvm_ptr(vm, sp - WORD), .fp = hsvm_ptr(vm, sp - 2 * WORD) };
}

/* The sender of a frame that keeps the frame-pointer chain (interpreter, call stub). */
static struct hsstart sender_fp(const struct hsvm *vm, struct hsstart s)
{
	return (struct hsstart){ .sp = s.fp + 2 * WORD, .pc = hsvm_ptr(vm, s.fp + WORD),
				 .fp = hsvm_ptr(vm, s.fp) };
}

static void entry_frame(const struct hscode *c, struct hsstart s, uint64_t *entry_sp, struct hsstart *next)
{
	const struct hsvm *vm = c->vm;
	int64_t slot = (int64_t)hsvm_get(vm, HS_ENTRY_WRAPPER_OFFSET);
	uint64_t wrapper = hsvm_ptr(vm, s.fp + (uint64_t)(slot * WORD));
	*entry_sp = s.sp;
	if (!wrapper)
		return;
	uint64_t a = wrapper + hsvm_get(vm, HS_CALL_WRAPPER_ANCHOR);
	next->sp = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_SP));
	next->pc = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_PC));
	next->fp = hsvm_has(vm, HS_ANCHOR_FP) ? hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_FP)) : 0;
}

void hsframes_walk(struct hscode *c, struct hsstart s, size_t max, struct hsframes *out,
		   uint64_t *entry_sp, struct hsstart *next)
{
	const struct hsvm *vm = c->vm;
	*entry_sp = 0;
	memset(next, 0, sizeof(*next));
	if (!s.pc)
		s.pc = hsvm_ptr(vm, s.sp - WORD);
	for (size_t k = 0; k < max && s.sp && s.pc; k++) {
		if (s.pc == c->call_stub_return) {
			entry_frame(c, s, entry_sp, next);
			return;
		}
		struct blob b;
		if (blob_read(c, s.pc, &b) < 0)
			return;
		struct hsstart up;
		if (b.interpreter) {
			if (!interpreted(c, s, out))
				return;
			up = sender_fp(vm, s);
		} else if (b.nmethod) {
			compiled(c, &b, s, out);
			if (b.frame_size <= 0)
				return;
			up = sender_sized(vm, s, b.frame_size);
		} else {
			stub(s, &b, out);
			up = b.frame_size > 0 ? sender_sized(vm, s, b.frame_size) : sender_fp(vm, s);
		}
		if (up.sp <= s.sp)
			return; /* stacks grow down: the caller is above */
		s = up;
	}
}
