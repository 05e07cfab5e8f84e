#include "parsers/native/debugfind.h"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/lib/strbuf.h"

/* ---- libdebuginfod, loaded on first use ---- */

struct debuginfod_api {
	debuginfod_client *(*begin)(void);
	int (*find_debuginfo)(debuginfod_client *c, const unsigned char *id, int len, char **path);
	void (*end)(debuginfod_client *c);
};

static struct debuginfod_api api;
static bool api_ok;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void api_load(void)
{
	void *h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	*(void **)&api.begin = dlsym(h, "debuginfod_begin");
	*(void **)&api.find_debuginfo = dlsym(h, "debuginfod_find_debuginfo");
	*(void **)&api.end = dlsym(h, "debuginfod_end");
	api_ok = api.begin && api.find_debuginfo && api.end;
}

static const struct debuginfod_api *api_get(void)
{
	pthread_once(&api_once, api_load);
	return api_ok ? &api : NULL;
}

void debugfind_end(void *client)
{
	if (client && api_get())
		api.end(client);
}

static int ask_server(Dwfl_Module *mod, char **out, void **client)
{
	const unsigned char *id;
	GElf_Addr id_vaddr;
	int len = dwfl_module_build_id(mod, &id, &id_vaddr);
	const struct debuginfod_api *a = api_get();
	if (len <= 0 || !a)
		return -1;
	if (!*client)
		*client = a->begin();
	if (!*client)
		return -1;
	return a->find_debuginfo(*client, id, len, out);
}

/* ---- the local search ---- */

/* Whether the file at FD is MOD's debug file: the same build-id, else the debuglink's CRC. */
static bool is_debug_of(Dwfl_Module *mod, int fd, GElf_Word crc)
{
	const unsigned char *want;
	GElf_Addr vaddr;
	int want_len = dwfl_module_build_id(mod, &want, &vaddr);
	if (want_len > 0) {
		Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		const void *have;
		ssize_t have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
		bool same = have_len == want_len && !memcmp(have, want, (size_t)want_len);
		elf_end(elf);
		return same;
	}
	uLong sum = crc32(0L, Z_NULL, 0);
	unsigned char buf[65536];
	ssize_t n;
	off_t at = 0;
	while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
		sum = crc32(sum, buf, (uInt)n);
		at += n;
	}
	return n == 0 && (GElf_Word)sum == crc;
}

static int debuglink_search(Dwfl_Module *mod, const char *file_name, const char *link, GElf_Word crc,
			    const char *path, char **out)
{
	if (!file_name || !link || !*link || !path)
		return -1;
	const char *slash = strrchr(file_name, '/');
	int dirlen = slash ? (int)(slash - file_name) : 0;
	struct strbuf f = STRBUF_INIT;
	int fd = -1;
	for (const char *p = path; p && fd < 0;) {
		const char *end = strchr(p, ':');
		int len = end ? (int)(end - p) : (int)strlen(p);
		if (len && (p[0] == '+' || p[0] == '-')) /* libdwfl's CRC-check markers */
			p++, len--;
		strbuf_reset(&f);
		if (!len)
			strbuf_addf(&f, "%.*s/%s", dirlen, file_name, link);
		else if (p[0] == '/')
			strbuf_addf(&f, "%.*s%.*s/%s", len, p, dirlen, file_name, link);
		else
			strbuf_addf(&f, "%.*s/%.*s/%s", dirlen, file_name, len, p, link);
		if (strcmp(f.buf, file_name)) {
			fd = open(f.buf, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && !is_debug_of(mod, fd, crc)) {
				close(fd);
				fd = -1;
			}
		}
		p = end ? end + 1 : NULL;
	}
	if (fd >= 0)
		*out = strbuf_detach(&f, NULL);
	strbuf_release(&f);
	return fd;
}

int debugfind_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name, const char *path, void **client)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (urls && *urls) {
		int fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						      debuglink_file, debuglink_crc, debuginfo_file_name);
		return fd >= 0 ? fd : ask_server(mod, debuginfo_file_name, client);
	}
	int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
					      debuglink_crc, debuginfo_file_name);
	if (fd >= 0)
		return fd;
	/* for a core's modules libdwfl often passes no file name: the module's name is its path */
	const char *where = file_name ? file_name : modname && modname[0] == '/' ? modname : NULL;
	return debuglink_search(mod, where, debuglink_file, debuglink_crc, path, debuginfo_file_name);
}
