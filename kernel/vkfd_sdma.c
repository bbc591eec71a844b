// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the software SDMA engines. Placeholder until the engine lands.
 */
#include "vkfd_priv.h"

int vkfd_sdma_init(struct vkfd_gpu *gpu)
{
	return 0;
}

void vkfd_sdma_fini(struct vkfd_gpu *gpu)
{
}

void vkfd_sdma_queue_start(struct vkfd_queue *q)
{
}

void vkfd_sdma_queue_stop(struct vkfd_queue *q)
{
}
