/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - additions to the KFD uAPI (<linux/kfd_ioctl.h>).
 *
 * vkfd implements the amdkfd uAPI: the ioctl numbers, argument layouts
 * and semantics of <linux/kfd_ioctl.h>. This header adds what vkfd
 * reports about itself. docs/uapi.rst is the full contract.
 */
#ifndef _UAPI_LINUX_VKFD_IOCTL_H
#define _UAPI_LINUX_VKFD_IOCTL_H

#include <linux/kfd_ioctl.h>

/*
 * AMDKFD_IOC_GET_VERSION of vkfd reports 1.VKFD_IOCTL_MINOR_VERSION: the
 * highest KFD minor version all of whose features vkfd implements, so that
 * the version never promises more than is there. Userspace should detect
 * newer single features by trying them (an unimplemented ioctl fails with
 * ENOTTY), as libhsakmt does for AMDKFD_IOC_CREATE_PROCESS.
 *
 *   1.1  initial KFD uAPI: version, clock counters, process apertures
 *   1.3  SMI events (not implemented)
 */
#define VKFD_IOCTL_MAJOR_VERSION	1
#define VKFD_IOCTL_MINOR_VERSION	1

#endif /* _UAPI_LINUX_VKFD_IOCTL_H */
