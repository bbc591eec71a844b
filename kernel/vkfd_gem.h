/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - buffer objects: GEM objects of a GPU's DRM device (vkfd_gem.c).
 */
#ifndef _VKFD_GEM_H_
#define _VKFD_GEM_H_

#include <linux/types.h>

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct page;
struct vkfd_gpu;

/* vkfd_gem.c */
struct drm_gem_object *vkfd_gem_create_object(struct drm_device *drm,
					      size_t size);
struct vkfd_gem *vkfd_gem_create(struct vkfd_gpu *gpu, u64 size, bool vram);
struct page **vkfd_gem_get_pages(struct vkfd_gem *gem);
void vkfd_gem_put_pages(struct vkfd_gem *gem);
int vkfd_gem_allow(struct vkfd_gem *gem, struct drm_file *drm_file);
void vkfd_gem_revoke(struct vkfd_gem *gem, struct drm_file *drm_file);
u64 vkfd_gem_mmap_offset(struct vkfd_gem *gem);
void vkfd_gem_get(struct vkfd_gem *gem);
void vkfd_gem_put(struct vkfd_gem *gem);

#endif /* _VKFD_GEM_H_ */
