// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - events. Placeholder until the events land: every event ioctl
 * fails with ENOTTY, as an unimplemented command does.
 */
#include <linux/errno.h>

#include "vkfd_priv.h"

int vkfd_create_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	return -ENOTTY;
}

int vkfd_destroy_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data)
{
	return -ENOTTY;
}

int vkfd_set_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			 void *data)
{
	return -ENOTTY;
}

int vkfd_reset_event_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	return -ENOTTY;
}

int vkfd_wait_events_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	return -ENOTTY;
}

int vkfd_event_mmap(struct vkfd_ctx *ctx, struct vm_area_struct *vma)
{
	return -EINVAL;
}

void vkfd_event_interrupt(struct vkfd_ctx *ctx, u32 int_context)
{
}

void vkfd_event_memory_fault(struct vkfd_ctx *ctx, u32 gpu_id, u64 va,
			     bool not_present, bool read_only)
{
}

void vkfd_event_release(struct vkfd_ctx *ctx)
{
}
