// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * membench - the measured GPU: its render node, secondaries with a GPU VM
 * on it, their buffers, and what <debugfs>/vkfd/contexts says of them
 * (see membench.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"
#include "membench.h"

/* The first line of @path, without its newline; -errno on failure. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

int find_render_node(struct membench *mb)
{
	char path[512], line[256];
	unsigned int node, minor;
	unsigned long id;
	FILE *f;

	for (node = 0; node < 64; node++) {
		snprintf(path, sizeof(path), "%s/nodes/%u/gpu_id", mb->topology,
			 node);
		if (read_line(path, line, sizeof(line)))
			break;
		id = strtoul(line, NULL, 10);
		if (!id || id != mb->gpu_id)
			continue;
		snprintf(path, sizeof(path), "%s/nodes/%u/properties",
			 mb->topology, node);
		f = fopen(path, "r");
		if (!f)
			return -errno;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "drm_render_minor %u", &minor) == 1) {
				fclose(f);
				snprintf(mb->render, sizeof(mb->render),
					 "/dev/dri/renderD%u", minor);
				return 0;
			}
		}
		fclose(f);
		return -ENOENT;
	}
	return -ENOENT;
}

int vm_open(const struct membench *mb, struct vm *vm)
{
	struct kfd_ioctl_acquire_vm_args acq = { 0 };
	struct vkfd_context_info info;
	struct vkfd_context ctx;
	int ret;

	ret = vkfd_open_secondary(mb->dev, &ctx);
	if (ret)
		return ret;
	ret = vkfd_query(&ctx, &info);
	if (ret)
		goto err_close;
	vm->kfd = ctx.fd;
	vm->ctx_id = info.ctx_id;
	vm->gpu_id = mb->gpu_id;
	vm->render = open(mb->render, O_RDWR | O_CLOEXEC);
	if (vm->render < 0) {
		ret = -errno;
		goto err_close;
	}
	acq.gpu_id = mb->gpu_id;
	acq.drm_fd = vm->render;
	ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_ACQUIRE_VM, &acq);
	if (ret) {
		close(vm->render);
		goto err_close;
	}
	return 0;

err_close:
	vkfd_close(&ctx);
	return ret;
}

void vm_close(struct vm *vm)
{
	close(vm->render);
	close(vm->kfd);
	vm->render = -1;
	vm->kfd = -1;
}

int buf_alloc(const struct vm *vm, uint64_t va, uint64_t size,
	      uint32_t domain, uint64_t *handle)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a = {
		.va_addr = va,
		.size = size,
		.gpu_id = vm->gpu_id,
		.flags = domain | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
	};
	int ret = vkfd_ioctl(vm->kfd, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &a);

	*handle = a.handle;
	return ret;
}

int buf_map(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_map_memory_to_gpu_args a = {
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&vm->gpu_id,
		.n_devices = 1,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_MAP_MEMORY_TO_GPU, &a);
}

int buf_unmap(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_unmap_memory_from_gpu_args a = {
		.handle = handle,
		.device_ids_array_ptr = (uintptr_t)&vm->gpu_id,
		.n_devices = 1,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU, &a);
}

int buf_free(const struct vm *vm, uint64_t handle)
{
	struct kfd_ioctl_free_memory_of_gpu_args a = { .handle = handle };

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &a);
}

int buf_alloc_map(const struct vm *vm, uint64_t va, uint64_t size,
		  uint32_t domain, uint64_t *handle)
{
	int ret = buf_alloc(vm, va, size, domain, handle);

	if (ret)
		return ret;
	ret = buf_map(vm, *handle);
	if (ret)
		buf_free(vm, *handle);
	return ret;
}

uint64_t vram_available(const struct vm *vm)
{
	struct kfd_ioctl_get_available_memory_args a = {
		.gpu_id = vm->gpu_id,
	};

	return vkfd_ioctl(vm->kfd, AMDKFD_IOC_AVAILABLE_MEMORY, &a) ? 0 :
	       a.available;
}

const char *domain_name(uint32_t domain)
{
	return domain == KFD_IOC_ALLOC_MEM_FLAGS_VRAM ? "VRAM" : "GTT";
}

const char *size_name(uint64_t size, char *buf, size_t len)
{
	if (size >= MiB && !(size % MiB))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(size / MiB));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(size / KiB));
	return buf;
}


/* Index of column @name in the tab-separated header @hdr, or -1. */
static int column(const char *hdr, const char *name)
{
	char buf[256], *tok, *save;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", hdr);
	for (tok = strtok_r(buf, "\t\n", &save); tok;
	     tok = strtok_r(NULL, "\t\n", &save), i++)
		if (!strcmp(tok, name))
			return i;
	return -1;
}

int ctx_usage(const struct membench *mb, pid_t pid, uint32_t ctx_id,
	      struct ctx_usage *u)
{
	int c_pid, c_ctx, c_bos, c_pt, i;
	char line[512], *tok, *save;
	FILE *f;

	memset(u, 0, sizeof(*u));
	f = fopen(mb->contexts, "r");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	c_pid = column(line, "pid");
	c_ctx = column(line, "context");
	c_bos = column(line, "bos");
	c_pt = column(line, "pt");
	if (c_pid < 0 || c_ctx < 0 || c_bos < 0 || c_pt < 0) {
		fclose(f);
		return -ENODATA;
	}
	while (fgets(line, sizeof(line), f)) {
		bool mine = true;
		unsigned long bos = 0;
		unsigned long long pt = 0;

		for (i = 0, tok = strtok_r(line, "\t\n", &save); tok;
		     tok = strtok_r(NULL, "\t\n", &save), i++) {
			if (i == c_pid && strtol(tok, NULL, 10) != pid)
				mine = false;
			if (i == c_ctx && ctx_id != VKFD_CTX_ID_SELF &&
			    (!strcmp(tok, "primary") ||
			     strtoul(tok, NULL, 10) != ctx_id))
				mine = false;
			if (i == c_bos)
				bos = strtoul(tok, NULL, 10);
			if (i == c_pt)
				pt = strtoull(tok, NULL, 10);
		}
		if (!mine)
			continue;
		u->contexts++;
		u->bos += bos;
		u->pt += pt;
	}
	fclose(f);
	return 0;
}
