// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's KFD operations on queues and events, and SDMA packets:
 * a few queues built as libhsakmt builds them (libvkfd's
 * vkfd_queue_create()) get short random packet sequences over the
 * fuzzer's own buffers, other addresses and event ids, garbage dwords
 * and garbage doorbell values. Waits never block: a timeout of 0, rarely
 * 1 ms.
 */
#include <linux/vkfd_sdma.h>

#include "fuzz.h"

#define EB(e)		fuzz_eb(e)
#define NR(cmd)		fuzz_kfd_errnos(_IOC_NR(cmd))

/* GPU and CPU addresses of the fed queues' rings: 1 MiB each from 2 TiB */
#define FUZZ_SDMA_VA	0x20000000000ULL
#define FUZZ_SDMA_RING	4096

static uint64_t fuzz_ring_va(struct fuzz *f)
{
	if (fuzz_chance(f, 1, 8))
		return fuzz_u64(f) & ~0xffULL;
	return 0x100000000ULL + (uint64_t)fuzz_below(f, 256) * 0x100000;
}

static uint32_t fuzz_ring_size(struct fuzz *f)
{
	static const uint32_t sizes[] = {
		0, 1, 512, 1024, 4096, 4096, 65536, 3000, 1u << 31, 1u << 20,
	};

	return sizes[fuzz_below(f, ARRAY_SIZE(sizes))];
}

static void op_create_queue(struct fuzz *f)
{
	struct kfd_ioctl_create_queue_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.gpu_id = fuzz_gpu_id(f);
	a.queue_type = fuzz_chance(f, 15, 16) ? fuzz_below(f, 4) :
					       (uint32_t)fuzz_u64(f);
	a.ring_base_address = fuzz_ring_va(f);
	a.ring_size = fuzz_ring_size(f);
	a.read_pointer_address = a.ring_base_address + a.ring_size;
	a.write_pointer_address = a.read_pointer_address + 8;
	if (fuzz_chance(f, 1, 8))
		a.read_pointer_address = fuzz_u64(f);
	if (fuzz_chance(f, 1, 8))
		a.write_pointer_address = fuzz_u64(f);
	a.queue_percentage = fuzz_chance(f, 15, 16) ? fuzz_below(f, 101) :
						      (uint32_t)fuzz_u64(f);
	a.queue_priority = fuzz_chance(f, 15, 16) ? fuzz_below(f, 16) :
						    (uint32_t)fuzz_u64(f);
	if (fuzz_chance(f, 1, 4)) {
		a.eop_buffer_address = fuzz_u64(f);
		a.eop_buffer_size = fuzz_below(f, 2) ? 4096 : (uint32_t)fuzz_u64(f);
		a.ctx_save_restore_address = fuzz_u64(f);
		a.ctx_save_restore_size = (uint32_t)fuzz_u64(f);
		a.ctl_stack_size = (uint32_t)fuzz_u64(f);
	}
	if (!fuzz_kfd(f, ci, AMDKFD_IOC_CREATE_QUEUE, &a,
		      NR(AMDKFD_IOC_CREATE_QUEUE), "CREATE_QUEUE"))
		fuzz_pool_add(&f->queues, a.queue_id);
}

static uint32_t fuzz_queue_id(struct fuzz *f)
{
	static const uint32_t edge[] = { 0, 1023, 1024, 0xffffffff };

	if (fuzz_chance(f, 1, 8))
		return edge[fuzz_below(f, ARRAY_SIZE(edge))];
	return (uint32_t)fuzz_pool_pick(f, &f->queues, 0);
}

static void op_destroy_queue(struct fuzz *f)
{
	struct kfd_ioctl_destroy_queue_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.queue_id = fuzz_queue_id(f);
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_DESTROY_QUEUE, &a,
		 NR(AMDKFD_IOC_DESTROY_QUEUE), "DESTROY_QUEUE");
}

static void op_update_queue(struct fuzz *f)
{
	struct kfd_ioctl_update_queue_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.queue_id = fuzz_queue_id(f);
	a.ring_base_address = fuzz_chance(f, 1, 8) ? 0 : fuzz_ring_va(f);
	a.ring_size = fuzz_ring_size(f);
	a.queue_percentage = fuzz_chance(f, 15, 16) ? fuzz_below(f, 101) :
						      (uint32_t)fuzz_u64(f);
	a.queue_priority = fuzz_chance(f, 15, 16) ? fuzz_below(f, 16) :
						    (uint32_t)fuzz_u64(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_UPDATE_QUEUE, &a,
		 NR(AMDKFD_IOC_UPDATE_QUEUE), "UPDATE_QUEUE");
}

static void op_set_cu_mask(struct fuzz *f)
{
	struct kfd_ioctl_set_cu_mask_args a = { 0 };
	uint32_t mask[40];
	int ci = fuzz_ctx_pick(f), i;

	if (ci < 0)
		return;
	for (i = 0; i < (int)ARRAY_SIZE(mask); i++)
		mask[i] = (uint32_t)fuzz_u64(f);
	a.queue_id = fuzz_queue_id(f);
	/* mostly whole words, up to past amdkfd's 1024 bits; or anything */
	a.num_cu_mask = fuzz_chance(f, 7, 8) ? 32 * fuzz_below(f, 41) :
					       (uint32_t)fuzz_u64(f);
	/* mask[] holds more than the 1024 bits the kernel ever reads */
	a.cu_mask_ptr = fuzz_chance(f, 15, 16) ? (uintptr_t)mask : fuzz_u64(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_SET_CU_MASK, &a,
		 NR(AMDKFD_IOC_SET_CU_MASK), "SET_CU_MASK");
}

static uint32_t fuzz_event_id(struct fuzz *f)
{
	static const uint32_t edge[] = {
		0, 1, 4095, 4096, 0x40000000, 0xffffffff,
	};

	if (fuzz_chance(f, 1, 8))
		return edge[fuzz_below(f, ARRAY_SIZE(edge))];
	return (uint32_t)fuzz_pool_pick(f, &f->events, 1);
}

static void op_create_event(struct fuzz *f)
{
	struct kfd_ioctl_create_event_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	/* signal events most: they have slots, can be set and waited on */
	a.event_type = fuzz_chance(f, 1, 2) ? KFD_IOC_EVENT_SIGNAL :
		       fuzz_below(f, 10);
	if (fuzz_chance(f, 1, 32))
		a.event_type = (uint32_t)fuzz_u64(f);
	a.auto_reset = fuzz_chance(f, 1, 2) ? fuzz_below(f, 2) : fuzz_pad(f);
	a.node_id = fuzz_below(f, 4);
	if (fuzz_chance(f, 1, 16))
		a.event_page_offset = fuzz_chance(f, 3, 4) ?
				      fuzz_pool_pick(f, &f->handles, 0) :
				      fuzz_u64(f);
	if (!fuzz_kfd(f, ci, AMDKFD_IOC_CREATE_EVENT, &a,
		      NR(AMDKFD_IOC_CREATE_EVENT), "CREATE_EVENT"))
		fuzz_pool_add(&f->events, a.event_id);
}

static void op_destroy_event(struct fuzz *f)
{
	struct kfd_ioctl_destroy_event_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.event_id = fuzz_event_id(f);
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_DESTROY_EVENT, &a,
		 NR(AMDKFD_IOC_DESTROY_EVENT), "DESTROY_EVENT");
}

static void op_set_event(struct fuzz *f)
{
	struct kfd_ioctl_set_event_args a = { 0 };
	bool set = fuzz_chance(f, 2, 3);
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.event_id = fuzz_event_id(f);
	a.pad = fuzz_pad(f);
	/* kfd_ioctl_reset_event_args has the same layout */
	fuzz_kfd(f, ci, set ? AMDKFD_IOC_SET_EVENT : AMDKFD_IOC_RESET_EVENT,
		 &a, NR(AMDKFD_IOC_SET_EVENT), set ? "SET_EVENT" : "RESET_EVENT");
}

static void op_wait_events(struct fuzz *f)
{
	struct kfd_ioctl_wait_events_args a = { 0 };
	struct kfd_event_data *ev = (struct kfd_event_data *)f->arg;
	uint64_t allowed = NR(AMDKFD_IOC_WAIT_EVENTS);
	uint32_t i, max = FUZZ_ARG_SIZE / sizeof(*ev);
	int ci = fuzz_ctx_pick(f), ret;

	if (ci < 0)
		return;
	a.num_events = fuzz_below(f, 5);
	if (fuzz_chance(f, 1, 16))
		a.num_events = fuzz_below(f, max + 1);
	memset(ev, 0, sizeof(*ev) * (a.num_events < max ? a.num_events : max));
	for (i = 0; i < a.num_events && i < max; i++) {
		ev[i].event_id = fuzz_event_id(f);
		if (fuzz_chance(f, 1, 32))
			ev[i].pad = fuzz_pad(f);
		if (fuzz_chance(f, 1, 32))
			ev[i].kfd_event_data_ext = fuzz_u64(f);
	}
	a.events_ptr = (uintptr_t)ev;
	if (fuzz_chance(f, 1, 64)) {
		/* past the array: at least EINVAL (above 65536), else EFAULT */
		a.num_events = fuzz_chance(f, 1, 2) ? 65537 : max + 1;
		allowed |= EB(EFAULT);
	}
	if (fuzz_chance(f, 1, 32)) {
		a.events_ptr = fuzz_chance(f, 1, 2) ? 0 : (uintptr_t)f->bad;
		allowed |= EB(EFAULT);
	}
	a.wait_for_all = fuzz_chance(f, 3, 4) ? fuzz_below(f, 2) : fuzz_pad(f);
	a.timeout = fuzz_chance(f, 1, 256) ? 1 : 0;
	ret = fuzz_kfd(f, ci, AMDKFD_IOC_WAIT_EVENTS, &a, allowed,
		       "WAIT_EVENTS");
	/* EBADF: the VFS's or the dispatcher's, before the handler */
	if (f->failed || f->ctx[ci].owner != f->pid || ret == -EBADF)
		return;
	if (ret ? a.wait_result != KFD_IOC_WAIT_RESULT_FAIL :
		  a.wait_result > KFD_IOC_WAIT_RESULT_TIMEOUT)
		fuzz_fail(f, "WAIT_EVENTS returned %d with wait_result %u",
			  ret, a.wait_result);
}

/* --- SDMA ------------------------------------------------------------------ */

void fuzz_sdma_drop(struct fuzz *f, int i)
{
	struct fuzz_sdma *s = &f->sdma[i];
	struct vkfd_context c = { .fd = -1 };

	if (s->ctx < 0)
		return;
	if (f->ctx[s->ctx].fd == s->q.ctx_fd && f->ctx[s->ctx].owner == f->pid)
		c.fd = s->q.ctx_fd;
	if (c.fd < 0 || vkfd_queue_destroy(&c, &s->q)) {
		/* the fd is gone, or a random DESTROY_QUEUE took the id */
		munmap(s->q.doorbell_page, VKFD_DOORBELL_PAGE_SIZE);
		munmap(s->q.ring, s->q.bo.size);
		if (c.fd >= 0)
			vkfd_free(&c, &s->q.bo);
	}
	f->calls += 4;
	s->ctx = -1;
}

int fuzz_queue_ctx(struct fuzz *f, struct vkfd_context *c, int *g,
		   int *render)
{
	int ci = fuzz_ctx_pick(f), ret;

	*g = fuzz_gpu_index(f);
	if (ci < 0 || !f->ngpus || f->ctx[ci].owner != f->pid)
		return -1;
	*render = fuzz_render_fd(f, *g);
	if (*render < 0)
		return -1;
	c->fd = f->ctx[ci].fd;
	c->primary = !f->ctx[ci].secondary;
	/* The VM must be bound to this render file: a VM of another fails */
	ret = vkfd_acquire_vm(c, f->gpu[*g], *render);
	f->calls++;
	if (ret)
		return -1;
	f->ctx[ci].vm_mask |= 1u << *g;
	f->ctx[ci].vm_render[*g] = *render;
	if (!f->ctx[ci].secondary)
		f->primary_render[*g] = *render;
	return ci;
}

static void fuzz_sdma_create(struct fuzz *f, int i)
{
	struct fuzz_sdma *s = &f->sdma[i];
	struct vkfd_context c;
	int ci, g, render, ret;

	ci = fuzz_queue_ctx(f, &c, &g, &render);
	if (ci < 0)
		return;
	ret = vkfd_queue_create(&c, render, f->gpu[g],
				FUZZ_SDMA_VA + (uint64_t)i * 0x100000,
				FUZZ_SDMA_RING, &s->q);
	f->calls += 5;
	if (ret)
		return;
	s->ctx = ci;
	s->type = KFD_IOC_QUEUE_TYPE_SDMA;
	f->prof_ok[f->cur]++;
	fuzz_pool_add(&f->handles, s->q.bo.handle);
	fuzz_pool_add(&f->queues, s->q.id);
}

uint64_t fuzz_queue_addr(struct fuzz *f, const struct vkfd_queue *q)
{
	switch (fuzz_below(f, 8)) {
	case 0:
		return fuzz_u64(f);
	case 1:
	case 2:
		return 0x100000000ULL + (uint64_t)fuzz_below(f, 256) * 0x100000 +
		       fuzz_below(f, 16) * 256;
	default:
		/* the ring's second half and the pointers' page after it */
		return q->bo.va + q->ring_size / 2 +
		       fuzz_below(f, (uint32_t)(q->bo.size - q->ring_size / 2 -
						64));
	}
}

static uint32_t fuzz_sdma_packet(struct fuzz *f, const struct vkfd_queue *q,
				 uint32_t *dw)
{
	uint32_t bytes = 4 * (1 + fuzz_below(f, 64)), i, n;

	switch (fuzz_below(f, 11)) {
	case 0:
		return vkfd_sdma_nop(dw);
	case 1:
		return vkfd_sdma_copy_linear(dw, fuzz_queue_addr(f, q),
					     fuzz_queue_addr(f, q), bytes);
	case 2:
		n = 1 + fuzz_below(f, 4);
		for (i = 0; i < n; i++)
			dw[4 + i] = (uint32_t)fuzz_rand(f);
		return vkfd_sdma_pkt_write(dw, fuzz_queue_addr(f, q), n) + n;
	case 3:
		return vkfd_sdma_const_fill(dw, fuzz_queue_addr(f, q) & ~3ULL,
					    (uint32_t)fuzz_rand(f), bytes);
	case 4:
		return vkfd_sdma_fence(dw, fuzz_queue_addr(f, q),
				       (uint32_t)fuzz_rand(f));
	case 5:
		return vkfd_sdma_trap(dw, fuzz_event_id(f));
	case 6:
		return vkfd_sdma_timestamp(dw, fuzz_queue_addr(f, q));
	case 7:
		/* a few retries, rarely forever (the queue then stays on it) */
		return vkfd_sdma_pkt_poll(dw, fuzz_queue_addr(f, q),
					  fuzz_below(f, 8), (uint32_t)fuzz_rand(f),
					  (uint32_t)fuzz_rand(f), fuzz_below(f, 100),
					  fuzz_chance(f, 1, 64) ? 0xfff :
					  fuzz_below(f, 4));
	case 8:
		return vkfd_sdma_pkt_atomic(dw, fuzz_below(f, 128),
					    fuzz_queue_addr(f, q), fuzz_rand(f),
					    fuzz_rand(f), fuzz_chance(f, 1, 8),
					    fuzz_below(f, 100));
	case 9:
		return vkfd_sdma_pkt_fill_dwords(dw, fuzz_queue_addr(f, q) & ~3ULL,
						 (uint32_t)fuzz_rand(f),
						 1 + fuzz_below(f, 64));
	default:
		/* garbage: an invalid packet, or something that parses */
		n = 1 + fuzz_below(f, 8);
		for (i = 0; i < n; i++)
			dw[i] = (uint32_t)fuzz_rand(f);
		return n;
	}
}

static void op_sdma(struct fuzz *f)
{
	uint32_t dw[128], n = 0, k, count;
	int i = (int)fuzz_below(f, FUZZ_SDMA_MAX);
	struct fuzz_sdma *s = &f->sdma[i];

	if (s->ctx < 0) {
		fuzz_sdma_create(f, i);
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
	for (k = 0; k < count && n < ARRAY_SIZE(dw) - 16; k++)
		n += fuzz_sdma_packet(f, &s->q, dw + n);
	/*
	 * ENOSPC: the ring is full, the queue halted or slow. Nothing is
	 * decided on it: how far the engine got is a matter of timing,
	 * and a replay must draw the same numbers (the drop above is
	 * drawn for every call).
	 */
	if (!vkfd_queue_submit(&s->q, dw, n))
		f->prof_ok[f->cur]++;
	f->calls++;
}

const struct fuzz_op fuzz_kfd_q_ops[] = {
	{ "create_queue", 4, true, op_create_queue },
	{ "destroy_queue", 8, true, op_destroy_queue },
	{ "update_queue", 4, true, op_update_queue },
	{ "set_cu_mask", 8, true, op_set_cu_mask },
	{ "create_event", 8, true, op_create_event },
	{ "destroy_event", 10, true, op_destroy_event },
	{ "set_event", 150, true, op_set_event },
	{ "wait_events", 25, true, op_wait_events },
	{ "sdma", 1, false, op_sdma },
};
const unsigned int fuzz_kfd_q_nops = ARRAY_SIZE(fuzz_kfd_q_ops);
