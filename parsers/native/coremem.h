#ifndef MORTEM_COREMEM_H
#define MORTEM_COREMEM_H

/*
 * The memory of a dumped process, read from its core: the bytes of each
 * PT_LOAD segment that the core holds (the core file is memory-mapped,
 * never read whole), and for read-only file-backed mappings the core omits
 * (program text and never-written data, by the default coredump_filter)
 * the mapped file itself (NT_FILE path and file offset; the caller applies
 * --sysroot and --exe to the paths). Bytes of a writable segment lost to
 * truncation are not read from the file: the process had changed them.
 * Bytes the dumper omitted were never written, so the file has them; so
 * are file mappings that have no segment at all (gdb's gcore leaves
 * unmodified ones out). A file elfshare.h keeps (libc, read for every
 * core by a triage worker) is read from its bytes in memory.
 */

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct coremem;

/* Over the core mapped at DATA (LEN bytes; must outlive the coremem). */
struct coremem *coremem_new(const unsigned char *data, size_t len);
void coremem_free(struct coremem *m);

/* A PT_LOAD segment: VADDR..VADDR+MEMSZ, FILESZ bytes of it at OFFSET in the core. */
void coremem_add_segment(struct coremem *m, uint64_t vaddr, uint64_t memsz, uint64_t offset,
			 uint64_t filesz, uint32_t flags);

/* A file mapping (NT_FILE): START..END maps PATH (opened lazily) from OFFSET. */
void coremem_add_file(struct coremem *m, uint64_t start, uint64_t end, uint64_t offset,
		      const char *path);

/* Sorts what was added; call once before reading. */
void coremem_seal(struct coremem *m);

/* 0 and LEN bytes at ADDR in BUF, or -1 when any byte is not available. */
int coremem_read(void *m, uint64_t addr, void *buf, size_t len);

/* How many segments were cut short by the end of a truncated core. */
int coremem_truncated_segments(const struct coremem *m);

#endif
