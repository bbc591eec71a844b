/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - additions to the KFD uAPI (<linux/kfd_ioctl.h>).
 *
 * vkfd implements the amdkfd uAPI: the ioctl numbers, argument layouts
 * and semantics of <linux/kfd_ioctl.h>. This header adds what Linux 6.1's
 * header lacks (AMDKFD_IOC_CREATE_PROCESS, Linux 7.0) and vkfd's own
 * extensions; where the kernel's header has a command, its definition is
 * used, and checked at compile time against vkfd's number. Nothing here
 * is named AMDKFD_ or KFD_: a newer kernel header cannot collide with it.
 * docs/uapi.rst is the full contract.
 */
#ifndef _UAPI_LINUX_VKFD_IOCTL_H
#define _UAPI_LINUX_VKFD_IOCTL_H

#include <linux/kfd_ioctl.h>

/*
 * AMDKFD_IOC_GET_VERSION of vkfd reports 1.VKFD_IOCTL_MINOR_VERSION: the
 * KFD minor version whose features ROCm's userspace gates on the number
 * and vkfd provides. libhsakmt 5.2 looks at the minor only to allow the
 * SVM calls and the XNACK-mode query (1.5); ROCr takes a failed XNACK
 * query as a kernel that cannot say, and prints so in every process.
 *
 *   1.1  initial KFD uAPI: version, clock counters, process apertures
 *   1.3  SMI events: not implemented (AMDKFD_IOC_SMI_EVENTS is ENOTTY)
 *   1.4  the SRAM EDC capability bit: clear, as on a gfx900 without it
 *   1.5  SET_XNACK_MODE (XNACK is off), and the SVM API as Debian's
 *        amdkfd built without CONFIG_HSA_AMD_SVM has it: AMDKFD_IOC_SVM
 *        is EPERM and the SVMAPISupported capability bit is clear, which
 *        is what tells userspace that there is no SVM
 *
 * Newer single features are detected by trying them (an unimplemented
 * ioctl fails with ENOTTY), as libhsakmt does for AMDKFD_IOC_CREATE_PROCESS,
 * which upstream added in 1.19 and vkfd implements without 1.6 .. 1.18.
 */
#define VKFD_IOCTL_MAJOR_VERSION	1
#define VKFD_IOCTL_MINOR_VERSION	5

/* Numbers of upstream ioctls newer than Linux 6.1 that vkfd knows of. */
#define VKFD_IOC_NR_RUNTIME_ENABLE	0x25
#define VKFD_IOC_NR_DBG_TRAP		0x26
#define VKFD_IOC_NR_CREATE_PROCESS	0x27

/*
 * AMDKFD_IOC_CREATE_PROCESS - turn an fd of the primary context into a
 * secondary context (Linux 7.0). Upstream defines it without an argument;
 * ROCm's libhsakmt header defines it with an 8-byte argument whose fields
 * must be 0. vkfd accepts both encodings.
 *
 * Where <linux/kfd_ioctl.h> has it (7.0 and later), vkfd and its users
 * take the kernel's definition, which must be the same command word.
 */
#ifdef AMDKFD_IOC_CREATE_PROCESS
#if AMDKFD_IOC_CREATE_PROCESS != AMDKFD_IO(VKFD_IOC_NR_CREATE_PROCESS)
#error "<linux/kfd_ioctl.h>'s AMDKFD_IOC_CREATE_PROCESS is not vkfd's"
#endif
#define VKFD_IOC_CREATE_PROCESS		AMDKFD_IOC_CREATE_PROCESS
#else
#define VKFD_IOC_CREATE_PROCESS		AMDKFD_IO(VKFD_IOC_NR_CREATE_PROCESS)
#endif

/**
 * struct vkfd_ioctl_create_process_args - ROCm's CREATE_PROCESS argument
 * @flags: must be 0 (to VKFD)
 * @pad: must be 0 (to VKFD)
 */
struct vkfd_ioctl_create_process_args {
	__u32 flags;
	__u32 pad;
};

#define VKFD_IOC_CREATE_PROCESS_ROCM	\
	AMDKFD_IOWR(VKFD_IOC_NR_CREATE_PROCESS,	\
		    struct vkfd_ioctl_create_process_args)

/*
 * The other commands vkfd knows by number must have the kernel header's
 * numbers where it defines them (Linux 6.4 and later); the preprocessor
 * cannot evaluate their sizeof, so C11's _Static_assert checks them.
 */
#if !defined(__cplusplus) && (defined(__KERNEL__) || \
	(defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L))
#ifdef AMDKFD_IOC_RUNTIME_ENABLE
_Static_assert(_IOC_NR(AMDKFD_IOC_RUNTIME_ENABLE) ==
	       VKFD_IOC_NR_RUNTIME_ENABLE,
	       "AMDKFD_IOC_RUNTIME_ENABLE is not vkfd's number");
#endif
#ifdef AMDKFD_IOC_DBG_TRAP
_Static_assert(_IOC_NR(AMDKFD_IOC_DBG_TRAP) == VKFD_IOC_NR_DBG_TRAP,
	       "AMDKFD_IOC_DBG_TRAP is not vkfd's number");
#endif
#endif

/*
 * The last field of struct kfd_ioctl_set_memory_policy_args: 6.1's pad,
 * misc_process_flag (with KFD_PROC_FLAG_*) in newer headers. vkfd
 * implements uAPI 1.5, which has no process flags: it must be 0 either way.
 */
#ifdef KFD_PROC_FLAG_MFMA_HIGH_PRECISION
#define VKFD_MEMORY_POLICY_PAD		misc_process_flag
#else
#define VKFD_MEMORY_POLICY_PAD		pad
#endif

/* vkfd's own ioctls use numbers from here, far from amdkfd's and ROCm's. */
#define VKFD_IOC_NR_BASE		0xe0

/* Context ids: the primary's, and the range of secondaries'. */
#define VKFD_CTX_ID_PRIMARY		0xffff
#define VKFD_CTX_ID_SELF		0xffffffff

#define VKFD_MAX_GPUS			8

/**
 * struct vkfd_ioctl_ctx_info - VKFD_IOC_CTX_INFO: describe a context
 * @ctx_id: to VKFD: VKFD_CTX_ID_SELF for the fd's own context or, on an fd
 *	of a primary, the id of one of its secondaries (a secondary may only
 *	describe itself). From VKFD: the context's id, VKFD_CTX_ID_PRIMARY
 *	for a primary.
 * @flags: must be 0 (to VKFD)
 * @num_gpus: number of valid entries in @gpu_ids and @pasids (from VKFD)
 * @pad: must be 0 (to VKFD)
 * @gpu_ids: the gpu_id of each GPU (from VKFD)
 * @pasids: the context's PASID on each GPU (from VKFD)
 *
 * As for every KFD ioctl, the size encoded in the command word versions
 * the structure: a shorter (older) one gets a prefix, a longer one has its
 * extra bytes left alone.
 */
struct vkfd_ioctl_ctx_info {
	__u32 ctx_id;
	__u32 flags;
	__u32 num_gpus;
	__u32 pad;
	__u32 gpu_ids[VKFD_MAX_GPUS];
	__u32 pasids[VKFD_MAX_GPUS];
};

#define VKFD_IOC_CTX_INFO	\
	AMDKFD_IOWR(VKFD_IOC_NR_BASE + 0, struct vkfd_ioctl_ctx_info)

#endif /* _UAPI_LINUX_VKFD_IOCTL_H */
