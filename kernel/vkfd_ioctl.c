// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the ioctl table and dispatcher.
 */

/**
 * DOC: ioctl dispatch
 *
 * As amdkfd: commands are indexed by _IOC_NR(); the table's own command
 * word, not the caller's, decides the copy direction and the kernel size.
 * The caller's _IOC_SIZE() is honoured: min(user, kernel) bytes are
 * copied in and out, a shorter user struct is zero-extended, and bytes
 * beyond the kernel struct are never touched, so userspace built against
 * an older or newer kfd_ioctl.h keeps working.
 *
 * Errors the dispatcher itself returns, in this order:
 *
 * - ENOTTY: the type is not 'K', or vkfd knows no command with that
 *   number (amdkfd answers numbers beyond its table with ENOTTY as well);
 * - EBADF: the fd is used by a process other than the one that opened it
 *   (fork child, SCM_RIGHTS receiver) or after exec(); nothing is done;
 * - EOPNOTSUPP: the command is for primary contexts only
 *   (%VKFD_IOCTL_PRIMARY_ONLY) and the fd is bound to a secondary;
 * - ENOTTY: vkfd knows the command but does not implement it;
 * - EFAULT: the argument cannot be copied in or out. A command that
 *   creates something whose reply cannot be written has made nothing
 *   (see "object lifecycle" below).
 *
 * Which commands a secondary context may not use is declared once, here,
 * in the table: SVM and the debugger (upstream's rule: only the primary's
 * lifetime follows the program, and a guest program must not borrow the
 * hypervisor's ptrace rights), and CRIU (checkpointing knows nothing of
 * secondaries).
 */

/**
 * DOC: object lifecycle
 *
 * Every ioctl that creates an object the caller names by what the reply
 * says - a buffer (ALLOC_MEMORY_OF_GPU, of every kind), a queue
 * (CREATE_QUEUE), an event (CREATE_EVENT), a secondary context
 * (CREATE_PROCESS) - has a &struct vkfd_create_ops instead of a plain
 * handler, and the dispatcher runs it in two phases:
 *
 * 1. @build checks the argument, reserves an id that no lookup can see
 *    (an xarray slot holding nothing, or a claim under a lock), builds
 *    the object completely and fills the reply. It fails as a plain
 *    handler does: nothing changed.
 * 2. The dispatcher writes the reply to the caller.
 * 3. If the reply was written, @publish makes the object visible under
 *    its id; it cannot fail. If it was not (EFAULT), @abort undoes @build:
 *    the object is freed with what it holds (memory, VRAM charge,
 *    directories) and its id is free again, so the next creation gets
 *    the id this one would have had.
 *
 * Until @publish, a caller that guesses the id (another thread of the
 * process, say) finds nothing: destroying, using or describing it fails
 * as for an id never given out. The context cannot go away meanwhile:
 * the caller is in an ioctl of it (see vkfd_file_ctx()). The reply is
 * written with no vkfd lock held, so that a fault on it, however long it
 * takes to resolve (userfaultfd), blocks nobody but the caller.
 *
 * ACQUIRE_VM creates a VM too, but its argument is only read: there is
 * no reply that could fail, and its handler makes the VM visible itself.
 */
#include <kunit/visibility.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>
#include <linux/vkfd_test.h>

#include "vkfd_event.h"
#include "vkfd_gpu.h"
#include "vkfd_limits.h"
#include "vkfd_mem.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_test_ioctl.h"
#include "vkfd_vm.h"

/**
 * typedef vkfd_ioctl_fn - an ioctl handler
 * @vfile: the file the ioctl was issued on
 * @ctx: the context the file is bound to; not referenced, but alive for
 *	the call (see vkfd_file_ctx())
 * @data: the argument, in kernel memory, of the table's size
 */
typedef int vkfd_ioctl_fn(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data);

/* The command is refused on secondary contexts with -EOPNOTSUPP. */
#define VKFD_IOCTL_PRIMARY_ONLY		BIT(0)
/* The command is known, so that its policy applies, but not implemented. */
#define VKFD_IOCTL_UNIMPLEMENTED	BIT(1)

/**
 * struct vkfd_ioctl_desc - one entry of the ioctl table
 * @cmd: the command word
 * @fn: the handler of a command that creates nothing its reply names;
 *	NULL for a creating, unknown or unimplemented command
 * @create: the phases of a command that creates an object (see "object
 *	lifecycle"); NULL for the others
 * @flags: %VKFD_IOCTL_PRIMARY_ONLY, %VKFD_IOCTL_UNIMPLEMENTED
 */
struct vkfd_ioctl_desc {
	unsigned int cmd;
	vkfd_ioctl_fn *fn;
	const struct vkfd_create_ops *create;
	unsigned int flags;
};

/* The command word is _pfx##_name, e.g. AMDKFD_IOC_ ## GET_VERSION. */
#define VKFD_IOCTL_DEF(_pfx, _name, _fn, _flags)			\
	[_IOC_NR(_pfx##_name)] = { .cmd = _pfx##_name, .fn = (_fn),	\
				   .flags = (_flags) }

/* A command that creates an object: built, replied, then published. */
#define VKFD_IOCTL_CREATE(_pfx, _name, _ops, _flags)			\
	[_IOC_NR(_pfx##_name)] = { .cmd = _pfx##_name, .create = (_ops), \
				   .flags = (_flags) }

/* Known only by number, without a handler: never copies an argument. */
#define VKFD_IOCTL_NR(_nr, _flags)					\
	[_nr] = { .flags = (_flags) | VKFD_IOCTL_UNIMPLEMENTED }

static const struct vkfd_ioctl_desc vkfd_ioctls[] = {
	VKFD_IOCTL_DEF(AMDKFD_IOC_, GET_VERSION, vkfd_get_version_ioctl, 0),
	VKFD_IOCTL_CREATE(AMDKFD_IOC_, CREATE_QUEUE, &vkfd_queue_create_ops,
			  0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, DESTROY_QUEUE, vkfd_destroy_queue_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_MEMORY_POLICY,
		       vkfd_set_memory_policy_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, GET_CLOCK_COUNTERS,
		       vkfd_get_clock_counters_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, GET_PROCESS_APERTURES,
		       vkfd_get_apertures_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, UPDATE_QUEUE, vkfd_update_queue_ioctl, 0),
	VKFD_IOCTL_CREATE(AMDKFD_IOC_, CREATE_EVENT, &vkfd_event_create_ops,
			  0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, DESTROY_EVENT, vkfd_destroy_event_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_EVENT, vkfd_set_event_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, RESET_EVENT, vkfd_reset_event_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, WAIT_EVENTS, vkfd_wait_events_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_SCRATCH_BACKING_VA,
		       vkfd_set_scratch_backing_va_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, GET_TILE_CONFIG,
		       vkfd_get_tile_config_ioctl, 0),
	/* Recorded per context and GPU: allowed on secondaries. */
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_TRAP_HANDLER,
		       vkfd_set_trap_handler_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, GET_PROCESS_APERTURES_NEW,
		       vkfd_get_apertures_new_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, ACQUIRE_VM, vkfd_acquire_vm_ioctl, 0),
	/* USERPTR, primary-only, is a flag: checked by the handler. */
	VKFD_IOCTL_CREATE(AMDKFD_IOC_, ALLOC_MEMORY_OF_GPU,
			  &vkfd_mem_create_ops, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, FREE_MEMORY_OF_GPU,
		       vkfd_free_memory_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, MAP_MEMORY_TO_GPU,
		       vkfd_map_memory_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, UNMAP_MEMORY_FROM_GPU,
		       vkfd_unmap_memory_ioctl, 0),
	/* No SVM: EPERM, as amdkfd without CONFIG_HSA_AMD_SVM. */
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SVM, vkfd_svm_ioctl,
		       VKFD_IOCTL_PRIMARY_ONLY),
	/* XNACK is off for every context of vkfd: allowed everywhere. */
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_XNACK_MODE,
		       vkfd_set_xnack_mode_ioctl, 0),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, SET_CU_MASK, vkfd_set_cu_mask_ioctl, 0),
	VKFD_IOCTL_NR(_IOC_NR(AMDKFD_IOC_CRIU_OP), VKFD_IOCTL_PRIMARY_ONLY),
	VKFD_IOCTL_DEF(AMDKFD_IOC_, AVAILABLE_MEMORY,
		       vkfd_available_memory_ioctl, 0),
	/* Runtime enable is per context upstream: no restriction. */
	VKFD_IOCTL_NR(VKFD_IOC_NR_RUNTIME_ENABLE, 0),
	VKFD_IOCTL_NR(VKFD_IOC_NR_DBG_TRAP, VKFD_IOCTL_PRIMARY_ONLY),
	VKFD_IOCTL_CREATE(VKFD_IOC_, CREATE_PROCESS_ROCM,
			  &vkfd_ctx_create_ops, 0),
	VKFD_IOCTL_DEF(VKFD_IOC_, CTX_INFO, vkfd_ctx_info_ioctl, 0),
	/* A secondary may read its own limits: the handler says what else. */
	VKFD_IOCTL_DEF(VKFD_IOC_, CTX_LIMITS, vkfd_ctx_limits_ioctl, 0),
#ifdef CONFIG_VKFD_TEST
	/* The test hooks, built with VKFD_TEST=y only: ENOTTY otherwise. */
	VKFD_IOCTL_DEF(VKFD_IOC_, TEST, vkfd_test_ioctl, 0),
#endif
};

/* Argument sizes up to this are copied through the stack. */
#define VKFD_IOCTL_STACK_SIZE	128

/**
 * vkfd_file_ctx() - the context of an fd, if the caller may use it
 * @vfile: the fd's state
 *
 * No reference is taken: once the caller is known to own the context, the
 * context cannot go away during the call. A secondary stays bound to its
 * fd until the fd is released, which cannot happen while the fd is in an
 * ioctl. A primary may be swapped out of the fd by a concurrent
 * CREATE_PROCESS, but its MMU notifier holds it for as long as its address
 * space lives, and the caller runs in that address space. The check
 * itself runs under RCU, which contexts are freed after.
 *
 * Context: Process context, in an ioctl or mmap of the fd.
 * Return: the context, or NULL if the caller may not use it.
 */
struct vkfd_ctx *vkfd_file_ctx(struct vkfd_file *vfile)
{
	struct vkfd_ctx *ctx;

	rcu_read_lock();
	ctx = rcu_dereference(vfile->ctx);
	if (!vkfd_ctx_owned_by_current(ctx))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_file_ctx);

/**
 * vkfd_ioctl() - the unlocked_ioctl of /dev/kfd
 * @filp: the file
 * @cmd: the command word
 * @arg: the user pointer to the argument
 *
 * Context: Process context.
 * Return: 0, a handler's negative errno, or a dispatcher errno (see
 * "ioctl dispatch" above).
 */
long vkfd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vkfd_file *vfile = filp->private_data;
	void __user *uarg = (void __user *)arg;
	const struct vkfd_ioctl_desc *desc;
	u8 stack_data[VKFD_IOCTL_STACK_SIZE] __aligned(8);
	unsigned int nr = _IOC_NR(cmd);
	unsigned int ksize, csize;
	struct vkfd_ctx *ctx;
	void *data = stack_data;
	void *obj = NULL;
	long ret;

	if (_IOC_TYPE(cmd) != AMDKFD_IOCTL_BASE ||
	    nr >= ARRAY_SIZE(vkfd_ioctls))
		return -ENOTTY;
	desc = &vkfd_ioctls[nr];
	if (!desc->fn && !desc->create && !desc->flags)
		return -ENOTTY;

	ctx = vkfd_file_ctx(vfile);
	if (!ctx)
		return -EBADF;
	if ((desc->flags & VKFD_IOCTL_PRIMARY_ONLY) &&
	    !vkfd_ctx_is_primary(ctx))
		return -EOPNOTSUPP;
	if (desc->flags & VKFD_IOCTL_UNIMPLEMENTED)
		return -ENOTTY;

	ksize = _IOC_SIZE(desc->cmd);
	csize = min(_IOC_SIZE(cmd), ksize);
	if (ksize > sizeof(stack_data)) {
		data = kmalloc(ksize, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
	}

	if (desc->cmd & IOC_IN) {
		if (copy_from_user(data, uarg, csize)) {
			ret = -EFAULT;
			goto out_free;
		}
		memset(data + csize, 0, ksize - csize);
	} else {
		memset(data, 0, ksize);
	}

	if (desc->create) {
		obj = desc->create->build(vfile, ctx, data);
		ret = PTR_ERR_OR_ZERO(obj);
	} else {
		ret = desc->fn(vfile, ctx, data);
	}

	/*
	 * Output goes back on success; on failure only for read-write
	 * commands, whose buffer still holds the caller's own input plus
	 * whatever the handler reports with the error.
	 */
	if ((desc->cmd & IOC_OUT) && (!ret || (desc->cmd & IOC_IN)) &&
	    copy_to_user(uarg, data, csize))
		ret = -EFAULT;

	/* A built object: the caller knows its id, or it never existed. */
	if (!IS_ERR_OR_NULL(obj)) {
		if (ret)
			desc->create->abort(vfile, ctx, obj);
		else
			desc->create->publish(vfile, ctx, obj);
	}

out_free:
	if (data != stack_data)
		kfree(data);
	return ret;
}
