/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd_hooks.h - the selftests' view into vkfd: the test ioctl.
 *
 * A module built with VKFD_TEST=y (every module the harness builds) has
 * VKFD_IOC_TEST (<linux/vkfd_test.h>, unstable, for these tests only):
 * the state of any context, the contexts of a process, and where a GPU
 * address of a context's VM leads. These helpers issue it; compiled into
 * libvkfd_test.a (tests/lib/hooks.c).
 *
 * Each call opens the device (VKFD_DEV, else /dev/kfd) and closes it
 * again: a process that has no primary yet gets one, as from any open.
 * Every test that uses the hooks has one already.
 *
 * A module without the hooks answers ENOTTY, and the helpers return
 * -ENOTTY. Tests learn whether the hooks are there from
 * vkfd_hooks_present() (vkfd_debugfs_present() includes it) and skip
 * without them, with a reason no vkfd lane's skip file allows: a vkfd
 * lane without its hooks fails, only the amdkfd lane (AMD's driver,
 * which has none) skips.
 */
#ifndef VKFD_HOOKS_H
#define VKFD_HOOKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vkfd_test.h>

/*
 * VKFD_IOC_TEST on @fd: 0 or -errno; @cmd->size is the caller's (tests of
 * the ioctl's own checks set what they like).
 */
int _test_ioctl_vkfd_test(int fd, struct vkfd_test_cmd *cmd);

/* VKFD_IOC_TEST on a new fd of the device, @cmd->size filled in: 0 or -errno. */
int vkfd_hooks_cmd(struct vkfd_test_cmd *cmd);

/*
 * 0 if the device has the test hooks, -ENOTTY if it has not (a module
 * built without VKFD_TEST, or AMD's amdkfd), another -errno if it cannot
 * be asked (no device: -ENOENT; not root: -EPERM).
 */
int vkfd_hooks_probe(void);

/* vkfd_hooks_probe() == 0; says on stderr why not. */
bool vkfd_hooks_present(void);

/* What the test ioctl says of a context (VKFD_TEST_OP_CTX_QUERY). */
struct vkfd_ctx_row {
	bool exited;		/* the process's address space is gone */
	uint64_t refs;		/* of the caller's primary: with the fd the query opens */
	int num_pasids;		/* one per GPU, 0: no VM there */
	uint32_t pasids[VKFD_MAX_GPUS];
	uint64_t bos;		/* live buffer handles */
	uint64_t queues;	/* live queues */
	uint64_t vram;		/* bytes of VRAM allocated */
	uint64_t pt;		/* page-table bytes over the context's VMs */
	uint64_t events;	/* live events */
	uint64_t waiters;	/* waiters on them: one per event of each wait */
};

/*
 * Context @ctx_id (VKFD_CTX_ID_PRIMARY: the primary) of @pid into @row
 * (zeroed first). Returns 0, -ENOENT if there is none, or -errno.
 */
int vkfd_ctx_row(pid_t pid, uint32_t ctx_id, struct vkfd_ctx_row *row);

/*
 * Number of contexts of @pid (the primary and secondaries, exited ones
 * too), or -errno. @exited, if not NULL, gets how many have exited.
 */
int vkfd_ctx_count(pid_t pid, int *exited);

/* Number of contexts of @pid, or -errno. */
int vkfd_ctx_rows(pid_t pid);

/* Where a GPU address of a context leads (VKFD_TEST_OP_TRANSLATE). */
struct vkfd_xlate {
	uint64_t va;
	uint32_t pasid;
	bool mapped;
	uint64_t pte;
	uint64_t pfn;
	char perm[3];		/* "rw", "r-", ...; "" if not mapped */
	uint8_t data[16];	/* first bytes of the page */
	char text[256];		/* all of it in words, for test logs */
};

/*
 * Where @va of the VM on @gpu_id of context @ctx_id (VKFD_CTX_ID_PRIMARY:
 * the primary) of @pid leads, into @x (zeroed first). Returns 0, -ENOENT
 * if there is no such context, GPU or VM, or -errno.
 */
int vkfd_translate(pid_t pid, uint32_t ctx_id, uint32_t gpu_id, uint64_t va,
		   struct vkfd_xlate *x);

/*
 * Hold the mmap lock of process @pid for reading, as a page fault served
 * by user space would (VKFD_TEST_OP_MMAP_HOLD): blocks the caller until
 * vkfd_mmap_release(), a fatal signal or 30 s. Returns 0, -ETIMEDOUT,
 * -ENOENT (no such process) or -errno.
 */
int vkfd_mmap_hold(pid_t pid);

/* Let every vkfd_mmap_hold() return. 0 or -errno. */
int vkfd_mmap_release(void);

/* How many vkfd_mmap_hold() calls hold a lock now, or -errno. */
int vkfd_mmap_holders(void);

#endif /* VKFD_HOOKS_H */
