#include "parsers/native/hotspot.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/xalloc.h"
#include "parsers/native/hotspot_impl.h"

/* ---- libjvm's symbols ---- */

/*
 * The symbols wanted, collected in one pass over libjvm's symbol table
 * (some 70,000 entries: a look-up per name would scan it 40 times).
 */
static const char *const wanted_prefixes[] = {
	"gHotSpotVM", "_ZN16java_lang_Thread", "_ZN16java_lang_String", "_ZN28java_lang_Thread_FieldHolder",
	"_ZN54java_util_concurrent_locks_AbstractOwnableSynchronizer", NULL,
};

static bool wanted(const char *name)
{
	for (size_t i = 0; wanted_prefixes[i]; i++)
		if (!strncmp(name, wanted_prefixes[i], strlen(wanted_prefixes[i])))
			return true;
	return false;
}

static int collect_cb(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr start, void *arg)
{
	struct hotspot *h = arg;
	const char *base = strrchr(modname, '/');
	base = base ? base + 1 : modname;
	if (strncmp(base, "libjvm.", 7))
		return DWARF_CB_OK;
	int nsyms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!s || sym.st_shndx == SHN_UNDEF || !wanted(s) || hashmap_get(&h->syms, s))
			continue;
		uint64_t *v = arena_alloc(h->n->d->arena, sizeof(*v));
		*v = addr;
		hashmap_put(&h->syms, dump_strdup(h->n->d, s), v);
	}
	return DWARF_CB_ABORT;
}

static int sym_cb(void *ctx, const char *name, uint64_t *addr)
{
	struct hotspot *h = ctx;
	const uint64_t *v = hashmap_get(&h->syms, name);
	if (!v)
		return -1;
	*addr = *v;
	return 0;
}

/* An int static of libjvm (a java_lang_* field offset) by its mangled name; -1 unknown. */
static int64_t jvm_int(struct hotspot *h, const char *name)
{
	uint64_t a;
	int32_t v;
	if (sym_cb(h, name, &a) < 0 || h->n->read(h->n->read_ctx, a, &v, 4) < 0 || v <= 0 || v > 4096)
		return -1;
	return v;
}

/* ---- opening ---- */

/* The field offsets java_lang_Thread and friends keep in libjvm's statics (.symtab only). */
static void offsets_from_symtab(struct hotspot *h)
{
	struct hotspot *n = h;
	h->name_off = jvm_int(n, "_ZN16java_lang_Thread12_name_offsetE");
	h->park_blocker_off = jvm_int(n, "_ZN16java_lang_Thread20_park_blocker_offsetE");
	h->holder_off = jvm_int(n, "_ZN16java_lang_Thread14_holder_offsetE");
	if (h->holder_off >= 0) {
		h->status_off = jvm_int(n, "_ZN28java_lang_Thread_FieldHolder21_thread_status_offsetE");
		h->daemon_off = jvm_int(n, "_ZN28java_lang_Thread_FieldHolder14_daemon_offsetE");
	} else {
		h->status_off = jvm_int(n, "_ZN16java_lang_Thread21_thread_status_offsetE");
		h->daemon_off = jvm_int(n, "_ZN16java_lang_Thread14_daemon_offsetE");
	}
	h->value_off = jvm_int(n, "_ZN16java_lang_String13_value_offsetE");
	h->coder_off = jvm_int(n, "_ZN16java_lang_String13_coder_offsetE");
	h->aos_owner_off =
		jvm_int(n, "_ZN54java_util_concurrent_locks_AbstractOwnableSynchronizer13_owner_offsetE");
}

uint64_t hotspot_klass_named(struct hotspot *h, uint64_t k, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	for (int depth = 0; k && depth < 32; depth++) {
		strbuf_reset(&sb);
		if (hsvm_klass_name(&h->vm, k, &sb) < 0)
			break;
		if (!strcmp(sb.buf, name))
			break;
		k = hsvm_ptr(&h->vm, k + hsvm_get(&h->vm, HS_KLASS_SUPER));
	}
	bool yes = k && !strcmp(sb.buf, name);
	strbuf_release(&sb);
	return yes ? k : 0;
}

/* The well-known class VMC (vmClasses), else the class NAME among OBJ's class and its superclasses. */
static uint64_t well_known(struct hotspot *h, enum hsvm_item vmc, uint64_t obj, const char *name)
{
	uint64_t k = hsvm_has(&h->vm, vmc) ? hsvm_ptr(&h->vm, hsvm_get(&h->vm, vmc)) : 0;
	return k ? k : hotspot_klass_named(h, hsvm_klass_of(&h->vm, obj), name);
}

static void field_or(struct hotspot *h, int64_t *off, uint64_t k, const char *name)
{
	if (*off < 0)
		*off = hsvm_field_offset(&h->vm, k, name);
}

/*
 * A libjvm without .symtab (stripped): the offsets from the classes' own
 * field metadata (hsvm_field_offset), the classes found through vmClasses
 * or the first Java thread's objects.
 */
static void offsets_from_metadata(struct hotspot *h)
{
	const struct hsvm *vm = &h->vm;
	uint64_t obj = 0;
	for (size_t i = 0; i < h->nthreads && !obj; i++)
		obj = h->threads[i].obj;
	uint64_t thread = well_known(h, HS_VMC_THREAD, obj, "java.lang.Thread");
	field_or(h, &h->name_off, thread, "name");
	field_or(h, &h->park_blocker_off, thread, "parkBlocker");
	field_or(h, &h->holder_off, thread, "holder");
	uint64_t holder = thread;
	if (h->holder_off > 0)
		holder = well_known(h, HS_VMC_FIELDHOLDER, hsvm_oop_field(vm, obj, (uint64_t)h->holder_off),
				    "java.lang.Thread$FieldHolder");
	field_or(h, &h->status_off, holder, "threadStatus");
	field_or(h, &h->daemon_off, holder, "daemon");
	uint64_t name = h->name_off > 0 ? hsvm_oop_field(vm, obj, (uint64_t)h->name_off) : 0;
	uint64_t string = well_known(h, HS_VMC_STRING, name, "java.lang.String");
	field_or(h, &h->value_off, string, "value");
	field_or(h, &h->coder_off, string, "coder");
}

static void java_offsets(struct hotspot *h)
{
	offsets_from_symtab(h);
	if (h->name_off < 0 || h->park_blocker_off < 0 || h->status_off < 0 || h->daemon_off < 0 ||
	    h->value_off < 0 || h->coder_off < 0)
		offsets_from_metadata(h);
}

static void read_threads(struct hotspot *h)
{
	const struct hsvm *vm = &h->vm;
	uint64_t list = hsvm_ptr(vm, hsvm_get(vm, HS_JAVA_THREAD_LIST));
	uint32_t len = 0;
	if (!list || hsvm_u32(vm, list + hsvm_get(vm, HS_TLIST_LENGTH), &len) < 0 || len > 1000000) {
		dump_warn(h->n->d, "Java threads: the thread list is unreadable");
		return;
	}
	uint64_t arr = hsvm_ptr(vm, list + hsvm_get(vm, HS_TLIST_THREADS));
	h->threads = xcalloc(len ? len : 1, sizeof(*h->threads));
	for (uint32_t i = 0; i < len; i++) {
		uint64_t jt = hsvm_ptr(vm, arr + (uint64_t)i * 8);
		uint64_t os = hsvm_ptr(vm, jt + hsvm_get(vm, HS_JT_OSTHREAD));
		uint32_t tid;
		if (!jt || !os || hsvm_u32(vm, os + hsvm_get(vm, HS_OSTHREAD_ID), &tid) < 0)
			continue;
		struct jthread *j = &h->threads[h->nthreads++];
		j->jt = jt;
		j->tid = tid;
		uint64_t handle = hsvm_ptr(vm, jt + hsvm_get(vm, HS_JT_THREADOBJ) + hsvm_get(vm, HS_OOPHANDLE_OBJ));
		j->obj = hsvm_ptr(vm, handle);
		hsvm_u32(vm, jt + hsvm_get(vm, HS_JT_STATE), &j->vm_state);
		if (hsvm_has(vm, HS_JT_OWNER_ID))
			hsvm_u64(vm, jt + hsvm_get(vm, HS_JT_OWNER_ID), &j->owner_id);
		uint64_t base = hsvm_ptr(vm, jt + hsvm_get(vm, HS_JT_STACK_BASE));
		uint64_t size = hsvm_ptr(vm, jt + hsvm_get(vm, HS_JT_STACK_SIZE));
		j->stack_high = base;
		j->stack_low = base > size ? base - size : 0;
	}
}

struct hotspot *hotspot_open(struct native *n)
{
	uint64_t a;
	if (!n->read || native_symbol(n, "libjvm", "gHotSpotVMStructs", &a, NULL) < 0)
		return NULL;
	struct hotspot *h = xcalloc(1, sizeof(*h));
	h->n = n;
	dwfl_getmodules(n->dwfl, collect_cb, h, 0);
	struct strbuf err = STRBUF_INIT;
	if (hsvm_open(&h->vm, n->read, n->read_ctx, sym_cb, h, &err) < 0 ||
	    hscode_init(&h->code, &h->vm, n->d, &err) < 0) {
		dump_warn(n->d, "Java frames, names and locks not read: %s", err.buf);
		strbuf_release(&err);
		hsvm_release(&h->vm);
		hashmap_clear(&h->syms);
		free(h);
		return NULL;
	}
	strbuf_release(&err);
	if (h->vm.release && !n->d->process.runtime_version)
		n->d->process.runtime_version = dump_strdup(n->d, h->vm.release);
	read_threads(h);
	java_offsets(h);
	return h;
}

void hotspot_free(struct hotspot *h)
{
	if (!h)
		return;
	hscode_release(&h->code);
	hsvm_release(&h->vm);
	hashmap_clear(&h->syms);
	for (size_t i = 0; i < h->nthreads; i++)
		free(h->threads[i].held);
	free(h->threads);
	free(h);
}

static struct jthread *hotspot_thread_by_tid(struct hotspot *h, int64_t tid)
{
	for (size_t i = 0; i < h->nthreads; i++)
		if (h->threads[i].tid == tid)
			return &h->threads[i];
	return NULL;
}

/* ---- mixed stacks ---- */

static void emit_native(struct hotspot *h, struct thread *t, const struct unwind_result *r, size_t from,
			size_t to)
{
	if (to <= from)
		return;
	struct unwind_result part = { .frames = r->frames + from, .n = to - from };
	native_symbolize(h->n, t, &part);
}

static void emit_java(struct hotspot *h, struct thread *t, const struct hsframes *fs)
{
	struct dump *d = h->n->d;
	for (size_t i = 0; i < fs->n; i++) {
		const struct hsframe *j = &fs->v[i];
		struct frame *f = thread_add_frame(d, t);
		if (!f)
			return;
		f->pc = j->pc;
		f->has_pc = true;
		f->kind = j->kind;
		f->trust = TRUST_CFI;
		if (j->kind == FRAME_STUB) {
			f->function = j->stub;
			continue;
		}
		const struct hsname *name = hsframes_method(&h->code, j->method);
		if (!name)
			continue;
		f->function = name->function;
		f->file = name->native ? NULL : name->file; /* jstack: "(Native Method)" */
		f->line = j->bci >= 0 ? hsframes_line(&h->code, j->method, j->bci) : 0;
	}
}

static bool in_code(const struct hotspot *h, const struct unwind_frame *f)
{
	return hscode_contains(&h->code, f->pc);
}

/*
 * Where the thread's Java frames start: its frame anchor, or a native frame
 * in generated code (the thread's registers, copied to REGS, when it was
 * stopped there).
 */
static bool java_start(struct hotspot *h, const struct jthread *j, const struct unwind_result *r,
		       struct hsstart *s, uint64_t regs[HSSTART_NREGS])
{
	const struct hsvm *vm = &h->vm;
	uint64_t a = j->jt + hsvm_get(vm, HS_JT_ANCHOR);
	s->regs = NULL;
	s->sp = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_SP));
	s->pc = hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_PC));
	s->fp = hsvm_has(vm, HS_ANCHOR_FP) ? hsvm_ptr(vm, a + hsvm_get(vm, HS_ANCHOR_FP)) : 0;
	if (s->sp)
		return true;
	/* running Java code (or crashed in it): no anchor; the unwinder's frame in the code cache */
	for (size_t i = 0; i < r->n; i++) {
		const struct unwind_frame *f = &r->frames[i];
		if (in_code(h, f) && f->has_sp) {
			*s = (struct hsstart){ .sp = f->sp, .fp = f->has_fp ? f->fp : 0, .pc = f->pc };
			/* stopped right there: its registers are the thread's */
			const struct native_regs *raw = i == 0 ? native_raw_regs(h->n, j->tid) : NULL;
			if (raw && raw->len >= sizeof(regs[0]) * HSSTART_NREGS && h->n->machine == EM_X86_64) {
				memcpy(regs, raw->raw, sizeof(regs[0]) * HSSTART_NREGS);
				s->regs = regs;
			}
			return true;
		}
	}
	return false;
}

/* Native frames from I on that belong before a Java segment starting at sp SP. */
static size_t natives_before(const struct hotspot *h, const struct unwind_result *r, size_t i, uint64_t sp)
{
	while (i < r->n && !in_code(h, &r->frames[i]) && !(r->frames[i].has_sp && r->frames[i].sp >= sp))
		i++;
	return i;
}

/* Skips the native frames that the Java segment ending at ENTRY_SP replaced. */
static size_t natives_after(const struct hotspot *h, const struct unwind_result *r, size_t i,
			    uint64_t last_sp, uint64_t entry_sp)
{
	uint64_t limit = entry_sp ? entry_sp : last_sp;
	while (i < r->n && (in_code(h, &r->frames[i]) || (r->frames[i].has_sp && r->frames[i].sp <= limit)))
		i++;
	return i;
}

/* The monitors of FS's frames, for hotspot_locks; the first approximate frame, for a warning. */
static void keep_frames_facts(struct hotspot *h, struct jthread *j, const struct hsframes *fs)
{
	for (size_t i = 0; i < fs->nmon; i++) {
		ALLOC_GROW(j->held, j->nheld + 1, j->aheld);
		j->held[j->nheld++] = fs->mon[i];
	}
	/* the outermost method of the first approximate frame: the compiled method */
	for (size_t i = 0; i < fs->n; i++) {
		const struct hsframe *f = &fs->v[i];
		const struct hsname *name = f->approximate ? hsframes_method(&h->code, f->method) : NULL;
		if (!name || (j->approximate && j->approximate_pc != f->pc))
			continue;
		j->approximate = name->function;
		j->approximate_pc = f->pc;
	}
}

/*
 * Whether the unwinder's frames from I go on from the entry frame E: the
 * call stub's caller where E says it is (the unwinder reached it by the
 * frame pointers of the interpreter and the call stub), and the frames
 * after it found by CFI, not a guess or a stack scan.
 */
static bool resumes_at(const struct unwind_result *r, size_t i, const struct hsentry *e)
{
	if (i >= r->n || r->frames[i].pc != e->caller_pc || !r->frames[i].has_sp ||
	    r->frames[i].sp != e->caller_sp)
		return false;
	return i + 1 < r->n ? r->frames[i + 1].trust == TRUST_CFI : r->complete;
}

void hotspot_symbolize(struct hotspot *h, struct thread *t, struct unwind_result *r)
{
	struct jthread *j = hotspot_thread_by_tid(h, t->tid);
	struct hsstart s;
	uint64_t regs[HSSTART_NREGS];
	if (!j || !java_start(h, j, r, &s, regs)) {
		if (j)
			j->t = t;
		native_symbolize(h->n, t, r);
		return;
	}
	j->t = t;
	size_t i = 0, max = h->n->o->max_frames ? h->n->o->max_frames : 4096;
	/* the native frames below an entry frame where the unwinder's do not continue from it */
	struct unwind_result below = UNWIND_RESULT_INIT;
	const struct unwind_result *cur = r;
	bool resumed = false;
	for (int seg = 0; s.sp && seg < 64; seg++) {
		size_t k = natives_before(h, cur, i, s.sp);
		emit_native(h, t, cur, i, k);
		i = k;
		struct hsframes fs = { 0 };
		struct hsentry e;
		hsframes_walk(&h->code, s, max, &fs, &e);
		emit_java(h, t, &fs);
		keep_frames_facts(h, j, &fs);
		i = natives_after(h, cur, i, fs.n ? fs.v[fs.n - 1].sp : s.sp, e.sp);
		hsframes_release(&fs);
		if (e.sp && !resumes_at(cur, i, &e)) {
			struct unwind_result more = UNWIND_RESULT_INIT;
			hotspot_unwind_below(h, &e, max, &more);
			if (more.n) {
				unwind_result_release(&below);
				below = more;
				cur = &below;
				i = 0;
				resumed = true;
			} else {
				unwind_result_release(&more);
			}
		}
		if (!e.sp || e.next.sp <= s.sp)
			break;
		s = e.next;
	}
	emit_native(h, t, cur, i, cur->n);
	/* the unwinder lost its way in generated code, and the Java frames made up for it */
	if (resumed && below.complete && !r->complete) {
		r->complete = true;
		free(r->error);
		r->error = NULL;
	}
	unwind_result_release(&below);
}

/* ---- names and states ---- */

/* java.lang.Thread.threadStatus (JVMTI bits) as jstack prints it. */
static const char *status_name(uint32_t s)
{
	switch (s) {
	case 0: return "NEW";
	case 0x0005: return "RUNNABLE";
	case 0x00e1: return "TIMED_WAITING (sleeping)";
	case 0x0191: return "WAITING (on object monitor)";
	case 0x01a1: return "TIMED_WAITING (on object monitor)";
	case 0x0291: return "WAITING (parking)";
	case 0x02a1: return "TIMED_WAITING (parking)";
	case 0x0401: return "BLOCKED (on object monitor)";
	case 0x0002: return "TERMINATED";
	default: return NULL;
	}
}

static void name_thread(struct hotspot *h, struct jthread *j)
{
	const struct hsvm *vm = &h->vm;
	struct dump *d = h->n->d;
	if (!j->obj)
		return;
	struct strbuf sb = STRBUF_INIT;
	if (h->name_off > 0 && h->value_off > 0 &&
	    hsvm_string(vm, hsvm_oop_field(vm, j->obj, (uint64_t)h->name_off), h->value_off, h->coder_off, &sb) == 0)
		j->t->name = dump_strndup(d, sb.buf, sb.len);
	strbuf_release(&sb);
	uint64_t holder = h->holder_off > 0 ? hsvm_oop_field(vm, j->obj, (uint64_t)h->holder_off) : j->obj;
	uint32_t status;
	if (holder && h->status_off > 0 && hsvm_u32(vm, holder + (uint64_t)h->status_off, &status) == 0) {
		j->status = status;
		const char *s = status_name(status);
		if (s)
			j->t->state = s;
	}
	uint8_t daemon;
	if (holder && h->daemon_off > 0 && hsvm_u8(vm, holder + (uint64_t)h->daemon_off, &daemon) == 0)
		j->t->daemon = daemon != 0;
}

/* One warning for the threads whose top compiled frame is named from an approximate scope. */
static void warn_approximate(struct hotspot *h)
{
	struct strbuf list = STRBUF_INIT;
	size_t count = 0;
	for (size_t i = 0; i < h->nthreads; i++) {
		const struct jthread *j = &h->threads[i];
		if (!j->approximate || !j->t)
			continue;
		if (count++ < 3) {
			strbuf_adds(&list, count > 1 ? "; " : "");
			thread_describe(j->t, &list);
			strbuf_addf(&list, ": %s stopped at 0x%llx", j->approximate,
				    (unsigned long long)j->approximate_pc);
		}
	}
	if (count)
		dump_warn(h->n->d, "%s%s, between two debug-info points of compiled code: the inlined "
			  "methods and lines there are those of the nearest point before (approximate, "
			  "as jhsdb shows them)", list.buf, count > 3 ? "; ..." : "");
	strbuf_release(&list);
}

void hotspot_finish(struct hotspot *h)
{
	size_t named = 0;
	for (size_t i = 0; i < h->nthreads; i++) {
		struct jthread *j = &h->threads[i];
		if (!j->t)
			j->t = dump_find_tid(h->n->d, j->tid);
		if (!j->t)
			continue;
		if (!j->t->java_tid)
			j->t->java_tid = dump_printf(h->n->d, "0x%016llx", (unsigned long long)j->jt);
		name_thread(h, j);
		named += j->t->name != NULL;
	}
	warn_approximate(h);
	if (h->nthreads && !named && h->name_off < 0)
		dump_warn(h->n->d, "Java thread names not read: neither libjvm's symbol table nor "
			  "java.lang.Thread's field metadata gives the offset of its name");
	hotspot_locks(h);
}
