/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture and helpers of the ioctl tests: ioctl.c (the dispatcher)
 * and ioctl_query.c (the query ioctls), on top of tests/lib; include
 * it after kselftest_harness.h.
 */
#ifndef VKFD_SELFTEST_IOCTL_UTILS_H
#define VKFD_SELFTEST_IOCTL_UTILS_H

#include "vkfd_utils.h"

/* The output fields of GET_CLOCK_COUNTERS: everything before gpu_id. */
#define CLOCK_OUT_SIZE		offsetof(struct kfd_ioctl_get_clock_counters_args, gpu_id)

/* The uAPI layouts this file relies on (Linux 6.1, uAPI 1.11). */
_Static_assert(sizeof(struct kfd_ioctl_get_version_args) == 8, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_clock_counters_args) == 40, "uapi");
_Static_assert(sizeof(struct kfd_process_device_apertures) == 56, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_process_apertures_args) == 400, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_process_apertures_new_args) == 16, "uapi");

/* The base fixture, the whole topology, an fd of the primary, a socket pair */
FIXTURE(ioctl) {
	struct vkfd_base b;
	struct vkfd_topo topo;
	int fd;
	int sock[2];
};

FIXTURE_SETUP(ioctl)
{
	vkfd_base_setup(&self->b, 0);
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &self->topo));
	self->fd = vkfd_keep_open(&self->b);
}

FIXTURE_TEARDOWN(ioctl)
{
	vkfd_base_teardown(&self->b);
}

/* A socket pair in self->sock, closed by the teardown. */
#define IOCTL_SOCKETPAIR() do {						\
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,	\
				self->sock));				\
	vkfd_keep(&self->b, self->sock[0]);				\
	vkfd_keep(&self->b, self->sock[1]);				\
} while (0)

static inline int query_xnack(int fd, int *val)
{
	struct kfd_ioctl_set_xnack_mode_args args = { .xnack_enabled = -1 };
	int ret = _test_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &args);

	*val = args.xnack_enabled;
	return ret;
}

/*
 * The XNACK mode as a probe of "nothing changed": the queried mode, or the
 * negative errno of the query (Debian's amdkfd is built without
 * CONFIG_HSA_AMD_SVM and answers every SET_XNACK_MODE with EPERM).
 */
static inline int xnack_state(int fd)
{
	int mode, ret = query_xnack(fd, &mode);

	return ret ? ret : mode;
}

#endif /* VKFD_SELFTEST_IOCTL_UTILS_H */
