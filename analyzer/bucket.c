#include "bucket.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "report.h"

/* Prefixes of functions that say nothing about which bug this is. */
static const char *const noise_prefixes[] = {
	"raise", "abort", "__GI_raise", "__GI_abort", "__pthread_kill", "pthread_kill",
	"__pthread_kill_implementation", "__pthread_kill_internal", "__assert_fail",
	"__assert_fail_base", "__assert_rtn", "__libc_message", "__libc_fatal",
	"malloc_printerr", "__malloc_assert", "__fortify_fail", "__chk_fail",
	"__stack_chk_fail", "__restore_rt", "<signal handler called>", "_sigtramp",
	"__kernel_rt_sigreturn", "os::abort", "os::die", "VMError::", "report_vm_error",
	"report_fatal", "JVM_handle_linux_signal", "signalHandler", "__GI___pthread_kill",
	"std::terminate", "__cxxabiv1::", "__gnu_cxx::__verbose_terminate_handler",
	"_Unwind_", "__cxa_throw", "__cxa_rethrow", "std::__terminate", "gsignal",
	NULL,
};

bool frame_is_noise(const struct frame *f)
{
	if (f->kind == FRAME_SIGNAL)
		return true;
	if (!f->function)
		return false;
	for (size_t i = 0; noise_prefixes[i]; i++)
		if (!strncmp(f->function, noise_prefixes[i], strlen(noise_prefixes[i])))
			return true;
	return false;
}

const struct frame *thread_top_frame(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++)
		if (!frame_is_noise(&t->frames[i]))
			return &t->frames[i];
	return t->nframes ? &t->frames[0] : NULL;
}

/* Removes balanced (...) and <...> groups, and "$$Lambda$12/0x..." style numbering. */
void frame_normalize(const struct frame *f, struct strbuf *out)
{
	const char *s = f->function;
	if (!s) {
		const char *m = f->module;
		const char *base = m ? strrchr(m, '/') : NULL;
		strbuf_addf(out, "?? (%s)", base ? base + 1 : m ? m : "?");
		return;
	}
	int paren = 0, angle = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == '(' && !angle) {
			paren++;
			continue;
		}
		if (c == ')' && paren) {
			paren--;
			continue;
		}
		if (c == '<' && !paren && strncmp(s, "<signal", 7)) {
			angle++;
			continue;
		}
		if (c == '>' && angle) {
			angle--;
			continue;
		}
		if (paren || angle)
			continue;
		if (c == '$' && (isdigit((unsigned char)s[1]) || !strncmp(s, "$$Lambda", 8))) {
			/* JIT/lambda numbering: keep the name, drop the number */
			if (!strncmp(s, "$$Lambda", 8)) {
				strbuf_adds(out, "$$Lambda");
				s += 7;
			}
			while (s[1] && (isalnum((unsigned char)s[1]) || s[1] == '/' || s[1] == '$'))
				s++;
			continue;
		}
		if (c == '+' && s[1] == '0' && s[2] == 'x')
			break;
		strbuf_addch(out, c);
	}
	while (out->len && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

void bucket_digest(const char *s, size_t len, char out[17])
{
	unsigned long long h = strmap_hash(s, len, 0);
	/* a second, independent round so near-identical inputs spread */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	snprintf(out, 17, "%016llx", h);
}

#define SIGNATURE_FRAMES 3

static const struct thread *signature_thread(const struct dump *d)
{
	if (d->crash && d->crash->thread)
		return d->crash->thread;
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->crashed)
			return d->threads[i];
	return NULL;
}

int bucket_compute(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	(void)o;
	(void)err;
	if (d->signature)
		return 0; /* an earlier stage (a hang's cycle) already named it */
	const struct thread *t = signature_thread(d);
	if (!t && !d->crash)
		return 0;
	struct strbuf sig = STRBUF_INIT;
	if (d->crash && d->crash->signal)
		strbuf_adds(&sig, d->crash->signal);
	else if (d->crash && d->crash->reason)
		strbuf_adds(&sig, d->crash->reason);
	else
		strbuf_adds(&sig, "crash");
	int n = 0;
	for (size_t i = 0; t && i < t->nframes && n < SIGNATURE_FRAMES; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f))
			continue;
		strbuf_adds(&sig, n ? " < " : " in ");
		if (!n && d->crash && !d->crash->frame) {
			struct strbuf top = STRBUF_INIT;
			frame_describe(f, &top);
			d->crash->frame = dump_strdup(d, top.buf);
			strbuf_release(&top);
		}
		frame_normalize(f, &sig);
		n++;
	}
	char hex[17];
	bucket_digest(sig.buf, sig.len, hex);
	d->signature = dump_strdup(d, sig.buf);
	d->bucket = dump_strdup(d, hex);
	strbuf_release(&sig);
	return 0;
}
