// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ioctls of the tests whose arguments are made here from a few
 * values: 0 or -errno. Those whose whole argument the caller fills are
 * macros over vkfd_ioctl() in vkfd_test.h; test_x() and test_err_x() assert over both.
 */
#include "vkfd_test.h"

int _test_create_process(int fd)
{
	return vkfd_ioctl(fd, VKFD_IOC_CREATE_PROCESS, NULL);
}

int _test_ctx_info(int fd, struct vkfd_ioctl_ctx_info *info)
{
	*info = (struct vkfd_ioctl_ctx_info){ .ctx_id = VKFD_CTX_ID_SELF };
	return vkfd_ioctl(fd, VKFD_IOC_CTX_INFO, info);
}

int _test_acquire_vm(int fd, int drm_fd, uint32_t gpu_id)
{
	struct kfd_ioctl_acquire_vm_args a = {
		.drm_fd = drm_fd,
		.gpu_id = gpu_id,
	};

	return vkfd_ioctl(fd, AMDKFD_IOC_ACQUIRE_VM, &a);
}

int _test_free_memory(int fd, uint64_t handle)
{
	struct kfd_ioctl_free_memory_of_gpu_args a = { .handle = handle };

	return vkfd_ioctl(fd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &a);
}

int _test_destroy_queue(int fd, uint32_t id)
{
	struct kfd_ioctl_destroy_queue_args a = { .queue_id = id };

	return vkfd_ioctl(fd, AMDKFD_IOC_DESTROY_QUEUE, &a);
}

int _test_set_event(int fd, uint32_t id)
{
	struct kfd_ioctl_set_event_args a = { .event_id = id };

	return vkfd_ioctl(fd, AMDKFD_IOC_SET_EVENT, &a);
}
