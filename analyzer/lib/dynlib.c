#include "analyzer/lib/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>

/* dlerror()'s state is per thread, the slots are shared: one load at a time. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(struct dynlib *d, const char *call)
{
	const char *why = dlerror();
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s needs %s (%s: %s)", d->feature, d->soname, call,
		    why ? why : "unknown error");
	d->error = strbuf_detach(&sb, NULL);
	d->state = -1;
}

static void load(struct dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fail(d, "dlopen");
		return;
	}
	for (size_t i = 0; i < d->nsyms; i++) {
		dlerror();
		*d->syms[i].slot = dlsym(h, d->syms[i].name);
		if (!*d->syms[i].slot) {
			fail(d, "dlsym");
			for (size_t j = 0; j <= i; j++)
				*d->syms[j].slot = NULL;
			dlclose(h);
			return;
		}
	}
	d->state = 1;
}

int dynlib_load(struct dynlib *d, struct strbuf *err)
{
	pthread_mutex_lock(&load_lock);
	if (!d->state)
		load(d);
	int rc = d->state > 0 ? 0 : error_set(err, "%s", d->error);
	pthread_mutex_unlock(&load_lock);
	return rc;
}
