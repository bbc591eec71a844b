/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - GPU memory of a context: buffer handles and GPU mappings
 * (vkfd_mem.c).
 */
#ifndef _VKFD_MEM_H_
#define _VKFD_MEM_H_

#include <linux/types.h>

struct vkfd_create_ops;
struct vkfd_ctx;
struct vkfd_file;
struct vkfd_gem;

/* vkfd_mem.c */
void vkfd_mem_release_locked(struct vkfd_ctx *ctx);
extern const struct vkfd_create_ops vkfd_mem_create_ops;
int vkfd_free_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);
int vkfd_map_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data);
int vkfd_unmap_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data);
struct vkfd_gem *vkfd_mem_get_gtt(struct vkfd_ctx *ctx, u64 handle, u64 *size);

#endif /* _VKFD_MEM_H_ */
