#include "parsers/native/hsframes.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/xalloc.h"

#define WORD 8
/* x86-64 interpreter frame slots, in words from fp (frame_x86.hpp) */
#define INTERP_SENDER_SP_SLOT (-1)
#define INTERP_METHOD_SLOT (-3)
#define INTERP_BCP_SLOT (-8)
#define INTERP_MONITOR_BLOCK_SLOT (-9) /* initial sp: the monitor block's bottom, holding its top */
#define MAX_MONITORS 256
#define VMREG_RBP 10 /* x86-64 VMRegs count 32-bit halves: rbp (encoding 5) is 10 */
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
	ALLOC_GROW(out->v, out->n + 1, out->alloc);
	out->v[out->n++] = *f;
}

static void add_monitor(struct hsframes *out, uint64_t obj, bool unsure)
{
	if (!obj || !out->n)
		return;
	ALLOC_GROW(out->mon, out->nmon + 1, out->amon);
	out->mon[out->nmon++] = (struct hsmonitor){ .obj = obj, .frame = out->n - 1, .unsure = unsure };
}

void hsframes_release(struct hsframes *f)
{
	free(f->v);
	free(f->mon);
	memset(f, 0, sizeof(*f));
}

/*
 * The BasicObjectLocks of an interpreted frame lie below the monitor block
 * bottom (the initial-sp slot) down to the monitor block top that slot
 * holds: an address before JDK 22, an offset in words from fp after.
 */
static void interpreted_monitors(struct hscode *c, struct hsstart s, struct hsframes *out)
{
	const struct hsvm *vm = c->vm;
	uint64_t size = (uint64_t)hsvm_get_or(vm, HS_BOL_SIZE, 2 * WORD);
	uint64_t obj_off = (uint64_t)hsvm_get_or(vm, HS_BOL_OBJ, WORD);
	uint64_t bottom = s.fp + (uint64_t)(INTERP_MONITOR_BLOCK_SLOT * WORD);
	int64_t v = (int64_t)hsvm_ptr(vm, bottom);
	uint64_t top = v < 0 && v > -(1 << 20) ? s.fp + (uint64_t)(v * WORD) : (uint64_t)v;
	if (!size || top > bottom || bottom - top > MAX_MONITORS * size || (bottom - top) % size)
		return;
	for (uint64_t e = bottom; e > top; e -= size)
		add_monitor(out, hsvm_ptr(vm, e - size + obj_off), false);
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
	interpreted_monitors(c, s, out);
	return true;
}

struct nm_tables {
	uint64_t pcs_begin, pcs_end, scopes, metadata, oops;
};

static void nm_tables(const struct hsvm *vm, uint64_t nm, struct nm_tables *t)
{
	uint32_t pcs = 0, end = 0, meta = 0, oops = 0;
	hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_SCOPES_PCS_OFFSET), &pcs);
	/* the oops: after the constants before JDK 23, at the data section since */
	if (hsvm_has(vm, HS_NM_OOPS_OFFSET))
		hsvm_u32(vm, nm + hsvm_get(vm, HS_NM_OOPS_OFFSET), &oops);
	else if (hsvm_has(vm, HS_BLOB_DATA_OFFSET))
		hsvm_u32(vm, nm + hsvm_get(vm, HS_BLOB_DATA_OFFSET), &oops);
	t->oops = oops ? nm + oops : 0;
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
 * The scopes of the PcDescs about a pc: the one at it (a return address, a
 * safepoint or an implicit check has one), else the nearest before and
 * after it (a top frame stopped elsewhere: a fault in inlined code, a
 * thread caught running a compiled loop). -1 where there is none.
 */
struct pcscopes {
	int64_t exact, before, after;
};

static void pcdesc_scopes(const struct hsvm *vm, const struct nm_tables *t, int64_t pc_off,
			  struct pcscopes *out)
{
	uint64_t size = hsvm_get(vm, HS_PCDESC_SIZE);
	*out = (struct pcscopes){ -1, -1, -1 };
	if (!size || t->pcs_end <= t->pcs_begin || (t->pcs_end - t->pcs_begin) / size > MAX_PCDESCS)
		return;
	size_t n = (size_t)((t->pcs_end - t->pcs_begin) / size);
	unsigned char *buf = xmalloc(n * size);
	int64_t before_off = INT64_MIN, after_off = INT64_MAX;
	if (vm->read(vm->ctx, t->pcs_begin, buf, n * size) == 0) {
		for (size_t i = 0; i < n; i++) {
			int32_t off, scope;
			memcpy(&off, buf + i * size + hsvm_get(vm, HS_PCDESC_PC), 4);
			memcpy(&scope, buf + i * size + hsvm_get(vm, HS_PCDESC_SCOPE), 4);
			if (off == pc_off) {
				out->exact = scope;
				break;
			}
			if (off < pc_off && off > before_off) {
				out->before = scope;
				before_off = off;
			} else if (off > pc_off && off < after_off) {
				out->after = scope;
				after_off = off;
			}
		}
	}
	free(buf);
}

/* A ScopeDesc's header: sender, method, bci, and where its values are. */
struct scope {
	uint32_t sender, method_index, bci, locals, expressions, monitors;
};

/* Reads up to LEN bytes at ADDR, fewer when the end is unreadable; how many were read. */
static size_t read_upto(const struct hsvm *vm, uint64_t addr, uint8_t *buf, size_t len)
{
	while (len && vm->read(vm->ctx, addr, buf, len) < 0)
		len = len > 16 ? len / 2 : len - 1;
	return len;
}

static int scope_read(const struct hsvm *vm, const struct nm_tables *t, int64_t at, struct scope *sc)
{
	uint8_t buf[32];
	size_t len = read_upto(vm, t->scopes + (uint64_t)at, buf, sizeof(buf)), pos = 0;
	uint32_t *v[] = { &sc->sender, &sc->method_index, &sc->bci, &sc->locals, &sc->expressions,
			  &sc->monitors };
	memset(sc, 0, sizeof(*sc));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (hsvm_stream_uint(vm, buf, len, &pos, v[i]) < 0)
			return i >= 3 ? 0 : -1; /* the value offsets are only needed for the monitors */
	return 0;
}

/* ScopeValue codes (debugInfo.cpp) */
enum { SV_LOCATION, SV_INT, SV_OOP, SV_LONG, SV_DOUBLE, SV_OBJECT, SV_OBJECT_ID, SV_AUTOBOX, SV_MARKER };

/*
 * The value of register VMREG (x86-64 VMRegs count 32-bit halves: the
 * register's encoding times two) in the compiled frame S: rbp, the one
 * register a Java call preserves, is S.fp (the callee saved it); any
 * register of the frame where the thread was stopped is in S.regs.
 */
static bool frame_reg(struct hsstart s, uint32_t vmreg, uint64_t *v)
{
	/* user_regs_struct index by encoding: rax rcx rdx rbx rsp rbp rsi rdi r8 .. r15 */
	static const int8_t at[16] = { 10, 11, 12, 5, 19, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0 };
	if (vmreg & 1 || vmreg / 2 >= 16)
		return false;
	if (s.regs) {
		*v = s.regs[at[vmreg / 2]];
		return true;
	}
	*v = s.fp;
	return vmreg == VMREG_RBP && s.fp;
}

/*
 * The oop a Location names in the compiled frame S: a stack slot (4-byte
 * units from the frame's sp) or a register (frame_reg). 0 for anything
 * else.
 */
static uint64_t location_oop(const struct hsvm *vm, uint32_t loc, struct hsstart s)
{
	uint32_t type = (loc & (uint32_t)hsvm_get_or(vm, HS_LOC_TYPE_MASK, 15)) >>
			(hsvm_get_or(vm, HS_LOC_TYPE_SHIFT, 0) & 31);
	uint32_t where = (loc & (uint32_t)hsvm_get_or(vm, HS_LOC_WHERE_MASK, 16)) >>
			 (hsvm_get_or(vm, HS_LOC_WHERE_SHIFT, 4) & 31);
	uint32_t offset = loc >> (hsvm_get_or(vm, HS_LOC_OFFSET_SHIFT, 5) & 31);
	bool narrow = type == (uint32_t)hsvm_get_or(vm, HS_LOC_NARROWOOP, 9);
	if (!narrow && type != (uint32_t)hsvm_get_or(vm, HS_LOC_OOP, 2))
		return 0;
	uint64_t v;
	if (where == (uint32_t)hsvm_get_or(vm, HS_LOC_ON_STACK, 0)) {
		uint64_t at = s.sp + (uint64_t)offset * 4;
		uint32_t n;
		if (!narrow)
			return hsvm_ptr(vm, at);
		v = hsvm_u32(vm, at, &n) == 0 ? n : 0;
	} else if (frame_reg(s, offset, &v)) {
		if (!narrow)
			return v;
		v = (uint32_t)v;
	} else {
		return 0;
	}
	return v && vm->compressed_oops ? vm->oop_base + (v << vm->oop_shift) : 0;
}

/*
 * The monitor values of a scope (a count, then per monitor the BasicLock's
 * Location, the owner's ScopeValue and an eliminated byte): the owners that
 * are real objects locked here, in the frame S (location_oop) or
 * constants of the nmethod. Scalar-replaced owners and eliminated locks
 * (jstack's "eliminated") are left out; an owner of another kind, which
 * the monitor list never holds, ends it.
 */
static void scope_monitors(struct hscode *c, const struct nm_tables *t, uint32_t at, struct hsstart s,
			   bool unsure, struct hsframes *out)
{
	const struct hsvm *vm = c->vm;
	uint8_t buf[512];
	size_t len = read_upto(vm, t->scopes + at, buf, sizeof(buf)), pos = 0;
	uint32_t count, loc, code, v;
	if (hsvm_stream_uint(vm, buf, len, &pos, &count) < 0)
		return;
	for (uint32_t i = 0; i < count && i < MAX_MONITORS; i++) {
		uint64_t obj = 0;
		if (hsvm_stream_uint(vm, buf, len, &pos, &loc) < 0 || hsvm_stream_uint(vm, buf, len, &pos, &code) < 0)
			return;
		if (code == SV_LOCATION || code == SV_OOP) {
			if (hsvm_stream_uint(vm, buf, len, &pos, &v) < 0)
				return;
			if (code == SV_LOCATION)
				obj = location_oop(vm, v, s);
			else if (v && t->oops && v < (1u << 16))
				obj = hsvm_ptr(vm, t->oops + (uint64_t)(v - 1) * WORD);
		} else if (code == SV_OBJECT_ID) { /* scalar-replaced: jstack's "eliminated" */
			if (hsvm_stream_uint(vm, buf, len, &pos, &v) < 0)
				return;
		} else {
			return;
		}
		if (pos >= len)
			return;
		bool eliminated = buf[pos++] != 0; /* a raw byte, not UNSIGNED5 */
		if (!eliminated)
			add_monitor(out, obj, unsure);
	}
}

/*
 * The monitors of the scope chain from SCOPE, unsure: a top frame between
 * two debug-info points holds what the point after it lists (the safepoint
 * at the end of a loop), if the objects' lock state agrees.
 */
static void chain_monitors(struct hscode *c, const struct nm_tables *t, int64_t scope, struct hsstart s,
			   struct hsframes *out)
{
	for (int depth = 0; scope > SERIALIZED_NULL && depth < MAX_SCOPES; depth++) {
		struct scope sc;
		if (scope_read(c->vm, t, scope, &sc) < 0)
			return;
		if (sc.monitors > SERIALIZED_NULL)
			scope_monitors(c, t, sc.monitors, s, true, out);
		scope = sc.sender;
	}
}

static void compiled(struct hscode *c, const struct blob *b, struct hsstart s, struct hsframes *out)
{
	const struct hsvm *vm = c->vm;
	uint64_t method = hsvm_ptr(vm, b->addr + hsvm_get(vm, HS_NM_METHOD));
	struct hsframe f = { .pc = s.pc, .sp = s.sp, .method = method, .bci = -1, .kind = FRAME_JIT };
	const struct hsname *name = hsframes_method(c, method);
	struct nm_tables t;
	nm_tables(vm, b->addr, &t);
	struct pcscopes ps = { -1, -1, -1 };
	if (name && !name->native)
		pcdesc_scopes(vm, &t, (int64_t)(s.pc - b->code_begin), &ps);
	bool approximate = ps.exact < 0;
	int64_t scope = approximate ? ps.before : ps.exact;
	size_t before = out->n;
	for (int depth = 0; scope > SERIALIZED_NULL && depth < MAX_SCOPES; depth++) {
		struct scope sc;
		if (scope_read(vm, &t, scope, &sc) < 0 || !sc.method_index)
			break;
		f.method = hsvm_ptr(vm, t.metadata + (uint64_t)(sc.method_index - 1) * WORD);
		f.bci = (int)sc.bci - 1; /* InvocationEntryBci is -1 */
		f.approximate = approximate;
		if (!hsframes_method(c, f.method))
			break;
		add(out, &f);
		if (sc.monitors > SERIALIZED_NULL)
			scope_monitors(c, &t, sc.monitors, s, approximate, out);
		scope = sc.sender;
	}
	if (out->n == before && name) {
		f.method = method;
		f.bci = -1;
		f.approximate = false;
		add(out, &f);
	}
	if (approximate && out->n > before)
		chain_monitors(c, &t, ps.after, s, out);
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

/*
 * The sender of an interpreted frame: as sender_fp, but with the sp its
 * caller had before the adapter extended the stack for the callee's locals
 * (the sender-sp slot): a compiled caller's frame size counts from there.
 */
static struct hsstart sender_interpreted(const struct hsvm *vm, struct hsstart s)
{
	struct hsstart up = sender_fp(vm, s);
	uint64_t unextended = hsvm_ptr(vm, s.fp + INTERP_SENDER_SP_SLOT * WORD);
	if (unextended >= up.sp && unextended - up.sp < (1 << 16) && !(unextended & (WORD - 1)))
		up.sp = unextended;
	return up;
}

/*
 * The call stub's frame (stubGenerator_x86_64, the same from JDK 17 to
 * 25): its caller's rbp and return address above fp, the call wrapper at
 * frame::entry_frame_call_wrapper_offset and below it the caller's rbx,
 * r12, r13, r14 and r15, saved in that order.
 */
static void entry_frame(const struct hscode *c, struct hsstart s, struct hsentry *e)
{
	const struct hsvm *vm = c->vm;
	int64_t slot = (int64_t)hsvm_get(vm, HS_ENTRY_WRAPPER_OFFSET);
	uint64_t wrapper = hsvm_ptr(vm, s.fp + (uint64_t)(slot * WORD));
	e->sp = s.sp;
	if (s.fp > s.sp) {
		e->caller_pc = hsvm_ptr(vm, s.fp + WORD);
		e->caller_sp = s.fp + 2 * WORD;
		e->caller_fp = hsvm_ptr(vm, s.fp);
		uint64_t *saved[] = { &e->rbx, &e->r12, &e->r13, &e->r14, &e->r15 };
		for (int64_t i = 0; i < 5; i++)
			*saved[i] = hsvm_ptr(vm, s.fp + (uint64_t)((slot - 1 - i) * WORD));
	}
	if (!wrapper)
		return;
	uint64_t a = wrapper + hsvm_get(vm, HS_CALL_WRAPPER_ANCHOR);
	e->next.sp = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_SP));
	e->next.pc = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_PC));
	e->next.fp = hsvm_has(vm, HS_ANCHOR_FP) ? hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_FP)) : 0;
}

void hsframes_walk(struct hscode *c, struct hsstart s, size_t max, struct hsframes *out,
		   struct hsentry *entry)
{
	const struct hsvm *vm = c->vm;
	memset(entry, 0, sizeof(*entry));
	if (!s.pc)
		s.pc = hsvm_ptr(vm, s.sp - WORD);
	for (size_t k = 0; k < max && s.sp && s.pc; k++) {
		if (s.pc == c->call_stub_return) {
			entry_frame(c, s, entry);
			return;
		}
		struct blob b;
		if (blob_read(c, s.pc, &b) < 0)
			return;

		struct hsstart up;
		if (b.interpreter) {
			if (!interpreted(c, s, out))
				return;
			up = sender_interpreted(vm, s);
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
