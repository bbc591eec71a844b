// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the ioctls of contexts: CREATE_PROCESS, CTX_INFO, and the modes
 * of a context vkfd does not offer (SVM, XNACK).
 */
#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

/*
 * AMDKFD_IOC_CREATE_PROCESS, build phase: a secondary context for the
 * fd of the primary @ctx, with its own id and directories (its GPU VMs,
 * with their PASIDs, come with AMDKFD_IOC_ACQUIRE_VM). @data is
 * &struct vkfd_ioctl_create_process_args, all zero when the caller used
 * upstream's argument-less encoding; the reply is the argument itself.
 *
 * Once published, the fd is bound to the secondary until closed. What the
 * primary holds stays with the primary: it is shared by all of the
 * process's primary fds, so "converting" an fd hands nothing over.
 *
 * Return: the secondary; -EINVAL if @flags or @pad is not 0, the fd is
 * bound to a secondary, or another thread converted it first or is
 * converting it; -ENOSPC if the primary has 65535 secondaries; -ENOMEM.
 */
static void *vkfd_ctx_build(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	struct vkfd_ioctl_create_process_args *args = data;

	if (args->flags || args->pad)
		return ERR_PTR(-EINVAL);
	/* No nesting: the id of a context never changes, no lock needed. */
	if (!vkfd_ctx_is_primary(ctx))
		return ERR_PTR(-EINVAL);
	return vkfd_ctx_build_secondary(vfile, ctx);
}

static void vkfd_ctx_publish(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *obj)
{
	vkfd_ctx_publish_secondary(vfile, obj);
}

static void vkfd_ctx_abort(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *obj)
{
	vkfd_ctx_abort_secondary(vfile, obj);
}

/*
 * AMDKFD_IOC_CREATE_PROCESS: the fd is rebound only once the reply is
 * written. Takes &vkfd_device.ctx_lock in each phase.
 */
const struct vkfd_create_ops vkfd_ctx_create_ops = {
	.build = vkfd_ctx_build,
	.publish = vkfd_ctx_publish,
	.abort = vkfd_ctx_abort,
};

static void vkfd_ctx_info_fill(const struct vkfd_ctx *ctx,
			       struct vkfd_ioctl_ctx_info *args)
{
	const struct vkfd_device *vdev = ctx->vdev;
	unsigned int i;

	args->ctx_id = ctx->id;
	args->num_gpus = vdev->num_gpus;
	for (i = 0; i < vdev->num_gpus; i++) {
		args->gpu_ids[i] = vdev->gpus[i]->gpu_id;
		args->pasids[i] = vkfd_ctx_pasid(ctx, i);
	}
}

/**
 * vkfd_ctx_info_ioctl() - VKFD_IOC_CTX_INFO
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct vkfd_ioctl_ctx_info
 *
 * Describes the fd's own context or, asked through the primary, one of
 * its secondaries: the primary is the owner of the family (the hypervisor,
 * say), a secondary (a guest program) sees nothing but itself.
 *
 * Context: Process context.
 * Return: 0; -EINVAL if @flags or @pad is not 0 or @ctx_id is neither
 * VKFD_CTX_ID_SELF nor a secondary id; -EPERM if a secondary asks about
 * another context; -ENOENT if the primary has no secondary with that id.
 */
int vkfd_ctx_info_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			void *data)
{
	struct vkfd_ioctl_ctx_info *args = data;
	struct vkfd_ctx *sec;

	if (args->flags || args->pad)
		return -EINVAL;
	if (args->ctx_id == VKFD_CTX_ID_SELF) {
		vkfd_ctx_info_fill(ctx, args);
		return 0;
	}
	if (args->ctx_id > VKFD_CTX_ID_MAX)
		return -EINVAL;
	if (!vkfd_ctx_is_primary(ctx))
		return -EPERM;

	sec = vkfd_ctx_lookup_secondary(ctx, args->ctx_id);
	if (!sec)
		return -ENOENT;
	vkfd_ctx_info_fill(sec, args);
	vkfd_ctx_put(sec);
	return 0;
}

/**
 * vkfd_set_xnack_mode_ioctl() - AMDKFD_IOC_SET_XNACK_MODE
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct kfd_ioctl_set_xnack_mode_args
 *
 * vkfd's gfx900 GPUs do not retry faulting accesses (no XNACK), so the
 * mode is always off: a negative value queries it (0), 0 keeps it.
 *
 * Context: Process context.
 * Return: 0, or -EPERM when asked to enable XNACK.
 */
int vkfd_set_xnack_mode_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data)
{
	struct kfd_ioctl_set_xnack_mode_args *args = data;

	if (args->xnack_enabled < 0) {
		args->xnack_enabled = 0;
		return 0;
	}
	return args->xnack_enabled ? -EPERM : 0;
}

/**
 * vkfd_svm_ioctl() - AMDKFD_IOC_SVM
 * @vfile: the file
 * @ctx: the caller's context, a primary (the table refuses secondaries)
 * @data: &struct kfd_ioctl_svm_args
 *
 * vkfd has no shared virtual memory: its GPUs translate only what
 * ALLOC/MAP put into their page tables, and do not retry faults. It
 * answers as amdkfd built without CONFIG_HSA_AMD_SVM (Debian's) does,
 * whatever the arguments; the topology's SVMAPISupported bit is clear.
 *
 * Context: Process context.
 * Return: -EPERM.
 */
int vkfd_svm_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx, void *data)
{
	return -EPERM;
}
