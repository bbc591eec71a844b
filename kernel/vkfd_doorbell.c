// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - doorbell and MMIO remap pages. Placeholder until queues land.
 */
#include <linux/errno.h>

#include "vkfd_priv.h"

int vkfd_doorbell_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		       struct vm_area_struct *vma)
{
	return -EINVAL;
}

int vkfd_mmio_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		   struct vm_area_struct *vma)
{
	return -EINVAL;
}

void vkfd_doorbell_free(struct vkfd_vm *vm)
{
}
