// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - debugfs.
 *
 *   <debugfs>/vkfd/contexts                         every context, one per line
 *   <debugfs>/vkfd/proc/<pid>/pasid_<gpuid>          PASIDs of a primary
 *   <debugfs>/vkfd/proc/<pid>/context_<id>/pasid_<gpuid>   of a secondary
 *   <debugfs>/vkfd/proc/<pid>/[context_<id>/]trap_<gpuid>  trap handler
 *
 * The top directory is named after the module: vkfd, or amdgpu for the
 * same driver built as amdgpu.ko (see Kbuild), so that both can be
 * loaded side by side.
 *
 * A primary's directory exists as long as the primary; a secondary's, and
 * each pasid_<gpuid> file, appear when the context makes its VM on that
 * GPU: idle secondaries, which may number tens of thousands, cost no
 * debugfs inodes.
 *
 * debugfs is for people, not an ABI: the selftests look into contexts and
 * page tables through the test ioctl of a VKFD_TEST=y build
 * (vkfd_test_ioctl.c). As everywhere in the kernel, failures to create
 * debugfs entries are not errors; the handles may hold error pointers,
 * which debugfs_remove() ignores.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vkfd_event.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

/*
 * PASIDs, buffers, bytes of VRAM and of page tables, events of a context;
 * "busy" in their place while the context holds its mem_lock. The caller
 * holds ctx_lock, which every open() needs: it must not wait for a lock
 * a tenant can hold for as long as it likes (pinning a USERPTR over a
 * userfaultfd page).
 */
static void vkfd_debugfs_ctx_mem_show(struct seq_file *m, struct vkfd_ctx *ctx)
{
	u64 vram = 0, pt = 0;
	struct vkfd_vm *vm;
	unsigned int i;

	if (!mutex_trylock(&ctx->mem_lock)) {
		seq_puts(m, "busy\tbusy\tbusy\tbusy\tbusy\n");
		return;
	}
	for (i = 0; i < ctx->vdev->num_gpus; i++) {
		vm = ctx->vm[i];
		seq_printf(m, "%s%u", i ? "," : "", vm ? vm->pasid : 0);
		if (vm) {
			vram += vm->vram;
			pt += vm->pt.bytes;
		}
	}
	seq_printf(m, "\t%u\t%llu\t%llu\t%u\n", ctx->nr_mem, vram, pt,
		   vkfd_event_count(ctx));
	mutex_unlock(&ctx->mem_lock);
}

/*
 * The contexts file: pid, context ("primary" or the id), state ("live";
 * "exited" once the process's address space is gone and only fds held
 * elsewhere keep the context), references, the PASID of each GPU (0: no
 * VM), buffer handles, bytes of VRAM and of page tables, events; the
 * last five are "busy" while an ioctl of the context holds its memory.
 */
static int vkfd_debugfs_contexts_show(struct seq_file *m, void *unused)
{
	struct vkfd_device *vdev = m->private;
	struct vkfd_ctx *ctx;

	seq_puts(m, "pid\tcontext\tstate\trefs\tpasids\tbos\tvram\tpt\tevents\n");
	mutex_lock(&vdev->ctx_lock);
	list_for_each_entry(ctx, &vdev->contexts, node) {
		bool live = !hlist_unhashed(&vkfd_ctx_family(ctx)->mm_node);

		seq_printf(m, "%d\t", ctx->pid);
		if (vkfd_ctx_is_primary(ctx))
			seq_puts(m, "primary");
		else
			seq_printf(m, "%u", ctx->id);
		seq_printf(m, "\t%s\t%u\t", live ? "live" : "exited",
			   kref_read(&ctx->ref));
		vkfd_debugfs_ctx_mem_show(m, ctx);
	}
	mutex_unlock(&vdev->ctx_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vkfd_debugfs_contexts);

/**
 * vkfd_debugfs_init() - create <debugfs>/<module name>
 * @vdev: the device
 *
 * Context: Process context, module load.
 */
void vkfd_debugfs_init(struct vkfd_device *vdev)
{
	vdev->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	vdev->debugfs_proc = debugfs_create_dir("proc", vdev->debugfs);
	debugfs_create_file("contexts", 0444, vdev->debugfs, vdev,
			    &vkfd_debugfs_contexts_fops);
}

/**
 * vkfd_debugfs_fini() - remove <debugfs>/<module name>
 * @vdev: the device
 *
 * Context: Process context, module unload.
 */
void vkfd_debugfs_fini(struct vkfd_device *vdev)
{
	debugfs_remove(vdev->debugfs);
}

/*
 * Create the directory of @ctx: proc/<pid> for a primary, context_<id>
 * below it for a secondary. If a dead context still holds a primary's
 * name (see vkfd_ctx_sysfs_add()) the primary and its secondaries go
 * without one.
 */
static void vkfd_debugfs_ctx_dir_locked(struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;
	struct dentry *parent, *old;
	char name[24];

	lockdep_assert_held(&vkfd_ctx_family(ctx)->fs_lock);

	parent = ctx->primary ? ctx->primary->debugfs : vdev->debugfs_proc;
	if (IS_ERR_OR_NULL(parent))
		return;
	if (ctx->primary) {
		snprintf(name, sizeof(name), "context_%u", ctx->id);
	} else {
		snprintf(name, sizeof(name), "%d", ctx->pid);
		/* debugfs would complain loudly about a duplicate. */
		old = debugfs_lookup(name, parent);
		if (old) {
			dput(old);
			return;
		}
	}
	ctx->debugfs = debugfs_create_dir(name, parent);
}

/**
 * vkfd_debugfs_ctx_add() - create the debugfs directory of a primary
 * @ctx: the context, not yet published
 *
 * Secondaries get theirs with their first VM, see vkfd_debugfs_vm_add().
 *
 * Context: Process context; the caller holds the fs_lock of the
 * context's primary.
 */
void vkfd_debugfs_ctx_add(struct vkfd_ctx *ctx)
{
	if (vkfd_ctx_is_primary(ctx))
		vkfd_debugfs_ctx_dir_locked(ctx);
}

/* trap_<gpuid>: the VM's trap handler, see vkfd_trap_show(). */
static int vkfd_debugfs_trap_show(struct seq_file *m, void *unused)
{
	vkfd_trap_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vkfd_debugfs_trap);

/**
 * vkfd_debugfs_vm_add() - create the pasid_<gpuid> and trap_<gpuid> files of a new VM
 * @vm: the VM, published in its context
 *
 * Creates the context's directory first if it has none yet (a secondary
 * making its first VM), unless the context's process is gone.
 *
 * Context: Process context; takes the fs_lock of the context's primary.
 */
void vkfd_debugfs_vm_add(struct vkfd_vm *vm)
{
	struct vkfd_ctx *ctx = vm->ctx;
	struct vkfd_ctx *family = vkfd_ctx_family(ctx);
	char name[24];

	mutex_lock(&family->fs_lock);
	if (family->fs_dead)
		goto out_unlock;
	if (!ctx->debugfs)
		vkfd_debugfs_ctx_dir_locked(ctx);
	if (IS_ERR_OR_NULL(ctx->debugfs))
		goto out_unlock;
	snprintf(name, sizeof(name), "pasid_%u", vm->gpu->gpu_id);
	/* The VM outlives the file: both go with the context. */
	debugfs_create_u32(name, 0444, ctx->debugfs, &vm->pasid);
	snprintf(name, sizeof(name), "trap_%u", vm->gpu->gpu_id);
	debugfs_create_file(name, 0444, ctx->debugfs, vm, &vkfd_debugfs_trap_fops);
out_unlock:
	mutex_unlock(&family->fs_lock);
}

/**
 * vkfd_debugfs_ctx_remove() - remove the debugfs directory of a context
 * @ctx: the context
 *
 * Idempotent; by object, never by name. A primary's directory is removed
 * only after those of its secondaries.
 *
 * Context: Process context; the caller holds the fs_lock of the
 * context's primary.
 */
void vkfd_debugfs_ctx_remove(struct vkfd_ctx *ctx)
{
	lockdep_assert_held(&vkfd_ctx_family(ctx)->fs_lock);

	debugfs_remove(ctx->debugfs);
	ctx->debugfs = NULL;
}
