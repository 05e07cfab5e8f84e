#include "tui/model.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/lib/path.h"

static const char *const sort_names[] = {
#define X_NAME(e, s) s,
	THREAD_SORTS(X_NAME)
#undef X_NAME
};

const char *thread_sort_name(enum thread_sort s)
{
	return s < THREAD_SORT_COUNT ? sort_names[s] : "?";
}

void java_abbreviate(const char *name, struct strbuf *out)
{
	/* only "lower.lower.Upper..." shapes: a C++ "ns::f" or "a.b" stays */
	const char *s = name;
	while (*s >= 'a' && *s <= 'z') {
		const char *dot = s;
		while (*dot && *dot != '.' && *dot != '(' && *dot != ' ' && *dot != ':')
			dot++;
		if (*dot != '.')
			break;
		strbuf_addch(out, *s);
		strbuf_addch(out, '.');
		s = dot + 1;
	}
	strbuf_adds(out, s);
}

static bool is_java(const struct frame *f)
{
	return f->kind == FRAME_JAVA || f->kind == FRAME_JIT || f->kind == FRAME_INTERPRETED;
}

/* "function at file.c:12", or "function (module)", or "0x... (module)". */
static const char *top_text(struct arena *a, const struct frame *f)
{
	struct strbuf sb = STRBUF_INIT;
	if (f->function && is_java(f))
		java_abbreviate(f->function, &sb);
	else if (f->function)
		strbuf_adds(&sb, f->function);
	else if (f->has_pc)
		strbuf_addf(&sb, "0x%llx", (unsigned long long)f->pc);
	else
		strbuf_adds(&sb, "??");
	if (f->file) {
		strbuf_addf(&sb, " at %s", path_basename(f->file));
		if (f->line > 0)
			strbuf_addf(&sb, ":%d", f->line);
	} else if (f->module) {
		strbuf_addf(&sb, " (%s)", path_basename(f->module));
	}
	char *s = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return s;
}

static int clamp_width(size_t n, int cap)
{
	return n > (size_t)cap ? cap : (int)n;
}

static bool finding_is_cycle(const struct finding *f)
{
	return !strcmp(f->id, "lock-cycle") || !strcmp(f->id, "unwinder-loader-deadlock");
}

static void mark_threads(struct tmodel *m)
{
	struct dump *d = m->d;
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		unsigned mark = finding_is_cycle(f) ? MARK_CYCLE : MARK_FINDING;
		for (size_t k = 0; k < f->nthreads; k++)
			m->th[f->threads[k]->index].marks |= mark;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->th[i].t->crashed)
			m->th[i].marks |= MARK_CRASHED;
	if (d->crash && d->crash->thread)
		m->th[d->crash->thread->index].marks |= MARK_CRASHED;
}

static void describe_thread(struct tmodel *m, size_t i, struct strbuf *sb)
{
	struct tthread *tt = &m->th[i];
	struct thread *t = tt->t;
	strbuf_reset(sb);
	strbuf_addf(sb, "%s %s %s", t->id, t->name ? t->name : "", t->state ? t->state : "");
	tt->header = arena_strndup(m->arena, sb->buf, sb->len);
	const char *paren = t->state ? strstr(t->state, " (") : NULL;
	tt->state = !t->state ? "-" : paren && paren - t->state >= 3
			? arena_strndup(m->arena, t->state, (size_t)(paren - t->state)) : t->state;
	tt->frame_text = arena_alloc(m->arena, (t->nframes + 1) * sizeof(char *));
	for (size_t k = 0; k < t->nframes; k++) {
		strbuf_reset(sb);
		frame_describe(&t->frames[k], sb);
		tt->frame_text[k] = arena_strndup(m->arena, sb->buf, sb->len);
	}
	const struct frame *top = thread_site_frame(t);
	const struct frame *wait = NULL;
	if (top) { /* a waiting thread: its caller says who it is */
		size_t k = (size_t)(top - t->frames);
		while (k + 1 < t->nframes && frame_is(&t->frames[k], FRAME_WAITING)) {
			wait = &t->frames[k];
			k++;
		}
		if (wait && !frame_is_noise(&t->frames[k]))
			top = &t->frames[k];
		else
			wait = NULL;
		if (!frame_in_app(top)) /* the cursor on the application's code */
			top = thread_top_frame(t);
	}
	tt->top = top ? top_text(m->arena, top) : "";
	tt->top_frame = top ? (size_t)(top - t->frames) : 0;
	tt->waits_in = wait && wait->function ? arena_printf(m->arena, "in %s", wait->function) : NULL;
	tt->group = -1;
	if ((int)strlen(t->id) > m->id_w)
		m->id_w = clamp_width(strlen(t->id), 12);
	m->has_names |= t->name != NULL;
	m->has_states |= t->state != NULL;
	if (t->name && (int)strlen(t->name) > m->name_w)
		m->name_w = clamp_width(strlen(t->name), 24);
	if ((int)strlen(tt->state) > m->state_w)
		m->state_w = clamp_width(strlen(tt->state), 16);
}

/* Threads with the same frames (and at least one) share a group. */
static void build_groups(struct tmodel *m)
{
	struct hashmap seen = HASHMAP_INIT;
	struct strbuf key = STRBUF_INIT;
	size_t *first = xcalloc(m->n + 1, sizeof(*first));
	size_t *count = xcalloc(m->n + 1, sizeof(*count));
	size_t *owner = xcalloc(m->n + 1, sizeof(*owner));
	for (size_t i = 0; i < m->n; i++) {
		const struct thread *t = m->th[i].t;
		owner[i] = SIZE_MAX;
		if (!t->nframes)
			continue;
		strbuf_reset(&key);
		for (size_t k = 0; k < t->nframes; k++) {
			strbuf_adds(&key, m->th[i].frame_text[k]);
			strbuf_addch(&key, '\n');
		}
		void *v = hashmap_get(&seen, key.buf);
		if (!v) {
			hashmap_put(&seen, arena_strndup(m->arena, key.buf, key.len), (void *)(i + 1));
			first[i] = i;
		} else {
			first[i] = (size_t)v - 1;
		}
		count[first[i]]++;
		owner[i] = first[i];
	}
	/* a group per stack held by two threads or more, numbered by its first member */
	size_t *gid = xcalloc(m->n + 1, sizeof(*gid));
	for (size_t i = 0; i < m->n; i++)
		if (owner[i] == i && count[i] > 1)
			gid[i] = ++m->ngroups;
	m->groups = arena_alloc(m->arena, (m->ngroups + 1) * sizeof(*m->groups));
	for (size_t i = 0; i < m->n; i++) {
		if (owner[i] == SIZE_MAX || !gid[owner[i]])
			continue;
		struct tgroup *g = &m->groups[gid[owner[i]] - 1];
		if (!g->members)
			g->members = arena_alloc(m->arena, count[owner[i]] * sizeof(size_t));
		g->members[g->n++] = i;
		m->th[i].group = (int)(gid[owner[i]] - 1);
		if (g->n > m->max_group)
			m->max_group = g->n;
	}
	free(gid);
	free(first);
	free(count);
	free(owner);
	strbuf_release(&key);
	hashmap_clear(&seen);
}

static bool thread_matches(const struct tmodel *m, size_t i, struct tregex *re)
{
	const struct tthread *tt = &m->th[i];
	if (tregex_match(re, tt->header, strlen(tt->header)))
		return true;
	for (size_t k = 0; k < tt->t->nframes; k++)
		if (tregex_match(re, tt->frame_text[k], strlen(tt->frame_text[k])))
			return true;
	return false;
}

static size_t group_size(const struct tmodel *m, size_t i)
{
	int g = m->th[i].group;
	return g < 0 ? 1 : m->groups[g].n;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_threads(const void *pa, const void *pb, void *arg)
{
	const struct tmodel *m = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct thread *ta = m->th[a].t, *tb = m->th[b].t;
	int c = 0;
	switch (m->sort) {
	case SORT_GROUP: {
		size_t ga = group_size(m, a), gb = group_size(m, b);
		c = ga > gb ? -1 : ga < gb;
		if (!c)
			c = (m->th[a].group > m->th[b].group) - (m->th[a].group < m->th[b].group);
		break;
	}
	case SORT_STATE: c = cmp_str(ta->state, tb->state); break;
	case SORT_NAME: c = cmp_str(ta->name, tb->name); break;
	case SORT_DEPTH: c = ta->nframes > tb->nframes ? -1 : ta->nframes < tb->nframes; break;
	default: break;
	}
	return c ? c : (a > b) - (a < b);
}

static void push_row(struct tmodel *m, enum trow_kind kind, size_t index, bool member)
{
	m->rows[m->nrows++] = (struct trow){ kind, index, member };
}

/* Rows from the sorted visible threads: a group where its first member sorts. */
static void rebuild_rows(struct tmodel *m)
{
	size_t *order = xmalloc((m->n + 1) * sizeof(*order));
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->visible[i])
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_threads, m);
	for (size_t g = 0; g < m->ngroups; g++) {
		m->groups[g].nvisible = 0;
		for (size_t k = 0; k < m->groups[g].n; k++)
			m->groups[g].nvisible += m->visible[m->groups[g].members[k]];
	}
	bool *emitted = xcalloc(m->ngroups + 1, sizeof(*emitted));
	m->nrows = m->nflat = 0;
	for (size_t i = 0; i < m->n; i++)
		m->flat_pos[i] = SIZE_MAX;
	for (size_t k = 0; k < n; k++) {
		size_t ti = order[k];
		int g = m->th[ti].group;
		if (g < 0 || m->groups[g].nvisible < 2) {
			push_row(m, TROW_THREAD, ti, false);
			m->flat_pos[ti] = m->nflat;
			m->flat[m->nflat++] = ti;
			continue;
		}
		if (emitted[g])
			continue;
		emitted[g] = true;
		push_row(m, TROW_GROUP, (size_t)g, false);
		/* members in the current order: a second pass over ORDER keeps it simple */
		for (size_t j = k; j < n; j++) {
			size_t mj = order[j];
			if (m->th[mj].group != g)
				continue;
			if (m->groups[g].expanded)
				push_row(m, TROW_THREAD, mj, true);
			m->flat_pos[mj] = m->nflat;
			m->flat[m->nflat++] = mj;
		}
	}
	free(emitted);
	free(order);
}

void tmodel_init(struct tmodel *m, struct dump *d)
{
	memset(m, 0, sizeof(*m));
	m->d = d;
	m->arena = arena_new();
	m->n = d->nthreads;
	m->th = arena_alloc(m->arena, (m->n + 1) * sizeof(*m->th));
	m->id_w = 2;
	m->name_w = 4;
	m->state_w = 5;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < m->n; i++) {
		m->th[i].t = d->threads[i];
		describe_thread(m, i, &sb);
	}
	strbuf_release(&sb);
	mark_threads(m);
	build_groups(m);
	m->visible = xmalloc((m->n + 1) * sizeof(*m->visible));
	for (size_t i = 0; i < m->n; i++)
		m->visible[i] = true;
	m->rows = xmalloc((m->n + m->ngroups + 1) * sizeof(*m->rows));
	m->flat = xmalloc((m->n + 1) * sizeof(*m->flat));
	m->flat_pos = xmalloc((m->n + 1) * sizeof(*m->flat_pos));
	m->hit_start = xcalloc(m->n + 1, sizeof(*m->hit_start));
	m->hit_count = xcalloc(m->n + 1, sizeof(*m->hit_count));
	rebuild_rows(m);
}

void tmodel_release(struct tmodel *m)
{
	tregex_free(m->filter);
	tregex_free(m->search);
	free(m->visible);
	free(m->rows);
	free(m->flat);
	free(m->flat_pos);
	free(m->hit_start);
	free(m->hit_count);
	free(m->hits);
	arena_free(m->arena);
	memset(m, 0, sizeof(*m));
}

void tmodel_sort(struct tmodel *m, enum thread_sort s)
{
	m->sort = s < THREAD_SORT_COUNT ? s : SORT_NATURAL;
	rebuild_rows(m);
}

int tmodel_filter(struct tmodel *m, const char *pattern, struct strbuf *err)
{
	struct tregex *re = NULL;
	if (pattern && *pattern && !(re = tregex_new(pattern, err)))
		return -1;
	tregex_free(m->filter);
	m->filter = re;
	for (size_t i = 0; i < m->n; i++)
		m->visible[i] = !re || thread_matches(m, i, re);
	rebuild_rows(m);
	return 0;
}

void tmodel_toggle_group(struct tmodel *m, size_t g)
{
	if (g >= m->ngroups)
		return;
	m->groups[g].expanded = !m->groups[g].expanded;
	rebuild_rows(m);
}

size_t tmodel_reveal(struct tmodel *m, size_t ti)
{
	if (ti >= m->n || !m->visible[ti])
		return SIZE_MAX;
	int g = m->th[ti].group;
	if (g >= 0 && m->groups[g].nvisible > 1 && !m->groups[g].expanded) {
		m->groups[g].expanded = true;
		rebuild_rows(m);
	}
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].kind == TROW_THREAD && m->rows[r].index == ti)
			return r;
	return SIZE_MAX;
}

size_t tmodel_row_thread(const struct tmodel *m, size_t row)
{
	if (row >= m->nrows)
		return SIZE_MAX;
	const struct trow *r = &m->rows[row];
	if (r->kind == TROW_THREAD)
		return r->index;
	const struct tgroup *g = &m->groups[r->index];
	for (size_t k = 0; k < g->n; k++)
		if (m->visible[g->members[k]])
			return g->members[k];
	return SIZE_MAX;
}

int tmodel_search(struct tmodel *m, const char *pattern, struct strbuf *err)
{
	struct tregex *re = NULL;
	if (pattern && *pattern && !(re = tregex_new(pattern, err)))
		return -1;
	tregex_free(m->search);
	m->search = re;
	free(m->hits);
	m->hits = NULL;
	m->nhits = m->hit_threads = 0;
	size_t alloc = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct tthread *tt = &m->th[i];
		m->hit_start[i] = (uint32_t)m->nhits;
		m->hit_count[i] = 0;
		if (!re)
			continue;
		for (size_t line = 0; line <= tt->t->nframes; line++) {
			const char *s = line ? tt->frame_text[line - 1] : tt->header;
			if (!tregex_match(re, s, strlen(s)))
				continue;
			ALLOC_GROW(m->hits, m->nhits + 1, alloc);
			m->hits[m->nhits++] = (uint32_t)line;
			m->hit_count[i]++;
		}
		m->hit_threads += m->hit_count[i] > 0;
	}
	return 0;
}

bool tmodel_is_hit(const struct tmodel *m, size_t ti, long line)
{
	if (!m->search || ti >= m->n)
		return false;
	for (uint32_t k = 0; k < m->hit_count[ti]; k++)
		if ((long)m->hits[m->hit_start[ti] + k] == line)
			return true;
	return false;
}

/* The first (DIR > 0) or last hit of thread TI strictly after/before LINE, or -2. */
static long hit_in_thread(const struct tmodel *m, size_t ti, long line, int dir)
{
	const uint32_t *h = m->hits + m->hit_start[ti];
	uint32_t n = m->hit_count[ti];
	if (dir > 0) {
		for (uint32_t k = 0; k < n; k++)
			if ((long)h[k] > line)
				return h[k];
	} else {
		for (uint32_t k = n; k-- > 0;)
			if ((long)h[k] < line)
				return h[k];
	}
	return -2;
}

bool tmodel_next_hit(const struct tmodel *m, size_t *ti, long *line, int dir, bool *wrapped)
{
	*wrapped = false;
	if (!m->search || !m->nhits || !m->nflat)
		return false;
	size_t pos = *ti < m->n ? m->flat_pos[*ti] : SIZE_MAX;
	bool from_end = pos == SIZE_MAX;
	if (!from_end) {
		long l = hit_in_thread(m, *ti, *line, dir);
		if (l != -2) {
			*line = l;
			return true;
		}
	} else {
		pos = dir > 0 ? m->nflat - 1 : 0; /* start from an end */
	}
	for (size_t step = 1; step <= m->nflat; step++) {
		size_t p;
		if (dir > 0) {
			p = (pos + step) % m->nflat;
			if (p <= pos)
				*wrapped = true;
		} else {
			p = (pos + m->nflat - step % m->nflat) % m->nflat;
			if (p >= pos)
				*wrapped = true;
		}
		if (from_end)
			*wrapped = false;
		size_t t = m->flat[p];
		if (!m->hit_count[t])
			continue;
		*ti = t;
		*line = dir > 0 ? (long)m->hits[m->hit_start[t]]
				: (long)m->hits[m->hit_start[t] + m->hit_count[t] - 1];
		return true;
	}
	return false;
}

/* Whether PATH is a regular file this user can read: a dump names any path it likes, and a FIFO would hang the browser. */
static bool readable_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

/* PATH when it is a readable regular file (a malloc'ed copy), else NULL. */
static char *readable(const char *path)
{
	return readable_file(path) ? xstrdup(path) : NULL;
}

/* DIR/REST, readable, or NULL. */
static char *under(const char *dir, const char *rest)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, dir);
	if (sb.len && sb.buf[sb.len - 1] != '/' && *rest != '/')
		strbuf_addch(&sb, '/');
	strbuf_adds(&sb, rest);
	char *got = readable(sb.buf);
	strbuf_release(&sb);
	return got;
}

/* OLD=NEW: FILE under OLD, moved to NEW. */
static char *mapped(const char *file, const char *map, const char *eq)
{
	size_t olen = (size_t)(eq - map);
	if (olen && strncmp(file, map, olen))
		return NULL;
	struct strbuf dir = STRBUF_INIT;
	strbuf_add(&dir, eq + 1, strlen(eq + 1));
	char *got = under(dir.buf, file + olen);
	strbuf_release(&dir);
	return got;
}

/* A Java frame's source under a root: the package of its function as folders ("com/acme/") and the file. */
static char *java_package_path(const char *dir, const struct frame *f)
{
	if (!f->function || !is_java(f))
		return NULL;
	/* "com.acme.Bank.transfer": the package is what comes before the class (the part before the last two) */
	const char *fn = f->function, *paren = strchr(fn, '(');
	size_t n = paren ? (size_t)(paren - fn) : strlen(fn);
	size_t dots[2] = { 0, 0 }, seen = 0;
	for (size_t i = n; i-- > 0 && seen < 2;)
		if (fn[i] == '.')
			dots[seen++] = i;
	if (seen < 2)
		return NULL;
	struct strbuf rel = STRBUF_INIT;
	for (size_t i = 0; i < dots[1]; i++)
		strbuf_addch(&rel, fn[i] == '.' ? '/' : fn[i]);
	strbuf_addch(&rel, '/');
	strbuf_adds(&rel, path_basename(f->file));
	char *got = under(dir, rel.buf);
	strbuf_release(&rel);
	return got;
}

/* How many trailing path components A and B share. */
static int common_tail(const char *a, const char *b)
{
	size_t i = strlen(a), k = strlen(b);
	int n = 0;
	while (i && k && a[i - 1] == b[k - 1]) {
		i--, k--;
		if (a[i] == '/')
			n++;
	}
	return n + (!i || !k);
}

struct search {
	const char *file, *base;
	char *best;
	int best_tail;
	size_t visited;
};

#define SEARCH_ENTRIES 50000
#define SEARCH_DEPTH 16

/* Looks for S->base under DIR, keeping the match that shares most of S->file's path. */
static void search_tree(struct search *s, struct strbuf *dir, int depth)
{
	DIR *d = depth <= SEARCH_DEPTH ? opendir(dir->buf) : NULL;
	if (!d)
		return;
	struct dirent *e;
	size_t len = dir->len;
	while ((e = readdir(d)) && s->visited++ < SEARCH_ENTRIES) {
		if (e->d_name[0] == '.')
			continue; /* ., .., and hidden folders (.git) */
		strbuf_addf(dir, "/%s", e->d_name);
		if (e->d_type == DT_DIR) {
			search_tree(s, dir, depth + 1);
		} else if (!strcmp(e->d_name, s->base) && readable_file(dir->buf)) {
			int tail = common_tail(dir->buf, s->file);
			if (!s->best || tail > s->best_tail) {
				free(s->best);
				s->best = xstrdup(dir->buf);
				s->best_tail = tail;
			}
		}
		dir->len = len;
		dir->buf[len] = '\0';
	}
	closedir(d);
}

/* FILE under the source root DIR: as a relative path, by the Java package, by name anywhere below. */
static char *in_root(const char *dir, const struct frame *f)
{
	char *got = f->file[0] != '/' ? under(dir, f->file) : NULL;
	if (!got)
		got = java_package_path(dir, f);
	if (!got)
		got = under(dir, path_basename(f->file));
	if (got)
		return got;
	struct search s = { .file = f->file, .base = path_basename(f->file) };
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	search_tree(&s, &sb, 0);
	strbuf_release(&sb);
	return s.best;
}

char *tui_source_resolve(const struct frame *f, const char *const *roots, size_t nroots)
{
	if (!f || !f->file || !*f->file)
		return NULL;
	for (size_t i = 0; i < nroots; i++) {
		const char *eq = strchr(roots[i], '=');
		char *got = eq ? mapped(f->file, roots[i], eq) : in_root(roots[i], f);
		if (got)
			return got;
	}
	return readable(f->file);
}
