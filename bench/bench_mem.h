/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench_mem - kernel memory as /proc tells it, for ctxbench and membench:
 * /proc/meminfo (with the free pages of /proc/zoneinfo), /proc/slabinfo,
 * snapshots of both and what changed from one snapshot to another.
 *
 * A snapshot's room for the slab caches is allocated (and touched) when
 * it is readied, so that taking it allocates no memory in a measurement.
 * /proc/slabinfo needs root; without it a snapshot has no caches, and the
 * per-cache deltas are left out.
 */
#ifndef BENCH_MEM_H
#define BENCH_MEM_H

#include <stdbool.h>
#include <stddef.h>

#define MEMINFO_MAX		96
/* The pseudo-field of struct meminfo with free_with_pcp_kb(). */
#define FREE_FIELD		"Free+pcp"
#define SLAB_NAME_MAX		64
/* More caches than a kernel has (Debian's 6.1 with slab_nomerge: ~250). */
#define SLAB_CACHES_MAX		2048

/**
 * struct meminfo - /proc/meminfo at one moment
 * @name: field names
 * @kb: their values, kB (or pages, for the HugePages counts)
 * @n: fields
 */
struct meminfo {
	char name[MEMINFO_MAX][32];
	long kb[MEMINFO_MAX];
	unsigned int n;
};

/**
 * struct slab_cache - one line of /proc/slabinfo
 * @name: cache name
 * @active_objs: objects in use
 * @num_objs: objects allocated in slabs
 * @objsize: object size in bytes, with metadata
 * @pagesperslab: pages per slab
 * @num_slabs: slabs of the cache
 */
struct slab_cache {
	char name[SLAB_NAME_MAX];
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long objsize;
	unsigned long pagesperslab;
	unsigned long num_slabs;
};

/**
 * struct snapshot - kernel memory at one moment
 * @mi: /proc/meminfo
 * @caches: the slab caches; none if /proc/slabinfo is not readable
 * @n_caches: entries in @caches
 * @cap: room in @caches; 0 for a snapshot of /proc/meminfo alone
 */
struct snapshot {
	struct meminfo mi;
	struct slab_cache *caches;
	size_t n_caches;
	size_t cap;
};

/**
 * struct cache_delta - what one slab cache gained between two snapshots
 * @name: cache name
 * @objsize: object size
 * @objs: objects in use, after - before
 * @bytes: @objs * @objsize
 * @slab_bytes: memory of the cache's slabs, after - before
 */
struct cache_delta {
	const char *name;
	unsigned long objsize;
	long objs;
	long bytes;
	long slab_bytes;
};

/**
 * struct prefix_text - a text for the names that start with a prefix
 * @prefix: the start of a name
 * @text: what to say of it
 */
struct prefix_text {
	const char *prefix;
	const char *text;
};

/* A field of /proc/meminfo in kB, 0 if absent. */
long mi(const struct meminfo *m, const char *name);

/*
 * Free memory, kB: the free pages of every zone plus those on the
 * per-CPU free lists, from /proc/zoneinfo; -1 if it cannot be read.
 */
long free_with_pcp_kb(void);

/*
 * /proc/meminfo, and FREE_FIELD: free_with_pcp_kb(), or MemFree if
 * /proc/zoneinfo is not readable. Dies if /proc/meminfo is not readable.
 */
void read_meminfo(struct meminfo *m);

/* Ready @s with room for @cap slab caches (0: meminfo only). */
void snapshot_init(struct snapshot *s, size_t cap);
/* /proc/meminfo and, if @s has room for them, the slab caches. */
void snapshot_take(struct snapshot *s);
void snapshot_free(struct snapshot *s);

/*
 * Wait until freed objects are really back (files, contexts and pages
 * are freed after an RCU grace period or by a worker) and the counters
 * are up to date: first @wait_ms, then until Slab (and with @free_too
 * free memory) holds still for one interval, or a few seconds at most.
 */
void mem_settle(unsigned int wait_ms, bool free_too);

/* The cache @name of @s, or NULL. */
const struct slab_cache *find_cache(const struct snapshot *s,
				    const char *name);

/*
 * The caches whose objects in use or slabs changed between @a and @b,
 * largest growth in bytes first; *@nd gets their number, *@bytes the
 * bytes of all objects gained (objects x objsize) and *@slab_bytes those
 * of the slabs. NULL (and 0s) if either snapshot has no caches; else to
 * be freed.
 */
struct cache_delta *cache_deltas(const struct snapshot *a,
				 const struct snapshot *b, size_t *nd,
				 long *bytes, long *slab_bytes);

/* The bytes of the objects gained from @a to @b in all caches (0 if none). */
long object_bytes(const struct snapshot *a, const struct snapshot *b);

/* Whether @name starts with @prefix. */
bool has_prefix(const char *name, const char *prefix);

/* The text of the first entry of @t (@n entries) @name starts with, or "". */
const char *prefix_text(const char *name, const struct prefix_text *t,
			size_t n);

#endif /* BENCH_MEM_H */
