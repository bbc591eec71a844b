// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rocm_bench - Debian's unmodified ROCr 5.2.3 on vkfd: the time of
 * hsa_init() + hsa_shut_down(), and hsa_amd_memory_async_copy()
 * throughput host -> VRAM, VRAM -> VRAM (GPU 0 to GPU 1: SDMA, see
 * tests/rocm/rocm_copy.c for why not within one GPU) and VRAM -> host
 * against memcpy() of the same size in the same guest. Prints tables;
 * no pass/fail on speed: the exit status is 1 only when ROCr fails or a
 * copy does not complete within 120 s.
 *
 *   rocm_bench [-r ROUNDS] [-i INITS]
 *     -r ROUNDS  timed copies per size and direction (default 5), after
 *                one untimed warm-up
 *     -i INITS   timed hsa_init + hsa_shut_down pairs (default 5)
 */
#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>
#include <unistd.h>

#include "rocm_tap.h"

#define MAX_ROUNDS	50
#define COPY_TIMEOUT	120.0

/**
 * struct bench - the agents and pools the copies use
 * @cpu: the CPU agent
 * @gpu: GPU agents 0 and 1
 * @ngpu: GPU agents found (at most 2 kept)
 * @sys: the CPU's global pool
 * @vram: each GPU's VRAM pool
 * @hint: timeout hint of a signal wait, 100 ms in timestamp ticks
 */
struct bench {
	hsa_agent_t cpu;
	hsa_agent_t gpu[2];
	unsigned int ngpu;
	hsa_amd_memory_pool_t sys;
	hsa_amd_memory_pool_t vram[2];
	uint64_t hint;
};

static hsa_status_t pool_cb(hsa_amd_memory_pool_t pool, void *data)
{
	hsa_amd_memory_pool_t *out = data;
	hsa_amd_segment_t seg;
	bool alloc = false;
	uint32_t flags = 0;

	if (out->handle ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_SEGMENT, &seg) ||
	    seg != HSA_AMD_SEGMENT_GLOBAL ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALLOWED,
					 &alloc) || !alloc ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_GLOBAL_FLAGS, &flags) ||
	    (flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT))
		return HSA_STATUS_SUCCESS;
	*out = pool;
	return HSA_STATUS_SUCCESS;
}

static hsa_status_t agent_cb(hsa_agent_t agent, void *data)
{
	struct bench *b = data;
	hsa_device_type_t type;

	if (hsa_agent_get_info(agent, HSA_AGENT_INFO_DEVICE, &type))
		return HSA_STATUS_ERROR;
	if (type == HSA_DEVICE_TYPE_CPU && !b->sys.handle) {
		b->cpu = agent;
		hsa_amd_agent_iterate_memory_pools(agent, pool_cb, &b->sys);
	} else if (type == HSA_DEVICE_TYPE_GPU && b->ngpu < 2) {
		b->gpu[b->ngpu] = agent;
		hsa_amd_agent_iterate_memory_pools(agent, pool_cb, &b->vram[b->ngpu]);
		b->ngpu++;
	}
	return HSA_STATUS_SUCCESS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One copy, timed from the call to the signal's completion; < 0 on failure. */
static double timed_copy(struct bench *b, void *dst, hsa_agent_t da, const void *src,
			 hsa_agent_t sa, size_t size)
{
	hsa_signal_t sig;
	double t0, t, end;

	if (hsa_signal_create(1, 0, NULL, &sig))
		return -1;
	t0 = rocm_now();
	end = t0 + COPY_TIMEOUT;
	if (hsa_amd_memory_async_copy(dst, da, src, sa, size, 0, NULL, sig)) {
		hsa_signal_destroy(sig);
		return -1;
	}
	while (hsa_signal_wait_scacquire(sig, HSA_SIGNAL_CONDITION_LT, 1, b->hint,
					 HSA_WAIT_STATE_BLOCKED) >= 1)
		if (rocm_now() > end)
			return -1;	/* the signal stays: the engine may still write it */
	t = rocm_now() - t0;
	hsa_signal_destroy(sig);
	return t;
}

/* MB/s (10^6 bytes) of the median of @rounds copies, after a warm-up; < 0 on failure. */
static double copy_rate(struct bench *b, void *dst, hsa_agent_t da, const void *src,
			hsa_agent_t sa, size_t size, unsigned int rounds)
{
	double t[MAX_ROUNDS];
	unsigned int i;

	if (timed_copy(b, dst, da, src, sa, size) < 0)
		return -1;
	for (i = 0; i < rounds; i++) {
		t[i] = timed_copy(b, dst, da, src, sa, size);
		if (t[i] < 0)
			return -1;
	}
	return size / median(t, rounds) / 1e6;
}

static double memcpy_rate(void *dst, const void *src, size_t size, unsigned int rounds)
{
	double t[MAX_ROUNDS], t0;
	unsigned int i;

	memcpy(dst, src, size);
	for (i = 0; i < rounds; i++) {
		t0 = rocm_now();
		memcpy(dst, src, size);
		/* keep the copy from being optimised away */
		__asm__ volatile("" : : "r"(dst) : "memory");
		t[i] = rocm_now() - t0;
	}
	return size / median(t, rounds) / 1e6;
}

static void print_rate(double r)
{
	if (r < 0)
		printf(" %12s", "failed");
	else
		printf(" %12.0f", r);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1 << 20, 16 << 20, 64 << 20 };
	double init[MAX_ROUNDS], shut[MAX_ROUNDS], t0;
	unsigned int rounds = 5, inits = 5, i;
	struct bench b = { 0 };
	int c, ret = 0;

	while ((c = getopt(argc, argv, "r:i:")) != -1) {
		switch (c) {
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			inits = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-i INITS]\n", argv[0]);
			return 2;
		}
	}
	if (!rounds || rounds > MAX_ROUNDS || !inits || inits > MAX_ROUNDS) {
		fprintf(stderr, "rocm_bench: 1 to %d rounds and inits\n", MAX_ROUNDS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* hsa_init + hsa_shut_down: the first pair loads the libraries' state. */
	for (i = 0; i < inits; i++) {
		t0 = rocm_now();
		if (hsa_init()) {
			fprintf(stderr, "rocm_bench: hsa_init failed\n");
			return 1;
		}
		init[i] = rocm_now() - t0;
		t0 = rocm_now();
		if (hsa_shut_down()) {
			fprintf(stderr, "rocm_bench: hsa_shut_down failed\n");
			return 1;
		}
		shut[i] = rocm_now() - t0;
	}
	printf("hsa_init + hsa_shut_down, %u pairs in one process (ms)\n", inits);
	printf("  first: init %.1f, shut_down %.1f\n", init[0] * 1e3, shut[0] * 1e3);
	if (inits > 1)
		printf("  p50 of the others: init %.1f, shut_down %.1f\n",
		       median(init + 1, inits - 1) * 1e3, median(shut + 1, inits - 1) * 1e3);
	printf("\n");

	if (hsa_init() || hsa_iterate_agents(agent_cb, &b) ||
	    !b.sys.handle || !b.ngpu || !b.vram[0].handle) {
		fprintf(stderr, "rocm_bench: no CPU pool or no GPU with VRAM\n");
		return 1;
	}
	hsa_system_get_info(HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY, &b.hint);
	b.hint = b.hint ? b.hint / 10 : 100000000;
	printf("hsa_amd_memory_async_copy (SDMA, interrupt signal) vs memcpy, MB/s, p50 of %u\n",
	       rounds);
	printf("%-8s %12s %12s %12s %12s\n", "size", "host->VRAM",
	       b.ngpu > 1 ? "GPU0->GPU1" : "(1 GPU)", "VRAM->host", "memcpy");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		void *src = NULL, *dst = NULL, *v0 = NULL, *v1 = NULL;
		double h2d = -1, d2d = -1, d2h = -1, mc;

		if (hsa_amd_memory_pool_allocate(b.sys, size, 0, &src) ||
		    hsa_amd_memory_pool_allocate(b.sys, size, 0, &dst) ||
		    hsa_amd_memory_pool_allocate(b.vram[0], size, 0, &v0) ||
		    (b.ngpu > 1 && hsa_amd_memory_pool_allocate(b.vram[1], size, 0, &v1)) ||
		    hsa_amd_agents_allow_access(b.ngpu, b.gpu, NULL, src) ||
		    hsa_amd_agents_allow_access(b.ngpu, b.gpu, NULL, dst) ||
		    (v1 && hsa_amd_agents_allow_access(1, &b.gpu[0], NULL, v1))) {
			fprintf(stderr, "rocm_bench: allocating %zu bytes failed\n", size);
			return 1;
		}
		rocm_fill(src, size, size);
		memset(dst, 0, size);
		h2d = copy_rate(&b, v0, b.gpu[0], src, b.cpu, size, rounds);
		if (h2d >= 0 && v1)
			d2d = copy_rate(&b, v1, b.gpu[1], v0, b.gpu[0], size, rounds);
		if (h2d >= 0 && (!v1 || d2d >= 0))
			d2h = copy_rate(&b, dst, b.cpu, v0, b.gpu[0], size, rounds);
		mc = memcpy_rate(dst, src, size, rounds);
		printf("%-3zu MiB ", size >> 20);
		print_rate(h2d);
		if (v1)
			print_rate(d2d);
		else
			printf(" %12s", "-");
		print_rate(d2h);
		print_rate(mc);
		printf("\n");
		if (h2d < 0 || (v1 && d2d < 0) || d2h < 0) {
			/* a stuck engine: leave without shutting down */
			fprintf(stderr, "rocm_bench: a copy of %zu bytes failed or hung\n", size);
			fflush(stdout);
			_exit(1);
		}
		hsa_amd_memory_pool_free(src);
		hsa_amd_memory_pool_free(dst);
		hsa_amd_memory_pool_free(v0);
		if (v1)
			hsa_amd_memory_pool_free(v1);
	}
	if (hsa_shut_down()) {
		fprintf(stderr, "rocm_bench: hsa_shut_down failed\n");
		ret = 1;
	}
	return ret;
}
