/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the test-only ioctl, VKFD_IOC_TEST (<linux/vkfd_test.h>).
 *
 * Built only with VKFD_TEST=y (kernel/Kbuild), which defines
 * CONFIG_VKFD_TEST, as iommufd's mock ioctl only with CONFIG_IOMMUFD_TEST.
 */
#ifndef _VKFD_TEST_IOCTL_H_
#define _VKFD_TEST_IOCTL_H_

struct vkfd_ctx;
struct vkfd_file;

#ifdef CONFIG_VKFD_TEST
int vkfd_test_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx, void *data);
#endif

#endif /* _VKFD_TEST_IOCTL_H_ */
