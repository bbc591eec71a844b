/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - how busy a GPU's SDMA engines are (vkfd_busy.c), for the
 * gpu_busy_percent file of the GPU's device.
 */
#ifndef _VKFD_BUSY_H_
#define _VKFD_BUSY_H_

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>

/* The shortest interval a busy percentage is averaged over. */
#define VKFD_BUSY_WINDOW_NS	NSEC_PER_SEC

/**
 * struct vkfd_busy_sample - the engines' busy time at one moment
 * @t: the moment, ns (ktime_get_ns())
 * @busy: &vkfd_busy.total at @t
 */
struct vkfd_busy_sample {
	u64 t;
	u64 busy;
};

/**
 * struct vkfd_busy - busy time of a GPU's engines, and two samples of it
 * @total: ns the engines spent executing packets since load, added up
 *	over the engines
 * @engines: number of engines; @total grows at most this fast
 * @lock: protects @prev and @cur
 * @prev: the sample before @cur
 * @cur: the latest sample, taken by the engines at most once per
 *	%VKFD_BUSY_WINDOW_NS
 */
struct vkfd_busy {
	atomic64_t total;
	unsigned int engines;
	spinlock_t lock;	/* protects @prev, @cur */
	struct vkfd_busy_sample prev;
	struct vkfd_busy_sample cur;
};

void vkfd_busy_init(struct vkfd_busy *b, unsigned int engines, u64 now);
void vkfd_busy_add(struct vkfd_busy *b, u64 ns, u64 now);
unsigned int vkfd_busy_percent(struct vkfd_busy *b, u64 now);

#endif /* _VKFD_BUSY_H_ */
