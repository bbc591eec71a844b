/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the PM4 packet executor of compute queues (vkfd_pm4.c), which
 * the engine threads (vkfd_sdma.c) drive through &vkfd_pm4_queue_ops.
 */
#ifndef _VKFD_PM4_H_
#define _VKFD_PM4_H_

#include <linux/types.h>

#include "vkfd_sdma.h"

struct vkfd_queue;
struct vkfd_vm_fault;

/* COMPUTE queues (KFD_IOC_QUEUE_TYPE_COMPUTE) */
extern const struct vkfd_queue_ops vkfd_pm4_queue_ops;

int vkfd_pm4_rptr_write_locked(struct vkfd_queue *q,
			       struct vkfd_vm_fault *fault);

#endif /* _VKFD_PM4_H_ */
