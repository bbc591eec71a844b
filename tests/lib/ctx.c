// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Contexts: which one an fd is bound to, and a context with its VM.
 */
#include "vkfd_test.h"

long vkfd_ctx_id_of_fd(int fd)
{
	struct vkfd_ioctl_ctx_info info;
	int ret = _test_ctx_info(fd, &info);

	return ret ? ret : (long)info.ctx_id;
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
