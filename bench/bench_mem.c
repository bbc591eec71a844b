// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_mem - kernel memory as /proc tells it (see bench_mem.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_mem.h"
#include "bench_sys.h"

long mi(const struct meminfo *m, const char *name)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return m->kb[i];
	return 0;
}

/*
 * MemFree counts the pages of the per-CPU free lists as used, and these
 * lists, up to some MiB per CPU, fill and drain in batches, so MemFree
 * alone moves by MiB for nothing.
 */
long free_with_pcp_kb(void)
{
	unsigned long pages = 0, v;
	char line[256];
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %lu", &v) == 1 ||
		    sscanf(line, " count: %lu", &v) == 1)
			pages += v;
	fclose(f);
	return (long)(pages * (unsigned long)sysconf(_SC_PAGESIZE) / 1024);
}

void read_meminfo(struct meminfo *m)
{
	char line[256];
	long kb;
	FILE *f;

	m->n = 0;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f) && m->n < MEMINFO_MAX - 1)
		if (sscanf(line, "%31[^:]: %ld", m->name[m->n],
			   &m->kb[m->n]) == 2)
			m->n++;
	fclose(f);
	kb = free_with_pcp_kb();
	snprintf(m->name[m->n], sizeof(m->name[m->n]), "%s", FREE_FIELD);
	m->kb[m->n++] = kb >= 0 ? kb : mi(m, "MemFree");
}

/*
 * slabinfo 2.1:
 * name <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>
 *   : tunables <limit> <batchcount> <sharedfactor>
 *   : slabdata <active_slabs> <num_slabs> <sharedavail>
 */
static void read_slabinfo(struct snapshot *s)
{
	struct slab_cache c;
	char line[512];
	FILE *f;

	s->n_caches = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n_caches < s->cap) {
		unsigned long objperslab;

		if (sscanf(line,
			   "%63s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %*u %lu",
			   c.name, &c.active_objs, &c.num_objs, &c.objsize,
			   &objperslab, &c.pagesperslab, &c.num_slabs) != 7)
			continue;
		s->caches[s->n_caches++] = c;
	}
	fclose(f);
}

void snapshot_init(struct snapshot *s, size_t cap)
{
	s->caches = cap ? xcalloc(cap, sizeof(*s->caches)) : NULL;
	/* Touched now: its pages are not allocated in a measurement. */
	if (cap)
		memset(s->caches, 0xff, cap * sizeof(*s->caches));
	s->cap = cap;
	s->n_caches = 0;
	memset(&s->mi, 0, sizeof(s->mi));
}

void snapshot_take(struct snapshot *s)
{
	read_meminfo(&s->mi);
	if (s->cap)
		read_slabinfo(s);
}

void snapshot_free(struct snapshot *s)
{
	free(s->caches);
	s->caches = NULL;
	s->n_caches = 0;
	s->cap = 0;
}

/* Each CPU folds its share into the counters about once a second. */
void mem_settle(unsigned int wait_ms, bool free_too)
{
	struct meminfo a, b;
	long ds, df;
	int i;

	if (wait_ms)
		usleep(wait_ms * 1000);
	read_meminfo(&a);
	for (i = 0; i < 10; i++) {
		usleep(300 * 1000);
		read_meminfo(&b);
		ds = mi(&b, "Slab") - mi(&a, "Slab");
		df = free_too ? mi(&b, FREE_FIELD) - mi(&a, FREE_FIELD) : 0;
		if (ds >= -8 && ds <= 8 && df >= -64 && df <= 64)
			break;
		a = b;
	}
}

const struct slab_cache *find_cache(const struct snapshot *s,
				    const char *name)
{
	size_t i;

	for (i = 0; i < s->n_caches; i++)
		if (!strcmp(s->caches[i].name, name))
			return &s->caches[i];
	return NULL;
}

static int cmp_delta(const void *a, const void *b)
{
	const struct cache_delta *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

struct cache_delta *cache_deltas(const struct snapshot *a,
				 const struct snapshot *b, size_t *nd,
				 long *bytes, long *slab_bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	struct cache_delta *d;
	size_t i;

	*nd = 0;
	*bytes = 0;
	*slab_bytes = 0;
	if (!b->n_caches || !a->n_caches)
		return NULL;
	d = xcalloc(b->n_caches, sizeof(*d));
	for (i = 0; i < b->n_caches; i++) {
		const struct slab_cache *y = &b->caches[i];
		const struct slab_cache *x = find_cache(a, y->name);
		long objs = (long)y->active_objs - (x ? (long)x->active_objs : 0);
		long slab = ((long)y->num_slabs - (x ? (long)x->num_slabs : 0)) *
			    (long)y->pagesperslab * page;

		*bytes += objs * (long)y->objsize;
		*slab_bytes += slab;
		if (!objs && !slab)
			continue;
		d[(*nd)++] = (struct cache_delta){
			.name = y->name, .objsize = y->objsize, .objs = objs,
			.bytes = objs * (long)y->objsize, .slab_bytes = slab,
		};
	}
	qsort(d, *nd, sizeof(*d), cmp_delta);
	return d;
}

long object_bytes(const struct snapshot *a, const struct snapshot *b)
{
	long bytes, slab_bytes;
	size_t n;

	free(cache_deltas(a, b, &n, &bytes, &slab_bytes));
	return bytes;
}

bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

const char *prefix_text(const char *name, const struct prefix_text *t,
			size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (has_prefix(name, t[i].prefix))
			return t[i].text;
	return "";
}
