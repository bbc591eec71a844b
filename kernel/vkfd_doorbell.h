/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - a context's doorbell slice on a GPU (vkfd_doorbell.c), and what
 * the SDMA engines (vkfd_sdma.c) keep of it.
 */
#ifndef _VKFD_DOORBELL_H_
#define _VKFD_DOORBELL_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

#include "vkfd_gpu.h"

struct address_space;
struct page;
struct vkfd_doorbells;
struct vkfd_vm;

/**
 * struct vkfd_sdma_group - the queues of one doorbell slice started on
 *	one engine: what its ready list holds
 * @db: the doorbell slice
 * @queues: those queues (&vkfd_sdma_qstate.engine_node)
 * @nr_queues: entries in @queues
 * @ready_node: entry in the engine's ready list; empty while off it
 * @busy_at: ktime_get_ns() when one of @queues last made progress, or
 *	the doorbell slice last rang
 * @armed: the engine unmapped the doorbell slice from user space since it
 *	last rang: a doorbell write faults, and the fault rings it
 * @served_at: the engine's count of slices when it last served the group,
 *	or the group went on its ready list
 * @max_wait: the most slices the engine served other groups between two
 *	turns of this one on its ready list (the test hooks')
 *
 * The engine's lock protects everything but @db (immutable), @served_at
 * and @max_wait: the engine's thread writes those with WRITE_ONCE(), a
 * ring sets @served_at under the lock; either way it is "now".
 */
struct vkfd_sdma_group {
	struct vkfd_doorbells *db;
	struct list_head queues;
	unsigned int nr_queues;
	struct list_head ready_node;
	u64 busy_at;
	bool armed;
	u64 served_at;
	u32 max_wait;
};

/**
 * struct vkfd_doorbells - a VM's doorbell slice: its pages, its user
 *	mappings, and its queues on each engine
 * @ref: one for the VM, one per user mapping, one per DOORBELL buffer
 *	(its GPU mappings), one for an engine serving it; the pages are freed
 *	with the last
 * @gpu: the GPU
 * @pages: VKFD_DOORBELL_SIZE of zeroed, split pages; a reference each
 * @cpu: their kernel address: the doorbells, u64 each
 * @pgoff: the page offset its user mappings get, unique to the slice
 *	among the mappings of /dev/kfd
 * @mapping: the address space its user mappings are in (the first
 *	mmap's), with a reference on its inode; NULL before the first mmap
 * @unarmable: mapped through another address space too (another device
 *	node): never armed, always polled
 * @group: its queues on each engine of @gpu (vkfd_sdma.c)
 */
struct vkfd_doorbells {
	struct kref ref;
	struct vkfd_gpu *gpu;
	struct page *pages;
	u64 *cpu;
	pgoff_t pgoff;
	struct address_space *mapping;
	bool unarmable;
	struct vkfd_sdma_group group[VKFD_SDMA_ENGINES];
};

struct vkfd_doorbells *vkfd_doorbells_get(struct vkfd_vm *vm);
void vkfd_doorbells_put(struct vkfd_doorbells *db);
bool vkfd_doorbell_arm(struct vkfd_doorbells *db);

/* vkfd_sdma.c */
void vkfd_sdma_doorbell_rang(struct vkfd_doorbells *db);

#endif /* _VKFD_DOORBELL_H_ */
