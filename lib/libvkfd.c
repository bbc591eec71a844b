// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - contexts: open the primary, open a secondary, close, query.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

int vkfd_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret == -1 && errno == EINTR);
	return ret ? -errno : 0;
}

static int vkfd_open_fd(const char *dev)
{
	int fd = open(dev ? dev : VKFD_DEFAULT_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vkfd_open_primary(const char *dev, struct vkfd_context *ctx)
{
	int fd = vkfd_open_fd(dev);

	if (fd < 0)
		return fd;
	ctx->fd = fd;
	ctx->primary = true;
	return 0;
}

int vkfd_open_secondary(const char *dev, struct vkfd_context *ctx)
{
	struct vkfd_ioctl_create_process_args args = { 0 };
	int fd, ret;

	/* A fresh fd: it is bound to the primary until converted. */
	fd = vkfd_open_fd(dev);
	if (fd < 0)
		return fd;
	ret = vkfd_ioctl(fd, VKFD_IOC_CREATE_PROCESS_ROCM, &args);
	if (ret) {
		close(fd);
		/* Kernels without the ioctl: ENOTTY (6.1) or EINVAL (older). */
		return ret == -ENOTTY || ret == -EINVAL ? -EOPNOTSUPP : ret;
	}
	ctx->fd = fd;
	ctx->primary = false;
	return 0;
}

int vkfd_close(struct vkfd_context *ctx)
{
	int fd = ctx->fd;

	if (fd < 0)
		return -EBADF;
	ctx->fd = -1;
	return close(fd) ? -errno : 0;
}

int vkfd_query(const struct vkfd_context *ctx, struct vkfd_context_info *info)
{
	struct kfd_ioctl_get_version_args ver = { 0 };
	struct vkfd_ioctl_ctx_info ci = { .ctx_id = VKFD_CTX_ID_SELF };
	uint32_t i;
	int ret;

	if (ctx->fd < 0)
		return -EBADF;
	memset(info, 0, sizeof(*info));
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_GET_VERSION, &ver);
	if (ret)
		return ret;
	info->major = ver.major_version;
	info->minor = ver.minor_version;
	info->ctx_id = ctx->primary ? VKFD_CTX_ID_PRIMARY : 0;

	ret = vkfd_ioctl(ctx->fd, VKFD_IOC_CTX_INFO, &ci);
	if (ret == -ENOTTY)	/* amdkfd: the version is all there is */
		return 0;
	if (ret)
		return ret;
	info->ctx_id = ci.ctx_id;
	info->num_gpus = ci.num_gpus < VKFD_LIB_MAX_GPUS ?
			 ci.num_gpus : VKFD_LIB_MAX_GPUS;
	for (i = 0; i < info->num_gpus; i++) {
		info->gpu_ids[i] = ci.gpu_ids[i];
		info->pasids[i] = ci.pasids[i];
	}
	return 0;
}
