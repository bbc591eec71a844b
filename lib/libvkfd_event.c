// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - events: create, destroy, set, reset, wait, and the signal
 * page, on vkfd or amdkfd alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kfd_ioctl.h>

#include "libvkfd.h"

int vkfd_event_create(const struct vkfd_context *ctx, uint32_t type,
		      bool auto_reset, uint64_t page_handle,
		      struct vkfd_event *ev)
{
	struct kfd_ioctl_create_event_args args = {
		.event_page_offset = page_handle,
		.event_type = type,
		.auto_reset = auto_reset,
	};
	int ret;

	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_CREATE_EVENT, &args);
	if (ret)
		return ret;
	ev->id = args.event_id;
	ev->type = type;
	ev->slot = args.event_slot_index;
	ev->trigger = args.event_trigger_data;
	ev->page_offset = args.event_page_offset;
	return 0;
}

int vkfd_event_destroy(const struct vkfd_context *ctx, uint32_t id)
{
	struct kfd_ioctl_destroy_event_args args = { .event_id = id };

	return vkfd_ioctl(ctx->fd, AMDKFD_IOC_DESTROY_EVENT, &args);
}

int vkfd_event_set(const struct vkfd_context *ctx, uint32_t id)
{
	struct kfd_ioctl_set_event_args args = { .event_id = id };

	return vkfd_ioctl(ctx->fd, AMDKFD_IOC_SET_EVENT, &args);
}

int vkfd_event_reset(const struct vkfd_context *ctx, uint32_t id)
{
	struct kfd_ioctl_reset_event_args args = { .event_id = id };

	return vkfd_ioctl(ctx->fd, AMDKFD_IOC_RESET_EVENT, &args);
}

/*
 * WAIT_EVENTS over @data, once: an interrupted wait is not retried here
 * (vkfd_ioctl() would retry it), so that the caller sees EINTR.
 */
static int vkfd_event_wait_data(const struct vkfd_context *ctx,
				struct kfd_event_data *data, uint32_t n,
				bool all, uint32_t timeout_ms,
				uint32_t *result)
{
	struct kfd_ioctl_wait_events_args args = {
		.events_ptr = (uintptr_t)data,
		.num_events = n,
		.wait_for_all = all,
		.timeout = timeout_ms,
	};

	if (ioctl(ctx->fd, AMDKFD_IOC_WAIT_EVENTS, &args))
		return -errno;
	*result = args.wait_result;
	return 0;
}

int vkfd_event_wait(const struct vkfd_context *ctx, const uint32_t *ids,
		    uint32_t n, bool all, uint32_t timeout_ms,
		    uint32_t *result)
{
	struct kfd_event_data *data = calloc(n ? n : 1, sizeof(*data));
	uint32_t i;
	int ret;

	if (!data)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		data[i].event_id = ids[i];
	ret = vkfd_event_wait_data(ctx, data, n, all, timeout_ms, result);
	free(data);
	return ret;
}

int vkfd_event_wait_fault(const struct vkfd_context *ctx, uint32_t id,
			  uint32_t timeout_ms, uint32_t *result,
			  struct vkfd_memory_fault *fault)
{
	struct kfd_event_data data = { .event_id = id };
	const struct kfd_hsa_memory_exception_data *mem =
		&data.memory_exception_data;
	int ret;

	ret = vkfd_event_wait_data(ctx, &data, 1, false, timeout_ms, result);
	if (ret || *result != KFD_IOC_WAIT_RESULT_COMPLETE)
		return ret;
	fault->va = mem->va;
	fault->gpu_id = mem->gpu_id;
	fault->not_present = mem->failure.NotPresent;
	fault->read_only = mem->failure.ReadOnly;
	return 0;
}

int vkfd_event_page_mmap(const struct vkfd_context *ctx, uint64_t page_offset,
			 uint64_t size, volatile uint64_t **slots)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->fd,
		       (off_t)page_offset);

	if (p == MAP_FAILED)
		return -errno;
	*slots = p;
	return 0;
}
