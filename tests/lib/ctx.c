// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Contexts: which one an fd is bound to, its PASIDs and memory, and a
 * context with its VM.
 */
#include "vkfd_test.h"

long vkfd_ctx_id_of_fd(int fd)
{
	struct vkfd_ioctl_ctx_info info;
	int ret = _test_ctx_info(fd, &info);

	return ret ? ret : (long)info.ctx_id;
}

uint32_t vkfd_ctx_pasid(int fd, int g)
{
	struct vkfd_context c = { .fd = fd };
	struct vkfd_context_info info;

	if (vkfd_query(&c, &info) || g < 0 || g >= (int)info.num_gpus)
		return UINT32_MAX;
	return info.pasids[g];
}

uint64_t vkfd_ctx_available(int fd, uint32_t gpu_id)
{
	struct vkfd_context c = { .fd = fd };
	uint64_t bytes;

	return vkfd_available_memory(&c, gpu_id, &bytes) ? 0 : bytes;
}

int vkfd_context_vm(const struct vkfd_env *env, bool secondary,
		    uint32_t gpu_id, struct vkfd_context *c, int *render)
{
	int ret = secondary ? vkfd_open_secondary(env->dev, c) :
			      vkfd_open_primary(env->dev, c);

	if (ret)
		return ret;
	ret = vkfd_open_vm(c, env->topology, gpu_id, render);
	if (ret)
		vkfd_close(c);
	return ret;
}

int vkfd_secondary_vm(const struct vkfd_env *env, uint32_t gpu_id,
		      struct vkfd_context *c, int *render)
{
	return vkfd_context_vm(env, true, gpu_id, c, render);
}
