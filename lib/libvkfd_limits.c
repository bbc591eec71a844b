// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - the limits of contexts: VKFD_IOC_CTX_LIMITS.
 */
#include <errno.h>
#include <string.h>

#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

_Static_assert(VKFD_LIB_LIMIT_SLOTS == VKFD_LIMIT_SLOTS,
	       "libvkfd's limit arrays are not the uAPI's");

/* By enum vkfd_limit; the names of the sysfs files limits/<name>_*. */
static const char *const vkfd_limit_names[VKFD_LIMIT_NR] = {
	[VKFD_LIMIT_VRAM] = "vram",
	[VKFD_LIMIT_GTT] = "gtt",
	[VKFD_LIMIT_USERPTR] = "userptr",
	[VKFD_LIMIT_BUFFERS] = "buffers",
	[VKFD_LIMIT_QUEUES] = "queues",
	[VKFD_LIMIT_EVENTS] = "events",
};

const char *vkfd_limit_name(unsigned int i)
{
	return i < VKFD_LIMIT_NR ? vkfd_limit_names[i] : NULL;
}

int vkfd_limit_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < VKFD_LIMIT_NR; i++)
		if (!strcmp(name, vkfd_limit_names[i]))
			return i;
	return -EINVAL;
}

static void vkfd_limits_out(const struct vkfd_ioctl_ctx_limits *args,
			    struct vkfd_ctx_limits *out)
{
	out->known = args->known;
	memcpy(out->limit, args->limit, sizeof(out->limit));
	memcpy(out->usage, args->usage, sizeof(out->usage));
}

int vkfd_ctx_get_limits(const struct vkfd_context *ctx, uint32_t ctx_id,
			struct vkfd_ctx_limits *out)
{
	struct vkfd_ioctl_ctx_limits args = {
		.op = VKFD_LIMITS_OP_GET,
		.ctx_id = ctx_id,
	};
	int ret;

	if (ctx->fd < 0)
		return -EBADF;
	ret = vkfd_ioctl(ctx->fd, VKFD_IOC_CTX_LIMITS, &args);
	if (ret)
		return ret;
	vkfd_limits_out(&args, out);
	return 0;
}

int vkfd_ctx_set_limits(const struct vkfd_context *primary, uint32_t ctx_id,
			uint32_t mask, const uint64_t *limit,
			struct vkfd_ctx_limits *out)
{
	struct vkfd_ioctl_ctx_limits args = {
		.op = VKFD_LIMITS_OP_SET,
		.ctx_id = ctx_id,
		.mask = mask,
	};
	unsigned int i;
	int ret;

	if (primary->fd < 0)
		return -EBADF;
	for (i = 0; i < VKFD_LIMIT_SLOTS; i++)
		if (mask & VKFD_LIMIT_BIT(i))
			args.limit[i] = limit[i];
	ret = vkfd_ioctl(primary->fd, VKFD_IOC_CTX_LIMITS, &args);
	if (ret)
		return ret;
	if (out)
		vkfd_limits_out(&args, out);
	return 0;
}
