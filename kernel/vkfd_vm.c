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
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/kfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
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

	ret = vkfd_pasid_alloc(&vm->pasid);
	if (ret)
		goto err_free;
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
 * has a VM on the GPU bound to another file; -ENOSPC without PASIDs;
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
 * vkfd_vm_translate() - describe what a GPU address of a context maps to
 * @ctx: the context
 * @gpu: GPU index
 * @va: the GPU address
 * @buf: output, one line (see debugfs "translate")
 * @size: size of @buf
 *
 * For tests, through debugfs: isolation can be checked at the page-table
 * level, not only through CPU mappings.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: the length of the line, or -ENOENT if @ctx has no VM on @gpu.
 */
int vkfd_vm_translate(struct vkfd_ctx *ctx, unsigned int gpu, u64 va,
		      char *buf, size_t size)
{
	struct vkfd_vm *vm;
	u8 data[16];
	void *vaddr;
	u64 pte;
	int len;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu];
	if (!vm) {
		mutex_unlock(&ctx->mem_lock);
		return -ENOENT;
	}
	pte = vkfd_pt_lookup(&vm->pt, va);
	if (!(pte & VKFD_PTE_VALID)) {
		len = scnprintf(buf, size, "va 0x%llx pasid %u unmapped\n",
				va, vm->pasid);
		mutex_unlock(&ctx->mem_lock);
		return len;
	}
	/* Mapped pages stay pinned while the lock keeps unmap out. */
	vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(pte & VKFD_PTE_ADDR_MASK)));
	memcpy(data, vaddr + offset_in_page(va) / sizeof(data) * sizeof(data),
	       sizeof(data));
	kunmap_local(vaddr);
	len = scnprintf(buf, size,
			"va 0x%llx pasid %u pte 0x%llx pfn 0x%llx perm %c%c data %16phN\n",
			va, vm->pasid, pte,
			(pte & VKFD_PTE_ADDR_MASK) >> PAGE_SHIFT,
			pte & VKFD_PTE_READABLE ? 'r' : '-',
			pte & VKFD_PTE_WRITEABLE ? 'w' : '-', data);
	mutex_unlock(&ctx->mem_lock);
	return len;
}
