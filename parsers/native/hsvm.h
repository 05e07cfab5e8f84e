#ifndef MORTEM_HSVM_H
#define MORTEM_HSVM_H

/*
 * HotSpot's own type tables, read from the memory of a process (a core or
 * a stopped live process) in which libjvm.so is mapped: gHotSpotVMStructs
 * (field offsets and static field addresses), gHotSpotVMTypes (sizes),
 * gHotSpotVMIntConstants and gHotSpotVMLongConstants, each laid out as the
 * exported gHotSpotVM*Entry*Offset / *ArrayStride variables say. These are
 * the tables the JDK's serviceability agent reads: they give every offset
 * the Java side needs for that exact build, without debug info.
 *
 * What mortem needs is one list (HSVM_ITEMS), looked up by name once per
 * target; a name HotSpot renamed between releases has its alternative in
 * the same row. After hsvm_open(), hsvm_has()/hsvm_get() answer from the
 * list; the typed readers below check every read.
 */

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/lib/strbuf.h"

/* kinds of entries */
enum hsvm_kind { HSK_OFF, HSK_ADDR, HSK_SIZE, HSK_INT, HSK_LONG };

/*
 * X(ID, kind, "Type" (or the constant's name), "field" or NULL,
 *   alternative "Type::field" or NULL, required)
 * A required item missing makes the layout unknown (hsvm_open fails).
 */
#define HSVM_ITEMS(X)                                                                              \
	X(HS_JAVA_THREAD_LIST, HSK_ADDR, "ThreadsSMRSupport", "_java_thread_list", NULL, 1)        \
	X(HS_TLIST_LENGTH, HSK_OFF, "ThreadsList", "_length", NULL, 1)                             \
	X(HS_TLIST_THREADS, HSK_OFF, "ThreadsList", "_threads", NULL, 1)                           \
	X(HS_JT_THREADOBJ, HSK_OFF, "JavaThread", "_threadObj", NULL, 1)                           \
	X(HS_JT_ANCHOR, HSK_OFF, "JavaThread", "_anchor", NULL, 1)                                 \
	X(HS_JT_STATE, HSK_OFF, "JavaThread", "_thread_state", NULL, 1)                            \
	X(HS_JT_OSTHREAD, HSK_OFF, "JavaThread", "_osthread", "Thread::_osthread", 1)              \
	X(HS_JT_PENDING_MONITOR, HSK_OFF, "JavaThread", "_current_pending_monitor", NULL, 1)       \
	X(HS_JT_WAITING_MONITOR, HSK_OFF, "JavaThread", "_current_waiting_monitor", NULL, 1)       \
	X(HS_JT_STACK_BASE, HSK_OFF, "JavaThread", "_stack_base", "Thread::_stack_base", 1)        \
	X(HS_JT_STACK_SIZE, HSK_OFF, "JavaThread", "_stack_size", "Thread::_stack_size", 1)        \
	X(HS_JT_LOCK_STACK, HSK_OFF, "JavaThread", "_lock_stack", NULL, 0)                         \
	X(HS_JT_OWNER_ID, HSK_OFF, "JavaThread", "_monitor_owner_id", NULL, 0)                     \
	X(HS_LS_TOP, HSK_OFF, "LockStack", "_top", NULL, 0)                                        \
	X(HS_LS_BASE, HSK_OFF, "LockStack", "_base[0]", NULL, 0)                                   \
	X(HS_OOPHANDLE_OBJ, HSK_OFF, "OopHandle", "_obj", NULL, 1)                                 \
	X(HS_ANCHOR_SP, HSK_OFF, "JavaFrameAnchor", "_last_Java_sp", NULL, 1)                      \
	X(HS_ANCHOR_PC, HSK_OFF, "JavaFrameAnchor", "_last_Java_pc", NULL, 1)                      \
	X(HS_ANCHOR_FP, HSK_OFF, "JavaFrameAnchor", "_last_Java_fp", NULL, 0)                      \
	X(HS_OSTHREAD_ID, HSK_OFF, "OSThread", "_thread_id", NULL, 1)                              \
	X(HS_NARROW_OOP_BASE, HSK_ADDR, "CompressedOops", "_narrow_oop._base", "CompressedOops::_base", 1) \
	X(HS_NARROW_OOP_SHIFT, HSK_ADDR, "CompressedOops", "_narrow_oop._shift", "CompressedOops::_shift", 1) \
	X(HS_NARROW_KLASS_BASE, HSK_ADDR, "CompressedKlassPointers", "_narrow_klass._base", "CompressedKlassPointers::_base", 1) \
	X(HS_NARROW_KLASS_SHIFT, HSK_ADDR, "CompressedKlassPointers", "_narrow_klass._shift", "CompressedKlassPointers::_shift", 1) \
	X(HS_OOP_KLASS, HSK_OFF, "oopDesc", "_metadata._compressed_klass", NULL, 1)                \
	X(HS_KLASS_NAME, HSK_OFF, "Klass", "_name", NULL, 1)                                       \
	X(HS_KLASS_SUPER, HSK_OFF, "Klass", "_super", NULL, 1)                                     \
	X(HS_SYMBOL_LENGTH, HSK_OFF, "Symbol", "_length", NULL, 1)                                 \
	X(HS_SYMBOL_BODY, HSK_OFF, "Symbol", "_body", NULL, 1)                                     \
	X(HS_METHOD_CONSTMETHOD, HSK_OFF, "Method", "_constMethod", NULL, 1)                       \
	X(HS_METHOD_ACCESS, HSK_OFF, "Method", "_access_flags", NULL, 1)                           \
	X(HS_ACCESS_FLAGS_SIZE, HSK_SIZE, "AccessFlags", NULL, NULL, 1)                            \
	X(HS_CM_CONSTANTS, HSK_OFF, "ConstMethod", "_constants", NULL, 1)                          \
	X(HS_CM_FLAGS, HSK_OFF, "ConstMethod", "_flags", "ConstMethod::_flags._flags", 1)          \
	X(HS_CM_CODE_SIZE, HSK_OFF, "ConstMethod", "_code_size", NULL, 1)                          \
	X(HS_CM_NAME_INDEX, HSK_OFF, "ConstMethod", "_name_index", NULL, 1)                        \
	X(HS_CM_SIZE, HSK_SIZE, "ConstMethod", NULL, NULL, 1)                                      \
	X(HS_CM_HAS_LINES, HSK_INT, "ConstMethod::_has_linenumber_table", NULL, "ConstMethodFlags::_misc_has_linenumber_table", 1) \
	X(HS_CP_HOLDER, HSK_OFF, "ConstantPool", "_pool_holder", NULL, 1)                          \
	X(HS_CP_SOURCE_FILE, HSK_OFF, "ConstantPool", "_source_file_name_index", "InstanceKlass::_source_file_name_index", 0) \
	X(HS_CP_SIZE, HSK_SIZE, "ConstantPool", NULL, NULL, 1)                                     \
	X(HS_CODE_HEAPS, HSK_ADDR, "CodeCache", "_heaps", NULL, 1)                                 \
	X(HS_CODE_LOW, HSK_ADDR, "CodeCache", "_low_bound", NULL, 1)                               \
	X(HS_CODE_HIGH, HSK_ADDR, "CodeCache", "_high_bound", NULL, 1)                             \
	X(HS_GA_LEN, HSK_OFF, "GrowableArrayBase", "_len", NULL, 1)                                \
	X(HS_GA_DATA, HSK_OFF, "GrowableArray<int>", "_data", NULL, 1)                             \
	X(HS_HEAP_MEMORY, HSK_OFF, "CodeHeap", "_memory", NULL, 1)                                 \
	X(HS_HEAP_SEGMAP, HSK_OFF, "CodeHeap", "_segmap", NULL, 1)                                 \
	X(HS_HEAP_LOG2_SEG, HSK_OFF, "CodeHeap", "_log2_segment_size", NULL, 1)                    \
	X(HS_VS_LOW_BOUNDARY, HSK_OFF, "VirtualSpace", "_low_boundary", NULL, 1)                   \
	X(HS_VS_HIGH_BOUNDARY, HSK_OFF, "VirtualSpace", "_high_boundary", NULL, 1)                 \
	X(HS_VS_HIGH, HSK_OFF, "VirtualSpace", "_high", NULL, 1)                                   \
	X(HS_HEAPBLOCK_USED, HSK_OFF, "HeapBlock::Header", "_used", NULL, 1)                       \
	X(HS_HEAPBLOCK_SIZE, HSK_SIZE, "HeapBlock", NULL, NULL, 1)                                 \
	X(HS_BLOB_NAME, HSK_OFF, "CodeBlob", "_name", NULL, 1)                                     \
	X(HS_BLOB_SIZE, HSK_OFF, "CodeBlob", "_size", NULL, 1)                                     \
	X(HS_BLOB_FRAME_SIZE, HSK_OFF, "CodeBlob", "_frame_size", NULL, 1)                         \
	X(HS_BLOB_CODE_BEGIN, HSK_OFF, "CodeBlob", "_code_begin", NULL, 0)                         \
	X(HS_BLOB_CODE_OFFSET, HSK_OFF, "CodeBlob", "_code_offset", NULL, 0)                       \
	X(HS_BLOB_MUTABLE_DATA, HSK_OFF, "CodeBlob", "_mutable_data", NULL, 0)                     \
	X(HS_BLOB_RELOC_SIZE, HSK_OFF, "CodeBlob", "_relocation_size", NULL, 0)                    \
	X(HS_NM_METHOD, HSK_OFF, "nmethod", "_method", "CompiledMethod::_method", 1)               \
	X(HS_NM_SCOPES_DATA_BEGIN, HSK_OFF, "CompiledMethod", "_scopes_data_begin", NULL, 0)       \
	X(HS_NM_SCOPES_DATA_OFFSET, HSK_OFF, "nmethod", "_scopes_data_offset", NULL, 0)            \
	X(HS_NM_SCOPES_PCS_OFFSET, HSK_OFF, "nmethod", "_scopes_pcs_offset", NULL, 1)              \
	X(HS_NM_DEPENDENCIES_OFFSET, HSK_OFF, "nmethod", "_dependencies_offset", NULL, 0)          \
	X(HS_NM_METADATA_OFFSET, HSK_OFF, "nmethod", "_metadata_offset", NULL, 0)                  \
	X(HS_NM_IMMUTABLE_DATA, HSK_OFF, "nmethod", "_immutable_data", NULL, 0)                    \
	X(HS_PCDESC_PC, HSK_OFF, "PcDesc", "_pc_offset", NULL, 1)                                  \
	X(HS_PCDESC_SCOPE, HSK_OFF, "PcDesc", "_scope_decode_offset", NULL, 1)                     \
	X(HS_PCDESC_SIZE, HSK_SIZE, "PcDesc", NULL, NULL, 1)                                       \
	X(HS_CALL_STUB_RETURN, HSK_ADDR, "StubRoutines", "_call_stub_return_address", NULL, 1)     \
	X(HS_CALL_WRAPPER_ANCHOR, HSK_OFF, "JavaCallWrapper", "_anchor", NULL, 1)                  \
	X(HS_ENTRY_WRAPPER_OFFSET, HSK_INT, "frame::entry_frame_call_wrapper_offset", NULL, NULL, 1) \
	X(HS_MON_OBJECT, HSK_OFF, "ObjectMonitor", "_object", NULL, 1)                             \
	X(HS_MON_OWNER, HSK_OFF, "ObjectMonitor", "_owner", NULL, 1)                               \
	X(HS_MON_STACK_LOCKER, HSK_OFF, "ObjectMonitor", "_stack_locker", NULL, 0)                 \
	X(HS_ANONYMOUS_OWNER, HSK_LONG, "ObjectMonitor::ANONYMOUS_OWNER", NULL, NULL, 0)           \
	X(HS_VM_RELEASE, HSK_ADDR, "Abstract_VM_Version", "_s_vm_release", NULL, 1)                \
	X(HS_VM_MAJOR, HSK_ADDR, "Abstract_VM_Version", "_vm_major_version", NULL, 1)              \
	X(HS_FLAGS, HSK_ADDR, "JVMFlag", "flags", NULL, 1)                                         \
	X(HS_NUM_FLAGS, HSK_ADDR, "JVMFlag", "numFlags", NULL, 1)                                  \
	X(HS_FLAG_NAME, HSK_OFF, "JVMFlag", "_name", NULL, 1)                                      \
	X(HS_FLAG_ADDR, HSK_OFF, "JVMFlag", "_addr", NULL, 1)                                      \
	X(HS_FLAG_SIZE, HSK_SIZE, "JVMFlag", NULL, NULL, 1)                                        \
	X(HS_THREAD_IN_JAVA, HSK_INT, "_thread_in_Java", NULL, NULL, 1)                            \
	X(HS_THREAD_IN_NATIVE, HSK_INT, "_thread_in_native", NULL, NULL, 1)                        \
	X(HS_THREAD_IN_VM, HSK_INT, "_thread_in_vm", NULL, NULL, 1)                                \
	X(HS_THREAD_BLOCKED, HSK_INT, "_thread_blocked", NULL, NULL, 1)                           \
	X(HS_VMC_THREAD, HSK_ADDR, "vmClasses", "_klasses[static_cast<int>(vmClassID::Thread_klass_knum)]", NULL, 0) \
	X(HS_VMC_FIELDHOLDER, HSK_ADDR, "vmClasses", "_klasses[static_cast<int>(vmClassID::Thread_FieldHolder_klass_knum)]", NULL, 0) \
	X(HS_VMC_STRING, HSK_ADDR, "vmClasses", "_klasses[static_cast<int>(vmClassID::String_klass_knum)]", NULL, 0) \
	X(HS_IK_CONSTANTS, HSK_OFF, "InstanceKlass", "_constants", NULL, 0)                        \
	X(HS_IK_FIELDS, HSK_OFF, "InstanceKlass", "_fields", NULL, 0)                              \
	X(HS_IK_JAVA_FIELDS, HSK_OFF, "InstanceKlass", "_java_fields_count", NULL, 0)              \
	X(HS_IK_FIELDINFO_STREAM, HSK_OFF, "InstanceKlass", "_fieldinfo_stream", NULL, 0)          \
	X(HS_ARRAY_U1_DATA, HSK_OFF, "Array<u1>", "_data", NULL, 0)                                \
	X(HS_ARRAY_U2_DATA, HSK_OFF, "Array<u2>", "_data", NULL, 0)                                \
	X(HS_FI_ACCESS, HSK_INT, "FieldInfo::access_flags_offset", NULL, NULL, 0)                  \
	X(HS_FI_NAME, HSK_INT, "FieldInfo::name_index_offset", NULL, NULL, 0)                      \
	X(HS_FI_LOW, HSK_INT, "FieldInfo::low_packed_offset", NULL, NULL, 0)                       \
	X(HS_FI_HIGH, HSK_INT, "FieldInfo::high_packed_offset", NULL, NULL, 0)                     \
	X(HS_FI_SLOTS, HSK_INT, "FieldInfo::field_slots", NULL, NULL, 0)                           \
	X(HS_FI_TAG_SIZE, HSK_INT, "FIELDINFO_TAG_SIZE", NULL, NULL, 0)                            \
	X(HS_FI_TAG_OFFSET, HSK_INT, "FIELDINFO_TAG_OFFSET", NULL, NULL, 0)                        \
	X(HS_ACC_FIELD_INTERNAL, HSK_INT, "JVM_ACC_FIELD_INTERNAL", NULL, NULL, 0)                 \
	X(HS_FF_INITIALIZED, HSK_INT, "FieldInfo::FieldFlags::_ff_initialized", NULL, NULL, 0)     \
	X(HS_FF_INJECTED, HSK_INT, "FieldInfo::FieldFlags::_ff_injected", NULL, NULL, 0)           \
	X(HS_FF_GENERIC, HSK_INT, "FieldInfo::FieldFlags::_ff_generic", NULL, NULL, 0)             \
	X(HS_FF_CONTENDED, HSK_INT, "FieldInfo::FieldFlags::_ff_contended", NULL, NULL, 0)     \
	X(HS_BOL_OBJ, HSK_OFF, "BasicObjectLock", "_obj", NULL, 0)                                 \
	X(HS_BOL_SIZE, HSK_SIZE, "BasicObjectLock", NULL, NULL, 0)                                 \
	X(HS_NM_OOPS_OFFSET, HSK_OFF, "nmethod", "_oops_offset", NULL, 0)                          \
	X(HS_BLOB_DATA_OFFSET, HSK_OFF, "CodeBlob", "_data_offset", NULL, 0)                       \
	X(HS_LOC_TYPE_MASK, HSK_INT, "Location::TYPE_MASK", NULL, NULL, 0)                         \
	X(HS_LOC_TYPE_SHIFT, HSK_INT, "Location::TYPE_SHIFT", NULL, NULL, 0)                       \
	X(HS_LOC_WHERE_MASK, HSK_INT, "Location::WHERE_MASK", NULL, NULL, 0)                       \
	X(HS_LOC_WHERE_SHIFT, HSK_INT, "Location::WHERE_SHIFT", NULL, NULL, 0)                     \
	X(HS_LOC_OFFSET_SHIFT, HSK_INT, "Location::OFFSET_SHIFT", NULL, NULL, 0)                   \
	X(HS_LOC_OOP, HSK_INT, "Location::oop", NULL, NULL, 0)                                     \
	X(HS_LOC_NARROWOOP, HSK_INT, "Location::narrowoop", NULL, NULL, 0)                         \
	X(HS_LOC_ON_STACK, HSK_INT, "Location::on_stack", NULL, NULL, 0)

#define X_ENUM(id, kind, type, field, alt, req) id,
enum hsvm_item { HSVM_ITEMS(X_ENUM) HS_ITEM_COUNT };
#undef X_ENUM

/* Reads LEN bytes at ADDR of the target: 0, or -1 when any is unreadable. */
typedef int hsvm_read_fn(void *ctx, uint64_t addr, void *buf, size_t len);

struct hsvm {
	hsvm_read_fn *read;
	void *ctx;
	uint64_t val[HS_ITEM_COUNT];
	bool have[HS_ITEM_COUNT];
	int major;                    /* the JDK's feature release (17, 25, ...) */
	const char *release;          /* "17.0.13+11-Debian-2", malloc'd, or NULL */
	/* read once after the tables */
	uint64_t oop_base, klass_base;
	int oop_shift, klass_shift;
	bool compressed_oops, compressed_klass, compact_headers;
};

/*
 * Reads the tables of the libjvm whose exported symbols SYM resolves
 * (SYM(ctx, name, &addr) returns 0 or -1) into VM. Returns 0, or -1 with
 * ERR saying why (a symbol missing, a table unreadable, a required item not
 * in it: a layout this reader does not know).
 */
int hsvm_open(struct hsvm *vm, hsvm_read_fn *read, void *ctx,
	      int (*sym)(void *sctx, const char *name, uint64_t *addr), void *sctx,
	      struct strbuf *err);
void hsvm_release(struct hsvm *vm);

static inline bool hsvm_has(const struct hsvm *vm, enum hsvm_item i) { return vm->have[i]; }
static inline uint64_t hsvm_get(const struct hsvm *vm, enum hsvm_item i) { return vm->val[i]; }
/* Item I's value, or DEF when the tables do not have it (a constant of one release only). */
static inline int64_t hsvm_get_or(const struct hsvm *vm, enum hsvm_item i, int64_t def)
{
	return vm->have[i] ? (int64_t)vm->val[i] : def;
}

/* Typed reads of the target's memory: 0, or -1 when unreadable. */
int hsvm_u8(const struct hsvm *vm, uint64_t addr, uint8_t *out);
int hsvm_u16(const struct hsvm *vm, uint64_t addr, uint16_t *out);
int hsvm_u32(const struct hsvm *vm, uint64_t addr, uint32_t *out);
int hsvm_u64(const struct hsvm *vm, uint64_t addr, uint64_t *out);
/* A pointer-sized word at ADDR; 0 when unreadable (HotSpot's "none"). */
uint64_t hsvm_ptr(const struct hsvm *vm, uint64_t addr);
/* A NUL-terminated string at ADDR (at most MAX bytes) into OUT; -1 when unreadable. */
int hsvm_cstr(const struct hsvm *vm, uint64_t addr, size_t max, struct strbuf *out);

/* An oop field at OBJ+OFF (compressed or not), decoded; 0 when null or unreadable. */
uint64_t hsvm_oop_field(const struct hsvm *vm, uint64_t obj, uint64_t off);
/* The Klass* of the object OBJ, or 0. */
uint64_t hsvm_klass_of(const struct hsvm *vm, uint64_t obj);
/*
 * Appends the Symbol at SYM to OUT (bytes as stored: modified UTF-8).
 * Returns -1 when unreadable.
 */
int hsvm_symbol(const struct hsvm *vm, uint64_t sym, struct strbuf *out);
/* Appends the external name of klass K ("java.util.HashMap$Node") to OUT; -1 unreadable. */
int hsvm_klass_name(const struct hsvm *vm, uint64_t k, struct strbuf *out);
/*
 * The offset of the instance field NAME declared by the InstanceKlass K
 * (not by its superclasses), read from the class's own field metadata:
 * InstanceKlass::_fields (6 u2 per field, JDK 20 and before) or the
 * compressed _fieldinfo_stream (JDK 21+), names from K's constant pool.
 * Returns the offset, or -1 when K has no such field or its metadata is
 * unreadable or in a layout this reader does not know.
 */
int64_t hsvm_field_offset(const struct hsvm *vm, uint64_t k, const char *name);

/* Appends the java.lang.String at STR to OUT as UTF-8 (Latin-1 or UTF-16 values); -1 unreadable. */
int hsvm_string(const struct hsvm *vm, uint64_t str, int64_t value_off, int64_t coder_off,
		struct strbuf *out);

/*
 * One value of a HotSpot compressed stream (UNSIGNED5: X=1 since JDK 21,
 * X=0 before) at *POS in the LEN bytes of BUF; advances *POS. Returns 0,
 * or -1 at the end of the buffer.
 */
int hsvm_stream_uint(const struct hsvm *vm, const uint8_t *buf, size_t len, size_t *pos,
		     uint32_t *out);
/* As hsvm_stream_uint, sign-decoded. */
int hsvm_stream_sint(const struct hsvm *vm, const uint8_t *buf, size_t len, size_t *pos,
		     int32_t *out);

#endif
