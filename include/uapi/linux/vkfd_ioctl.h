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

/**
 * DOC: uAPI version
 *
 * ``AMDKFD_IOC_GET_VERSION`` of vkfd reports
 * ``VKFD_IOCTL_MAJOR_VERSION.VKFD_IOCTL_MINOR_VERSION``: the KFD minor
 * version whose features ROCm's userspace gates on the number and vkfd
 * provides. libhsakmt 5.2 looks at the minor only to allow the SVM calls
 * and the XNACK-mode query (1.5); ROCr takes a failed XNACK query as a
 * kernel that cannot say, and prints so in every process.
 *
 * - 1.1, the initial KFD uAPI: version, clock counters, process
 *   apertures, and everything else the uAPI contract lists;
 * - 1.3, SMI events: not implemented (``AMDKFD_IOC_SMI_EVENTS`` is
 *   ENOTTY);
 * - 1.4, the SRAM EDC capability bit: clear, as on a gfx900 without it;
 * - 1.5, ``SET_XNACK_MODE`` (XNACK is off), and the SVM API as Debian's
 *   amdkfd built without ``CONFIG_HSA_AMD_SVM`` has it:
 *   ``AMDKFD_IOC_SVM`` is EPERM and the ``SVMAPISupported`` capability
 *   bit is clear, which is what tells userspace that there is no SVM.
 *
 * Newer single features are detected by trying them (an unimplemented
 * ioctl fails with ENOTTY), as libhsakmt does for
 * ``AMDKFD_IOC_CREATE_PROCESS``, which upstream added in 1.19 and vkfd
 * implements without 1.6 .. 1.18.
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

/**
 * enum vkfd_limit - the resources a context's limits bound
 * @VKFD_LIMIT_VRAM: bytes of VRAM buffers, over all GPUs
 * @VKFD_LIMIT_GTT: bytes of GTT buffers, over all GPUs
 * @VKFD_LIMIT_USERPTR: bytes of USERPTR buffers whose pages are pinned
 *	(mapped on at least one GPU)
 * @VKFD_LIMIT_BUFFERS: buffers of every kind (handles of
 *	ALLOC_MEMORY_OF_GPU)
 * @VKFD_LIMIT_QUEUES: user queues
 * @VKFD_LIMIT_EVENTS: events of every type
 * @VKFD_LIMIT_NR: the number of limits this header knows; it grows, up to
 *	VKFD_LIMIT_SLOTS
 */
enum vkfd_limit {
	VKFD_LIMIT_VRAM = 0,
	VKFD_LIMIT_GTT = 1,
	VKFD_LIMIT_USERPTR = 2,
	VKFD_LIMIT_BUFFERS = 3,
	VKFD_LIMIT_QUEUES = 4,
	VKFD_LIMIT_EVENTS = 5,
	VKFD_LIMIT_NR = 6,
};

/* The entries of the arrays of struct vkfd_ioctl_ctx_limits. */
#define VKFD_LIMIT_SLOTS		8
/* A limit of this value bounds nothing. */
#define VKFD_LIMIT_UNLIMITED		(~(__u64)0)
/* The bit of limit @l in vkfd_ioctl_ctx_limits.mask and .known. */
#define VKFD_LIMIT_BIT(l)		(1U << (l))

/**
 * enum vkfd_limits_op - what VKFD_IOC_CTX_LIMITS does
 * @VKFD_LIMITS_OP_GET: report the limits and usage of a context
 * @VKFD_LIMITS_OP_SET: set some limits of a secondary, then report as GET
 */
enum vkfd_limits_op {
	VKFD_LIMITS_OP_GET = 0,
	VKFD_LIMITS_OP_SET = 1,
};

/**
 * struct vkfd_ioctl_ctx_limits - VKFD_IOC_CTX_LIMITS: a context's limits
 * @op: VKFD_LIMITS_OP_GET or VKFD_LIMITS_OP_SET (to VKFD)
 * @ctx_id: the context (to VKFD). GET: VKFD_CTX_ID_SELF for the fd's own
 *	context, or on a primary's fd the id of one of its secondaries.
 *	SET: on a primary's fd, the id of one of its secondaries.
 * @flags: must be 0 (to VKFD)
 * @mask: SET: the limits to set, VKFD_LIMIT_BIT() of each, at least one
 *	(to VKFD); GET: must be 0
 * @known: the limits this kernel knows, VKFD_LIMIT_BIT() of each: the
 *	entries of @limit and @usage it wrote (from VKFD)
 * @pad: must be 0 (to VKFD)
 * @limit: per enum vkfd_limit, the limit: VKFD_LIMIT_UNLIMITED or a
 *	number of bytes or objects. SET reads the entries @mask names (to
 *	VKFD); both ops report every known entry (from VKFD).
 * @usage: per enum vkfd_limit, what the context holds now (from VKFD)
 *
 * The ioctl is an extension of vkfd (number 0xe1): vkfd's own numbers
 * start at VKFD_IOC_NR_BASE, far above amdkfd's table (0x01..0x27 and
 * growing by one or two a year) and ROCm's private 0x80..0x84.
 */
struct vkfd_ioctl_ctx_limits {
	__u32 op;
	__u32 ctx_id;
	__u32 flags;
	__u32 mask;
	__u32 known;
	__u32 pad;
	__u64 limit[VKFD_LIMIT_SLOTS];
	__u64 usage[VKFD_LIMIT_SLOTS];
};

#define VKFD_IOC_CTX_LIMITS	\
	AMDKFD_IOWR(VKFD_IOC_NR_BASE + 1, struct vkfd_ioctl_ctx_limits)

/*
 * The errno contract: every errno each entry point can return, and what
 * it means. kernel/vkfd_ioctl.c and the handlers' kernel-doc say the
 * same; docs/uapi.rst pulls these blocks in.
 */

/**
 * DOC: errno rules
 *
 * A call that fails changes nothing: no object is made or destroyed, no
 * state recorded, and the argument is copied back only where the command
 * says so. Unless a command's list says otherwise, a non-zero ``pad``
 * field is EINVAL (amdkfd ignores pads; libhsakmt zeroes its arguments).
 * ENOMEM, out of memory, may come from any call that allocates. No user
 * input makes the kernel warn or log an error. EDQUOT, whatever the
 * resource, says that a call would take a context above one of its
 * limits (``VKFD_IOC_CTX_LIMITS``); it, too, changes nothing.
 *
 * ``GET_VERSION`` (0x01), ``GET_PROCESS_APERTURES`` (0x06) and the
 * errors of the dispatcher aside, every command has its list below.
 * ``GET_QUEUE_WAVE_STATE``, ``ALLOC_QUEUE_GWS``, ``SMI_EVENTS``, the
 * dma-buf commands and every other number vkfd does not implement fail
 * with ENOTTY.
 */

/**
 * DOC: errors of open
 *
 * ======  ==========================================================
 * ENODEV  a minor other than 0
 * EPERM   a 32-bit (compat) caller: the uAPI is laid out for 64-bit
 * EINVAL  the caller has no address space of its own: a kernel thread,
 *         or a ``vfork()`` child (its parent's, until it execs or
 *         exits); or another process sharing the address space
 *         (``clone(CLONE_VM)`` without ``CLONE_THREAD``) opened first:
 *         the primary belongs to the process that opened it. Any thread
 *         of that process may open, also once the thread-group leader
 *         has exited.
 * ENOMEM  out of memory
 * ======  ==========================================================
 */

/**
 * DOC: errors of the dispatcher
 *
 * Before any handler runs, in this order:
 *
 * ==========  ==========================================================
 * ENOTTY      the type is not ``'K'``, or vkfd knows no command with this
 *             number. amdkfd answers numbers 0 and past its table
 *             (0x24 and up in Linux 6.1, the ROCm-private 0x80..0x84
 *             included) with ENOTTY too; it answers its deprecated debugger numbers
 *             0x0d..0x10 with EPERM and holes in its table with EINVAL,
 *             where vkfd says ENOTTY.
 * EBADF       the fd is used by a process other than the one that opened
 *             it: a ``fork()`` child that inherited it, a process that
 *             received it over ``SCM_RIGHTS``, or the opener after
 *             ``exec()`` (a new address space). Nothing is done. As
 *             amdkfd, the number is checked first: an unknown number is
 *             ENOTTY whoever asks.
 * EOPNOTSUPP  the command is for primary contexts only (``SVM``,
 *             ``CRIU_OP``, ``DBG_TRAP``) and the fd is bound to a
 *             secondary
 * ENOTTY      vkfd knows the command, so that the rules above apply,
 *             but does not implement it: ``CRIU_OP`` (0x22),
 *             ``RUNTIME_ENABLE`` (0x25), ``DBG_TRAP`` (0x26)
 * EFAULT      the argument cannot be read, or written back. A command
 *             that creates something its output names
 *             (``ALLOC_MEMORY_OF_GPU``, ``CREATE_QUEUE``,
 *             ``CREATE_EVENT``, ROCm's ``CREATE_PROCESS``) and cannot
 *             write its output has made nothing: no handle, queue, event
 *             or context, no VRAM taken, no directory, no conversion of
 *             the fd; the id it would have given is free for the next
 *             call. Until the output is written nothing answers to that
 *             id (amdkfd makes the object, then fails, and the caller
 *             never learns of it). ``ACQUIRE_VM`` only reads its
 *             argument.
 * ENOMEM      out of memory (arguments above 128 bytes are allocated)
 * ==========  ==========================================================
 */

/**
 * DOC: errors of GET_CLOCK_COUNTERS
 *
 * ======  ==========================================================
 * EINVAL  ``pad`` not 0; a non-zero ``gpu_id`` that names no GPU
 *         (amdkfd returns success with a zero GPU counter)
 * ======  ==========================================================
 */

/**
 * DOC: errors of GET_PROCESS_APERTURES_NEW
 *
 * ======  ==========================================================
 * EINVAL  ``pad`` not 0; ``num_of_nodes`` larger than the number of
 *         topology nodes, the CPU's included (as amdkfd)
 * EFAULT  the array cannot be written
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_XNACK_MODE
 *
 * ======  ==========================================================
 * EPERM   a positive ``xnack_enabled``: XNACK cannot be turned on (as
 *         amdkfd for GPUs without XNACK)
 * ======  ==========================================================
 */

/**
 * DOC: errors of SVM
 *
 * ==========  ======================================================
 * EOPNOTSUPP  the fd is bound to a secondary (checked first)
 * EPERM       on a primary, whatever the arguments: there is no SVM
 *             (amdkfd built without ``CONFIG_HSA_AMD_SVM``)
 * ==========  ======================================================
 */

/**
 * DOC: errors of CREATE_PROCESS
 *
 * ======  ==========================================================
 * EINVAL  ``flags`` or ``pad`` not 0 (ROCm's encoding); the fd is bound
 *         to a secondary (no nesting); another thread converted it
 *         first, or is converting it
 * EFAULT  ROCm's argument cannot be read or written (the fd is not
 *         converted)
 * ENOSPC  the primary already has 65535 secondaries
 * ENOMEM  out of memory
 * ======  ==========================================================
 *
 * On failure the fd stays bound to the primary. Of several threads
 * converting one fd at once, the first to get its secondary built goes
 * on and the others fail; it succeeds unless its own argument cannot be
 * written back.
 */

/**
 * DOC: errors of CTX_INFO
 *
 * ======  ==========================================================
 * EINVAL  ``flags`` or ``pad`` not 0; ``ctx_id`` neither
 *         ``VKFD_CTX_ID_SELF`` nor 0..0xfffe
 * EPERM   a secondary asks about another context
 * ENOENT  the primary has no secondary with that id
 * ======  ==========================================================
 */

/**
 * DOC: errors of CTX_LIMITS
 *
 * In this order:
 *
 * ======  ==========================================================
 * EINVAL  ``op`` unknown; ``flags`` or ``pad`` not 0; GET: ``mask``
 *         not 0; SET: ``mask`` 0, or a bit of a limit the kernel does
 *         not know (``known`` says which it does)
 * EPERM   on a secondary's fd: a SET, or a GET of any ``ctx_id`` but
 *         ``VKFD_CTX_ID_SELF`` (a guest may read its own limits, never
 *         change them)
 * ENOENT  ``ctx_id`` names no secondary of this primary: the id of
 *         another process's secondary, of a secondary already closed,
 *         the primary's own (``VKFD_CTX_ID_PRIMARY``, and
 *         ``VKFD_CTX_ID_SELF`` for a SET: a primary's limits come from
 *         the module parameters only), any number above 0xfffe
 * ======  ==========================================================
 *
 * A failed call changes no limit. A limit below what the context holds
 * is allowed: nothing is freed, and every new charge of that resource
 * fails with EDQUOT until the usage is below the limit again.
 */

/**
 * DOC: errors of ACQUIRE_VM
 *
 * ======  ==========================================================
 * EINVAL  ``gpu_id`` names no GPU; ``drm_fd`` is not an open file of a
 *         vkfd render node (a card node, another driver's file and a
 *         closed fd included), or is one of another GPU's; the render
 *         file is already bound to another context's VM
 * EBUSY   the context already has a VM on this GPU, bound to another
 *         render file (whatever that file is bound to)
 * ENOSPC  no PASID is left, or the calling user (real uid) holds
 *         ``max_pasids_per_user`` of them and lacks ``CAP_SYS_RESOURCE``
 * ENOMEM  out of memory
 * ======  ==========================================================
 */

/**
 * DOC: errors of ALLOC_MEMORY_OF_GPU
 *
 * ==========  ======================================================
 * EINVAL      not exactly one domain; an unknown flag; ``size`` 0 or
 *             not a multiple of 4 KiB; ``va_addr`` (or a ``USERPTR``'s
 *             ``mmap_offset``) not 4 KiB aligned; ``va_addr + size``
 *             beyond 2^48 or overflowing; a ``DOORBELL`` or
 *             ``MMIO_REMAP`` of another size; ``gpu_id`` names no GPU
 *             or the context has no VM there
 * EOPNOTSUPP  ``USERPTR`` on a secondary context (checked before the
 *             other ``USERPTR`` rules and ``gpu_id``)
 * EFAULT      a ``USERPTR`` range is not in user space (its pages are
 *             only pinned at the first ``MAP``, which fails with EFAULT
 *             if they cannot be); the argument cannot be written back
 * EDQUOT      the buffer would take the context's VRAM or GTT bytes,
 *             or its buffers, above its limit (checked after every
 *             rule above)
 * ENOMEM      the GPU's VRAM budget is exhausted; a ``GTT`` or
 *             ``MMIO_REMAP`` buffer beyond the GPU's
 *             GTT budget (``gtt_mb``), or beyond the calling user's
 *             share of it (``gtt_user_percent``, without
 *             ``CAP_SYS_RESOURCE``); a ``USERPTR`` larger than the
 *             system's RAM; out of memory
 * ==========  ======================================================
 */

/**
 * DOC: errors of FREE_MEMORY_OF_GPU
 *
 * ======  ==========================================================
 * EINVAL  the handle is unknown to the context (another context's
 *         included)
 * ======  ==========================================================
 */

/**
 * DOC: errors of MAP_MEMORY_TO_GPU
 *
 * ======  ==========================================================
 * EINVAL  ``n_devices`` 0 or above 1024; ``n_success > n_devices``;
 *         the handle is unknown; a listed ``gpu_id`` names no GPU or
 *         the context has no VM there; the range overlaps another
 *         buffer's mapping in that VM (as amdgpu); a ``DOORBELL``
 *         buffer on another GPU than its own
 * EFAULT  the id array cannot be read; a ``USERPTR``'s pages cannot be
 *         pinned
 * EDQUOT  pinning a ``USERPTR``'s pages (its first mapping) would take
 *         the context's pinned ``USERPTR`` bytes above its limit
 * ENOMEM  pinning a ``USERPTR``'s pages would take the process's
 *         pinned memory (``VmPin``) beyond its ``RLIMIT_MEMLOCK``, and
 *         the caller lacks ``CAP_IPC_LOCK``; out of memory
 * ======  ==========================================================
 *
 * ``n_success`` tells how far a failed call got; amdkfd answers an
 * unknown handle with ENOMEM here.
 */

/**
 * DOC: errors of UNMAP_MEMORY_FROM_GPU
 *
 * ======  ==========================================================
 * EINVAL  as ``MAP_MEMORY_TO_GPU``, and the buffer is not mapped on a
 *         listed GPU
 * EFAULT  the id array cannot be read
 * ENOMEM  out of memory
 * ======  ==========================================================
 */

/**
 * DOC: errors of AVAILABLE_MEMORY
 *
 * ======  ==========================================================
 * EINVAL  ``gpu_id`` names no GPU; ``pad`` not 0
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_MEMORY_POLICY
 *
 * ======  ==========================================================
 * EINVAL  a policy other than ``KFD_IOC_CACHE_POLICY_COHERENT`` and
 *         ``_NONCOHERENT``; ``pad`` (``misc_process_flag``) not 0;
 *         ``gpu_id`` names no GPU
 * ESRCH   the context has no VM on the GPU (as amdkfd)
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_SCRATCH_BACKING_VA
 *
 * ======  ==========================================================
 * EINVAL  ``gpu_id`` names no GPU, or the context has no VM there;
 *         ``pad`` not 0
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_TRAP_HANDLER
 *
 * ======  ==========================================================
 * EINVAL  ``gpu_id`` names no GPU (as amdkfd); ``pad`` not 0 (amdkfd
 *         ignores it)
 * ESRCH   the context has no VM on the GPU (as amdkfd, whose binding
 *         to the GPU fails)
 * ======  ==========================================================
 *
 * The recorded pair stays as it was.
 */

/**
 * DOC: errors of GET_TILE_CONFIG
 *
 * ======  ==========================================================
 * EINVAL  ``gpu_id`` names no GPU
 * ======  ==========================================================
 */

/**
 * DOC: errors of CREATE_QUEUE
 *
 * ==========  ======================================================
 * EINVAL      ``queue_percentage`` above 100; ``queue_priority`` above
 *             15; ``ring_size`` neither 0 nor a power of two; (vkfd
 *             only) a ring not aligned to 256 bytes, a read or write
 *             pointer not aligned to 8; ``gpu_id`` names no GPU
 * EFAULT      the ring (of its counted size), a read or write pointer
 *             (8 bytes), the EOP buffer or context-save area (of their
 *             sizes, at least 4 bytes) not inside the 48-bit VM, or
 *             overflowing (amdkfd: not in user space)
 * 524         ``queue_type`` other than 0..3: amdkfd's kernel-internal
 *             ``ENOTSUPP``, kept for compatibility (``strerror()`` says
 *             "Unknown error 524")
 * ESRCH       the context has no VM on the GPU (amdkfd's answer for a
 *             GPU the process is not bound to)
 * EDQUOT      the context holds as many queues as its limit allows
 *             (checked after every rule above)
 * ENOSPC      the context has 1024 queues (amdkfd: ENOSPC at its
 *             hardware scheduler's limit, ENOMEM at 1024)
 * ENOMEM      out of memory
 * ==========  ======================================================
 *
 * Everything but ``gpu_id`` is checked before ``gpu_id``, in amdkfd's
 * order, so these answers are amdkfd's on a machine without GPU too.
 */

/**
 * DOC: errors of DESTROY_QUEUE
 *
 * ======  ==========================================================
 * EINVAL  ``pad`` not 0; the context has no queue with that id (as
 *         amdkfd)
 * ======  ==========================================================
 */

/**
 * DOC: errors of UPDATE_QUEUE
 *
 * ======  ==========================================================
 * EINVAL  the ring fields as ``CREATE_QUEUE`` (checked before the id)
 * EFAULT  the ring as ``CREATE_QUEUE``; the context has no queue with
 *         that id (amdkfd's answer)
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_CU_MASK
 *
 * As amdkfd's, in this order; more than 1024 bits are cut to 1024.
 *
 * ======  ==========================================================
 * EINVAL  ``num_cu_mask`` 0 or not a multiple of 32
 * EFAULT  the first ``min(num_cu_mask, 1024) / 8`` bytes at
 *         ``cu_mask_ptr`` cannot be read; the context has no queue
 *         with that id (amdkfd's answer)
 * ======  ==========================================================
 */

/**
 * DOC: errors of CREATE_EVENT
 *
 * ======  ==========================================================
 * EINVAL  ``event_type`` above 8 (amdkfd takes any number); a page
 *         handle while the context has a signal page; a handle that is
 *         not a ``GTT`` buffer of this context (unknown, freed, another
 *         context's, another domain) or is smaller than 32 KiB
 * EDQUOT  the context holds as many events as its limit allows
 *         (checked after ``event_type``, before the page handle)
 * ENOSPC  no signal slot is free, or no id of the other types
 * EFAULT  the argument cannot be written back (nothing is made)
 * ENOMEM  out of memory
 * ======  ==========================================================
 */

/**
 * DOC: errors of DESTROY_EVENT
 *
 * ======  ==========================================================
 * EINVAL  the context has no event with that id; ``pad`` not 0
 * ======  ==========================================================
 */

/**
 * DOC: errors of SET_EVENT and RESET_EVENT
 *
 * ======  ==========================================================
 * EINVAL  the context has no event with that id; an event of another
 *         type than signal (debug included); ``pad`` not 0
 * ======  ==========================================================
 */

/**
 * DOC: errors of WAIT_EVENTS
 *
 * ======  ==========================================================
 * EINVAL  an id the context has no event for; ``num_events`` above
 *         65536 (amdkfd has no bound and fails large counts with
 *         ENOMEM and a kernel warning); ``pad`` or
 *         ``kfd_event_data_ext`` of an entry not 0 (amdkfd ignores
 *         them); an event destroyed between the wait's completion and
 *         its end
 * EIO     an event was destroyed while waited on
 * EINTR   a signal whose handler was installed without ``SA_RESTART``
 *         (with it, the wait restarts), or a fatal signal
 * EFAULT  the array cannot be read, or a fault record cannot be written
 * ENOMEM  out of memory
 * ======  ==========================================================
 *
 * ``wait_result`` is ``KFD_IOC_WAIT_RESULT_FAIL`` with any error, and
 * the argument is copied back.
 */

/**
 * DOC: errors of mmap
 *
 * ``mmap()`` of ``/dev/kfd``; the offset's type picks the page.
 *
 * ======  ==========================================================
 * EBADF   the fd is used by a process other than its opener (amdkfd:
 *         EINVAL for the events page, which it looks up by the caller)
 * EINVAL  an unknown type; a ``gpu_id`` that names no GPU (amdkfd:
 *         ENODEV), or on which the context has no VM; an offset that
 *         is not exactly the cookie; ``MAP_PRIVATE``; doorbells: a
 *         length other than 8 KiB; MMIO: a length other than 4 KiB, or
 *         a kernel whose pages are not 4 KiB; events: no signal page
 *         yet, an adopted page (map that through the render node), or
 *         a length above 32 KiB
 * ENOMEM  out of memory
 * ======  ==========================================================
 */

#endif /* _UAPI_LINUX_VKFD_IOCTL_H */
