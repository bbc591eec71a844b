/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - an SDMA engine, shared by its thread (vkfd_sdma.c) and the code
 * that chooses the CPU it runs on (vkfd_sdma_cpu.c). Nothing else looks
 * inside.
 */
#ifndef _VKFD_SDMA_ENGINE_H_
#define _VKFD_SDMA_ENGINE_H_

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct task_struct;
struct vkfd_gpu;
struct vkfd_queue;
struct vkfd_sdma_group;

/**
 * struct vkfd_sdma_engine - one SDMA engine of a GPU: a kernel thread
 * @gpu: the GPU
 * @index: which of the GPU's engines: which &vkfd_doorbells.group is its
 * @thread: the engine's thread
 * @lock: protects @ready, @nr_ready, @nr_queues, the writes of @running,
 *	@pin_group, and the lists and @armed of every group of the engine
 * @ready: the groups whose doorbell slice rang
 *	(&vkfd_sdma_group.ready_node);
 *	it serves the first and moves it to the tail
 * @nr_ready: entries in @ready
 * @nr_queues: queues started on the engine
 * @running: the queue the engine is serving, NULL between two; set under
 *	@lock as the queue is taken from its group, so a queue off its group
 *	never becomes @running again. vkfd_sdma_queue_stop() waits for it
 *	to change.
 * @kick: set by a ring and vkfd_sdma_queue_start(): look at the ready
 *	list now, and poll without back-off
 * @pinned: a doorbell fault moved the thread to the faulting CPU
 *	(vkfd_sdma_pin_here()); it moves back to @cpus once it made
 *	progress (or to @away, vkfd_sdma_leave()), goes to sleep for long,
 *	or another group than @pin_group is readied or served
 * @pin_group: the group whose ring pinned the thread; only compared
 * @cpus: the CPUs the thread may run on, as created
 * @away: @cpus but the tenant's CPU the thread left (vkfd_sdma_leave());
 *	the thread's alone
 * @moved_away: the thread runs on @away until it next sleeps
 *	(vkfd_sdma_settle()); the thread's alone
 * @slices: slices served (that executed packets); written by the thread
 *	only, with WRITE_ONCE()
 */
struct vkfd_sdma_engine {
	struct vkfd_gpu *gpu;
	unsigned int index;
	struct task_struct *thread;
	spinlock_t lock;	/* @ready, the groups, @running, @pin_group */
	struct list_head ready;
	unsigned int nr_ready;
	unsigned int nr_queues;
	struct vkfd_queue *running;
	atomic_t kick;
	atomic_t pinned;
	const struct vkfd_sdma_group *pin_group;
	cpumask_var_t cpus;
	cpumask_var_t away;
	bool moved_away;
	u64 slices;
};

void vkfd_sdma_pin_here(struct vkfd_sdma_engine *e);
void vkfd_sdma_unpin(struct vkfd_sdma_engine *e);
void vkfd_sdma_leave(struct vkfd_sdma_engine *e);
void vkfd_sdma_settle(struct vkfd_sdma_engine *e);

#endif /* _VKFD_SDMA_ENGINE_H_ */
