/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - user-mode queues (vkfd_queue.c).
 */
#ifndef _VKFD_QUEUE_H_
#define _VKFD_QUEUE_H_

#include <linux/bits.h>
#include <linux/types.h>

#include "vkfd_sdma.h"

struct vkfd_create_ops;
struct vkfd_ctx;
struct vkfd_file;
struct kobject;
struct vkfd_gpu;
struct vkfd_vm;

/* User queues per context, over all GPUs (amdkfd's per-process limit). */
#define VKFD_QUEUES_MAX		1024

/*
 * A GPU's compute units, those a queue's CU mask names: 1 shader engine
 * of 1 array of 4 CUs (vkfd_drm_info.c, the topology's cu_per_simd_array).
 */
#define VKFD_QUEUE_CUS		4
#define VKFD_QUEUE_CU_MASK_ALL	GENMASK(VKFD_QUEUE_CUS - 1, 0)

/**
 * struct vkfd_queue - a user-mode queue of a context on one GPU
 * @ctx: the context; its queues are stopped and freed before it is
 * @vm: the context's VM on @gpu: every address the queue's packets name,
 *	the ring's and the read pointer's included, is a GPU VA of @vm
 * @gpu: the GPU
 * @id: queue_id, unique within the context
 * @type: KFD_IOC_QUEUE_TYPE_*
 * @ops: how the engines execute the queue's packets, by @type; NULL for
 *	a type nothing executes
 * @ring_base: GPU VA of the ring buffer
 * @ring_size: bytes, a power of two
 * @rptr_va: GPU VA the engine writes the read pointer back to (u64:
 *	bytes, as gfx9 SDMA; AQL: a packet id, ROCr's read_dispatch_id;
 *	COMPUTE: a u32 dword offset in the ring, as gfx9's CP)
 * @doorbell: kernel address of the queue's u64 doorbell in @vm's
 *	@doorbells; user space writes the new write pointer there (bytes
 *	for SDMA, dwords for COMPUTE)
 * @runnable: the queue has a ring and a non-zero queue_percentage (the
 *	only use vkfd has for the percentage; the write pointer's address
 *	and the priority are validated, but SDMA takes its write pointer
 *	from the doorbell and one priority serves all): the engine
 *	executes it if it has @ops (UPDATE_QUEUE may disable it).
 *	Runnable SDMA queues are exactly those vkfd_sdma_queue_start() was
 *	called for, and vkfd_sdma_queue_stop() is called only for them.
 * @cu_mask: the CUs it may use, bit n for CU n (vkfd_queue_cu.c);
 *	%VKFD_QUEUE_CU_MASK_ALL when created
 * @sdma: the engine's part of the queue (vkfd_sdma.h); the engine's
 * @kobj: sysfs queues/<id>/, NULL if the context has no sysfs directory;
 *	added and removed under the family's fs_lock (vkfd_ctx_sysfs.c)
 *
 * Everything but @sdma is written under &vkfd_ctx.queue_lock while the
 * queue is stopped.
 */
struct vkfd_queue {
	struct vkfd_ctx *ctx;
	struct vkfd_vm *vm;
	struct vkfd_gpu *gpu;
	u32 id;
	u32 type;
	const struct vkfd_queue_ops *ops;
	u64 ring_base;
	u64 ring_size;
	u64 rptr_va;
	u64 *doorbell;
	bool runnable;
	u32 cu_mask;
	struct vkfd_sdma_qstate sdma;
	struct kobject *kobj;
};

/* vkfd_queue.c */
extern const struct vkfd_create_ops vkfd_queue_create_ops;
int vkfd_destroy_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data);
int vkfd_update_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data);
void vkfd_queue_release(struct vkfd_ctx *ctx);

/* vkfd_queue_cu.c */
int vkfd_set_cu_mask_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);

#endif /* _VKFD_QUEUE_H_ */
