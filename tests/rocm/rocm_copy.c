// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rocm_copy - Debian's unmodified ROCr 5.2.3 (libhsa-runtime64) copying
 * memory with hsa_amd_memory_async_copy() on the lane's GPUs, every byte
 * verified. Prints TAP (rocm_tap.h).
 *
 * Which engine ROCr 5.2.3 copies with, for a gfx9 dGPU
 * (GpuAgent::InitDma/GetBlitObject in amd_gpu_agent.cpp): host to VRAM
 * and VRAM to host go through an SDMA queue; so does VRAM of one GPU to
 * VRAM of another (the source GPU's "device to host" SDMA queue, as the
 * GPUs share no XGMI hive). VRAM to VRAM on the same GPU uses the SDMA
 * queue only below HSA_FORCE_SDMA_SIZE (1 MiB by default); from 1 MiB on
 * it is a blit *kernel* on an AQL queue, which vkfd accepts but never
 * executes (it has no shader engine). So the VRAM-to-VRAM checks copy
 * from GPU 0 to GPU 1 (num_gpus >= 2) at every size, and within GPU 0
 * only below 1 MiB.
 *
 * The completion signals are interrupt signals (ROCr's default: its SDMA
 * blit ends a copy with an ATOMIC decrement of the signal, a FENCE into
 * the signal's mailbox and a TRAP, and the waiter sleeps in the KFD
 * event); a few copies are waited for by polling instead
 * (HSA_WAIT_STATE_ACTIVE). With -P the program sets HSA_ENABLE_INTERRUPT=0
 * before hsa_init(): every signal is then a plain one, which the engine
 * only decrements (no FENCE, no TRAP) and every wait polls. (ROCr warns
 * when a host waits for a plain signal while interrupts are enabled, so
 * that takes a process of its own.) Two copies are also put in flight at
 * once, a third depending on the first (ROCr makes the engine wait for it
 * with POLL_REGMEM).
 *
 * Every copy must complete within a timeout (-t, 30 s: a 64 MiB copy
 * takes under a second under TCG); one that does not
 * fails its check, and as the engine is then stuck, the copies after it
 * fail unrun, hsa_shut_down() is not attempted and the process exits.
 *
 *   rocm_copy [-P] [-m MAX] [-t SECONDS] [-w FILE]
 *     -P        plain signals, polled (HSA_ENABLE_INTERRUPT=0)
 *     -m MAX    largest copy size, bytes (suffix K or M), default 64M
 *     -t SECS   timeout of one copy
 *     -w FILE   after the copies, write the pid to FILE and wait for
 *               FILE.go before shutting down (vm's rocm_copy_secondary
 *               looks at sysfs meanwhile)
 */
#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>
#include <unistd.h>

#include "rocm_tap.h"

#define MAX_GPUS	8
/* Below this, ROCr copies VRAM to VRAM of one GPU with SDMA (see above). */
#define FORCE_SDMA_SIZE	(1u << 20)
#define MARKER_VRAM	(1u << 20)

/**
 * struct agents - what hsa_iterate_agents() found
 * @cpu: the CPU agent (the first one)
 * @ncpu: CPU agents
 * @gpu: GPU agents
 * @ngpu: GPU agents
 * @sys: the CPU's global pool for allocations
 * @vram: each GPU's global (VRAM) pool
 * @vram_size: its size
 * @has_sys: @sys was found
 * @has_vram: @vram[i] was found
 */
struct agents {
	hsa_agent_t cpu;
	unsigned int ncpu;
	hsa_agent_t gpu[MAX_GPUS];
	unsigned int ngpu;
	hsa_amd_memory_pool_t sys;
	hsa_amd_memory_pool_t vram[MAX_GPUS];
	size_t vram_size[MAX_GPUS];
	bool has_sys;
	bool has_vram[MAX_GPUS];
};

/**
 * struct run - one run of the program
 * @t: the checks
 * @e: the lane's module parameters
 * @a: the agents
 * @freq: HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY
 * @timeout: seconds one copy may take
 * @hung: a copy did not complete: run no more
 */
struct run {
	struct tap t;
	struct rocm_expect e;
	struct agents a;
	uint64_t freq;
	double timeout;
	bool hung;
};

/**
 * struct bufs - the buffers of one size
 * @src: system memory, the pattern
 * @dst: system memory, what came back
 * @v0: VRAM of GPU 0
 * @v0b: more VRAM of GPU 0 (same-GPU copies)
 * @v1: VRAM of GPU 1 (NULL with one GPU)
 */
struct bufs {
	void *src, *dst, *v0, *v0b, *v1;
};

static hsa_status_t pool_cb(hsa_amd_memory_pool_t pool, void *data)
{
	hsa_amd_memory_pool_t *out = ((void **)data)[0];
	size_t *size = ((void **)data)[1];
	bool *found = ((void **)data)[2];
	hsa_amd_segment_t seg;
	bool alloc = false;
	uint32_t flags = 0;

	if (*found ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_SEGMENT, &seg) ||
	    seg != HSA_AMD_SEGMENT_GLOBAL ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALLOWED,
					 &alloc) || !alloc ||
	    hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_GLOBAL_FLAGS, &flags) ||
	    (flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT))
		return HSA_STATUS_SUCCESS;
	*out = pool;
	*found = true;
	hsa_amd_memory_pool_get_info(pool, HSA_AMD_MEMORY_POOL_INFO_SIZE, size);
	return HSA_STATUS_SUCCESS;
}

static hsa_status_t agent_cb(hsa_agent_t agent, void *data)
{
	struct run *r = data;
	struct agents *a = &r->a;
	hsa_device_type_t type;
	char name[64] = "";
	size_t sys_size;
	void *args[3];

	if (hsa_agent_get_info(agent, HSA_AGENT_INFO_DEVICE, &type) ||
	    hsa_agent_get_info(agent, HSA_AGENT_INFO_NAME, name))
		return HSA_STATUS_ERROR;
	if (type == HSA_DEVICE_TYPE_CPU) {
		if (!a->ncpu++) {
			a->cpu = agent;
			args[0] = &a->sys;
			args[1] = &sys_size;
			args[2] = &a->has_sys;
			hsa_amd_agent_iterate_memory_pools(agent, pool_cb, args);
		}
		return HSA_STATUS_SUCCESS;
	}
	if (type != HSA_DEVICE_TYPE_GPU || a->ngpu >= MAX_GPUS)
		return HSA_STATUS_SUCCESS;
	tap_check(&r->t, !strcmp(name, "gfx900"), "GPU agent %u is gfx900 (%s)", a->ngpu, name);
	a->gpu[a->ngpu] = agent;
	args[0] = &a->vram[a->ngpu];
	args[1] = &a->vram_size[a->ngpu];
	args[2] = &a->has_vram[a->ngpu];
	hsa_amd_agent_iterate_memory_pools(agent, pool_cb, args);
	a->ngpu++;
	return HSA_STATUS_SUCCESS;
}

/* Wait for @sig to drop below 1; false after the timeout. */
static bool wait_signal(struct run *r, hsa_signal_t sig, bool polling)
{
	double end = rocm_now() + r->timeout;

	for (;;) {
		if (hsa_signal_wait_scacquire(sig, HSA_SIGNAL_CONDITION_LT, 1, r->freq / 10,
					      polling ? HSA_WAIT_STATE_ACTIVE :
					      HSA_WAIT_STATE_BLOCKED) < 1)
			return true;
		if (rocm_now() > end)
			return false;
	}
}

/* An interrupt signal, or with -P a plain one. */
static bool make_signal(hsa_signal_t *sig)
{
	return !hsa_signal_create(1, 0, NULL, sig);
}

/* One copy, to completion. */
static bool copy(struct run *r, void *dst, hsa_agent_t da, const void *src, hsa_agent_t sa,
		 size_t size, bool polling, const char *what)
{
	hsa_signal_t sig;
	hsa_status_t st;
	bool done;

	if (r->hung)
		return tap_check(&r->t, false, "%s (not run: an earlier copy did not complete)",
				 what);
	if (!make_signal(&sig))
		return tap_check(&r->t, false, "%s: no signal", what);
	st = hsa_amd_memory_async_copy(dst, da, src, sa, size, 0, NULL, sig);
	if (st) {
		hsa_signal_destroy(sig);
		return tap_check(&r->t, false, "%s: hsa_amd_memory_async_copy status %#x", what, st);
	}
	done = wait_signal(r, sig, polling);
	if (!done) {
		r->hung = true;
		return tap_check(&r->t, false, "%s: not complete after %.0f s", what, r->timeout);
	}
	hsa_signal_destroy(sig);
	return true;
}

/* Copy @v (VRAM of @gpu) back to host memory and compare with the pattern. */
static void verify(struct run *r, struct bufs *b, void *v, unsigned int gpu, size_t size,
		   bool polling, const char *what)
{
	long bad;

	memset(b->dst, 0, size);
	if (!copy(r, b->dst, r->a.cpu, v, r->a.gpu[gpu], size, polling, what))
		return;
	bad = rocm_cmp(b->dst, b->src, size);
	if (bad >= 0)
		tap_diag("first bad byte at offset %ld of %zu", bad, size);
	tap_check(&r->t, bad < 0, "%s", what);
}

static void free_bufs(struct bufs *b)
{
	void **p[] = { &b->src, &b->dst, &b->v0, &b->v0b, &b->v1 };
	unsigned int i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		if (*p[i])
			hsa_amd_memory_pool_free(*p[i]);
		*p[i] = NULL;
	}
}

static bool alloc_bufs(struct run *r, struct bufs *b, size_t size, uint64_t seed)
{
	struct agents *a = &r->a;
	bool ok;

	memset(b, 0, sizeof(*b));
	ok = !hsa_amd_memory_pool_allocate(a->sys, size, 0, &b->src) &&
	     !hsa_amd_memory_pool_allocate(a->sys, size, 0, &b->dst) &&
	     !hsa_amd_memory_pool_allocate(a->vram[0], size, 0, &b->v0) &&
	     !hsa_amd_memory_pool_allocate(a->vram[0], size, 0, &b->v0b) &&
	     (a->ngpu < 2 || !hsa_amd_memory_pool_allocate(a->vram[1], size, 0, &b->v1));
	/* The GPUs reach the host buffers; GPU 0's SDMA reaches GPU 1's VRAM. */
	ok = ok && !hsa_amd_agents_allow_access(a->ngpu, a->gpu, NULL, b->src) &&
	     !hsa_amd_agents_allow_access(a->ngpu, a->gpu, NULL, b->dst) &&
	     (!b->v1 || !hsa_amd_agents_allow_access(1, &a->gpu[0], NULL, b->v1));
	if (!tap_check(&r->t, ok, "%zu bytes: host and VRAM buffers allocated, access allowed",
		       size)) {
		free_bufs(b);
		return false;
	}
	rocm_fill(b->src, size, seed);
	return true;
}

/* H2D, D2H, D2D across GPUs and (small) within GPU 0, interrupt signals. */
static void copy_size(struct run *r, size_t size)
{
	struct agents *a = &r->a;
	char what[128];
	struct bufs b;

	if (!alloc_bufs(r, &b, size, size))
		return;
	snprintf(what, sizeof(what), "%zu bytes host -> GPU 0 VRAM", size);
	if (copy(r, b.v0, a->gpu[0], b.src, a->cpu, size, false, what)) {
		tap_check(&r->t, true, "%s", what);
		snprintf(what, sizeof(what), "%zu bytes GPU 0 VRAM -> host, every byte", size);
		verify(r, &b, b.v0, 0, size, false, what);
	}
	if (b.v1) {
		snprintf(what, sizeof(what), "%zu bytes GPU 0 VRAM -> GPU 1 VRAM", size);
		if (copy(r, b.v1, a->gpu[1], b.v0, a->gpu[0], size, false, what)) {
			tap_check(&r->t, true, "%s", what);
			snprintf(what, sizeof(what), "%zu bytes GPU 1 VRAM -> host, every byte", size);
			verify(r, &b, b.v1, 1, size, false, what);
		}
	}
	if (size < FORCE_SDMA_SIZE) {
		snprintf(what, sizeof(what), "%zu bytes GPU 0 VRAM -> GPU 0 VRAM", size);
		if (copy(r, b.v0b, a->gpu[0], b.v0, a->gpu[0], size, false, what)) {
			tap_check(&r->t, true, "%s", what);
			snprintf(what, sizeof(what), "%zu bytes of the second buffer -> host, every byte",
				 size);
			verify(r, &b, b.v0b, 0, size, false, what);
		}
	}
	free_bufs(&b);
}

/* The same round trip, waiting by polling. */
static void copy_polling(struct run *r, size_t size)
{
	struct agents *a = &r->a;
	char what[128];
	struct bufs b;

	if (!alloc_bufs(r, &b, size, size + 1))
		return;
	snprintf(what, sizeof(what), "%zu bytes host -> VRAM, polled wait", size);
	if (copy(r, b.v0, a->gpu[0], b.src, a->cpu, size, true, what)) {
		tap_check(&r->t, true, "%s", what);
		snprintf(what, sizeof(what), "%zu bytes VRAM -> host, polled wait, every byte", size);
		verify(r, &b, b.v0, 0, size, true, what);
	}
	free_bufs(&b);
}

/*
 * Two copies in flight at once, host to two VRAM buffers, and a third,
 * VRAM back to host, that depends on the first's signal.
 */
static void copy_in_flight(struct run *r, size_t size)
{
	struct agents *a = &r->a;
	hsa_signal_t s[3];
	bool made[3] = { false, false, false }, ok = true, done;
	unsigned int i;
	struct bufs b;
	long bad;

	if (r->hung) {
		tap_check(&r->t, false, "two copies in flight (not run: an earlier copy did not complete)");
		return;
	}
	if (!alloc_bufs(r, &b, size, size + 2))
		return;
	for (i = 0; i < 3; i++)
		ok = ok && (made[i] = make_signal(&s[i]));
	memset(b.dst, 0, size);
	ok = ok && !hsa_amd_memory_async_copy(b.v0, a->gpu[0], b.src, a->cpu, size, 0, NULL, s[0]);
	ok = ok && !hsa_amd_memory_async_copy(b.v0b, a->gpu[0], b.src, a->cpu, size, 0, NULL, s[1]);
	ok = ok && !hsa_amd_memory_async_copy(b.dst, a->cpu, b.v0, a->gpu[0], size, 1, &s[0], s[2]);
	tap_check(&r->t, ok, "%zu bytes: two copies in flight and a third waiting for the first",
		  size);
	done = ok;
	for (i = 0; ok && i < 3; i++)
		done = done && wait_signal(r, s[i], false);
	if (ok && !done)
		r->hung = true;
	bad = done ? rocm_cmp(b.dst, b.src, size) : 0;
	tap_check(&r->t, done && bad < 0,
		  "all three complete; the dependent copy read what the first wrote");
	for (i = 0; i < 3 && !r->hung; i++)
		if (made[i])
			hsa_signal_destroy(s[i]);
	if (done) {
		char what[96];

		snprintf(what, sizeof(what), "%zu bytes: the second in-flight copy, every byte", size);
		verify(r, &b, b.v0b, 0, size, false, what);
	}
	free_bufs(&b);
}

static void hold(const char *file)
{
	char tmp[512];
	double end;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%d\n", getpid());
	if (fclose(f) || rename(tmp, file))
		return;
	snprintf(tmp, sizeof(tmp), "%s.go", file);
	end = rocm_now() + 600;
	while (access(tmp, F_OK) && rocm_now() < end)
		usleep(20000);
}

static size_t parse_size(const char *s)
{
	char *end;
	size_t v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return v;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 65536, 1 << 20, 16 << 20, 64 << 20 };
	struct run r = { .timeout = 30 };
	size_t max = 64 << 20;
	const char *hold_file = NULL;
	void *marker[MAX_GPUS] = { NULL };
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "Pm:t:w:")) != -1) {
		switch (c) {
		case 'P':
			/* read by hsa_init() */
			setenv("HSA_ENABLE_INTERRUPT", "0", 1);
			break;
		case 'm':
			max = parse_size(optarg);
			break;
		case 't':
			r.timeout = atof(optarg);
			break;
		case 'w':
			hold_file = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-P] [-m MAX] [-t SECONDS] [-w FILE]\n", argv[0]);
			return 2;
		}
	}
	tap_init(&r.t);
	rocm_expect_get(&r.e);

	if (!tap_check(&r.t, hsa_init() == HSA_STATUS_SUCCESS, "hsa_init"))
		return tap_done(&r.t);
	hsa_system_get_info(HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY, &r.freq);
	if (!r.freq)
		r.freq = 1000000000;
	tap_check(&r.t, hsa_iterate_agents(agent_cb, &r) == HSA_STATUS_SUCCESS,
		  "hsa_iterate_agents");
	tap_check(&r.t, r.a.ncpu == 1 && r.a.has_sys, "one CPU agent (%u), with a global pool",
		  r.a.ncpu);
	tap_check(&r.t, r.a.ngpu == r.e.num_gpus, "%u GPU agents (num_gpus=%u)", r.a.ngpu,
		  r.e.num_gpus);
	for (i = 0; i < r.a.ngpu; i++)
		tap_check(&r.t, r.a.has_vram[i] && r.a.vram_size[i] == (size_t)r.e.vram_mb << 20,
			  "GPU %u: a VRAM pool of %zu bytes (vram_mb=%u)", i, r.a.vram_size[i],
			  r.e.vram_mb);
	if (!r.a.ncpu || !r.a.has_sys || !r.a.ngpu || !r.a.has_vram[0] ||
	    (r.a.ngpu > 1 && !r.a.has_vram[1]))
		return tap_done(&r.t);

	/* VRAM that stays allocated until the end: sysfs shows it (-w). */
	for (i = 0; i < r.a.ngpu; i++)
		if (r.a.has_vram[i])
			tap_check(&r.t, !hsa_amd_memory_pool_allocate(r.a.vram[i], MARKER_VRAM, 0,
								      &marker[i]),
				  "GPU %u: 1 MiB of VRAM held for the run", i);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] <= max)
			copy_size(&r, sizes[i]);
	copy_polling(&r, 65536);
	if (max >= 16 << 20)
		copy_polling(&r, 16 << 20);
	copy_in_flight(&r, max < (1 << 20) ? max : 1 << 20);

	if (hold_file)
		hold(hold_file);
	if (r.hung) {
		/* The engine is stuck on a copy: shutting down could wait for
		 * it forever. Leave; closing /dev/kfd frees the rest. */
		tap_check(&r.t, false, "hsa_shut_down (not run: a copy did not complete)");
		c = tap_done(&r.t);
		fflush(stdout);
		_exit(c);
	}
	for (i = 0; i < r.a.ngpu; i++)
		if (marker[i])
			hsa_amd_memory_pool_free(marker[i]);
	tap_check(&r.t, hsa_shut_down() == HSA_STATUS_SUCCESS, "hsa_shut_down");
	return tap_done(&r.t);
}
