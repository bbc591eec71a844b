// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's compute queues: COMPUTE (PM4) and COMPUTE_AQL queues, built
 * as kfdtest's PM4Queue and ROCr's AqlQueue build them, fed random packets
 * as kfd_q.c feeds SDMA queues: valid and boundary encodings of every PM4
 * opcode vkfd executes (docs/pm4.rst, the memory packets' selectors,
 * byte counts and alignments included) and of every AQL packet type
 * (docs/aql.rst), over the fuzzer's own ring, other addresses and event
 * ids, garbage dwords, and doorbell values the engine must refuse. What
 * the engine did with them is never judged (it is a matter of timing):
 * the kernel must only not complain, and every later call keep its
 * errno contract. The queues live in the fuzzer's fed-queue slots after
 * the SDMA ones; fuzz_sdma_drop() tears them down as those.
 */
#include <linux/vkfd_pm4.h>

#include "fuzz.h"
#include "libvkfd_aql.h"

/* GPU and CPU addresses of the rings: 1 MiB each, after the SDMA ones */
#define FUZZ_CQ_VA	0x20010000000ULL
#define FUZZ_CQ_RING	4096

/* CREATE_QUEUE of @type in slot @i: a ring, its pointers, the doorbells */
static void fuzz_cq_create(struct fuzz *f, int i, uint32_t type)
{
	struct fuzz_sdma *s = &f->sdma[i];
	struct kfd_ioctl_create_queue_args a = { 0 };
	struct kfd_ioctl_destroy_queue_args d = { 0 };
	uint64_t va = FUZZ_CQ_VA + (uint64_t)i * 0x100000, mask;
	struct vkfd_queue *q = &s->q;
	struct vkfd_context c;
	int ci, g, render;
	void *p = NULL;

	ci = fuzz_queue_ctx(f, &c, &g, &render);
	if (ci < 0)
		return;
	memset(q, 0, sizeof(*q));
	f->calls += 3;
	if (vkfd_alloc(&c, f->gpu[g], va, 2 * FUZZ_CQ_RING,
		       KFD_IOC_ALLOC_MEM_FLAGS_GTT |
		       KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &q->bo))
		return;
	if (vkfd_map(&c, &q->bo, &f->gpu[g], 1) ||
	    vkfd_bo_mmap(render, &q->bo, PROT_READ | PROT_WRITE, &p))
		goto err_free;
	q->ring = p;
	memset(p, 0, 2 * FUZZ_CQ_RING);
	if (type == KFD_IOC_QUEUE_TYPE_COMPUTE_AQL)
		vkfd_aql_ring_init(p, FUZZ_CQ_RING);
	vkfd_queue_args(&a, f->gpu[g], type, va, FUZZ_CQ_RING);
	a.queue_priority = fuzz_below(f, 16);
	f->calls += 2;
	if (vkfd_ioctl(c.fd, AMDKFD_IOC_CREATE_QUEUE, &a))
		goto err_unmap;
	mask = VKFD_DOORBELL_PAGE_SIZE - 1;
	p = mmap(NULL, VKFD_DOORBELL_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, c.fd, (off_t)(a.doorbell_offset & ~mask));
	if (p == MAP_FAILED)
		goto err_destroy;
	q->ctx_fd = c.fd;
	q->id = a.queue_id;
	q->gpu_id = f->gpu[g];
	q->ring_size = FUZZ_CQ_RING;
	q->rptr = (volatile uint64_t *)((char *)q->ring + FUZZ_CQ_RING);
	q->doorbell = (volatile uint64_t *)((char *)p +
					    (a.doorbell_offset & mask));
	q->doorbell_page = p;
	q->doorbell_offset = a.doorbell_offset;
	s->type = type;
	s->ctx = ci;
	f->prof_ok[f->cur]++;
	fuzz_pool_add(&f->handles, q->bo.handle);
	fuzz_pool_add(&f->queues, q->id);
	return;

err_destroy:
	d.queue_id = a.queue_id;
	vkfd_ioctl(c.fd, AMDKFD_IOC_DESTROY_QUEUE, &d);
err_unmap:
	munmap(q->ring, q->bo.size);
err_free:
	vkfd_free(&c, &q->bo);
	memset(q, 0, sizeof(*q));
}

static uint32_t fuzz_cq_event(struct fuzz *f)
{
	return fuzz_chance(f, 1, 8) ? (uint32_t)fuzz_u64(f) :
	       (uint32_t)fuzz_pool_pick(f, &f->events, 1);
}

/* A byte count for DMA_DATA: small mostly, the bounds sometimes */
static uint32_t fuzz_dma_count(struct fuzz *f)
{
	switch (fuzz_below(f, 8)) {
	case 0:
		return fuzz_below(f, 2);	/* nothing, one byte */
	case 1:
		return VKFD_PM4_DMA_COUNT_MASK - fuzz_below(f, 4);
	case 2:
		return (uint32_t)fuzz_rand(f);	/* the other bits too */
	default:
		return fuzz_below(f, 2 * FUZZ_CQ_RING);
	}
}

/*
 * One of the PM4 packets that only touch memory (COPY_DATA, ATOMIC_MEM,
 * DMA_DATA, COND_WRITE) at @dw: their valid selectors mostly, every
 * other value of each field sometimes. Returns its length.
 */
static uint32_t fuzz_pm4_mem_packet(struct fuzz *f, const struct vkfd_queue *q,
				    uint32_t *dw)
{
	/* what the executor takes: memory, immediate, the clocks */
	static const uint32_t cd_src[] = { 1, 2, 5, 9, 10 };
	static const uint32_t cd_dst[] = { 0, 1, 2, 5 };
	uint32_t n, op;

	switch (fuzz_below(f, 4)) {
	case 0:
		n = vkfd_pm4_pkt_copy_data(dw, cd_src[fuzz_below(f, 5)],
					   fuzz_queue_addr(f, q),
					   fuzz_queue_addr(f, q),
					   fuzz_chance(f, 1, 2));
		dw[1] = (dw[1] & ~0xf00u) | cd_dst[fuzz_below(f, 4)] << 8;
		if (fuzz_chance(f, 1, 4))	/* any selector, either side */
			dw[1] ^= fuzz_below(f, 16) << (fuzz_chance(f, 1, 2) ?
							 0 : 8);
		return n;
	case 1:
		/* a TC_OP of 32 or 64 bits, with return or not; or any */
		op = 0x07 + fuzz_below(f, 0x13) + (fuzz_below(f, 4) << 5);
		if (fuzz_chance(f, 1, 8))
			op = fuzz_below(f, 0x80);
		/* rarely a CMPSWAP loop: the queue may wait on it forever */
		return vkfd_pm4_pkt_atomic_mem(dw, op,
					       fuzz_chance(f, 1, 8) ?
					       fuzz_below(f, 16) :
					       fuzz_below(f, 4) &
					       ~VKFD_PM4_AM_LOOP,
					       fuzz_chance(f, 7, 8) ?
					       fuzz_queue_addr(f, q) & ~7ULL :
					       fuzz_queue_addr(f, q),
					       fuzz_rand(f), fuzz_rand(f),
					       fuzz_below(f, 0x2000));
	case 2:
		if (fuzz_chance(f, 1, 2))
			n = vkfd_pm4_pkt_dma_copy(dw, fuzz_queue_addr(f, q),
						  fuzz_queue_addr(f, q),
						  fuzz_dma_count(f), 0);
		else
			n = vkfd_pm4_pkt_dma_fill(dw, (uint32_t)fuzz_rand(f),
						  fuzz_queue_addr(f, q),
						  fuzz_dma_count(f));
		/* sas, das, saic, daic, raw_wait, dis_wc */
		if (fuzz_chance(f, 1, 2))
			dw[6] |= (uint32_t)fuzz_rand(f) & 0xfc000000u;
		if (fuzz_chance(f, 1, 4))	/* GDS, nowhere, any */
			dw[1] = VKFD_PM4_DMA_SRC_SEL(fuzz_below(f, 4)) |
				VKFD_PM4_DMA_DST_SEL(fuzz_below(f, 4)) |
				((uint32_t)fuzz_rand(f) & 0x8000ffffu);
		return n;
	default:
		n = vkfd_pm4_pkt_cond_write(dw, fuzz_queue_addr(f, q),
					    fuzz_below(f, 8),
					    (uint32_t)fuzz_rand(f),
					    (uint32_t)fuzz_rand(f),
					    fuzz_queue_addr(f, q),
					    (uint32_t)fuzz_rand(f));
		if (fuzz_chance(f, 1, 4))	/* a register poll, any space */
			dw[1] = (dw[1] & ~(VKFD_PM4_CW_POLL_MEM | 0x300u)) |
				fuzz_below(f, 2) << 4 | fuzz_below(f, 4) << 8;
		return n;
	}
}

/* One PM4 packet at @dw (at most 32 dwords): returns its length. */
static uint32_t fuzz_pm4_packet(struct fuzz *f, const struct vkfd_queue *q,
				uint32_t *dw)
{
	static const uint32_t set_ops[] = {
		VKFD_PM4_OP_SET_CONFIG_REG, VKFD_PM4_OP_SET_CONTEXT_REG,
		VKFD_PM4_OP_SET_SH_REG, VKFD_PM4_OP_SET_SH_REG_INDEX,
		VKFD_PM4_OP_SET_UCONFIG_REG,
	};
	uint32_t data[4], i, n;

	for (i = 0; i < 4; i++)
		data[i] = (uint32_t)fuzz_rand(f);
	switch (fuzz_below(f, 17)) {
	case 0:
		return vkfd_pm4_pkt_nop(dw, 1 + fuzz_below(f, 8));
	case 13:
	case 14:
		return fuzz_pm4_mem_packet(f, q, dw);
	case 1:
		n = vkfd_pm4_pkt_write_data(dw, fuzz_queue_addr(f, q), data,
					    1 + fuzz_below(f, 4),
					    fuzz_chance(f, 1, 4));
		if (fuzz_chance(f, 1, 4))	/* another dst_sel, any */
			dw[1] = (dw[1] & ~0xf00u) | fuzz_below(f, 16) << 8;
		return n;
	case 2:
		n = vkfd_pm4_pkt_release_mem(dw, fuzz_below(f, 8),
					     fuzz_below(f, 8),
					     fuzz_queue_addr(f, q), fuzz_rand(f),
					     fuzz_cq_event(f));
		if (fuzz_chance(f, 1, 8))	/* any event, any dst_sel */
			dw[1] = (uint32_t)fuzz_rand(f);
		if (fuzz_chance(f, 1, 8))
			dw[2] ^= fuzz_below(f, 4) << 16;
		return n;
	case 3:
		/* a few polls mostly, rarely forever (the queue stays on it) */
		n = vkfd_pm4_pkt_wait_mem(dw, fuzz_queue_addr(f, q),
					  fuzz_below(f, 8),
					  (uint32_t)fuzz_rand(f),
					  (uint32_t)fuzz_rand(f),
					  fuzz_below(f, 0x10000));
		if (fuzz_chance(f, 1, 4))	/* registers, HDP flush, any */
			dw[1] = (dw[1] & 7) | fuzz_below(f, 4) << 4 |
				fuzz_below(f, 4) << 6;
		return n;
	case 4:
		return vkfd_pm4_pkt_wait_mem64(dw, fuzz_queue_addr(f, q),
					       fuzz_below(f, 8), fuzz_rand(f),
					       fuzz_rand(f),
					       fuzz_below(f, 0x10000));
	case 5:
		/* an IB in the ring's buffer: random packets, or garbage */
		n = vkfd_pm4_pkt_ib(dw, fuzz_queue_addr(f, q),
				    fuzz_chance(f, 7, 8) ? fuzz_below(f, 64) :
				    (uint32_t)fuzz_rand(f));
		if (fuzz_chance(f, 1, 4))	/* chain, not valid, any */
			dw[3] ^= (uint32_t)fuzz_rand(f) & 0xfff00000u;
		return n;
	case 6:
		return vkfd_pm4_pkt_acquire_mem(dw);
	case 7:
		return vkfd_pm4_pkt_event_write(dw, fuzz_below(f, 64),
						fuzz_below(f, 16));
	case 8:
		n = vkfd_pm4_pkt_query_status(dw, fuzz_below(f, 4),
					      fuzz_cq_event(f),
					      fuzz_queue_addr(f, q), fuzz_rand(f));
		dw[1] |= fuzz_below(f, 4) << 28;	/* interrupt_sel */
		return n;
	case 9:
		return vkfd_pm4_pkt_set_reg(dw, set_ops[fuzz_below(f, 5)],
					    (uint32_t)fuzz_rand(f),
					    (uint32_t)fuzz_rand(f),
					    1 + fuzz_below(f, 8));
	case 10:
		/* halts the queue: no shader engine */
		if (fuzz_chance(f, 1, 2))
			return vkfd_pm4_pkt_dispatch(dw, 1, 1, 1);
		dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_DISPATCH_INDIRECT,
				     VKFD_PM4_DISPATCH_INDIRECT_DW - 2);
		dw[1] = (uint32_t)fuzz_rand(f);
		dw[2] = 1;
		return VKFD_PM4_DISPATCH_INDIRECT_DW;
	case 11:
		/* shorter than its opcode's fixed part */
		n = fuzz_pm4_packet(f, q, dw);
		if (n <= 2)
			return n;
		n = 2 + fuzz_below(f, n - 2);
		dw[0] = (dw[0] & ~(0x3fffu << 16)) | (n - 2) << 16;
		return n;
	case 12:
		/* type 0, 1, 2 headers and the largest NOP count */
		dw[0] = fuzz_below(f, 3) << 30 | ((uint32_t)fuzz_rand(f) &
						  0x3fffffff);
		if (fuzz_chance(f, 1, 2))
			dw[0] = VKFD_PM4_HDR(VKFD_PM4_OP_NOP,
					     VKFD_PM4_COUNT_MAX);
		return 1;
	default:
		/* garbage: an invalid packet, or something that parses */
		n = 1 + fuzz_below(f, 8);
		for (i = 0; i < n; i++)
			dw[i] = (uint32_t)fuzz_rand(f);
		/* a type-3 header, any opcode; one dword: any count */
		if (fuzz_chance(f, 1, 2))
			dw[0] = VKFD_PM4_HDR(fuzz_below(f, 256),
					     n >= 2 ? n - 2 :
					     fuzz_below(f, 0x4000));
		return n;
	}
}

/* A signal handle: mostly 8-byte aligned, often none */
static uint64_t fuzz_aql_sig(struct fuzz *f, const struct vkfd_queue *q)
{
	uint64_t a;

	if (fuzz_chance(f, 1, 3))
		return 0;
	a = fuzz_queue_addr(f, q);
	return fuzz_chance(f, 7, 8) ? a & ~7ULL : a;
}

/* One AQL packet into the 16 dwords at @dw. */
static void fuzz_aql_packet(struct fuzz *f, const struct vkfd_queue *q,
			    uint32_t *dw)
{
	uint32_t type, i;

	memset(dw, 0, VKFD_AQL_PKT);
	vkfd_aql_set64(dw, 56, fuzz_aql_sig(f, q));	/* completion */
	switch (fuzz_below(f, 8)) {
	case 0:
	case 1:
		type = fuzz_chance(f, 1, 2) ? VKFD_AQL_AND : VKFD_AQL_OR;
		for (i = 0; i < 5; i++)
			vkfd_aql_set64(dw, 8 + 8 * i, fuzz_aql_sig(f, q));
		break;
	case 2:
		type = VKFD_AQL_VENDOR;
		dw[0] = VKFD_AQL_FMT_BARRIER_VALUE << 16;
		vkfd_aql_set64(dw, 8, fuzz_aql_sig(f, q));
		vkfd_aql_set64(dw, 16, fuzz_rand(f));
		vkfd_aql_set64(dw, 24, fuzz_rand(f));
		dw[8] = fuzz_below(f, 6);	/* conditions, and past GTE */
		break;
	case 3:
		type = VKFD_AQL_VENDOR;
		dw[0] = VKFD_AQL_FMT_PM4_IB << 16;
		for (i = 1; i < 14; i++)
			dw[i] = (uint32_t)fuzz_rand(f);
		break;
	case 4:
		/* a kernel object anywhere: its code is s_endpgm, or not */
		type = VKFD_AQL_DISPATCH;
		dw[0] = (1 + fuzz_below(f, 3)) << 16;
		dw[1] = 64 | 1u << 16;
		dw[2] = 1;
		dw[3] = 64;
		dw[4] = 1;
		dw[5] = 1;
		vkfd_aql_set64(dw, 32, fuzz_queue_addr(f, q));
		break;
	case 5:
		type = fuzz_chance(f, 1, 2) ? VKFD_AQL_AGENT : VKFD_AQL_INVALID;
		break;
	default:
		/* garbage, any type and vendor format */
		for (i = 0; i < 16; i++)
			dw[i] = (uint32_t)fuzz_rand(f);
		type = fuzz_below(f, 256);
		break;
	}
	/* the barrier bit, fence scopes: any */
	dw[0] = (dw[0] & 0xffff0000u) | type | fuzz_below(f, 256) << 8;
}

/* Copy @n dwords into a PM4 ring, then its write pointer and doorbell. */
static int fuzz_pm4_submit(struct vkfd_queue *q, const uint32_t *dw,
			   uint32_t n)
{
	uint64_t ndw = FUZZ_CQ_RING / 4, i;
	uint32_t rptr = __atomic_load_n((volatile uint32_t *)q->rptr,
					__ATOMIC_ACQUIRE);

	if (n > ndw - 1 - ((q->wptr - rptr) & (ndw - 1)))
		return -ENOSPC;
	for (i = 0; i < n; i++)
		q->ring[(q->wptr + i) & (ndw - 1)] = dw[i];
	q->wptr += n;
	__atomic_store_n((uint64_t *)(q->rptr + 1), q->wptr, __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, q->wptr, __ATOMIC_RELEASE);
	return 0;
}

/* Write an AQL packet at the next id, its header last, and ring it. */
static int fuzz_aql_submit(struct vkfd_queue *q, const uint32_t *dw)
{
	uint64_t id = q->wptr, n = FUZZ_CQ_RING / VKFD_AQL_PKT;
	uint32_t *slot = q->ring + (id % n) * (VKFD_AQL_PKT / 4);
	int i;

	if (id - __atomic_load_n(q->rptr, __ATOMIC_ACQUIRE) >= n)
		return -ENOSPC;
	q->wptr++;
	for (i = 1; i < VKFD_AQL_PKT / 4; i++)
		slot[i] = dw[i];
	__atomic_store_n(slot, dw[0], __ATOMIC_RELEASE);
	__atomic_store_n(q->doorbell, id, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Feed compute queue slot @i of @type: create it, drop it, or give it
 * packets. A full ring (ENOSPC: halted, waiting or slow) decides nothing.
 */
static void fuzz_cq_feed(struct fuzz *f, int i, uint32_t type)
{
	struct fuzz_sdma *s = &f->sdma[i];
	uint32_t dw[160], n = 0, k, count;

	if (s->ctx < 0) {
		fuzz_cq_create(f, i, type);
		return;
	}
	if (f->ctx[s->ctx].fd != s->q.ctx_fd || fuzz_chance(f, 1, 32)) {
		fuzz_sdma_drop(f, i);
		return;
	}
	if (fuzz_chance(f, 1, 64)) {
		/* a doorbell value the engine must refuse, or not */
		__atomic_store_n(s->q.doorbell, fuzz_u64(f), __ATOMIC_RELEASE);
		f->calls++;
		return;
	}
	count = 1 + fuzz_below(f, 6);
	if (type == KFD_IOC_QUEUE_TYPE_COMPUTE) {
		for (k = 0; k < count && n < ARRAY_SIZE(dw) - 32; k++)
			n += fuzz_pm4_packet(f, &s->q, dw + n);
		if (!fuzz_pm4_submit(&s->q, dw, n))
			f->prof_ok[f->cur]++;
	} else {
		for (k = 0; k < count; k++) {
			fuzz_aql_packet(f, &s->q, dw);
			if (!fuzz_aql_submit(&s->q, dw))
				f->prof_ok[f->cur]++;
		}
	}
	f->calls++;
}

static void op_pm4(struct fuzz *f)
{
	fuzz_cq_feed(f, FUZZ_SDMA_MAX + (int)fuzz_below(f, FUZZ_CQ_MAX / 2),
		     KFD_IOC_QUEUE_TYPE_COMPUTE);
}

static void op_aql(struct fuzz *f)
{
	fuzz_cq_feed(f, FUZZ_SDMA_MAX + FUZZ_CQ_MAX / 2 +
		     (int)fuzz_below(f, FUZZ_CQ_MAX / 2),
		     KFD_IOC_QUEUE_TYPE_COMPUTE_AQL);
}

const struct fuzz_op fuzz_kfd_cq_ops[] = {
	{ "pm4", 1, false, op_pm4 },
	{ "aql", 1, false, op_aql },
};
const unsigned int fuzz_kfd_cq_nops = ARRAY_SIZE(fuzz_kfd_cq_ops);
