// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - user-mode queues. Placeholder until the queues land.
 */
#include <linux/errno.h>

#include "vkfd_priv.h"

int vkfd_create_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	return -ENOTTY;
}

int vkfd_destroy_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data)
{
	return -ENOTTY;
}

int vkfd_update_queue_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	return -ENOTTY;
}

void vkfd_queue_release(struct vkfd_ctx *ctx)
{
}
