// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - SET_CU_MASK: the compute units a queue may use.
 */

/**
 * DOC: CU masks
 *
 * AMDKFD_IOC_SET_CU_MASK, which ROCr's hsa_amd_queue_cu_set_mask() calls,
 * is validated as amdkfd's kfd_ioctl_set_cu_mask() on gfx9: num_cu_mask
 * must be a non-zero multiple of 32 (EINVAL); more than 1024 bits are
 * cut to 1024, and only those are read from cu_mask_ptr (EFAULT if they
 * cannot be); an unknown queue_id is EFAULT, amdkfd's answer. The mask
 * is read before the queue is looked up, as amdkfd does, so a bad
 * pointer is EFAULT whatever the queue.
 *
 * Like amdkfd's mqd_symmetrically_map_cu_mask(), which maps only as many
 * bits as the GPU has active CUs, vkfd keeps the first
 * %VKFD_QUEUE_CUS bits and drops the others; a mask without any of them
 * is accepted (amdkfd's queue then runs on no CU at all). Any queue type
 * takes a mask (amdkfd's SDMA queues ignore it). A new queue has every
 * CU. The mask is reported in sysfs, queues/<qid>/cu_mask, as a kernel
 * bitmap in hex. vkfd runs no shader: the mask changes nothing else.
 */
#include <linux/kfd_ioctl.h>
#include <linux/minmax.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "vkfd_priv.h"
#include "vkfd_queue.h"

/* amdkfd's arbitrary limit: bits past it are not even read. */
#define VKFD_CU_MASK_BITS_MAX	1024

/**
 * vkfd_set_cu_mask_ioctl() - AMDKFD_IOC_SET_CU_MASK
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_cu_mask_args
 *
 * Records the queue's CU mask (see "CU masks" above).
 *
 * Context: Process context; copies from user space with no lock held,
 * then takes &vkfd_ctx.queue_lock.
 * Return: 0; -EINVAL if num_cu_mask is 0 or not a multiple of 32;
 * -EFAULT if the mask cannot be read or the context has no queue with
 * that id. On failure nothing changed.
 */
int vkfd_set_cu_mask_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	struct kfd_ioctl_set_cu_mask_args *args = data;
	u32 words[VKFD_CU_MASK_BITS_MAX / 32];
	u32 bits = args->num_cu_mask;
	struct vkfd_queue *q;

	if (!bits || bits % 32)
		return -EINVAL;
	bits = min_t(u32, bits, VKFD_CU_MASK_BITS_MAX);
	if (copy_from_user(words, u64_to_user_ptr(args->cu_mask_ptr),
			   bits / 8))
		return -EFAULT;

	mutex_lock(&ctx->queue_lock);
	q = xa_load(&ctx->queues, args->queue_id);
	if (q)
		/* sysfs reads it without queue_lock. */
		WRITE_ONCE(q->cu_mask, words[0] & VKFD_QUEUE_CU_MASK_ALL);
	mutex_unlock(&ctx->queue_lock);
	return q ? 0 : -EFAULT;
}
