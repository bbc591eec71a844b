/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Actors of the isolation attack tests (sdma_attack.c, sdma_attack_life.c).
 * The compute queue kinds of the matrix are attack_cq.h's.
 *
 * An actor is one KFD context with a GPU VM on the first GPU, a secret,
 * a landing buffer, a source buffer and a fence page mapped at GPU
 * addresses of its own (no other actor maps anything there), a buffer at
 * ATK_SHARED_VA (the same address in every actor, a different buffer in
 * each), a MEMORY event, and an SDMA queue of its own. Everything an
 * actor does goes through its own queues, as a GPU program would.
 *
 * The actor functions use no harness macro: an actor may live in another
 * process (a child driven over pipes). They return 0 or -errno for a
 * failure of the test's own machinery, and report what the driver did in
 * a result struct for the caller to judge. Header-only and static;
 * include it after vkfd_utils.h.
 */
#ifndef VKFD_SELFTEST_ATTACK_UTILS_H
#define VKFD_SELFTEST_ATTACK_UTILS_H

#include <sched.h>

#include <linux/vkfd_sdma.h>

#include "vkfd_utils.h"

#define ATK_PAGE		4096ULL
/*
 * GPU addresses: actor i owns [ATK_BASE + i * ATK_SPAN, + ATK_SPAN). A
 * queue's ring is CPU-mapped at its GPU address (libvkfd does as
 * libhsakmt), so the actors of one process need disjoint rings: these
 * addresses are far from anything a static binary maps.
 */
#define ATK_BASE		0x100000000000ULL
#define ATK_SPAN		0x001000000000ULL
#define ATK_RING_OFF		0x00000000ULL	/* the actor's own queue */
#define ATK_ARING_OFF		0x00200000ULL	/* one queue per attack */
#define ATK_SECRET_OFF		0x10000000ULL
#define ATK_DST_OFF		0x20000000ULL
#define ATK_SRC_OFF		0x30000000ULL
#define ATK_FENCE_OFF		0x40000000ULL
#define ATK_SHARED_VA		0x50000000ULL	/* in every actor */
#define ATK_BUF			(2 * ATK_PAGE)	/* secret, dst, src, shared */
#define ATK_RING		4096ULL
#define ATK_DST_FILL		0x11		/* never a secret byte */
#define ATK_WAIT_MS		20000		/* a bound, not a measurement */

#define ATK_ACTORS		4

static inline uint64_t atk_base(int idx)
{
	return ATK_BASE + (uint64_t)idx * ATK_SPAN;
}

static inline uint64_t atk_secret_va(int idx)
{
	return atk_base(idx) + ATK_SECRET_OFF;
}

/* Byte @i of the secret named @seed: bit 7 set, so never ATK_DST_FILL or 0. */
static inline uint8_t atk_secret_byte(uint32_t seed, uint64_t i)
{
	return 0x80 | ((seed * 0x2f + i * 7 + (i >> 7) * 13) & 0x7f);
}

static inline uint32_t atk_secret_dword(uint32_t seed, uint64_t off)
{
	return atk_secret_byte(seed, off) |
	       (uint32_t)atk_secret_byte(seed, off + 1) << 8 |
	       (uint32_t)atk_secret_byte(seed, off + 2) << 16 |
	       (uint32_t)atk_secret_byte(seed, off + 3) << 24;
}

static inline void atk_fill_secret(uint8_t *p, uint64_t len, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = atk_secret_byte(seed, i);
}

static inline bool atk_has_secret(const uint8_t *p, uint64_t len, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != atk_secret_byte(seed, i))
			return false;
	return true;
}

/* The packets that read or write memory, as the matrix names them. */
enum atk_kind {
	ATK_COPY_SRC,		/* COPY_LINEAR from the target */
	ATK_COPY_DST,		/* COPY_LINEAR to the target */
	ATK_WRITE,		/* WRITE_LINEAR */
	ATK_FILL,		/* CONST_FILL */
	ATK_FENCE,		/* FENCE */
	ATK_TIMESTAMP,		/* TIMESTAMP */
	ATK_POLL,		/* POLL_REGMEM on the target */
	ATK_ATOMIC,		/* ATOMIC ADD64 on the target */
	ATK_RECT_SRC,		/* COPY_LINEAR_RECT from the target */
	ATK_RECT_DST,		/* COPY_LINEAR_RECT to the target */
	/* PM4 on a COMPUTE queue (attack_cq.h) */
	ATK_PM4_WRITE_DATA,	/* WRITE_DATA to the target */
	ATK_PM4_RELEASE_MEM32,	/* RELEASE_MEM data_sel 1 */
	ATK_PM4_RELEASE_MEM64,	/* RELEASE_MEM data_sel 2 */
	ATK_PM4_RELEASE_CLOCK,	/* RELEASE_MEM data_sel 3, the GPU clock */
	ATK_PM4_WAIT_MEM,	/* WAIT_REG_MEM on the target */
	ATK_PM4_WAIT_MEM64,	/* WAIT_REG_MEM64 on the target */
	ATK_PM4_IB,		/* INDIRECT_BUFFER at the target */
	ATK_PM4_QUERY_STATUS,	/* QUERY_STATUS writing the target */
	ATK_PM4_COPY_SRC,	/* COPY_DATA from memory at the target */
	ATK_PM4_COPY_DST,	/* COPY_DATA to memory at the target */
	ATK_PM4_ATOMIC_MEM,	/* ATOMIC_MEM ADD64 on the target */
	ATK_PM4_DMA_SRC,	/* DMA_DATA from the target */
	ATK_PM4_DMA_DST,	/* DMA_DATA to the target */
	ATK_PM4_COND_POLL,	/* COND_WRITE polling the target */
	ATK_PM4_COND_WRITE,	/* COND_WRITE writing the target */
	/* AQL on a COMPUTE_AQL queue (attack_cq.h) */
	ATK_AQL_AND_DEP,	/* BARRIER_AND on a signal at the target */
	ATK_AQL_OR_DEP,		/* BARRIER_OR on a signal at the target */
	ATK_AQL_BARRIER_VALUE,	/* AMD's BARRIER_VALUE on the target */
	ATK_AQL_COMPLETION,	/* completion signal at the target */
	ATK_AQL_MAILBOX,	/* a signal's event mailbox at the target */
	ATK_AQL_KOBJ,		/* KERNEL_DISPATCH of a kernel object there */
	ATK_AQL_CODE,		/* KERNEL_DISPATCH whose code is there */
	ATK_KINDS
};

static inline const char *atk_kind_name(enum atk_kind k)
{
	static const char *const names[ATK_KINDS] = {
		"COPY_LINEAR (source)", "COPY_LINEAR (destination)",
		"WRITE_LINEAR", "CONST_FILL", "FENCE", "TIMESTAMP",
		"POLL_REGMEM", "ATOMIC", "COPY_LINEAR_RECT (source)",
		"COPY_LINEAR_RECT (destination)",
		"PM4 WRITE_DATA", "PM4 RELEASE_MEM (data 32)",
		"PM4 RELEASE_MEM (data 64)", "PM4 RELEASE_MEM (GPU clock)",
		"PM4 WAIT_REG_MEM", "PM4 WAIT_REG_MEM64",
		"PM4 INDIRECT_BUFFER", "PM4 QUERY_STATUS",
		"PM4 COPY_DATA (source)", "PM4 COPY_DATA (destination)",
		"PM4 ATOMIC_MEM", "PM4 DMA_DATA (source)",
		"PM4 DMA_DATA (destination)", "PM4 COND_WRITE (poll)",
		"PM4 COND_WRITE (write)",
		"AQL BARRIER_AND (dependency)", "AQL BARRIER_OR (dependency)",
		"AQL BARRIER_VALUE", "AQL completion signal",
		"AQL event mailbox", "AQL kernel object", "AQL kernel code",
	};

	return k < ATK_KINDS ? names[k] : "?";
}

/**
 * struct atk_actor - one context and what it owns
 * @name: for messages
 * @idx: which address range it owns (atk_base())
 * @seed: names its secret (atk_secret_byte())
 * @k: the context
 * @ctx_id: its id, VKFD_CTX_ID_PRIMARY or a secondary's
 * @pid: the process it belongs to
 * @gpu_id: the GPU its VM is on
 * @render: the render file bound to the VM
 * @secret, @dst, @src, @fence, @shared: its buffers, mapped in its VM
 * @secret_cpu...: their CPU mappings
 * @q: its own queue, which must keep working whatever others do
 * @fault_ev: its MEMORY event
 * @seq: the last fence value it used
 * @faults: how many faults its own attacks caused, which its sysfs
 *	counters_<gpuid>/faults must show
 * @where: what failed, when a function returns an error
 */
struct atk_actor {
	const char *name;
	int idx;
	uint32_t seed;
	struct vkfd_context k;
	uint32_t ctx_id;
	pid_t pid;
	uint32_t gpu_id;
	int render;
	struct vkfd_bo secret, dst, src, fence, shared;
	uint8_t *secret_cpu, *dst_cpu, *src_cpu, *shared_cpu;
	volatile uint32_t *fence_cpu;
	struct vkfd_queue q;
	bool has_q;
	struct vkfd_event fault_ev;
	bool has_ev;
	uint32_t seq;
	uint64_t faults;
	const struct vkfd_env *env;
	const char *where;
};

/**
 * struct atk_result - what one attack did
 * @faulted: the attacker's MEMORY event fired
 * @fault: what it reported
 * @fence_written: the queue went on past the attack (it must halt)
 * @counter: the attacker's counters_<gpuid>/faults went up by this much
 * @changed: bytes of the attacker's landing buffer that changed
 * @leaked: bytes of the attacker's landing buffer that hold the victim's
 *	secret byte of their position, or 4 if POLL_REGMEM got past a
 *	comparison with the victim's memory
 */
struct atk_result {
	bool faulted;
	struct vkfd_memory_fault fault;
	bool fence_written;
	int64_t counter;
	uint64_t changed;
	uint64_t leaked;
};

/**
 * struct atk_check - what a victim found after an attack on it
 * @secret_intact: its secret holds exactly what it wrote
 * @copy_ok: its own queue copied the secret to its landing buffer
 * @foreign_event: its MEMORY event fired although it did nothing wrong
 * @counter_ok: its counters_<gpuid>/faults shows its own faults only
 */
struct atk_check {
	bool secret_intact;
	bool copy_ok;
	bool foreign_event;
	bool counter_ok;
};

#define ATK_FAIL(a, what, ret) ({ (a)->where = (what); (ret); })

static inline int atk_map_buf(struct atk_actor *a, uint64_t va, uint64_t size,
			      uint32_t flags, struct vkfd_bo *bo, void **cpu)
{
	int ret;

	ret = vkfd_alloc(&a->k, a->gpu_id, va, size,
			 flags | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, bo);
	if (ret)
		return ATK_FAIL(a, "alloc", ret);
	ret = vkfd_map(&a->k, bo, &a->gpu_id, 1);
	if (ret)
		return ATK_FAIL(a, "map to the GPU", ret);
	ret = vkfd_bo_mmap(a->render, bo, PROT_READ | PROT_WRITE, cpu);
	if (ret)
		return ATK_FAIL(a, "CPU mmap", ret);
	return 0;
}

/* The actor's counters_<gpuid>/faults; -errno if it cannot be read. */
static inline int atk_faults(const struct atk_actor *a, uint64_t *v)
{
	char file[48];

	snprintf(file, sizeof(file), "counters_%u/faults", a->gpu_id);
	return vkfd_ctx_sysfs_u64(a->env, a->pid, a->ctx_id, file, v);
}

static inline void atk_actor_zero(struct atk_actor *a)
{
	memset(a, 0, sizeof(*a));
	a->k.fd = -1;
	a->render = -1;
}

/*
 * Open the actor's context (a secondary if @secondary) with its VM on
 * @b's first GPU, and set up what it owns. On failure the caller still
 * calls atk_actor_fini(). An actor in a child process takes the parent's
 * @b: only its environment and GPUs are used.
 */
static inline int atk_actor_init(struct atk_actor *a, const struct vkfd_base *b,
				 const char *name, int idx, bool secondary)
{
	long ctx_id;
	void *p;
	int ret;

	atk_actor_zero(a);
	a->env = &b->env;
	a->name = name;
	a->idx = idx;
	a->seed = 0x5ec0 + idx * 0x101;
	a->pid = getpid();
	if (!b->ngpus)
		return ATK_FAIL(a, "find a GPU", -ENODEV);
	a->gpu_id = b->gpu[0];
	ret = vkfd_context_vm(&b->env, secondary, a->gpu_id, &a->k, &a->render);
	if (ret) {
		a->k.fd = -1;
		a->render = -1;
		return ATK_FAIL(a, "open the context with its VM", ret);
	}
	ctx_id = vkfd_ctx_id_of_fd(a->k.fd);
	if (ctx_id < 0)
		return ATK_FAIL(a, "CTX_INFO", (int)ctx_id);
	a->ctx_id = ctx_id;

	ret = atk_map_buf(a, atk_secret_va(idx), ATK_BUF,
			  KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &a->secret, &p);
	if (ret)
		return ret;
	a->secret_cpu = p;
	ret = atk_map_buf(a, atk_base(idx) + ATK_DST_OFF, ATK_BUF,
			  KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &a->dst, &p);
	if (ret)
		return ret;
	a->dst_cpu = p;
	ret = atk_map_buf(a, atk_base(idx) + ATK_SRC_OFF, ATK_BUF,
			  KFD_IOC_ALLOC_MEM_FLAGS_GTT, &a->src, &p);
	if (ret)
		return ret;
	a->src_cpu = p;
	ret = atk_map_buf(a, atk_base(idx) + ATK_FENCE_OFF, ATK_PAGE,
			  KFD_IOC_ALLOC_MEM_FLAGS_GTT, &a->fence, &p);
	if (ret)
		return ret;
	a->fence_cpu = p;
	ret = atk_map_buf(a, ATK_SHARED_VA, ATK_BUF,
			  KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &a->shared, &p);
	if (ret)
		return ret;
	a->shared_cpu = p;

	atk_fill_secret(a->secret_cpu, ATK_BUF, a->seed);
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	/* what it would plant in a victim: its own bytes, not the victim's */
	atk_fill_secret(a->src_cpu, ATK_BUF, a->seed + 0x40);
	atk_fill_secret(a->shared_cpu, ATK_BUF, a->seed + 0x80);
	memset((void *)a->fence_cpu, 0, ATK_PAGE);

	ret = vkfd_event_create(&a->k, KFD_IOC_EVENT_MEMORY, true, 0,
				&a->fault_ev);
	if (ret)
		return ATK_FAIL(a, "CREATE_EVENT (memory)", ret);
	a->has_ev = true;
	ret = vkfd_queue_create(&a->k, a->render, a->gpu_id,
				atk_base(idx) + ATK_RING_OFF, ATK_RING, &a->q);
	if (ret)
		return ATK_FAIL(a, "create its queue", ret);
	a->has_q = true;
	return 0;
}

static inline void atk_unmap_free(struct atk_actor *a, struct vkfd_bo *bo,
				  void *cpu)
{
	if (cpu)
		vkfd_bo_munmap(bo, cpu);
	if (bo->handle)
		vkfd_free(&a->k, bo);
}

static inline void atk_actor_fini(struct atk_actor *a)
{
	if (a->k.fd < 0)
		return;
	if (a->has_q)
		vkfd_queue_destroy(&a->k, &a->q);
	if (a->has_ev)
		vkfd_event_destroy(&a->k, a->fault_ev.id);
	atk_unmap_free(a, &a->secret, a->secret_cpu);
	atk_unmap_free(a, &a->dst, a->dst_cpu);
	atk_unmap_free(a, &a->src, a->src_cpu);
	atk_unmap_free(a, &a->fence, (void *)a->fence_cpu);
	atk_unmap_free(a, &a->shared, a->shared_cpu);
	if (a->render >= 0)
		close(a->render);
	vkfd_close(&a->k);
	atk_actor_zero(a);
}

/*
 * Let the actor's context go with everything in it: drop this process's
 * CPU mappings and close the fds, destroy nothing first. The kernel
 * tears the queues, events and buffers down with the context.
 */
static inline void atk_actor_drop(struct atk_actor *a)
{
	if (a->has_q) {
		munmap(a->q.ring, a->q.bo.size);
		munmap(a->q.doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
	}
	if (a->secret_cpu)
		vkfd_bo_munmap(&a->secret, a->secret_cpu);
	if (a->dst_cpu)
		vkfd_bo_munmap(&a->dst, a->dst_cpu);
	if (a->src_cpu)
		vkfd_bo_munmap(&a->src, a->src_cpu);
	if (a->fence_cpu)
		vkfd_bo_munmap(&a->fence, (void *)a->fence_cpu);
	if (a->shared_cpu)
		vkfd_bo_munmap(&a->shared, a->shared_cpu);
	if (a->render >= 0)
		close(a->render);
	if (a->k.fd >= 0)
		vkfd_close(&a->k);
	atk_actor_zero(a);
}

/* Spin until the fence dword at @slot holds @seq: 0 or -ETIMEDOUT. */
static inline int atk_wait_fence(const struct atk_actor *a, unsigned int slot,
				 uint32_t seq, unsigned int timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (__atomic_load_n(&a->fence_cpu[slot], __ATOMIC_ACQUIRE) == seq)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > (long)timeout_ms)
			return -ETIMEDOUT;
		sched_yield();
	}
}

/*
 * Submit @n dwords and a FENCE of a new value into fence slot @slot on
 * @q; wait for the fence if @wait. Returns the fence value, or -errno.
 */
static inline int64_t atk_submit(struct atk_actor *a, struct vkfd_queue *q,
				 uint32_t *dw, uint32_t n, unsigned int slot,
				 bool wait)
{
	uint64_t fence_va = a->fence.va + slot * 4;
	uint32_t seq = ++a->seq;
	int ret;

	n += vkfd_sdma_fence(dw + n, fence_va, seq);
	ret = vkfd_queue_submit(q, dw, n);
	if (ret)
		return ATK_FAIL(a, "submit", ret);
	if (wait) {
		ret = atk_wait_fence(a, slot, seq, ATK_WAIT_MS);
		if (ret)
			return ATK_FAIL(a, "wait for the fence", ret);
	}
	return seq;
}

/*
 * Encode the attack @kind on @target into @dw; returns its length. The
 * victim's secret is @seed (POLL_REGMEM compares with it, so that it
 * would get past only by reading the victim's memory).
 */
static inline uint32_t atk_encode(const struct atk_actor *a, enum atk_kind kind,
				  uint64_t target, uint64_t target_off,
				  uint32_t seed, uint32_t *dw)
{
	static const uint32_t data[4] = { 0xa77ac4ed, 0xa77ac4ee, 0xa77ac4ef,
					  0xa77ac4f0 };
	/*
	 * A page as a box of 4 rows of 256 dwords, pitch = width: the same
	 * bytes as COPY_LINEAR of a page.
	 */
	struct vkfd_sdma_rect page = { .pitch = 256, .slice = 1 };
	struct vkfd_sdma_rect other = page;

	switch (kind) {
	case ATK_COPY_SRC:
		return vkfd_sdma_copy_linear(dw, a->dst.va, target, ATK_PAGE);
	case ATK_COPY_DST:
		return vkfd_sdma_copy_linear(dw, target, a->src.va, ATK_PAGE);
	case ATK_WRITE:
		return vkfd_sdma_write_linear(dw, target, data, 4);
	case ATK_FILL:
		return vkfd_sdma_const_fill(dw, target, 0xa77ac4ed, ATK_PAGE);
	case ATK_FENCE:
		return vkfd_sdma_fence(dw, target, 0xa77ac4ed);
	case ATK_TIMESTAMP:
		return vkfd_sdma_timestamp(dw, target);
	case ATK_POLL:
		return vkfd_sdma_poll_regmem(dw, target,
					     atk_secret_dword(seed, target_off),
					     0xffffffff, 1,
					     VKFD_SDMA_POLL_RETRY_FOREVER);
	case ATK_ATOMIC:
		return vkfd_sdma_pkt_atomic(dw, VKFD_SDMA_ATOMIC_ADD_RTN_64,
					    target, 1, 0, 0, 0);
	case ATK_RECT_SRC:
		page.va = target;
		other.va = a->dst.va;
		return vkfd_sdma_pkt_copy_rect(dw, 2, &other, &page, 256, 4, 1);
	case ATK_RECT_DST:
		page.va = target;
		other.va = a->src.va;
		return vkfd_sdma_pkt_copy_rect(dw, 2, &page, &other, 256, 4, 1);
	default:
		return vkfd_sdma_nop(dw);
	}
}

/*
 * @a attacks @target (@target_off bytes into the secret named @seed,
 * which @a has not mapped) with @kind, on a queue of its own made for the
 * attack: the packet, then a FENCE. Waits for @a's MEMORY event and
 * reports in @r; the queue is destroyed after.
 */
static inline int atk_attack(struct atk_actor *a, enum atk_kind kind,
			     uint64_t target, uint64_t target_off,
			     uint32_t seed, struct atk_result *r)
{
	uint64_t before, after, i;
	struct vkfd_queue q;
	uint32_t dw[32], n, result = 0;
	int64_t seq;
	int ret, ret2;

	memset(r, 0, sizeof(*r));
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	ret = atk_faults(a, &before);
	if (ret)
		return ATK_FAIL(a, "read counters_<gpuid>/faults", ret);
	ret = vkfd_queue_create(&a->k, a->render, a->gpu_id,
				atk_base(a->idx) + ATK_ARING_OFF, ATK_RING, &q);
	if (ret)
		return ATK_FAIL(a, "create the attack queue", ret);

	n = atk_encode(a, kind, target, target_off, seed, dw);
	seq = atk_submit(a, &q, dw, n, 1, false);
	if (seq < 0) {
		ret = (int)seq;
		goto destroy;
	}
	ret = vkfd_event_wait_fault(&a->k, a->fault_ev.id, ATK_WAIT_MS,
				    &result, &r->fault);
	if (ret) {
		a->where = "WAIT_EVENTS (memory)";
		goto destroy;
	}
	r->faulted = result == KFD_IOC_WAIT_RESULT_COMPLETE;
	if (r->faulted)
		a->faults++;
	/* A halted queue never gets to the fence. */
	r->fence_written = a->fence_cpu[1] == (uint32_t)seq;
	if (kind == ATK_POLL && r->fence_written)
		r->leaked += 4;
	for (i = 0; i < ATK_BUF; i++) {
		if (a->dst_cpu[i] == ATK_DST_FILL)
			continue;
		r->changed++;
		if (i < ATK_PAGE &&
		    a->dst_cpu[i] == atk_secret_byte(seed, target_off + i))
			r->leaked++;
	}
destroy:
	ret2 = vkfd_queue_destroy(&a->k, &q);
	if (!ret && ret2)
		ret = ATK_FAIL(a, "destroy the attack queue", ret2);
	if (ret)
		return ret;
	ret = atk_faults(a, &after);
	if (ret)
		return ATK_FAIL(a, "read counters_<gpuid>/faults", ret);
	r->counter = (int64_t)(after - before);
	return 0;
}

/*
 * What a victim checks after others attacked it: its secret is intact,
 * its own queue copies it correctly, it got no MEMORY event and its fault
 * counter shows only its own faults.
 */
static inline int atk_victim_check(struct atk_actor *a, struct atk_check *c)
{
	uint32_t dw[16], n, result = 0;
	uint64_t faults;
	int64_t seq;
	int ret;

	memset(c, 0, sizeof(*c));
	c->secret_intact = atk_has_secret(a->secret_cpu, ATK_BUF, a->seed);
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	n = vkfd_sdma_copy_linear(dw, a->dst.va, a->secret.va, ATK_BUF);
	seq = atk_submit(a, &a->q, dw, n, 0, true);
	if (seq < 0)
		return (int)seq;
	c->copy_ok = !memcmp(a->dst_cpu, a->secret_cpu, ATK_BUF);
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	ret = vkfd_event_wait(&a->k, &a->fault_ev.id, 1, false, 0, &result);
	if (ret)
		return ATK_FAIL(a, "WAIT_EVENTS (memory, no wait)", ret);
	c->foreign_event = result == KFD_IOC_WAIT_RESULT_COMPLETE;
	ret = atk_faults(a, &faults);
	if (ret)
		return ATK_FAIL(a, "read counters_<gpuid>/faults", ret);
	c->counter_ok = faults == a->faults;
	return 0;
}

/*
 * The same GPU address, ATK_SHARED_VA, in every actor: copy from it into
 * the landing buffer (it must be this actor's bytes), then write a tag
 * of this actor's at offset 64 of it. Returns whether the copy saw only
 * the actor's own bytes in *@own_copy.
 */
static inline int atk_shared_run(struct atk_actor *a, bool *own_copy)
{
	uint32_t dw[32], n, tag[4];
	int64_t seq;
	int i;

	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	n = vkfd_sdma_copy_linear(dw, a->dst.va, ATK_SHARED_VA, ATK_BUF);
	seq = atk_submit(a, &a->q, dw, n, 0, true);
	if (seq < 0)
		return (int)seq;
	*own_copy = atk_has_secret(a->dst_cpu, ATK_BUF, a->seed + 0x80);
	for (i = 0; i < 4; i++)
		tag[i] = 0x7a900000 | a->idx << 8 | i;
	n = vkfd_sdma_write_linear(dw, ATK_SHARED_VA + 64, tag, 4);
	seq = atk_submit(a, &a->q, dw, n, 0, true);
	return seq < 0 ? (int)seq : 0;
}

/* Does the shared buffer hold the actor's bytes and its own tag only? */
static inline bool atk_shared_verify(const struct atk_actor *a)
{
	uint8_t want[ATK_BUF];
	uint32_t tag[4];
	int i;

	atk_fill_secret(want, ATK_BUF, a->seed + 0x80);
	for (i = 0; i < 4; i++)
		tag[i] = 0x7a900000 | a->idx << 8 | i;
	memcpy(want + 64, tag, sizeof(tag));
	return !memcmp(a->shared_cpu, want, ATK_BUF);
}

#endif /* VKFD_SELFTEST_ATTACK_UTILS_H */
