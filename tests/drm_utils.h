/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The GPUs as DRM shows them: render nodes, their amdgpu ioctls
 * (<drm/amdgpu_drm.h>, extracted from Debian's linux-source like drm.h),
 * and the GPUs' devices in sysfs. For drm_info.c and gpu_sysfs.c.
 */
#ifndef VKFD_SELFTEST_DRM_UTILS_H
#define VKFD_SELFTEST_DRM_UTILS_H

#include <drm/drm.h>
#include <drm/amdgpu_drm.h>

#include "vkfd_utils.h"

/* A GPU of the topology: its node's properties and its DRM nodes. */
struct drm_gpu {
	uint32_t gpu_id;
	int node;			/* topology node index */
	uint32_t render_minor;
	struct vkfd_props props;	/* nodes/<node>/properties */
	char dev[PATH_MAX];		/* realpath of the GPU's device */
};

/* Fills @g for GPU @i of @b; 0 or -errno. */
static inline int drm_gpu_load(const struct vkfd_base *b, int i,
			       struct drm_gpu *g)
{
	char path[PATH_MAX];
	int ret;

	memset(g, 0, sizeof(*g));
	g->gpu_id = b->gpu[i];
	g->node = b->node[i];
	snprintf(path, sizeof(path), "%s/nodes/%d/properties", b->env.topology,
		 g->node);
	ret = vkfd_props_read(path, &g->props, 0);
	if (ret)
		return ret;
	ret = vkfd_render_minor(b->env.topology, g->gpu_id, &g->render_minor);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/class/drm/renderD%u/device",
		 g->render_minor);
	if (!realpath(path, g->dev))
		return -errno;
	return 0;
}

/* A property of the GPU's topology node, UINT64_MAX if missing. */
static inline uint64_t drm_gpu_prop(const struct drm_gpu *g, const char *key)
{
	return vkfd_prop_val(&g->props, key);
}

/* A decimal file of the GPU's device: 0 or -errno. */
static inline int drm_gpu_dev_u64(const struct drm_gpu *g, const char *file,
				  uint64_t *val)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", g->dev, file);
	return vkfd_read_u64(path, val);
}

/* DRM_IOCTL_AMDGPU_INFO: 0 or -errno. */
static inline int drm_amdgpu_info(int fd, uint32_t query, void *out,
				  uint32_t size, struct drm_amdgpu_info *in)
{
	struct drm_amdgpu_info info = { 0 };

	if (in)
		info = *in;
	info.query = query;
	info.return_pointer = (uintptr_t)out;
	info.return_size = size;
	return _test_ioctl(fd, DRM_IOCTL_AMDGPU_INFO, &info);
}

/* AMDGPU_INFO_READ_MMR_REG of @count registers from @reg: 0 or -errno. */
static inline int drm_read_mmr(int fd, uint32_t reg, uint32_t count,
			       uint32_t instance, uint32_t flags, uint32_t *out,
			       uint32_t size)
{
	struct drm_amdgpu_info in = {
		.read_mmr_reg = {
			.dword_offset = reg, .count = count,
			.instance = instance, .flags = flags,
		},
	};

	return drm_amdgpu_info(fd, AMDGPU_INFO_READ_MMR_REG, out, size, &in);
}

/* All bits of the SE and SH index set: every engine and array. */
#define DRM_MMR_BROADCAST	0xffffffffu
#define DRM_MMR_GB_ADDR_CONFIG	0x263e

/*
 * Every test of a fixture with the base fixture in self->b starts with
 * this (a SKIP in the fixture's setup does not stop the test from
 * running): the tests are for vkfd; vkfd always has a GPU (num_gpus >=
 * 1), so none found is a failure, not a skip.
 */
#define DRM_NEED_GPU(what) do {						\
	VKFD_ONLY(&self->b.env, what);					\
	ASSERT_LT(0, self->b.ngpus) TH_LOG("vkfd without a GPU in sysfs"); \
} while (0)

#endif /* VKFD_SELFTEST_DRM_UTILS_H */
