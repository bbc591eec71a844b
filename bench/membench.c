// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - what vkfd's GPU memory costs: time, and kernel memory.
 *
 * Three phases, in this order, each run by a child process so that its
 * contexts are gone (with the child's address space) before the next one
 * starts. Every context is a secondary with its own GPU VM on the first
 * GPU: an fd of the device made a secondary (AMDKFD_IOC_CREATE_PROCESS),
 * an fd of the GPU's render node (/dev/dri/renderD<drm_render_minor>),
 * AMDKFD_IOC_ACQUIRE_VM binding the two.
 *
 *   latency  AMDKFD_IOC_ALLOC_MEMORY_OF_GPU + MAP_MEMORY_TO_GPU +
 *            UNMAP_MEMORY_FROM_GPU + FREE_MEMORY_OF_GPU of one buffer
 *            (4 KiB GTT, 2 MiB GTT, 2 MiB VRAM, 64 MiB VRAM) in a VM that
 *            holds N live 4 KiB mappings at other addresses (N = 0, 100,
 *            1000, 10000). One VM per N, built first; then rounds do
 *            each buffer in every VM in turn, one cycle at a time, so
 *            that the machine's changes of speed (TCG on a shared host
 *            runs at two speeds, switching every few seconds) hit every N
 *            alike and the ratios to N = 0 hold. References without vkfd,
 *            in the same rounds: four GET_VERSION ioctls (the floor of
 *            four ioctls) and a memfd of the buffer's size, created,
 *            filled with fallocate() and closed (the shmem page work
 *            alone, which vkfd's map and free do too).
 *   pt       GPU page-table memory per GiB mapped: 1 GiB (less on a small
 *            machine) of 2 MiB buffers mapped back to back in one VM, the
 *            pt column of <debugfs>/vkfd/contexts before and after.
 *   ctxmem   kernel memory per context with one GPU VM and one 4 KiB
 *            mapping: C secondaries each get, step by step, their render
 *            fd, ACQUIRE_VM, a 4 KiB GTT buffer, its mapping; after each
 *            step the deltas of /proc/meminfo (Slab, Shmem, free memory:
 *            MemFree and the per-CPU free lists of /proc/zoneinfo) and of
 *            /proc/slabinfo, divided by C. Then everything is closed and
 *            the deltas to the start should be 0 again.
 *
 * Times come from CLOCK_MONOTONIC (under TCG the HPET, about 1 us a read):
 * a sample is one cycle, timed as a whole; a quarter as many cycles are
 * timed step by step (three more clock reads each) for the breakdown;
 * 64 MiB cycles, long enough for the clock not to matter, are all timed
 * step by step. The first round warms up and is not recorded.
 *
 * membench never fails because something is slow or big: it exits
 * non-zero only if an operation fails that must not (the driver or the
 * bench is broken), or if it is misused.
 *
 * Usage: membench [-h] [-t PHASES] [-n N,N,...] [-c C] [-g MIB] [-s SCALE]
 *                 [-v DEV]
 *
 * The device defaults to $VKFD_DEV, else /dev/vkfd; its topology is read
 * from $VKFD_TOPOLOGY, else /sys/class/<name>/<name>/topology, and the
 * contexts file from $VKFD_DEBUGFS (else /sys/kernel/debug/vkfd)/contexts.
 * /proc/slabinfo needs root; without it the per-cache table is left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define KiB			(1ull << 10)
#define MiB			(1ull << 20)
#define GiB			(1ull << 30)

#define PHASE_LATENCY		(1u << 0)
#define PHASE_PT		(1u << 1)
#define PHASE_CTXMEM		(1u << 2)
#define PHASE_ALL		(PHASE_LATENCY | PHASE_PT | PHASE_CTXMEM)

#define MAX_NS			8
#define MAX_LIVE		100000
#define DEFAULT_CTXS		1000
#define MAX_CTXS		30000

/*
 * GPU addresses. The live 4 KiB mappings of the latency phase sit back
 * to back from 4 GiB; the measured buffer alone in its 1 GiB from 64 GiB,
 * so every cycle makes its page tables (a PDB0 and the PTBs) and frees
 * them again at the unmap. The pt phase maps from 1 GiB, aligned, so the
 * tables cover exactly what is mapped.
 */
#define POOL_VA			(4 * GiB)
#define MEASURED_VA		(64 * GiB)
#define PT_VA			(1 * GiB)
#define PT_BUF_SIZE		(2 * MiB)
#define CTX_VA			(2 * MiB)

/* Rounds of the latency phase at scale 1.0, plus one warm-up round. */
#define LAT_ROUNDS		12

#define GPU_PAGE		4096ull

/* A page table of gfx9: 512 entries of 8 bytes, one 4 KiB page. */
#define PT_TABLE_SIZE		4096ull

/**
 * struct membench - what to run, and on what
 * @dev: vkfd's device node
 * @topology: its topology directory in sysfs
 * @contexts: <debugfs>/vkfd/contexts
 * @phases: PHASE_* bits
 * @ns: live mappings of the latency phase, ascending
 * @n_ns: entries in @ns
 * @ctxs: contexts of the ctxmem phase
 * @pt_mib: MiB the pt phase maps, 0 for "as much as the machine allows"
 * @scale: factor on every iteration count
 * @nofile: RLIMIT_NOFILE in force
 * @gpu_id: the GPU measured (the first one)
 * @render: its render node, /dev/dri/renderD<minor>
 */
struct membench {
	const char *dev;
	char topology[256];
	char contexts[256];
	unsigned int phases;
	unsigned int ns[MAX_NS];
	unsigned int n_ns;
	unsigned int ctxs;
	unsigned int pt_mib;
	double scale;
	unsigned int nofile;
	uint32_t gpu_id;
	char render[64];
};

/**
 * struct vm - a secondary context with its GPU VM on the measured GPU
 * @kfd: the device fd, bound to the secondary
 * @render: the render node fd bound to its VM
 * @ctx_id: the secondary's id (the context column of debugfs)
 * @gpu_id: the GPU (and the id array of MAP and UNMAP)
 */
struct vm {
	int kfd;
	int render;
	uint32_t ctx_id;
	uint32_t gpu_id;
};

/**
 * struct samples - one measured series, in nanoseconds
 * @v: the samples
 * @n: entries in @v
 * @cap: allocated entries of @v
 */
struct samples {
	double *v;
	size_t n;
	size_t cap;
};

/**
 * struct summary - statistics of a series, in nanoseconds
 * @p50: median
 * @p90: 90th percentile
 * @mean: arithmetic mean
 * @n: number of samples
 */
struct summary {
	double p50;
	double p90;
	double mean;
	size_t n;
};

/* --- helpers ----------------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "membench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double us(double ns)
{
	return ns / 1000.0;
}

static unsigned int scaled(const struct membench *mb, unsigned int n,
			   unsigned int min)
{
	double v = n * mb->scale;

	return v < min ? min : (unsigned int)(v + 0.5);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("calloc");
	return p;
}

static void samples_add(struct samples *s, double ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			die("realloc");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
}

static void samples_free(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the samples in place. */
static struct summary summarize(struct samples *s)
{
	struct summary r = { .n = s->n };
	double sum = 0;
	size_t i;

	if (!s->n)
		return r;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	r.mean = sum / s->n;
	r.p50 = s->n % 2 ? s->v[s->n / 2] :
		(s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
	r.p90 = s->v[(s->n * 9) / 10];
	return r;
}

/* The first line of @path, without its newline; -errno on failure. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

/*
 * Run @fn in a child process and return its exit status (-1 if it died
 * of a signal). Contexts the child made die with its address space.
 */
static int run_child(int (*fn)(const struct membench *mb),
		     const struct membench *mb)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int ret = fn(mb);

		fflush(stdout);
		fflush(stderr);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status)) {
		printf("!! child killed by signal %d\n", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Raise RLIMIT_NOFILE as far as allowed, up to @want; returns the limit. */
static unsigned int raise_nofile(unsigned int want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur < want) {
		struct rlimit r = { want, want };

		if (rl.rlim_max >= want)
			r.rlim_max = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	return (unsigned int)rl.rlim_cur;
}

/* Grow the fd table to @nofile entries now, not inside a measurement. */
static void grow_fd_table(unsigned int nofile)
{
	int fd = dup2(0, (int)nofile - 1);

	if (fd >= 0)
		close(fd);
}

/* Keep the measuring thread on one CPU: no migrations mid-series. */
static void pin_to_one_cpu(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* --- the GPU, its VMs and buffers ---------------------------------------- */

/*
 * The render node of GPU @gpu_id: the topology node whose gpu_id it is
 * publishes drm_render_minor in its properties.
 */
static int find_render_node(struct membench *mb)
{
	char path[512], line[256];
	unsigned int node, minor;
	unsigned long id;
	FILE *f;

	for (node = 0; node < 64; node++) {
		snprintf(path, sizeof(path), "%s/nodes/%u/gpu_id", mb->topology,
			 node);
		if (read_line(path, line, sizeof(line)))
			break;
		id = strtoul(line, NULL, 10);
		if (!id || id != mb->gpu_id)
			continue;
		snprintf(path, sizeof(path), "%s/nodes/%u/properties",
			 mb->topology, node);
		f = fopen(path, "r");
		if (!f)
			return -errno;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "drm_render_minor %u", &minor) == 1) {
				fclose(f);
				snprintf(mb->render, sizeof(mb->render),
					 "/dev/dri/renderD%u", minor);
				return 0;
			}
		}
		fclose(f);
		return -ENOENT;
	}
	return -ENOENT;
}

/*
 * Open a secondary context on @mb's device with its VM on the measured
 * GPU, bound to a fresh fd of the render node. Returns 0 or -errno, and
 * on failure nothing stays open.
 */
static int vm_open(const struct membench *mb, struct vm *vm)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	int ret;

	ret = vkfd_open_secondary(mb->dev, &ctx);
	if (ret)
		return ret;
	ret = vkfd_query(&ctx, &info);
	if (ret)
		goto err_close;
	vm->kfd = ctx.fd;
	vm->ctx_id = info.ctx_id;
	vm->gpu_id = mb->gpu_id;
	vm->render = open(mb->render, O_RDWR | O_CLOEXEC);
	if (vm->render < 0) {
		ret = -errno;
		goto err_close;
	}
	acq.gpu_id = mb->gpu_id;
	acq.drm_fd = vm->render;
	ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq);
	if (ret) {
		close(vm->render);
		goto err_close;
	}
	return 0;

err_close:
	vkfd_close(&ctx);
	return ret;
}

static void vm_close(struct vm *vm)
{
	close(vm->render);
	close(vm->kfd);
	vm->render = -1;
	vm->kfd = -1;
}

static int buf_alloc(const struct vm *vm, uint64_t va, uint64_t size,
		     uint32_t domain, uint64_t *handle)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a = {
		.va_addr = va,
		.size = size,
		.gpu_id = vm->gpu_id,
		.flags = domain | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
	};
	int ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &a);

	*handle = a.handle;
	return ret;
}

static int buf_map(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_map_memory_to_gpu_args a = {
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&vm->gpu_id,
		.n_devices = 1,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_MAP_MEMORY_TO_GPU, &a);
}

static int buf_unmap(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_unmap_memory_from_gpu_args a = {
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&vm->gpu_id,
		.n_devices = 1,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &a);
}

static int buf_free(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_free_memory_of_gpu_args a = { .handle = handle };

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &a);
}

/* Allocate and map; on failure nothing is left. */
static int buf_alloc_map(const struct vm *vm, uint64_t va, uint64_t size,
			 uint32_t domain, uint64_t *handle)
{
	int ret = buf_alloc(vm, va, size, domain, handle);

	if (ret)
		return ret;
	ret = buf_map(vm, *handle);
	if (ret)
		buf_free(vm, *handle);
	return ret;
}

/* VRAM the GPU has left for allocations, or 0 if it cannot be asked. */
static uint64_t vram_available(const struct vm *vm)
{
	struct kfd_ioctl_get_available_memory_args a = {
		.gpu_id = vm->gpu_id,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_AVAILABLE_MEMORY, &a) ? 0 :
	       a.available;
}

static const char *domain_name(uint32_t domain)
{
	return domain == KFD_IOC_ALLOC_MEM_FLAGS_VRAM ? "VRAM" : "GTT";
}

static const char *size_name(uint64_t size, char *buf, size_t len)
{
	if (size >= MiB && !(size % MiB))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(size / MiB));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(size / KiB));
	return buf;
}

/* --- debugfs: the contexts file ------------------------------------------- */

/**
 * struct ctx_usage - what the contexts file says about some contexts
 * @contexts: lines that matched
 * @bos: buffer handles
 * @pt: bytes of page tables
 */
struct ctx_usage {
	unsigned long contexts;
	unsigned long bos;
	unsigned long long pt;
};

/* Index of column @name in the tab-separated header @hdr, or -1. */
static int column(const char *hdr, const char *name)
{
	char buf[256], *tok, *save;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", hdr);
	for (tok = strtok_r(buf, "\t\n", &save); tok;
	     tok = strtok_r(NULL, "\t\n", &save), i++)
		if (!strcmp(tok, name))
			return i;
	return -1;
}

/*
 * Sum the contexts of process @pid in the contexts file: the one with id
 * @ctx_id, or all of them if @ctx_id is VKFD_CTX_ID_SELF. Returns 0, or
 * -errno if the file cannot be read or lacks the columns.
 */
static int ctx_usage(const struct membench *mb, pid_t pid, uint32_t ctx_id,
		     struct ctx_usage *u)
{
	int c_pid, c_ctx, c_bos, c_pt, i;
	char line[512], *tok, *save;
	FILE *f;

	memset(u, 0, sizeof(*u));
	f = fopen(mb->contexts, "r");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	c_pid = column(line, "pid");
	c_ctx = column(line, "context");
	c_bos = column(line, "bos");
	c_pt = column(line, "pt");
	if (c_pid < 0 || c_ctx < 0 || c_bos < 0 || c_pt < 0) {
		fclose(f);
		return -ENODATA;
	}
	while (fgets(line, sizeof(line), f)) {
		bool mine = true;
		unsigned long bos = 0;
		unsigned long long pt = 0;

		for (i = 0, tok = strtok_r(line, "\t\n", &save); tok;
		     tok = strtok_r(NULL, "\t\n", &save), i++) {
			if (i == c_pid && strtol(tok, NULL, 10) != pid)
				mine = false;
			if (i == c_ctx && ctx_id != VKFD_CTX_ID_SELF &&
			    (!strcmp(tok, "primary") ||
			     strtoul(tok, NULL, 10) != ctx_id))
				mine = false;
			if (i == c_bos)
				bos = strtoul(tok, NULL, 10);
			if (i == c_pt)
				pt = strtoull(tok, NULL, 10);
		}
		if (!mine)
			continue;
		u->contexts++;
		u->bos += bos;
		u->pt += pt;
	}
	fclose(f);
	return 0;
}

/* --- /proc/meminfo and /proc/slabinfo ------------------------------------- */

#define MEMINFO_MAX		96
/* The pseudo-field of struct meminfo with free_with_pcp_kb(). */
#define FREE_FIELD		"Free+pcp"
#define SLAB_NAME_MAX		64

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
 * @objsize: object size in bytes, with metadata
 */
struct slab_cache {
	char name[SLAB_NAME_MAX];
	unsigned long active_objs;
	unsigned long objsize;
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

/* More caches than a kernel has (Debian's 6.1 with slab_nomerge: ~250). */
#define SLAB_CACHES_MAX		2048

/* A field of /proc/meminfo in kB, 0 if absent. */
static long mi(const struct meminfo *m, const char *name)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return m->kb[i];
	return 0;
}

/*
 * Free memory, kB: the free pages of every zone plus those on the
 * per-CPU free lists, from /proc/zoneinfo. MemFree counts the pages of
 * the per-CPU lists as used, and these lists, up to some MiB per CPU,
 * fill and drain in batches, so MemFree alone moves by MiB for nothing.
 * Returns -1 if /proc/zoneinfo cannot be read.
 */
static long free_with_pcp_kb(void)
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

/*
 * /proc/meminfo, and FREE_FIELD: free_with_pcp_kb(), or MemFree if
 * /proc/zoneinfo is not readable.
 */
static void read_meminfo(struct meminfo *m)
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
 *   : tunables ... : slabdata ...
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
		if (sscanf(line, "%63s %lu %*u %lu", c.name, &c.active_objs,
			   &c.objsize) != 3)
			continue;
		s->caches[s->n_caches++] = c;
	}
	fclose(f);
}

/*
 * Ready a snapshot with room for @cap slab caches (0: meminfo only),
 * allocated and touched now: its memory is not taken in a measurement.
 */
static void snapshot_init(struct snapshot *s, size_t cap)
{
	s->caches = cap ? xcalloc(cap, sizeof(*s->caches)) : NULL;
	if (cap)
		memset(s->caches, 0xff, cap * sizeof(*s->caches));
	s->cap = cap;
	s->n_caches = 0;
	memset(&s->mi, 0, sizeof(s->mi));
}

static void snapshot_take(struct snapshot *s)
{
	read_meminfo(&s->mi);
	if (s->cap)
		read_slabinfo(s);
}

static void snapshot_free(struct snapshot *s)
{
	free(s->caches);
	s->caches = NULL;
	s->n_caches = 0;
	s->cap = 0;
}

/*
 * Wait until freed objects are really back (files, contexts and pages
 * are freed after an RCU grace period or by a worker) and the counters
 * are up to date (each CPU folds its share into them about once a
 * second). Stops when Slab and free memory hold still for one interval,
 * or after a few seconds.
 */
static void mem_settle(void)
{
	struct meminfo a, b;
	long ds, df;
	int i;

	usleep(1200 * 1000);
	read_meminfo(&a);
	for (i = 0; i < 10; i++) {
		usleep(300 * 1000);
		read_meminfo(&b);
		ds = mi(&b, "Slab") - mi(&a, "Slab");
		df = mi(&b, FREE_FIELD) - mi(&a, FREE_FIELD);
		if (ds >= -8 && ds <= 8 && df >= -64 && df <= 64)
			break;
		a = b;
	}
}

static const struct slab_cache *find_cache(const struct snapshot *s,
					   const char *name)
{
	size_t i;

	for (i = 0; i < s->n_caches; i++)
		if (!strcmp(s->caches[i].name, name))
			return &s->caches[i];
	return NULL;
}

/* --- phase: latency --------------------------------------------------- */

/* The four steps of a cycle. */
#define STEPS			4

/**
 * struct lat_case - a buffer whose alloc+map+unmap+free is measured
 * @size: bytes
 * @domain: KFD_IOC_ALLOC_MEM_FLAGS_GTT or _VRAM
 * @whole: cycles timed as a whole per round and N, at scale 1.0; 0: the
 *	totals come from the cycles timed step by step (for cycles so long
 *	that three more clock reads do not count)
 * @steps: cycles timed step by step per round and N, at scale 1.0
 */
struct lat_case {
	uint64_t size;
	uint32_t domain;
	unsigned int whole;
	unsigned int steps;
};

/*
 * Sized for TCG, where a 4 KiB cycle takes some 50 us and a 64 MiB one,
 * which allocates, zeroes and frees 16384 pages, some 100 ms.
 */
static const struct lat_case lat_cases[] = {
	{ 4 * KiB, KFD_IOC_ALLOC_MEM_FLAGS_GTT, 100, 25 },
	{ 2 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_GTT, 12, 4 },
	{ 2 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_VRAM, 12, 4 },
	{ 64 * MiB, KFD_IOC_ALLOC_MEM_FLAGS_VRAM, 0, 3 },
};

#define LAT_CASES		ARRAY_SIZE(lat_cases)

/**
 * struct lat_results - what the latency phase measured
 * @whole: cycles timed as a whole, per case and N
 * @step: cycles timed step by step, per case, N and step
 * @memfd: the memfd reference, per case
 * @floor: four GET_VERSION ioctls
 * @grow: mean alloc + map of one live mapping while making the VMs'
 *	mappings, per N
 * @pt: page-table bytes of each VM with its live mappings (debugfs)
 * @pt_ok: whether @pt could be read
 */
struct lat_results {
	struct samples whole[LAT_CASES][MAX_NS];
	struct samples step[LAT_CASES][MAX_NS][STEPS];
	struct samples memfd[LAT_CASES];
	struct samples floor;
	double grow[MAX_NS];
	unsigned long long pt[MAX_NS];
	bool pt_ok;
};

/*
 * One cycle of @c at MEASURED_VA in @vm: alloc + map + unmap + free. With
 * @t, the clock is read between the steps too: t[0] .. t[4].
 */
static int lat_cycle(const struct vm *vm, const struct lat_case *c,
		     uint64_t *t)
{
	uint64_t h;
	int ret;

	if (t)
		t[0] = now_ns();
	ret = buf_alloc(vm, MEASURED_VA, c->size, c->domain, &h);
	if (ret)
		return ret;
	if (t)
		t[1] = now_ns();
	ret = buf_map(vm, h);
	if (ret)
		goto err_free;
	if (t)
		t[2] = now_ns();
	ret = buf_unmap(vm, h);
	if (ret)
		goto err_free;
	if (t)
		t[3] = now_ns();
	ret = buf_free(vm, h);
	if (t)
		t[4] = now_ns();
	return ret;

err_free:
	buf_free(vm, h);
	return ret;
}

/* A batch of @n cycles timed as a whole, into @out if @keep. */
static int lat_batch_whole(const struct vm *vm, const struct lat_case *c,
			   unsigned int n, bool keep, struct samples *out)
{
	unsigned int i;
	uint64_t t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		ret = lat_cycle(vm, c, NULL);
		if (ret)
			return ret;
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/*
 * A batch of @n cycles timed step by step, into @out[STEPS] if @keep,
 * and their totals into @total unless it is NULL.
 */
static int lat_batch_steps(const struct vm *vm, const struct lat_case *c,
			   unsigned int n, bool keep, struct samples *out,
			   struct samples *total)
{
	uint64_t t[STEPS + 1];
	unsigned int i, s;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lat_cycle(vm, c, t);
		if (ret)
			return ret;
		for (s = 0; keep && s < STEPS; s++)
			samples_add(&out[s], (double)(t[s + 1] - t[s]));
		if (keep && total)
			samples_add(total, (double)(t[STEPS] - t[0]));
	}
	return 0;
}

/* The reference without vkfd: memfd of @size, fallocate(), close(). */
static int memfd_batch(uint64_t size, unsigned int n, bool keep,
		       struct samples *out)
{
	unsigned int i;
	uint64_t t0;
	int fd;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		fd = memfd_create("membench", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fallocate(fd, 0, 0, (off_t)size)) {
			int ret = -errno;

			close(fd);
			return ret;
		}
		close(fd);
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/* The floor: four GET_VERSION ioctls, as many ioctls as a cycle. */
static int floor_batch(const struct vm *vm, unsigned int n, bool keep,
		       struct samples *out)
{
	struct kfd_ioctl_get_version_args v;
	unsigned int i, j;
	uint64_t t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		for (j = 0; j < 4; j++) {
			ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_GET_VERSION, &v);
			if (ret)
				return ret;
		}
		if (keep)
			samples_add(out, (double)(now_ns() - t0));
	}
	return 0;
}

/* Make @n live 4 KiB GTT mappings in @vm, back to back from POOL_VA. */
static int lat_make_pool(const struct vm *vm, unsigned int n, double *us_each)
{
	uint64_t t0 = now_ns(), h;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = buf_alloc_map(vm, POOL_VA + i * GPU_PAGE, GPU_PAGE,
				    KFD_IOC_ALLOC_MEM_FLAGS_GTT, &h);
		if (ret) {
			fprintf(stderr, "membench: live mapping %u of %u: %s\n",
				i, n, strerror(-ret));
			return ret;
		}
	}
	*us_each = n ? us((double)(now_ns() - t0) / n) : 0;
	return 0;
}

static void lat_print(const struct membench *mb, struct lat_results *r,
		      unsigned int rounds)
{
	struct summary base, s, st[STEPS], fl, ref;
	unsigned int c, i, k;
	char size[32], label[48];

	printf("  us per cycle; %u rounds, each doing every buffer in every VM in turn, a\n"
	       "  cycle at a time; the map allocates and pins the buffer's pages (shmem),\n"
	       "  the free releases them; the buffer sits alone in its GiB of GPU VA, so\n"
	       "  every cycle also makes and frees its page tables\n\n",
	       rounds);
	printf("  %-15s %6s %9s %9s %7s %7s | %8s %8s %8s %8s | %11s\n",
	       "buffer", "N", "p50", "p90", "p50/N=0", "p90/N=0", "alloc",
	       "map", "unmap", "free", "samples");
	for (c = 0; c < LAT_CASES; c++) {
		snprintf(label, sizeof(label), "%s %s",
			 size_name(lat_cases[c].size, size, sizeof(size)),
			 domain_name(lat_cases[c].domain));
		base = summarize(&r->whole[c][0]);
		for (i = 0; i < mb->n_ns; i++) {
			char n[32];

			s = i ? summarize(&r->whole[c][i]) : base;
			for (k = 0; k < STEPS; k++)
				st[k] = summarize(&r->step[c][i][k]);
			if (lat_cases[c].whole)
				snprintf(n, sizeof(n), "%zu + %zu", s.n,
					 st[0].n);
			else
				snprintf(n, sizeof(n), "%zu by step", st[0].n);
			printf("  %-15s %6u %9.2f %9.2f %7.2f %7.2f | %8.2f %8.2f %8.2f %8.2f | %11s\n",
			       i ? "" : label, mb->ns[i], us(s.p50), us(s.p90),
			       s.p50 / base.p50, s.p90 / base.p90,
			       us(st[0].p50), us(st[1].p50), us(st[2].p50),
			       us(st[3].p50), n);
		}
	}
	printf("  (N: live 4 KiB GTT mappings in the same VM, back to back from GPU VA\n"
	       "   0x%llx; the buffer is at 0x%llx. alloc .. free: p50 of each\n"
	       "   step of the cycles timed step by step; samples: cycles timed whole +\n"
	       "   by step, or only by step, the totals from the same cycles)\n\n",
	       (unsigned long long)POOL_VA, (unsigned long long)MEASURED_VA);

	fl = summarize(&r->floor);
	printf("  %-36s %9s %9s %9s   %s\n", "vkfd vs nothing, in the same rounds",
	       "p50", "p90", "samples", "vkfd at N=0 / this (p50)");
	printf("  %-36s %9.2f %9.2f %9zu\n", "4 x GET_VERSION (four ioctls)",
	       us(fl.p50), us(fl.p90), fl.n);
	for (c = 0; c < LAT_CASES; c++) {
		char what[64];

		ref = summarize(&r->memfd[c]);
		base = summarize(&r->whole[c][0]);
		snprintf(what, sizeof(what), "memfd %s: create+fallocate+close",
			 size_name(lat_cases[c].size, size, sizeof(size)));
		printf("  %-36s %9.2f %9.2f %9zu   %.2f (%s %s)\n", what,
		       us(ref.p50), us(ref.p90), ref.n, base.p50 / ref.p50,
		       size, domain_name(lat_cases[c].domain));
	}
	printf("  (the memfd does the shmem work of a buffer's pages: allocate and zero\n"
	       "   them, free them at the close; what vkfd adds is the GEM object, the\n"
	       "   handle, the pinning and the page tables)\n\n");

	printf("  page tables of each VM with its N live mappings (debugfs pt):\n");
	for (i = 0; i < mb->n_ns; i++) {
		if (r->pt_ok)
			printf("    N = %6u: %9llu B", mb->ns[i], r->pt[i]);
		else
			printf("    N = %6u: %9s", mb->ns[i], "n/a");
		if (mb->ns[i])
			printf("   (alloc + map while making them: %.2f us each)",
			       r->grow[i]);
		printf("\n");
	}
	printf("\n");
}

/*
 * One round: for each buffer, one cycle in every VM in turn (and one of
 * the memfd reference), again and again, so that every N is measured at
 * the same moments and a change of the machine's speed hits all alike;
 * then the cycles timed step by step, the same way; then the floor.
 */
static int lat_round(const struct membench *mb, const struct vm *vms,
		     unsigned int round, bool keep, struct lat_results *r)
{
	unsigned int c, j, k, i, whole, steps;
	const struct lat_case *lc;
	int ret = 0;

	for (c = 0; c < LAT_CASES && !ret; c++) {
		lc = &lat_cases[c];
		whole = lc->whole ? scaled(mb, lc->whole, 1) : 0;
		steps = scaled(mb, lc->steps, 1);
		for (j = 0; j < whole && !ret; j++) {
			/* Each N first, last and in between. */
			for (k = 0; k < mb->n_ns && !ret; k++) {
				i = (round + j + k) % mb->n_ns;
				ret = lat_batch_whole(&vms[i], lc, 1, keep,
						      &r->whole[c][i]);
			}
			if (!ret)
				ret = memfd_batch(lc->size, 1, keep,
						  &r->memfd[c]);
		}
		for (j = 0; j < steps && !ret; j++) {
			for (k = 0; k < mb->n_ns && !ret; k++) {
				i = (round + j + k) % mb->n_ns;
				ret = lat_batch_steps(&vms[i], lc, 1, keep,
						      r->step[c][i],
						      whole ? NULL :
						      &r->whole[c][i]);
			}
			if (!ret && !whole)
				ret = memfd_batch(lc->size, 1, keep,
						  &r->memfd[c]);
		}
	}
	if (!ret)
		ret = floor_batch(&vms[0], scaled(mb, 60, 5), keep, &r->floor);
	return ret;
}

static int latency_child(const struct membench *mb)
{
	struct lat_results *r = xcalloc(1, sizeof(*r));
	unsigned int rounds = scaled(mb, LAT_ROUNDS, 2);
	struct vm vms[MAX_NS];
	struct ctx_usage u;
	unsigned int round, c, k, i;
	uint64_t t0 = now_ns();
	int ret = 0;

	printf("== alloc + map + unmap + free of one buffer, with N live 4 KiB mappings in its VM (vkfd) ==\n");
	printf("  making %u VMs (one secondary each) with N =", mb->n_ns);
	for (i = 0; i < mb->n_ns; i++) {
		ret = vm_open(mb, &vms[i]);
		if (ret) {
			fprintf(stderr, "membench: a secondary with a VM: %s\n",
				strerror(-ret));
			return 1;
		}
		ret = lat_make_pool(&vms[i], mb->ns[i], &r->grow[i]);
		if (ret)
			return 1;
		printf(" %u", mb->ns[i]);
		fflush(stdout);
	}
	r->pt_ok = true;
	for (i = 0; i < mb->n_ns; i++) {
		if (ctx_usage(mb, getpid(), vms[i].ctx_id, &u) || u.contexts != 1)
			r->pt_ok = false;
		r->pt[i] = u.pt;
	}
	printf(" live mappings (%.1f s)\n", (now_ns() - t0) / 1e9);

	/* Round 0 warms up and is not recorded. */
	t0 = now_ns();
	for (round = 0; round <= rounds && !ret; round++)
		ret = lat_round(mb, vms, round, round > 0, r);
	if (ret) {
		fprintf(stderr, "membench: latency: %s\n", strerror(-ret));
		return 1;
	}
	printf("  measured in %.1f s\n", (now_ns() - t0) / 1e9);
	lat_print(mb, r, rounds);

	for (i = 0; i < mb->n_ns; i++)
		vm_close(&vms[i]);
	for (c = 0; c < LAT_CASES; c++) {
		samples_free(&r->memfd[c]);
		for (i = 0; i < MAX_NS; i++) {
			samples_free(&r->whole[c][i]);
			for (k = 0; k < STEPS; k++)
				samples_free(&r->step[c][i][k]);
		}
	}
	samples_free(&r->floor);
	free(r);
	return 0;
}

/* --- phase: page tables per GiB mapped ------------------------------------ */

/*
 * How much to map: what -g says, else 1 GiB if the machine has that much
 * to spare with 512 MiB left over, else 512 or 256 MiB.
 */
static unsigned int pt_mib(const struct membench *mb)
{
	struct meminfo m;
	long avail_mib;

	if (mb->pt_mib)
		return mb->pt_mib;
	read_meminfo(&m);
	avail_mib = mi(&m, "MemAvailable") / 1024;
	if (avail_mib >= 1024 + 512)
		return 1024;
	return avail_mib >= 512 + 512 ? 512 : 256;
}

static int pt_child(const struct membench *mb)
{
	unsigned int mib = pt_mib(mb), nbuf = mib / (PT_BUF_SIZE / MiB), i;
	uint64_t *h = xcalloc(nbuf, sizeof(*h));
	struct meminfo m0, m1, m2;
	struct ctx_usage u0, u1, u2;
	uint64_t t0, t1, t2;
	double gib = (double)mib / 1024, ideal;
	uint32_t domain = KFD_IOC_ALLOC_MEM_FLAGS_VRAM;
	struct vm vm;
	int ret;

	printf("== GPU page tables per GiB mapped, 4 KiB pages (vkfd) ==\n");
	ret = vm_open(mb, &vm);
	if (ret) {
		fprintf(stderr, "membench: a secondary with a VM: %s\n",
			strerror(-ret));
		return 1;
	}
	if (ctx_usage(mb, getpid(), vm.ctx_id, &u0) || u0.contexts != 1) {
		printf("  skipped: %s does not show the context (debugfs not mounted?)\n\n",
		       mb->contexts);
		vm_close(&vm);
		return 0;
	}
	/* VRAM if the budget has room, else GTT: the tables are the same. */
	if (vram_available(&vm) < (uint64_t)mib * MiB + 64 * MiB)
		domain = KFD_IOC_ALLOC_MEM_FLAGS_GTT;

	mem_settle();
	read_meminfo(&m0);
	t0 = now_ns();
	for (i = 0; i < nbuf; i++) {
		ret = buf_alloc_map(&vm, PT_VA + i * PT_BUF_SIZE, PT_BUF_SIZE,
				    domain, &h[i]);
		if (ret) {
			fprintf(stderr, "membench: pt: buffer %u of %u: %s\n",
				i, nbuf, strerror(-ret));
			return 1;
		}
	}
	t1 = now_ns();
	mem_settle();
	read_meminfo(&m1);
	ctx_usage(mb, getpid(), vm.ctx_id, &u1);

	t2 = now_ns();
	for (i = 0; i < nbuf && !ret; i++)
		ret = buf_unmap(&vm, h[i]);
	t2 = now_ns() - t2;
	if (ret) {
		fprintf(stderr, "membench: pt: unmap: %s\n", strerror(-ret));
		return 1;
	}
	ctx_usage(mb, getpid(), vm.ctx_id, &u2);
	for (i = 0; i < nbuf && !ret; i++)
		ret = buf_free(&vm, h[i]);
	if (ret) {
		fprintf(stderr, "membench: pt: free: %s\n", strerror(-ret));
		return 1;
	}
	mem_settle();
	read_meminfo(&m2);

	/* One PTB per 2 MiB, one PDB0 per GiB, one PDB1 per 512 GiB. */
	ideal = (double)(nbuf + (mib + 1023) / 1024 + 1) * PT_TABLE_SIZE;
	printf("  %u MiB as %u buffers of 2 MiB %s, back to back from GPU VA 0x%llx, one VM\n",
	       mib, nbuf, domain_name(domain), (unsigned long long)PT_VA);
	printf("  alloc + map of them all: %.2f s (%.0f us per buffer; the map allocates the pages)\n\n",
	       (t1 - t0) / 1e9, us((double)(t1 - t0) / nbuf));
	printf("  %-30s %12s %12s %12s %14s\n", "", "before", "mapped",
	       "delta", "per GiB mapped");
	printf("  %-30s %10llu B %10llu B %10lld B %10.3f MiB\n",
	       "page tables (debugfs pt)", u0.pt, u1.pt,
	       (long long)(u1.pt - u0.pt),
	       (double)(u1.pt - u0.pt) / MiB / gib);
	printf("  (target: <= 2.1 MiB per GiB; gfx9's 4 KiB tables of 512 entries need\n"
	       "   %.3f MiB per GiB here: one PTB per 2 MiB, one PDB0 per GiB, a PDB1)\n\n",
	       ideal / MiB / gib);
	printf("  also per GiB mapped (/proc/meminfo): free %+.1f MiB, Shmem %+.1f MiB,\n"
	       "  Slab %+.2f MiB (the buffers' pages are shmem; the tables are in neither)\n",
	       -(mi(&m0, FREE_FIELD) - mi(&m1, FREE_FIELD)) / 1024.0 / gib,
	       (mi(&m1, "Shmem") - mi(&m0, "Shmem")) / 1024.0 / gib,
	       (mi(&m1, "Slab") - mi(&m0, "Slab")) / 1024.0 / gib);
	printf("  after unmapping all (%.2f s): page tables %llu B (the root table alone:\n"
	       "  %llu B); after freeing all, free %+ld kB and Slab %+ld kB to before\n\n",
	       t2 / 1e9, u2.pt, (unsigned long long)PT_TABLE_SIZE,
	       mi(&m2, FREE_FIELD) - mi(&m0, FREE_FIELD),
	       mi(&m2, "Slab") - mi(&m0, "Slab"));
	vm_close(&vm);
	free(h);
	return 0;
}

/* --- phase: kernel memory per context ------------------------------------- */

/* The steps of the ctxmem phase, each done for every context in turn. */
enum ctx_step {
	CS_CREATE,
	CS_RENDER,
	CS_ACQUIRE,
	CS_ALLOC,
	CS_MAP,
	CS_STEPS,
};

/**
 * struct ctx_slot - one context of the ctxmem phase
 * @vm: its fds and ids
 * @handle: its buffer
 */
struct ctx_slot {
	struct vm vm;
	uint64_t handle;
};

static int ctx_step(const struct membench *mb, struct ctx_slot *s,
		    enum ctx_step step)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	int ret;

	switch (step) {
	case CS_CREATE:
		ret = vkfd_open_secondary(mb->dev, &ctx);
		if (ret)
			return ret;
		s->vm.kfd = ctx.fd;
		s->vm.gpu_id = mb->gpu_id;
		ret = vkfd_query(&ctx, &info);
		s->vm.ctx_id = info.ctx_id;
		return ret;
	case CS_RENDER:
		s->vm.render = open(mb->render, O_RDWR | O_CLOEXEC);
		return s->vm.render < 0 ? -errno : 0;
	case CS_ACQUIRE:
		acq.gpu_id = mb->gpu_id;
		acq.drm_fd = s->vm.render;
		return vkfd_ioctl(s->vm.kfd, AMDKFD_IOC_ACQUIRE_VM, &acq);
	case CS_ALLOC:
		return buf_alloc(&s->vm, CTX_VA, GPU_PAGE,
				 KFD_IOC_ALLOC_MEM_FLAGS_GTT, &s->handle);
	case CS_MAP:
		return buf_map(&s->vm, s->handle);
	default:
		return -EINVAL;
	}
}

/* Per-context difference of a meminfo field between two snapshots, B. */
static double per_ctx(const struct snapshot *a, const struct snapshot *b,
		      const char *field, unsigned int n)
{
	return (mi(&b->mi, field) - mi(&a->mi, field)) * 1024.0 / n;
}

/* Free memory that went, per context, B. */
static double drop_per_ctx(const struct snapshot *a, const struct snapshot *b,
			   unsigned int n)
{
	return -per_ctx(a, b, FREE_FIELD, n);
}

static void ctx_print_row(const char *label, double us_each,
			  const struct snapshot *a, const struct snapshot *b,
			  unsigned int n)
{
	if (us_each >= 0)
		printf("  %-40s %8.1f", label, us_each);
	else
		printf("  %-40s %8s", label, "");
	printf(" %9.0f %9.0f %9.0f\n", per_ctx(a, b, "Slab", n),
	       per_ctx(a, b, "Shmem", n), drop_per_ctx(a, b, n));
}

/* Who allocates from a cache, as far as these contexts are concerned. */
static const char *cache_hint(const char *name)
{
	static const struct {
		const char *prefix;
		const char *hint;
	} hints[] = {
		{ "filp", "struct file: kfd, render, shmem" },
		{ "kmalloc-cg-", "accounted kmalloc: vkfd, DRM" },
		{ "kmalloc-", "kmalloc: DRM, sysfs, ..." },
		{ "shmem_inode_cache", "the buffer's shmem file" },
		{ "dentry", "shmem file, debugfs entries" },
		{ "inode_cache", "debugfs inodes" },
		{ "kernfs_node_cache", "sysfs: context_<id>/..." },
		{ "radix_tree_node", "xarrays, page cache" },
		{ "vkfd", "vkfd's own cache" },
		{ "drm_mm", "DRM mmap offsets" },
		{ "lsm_", "LSM blobs" },
		{ "vmap_area", "vmalloc" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hints); i++)
		if (!strncmp(name, hints[i].prefix, strlen(hints[i].prefix)))
			return hints[i].hint;
	return "";
}

/**
 * struct cache_delta - what one cache gained
 * @name: cache name
 * @objsize: object size
 * @objs: objects in use, after - before
 */
struct cache_delta {
	const char *name;
	unsigned long objsize;
	long objs;
};

static int cmp_delta(const void *a, const void *b)
{
	const struct cache_delta *x = a, *y = b;
	long bx = x->objs * (long)x->objsize, by = y->objs * (long)y->objsize;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

/*
 * The caches whose objects in use changed between @a and @b, largest
 * growth first; *@nd gets their number, *@total the bytes of all the
 * objects gained (objects x objsize). NULL if @b has no slabinfo.
 */
static struct cache_delta *cache_deltas(const struct snapshot *a,
					const struct snapshot *b, size_t *nd,
					double *total)
{
	struct cache_delta *d;
	size_t i;

	*nd = 0;
	*total = 0;
	if (!b->n_caches || !a->n_caches)
		return NULL;
	d = xcalloc(b->n_caches, sizeof(*d));
	for (i = 0; i < b->n_caches; i++) {
		const struct slab_cache *y = &b->caches[i];
		const struct slab_cache *x = find_cache(a, y->name);
		long objs = (long)y->active_objs - (x ? (long)x->active_objs : 0);

		*total += (double)objs * y->objsize;
		if (objs)
			d[(*nd)++] = (struct cache_delta){ y->name, y->objsize,
							   objs };
	}
	qsort(d, *nd, sizeof(*d), cmp_delta);
	return d;
}

/* The caches that grew most between @a and @b, per context. */
static void print_cache_deltas(const struct snapshot *a,
			       const struct snapshot *b, unsigned int n)
{
	double shown = 0, total;
	struct cache_delta *d;
	size_t i, nd;

	d = cache_deltas(a, b, &nd, &total);
	if (!d) {
		printf("  (/proc/slabinfo not readable: no per-cache breakdown)\n\n");
		return;
	}
	printf("  slab caches, all five steps   %7s %8s %9s  %s\n", "objsize",
	       "per ctx", "B per ctx", "allocated for (likely)");
	for (i = 0; i < nd; i++) {
		/* Less than one object per 10 contexts: noise. */
		if (d[i].objs * 10 < (long)n)
			continue;
		shown += (double)d[i].objs * d[i].objsize;
		printf("  %-29s %7lu %8.2f %9.0f  %s\n", d[i].name, d[i].objsize,
		       (double)d[i].objs / n, (double)d[i].objs * d[i].objsize / n,
		       cache_hint(d[i].name));
	}
	printf("  %-29s %7s %8s %9.0f\n", "(other caches)", "", "",
	       (total - shown) / n);
	printf("  %-29s %7s %8s %9.0f  (objects x objsize; Slab counts whole slab pages)\n\n",
	       "total", "", "", total / n);
	free(d);
}

/* Under a step's row: the three caches that grew most, B per context. */
static void print_top_caches(const struct snapshot *a,
			     const struct snapshot *b, unsigned int n)
{
	struct cache_delta *d;
	double total;
	size_t i, nd;

	d = cache_deltas(a, b, &nd, &total);
	if (!d)
		return;
	printf("  %4s", "");
	for (i = 0; i < nd && i < 3; i++) {
		if (d[i].objs * 10 < (long)n)
			break;
		printf("%s%s %+.0f", i ? ", " : "", d[i].name,
		       (double)d[i].objs * d[i].objsize / n);
	}
	printf("%s\n", i ? "" : "(no cache grew by an object per 10 contexts)");
	free(d);
}

/* meminfo fields, other than those in the tables, that moved by >= 16 B. */
static void print_other_fields(const char *title, const struct snapshot *a,
			       const struct snapshot *b, unsigned int n)
{
	static const char *const shown[] = {
		FREE_FIELD, "MemFree", "MemAvailable", "Slab", "SReclaimable",
		"SUnreclaim", "Shmem", NULL,
	};
	unsigned int i, j, col = 0;
	bool skip;

	printf("  %s, B per context:", title);
	for (i = 0; i < b->mi.n; i++) {
		double d = per_ctx(a, b, b->mi.name[i], n);

		for (skip = false, j = 0; shown[j]; j++)
			if (!strcmp(b->mi.name[i], shown[j]))
				skip = true;
		if (skip || (d < 16 && d > -16))
			continue;
		printf("%s%s %+.0f", col % 4 ? ", " : "\n    ", b->mi.name[i], d);
		col++;
	}
	printf("%s\n\n", col ? "" : " none");
}

static int ctxmem_child(const struct membench *mb)
{
	static const char *const step_names[CS_STEPS] = {
		"open + CREATE_PROCESS: an idle secondary",
		"+ open the render node",
		"+ ACQUIRE_VM: the GPU VM",
		"+ ALLOC_MEMORY_OF_GPU: 4 KiB GTT",
		"+ MAP_MEMORY_TO_GPU",
	};
	unsigned int n = mb->ctxs, i, step;
	struct snapshot snap[CS_STEPS + 1], noise, closed, later;
	struct ctx_slot *slot;
	double step_us[CS_STEPS];
	struct ctx_usage u;
	size_t caps = access("/proc/slabinfo", R_OK) ? 0 : SLAB_CACHES_MAX;
	bool have_pt;
	char label[64];
	double slab, pt, shmem, total;
	uint64_t t0;
	int ret = 0;

	if (2 * n + 64 > mb->nofile) {
		n = mb->nofile > 2 * 64 + 200 ? (mb->nofile - 64) / 2 : 0;
		printf("  (RLIMIT_NOFILE %u: C lowered to %u)\n", mb->nofile, n);
		if (!n)
			return 0;
	}
	slot = xcalloc(n, sizeof(*slot));
	/* Touched now: its pages are not allocated in a measurement. */
	for (i = 0; i < n; i++)
		slot[i].vm.kfd = slot[i].vm.render = -1;
	grow_fd_table(mb->nofile);
	for (i = 0; i <= CS_STEPS; i++)
		snapshot_init(&snap[i], caps);
	snapshot_init(&noise, 0);
	snapshot_init(&closed, caps);
	snapshot_init(&later, 0);

	/* Warm up: slabs of every cache involved exist, ids were cycled. */
	for (i = 0; i < 50 && !ret; i++) {
		struct ctx_slot w;

		for (step = 0; step < CS_STEPS && !ret; step++)
			ret = ctx_step(mb, &w, step);
		if (!ret)
			vm_close(&w.vm);
	}
	if (ret) {
		fprintf(stderr, "membench: ctxmem warm-up: %s\n", strerror(-ret));
		return 1;
	}

	mem_settle();
	snapshot_take(&noise);
	mem_settle();
	snapshot_take(&snap[0]);
	for (step = 0; step < CS_STEPS; step++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			ret = ctx_step(mb, &slot[i], step);
			if (ret) {
				fprintf(stderr, "membench: ctxmem: %s of context %u: %s\n",
					step_names[step], i, strerror(-ret));
				return 1;
			}
		}
		step_us[step] = us((double)(now_ns() - t0) / n);
		mem_settle();
		snapshot_take(&snap[step + 1]);
	}
	have_pt = !ctx_usage(mb, getpid(), VKFD_CTX_ID_SELF, &u) &&
		  u.contexts >= n;
	for (i = 0; i < n; i++)
		vm_close(&slot[i].vm);
	mem_settle();
	snapshot_take(&closed);
	/* Whatever is freed by workers or after a grace period is back now. */
	sleep(5);
	snapshot_take(&later);

	printf("== kernel memory per context with one GPU VM and one 4 KiB mapping (C = %u, vkfd) ==\n",
	       n);
	printf("  C secondaries, each with its own render fd; every step done for all C,\n"
	       "  then /proc/meminfo; the deltas divided by C\n\n");
	printf("  %-40s %8s %9s %9s %9s\n", "step", "us each", "Slab B",
	       "Shmem B", "Free- B");
	ctx_print_row("(nothing: the noise of the method)", -1, &noise,
		      &snap[0], n);
	for (step = 0; step < CS_STEPS; step++) {
		ctx_print_row(step_names[step], step_us[step], &snap[step],
			      &snap[step + 1], n);
		print_top_caches(&snap[step], &snap[step + 1], n);
	}
	ctx_print_row("all five steps", -1, &snap[0], &snap[CS_STEPS], n);
	ctx_print_row("after closing all fds, to before", -1, &snap[0],
		      &closed, n);
	ctx_print_row("  and 5 s later", -1, &snap[0], &later, n);
	if (closed.n_caches) {
		double left;
		size_t nd;

		free(cache_deltas(&snap[0], &closed, &nd, &left));
		printf("  %-40s %8s %9.0f   (objects x objsize)\n",
		       "  of it, slab objects still in use", "", left / n);
		print_top_caches(&snap[0], &closed, n);
	}
	printf("  (Free-: how much free memory went down, MemFree and the per-CPU free\n"
	       "   lists of /proc/zoneinfo; Slab and Shmem are part of it. Under each\n"
	       "   step, the caches that grew most, B per context)\n\n");

	slab = per_ctx(&snap[0], &snap[CS_STEPS], "Slab", n);
	shmem = per_ctx(&snap[0], &snap[CS_STEPS], "Shmem", n);
	total = drop_per_ctx(&snap[0], &snap[CS_STEPS], n);
	pt = have_pt ? (double)u.pt / n : 0;
	printf("  one context with its VM and one 4 KiB mapping, B:\n");
	printf("    %-44s %8.0f\n", "slab objects (Slab)", slab);
	if (have_pt)
		printf("    %-44s %8.0f   (%.1f tables of 4 KiB)\n",
		       "GPU page tables (debugfs pt)", pt, pt / PT_TABLE_SIZE);
	else
		printf("    %-44s %8s   (%s not readable)\n",
		       "GPU page tables (debugfs pt)", "n/a", mb->contexts);
	printf("    %-44s %8.0f\n", "the buffer's pages (Shmem)", shmem);
	printf("    %-44s %8.0f\n", "the rest of Free-", total - slab - pt - shmem);
	snprintf(label, sizeof(label), "total (Free-), %.1f KiB", total / 1024);
	printf("    %-44s %8.0f   (target: <= 24 KiB = 24576 B)\n\n", label,
	       total);

	print_other_fields("other /proc/meminfo fields that moved", &snap[0],
			   &snap[CS_STEPS], n);
	/* Memory that did not come back: where it shows. */
	if (drop_per_ctx(&snap[0], &later, n) > 512)
		print_other_fields("after closing all, 5 s later, these moved",
				   &snap[0], &later, n);
	print_cache_deltas(&snap[0], &snap[CS_STEPS], n);

	for (i = 0; i <= CS_STEPS; i++)
		snapshot_free(&snap[i]);
	snapshot_free(&closed);
	free(slot);
	return 0;
}

/* --- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: membench [-h] [-t PHASES] [-n N,N,...] [-c C] [-g MIB] [-s SCALE]\n"
		"                [-v DEV]\n"
		"  -t  phases, comma separated: latency,pt,ctxmem (default: all)\n"
		"  -n  live 4 KiB mappings of the latency phase, from 0 up (default: 0,100,1000,10000)\n"
		"  -c  contexts of the ctxmem phase (default: %d)\n"
		"  -g  MiB the pt phase maps (default: 1024, less if memory is short)\n"
		"  -s  factor on the iteration counts (default: 1.0, sized for TCG)\n"
		"  -v  vkfd's device (default: $VKFD_DEV, else /dev/vkfd)\n",
		DEFAULT_CTXS);
}

static int parse_phases(const char *arg, unsigned int *phases)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", arg);
	*phases = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "latency"))
			*phases |= PHASE_LATENCY;
		else if (!strcmp(tok, "pt"))
			*phases |= PHASE_PT;
		else if (!strcmp(tok, "ctxmem"))
			*phases |= PHASE_CTXMEM;
		else if (!strcmp(tok, "all"))
			*phases |= PHASE_ALL;
		else
			return -1;
	}
	return *phases ? 0 : -1;
}

/* N must start at 0 (the ratios are to N = 0) and ascend. */
static int parse_ns(const char *arg, struct membench *mb)
{
	char buf[256], *tok, *save, *end;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", arg);
	mb->n_ns = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end || v > MAX_LIVE || mb->n_ns == MAX_NS ||
		    (mb->n_ns && v <= mb->ns[mb->n_ns - 1]) ||
		    (!mb->n_ns && v))
			return -1;
		mb->ns[mb->n_ns++] = v;
	}
	return mb->n_ns ? 0 : -1;
}

/*
 * Find the GPU and its render node; print what is measured. Returns 0,
 * 1 if there is no vkfd device to measure (skipped, as ctxbench skips a
 * missing device), or -errno if it is there but unusable.
 */
static int setup(struct membench *mb)
{
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	struct utsname u;
	char dev[256];
	int ret;

	uname(&u);
	printf("membench: kernel %s, %ld CPU(s), RLIMIT_NOFILE %u, scale %.2f\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), mb->nofile, mb->scale);
	if (!mb->topology[0]) {
		snprintf(dev, sizeof(dev), "%s", mb->dev);
		snprintf(mb->topology, sizeof(mb->topology),
			 "/sys/class/%s/%s/topology", basename(dev),
			 basename(dev));
	}
	ret = vkfd_open_primary(mb->dev, &ctx);
	if (ret) {
		printf("  %s: %s: skipped\n", mb->dev, strerror(-ret));
		return ret == -ENOENT || ret == -ENODEV || ret == -ENXIO ? 1 :
		       ret;
	}
	ret = vkfd_query(&ctx, &info);
	vkfd_close(&ctx);
	if (ret || !info.num_gpus) {
		printf("  %s: not vkfd, or no GPU (%s): skipped\n", mb->dev,
		       strerror(ret ? -ret : ENODEV));
		return ret ? ret : -ENODEV;
	}
	mb->gpu_id = info.gpu_ids[0];
	ret = find_render_node(mb);
	if (ret) {
		printf("  no drm_render_minor for gpu_id %u in %s: %s\n",
		       mb->gpu_id, mb->topology, strerror(-ret));
		return ret;
	}
	printf("device: %s (vkfd, KFD uAPI %u.%u), GPU %u of %u: gpu_id %u, render node %s\n",
	       mb->dev, info.major, info.minor, 1, info.num_gpus, mb->gpu_id,
	       mb->render);
	printf("every context: a secondary, with a GPU VM bound to its own render fd\n\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *dbg = getenv("VKFD_DEBUGFS");
	const char *topo = getenv("VKFD_TOPOLOGY");
	struct membench mb = {
		.dev = getenv("VKFD_DEV") ?: "/dev/vkfd",
		.phases = PHASE_ALL,
		.ns = { 0, 100, 1000, 10000 },
		.n_ns = 4,
		.ctxs = DEFAULT_CTXS,
		.scale = 1.0,
	};
	bool failed = false;
	int opt, ret;
	char *end;

	while ((opt = getopt(argc, argv, "ht:n:c:g:s:v:")) != -1) {
		switch (opt) {
		case 't':
			if (parse_phases(optarg, &mb.phases))
				goto bad;
			break;
		case 'n':
			if (parse_ns(optarg, &mb))
				goto bad;
			break;
		case 'c':
			mb.ctxs = strtoul(optarg, &end, 10);
			if (*end || !mb.ctxs || mb.ctxs > MAX_CTXS)
				goto bad;
			break;
		case 'g':
			mb.pt_mib = strtoul(optarg, &end, 10);
			if (*end || mb.pt_mib < 2 || mb.pt_mib % 2 ||
			    mb.pt_mib > 65536)
				goto bad;
			break;
		case 's':
			mb.scale = strtod(optarg, &end);
			if (*end || mb.scale <= 0 || mb.scale > 1000)
				goto bad;
			break;
		case 'v':
			mb.dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	snprintf(mb.contexts, sizeof(mb.contexts), "%s/contexts",
		 dbg && *dbg ? dbg : "/sys/kernel/debug/vkfd");
	if (topo && *topo)
		snprintf(mb.topology, sizeof(mb.topology), "%s", topo);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_one_cpu();
	mb.nofile = raise_nofile(2 * MAX_CTXS + 1024);
	ret = setup(&mb);
	if (ret)
		return ret > 0 ? 0 : 1;

	if (mb.phases & PHASE_LATENCY)
		failed |= run_child(latency_child, &mb) != 0;
	if (mb.phases & PHASE_PT)
		failed |= run_child(pt_child, &mb) != 0;
	if (mb.phases & PHASE_CTXMEM)
		failed |= run_child(ctxmem_child, &mb) != 0;
	if (failed)
		printf("membench: a phase failed (see above)\n");
	return failed ? 1 : 0;

bad:
	usage(stderr);
	return 2;
}
