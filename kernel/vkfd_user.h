/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - bounds per user on the shared resources: PASIDs and GTT
 * (vkfd_user.c).
 */
#ifndef _VKFD_USER_H_
#define _VKFD_USER_H_

#include <linux/types.h>

#include <linux/vkfd_ioctl.h>

#define VKFD_USER_MAX_GPUS	VKFD_MAX_GPUS

struct vkfd_user;

/* vkfd_user.c */
int vkfd_user_init(void);
void vkfd_user_fini(void);
u64 vkfd_user_gtt_budget(void);
struct vkfd_user *vkfd_user_get(void);
void vkfd_user_put(struct vkfd_user *user);
int vkfd_user_charge_pasid(struct vkfd_user *user);
void vkfd_user_uncharge_pasid(struct vkfd_user *user);
int vkfd_user_charge_gtt(struct vkfd_user *user, unsigned int gpu, u64 size);
void vkfd_user_uncharge_gtt(struct vkfd_user *user, unsigned int gpu,
			    u64 size);

#endif /* _VKFD_USER_H_ */
