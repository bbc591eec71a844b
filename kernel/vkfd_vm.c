// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - GPU VMs: one per context and GPU.
 */

/**
 * DOC: GPU VMs
 *
 * AMDKFD_IOC_ACQUIRE_VM makes a context's VM on a GPU and binds it to a
 * file of that GPU's render node, as amdkfd borrows the amdgpu VM of a
 * render file. The VM gets its PASID here, not when the context is made
 * (Linux 7.0 has a KFD context use the PASID of the VM it acquires), so
 * contexts that never touch a GPU hold none of the 65535 PASIDs.
 *
 * A VM lives as long as its context. It holds a reference on its render
 * file, so closing the render fd ends nothing; the render file can carry
 * another VM once this one is gone.
 *
 * The page tables (vkfd_pt.c) are changed and read under the context's
 * &vkfd_ctx.mem_lock.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/kfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_user.h"
#include "vkfd_vm.h"

/* Make the VM of @ctx on @gpu, bound to @render. */
static struct vkfd_vm *vkfd_vm_create(struct vkfd_ctx *ctx,
				      struct vkfd_gpu *gpu,
				      struct file *render,
				      struct drm_file *drm_file)
{
	struct vkfd_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->ctx = ctx;
	vm->gpu = gpu;
	vm->default_policy = KFD_IOC_CACHE_POLICY_NONCOHERENT;
	vm->alt_policy = KFD_IOC_CACHE_POLICY_NONCOHERENT;

	/* One user may not take every PASID: charged first. */
	vm->user = vkfd_user_get();
	if (!vm->user) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = vkfd_user_charge_pasid(vm->user);
	if (ret)
		goto err_free;
	ret = vkfd_pasid_alloc(&vm->pasid);
	if (ret)
		goto err_uncharge;
	ret = vkfd_pt_init(&vm->pt);
	if (ret)
		goto err_free_pasid;
	ret = vkfd_drm_bind(drm_file, vm);
	if (ret)
		goto err_pt_fini;
	vm->render = get_file(render);
	vm->drm_file = drm_file;
	vkfd_pasid_publish(vm->pasid, vm);
	return vm;

err_pt_fini:
	vkfd_pt_fini(&vm->pt);
err_free_pasid:
	vkfd_pasid_free(vm->pasid);
err_uncharge:
	vkfd_user_uncharge_pasid(vm->user);
err_free:
	kfree(vm);
	return ERR_PTR(ret);
}

/**
 * vkfd_vm_destroy() - free a VM
 * @vm: the VM; its context is being destroyed and has no buffer left
 *
 * Context: Process context.
 */
void vkfd_vm_destroy(struct vkfd_vm *vm)
{
	vkfd_pasid_unpublish(vm->pasid);
	vkfd_doorbell_free(vm);
	vkfd_pt_fini(&vm->pt);
	vkfd_drm_unbind(vm->drm_file, vm);
	/*
	 * The render file holds the module. From a process, fput() closes
	 * it before returning to user space; from a kernel thread (the
	 * delayed close of a secondary's fd) it would be left to yet another
	 * delayed work, and unloading vkfd right after the last user is gone
	 * could fail: close it now.
	 */
	if (current->flags & PF_KTHREAD)
		__fput_sync(vm->render);
	else
		fput(vm->render);
	/* Nothing can name the VM any more: its PASID may be reused. */
	vkfd_pasid_free(vm->pasid);
	vkfd_user_uncharge_pasid(vm->user);
	kfree(vm);
}

/**
 * vkfd_acquire_vm_ioctl() - AMDKFD_IOC_ACQUIRE_VM
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_acquire_vm_args
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for an unknown GPU, a file that is not a render
 * node of that GPU, or one bound to another VM; -EBUSY if the context
 * has a VM on the GPU bound to another file; -ENOSPC without PASIDs, or
 * if the calling user holds ``max_pasids_per_user`` of them (vkfd_user.c);
 * -ENOMEM.
 */
int vkfd_acquire_vm_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data)
{
	struct kfd_ioctl_acquire_vm_args *args = data;
	struct drm_file *drm_file;
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;
	struct file *render;
	int ret;

	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu)
		return -EINVAL;
	/* As amdkfd: a bad fd is an invalid argument, not EBADF. */
	render = fget(args->drm_fd);
	if (!render)
		return -EINVAL;
	drm_file = vkfd_drm_render_file(gpu, render);
	if (!drm_file) {
		ret = -EINVAL;
		goto out_fput;
	}

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm) {
		/* Acquiring the same file again is a no-op, as in amdkfd. */
		ret = vm->render == render ? 0 : -EBUSY;
		mutex_unlock(&ctx->mem_lock);
		goto out_fput;
	}
	vm = vkfd_vm_create(ctx, gpu, render, drm_file);
	if (IS_ERR(vm)) {
		ret = PTR_ERR(vm);
		mutex_unlock(&ctx->mem_lock);
		goto out_fput;
	}
	/* Initialised first: lockless readers use vkfd_ctx_vm(). */
	smp_store_release(&ctx->vm[gpu->index], vm);
	mutex_unlock(&ctx->mem_lock);

	vkfd_debugfs_vm_add(vm);
	vkfd_ctx_sysfs_vm_add(vm);
	ret = 0;
out_fput:
	fput(render);
	return ret;
}

/**
 * DOC: trap handler
 *
 * ROCr installs a trap handler on every GPU it opens
 * (AMDKFD_IOC_SET_TRAP_HANDLER through libhsakmt's hsaKmtSetTrapHandler())
 * and asserts that this succeeds. On a real GPU the two addresses, the
 * trap base address (TBA, the handler's code) and the trap memory address
 * (TMA, its data), go into the wave state of the process's compute
 * queues, or into the first-level TMA of amdkfd's own CWSR trap handler,
 * which jumps to the user's. Both are GPU virtual addresses in the
 * context's VM on that GPU.
 *
 * vkfd runs no shaders, so nothing ever executes a trap handler: the
 * addresses are validated as amdkfd validates them (not at all: any value,
 * 0 included, is accepted), recorded per context and GPU, replaced by a
 * later call, shown in debugfs (trap_<gpuid>) and forgotten with the VM,
 * that is with the context.
 */

/*
 * What SET_MEMORY_POLICY, SET_SCRATCH_BACKING_VA and SET_TRAP_HANDLER
 * share: @record writes @args into the VM of @ctx on the GPU @gpu_id,
 * under &vkfd_ctx.mem_lock (sysfs and debugfs read the values without it,
 * hence WRITE_ONCE() there). Returns -EINVAL for an unknown GPU and
 * @no_vm if the context has no VM on it; nothing changes then.
 */
static int vkfd_vm_record(struct vkfd_ctx *ctx, u32 gpu_id,
			  void (*record)(struct vkfd_vm *vm, const void *args),
			  const void *args, int no_vm)
{
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;

	gpu = vkfd_gpu_by_id(ctx->vdev, gpu_id);
	if (!gpu)
		return -EINVAL;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm)
		record(vm, args);
	mutex_unlock(&ctx->mem_lock);
	return vm ? 0 : no_vm;
}

static bool vkfd_cache_policy_valid(u32 policy)
{
	return policy == KFD_IOC_CACHE_POLICY_COHERENT ||
	       policy == KFD_IOC_CACHE_POLICY_NONCOHERENT;
}

static void vkfd_vm_record_policy(struct vkfd_vm *vm, const void *data)
{
	const struct kfd_ioctl_set_memory_policy_args *args = data;

	WRITE_ONCE(vm->default_policy, args->default_policy);
	WRITE_ONCE(vm->alt_policy, args->alternate_policy);
}

/**
 * vkfd_set_memory_policy_ioctl() - AMDKFD_IOC_SET_MEMORY_POLICY
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_memory_policy_args
 *
 * The software GPU is cache coherent: the policies are only recorded.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for a bad policy, an unknown GPU or a non-zero pad
 * (misc_process_flag in newer headers);
 * -ESRCH if the context has no VM on the GPU (as amdkfd).
 */
int vkfd_set_memory_policy_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_set_memory_policy_args *args = data;

	if (!vkfd_cache_policy_valid(args->default_policy) ||
	    !vkfd_cache_policy_valid(args->alternate_policy) ||
	    args->VKFD_MEMORY_POLICY_PAD)
		return -EINVAL;
	return vkfd_vm_record(ctx, args->gpu_id, vkfd_vm_record_policy, args,
			      -ESRCH);
}

static void vkfd_vm_record_scratch(struct vkfd_vm *vm, const void *data)
{
	const struct kfd_ioctl_set_scratch_backing_va_args *args = data;

	WRITE_ONCE(vm->scratch_va, args->va_addr);
}

/**
 * vkfd_set_scratch_backing_va_ioctl() - AMDKFD_IOC_SET_SCRATCH_BACKING_VA
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_scratch_backing_va_args
 *
 * Recorded for the VM; no engine uses scratch memory yet.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0, or -EINVAL for an unknown GPU, a GPU without VM or a
 * non-zero pad.
 */
int vkfd_set_scratch_backing_va_ioctl(struct vkfd_file *vfile,
				      struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_set_scratch_backing_va_args *args = data;

	if (args->pad)
		return -EINVAL;
	return vkfd_vm_record(ctx, args->gpu_id, vkfd_vm_record_scratch, args,
			      -EINVAL);
}

static void vkfd_vm_record_trap(struct vkfd_vm *vm, const void *data)
{
	const struct kfd_ioctl_set_trap_handler_args *args = data;

	WRITE_ONCE(vm->tba, args->tba_addr);
	WRITE_ONCE(vm->tma, args->tma_addr);
}

/**
 * vkfd_set_trap_handler_ioctl() - AMDKFD_IOC_SET_TRAP_HANDLER
 * @vfile: the fd
 * @ctx: its context, primary or secondary
 * @data: struct kfd_ioctl_set_trap_handler_args
 *
 * As amdkfd, which binds the process to the GPU first: the context must
 * have its VM on the GPU (AMDKFD_IOC_ACQUIRE_VM), as for
 * SET_MEMORY_POLICY.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for an unknown GPU or a non-zero pad (amdkfd ignores
 * pad); -ESRCH if the context has no VM on the GPU (as amdkfd). Nothing
 * changes on failure.
 */
int vkfd_set_trap_handler_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
				void *data)
{
	struct kfd_ioctl_set_trap_handler_args *args = data;

	if (args->pad)
		return -EINVAL;
	return vkfd_vm_record(ctx, args->gpu_id, vkfd_vm_record_trap, args,
			      -ESRCH);
}

/**
 * vkfd_trap_show() - print the trap handler of a VM, for debugfs
 * @m: the seq_file
 * @vm: the VM
 *
 * Prints "tba 0x<tba> tma 0x<tma>", both 0 until SET_TRAP_HANDLER. Read
 * without &vkfd_ctx.mem_lock, as the other recorded values: the file is
 * removed under the family's fs_lock, which waits for its readers, so a
 * reader must not wait for a context lock. A read racing with a call may
 * show one old and one new value.
 *
 * Context: Process context.
 */
void vkfd_trap_show(struct seq_file *m, struct vkfd_vm *vm)
{
	seq_printf(m, "tba 0x%llx tma 0x%llx\n", READ_ONCE(vm->tba),
		   READ_ONCE(vm->tma));
}
