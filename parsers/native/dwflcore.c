#include "parsers/native/dwflcore.h"

#include <elf.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/xalloc.h"

/* x86-64's elf_prstatus and elf_prpsinfo, as the kernel writes them */
#define PRSTATUS_SIZE 336
#define PRSTATUS_PID 32
#define PRSTATUS_REGS 112
#define PRPSINFO_SIZE 136
#define PRPSINFO_PID 24
#define PAGE 4096u

/* DWARF register n (rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip) is pr_reg's word PR_REG_OF[n]. */
static const unsigned char pr_reg_of[17] = { 10, 12, 11, 5, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16 };

struct core_thread {
	pid_t tid;
	const unsigned char *regs;   /* pr_reg in the mapped core */
};

struct core_segment {
	uint64_t start, end, offset;
};

struct core_state {
	const unsigned char *file;
	size_t size;
	struct core_segment *segs;   /* PT_LOAD, in program-header order */
	size_t nsegs;
	struct core_thread *threads; /* NT_PRSTATUS, in note order */
	size_t nthreads;
	size_t next;
};

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* As libdwfl: the first PT_LOAD holding all 8 bytes, read at its file offset (not past the file). */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	(void)dwfl;
	const struct core_state *cs = arg;
	for (size_t i = 0; i < cs->nsegs; i++) {
		const struct core_segment *s = &cs->segs[i];
		if (addr < s->start || addr + 8 > s->end || addr + 8 < addr)
			continue;
		uint64_t off = s->offset + (addr - s->start);
		if (off > cs->size || cs->size - off < 8)
			return false;
		*result = rd64(cs->file + off);
		return true;
	}
	return false;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	struct core_state *cs = arg;
	if (!*thread_argp)
		cs->next = 0;
	if (cs->next >= cs->nthreads)
		return 0;
	struct core_thread *t = &cs->threads[cs->next++];
	*thread_argp = t;
	return t->tid;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct core_thread *t = thread_arg;
	Dwarf_Word regs[17];
	for (size_t i = 0; i < 17; i++)
		regs[i] = rd64(t->regs + 8 * pr_reg_of[i]);
	dwfl_thread_state_register_pc(thread, regs[16]);
	return dwfl_thread_state_registers(thread, 0, 17, regs);
}

static void detach(Dwfl *dwfl, void *arg)
{
	(void)dwfl;
	struct core_state *cs = arg;
	free(cs->segs);
	free(cs->threads);
	free(cs);
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
	.detach = detach,
};

/* A note name libebl's Linux core notes take: "CORE" or "LINUX", with or without the NUL. */
static bool linux_note_name(const unsigned char *name, uint32_t n)
{
	return ((n == 4 || n == 5) && !memcmp(name, "CORE", n)) ||
	       ((n == 5 || n == 6) && !memcmp(name, "LINUX", n));
}

/* The threads and pid of the note segment at P (LEN bytes, 4-byte aligned notes); false when odd. */
static bool read_notes(struct core_state *cs, const unsigned char *p, size_t len, pid_t *pid)
{
	size_t alloc = 0, at = 0;
	*pid = -1;
	while (len - at >= 12) {
		uint32_t namesz = rd32(p + at), descsz = rd32(p + at + 4), type = rd32(p + at + 8);
		size_t name_at = at + 12, desc_at = name_at + ((namesz + 3) & ~3u);
		size_t end = desc_at + ((descsz + 3) & ~3u);
		if (namesz > len || descsz > len || desc_at > len || end > len)
			break; /* cut short: gelf_getnote stops here too */
		const unsigned char *desc = p + desc_at;
		if (linux_note_name(p + name_at, namesz)) {
			if (type == NT_PRSTATUS && descsz == PRSTATUS_SIZE) {
				ALLOC_GROW(cs->threads, cs->nthreads + 1, alloc);
				cs->threads[cs->nthreads++] = (struct core_thread){
					(pid_t)(int32_t)rd32(desc + PRSTATUS_PID), desc + PRSTATUS_REGS };
			} else if (type == NT_PRPSINFO && descsz == PRPSINFO_SIZE && *pid == -1) {
				*pid = (pid_t)(int32_t)rd32(desc + PRPSINFO_PID);
			} else if ((type == NT_PRSTATUS || type == NT_PRPSINFO) && namesz >= 4 &&
				   !memcmp(p + name_at, "CORE", 4)) {
				return false; /* a layout this does not know: libdwfl's ebl decides */
			}
		}
		at = end;
	}
	return *pid != -1;
}

int dwflcore_attach(Dwfl *dwfl, Elf *core)
{
#if !defined(__x86_64__)
	(void)dwfl;
	(void)core;
	return -1;
#else
	GElf_Ehdr eh;
	size_t phnum, size;
	const unsigned char *file = (const unsigned char *)elf_rawfile(core, &size);
	if (!file || !gelf_getehdr(core, &eh) || eh.e_machine != EM_X86_64 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf_getphdrnum(core, &phnum) < 0)
		return -1;
	struct core_state *cs = xcalloc(1, sizeof(*cs));
	cs->file = file;
	cs->size = size;
	size_t alloc = 0;
	bool ok = true, notes_seen = false;
	pid_t pid = -1;
	for (size_t i = 0; i < phnum && ok; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(core, (int)i, &ph)) {
			ok = false;
		} else if (ph.p_type == PT_LOAD) {
			/* libdwfl rounds segments to its alignment: page-aligned ones only */
			ok = ph.p_align <= PAGE && !(ph.p_vaddr % PAGE) && !(ph.p_memsz % PAGE) &&
			     ph.p_vaddr + ph.p_memsz >= ph.p_vaddr;
			ALLOC_GROW(cs->segs, cs->nsegs + 1, alloc);
			cs->segs[cs->nsegs++] = (struct core_segment){ ph.p_vaddr, ph.p_vaddr + ph.p_memsz,
								       ph.p_offset };
		} else if (ph.p_type == PT_NOTE && !notes_seen) {
			notes_seen = true; /* libdwfl reads the first note segment only */
			ok = ph.p_align <= 4 && ph.p_offset <= size && ph.p_filesz <= size - ph.p_offset &&
			     read_notes(cs, file + ph.p_offset, ph.p_filesz, &pid);
		}
	}
	if (!ok || !notes_seen || pid == -1) {
		detach(NULL, cs);
		return -1;
	}
	if (!dwfl_attach_state(dwfl, core, pid, &callbacks, cs)) {
		detach(NULL, cs);
		return -2;
	}
	return 0;
#endif
}
