/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libvkfd - a small C library over the KFD uAPI with multiple contexts.
 *
 * Works against vkfd and against amdkfd. A context is one fd of the KFD
 * device: the primary (shared by every plain open() of a process) or a
 * secondary (its own GPU address spaces, gone when closed). Compare
 * libhsakmt's hsaKmtOpenKFD(), hsaKmtOpenSecondaryKFDCtx() and
 * hsaKmtCloseSecondaryKFDCtx(). The library keeps no global state: every
 * call works on the struct vkfd_context it is given.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef LIBVKFD_H
#define LIBVKFD_H

#include <stdbool.h>
#include <stdint.h>

#define VKFD_DEFAULT_DEV	"/dev/kfd"
#define VKFD_LIB_MAX_GPUS	8

/**
 * struct vkfd_context - an open KFD context
 * @fd: the fd of the KFD device bound to the context, -1 once closed
 * @primary: whether it is the process's primary context
 */
struct vkfd_context {
	int fd;
	bool primary;
};

/**
 * struct vkfd_context_info - what vkfd_query() reports
 * @major: KFD uAPI major version
 * @minor: KFD uAPI minor version
 * @ctx_id: context id: 0xffff for the primary, 0..0xfffe for a secondary
 * @num_gpus: entries in @gpu_ids and @pasids; 0 if the driver does not
 *	describe contexts (amdkfd)
 * @gpu_ids: gpu_id of each GPU
 * @pasids: the context's PASID on each GPU
 */
struct vkfd_context_info {
	uint32_t major;
	uint32_t minor;
	uint32_t ctx_id;
	uint32_t num_gpus;
	uint32_t gpu_ids[VKFD_LIB_MAX_GPUS];
	uint32_t pasids[VKFD_LIB_MAX_GPUS];
};

/* ioctl() on a KFD fd: 0 or -errno; retried while interrupted (EINTR). */
int vkfd_ioctl(int fd, unsigned long cmd, void *arg);

/* Open the process's primary context on @dev (NULL: /dev/kfd). */
int vkfd_open_primary(const char *dev, struct vkfd_context *ctx);

/*
 * Open a new secondary context on @dev (NULL: /dev/kfd). -EOPNOTSUPP if the
 * driver has no secondary contexts (Linux before 7.0); on any failure
 * nothing stays open.
 */
int vkfd_open_secondary(const char *dev, struct vkfd_context *ctx);

/* Close a context; a secondary is destroyed, a primary lives on. */
int vkfd_close(struct vkfd_context *ctx);

/* Describe a context. */
int vkfd_query(const struct vkfd_context *ctx, struct vkfd_context_info *info);

#endif /* LIBVKFD_H */
