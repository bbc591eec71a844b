/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the PM4 packet executor of compute queues (vkfd_pm4.c), which
 * the engine threads (vkfd_sdma.c) drive through &vkfd_pm4_queue_ops.
 */
#ifndef _VKFD_PM4_H_
#define _VKFD_PM4_H_

#include <linux/types.h>
#include <linux/vkfd_pm4.h>

#include "vkfd_sdma.h"

struct vkfd_queue;
struct vkfd_vm_fault;

/* The longest fixed part of a packet, in dwords */
#define VKFD_PM4_FIXED_MAX	VKFD_PM4_WAIT_REG_MEM64_DW

/**
 * struct vkfd_pm4_src - where packets are read from: the ring or an
 *	indirect buffer
 * @base: its GPU VA
 * @mask: the ring's size - 1: offsets wrap; ~0 for an indirect buffer
 * @pos: the packet's byte offset from @base, not yet wrapped
 * @avail: dwords from @pos up to the write pointer, or the buffer's end
 * @ib: an indirect buffer
 */
struct vkfd_pm4_src {
	u64 base;
	u64 mask;
	u64 pos;
	u64 avail;
	bool ib;
};

/**
 * struct vkfd_pm4_pkt - a packet being executed
 * @dw: its fixed part, in CPU order
 * @ndw: its length in dwords
 * @src: where it is
 */
struct vkfd_pm4_pkt {
	u32 dw[VKFD_PM4_FIXED_MAX];
	u32 ndw;
	const struct vkfd_pm4_src *src;
};

static inline u64 vkfd_pm4_addr(u32 lo, u32 hi)
{
	return (u64)hi << 32 | lo;
}

/* vkfd_pm4_mem.c: the packets that only touch memory */
int vkfd_pm4_copy_data(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		       const struct vkfd_pm4_pkt *p);
int vkfd_pm4_atomic_mem(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_pm4_pkt *p);
int vkfd_pm4_dma_data(struct vkfd_queue *q, struct vkfd_sdma_run *run,
		      const struct vkfd_pm4_pkt *p);
int vkfd_pm4_cond_write(struct vkfd_queue *q, struct vkfd_sdma_run *run,
			const struct vkfd_pm4_pkt *p);

/* vkfd_pm4.c */
bool vkfd_pm4_compare(u32 func, u64 val, u64 ref);

/* COMPUTE queues (KFD_IOC_QUEUE_TYPE_COMPUTE) */
extern const struct vkfd_queue_ops vkfd_pm4_queue_ops;

int vkfd_pm4_rptr_write_locked(struct vkfd_queue *q,
			       struct vkfd_vm_fault *fault);

#endif /* _VKFD_PM4_H_ */
