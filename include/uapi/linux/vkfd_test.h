/* SPDX-License-Identifier: GPL-2.0 OR MIT WITH Linux-syscall-note */
/*
 * vkfd - the test-only ioctl of /dev/kfd.
 *
 * NOT A STABLE uAPI. This header describes an ioctl that exists only in a
 * module built with VKFD_TEST=y (kernel/Kbuild), for vkfd's own selftests,
 * as iommufd_test.h describes iommufd's mock ioctl for its selftests. Its
 * numbers and structures change with the tests that use it, without
 * notice and without compatibility. Nothing but tests/ may use it; a
 * module built without VKFD_TEST answers VKFD_IOC_TEST with ENOTTY, as
 * any ioctl it does not know.
 */
#ifndef _UAPI_LINUX_VKFD_TEST_H
#define _UAPI_LINUX_VKFD_TEST_H

#include <linux/types.h>
#include <linux/vkfd_ioctl.h>

/**
 * DOC: test ioctl
 *
 * ``VKFD_IOC_TEST`` lets the selftests look at what userspace cannot see
 * through the KFD uAPI: the state of any context, and where a GPU address
 * of a context's VM leads in its page table. One command word carries
 * &struct vkfd_test_cmd, whose @op selects the member of its union.
 *
 * A context is named as the process that made it names it: by the pid of
 * its process (its thread-group id in the initial pid namespace) and its
 * id (``VKFD_CTX_ID_PRIMARY`` for the primary, else the secondary's id,
 * as ``VKFD_IOC_CTX_INFO`` reports it). The contexts of every process are
 * visible, exited ones too, so only a caller with ``CAP_SYS_ADMIN`` may
 * use the ioctl: a page's bytes are another process's memory.
 *
 * The ioctl may be issued on any fd of /dev/kfd the caller may use (a
 * primary's or a secondary's); the fd's own context plays no part.
 *
 * Errors, in this order:
 *
 * - ENOTTY: the module was built without ``VKFD_TEST``;
 * - EBADF: the fd belongs to another process (as for every vkfd ioctl);
 * - EFAULT: the argument cannot be copied in or out;
 * - EPERM: the caller lacks ``CAP_SYS_ADMIN``;
 * - EINVAL: @size is not sizeof(struct vkfd_test_cmd), or @flags or
 *   @pad is not 0;
 * - EOPNOTSUPP: @op is none of ``VKFD_TEST_OP_*``;
 * - EINVAL: an input field of the op is out of range or a pad of it is
 *   not 0 (each op says which);
 * - ENOENT: no such context, GPU or VM (each op says which).
 *
 * A failed call changes nothing, the output fields included: on failure
 * the argument is written back as the caller passed it.
 */

/* The last of vkfd's own numbers (see VKFD_IOC_NR_BASE). */
#define VKFD_IOC_NR_TEST		0xff

/**
 * enum vkfd_test_op - the operations of VKFD_IOC_TEST
 * @VKFD_TEST_OP_CTX_QUERY: the state of one context, &struct vkfd_test_ctx_query
 * @VKFD_TEST_OP_CTX_COUNT: how many contexts a process has, &struct vkfd_test_ctx_count
 * @VKFD_TEST_OP_TRANSLATE: walk a context's GPU page table, &struct vkfd_test_translate
 * @VKFD_TEST_OP_MMAP_HOLD: hold a process's mmap lock until released,
 *	&struct vkfd_test_mmap_hold
 * @VKFD_TEST_OP_MMAP_RELEASE: release every MMAP_HOLD, no argument
 * @VKFD_TEST_OP_MMAP_HOLDERS: how many MMAP_HOLD calls hold a lock now,
 *	&struct vkfd_test_mmap_hold
 * @VKFD_TEST_OP_SDMA_QUERY: what the SDMA engines do with a context's
 *	queues, &struct vkfd_test_sdma_query
 */
enum vkfd_test_op {
	VKFD_TEST_OP_CTX_QUERY = 1,
	VKFD_TEST_OP_CTX_COUNT,
	VKFD_TEST_OP_TRANSLATE,
	VKFD_TEST_OP_MMAP_HOLD,
	VKFD_TEST_OP_MMAP_RELEASE,
	VKFD_TEST_OP_MMAP_HOLDERS,
	VKFD_TEST_OP_SDMA_QUERY,
};

/* vkfd_test_ctx_query.flags: the context's process has exited. */
#define VKFD_TEST_CTX_EXITED		(1U << 0)

/**
 * struct vkfd_test_ctx_query - VKFD_TEST_OP_CTX_QUERY
 * @pid: the context's process (to VKFD), > 0, else EINVAL
 * @ctx_id: the context (to VKFD): VKFD_CTX_ID_PRIMARY or a secondary's
 *	id; above VKFD_CTX_ID_PRIMARY: EINVAL. No such context: ENOENT.
 * @flags: VKFD_TEST_CTX_EXITED once the process's address space is gone
 *	and only fds held elsewhere keep the context (from VKFD)
 * @refs: references to the context (from VKFD)
 * @num_gpus: number of valid entries of @pasids (from VKFD)
 * @nr_bos: buffer handles of the context (from VKFD)
 * @nr_queues: queues of the context (from VKFD)
 * @nr_events: events of the context (from VKFD)
 * @pasids: the PASID of the context's VM on each GPU, in the topology's
 *	order; 0 where it has no VM (from VKFD)
 * @vram: bytes of VRAM the context's buffers hold (from VKFD)
 * @pt: bytes of page tables of the context's VMs (from VKFD)
 * @nr_waiters: waiters on the context's events: one per distinct event
 *	of each WAIT_EVENTS in progress (from VKFD)
 */
struct vkfd_test_ctx_query {
	__s32 pid;
	__u32 ctx_id;
	__u32 flags;
	__u32 refs;
	__u32 num_gpus;
	__u32 nr_bos;
	__u32 nr_queues;
	__u32 nr_events;
	__u32 pasids[VKFD_MAX_GPUS];
	__u64 vram;
	__u64 pt;
	__u64 nr_waiters;
};

/**
 * struct vkfd_test_ctx_count - VKFD_TEST_OP_CTX_COUNT
 * @pid: the process (to VKFD), > 0, else EINVAL. A process without
 *	contexts is no error: both counts are 0.
 * @contexts: contexts of @pid, its primary included, exited ones too
 *	(from VKFD)
 * @exited: how many of them have VKFD_TEST_CTX_EXITED (from VKFD)
 * @pad: must be 0 (to VKFD), else EINVAL
 */
struct vkfd_test_ctx_count {
	__s32 pid;
	__u32 contexts;
	__u32 exited;
	__u32 pad;
};

/* vkfd_test_translate.flags: what the PTE of the page says. */
#define VKFD_TEST_PTE_PRESENT		(1U << 0)
#define VKFD_TEST_PTE_READABLE		(1U << 1)
#define VKFD_TEST_PTE_WRITEABLE		(1U << 2)

/**
 * struct vkfd_test_translate - VKFD_TEST_OP_TRANSLATE
 * @pid: the context's process (to VKFD), > 0, else EINVAL
 * @ctx_id: the context (to VKFD), as in &struct vkfd_test_ctx_query
 * @gpu_id: the GPU (to VKFD); no such GPU, or the context has no VM on
 *	it: ENOENT
 * @flags: VKFD_TEST_PTE_* (from VKFD); 0 if @va is not mapped
 * @va: the GPU address (to VKFD); any value, unaligned too
 * @pasid: the PASID of the VM (from VKFD)
 * @pad: must be 0 (to VKFD), else EINVAL
 * @pte: the page-table entry of @va's page, 0 if not mapped (from VKFD)
 * @pfn: the physical page @va leads to, 0 if not mapped (from VKFD)
 * @data: the 16 bytes at @va rounded down to a multiple of 16, read
 *	through the page table; zero if not mapped (from VKFD)
 */
struct vkfd_test_translate {
	__s32 pid;
	__u32 ctx_id;
	__u32 gpu_id;
	__u32 flags;
	__u64 va;
	__u32 pasid;
	__u32 pad;
	__u64 pte;
	__u64 pfn;
	__u8 data[16];
};

/**
 * struct vkfd_test_mmap_hold - VKFD_TEST_OP_MMAP_HOLD, _HOLDERS
 * @pid: MMAP_HOLD: the process whose mmap lock to hold for reading (to
 *	VKFD), > 0, else EINVAL; no such process or address space: ENOENT.
 *	MMAP_HOLDERS: must be 0 (to VKFD), else EINVAL
 * @holders: MMAP_HOLD: must be 0 (to VKFD), else EINVAL. MMAP_HOLDERS:
 *	how many MMAP_HOLD calls hold a lock now (from VKFD)
 *
 * The call takes the lock, then sleeps until a VKFD_TEST_OP_MMAP_RELEASE
 * (0), a fatal signal (EINTR) or 30 seconds (ETIMEDOUT), and drops it:
 * it stands for a page fault that user space serves (FUSE), during which
 * the kernel holds the faulting process's mmap lock, which the lanes'
 * kernels cannot otherwise show (userfaultfd drops the lock while it
 * waits).
 */
struct vkfd_test_mmap_hold {
	__s32 pid;
	__u32 holders;
};

/**
 * struct vkfd_test_sdma_query - VKFD_TEST_OP_SDMA_QUERY
 * @pid: the context's process (to VKFD), > 0, else EINVAL
 * @ctx_id: the context (to VKFD), as in &struct vkfd_test_ctx_query
 * @groups: of the context's doorbell slices, on all GPUs, how many have
 *	queues started on an engine: one per slice and engine (from VKFD)
 * @ready: how many of @groups are on their engine's ready list (from
 *	VKFD): 0 once every engine has armed them
 * @visits: times the engines looked at the context's queues, added up
 *	(from VKFD)
 * @slice_traps: the most TRAP packets one slice of one of the context's
 *	queues executed, since the queue was created (from VKFD); the engine
 *	ends a slice after VKFD_SDMA_SLICE_TRAPS (32) of them
 * @max_wait: the most slices an engine served other contexts' queues
 *	between two turns of one of the context's groups on its ready list,
 *	since the group was made (from VKFD): with a slice per ready group
 *	a round, at most the other groups ready on that engine (plus one,
 *	for a group that became ready in the middle of a round)
 */
struct vkfd_test_sdma_query {
	__s32 pid;
	__u32 ctx_id;
	__u32 groups;
	__u32 ready;
	__u64 visits;
	__u32 slice_traps;
	__u32 max_wait;
};

/**
 * struct vkfd_test_cmd - the argument of VKFD_IOC_TEST
 * @size: sizeof(struct vkfd_test_cmd) (to VKFD), else EINVAL
 * @op: a &enum vkfd_test_op (to VKFD), else EOPNOTSUPP
 * @flags: must be 0 (to VKFD), else EINVAL
 * @pad: must be 0 (to VKFD), else EINVAL
 * @ctx_query: VKFD_TEST_OP_CTX_QUERY
 * @ctx_count: VKFD_TEST_OP_CTX_COUNT
 * @translate: VKFD_TEST_OP_TRANSLATE
 * @mmap_hold: VKFD_TEST_OP_MMAP_HOLD
 * @sdma_query: VKFD_TEST_OP_SDMA_QUERY
 */
struct vkfd_test_cmd {
	__u32 size;
	__u32 op;
	__u32 flags;
	__u32 pad;
	union {
		struct vkfd_test_ctx_query ctx_query;
		struct vkfd_test_ctx_count ctx_count;
		struct vkfd_test_translate translate;
		struct vkfd_test_mmap_hold mmap_hold;
		struct vkfd_test_sdma_query sdma_query;
	};
};

#define VKFD_IOC_TEST	AMDKFD_IOWR(VKFD_IOC_NR_TEST, struct vkfd_test_cmd)

#endif /* _UAPI_LINUX_VKFD_TEST_H */
