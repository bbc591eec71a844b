// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - mmap() of /dev/kfd.
 */

/**
 * DOC: /dev/kfd mmap
 *
 * As amdkfd: the offset names what is mapped. Its top two bits are the
 * type (VKFD_MMAP_TYPE_*), bits 46..61 the gpu_id where the type is per
 * GPU:
 *
 * - DOORBELL: the context's doorbell slice on that GPU (vkfd_doorbell.c);
 * - EVENTS: the context's signal event page (vkfd_event.c);
 * - MMIO: the context's MMIO remap page on that GPU (vkfd_doorbell.c).
 *
 * What is mapped is always the mapping fd's own context's, never the
 * caller's primary (the bug upstream's series fixed before merging:
 * docs/adversarial.rst row 10). Buffers are mapped through render nodes.
 *
 * Errors: EBADF from a process other than the fd's opener; EINVAL for an
 * unknown type or gpu_id, and whatever the mapper of the type refuses.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "vkfd_event.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

/**
 * vkfd_mmap() - the mmap of /dev/kfd
 * @filp: the file
 * @vma: the new mapping; vm_pgoff holds the offset the caller passed
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0 or a negative errno (see "/dev/kfd mmap" above).
 */
int vkfd_mmap(struct file *filp, struct vm_area_struct *vma)
{
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vkfd_ctx *ctx;
	struct vkfd_gpu *gpu;
	u32 gpu_id;

	ctx = vkfd_file_ctx(filp->private_data);
	if (!ctx)
		return -EBADF;

	gpu_id = (offset & VKFD_MMAP_GPU_ID_MASK) >> VKFD_MMAP_GPU_ID_SHIFT;
	switch (offset & VKFD_MMAP_TYPE_MASK) {
	case VKFD_MMAP_TYPE_EVENTS:
		return vkfd_event_mmap(ctx, vma);
	case VKFD_MMAP_TYPE_DOORBELL:
		gpu = vkfd_gpu_by_id(ctx->vdev, gpu_id);
		return gpu ? vkfd_doorbell_mmap(ctx, gpu, vma) : -EINVAL;
	case VKFD_MMAP_TYPE_MMIO:
		gpu = vkfd_gpu_by_id(ctx->vdev, gpu_id);
		return gpu ? vkfd_mmio_mmap(ctx, gpu, vma) : -EINVAL;
	default:
		return -EINVAL;
	}
}
