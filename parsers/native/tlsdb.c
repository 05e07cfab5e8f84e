/*
 * A thread's errno, read the way gdb reads thread-local variables: glibc's
 * libthread_db over our own proc_service callbacks (below), which read the
 * dumped process's memory through the native session and answer symbol
 * look-ups from its modules. Only reads are allowed; every write, register
 * change or stop request is refused or a no-op.
 *
 * Steps: td_ta_new (libthread_db checks nptl_version in libc), then
 * td_ta_map_lwp2thr (x86-64: the thread pointer is fs_base, asked through
 * ps_get_thread_area), then td_thr_tls_get_addr with libc's link_map
 * (found by walking ld.so's _r_debug.r_map list) and the offset of the TLS
 * symbol `errno` in libc's TLS block (its st_value).
 */
#include <elf.h>
#include <proc_service.h>
#include <string.h>
#include <sys/procfs.h>
#include <thread_db.h>

#include "parsers/native/native.h"
#include "analyzer/lib/path.h"

struct ps_prochandle {
	struct native *n;
};

ps_err_e ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
	return ph->n->read(ph->n->read_ctx, (uint64_t)(uintptr_t)addr, buf, len) == 0 ? PS_OK : PS_ERR;
}

ps_err_e ps_ptread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
	return ps_pdread(ph, addr, buf, len);
}

ps_err_e ps_pdwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t len)
{
	return PS_ERR;
}

ps_err_e ps_ptwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t len)
{
	return PS_ERR;
}

ps_err_e ps_lgetregs(struct ps_prochandle *ph, lwpid_t lwp, prgregset_t regs)
{
	const struct native_regs *r = native_raw_regs(ph->n, lwp);
	if (!r || r->len < sizeof(prgregset_t))
		return PS_ERR;
	memcpy(regs, r->raw, sizeof(prgregset_t));
	return PS_OK;
}

ps_err_e ps_lsetregs(struct ps_prochandle *ph, lwpid_t lwp, const prgregset_t regs)
{
	return PS_ERR;
}

ps_err_e ps_lgetfpregs(struct ps_prochandle *ph, lwpid_t lwp, prfpregset_t *regs)
{
	return PS_ERR;
}

ps_err_e ps_lsetfpregs(struct ps_prochandle *ph, lwpid_t lwp, const prfpregset_t *regs)
{
	return PS_ERR;
}

pid_t ps_getpid(struct ps_prochandle *ph)
{
	return (pid_t)ph->n->d->process.pid;
}

ps_err_e ps_get_thread_area(struct ps_prochandle *ph, lwpid_t lwp, int idx, psaddr_t *base)
{
	struct thread *t = dump_find_tid(ph->n->d, lwp);
	if (!t || !t->regs->valid || !t->regs->tls_base)
		return PS_ERR;
	*base = (psaddr_t)(uintptr_t)t->regs->tls_base;
	return PS_OK;
}

ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object, const char *name,
			   psaddr_t *addr)
{
	uint64_t a;
	/* glibc >= 2.34 keeps nptl in libc; a static program has everything in the executable */
	if (native_symbol(ph->n, object, name, &a, NULL) < 0 &&
	    native_symbol(ph->n, "libc", name, &a, NULL) < 0 &&
	    native_symbol(ph->n, NULL, name, &a, NULL) < 0)
		return PS_NOSYM;
	*addr = (psaddr_t)(uintptr_t)a;
	return PS_OK;
}

ps_err_e ps_pstop(struct ps_prochandle *ph) { return PS_OK; }
ps_err_e ps_pcontinue(struct ps_prochandle *ph) { return PS_OK; }
ps_err_e ps_lstop(struct ps_prochandle *ph, lwpid_t lwp) { return PS_OK; }
ps_err_e ps_lcontinue(struct ps_prochandle *ph, lwpid_t lwp) { return PS_OK; }

/* libc's struct link_map address: the public head of struct link_map is
   { l_addr, l_name, l_ld, l_next, l_prev }, 8 bytes each on LP64. */
static int libc_link_map(struct native *n, uint64_t *lm)
{
	uint64_t r_debug, map;
	if (native_symbol(n, MEMORY_LOADER, "_r_debug", &r_debug, NULL) < 0 &&
	    native_symbol(n, NULL, "_r_debug", &r_debug, NULL) < 0)
		return -1;
	if (n->read(n->read_ctx, r_debug + 8, &map, 8) < 0)
		return -1;
	for (int i = 0; map && i < 4096; i++) {
		uint64_t head[4];
		char name[256];
		if (n->read(n->read_ctx, map, head, sizeof(head)) < 0)
			return -1;
		size_t k = 0;
		for (; k + 1 < sizeof(name); k++)
			if (n->read(n->read_ctx, head[1] + k, &name[k], 1) < 0 || !name[k])
				break;
		name[k] = '\0';
		if (!strncmp(path_basename(name), "libc.so", 7)) {
			*lm = map;
			return 0;
		}
		map = head[3];
	}
	return -1;
}

int native_errno(struct native *n, int64_t tid, int *errno_out)
{
	if (!n->read || n->machine != EM_X86_64)
		return -1;
	if (td_init() != TD_OK)
		return -1;
	uint64_t lm, offset;
	if (libc_link_map(n, &lm) < 0 || native_symbol(n, "libc", "errno", NULL, &offset) < 0)
		return -1;
	struct ps_prochandle ph = { n };
	td_thragent_t *ta = NULL;
	if (td_ta_new(&ph, &ta) != TD_OK)
		return -1;
	td_thrhandle_t th;
	psaddr_t addr = NULL;
	int rc = -1;
	if (td_ta_map_lwp2thr(ta, (lwpid_t)tid, &th) == TD_OK &&
	    td_thr_tls_get_addr(&th, (psaddr_t)(uintptr_t)lm, (size_t)offset, &addr) == TD_OK) {
		int v;
		if (n->read(n->read_ctx, (uint64_t)(uintptr_t)addr, &v, sizeof(v)) == 0) {
			*errno_out = v;
			rc = 0;
		}
	}
	td_ta_delete(ta);
	return rc;
}
