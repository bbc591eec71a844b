// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the trap handler of a context's VM on a GPU.
 */

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
#include <linux/kfd_ioctl.h>
#include <linux/seq_file.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

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
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;

	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu || args->pad)
		return -EINVAL;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm) {
		WRITE_ONCE(vm->tba, args->tba_addr);
		WRITE_ONCE(vm->tma, args->tma_addr);
	}
	mutex_unlock(&ctx->mem_lock);
	return vm ? 0 : -ESRCH;
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
