// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - user-mode queues: CREATE_QUEUE, DESTROY_QUEUE, UPDATE_QUEUE.
 */

/**
 * DOC: queues
 *
 * A queue belongs to a context and runs on one GPU, in the context's VM
 * there: its ring, read and write pointers (and the EOP and context-save
 * areas compute queues name) are GPU virtual addresses of that VM, which
 * the engines translate; here they are only checked to lie inside the
 * 48-bit VM and to be aligned. A context has at most VKFD_QUEUES_MAX
 * queues over all GPUs, with ids 0..VKFD_QUEUES_MAX - 1; an id is reused
 * only once its queue is destroyed. Queue n rings doorbell n of the
 * context's doorbell slice on its GPU (vkfd_doorbell.c).
 *
 * SDMA, SDMA_XGMI, COMPUTE and COMPUTE_AQL queues execute: the engines
 * (vkfd_sdma.c) run a queue while it is *runnable* - it has a ring
 * (address and size not 0) and a non-zero queue_percentage - with the
 * packet processor of its type: SDMA packets (vkfd_sdma_pkt.c), PM4
 * packets on COMPUTE queues (vkfd_pm4.c), AQL packets on COMPUTE_AQL
 * queues (vkfd_aql.c); no shader runs. However many queues there are,
 * all are served in turn: there are no hardware queue slots to run out
 * of.
 *
 * &vkfd_ctx.queue_lock protects the id table and serialises every change
 * of a queue; a queue is changed only while stopped. Stopping waits for
 * the engine, which may hold &vkfd_ctx.mem_lock: queue_lock is taken
 * before mem_lock and never under it. A queue is built completely, its
 * sysfs directory included, under a reserved id, and published only once
 * the caller has its id (vkfd_ioctl.c, "object lifecycle"), so that a
 * guessed id can never reach a half-made queue, nor one whose creation
 * failed.
 */
#include <linux/kfd_ioctl.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "vkfd_aql.h"
#include "vkfd_gpu.h"
#include "vkfd_pm4.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_queue.h"
#include "vkfd_sdma.h"
#include "vkfd_vm.h"

/* Ring alignment: SDMA and CP ring base registers hold address >> 8. */
#define VKFD_QUEUE_RING_ALIGN	256

/* How the engines execute a queue of @type; NULL: nothing executes it. */
static const struct vkfd_queue_ops *vkfd_queue_ops_of(u32 type)
{
	switch (type) {
	case KFD_IOC_QUEUE_TYPE_SDMA:
	case KFD_IOC_QUEUE_TYPE_SDMA_XGMI:
		return &vkfd_sdma_queue_ops;
	case KFD_IOC_QUEUE_TYPE_COMPUTE:
		return &vkfd_pm4_queue_ops;
	case KFD_IOC_QUEUE_TYPE_COMPUTE_AQL:
		return &vkfd_aql_queue_ops;
	default:
		return NULL;
	}
}

/* Is the queue started on an engine? */
static bool vkfd_queue_executes(const struct vkfd_queue *q)
{
	return q->runnable && q->ops;
}

/*
 * Check @size bytes at GPU address @va: inside the VM (EFAULT, as amdkfd's
 * access_ok() on what were CPU addresses there), aligned to @align
 * (EINVAL).
 */
static int vkfd_queue_check_va(u64 va, u64 size, u64 align)
{
	if (size > VKFD_PT_VA_END || va > VKFD_PT_VA_END - size)
		return -EFAULT;
	if (!IS_ALIGNED(va, align))
		return -EINVAL;
	return 0;
}

/*
 * The ring fields CREATE_QUEUE and UPDATE_QUEUE share, in amdkfd's order.
 * A ring_size below KFD_MIN_QUEUE_RING_SIZE counts as that (amdkfd's
 * clamp): *@size is the size the queue gets.
 */
static int vkfd_queue_check_ring(u64 base, u32 ring_size, u32 percentage,
				 u32 priority, u64 *size)
{
	int ret;

	if (percentage > KFD_MAX_QUEUE_PERCENTAGE)
		return -EINVAL;
	if (priority > KFD_MAX_QUEUE_PRIORITY)
		return -EINVAL;
	if (ring_size && !is_power_of_2(ring_size))
		return -EINVAL;
	*size = max_t(u64, ring_size, KFD_MIN_QUEUE_RING_SIZE);
	/* No ring disables the queue; a ring must fit and be aligned. */
	if (base) {
		ret = vkfd_queue_check_va(base, *size, VKFD_QUEUE_RING_ALIGN);
		if (ret)
			return ret;
	}
	return 0;
}

/* A queue with a ring and a share of the engine runs. */
static bool vkfd_queue_runnable(u64 base, u32 ring_size, u32 percentage)
{
	return base && ring_size && percentage;
}

/* Everything CREATE_QUEUE takes that needs no state, in amdkfd's order. */
static int vkfd_queue_check_create(const struct kfd_ioctl_create_queue_args *args,
				   u64 *size)
{
	int ret;

	ret = vkfd_queue_check_ring(args->ring_base_address, args->ring_size,
				    args->queue_percentage,
				    args->queue_priority, size);
	if (ret)
		return ret;
	ret = vkfd_queue_check_va(args->read_pointer_address, sizeof(u64),
				  sizeof(u64));
	if (ret)
		return ret;
	ret = vkfd_queue_check_va(args->write_pointer_address, sizeof(u64),
				  sizeof(u64));
	if (ret)
		return ret;
	/* Only named, not used: amdkfd checks their first dword. */
	if (args->eop_buffer_address) {
		ret = vkfd_queue_check_va(args->eop_buffer_address,
					  max_t(u64, args->eop_buffer_size,
						sizeof(u32)), 1);
		if (ret)
			return ret;
	}
	if (args->ctx_save_restore_address) {
		ret = vkfd_queue_check_va(args->ctx_save_restore_address,
					  max_t(u64, args->ctx_save_restore_size,
						sizeof(u32)), 1);
		if (ret)
			return ret;
	}
	switch (args->queue_type) {
	case KFD_IOC_QUEUE_TYPE_COMPUTE:
	case KFD_IOC_QUEUE_TYPE_SDMA:
	case KFD_IOC_QUEUE_TYPE_COMPUTE_AQL:
	case KFD_IOC_QUEUE_TYPE_SDMA_XGMI:
		return 0;
	default:
		/* amdkfd's answer, kernel-internal as it is. */
		return -ENOTSUPP;
	}
}

/* Stop @q, remove its directory, return its id and free it. */
static void vkfd_queue_destroy_locked(struct vkfd_ctx *ctx,
				      struct vkfd_queue *q)
{
	lockdep_assert_held(&ctx->queue_lock);

	if (vkfd_queue_executes(q))
		vkfd_sdma_queue_stop(q);
	vkfd_ctx_sysfs_queue_remove(q);
	xa_erase(&ctx->queues, q->id);
	kfree(q);
	vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_QUEUES, 1);
}

/*
 * AMDKFD_IOC_CREATE_QUEUE, build phase: a stopped queue of @ctx on the GPU
 * ``gpu_id``, in the context's VM there, with its sysfs directory, under
 * an id reserved in &vkfd_ctx.queues (no lookup sees it), and the reply:
 * its ``queue_id`` and ``doorbell_offset``, the /dev/kfd mmap cookie of
 * the context's doorbell slice on the GPU ORed with the byte offset of the
 * queue's doorbell in it (amdkfd's encoding on gfx9).
 *
 * Return: the queue; -EINVAL for a queue_percentage above 100, a
 * queue_priority above 15, a ring_size neither 0 nor a power of two, a
 * misaligned ring (256 bytes) or read or write pointer (8 bytes), an
 * unknown ``gpu_id``; -EFAULT for a ring, pointer, EOP or context-save
 * area beyond the 48-bit VM; -ENOTSUPP (524, as amdkfd) for an unknown
 * queue_type; -ESRCH if the context has no VM on the GPU (as amdkfd);
 * -EDQUOT if the context holds as many queues as its limit allows;
 * -ENOSPC if the context has VKFD_QUEUES_MAX queues; -ENOMEM. On failure
 * nothing changed.
 */
static void *vkfd_queue_build(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data)
{
	struct kfd_ioctl_create_queue_args *args = data;
	struct vkfd_queue *q;
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;
	u64 *doorbells;
	u64 ring_size;
	u32 id;
	int ret;

	ret = vkfd_queue_check_create(args, &ring_size);
	if (ret)
		return ERR_PTR(ret);
	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu)
		return ERR_PTR(-EINVAL);
	/*
	 * Set once under mem_lock, freed only when nobody can use the
	 * context any more: not during an ioctl of its owner.
	 */
	vm = vkfd_ctx_vm(ctx, gpu->index);
	if (!vm)
		return ERR_PTR(-ESRCH);
	ret = vkfd_limits_try_charge(&ctx->limits, VKFD_LIMIT_QUEUES, 1);
	if (ret)
		return ERR_PTR(ret);

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	q->ctx = ctx;
	q->vm = vm;
	q->gpu = gpu;
	q->type = args->queue_type;
	q->ops = vkfd_queue_ops_of(q->type);
	q->cu_mask = VKFD_QUEUE_CU_MASK_ALL;
	q->ring_base = args->ring_base_address;
	q->ring_size = ring_size;
	q->rptr_va = args->read_pointer_address;
	q->runnable = vkfd_queue_runnable(args->ring_base_address,
					  args->ring_size,
					  args->queue_percentage);
	INIT_LIST_HEAD(&q->sdma.engine_node);

	/* The slice lives as long as the VM once made. */
	doorbells = vkfd_doorbell_get(vm);
	if (!doorbells) {
		ret = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&ctx->queue_lock);
	/* Reserved: the id names nothing until vkfd_queue_publish(). */
	ret = xa_alloc(&ctx->queues, &id, NULL,
		       XA_LIMIT(0, VKFD_QUEUES_MAX - 1), GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_unlock;
	}
	q->id = id;
	q->doorbell = &doorbells[id];

	ret = vkfd_ctx_sysfs_queue_add(q);
	if (ret)
		goto err_erase;
	mutex_unlock(&ctx->queue_lock);

	args->queue_id = id;
	args->doorbell_offset = VKFD_MMAP_TYPE_DOORBELL |
				VKFD_MMAP_GPU_ID(gpu->gpu_id) | id * sizeof(u64);
	return q;

err_erase:
	xa_erase(&ctx->queues, id);
err_unlock:
	mutex_unlock(&ctx->queue_lock);
err_free:
	kfree(q);
err_uncharge:
	vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_QUEUES, 1);
	return ERR_PTR(ret);
}

/* The caller has the queue's id: store it in its slot and start it. */
static void vkfd_queue_publish(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			       void *obj)
{
	struct vkfd_queue *q = obj;

	mutex_lock(&ctx->queue_lock);
	/*
	 * A previous queue of this id may have left its write pointer. Only
	 * once the call succeeded: a failed one leaves the doorbell alone.
	 */
	WRITE_ONCE(*q->doorbell, q->ops ? q->ops->doorbell_unrung : 0);
	/* Fills the reserved slot: allocates nothing, cannot fail. */
	xa_store(&ctx->queues, q->id, q, GFP_KERNEL_ACCOUNT);
	if (vkfd_queue_executes(q))
		vkfd_sdma_queue_start(q);
	/* Once unlocked, a guessed id may destroy @q: not touched again. */
	mutex_unlock(&ctx->queue_lock);
}

/* The id never reached the caller: remove the directory, free the id. */
static void vkfd_queue_abort(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *obj)
{
	struct vkfd_queue *q = obj;

	mutex_lock(&ctx->queue_lock);
	/* Never started: vkfd_queue_destroy_locked() would not stop it. */
	vkfd_ctx_sysfs_queue_remove(q);
	xa_erase(&ctx->queues, q->id);
	mutex_unlock(&ctx->queue_lock);
	kfree(q);
	vkfd_limits_uncharge(&ctx->limits, VKFD_LIMIT_QUEUES, 1);
}

/*
 * AMDKFD_IOC_CREATE_QUEUE: see vkfd_queue_build() for what it checks and
 * answers. Takes &vkfd_ctx.queue_lock in each phase, and the family's
 * fs_lock under it to add or remove the queue's directory.
 */
const struct vkfd_create_ops vkfd_queue_create_ops = {
	.build = vkfd_queue_build,
	.publish = vkfd_queue_publish,
	.abort = vkfd_queue_abort,
};

/**
 * vkfd_destroy_queue_ioctl() - AMDKFD_IOC_DESTROY_QUEUE
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_destroy_queue_args
 *
 * Stops the queue (waiting for the packet in execution, if any), removes
 * it and frees its id.
 *
 * Context: Process context; takes &vkfd_ctx.queue_lock.
 * Return: 0, or -EINVAL if ``pad`` is not 0 or the context has no queue
 * with that id (as amdkfd).
 */
int vkfd_destroy_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data)
{
	struct kfd_ioctl_destroy_queue_args *args = data;
	struct vkfd_queue *q;

	if (args->pad)
		return -EINVAL;

	mutex_lock(&ctx->queue_lock);
	q = xa_load(&ctx->queues, args->queue_id);
	if (!q) {
		mutex_unlock(&ctx->queue_lock);
		return -EINVAL;
	}
	vkfd_queue_destroy_locked(ctx, q);
	mutex_unlock(&ctx->queue_lock);
	return 0;
}

/**
 * vkfd_update_queue_ioctl() - AMDKFD_IOC_UPDATE_QUEUE
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_update_queue_args
 *
 * Gives the queue a new ring, share and priority: the queue is stopped,
 * changed, and started again if it is runnable. A NULL ring, a ring_size
 * of 0 or a queue_percentage of 0 disables it: it executes nothing until
 * updated again.
 *
 * Context: Process context; takes &vkfd_ctx.queue_lock.
 * Return: 0; -EINVAL and -EFAULT for the ring fields as CREATE_QUEUE;
 * -EFAULT if the context has no queue with that id (amdkfd's answer).
 * On failure nothing changed.
 */
int vkfd_update_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	struct kfd_ioctl_update_queue_args *args = data;
	struct vkfd_queue *q;
	u64 ring_size;
	int ret;

	ret = vkfd_queue_check_ring(args->ring_base_address, args->ring_size,
				    args->queue_percentage,
				    args->queue_priority, &ring_size);
	if (ret)
		return ret;

	mutex_lock(&ctx->queue_lock);
	q = xa_load(&ctx->queues, args->queue_id);
	if (!q) {
		mutex_unlock(&ctx->queue_lock);
		return -EFAULT;
	}
	if (vkfd_queue_executes(q))
		vkfd_sdma_queue_stop(q);
	/* Another ring: the packet at the read pointer is another packet. */
	if (q->ring_base != args->ring_base_address ||
	    q->ring_size != ring_size)
		vkfd_sdma_queue_ring_changed(q);
	q->ring_base = args->ring_base_address;
	/* sysfs reads it without queue_lock. */
	WRITE_ONCE(q->ring_size, ring_size);
	q->runnable = vkfd_queue_runnable(args->ring_base_address,
					  args->ring_size,
					  args->queue_percentage);
	if (vkfd_queue_executes(q))
		vkfd_sdma_queue_start(q);
	mutex_unlock(&ctx->queue_lock);
	return 0;
}

/**
 * vkfd_queue_release() - stop and free every queue of a context
 * @ctx: a context nobody can use any more
 *
 * Runs first in the teardown of a context's memory, before its events,
 * buffers and VMs are freed: once it returns no engine touches them.
 * Idempotent.
 *
 * Context: Process context; no vkfd lock held. Takes
 * &vkfd_ctx.queue_lock.
 */
void vkfd_queue_release(struct vkfd_ctx *ctx)
{
	struct vkfd_queue *q;
	unsigned long id;

	mutex_lock(&ctx->queue_lock);
	xa_for_each(&ctx->queues, id, q)
		vkfd_queue_destroy_locked(ctx, q);
	mutex_unlock(&ctx->queue_lock);
}
