// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sdmabench - vkfd's software SDMA engine and its events, in numbers.
 *
 * Four phases:
 *
 *   copy     COPY_LINEAR throughput from 4 KiB to 32 MiB against memcpy()
 *            of the same sizes in the same guest, on one CPU. A run moves
 *            at least 1 MiB: k = max(1, 1 MiB / size) copies, submitted
 *            at once (one packet per 4 MiB) and followed by one FENCE;
 *            it is timed from the submission to the fence value seen by
 *            the CPU. memcpy() runs the same k copies between two buffers
 *            of anonymous memory. As kfdtest does: the first run of each
 *            point warms up and is discarded; the median of the others
 *            (at least 5) is reported, with the ratio SDMA / memcpy.
 *   latency  doorbell to fence: a FENCE alone is submitted (written to
 *            the ring, doorbell rung) and the CPU spins on the fence
 *            value; median, 90th and 99th percentile, back to back (the
 *            engine still polling) and after 20 ms of idleness (the
 *            engine asleep, the doorbell slice armed: the write faults
 *            and wakes it), with the floor under the latter: a write
 *            fault on an anonymous page alone, after as long idle.
 *   compute  the same two latencies on the compute queues: a PM4
 *            RELEASE_MEM alone, and an AQL barrier-AND with a completion
 *            signal, from the doorbell to the value seen by the CPU
 *            (sdmabench_compute.c).
 *   events   vkfd against the real amdkfd, side by side in the same guest:
 *            CREATE_EVENT + DESTROY_EVENT of a signal event, and
 *            SET_EVENT + WAIT_EVENTS on a signal event (sdmabench_events.c).
 *
 * The engine, the queue and the buffers are those of the primary
 * context of this process on the first GPU: GTT buffers, mapped in its
 * VM and in this process. sdmabench prints numbers only: it never judges
 * them, and exits non-zero only if an operation fails that must not.
 *
 * Usage: sdmabench [-h] [-t PHASES] [-r RUNS] [-s SCALE] [-v DEV] [-a DEV]
 *
 * vkfd's device defaults to $VKFD_DEV, else /dev/vkfd, its topology to
 * $VKFD_TOPOLOGY, else /sys/class/<name>/<name>/topology; amdkfd's device
 * to $AMDKFD_DEV, else /dev/kfd.
 */
#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>

#include "bench_args.h"
#include "bench_stats.h"
#include "bench_sys.h"
#include "bench_time.h"
#include "libvkfd.h"
#include "sdmabench.h"

#define PHASE_COPY		(1u << 0)
#define PHASE_LATENCY		(1u << 1)
#define PHASE_EVENTS		(1u << 2)
#define PHASE_COMPUTE		(1u << 3)
#define PHASE_ALL		(PHASE_COPY | PHASE_LATENCY | PHASE_EVENTS | \
				 PHASE_COMPUTE)

#define MIB			(1ull << 20)
#define COPY_MAX_SIZE		(32 * MIB)
#define RUN_BYTES		MIB		/* the least a run moves */
#define RING_SIZE		(64 * 1024ull)	/* 256 copies and a fence */
#define FENCE_TIMEOUT_NS	(60 * 1000000000ull)

/* GPU addresses; the ring is CPU-mapped at its GPU address too. */
#define VA_RING			0x100000000000ull
#define VA_SRC			0x100100000000ull
#define VA_DST			0x100200000000ull
#define VA_FENCE		0x100300000000ull

/**
 * struct engine - the primary's queue and buffers on the measured GPU
 */
struct engine {
	struct vkfd_context ctx;
	int render;
	struct vkfd_queue q;
	struct vkfd_bo src, dst, fence;
	void *src_cpu, *dst_cpu;
	volatile uint32_t *fence_cpu;
	uint32_t seq;
	uint32_t *dw;
	uint32_t dw_cap;
};

static void check(int ret, const char *what)
{
	if (ret) {
		printf("sdmabench: %s: %s\n", what, strerror(-ret));
		exit(1);
	}
}

static void engine_buf(struct engine *e, uint32_t gpu_id, uint64_t va,
		       uint64_t size, struct vkfd_bo *bo, void **cpu)
{
	check(vkfd_alloc(&e->ctx, gpu_id, va, size,
			 KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, bo), "alloc");
	check(vkfd_map(&e->ctx, bo, &gpu_id, 1), "map to the GPU");
	check(vkfd_bo_mmap(e->render, bo, PROT_READ | PROT_WRITE, cpu),
	      "CPU mmap");
}

static void engine_init(struct engine *e, const struct sdmabench *sb)
{
	void *p;

	memset(e, 0, sizeof(*e));
	check(vkfd_open_primary(sb->dev, &e->ctx), "open");
	check(vkfd_open_vm(&e->ctx, sb->topology, sb->gpu_id, &e->render),
	      "ACQUIRE_VM");
	engine_buf(e, sb->gpu_id, VA_SRC, COPY_MAX_SIZE, &e->src, &e->src_cpu);
	engine_buf(e, sb->gpu_id, VA_DST, COPY_MAX_SIZE, &e->dst, &e->dst_cpu);
	engine_buf(e, sb->gpu_id, VA_FENCE, 4096, &e->fence, &p);
	e->fence_cpu = p;
	memset(e->src_cpu, 0x5a, COPY_MAX_SIZE);
	memset(e->dst_cpu, 0, COPY_MAX_SIZE);
	check(vkfd_queue_create(&e->ctx, e->render, sb->gpu_id, VA_RING,
				RING_SIZE, &e->q), "create the queue");
	e->dw_cap = RING_SIZE / 4 / 2;
	e->dw = xcalloc(e->dw_cap, sizeof(*e->dw));
}

static void engine_fini(struct engine *e)
{
	vkfd_queue_destroy(&e->ctx, &e->q);
	vkfd_bo_munmap(&e->src, e->src_cpu);
	vkfd_bo_munmap(&e->dst, e->dst_cpu);
	vkfd_bo_munmap(&e->fence, (void *)e->fence_cpu);
	vkfd_free(&e->ctx, &e->src);
	vkfd_free(&e->ctx, &e->dst);
	vkfd_free(&e->ctx, &e->fence);
	close(e->render);
	vkfd_close(&e->ctx);
	free(e->dw);
}

/* Submit @n dwords and a FENCE; spin until it lands. Returns the ns taken. */
static uint64_t engine_run(struct engine *e, uint32_t n)
{
	uint32_t seq = ++e->seq;
	uint64_t t0, t;

	n += vkfd_sdma_fence(e->dw + n, e->fence.va, seq);
	t0 = now_ns();
	check(vkfd_queue_submit(&e->q, e->dw, n), "submit");
	for (;;) {
		if (__atomic_load_n(e->fence_cpu, __ATOMIC_ACQUIRE) == seq)
			break;
		t = now_ns();
		if (t - t0 > FENCE_TIMEOUT_NS)
			check(-ETIMEDOUT, "wait for the fence");
		sched_yield();
	}
	return now_ns() - t0;
}

/* @k copies of @size bytes, src to dst, as packets of at most 4 MiB. */
static uint32_t encode_copies(struct engine *e, uint64_t size, unsigned int k)
{
	uint64_t off, chunk;
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < k; i++) {
		for (off = 0; off < size; off += chunk) {
			chunk = size - off < VKFD_SDMA_COPY_MAX ?
				size - off : VKFD_SDMA_COPY_MAX;
			n += vkfd_sdma_copy_linear(e->dw + n, e->dst.va + off,
						   e->src.va + off, chunk);
		}
	}
	return n;
}

static double mib_s(uint64_t bytes, double ns)
{
	return ns > 0 ? (double)bytes / MIB / (ns / 1e9) : 0;
}

unsigned int scaled(const struct sdmabench *sb, unsigned int n,
		    unsigned int min)
{
	unsigned int v = (unsigned int)(n * sb->scale);

	return v < min ? min : v;
}

static void copy_phase(struct engine *e, const struct sdmabench *sb)
{
	static const uint64_t sizes[] = {
		4096, 16384, 65536, 262144, MIB, 4 * MIB, 16 * MIB, 32 * MIB,
	};
	unsigned int runs = scaled(sb, sb->runs, 5), si, r, k;
	char *msrc, *mdst;

	msrc = aligned_alloc(4096, COPY_MAX_SIZE);
	mdst = aligned_alloc(4096, COPY_MAX_SIZE);
	if (!msrc || !mdst)
		die("aligned_alloc");
	memset(msrc, 0x5a, COPY_MAX_SIZE);
	memset(mdst, 0, COPY_MAX_SIZE);

	printf("copy: COPY_LINEAR vs memcpy(), MiB/s, median of %u runs after "
	       "a discarded warm-up; a run moves >= 1 MiB\n", runs);
	printf("  %9s %7s %12s %12s %8s\n", "size", "copies", "SDMA", "memcpy",
	       "ratio");
	for (si = 0; si < ARRAY_SIZE(sizes); si++) {
		uint64_t size = sizes[si];
		struct samples sdma, cpu;
		struct summary a, b;
		uint32_t n;

		k = size >= RUN_BYTES ? 1 : RUN_BYTES / size;
		samples_init(&sdma, runs);
		samples_init(&cpu, runs);
		n = encode_copies(e, size, k);
		/* interleaved, so that the host's changes of speed hit both */
		for (r = 0; r <= runs; r++) {
			uint64_t t0, ns;
			unsigned int i;

			ns = engine_run(e, n);
			if (r)
				samples_add(&sdma, ns);
			t0 = now_ns();
			for (i = 0; i < k; i++) {
				memcpy(mdst, msrc, size);
				__asm__ volatile("" : : "r"(mdst) : "memory");
			}
			ns = now_ns() - t0;
			if (r)
				samples_add(&cpu, ns);
			/* the engine must have moved the bytes: a spot check */
			if (((char *)e->dst_cpu)[size - 1] != 0x5a)
				check(-EIO, "the copy did not land");
			n = encode_copies(e, size, k);
		}
		a = summarize(&sdma);
		b = summarize(&cpu);
		printf("  %6llu %s %7u %12.1f %12.1f %8.2f\n",
		       (unsigned long long)(size >= MIB ? size / MIB : size / 1024),
		       size >= MIB ? "MiB" : "KiB", k, mib_s(size * k, a.p50),
		       mib_s(size * k, b.p50),
		       b.p50 > 0 ? (mib_s(size * k, a.p50) /
				    mib_s(size * k, b.p50)) : 0);
		samples_free(&sdma);
		samples_free(&cpu);
	}
	free(msrc);
	free(mdst);
	printf("\n");
}

struct summary latency_samples(uint64_t (*once)(void *arg), void *arg,
			       unsigned int n, unsigned int idle_ms)
{
	struct summary r = { 0 };
	struct samples s;
	unsigned int i;

	samples_init(&s, n);
	for (i = 0; i <= n; i++) {
		uint64_t ns;

		if (idle_ms)
			usleep(idle_ms * 1000);
		ns = once(arg);
		if (!ns)
			goto out;
		if (i)
			samples_add(&s, ns);
	}
	r = summarize(&s);
out:
	samples_free(&s);
	return r;
}

/* One FENCE alone, for latency_samples(). */
static uint64_t fence_once(void *e)
{
	return engine_run(e, 0);
}

/*
 * One write fault on an anonymous page given back to the kernel just
 * before: the floor under the idle figure, whose doorbell write faults
 * too, before vkfd's handler and the engine do anything.
 */
static uint64_t write_fault_once(void *page)
{
	uint64_t t0, t;

	check(madvise(page, 1, MADV_DONTNEED) ? -errno : 0, "madvise");
	t0 = now_ns();
	*(volatile char *)page = 1;
	t = now_ns() - t0;
	return t ? t : 1;
}

static void latency_phase(struct engine *e, const struct sdmabench *sb)
{
	struct summary r;
	void *page;

	r = latency_samples(fence_once, e, scaled(sb, LATENCY_SAMPLES, 20), 0);
	printf("latency: doorbell to fence (a FENCE alone, the CPU spinning on "
	       "its value), after a warm-up (clock read %.2f us)\n",
	       us(clock_overhead_ns()));
	printf("  back to back:     %4zu samples, median %.1f us, p90 %.1f us, "
	       "p99 %.1f us, max %.1f us\n", r.n, us(r.p50), us(r.p90),
	       us(r.p99), us(r.max));
	r = latency_samples(fence_once, e, scaled(sb, IDLE_SAMPLES, 5),
			    IDLE_MS);
	printf("  after %u ms idle: %4zu samples, median %.1f us, p90 %.1f us, "
	       "p99 %.1f us, max %.1f us\n", IDLE_MS, r.n, us(r.p50),
	       us(r.p90), us(r.p99), us(r.max));
	page = mmap(NULL, 1, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		check(-errno, "mmap a page");
	r = latency_samples(write_fault_once, page,
			    scaled(sb, IDLE_SAMPLES, 5), IDLE_MS);
	munmap(page, 1);
	printf("  the floor, a write fault on an anonymous page alone, after "
	       "%u ms idle:\n                    %4zu samples, median %.1f us, "
	       "p90 %.1f us, p99 %.1f us, max %.1f us\n\n", IDLE_MS, r.n,
	       us(r.p50), us(r.p90), us(r.p99), us(r.max));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sdmabench [-h] [-t PHASES] [-r RUNS] [-s SCALE] [-v DEV] [-a DEV]\n"
		"  -t  phases, comma separated: copy,latency,events,compute (default: all)\n"
		"  -r  measured runs per copy size, after a warm-up (default: 7, at least 5)\n"
		"  -s  factor on the iteration counts (default: 1.0, sized for TCG)\n"
		"  -v  vkfd's device (default: $VKFD_DEV, else /dev/vkfd)\n"
		"  -a  amdkfd's device (default: $AMDKFD_DEV, else /dev/kfd)\n");
}

static int sdmabench_opt(int opt, const char *arg, void *bench)
{
	struct sdmabench *sb = bench;

	switch (opt) {
	case 'r':
		return parse_uint(arg, 5, 1000, &sb->runs);
	case 'v':
		sb->dev = arg;
		return 0;
	case 'a':
		sb->amdkfd = arg;
		return 0;
	default:
		return -1;
	}
}

/* Find vkfd's first GPU. Returns 0, 1 to skip (no vkfd), or -errno. */
static int setup(struct sdmabench *sb)
{
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	char dev[256];
	int ret;

	print_system("sdmabench", raise_nofile(1024), sb->scale);
	if (!sb->topology[0]) {
		snprintf(dev, sizeof(dev), "%s", sb->dev);
		snprintf(sb->topology, sizeof(sb->topology),
			 "/sys/class/%s/%s/topology", basename(dev),
			 basename(dev));
	}
	ret = vkfd_open_primary(sb->dev, &ctx);
	if (ret) {
		printf("  %s: %s: skipped\n", sb->dev, strerror(-ret));
		return ret == -ENOENT || ret == -ENODEV || ret == -ENXIO ? 1 :
		       ret;
	}
	ret = vkfd_query(&ctx, &info);
	vkfd_close(&ctx);
	if (ret || !info.num_gpus) {
		printf("  %s: not vkfd, or no GPU: skipped\n", sb->dev);
		return ret ? ret : 1;
	}
	sb->gpu_id = info.gpu_ids[0];
	printf("device: %s (vkfd, KFD uAPI %u.%u), gpu_id %u; amdkfd: %s\n\n",
	       sb->dev, info.major, info.minor, sb->gpu_id, sb->amdkfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct bench_phase phases[] = {
		{ "copy", PHASE_COPY },
		{ "latency", PHASE_LATENCY },
		{ "events", PHASE_EVENTS },
		{ "compute", PHASE_COMPUTE },
	};
	const char *topo = getenv("VKFD_TOPOLOGY");
	unsigned int no_counts[1], n_no_counts = 0;
	struct sdmabench sb = {
		.dev = getenv("VKFD_DEV") ?: "/dev/vkfd",
		.amdkfd = getenv("AMDKFD_DEV") ?: "/dev/kfd",
		.phases = PHASE_ALL,
		.runs = 7,
		.scale = 1.0,
	};
	const struct bench_cli cli = {
		.optstring = "ht:r:s:v:a:",
		.usage = usage,
		.phases = phases,
		.n_phases = ARRAY_SIZE(phases),
		.phase_set = &sb.phases,
		.counts = no_counts,
		.counts_cap = 1,
		.n_counts = &n_no_counts,
		.scale = &sb.scale,
		.opt = sdmabench_opt,
		.bench = &sb,
	};
	struct engine e;
	int ret, failed = 0;

	parse_cmdline(argc, argv, &cli);
	if (topo && *topo)
		snprintf(sb.topology, sizeof(sb.topology), "%s", topo);
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_one_cpu();
	ret = setup(&sb);
	if (ret)
		return ret > 0 ? 0 : 1;
	if (sb.phases & (PHASE_COPY | PHASE_LATENCY | PHASE_COMPUTE)) {
		engine_init(&e, &sb);
		if (sb.phases & PHASE_COPY)
			copy_phase(&e, &sb);
		if (sb.phases & PHASE_LATENCY)
			latency_phase(&e, &sb);
		if (sb.phases & PHASE_COMPUTE)
			failed |= compute_phase(&sb, &e.ctx, e.render);
		engine_fini(&e);
	}
	if (sb.phases & PHASE_EVENTS)
		failed |= events_phase(&sb);
	return failed;
}
