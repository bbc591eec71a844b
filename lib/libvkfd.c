// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd - contexts: open the primary, open a secondary, close, query;
 * GPU VMs and buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* ------------------------------------------------------------------------
 * Topology: nodes/<n>/gpu_id and the render minor in nodes/<n>/properties
 */

#define VKFD_TOPO_MAX_NODES	128

/* Reads a small sysfs file, NUL-terminated. Returns its length or -errno. */
static int vkfd_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

/* The gpu_id of topology node @node: 0 for a CPU, -ENOENT past the last. */
static int64_t vkfd_node_gpu_id(const char *topology, int node)
{
	char path[PATH_MAX], buf[32], *end;
	unsigned long long id;
	int ret;

	snprintf(path, sizeof(path), "%s/nodes/%d/gpu_id", topology, node);
	ret = vkfd_read_small(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	id = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || id > UINT32_MAX)
		return -EINVAL;
	return id;
}

/* The topology node of GPU @gpu_id, or -errno (-ENOENT: no such GPU). */
static int vkfd_gpu_node(const char *topology, uint32_t gpu_id)
{
	int64_t id;
	int node;

	if (!gpu_id)
		return -ENOENT;
	for (node = 0; node < VKFD_TOPO_MAX_NODES; node++) {
		id = vkfd_node_gpu_id(topology, node);
		if (id < 0)
			return (int)id;
		if (id == gpu_id)
			return node;
	}
	return -ENOENT;
}

int vkfd_gpu_ids(const char *topology, uint32_t *gpu_ids, unsigned int max)
{
	unsigned int n = 0;
	int64_t id;
	int node;

	if (!topology)
		topology = VKFD_DEFAULT_TOPOLOGY;
	for (node = 0; node < VKFD_TOPO_MAX_NODES; node++) {
		id = vkfd_node_gpu_id(topology, node);
		if (id == -ENOENT && node)
			break;
		if (id < 0)
			return (int)id;
		if (!id)
			continue;
		if (n < max)
			gpu_ids[n] = id;
		n++;
	}
	return n;
}

int vkfd_render_minor(const char *topology, uint32_t gpu_id, uint32_t *minor)
{
	static const char key[] = "\ndrm_render_minor ";
	char path[PATH_MAX], *text, *found;
	unsigned long v;
	int node, ret;

	if (!topology)
		topology = VKFD_DEFAULT_TOPOLOGY;
	node = vkfd_gpu_node(topology, gpu_id);
	if (node < 0)
		return node;
	text = malloc(8192);
	if (!text)
		return -ENOMEM;
	/* a leading newline, so that every line starts with one */
	text[0] = '\n';
	snprintf(path, sizeof(path), "%s/nodes/%d/properties", topology, node);
	ret = vkfd_read_small(path, text + 1, 8191);
	if (ret < 0)
		goto out;
	ret = -ENOENT;
	found = strstr(text, key);
	if (!found)
		goto out;
	v = strtoul(found + sizeof(key) - 1, NULL, 10);
	/* render minors are 128..255 (DRM_MINOR_RENDER) */
	ret = v >= 128 && v <= 255 ? 0 : -ERANGE;
	if (!ret)
		*minor = v;
out:
	free(text);
	return ret;
}

int vkfd_render_open(const char *topology, uint32_t gpu_id)
{
	char path[64];
	uint32_t minor;
	int fd, ret;

	ret = vkfd_render_minor(topology, gpu_id, &minor);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), VKFD_DRI_DIR "/renderD%u", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ------------------------------------------------------------------------
 * GPU VMs and buffers
 */

int vkfd_acquire_vm(const struct vkfd_context *ctx, uint32_t gpu_id,
		    int render_fd)
{
	struct kfd_ioctl_acquire_vm_args args = {
		.drm_fd = render_fd,
		.gpu_id = gpu_id,
	};

	if (ctx->fd < 0)
		return -EBADF;
	return vkfd_ioctl(ctx->fd, AMDKFD_IOC_ACQUIRE_VM, &args);
}

int vkfd_open_vm(const struct vkfd_context *ctx, const char *topology,
		 uint32_t gpu_id, int *render_fd)
{
	int fd, ret;

	if (ctx->fd < 0)
		return -EBADF;
	fd = vkfd_render_open(topology, gpu_id);
	if (fd < 0)
		return fd;
	ret = vkfd_acquire_vm(ctx, gpu_id, fd);
	if (ret) {
		close(fd);
		return ret;
	}
	*render_fd = fd;
	return 0;
}

int vkfd_available_memory(const struct vkfd_context *ctx, uint32_t gpu_id,
			  uint64_t *bytes)
{
	struct kfd_ioctl_get_available_memory_args args = { .gpu_id = gpu_id };
	int ret;

	if (ctx->fd < 0)
		return -EBADF;
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_AVAILABLE_MEMORY, &args);
	if (!ret)
		*bytes = args.available;
	return ret;
}

static int vkfd_alloc_args(const struct vkfd_context *ctx, uint32_t gpu_id,
			   uint64_t va, uint64_t size, uint64_t mmap_offset,
			   uint32_t flags, struct vkfd_bo *bo)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args args = {
		.va_addr = va,
		.size = size,
		.mmap_offset = mmap_offset,
		.gpu_id = gpu_id,
		.flags = flags,
	};
	int ret;

	if (ctx->fd < 0)
		return -EBADF;
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &args);
	if (ret)
		return ret;
	*bo = (struct vkfd_bo) {
		.handle = args.handle,
		.va = va,
		.size = size,
		.mmap_offset = args.mmap_offset,
		.gpu_id = gpu_id,
		.flags = flags,
	};
	return 0;
}

int vkfd_alloc(const struct vkfd_context *ctx, uint32_t gpu_id, uint64_t va,
	       uint64_t size, uint32_t flags, struct vkfd_bo *bo)
{
	if (flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR)
		return -EINVAL;		/* vkfd_alloc_userptr() */
	return vkfd_alloc_args(ctx, gpu_id, va, size, 0, flags, bo);
}

int vkfd_alloc_userptr(const struct vkfd_context *ctx, uint32_t gpu_id,
		       uint64_t va, void *addr, uint64_t size, uint32_t flags,
		       struct vkfd_bo *bo)
{
	return vkfd_alloc_args(ctx, gpu_id, va, size, (uintptr_t)addr,
			       flags | KFD_IOC_ALLOC_MEM_FLAGS_USERPTR, bo);
}

int vkfd_free(const struct vkfd_context *ctx, struct vkfd_bo *bo)
{
	struct kfd_ioctl_free_memory_of_gpu_args args = { .handle = bo->handle };
	int ret;

	if (ctx->fd < 0)
		return -EBADF;
	ret = vkfd_ioctl(ctx->fd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &args);
	if (!ret)
		memset(bo, 0, sizeof(*bo));
	return ret;
}

/* MAP and UNMAP take the same argument, laid out alike. */
static int vkfd_map_cmd(const struct vkfd_context *ctx,
			const struct vkfd_bo *bo, const uint32_t *gpu_ids,
			uint32_t n, unsigned long cmd)
{
	struct kfd_ioctl_map_memory_to_gpu_args args = {
		.handle = bo->handle,
		.device_ids_array_ptr = (uintptr_t)gpu_ids,
		.n_devices = n,
	};

	_Static_assert(sizeof(args) ==
		       sizeof(struct kfd_ioctl_unmap_memory_from_gpu_args),
		       "MAP and UNMAP arguments differ");
	if (ctx->fd < 0)
		return -EBADF;
	return vkfd_ioctl(ctx->fd, cmd, &args);
}

int vkfd_map(const struct vkfd_context *ctx, const struct vkfd_bo *bo,
	     const uint32_t *gpu_ids, uint32_t n)
{
	return vkfd_map_cmd(ctx, bo, gpu_ids, n, AMDKFD_IOC_MAP_MEMORY_TO_GPU);
}

int vkfd_unmap(const struct vkfd_context *ctx, const struct vkfd_bo *bo,
	       const uint32_t *gpu_ids, uint32_t n)
{
	return vkfd_map_cmd(ctx, bo, gpu_ids, n,
			    AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU);
}

int vkfd_bo_mmap(int render_fd, const struct vkfd_bo *bo, int prot,
		 void **addr)
{
	void *p;

	if (bo->size > SIZE_MAX || bo->mmap_offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, bo->size, prot, MAP_SHARED, render_fd,
		 (off_t)bo->mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int vkfd_bo_munmap(const struct vkfd_bo *bo, void *addr)
{
	return munmap(addr, bo->size) ? -errno : 0;
}
