/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The attack matrix's compute queue kinds (sdma_attack.c): the PM4
 * packets and the AQL packets that read or write memory, each run by the
 * attacker on a COMPUTE or COMPUTE_AQL queue made for the attack, as
 * attack_utils.h's atk_attack() runs an SDMA packet. The claims are the
 * same: the attacker alone faults, at the victim's page, counted once;
 * its queue halts (the queue type's own "fence" after the packet is never
 * written); nothing of the victim's reaches the attacker.
 *
 * The fence after the packet is the queue type's own write: WRITE_DATA
 * of the sequence number to fence slot 1 on a PM4 queue, a BARRIER_AND
 * without dependencies whose completion signal (in the fence page) the
 * engine decrements on an AQL queue.
 *
 * No harness macro, as attack_utils.h: an actor may be another process.
 * Header-only and static; include it after attack_utils.h.
 */
#ifndef VKFD_SELFTEST_ATTACK_CQ_H
#define VKFD_SELFTEST_ATTACK_CQ_H

#include <linux/vkfd_pm4.h>

#include "attack_utils.h"
#include "libvkfd_aql.h"

/* In the attacker's fence page, past the SDMA fence slots */
#define ATK_CQ_FENCE_SIG	0x100	/* the AQL "fence": a signal at 1 */
#define ATK_CQ_OWN_SIG		0x200	/* a signal of the attacker's */
#define ATK_CQ_OWN_DEP		0x300	/* a signal at 0, or a dword 0 */
#define ATK_CQ_KOBJ		0x800	/* a kernel object of the attacker's */
#define ATK_CQ_EVENT_ID		0xa77ac4edu	/* names no event */

/* Which queue type a kind runs on */
static inline uint32_t atk_kind_queue_type(enum atk_kind k)
{
	if (k >= ATK_AQL_AND_DEP && k < ATK_KINDS)
		return KFD_IOC_QUEUE_TYPE_COMPUTE_AQL;
	if (k >= ATK_PM4_WRITE_DATA && k < ATK_AQL_AND_DEP)
		return KFD_IOC_QUEUE_TYPE_COMPUTE;
	return KFD_IOC_QUEUE_TYPE_SDMA;
}

/*
 * Kinds that get past only by reading the victim's memory: a queue that
 * went on past them read it (four bytes of it at least).
 */
static inline bool atk_kind_compares(enum atk_kind k)
{
	switch (k) {
	case ATK_POLL:
	case ATK_PM4_WAIT_MEM:
	case ATK_PM4_WAIT_MEM64:
	case ATK_PM4_COND_POLL:
	case ATK_AQL_AND_DEP:
	case ATK_AQL_OR_DEP:
	case ATK_AQL_BARRIER_VALUE:
		return true;
	default:
		return false;
	}
}

/**
 * struct atk_cq - a compute queue of an actor, made for one attack
 * @type: KFD_IOC_QUEUE_TYPE_COMPUTE or _COMPUTE_AQL
 * @id: queue_id
 * @ring: the GTT buffer: the ring, then the read pointer and the write
 *	pointer in the page after it
 * @cpu: its CPU mapping
 * @wptr: dwords (PM4) or packet ids (AQL), never reduced modulo the ring
 * @doorbell: the queue's doorbell in @db_page
 * @db_page: the context's doorbell page
 */
struct atk_cq {
	uint32_t type;
	uint32_t id;
	struct vkfd_bo ring;
	uint8_t *cpu;
	uint64_t wptr;
	volatile uint64_t *doorbell;
	void *db_page;
};

/* CREATE_QUEUE of @type at @va, as kfdtest's PM4Queue or ROCr's AqlQueue. */
static inline int atk_cq_create(struct atk_actor *a, uint32_t type,
				uint64_t va, struct atk_cq *q)
{
	struct kfd_ioctl_create_queue_args args = { 0 };
	struct kfd_ioctl_destroy_queue_args destroy = { 0 };
	uint64_t mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	void *p;
	int ret;

	memset(q, 0, sizeof(*q));
	q->type = type;
	ret = atk_map_buf(a, va, ATK_RING + ATK_PAGE,
			  KFD_IOC_ALLOC_MEM_FLAGS_GTT, &q->ring, &p);
	if (ret)
		goto err_free;
	q->cpu = p;
	memset(q->cpu, 0, ATK_RING + ATK_PAGE);
	/* ROCr fills the ring with INVALID headers once */
	if (type == KFD_IOC_QUEUE_TYPE_COMPUTE_AQL)
		vkfd_aql_ring_init(q->cpu, ATK_RING);
	vkfd_queue_args(&args, a->gpu_id, type, va, ATK_RING);
	ret = vkfd_ioctl(a->k.fd, AMDKFD_IOC_CREATE_QUEUE, &args);
	if (ret) {
		a->where = "CREATE_QUEUE (compute)";
		goto err_free;
	}
	q->id = args.queue_id;
	p = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, a->k.fd, (off_t)(args.doorbell_offset & ~mask));
	if (p == MAP_FAILED) {
		ret = ATK_FAIL(a, "mmap the doorbells", -errno);
		goto err_destroy;
	}
	q->db_page = p;
	q->doorbell = (volatile uint64_t *)((char *)p +
					    (args.doorbell_offset & mask));
	return 0;

err_destroy:
	destroy.queue_id = q->id;
	vkfd_ioctl(a->k.fd, AMDKFD_IOC_DESTROY_QUEUE, &destroy);
err_free:
	atk_unmap_free(a, &q->ring, q->cpu);
	memset(q, 0, sizeof(*q));
	return ret;
}

static inline int atk_cq_destroy(struct atk_actor *a, struct atk_cq *q)
{
	struct kfd_ioctl_destroy_queue_args args = { .queue_id = q->id };
	int ret;

	ret = vkfd_ioctl(a->k.fd, AMDKFD_IOC_DESTROY_QUEUE, &args);
	munmap(q->db_page, VKFD_DOORBELL_PAGE_SIZE);
	atk_unmap_free(a, &q->ring, q->cpu);
	memset(q, 0, sizeof(*q));
	return ret ? ATK_FAIL(a, "DESTROY_QUEUE (compute)", ret) : 0;
}

/* PM4: @n dwords at the write pointer, then the pointer and the doorbell. */
static inline void atk_cq_pm4_submit(struct atk_cq *q, const uint32_t *dw,
				     uint32_t n)
{
	volatile uint32_t *ring = (volatile uint32_t *)q->cpu;
	uint64_t ndw = ATK_RING / 4, i;

	for (i = 0; i < n; i++)
		ring[(q->wptr + i) & (ndw - 1)] = dw[i];
	q->wptr += n;
	__atomic_store_n((uint64_t *)(q->cpu + ATK_RING + 8), q->wptr,
			 __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
}

/* AQL: the 16 dwords of a packet, the header last, rung with its id. */
static inline void atk_cq_aql_submit(struct atk_cq *q, const uint32_t *dw)
{
	uint64_t id = q->wptr++;
	uint32_t *slot = (uint32_t *)(q->cpu + (id * VKFD_AQL_PKT) % ATK_RING);
	int i;

	for (i = 1; i < VKFD_AQL_PKT / 4; i++)
		slot[i] = dw[i];
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
}

/*
 * The attacker's own signal at ATK_CQ_OWN_SIG of its fence page: value
 * @value, event mailbox @mailbox (0: none) with ATK_CQ_EVENT_ID.
 */
static inline uint64_t atk_cq_own_sig(struct atk_actor *a, int64_t value,
				      uint64_t mailbox)
{
	uint8_t *sig = (uint8_t *)a->fence_cpu + ATK_CQ_OWN_SIG;

	*(uint64_t *)(sig + VKFD_AQL_SIG_MAILBOX) = mailbox;
	*(uint32_t *)(sig + VKFD_AQL_SIG_EVENT_ID) = ATK_CQ_EVENT_ID;
	__atomic_store_n((int64_t *)(sig + VKFD_AQL_SIG_VALUE), value,
			 __ATOMIC_RELEASE);
	return a->fence.va + ATK_CQ_OWN_SIG;
}

/*
 * The attacker's kernel object at ATK_CQ_KOBJ of its fence page, whose
 * code starts at @code (anywhere: the offset is relative and wraps).
 */
static inline uint64_t atk_cq_own_kobj(struct atk_actor *a, uint64_t code)
{
	uint64_t kobj = a->fence.va + ATK_CQ_KOBJ;
	uint8_t *k = (uint8_t *)a->fence_cpu + ATK_CQ_KOBJ;

	memset(k, 0, 64);
	*(uint64_t *)(k + VKFD_AQL_CODE_ENTRY) = code - kobj;
	return kobj;
}

/*
 * Encode the PM4 attack @kind on @target into @dw (the victim's secret
 * named @seed, @target_off bytes into it): returns its length.
 */
static inline uint32_t atk_cq_encode_pm4(const struct atk_actor *a,
					 enum atk_kind kind, uint64_t target,
					 uint64_t target_off, uint32_t seed,
					 uint32_t *dw)
{
	static const uint32_t data[4] = { 0xa77ac4ed, 0xa77ac4ee, 0xa77ac4ef,
					  0xa77ac4f0 };
	uint64_t secret64 = atk_secret_dword(seed, target_off) |
			    (uint64_t)atk_secret_dword(seed, target_off + 4) << 32;

	switch (kind) {
	case ATK_PM4_WRITE_DATA:
		return vkfd_pm4_pkt_write_data(dw, target, data, 4, 0);
	case ATK_PM4_RELEASE_MEM32:
		return vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_32,
						VKFD_PM4_RM_INT_NONE, target,
						0xa77ac4ed, 0);
	case ATK_PM4_RELEASE_MEM64:
		return vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_64,
						VKFD_PM4_RM_INT_NONE, target,
						0xa77ac4eda77ac4edull, 0);
	case ATK_PM4_RELEASE_CLOCK:
		return vkfd_pm4_pkt_release_mem(dw, VKFD_PM4_RM_DATA_GPU_CLOCK,
						VKFD_PM4_RM_INT_NONE, target,
						0, 0);
	case ATK_PM4_WAIT_MEM:
		return vkfd_pm4_pkt_wait_mem(dw, target, VKFD_PM4_WRM_FUNC_EQUAL,
					     atk_secret_dword(seed, target_off),
					     0xffffffff, 1);
	case ATK_PM4_WAIT_MEM64:
		return vkfd_pm4_pkt_wait_mem64(dw, target,
					       VKFD_PM4_WRM_FUNC_EQUAL,
					       secret64, ~0ull, 1);
	case ATK_PM4_IB:
		/* the buffer's first dwords are read as packets */
		return vkfd_pm4_pkt_ib(dw, target, 16);
	case ATK_PM4_QUERY_STATUS:
		return vkfd_pm4_pkt_query_status(dw, VKFD_PM4_QS_FENCE, 0,
						 target, 0xa77ac4eda77ac4edull);
	case ATK_PM4_COPY_SRC:
		return vkfd_pm4_pkt_copy_data(dw, VKFD_PM4_CD_TC_L2, target,
					      a->dst.va, true);
	case ATK_PM4_COPY_DST:
		return vkfd_pm4_pkt_copy_data(dw, VKFD_PM4_CD_SRC_IMM,
					      0xa77ac4eda77ac4edull, target,
					      true);
	case ATK_PM4_ATOMIC_MEM:
		return vkfd_pm4_pkt_atomic_mem(dw, VKFD_SDMA_ATOMIC_ADD_RTN_64,
					       VKFD_PM4_AM_SINGLE_PASS, target,
					       1, 0, 0);
	case ATK_PM4_DMA_SRC:
		return vkfd_pm4_pkt_dma_copy(dw, target, a->dst.va, ATK_PAGE,
					     0);
	case ATK_PM4_DMA_DST:
		return vkfd_pm4_pkt_dma_copy(dw, a->src.va, target, ATK_PAGE,
					     0);
	case ATK_PM4_COND_POLL:
		/* writes the landing buffer if the secret compared equal */
		return vkfd_pm4_pkt_cond_write(dw, target,
					       VKFD_PM4_WRM_FUNC_EQUAL,
					       atk_secret_dword(seed, target_off),
					       0xffffffff, a->dst.va,
					       0xa77ac4ed);
	case ATK_PM4_COND_WRITE:
		/* polls a dword of the attacker's: always */
		return vkfd_pm4_pkt_cond_write(dw, a->fence.va + ATK_CQ_OWN_DEP,
					       VKFD_PM4_WRM_FUNC_ALWAYS, 0, 0,
					       target, 0xa77ac4ed);
	default:
		return vkfd_pm4_pkt_nop(dw, 1);
	}
}

/*
 * Encode the AQL attack @kind on @target into the packet @dw. The
 * dependencies are the victim's memory, whose value (a secret byte in
 * each of its 8 bytes, never 0) would keep a barrier waiting: the queue
 * goes on only if the engine read something else.
 */
static inline void atk_cq_encode_aql(struct atk_actor *a, enum atk_kind kind,
				     uint64_t target, uint32_t seed,
				     uint32_t *dw)
{
	switch (kind) {
	case ATK_AQL_AND_DEP:
		vkfd_aql_barrier(dw, VKFD_AQL_AND, target, 0);
		break;
	case ATK_AQL_OR_DEP:
		vkfd_aql_barrier(dw, VKFD_AQL_OR, target, 0);
		break;
	case ATK_AQL_BARRIER_VALUE:
		/* AMD's BARRIER_VALUE: signal, value, mask, cond EQ */
		memset(dw, 0, VKFD_AQL_PKT);
		dw[0] = VKFD_AQL_VENDOR | VKFD_AQL_BARRIER_BIT |
			VKFD_AQL_FMT_BARRIER_VALUE << 16;
		vkfd_aql_set64(dw, 8, target);
		vkfd_aql_set64(dw, 16, 0);
		vkfd_aql_set64(dw, 24, ~0ull);
		dw[8] = 0;	/* HSA_SIGNAL_CONDITION_EQ */
		break;
	case ATK_AQL_COMPLETION:
		vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, target);
		break;
	case ATK_AQL_MAILBOX:
		vkfd_aql_barrier(dw, VKFD_AQL_AND, 0,
				 atk_cq_own_sig(a, 1, target));
		break;
	case ATK_AQL_KOBJ:
		vkfd_aql_dispatch(dw, target, 0);
		break;
	case ATK_AQL_CODE:
		vkfd_aql_dispatch(dw, atk_cq_own_kobj(a, target), 0);
		break;
	default:
		vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, 0);
		break;
	}
	(void)seed;
}

/*
 * Run @kind on @target on a fresh compute queue of @a's, then the queue
 * type's fence (sequence number @seq). *@fence_written: the queue went
 * past the attack, checked after @wait_fence waited for it (or not).
 */
static inline int atk_cq_run(struct atk_actor *a, enum atk_kind kind,
			     uint64_t target, uint64_t target_off,
			     uint32_t seed, struct atk_cq *q)
{
	uint32_t type = atk_kind_queue_type(kind);
	volatile int64_t *fsig = (volatile int64_t *)((uint8_t *)a->fence_cpu +
		ATK_CQ_FENCE_SIG + VKFD_AQL_SIG_VALUE);
	uint32_t dw[32], n;
	int ret;

	ret = atk_cq_create(a, type, atk_base(a->idx) + ATK_ARING_OFF, q);
	if (ret)
		return ret;
	if (type == KFD_IOC_QUEUE_TYPE_COMPUTE) {
		n = atk_cq_encode_pm4(a, kind, target, target_off, seed, dw);
		n += vkfd_pm4_pkt_write_data(dw + n, a->fence.va + 4,
					     &a->seq, 1, 0);
		atk_cq_pm4_submit(q, dw, n);
		return 0;
	}
	*(uint64_t *)((uint8_t *)a->fence_cpu + ATK_CQ_FENCE_SIG +
		      VKFD_AQL_SIG_MAILBOX) = 0;
	*fsig = 1;
	atk_cq_encode_aql(a, kind, target, seed, dw);
	atk_cq_aql_submit(q, dw);
	vkfd_aql_barrier(dw, VKFD_AQL_AND, 0, a->fence.va + ATK_CQ_FENCE_SIG);
	atk_cq_aql_submit(q, dw);
	return 0;
}

/* Did @q's fence, written after the packet, land? */
static inline bool atk_cq_fence_written(const struct atk_actor *a,
					const struct atk_cq *q)
{
	const volatile int64_t *fsig = (const volatile int64_t *)
		((const uint8_t *)a->fence_cpu + ATK_CQ_FENCE_SIG +
		 VKFD_AQL_SIG_VALUE);

	if (q->type == KFD_IOC_QUEUE_TYPE_COMPUTE)
		return __atomic_load_n(&a->fence_cpu[1], __ATOMIC_ACQUIRE) ==
		       a->seq;
	return __atomic_load_n(fsig, __ATOMIC_ACQUIRE) != 1;
}

/* Spin until @q's fence lands: 0 or -ETIMEDOUT. */
static inline int atk_cq_wait_fence(const struct atk_actor *a,
				    const struct atk_cq *q)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atk_cq_fence_written(a, q)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > ATK_WAIT_MS)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

/*
 * atk_attack() for a compute kind: @a attacks @target from a COMPUTE or
 * COMPUTE_AQL queue made for the attack, waits for its MEMORY event and
 * reports in @r.
 */
static inline int atk_cq_attack(struct atk_actor *a, enum atk_kind kind,
				uint64_t target, uint64_t target_off,
				uint32_t seed, struct atk_result *r)
{
	uint64_t before, after, i;
	uint32_t result = 0;
	struct atk_cq q;
	int ret, ret2;

	memset(r, 0, sizeof(*r));
	memset(a->dst_cpu, ATK_DST_FILL, ATK_BUF);
	ret = atk_faults(a, &before);
	if (ret)
		return ATK_FAIL(a, "read counters_<gpuid>/faults", ret);
	a->seq++;
	ret = atk_cq_run(a, kind, target, target_off, seed, &q);
	if (ret)
		return ret;
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
	r->fence_written = atk_cq_fence_written(a, &q);
	if (atk_kind_compares(kind) && r->fence_written)
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
	ret2 = atk_cq_destroy(a, &q);
	if (!ret && ret2)
		ret = ret2;
	if (ret)
		return ret;
	ret = atk_faults(a, &after);
	if (ret)
		return ATK_FAIL(a, "read counters_<gpuid>/faults", ret);
	r->counter = (int64_t)(after - before);
	return 0;
}

/* atk_attack() of any kind, on the queue type the kind needs. */
static inline int atk_attack_kind(struct atk_actor *a, enum atk_kind kind,
				  uint64_t target, uint64_t target_off,
				  uint32_t seed, struct atk_result *r)
{
	if (atk_kind_queue_type(kind) == KFD_IOC_QUEUE_TYPE_SDMA)
		return atk_attack(a, kind, target, target_off, seed, r);
	return atk_cq_attack(a, kind, target, target_off, seed, r);
}

#endif /* VKFD_SELFTEST_ATTACK_CQ_H */
