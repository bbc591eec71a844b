// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - debugfs.
 *
 *   <debugfs>/vkfd/contexts                         every context, one per line
 *   <debugfs>/vkfd/proc/<pid>/pasid_<gpuid>          PASIDs of a primary
 *   <debugfs>/vkfd/proc/<pid>/context_<id>/pasid_<gpuid>   of a secondary
 *
 * debugfs is for people and tests, not an ABI. As everywhere in the
 * kernel, failures to create debugfs entries are not errors; the handles
 * may hold error pointers, which debugfs_remove() ignores.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vkfd_priv.h"

/*
 * The contexts file: pid, context ("primary" or the id), state ("live";
 * "exited" once the process's address space is gone and only fds held
 * elsewhere keep the context), references and the PASID of each GPU.
 */
static int vkfd_debugfs_contexts_show(struct seq_file *m, void *unused)
{
	struct vkfd_device *vdev = m->private;
	struct vkfd_ctx *ctx;
	unsigned int i;

	seq_puts(m, "pid\tcontext\tstate\trefs\tpasids\n");
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
		for (i = 0; i < vdev->num_gpus; i++)
			seq_printf(m, "%s%u", i ? "," : "", ctx->pasid[i]);
		seq_putc(m, '\n');
	}
	mutex_unlock(&vdev->ctx_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vkfd_debugfs_contexts);

/**
 * vkfd_debugfs_init() - create <debugfs>/vkfd
 * @vdev: the device
 *
 * Context: Process context, module load.
 */
void vkfd_debugfs_init(struct vkfd_device *vdev)
{
	vdev->debugfs = debugfs_create_dir("vkfd", NULL);
	vdev->debugfs_proc = debugfs_create_dir("proc", vdev->debugfs);
	debugfs_create_file("contexts", 0444, vdev->debugfs, vdev,
			    &vkfd_debugfs_contexts_fops);
}

/**
 * vkfd_debugfs_fini() - remove <debugfs>/vkfd
 * @vdev: the device
 *
 * Context: Process context, module unload.
 */
void vkfd_debugfs_fini(struct vkfd_device *vdev)
{
	debugfs_remove(vdev->debugfs);
}

/**
 * vkfd_debugfs_ctx_add() - create the debugfs directory of a context
 * @ctx: the context, not yet published
 *
 * A primary's directory is proc/<pid>; if a dead context still holds that
 * name (see vkfd_ctx_sysfs_add()) the primary and its secondaries go
 * without one.
 *
 * Context: Process context; the caller holds the fs_lock of the
 * context's primary.
 */
void vkfd_debugfs_ctx_add(struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;
	struct dentry *parent, *old;
	char name[24];
	unsigned int i;

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
	for (i = 0; i < vdev->num_gpus; i++) {
		snprintf(name, sizeof(name), "pasid_%u", vdev->gpus[i].gpu_id);
		debugfs_create_u32(name, 0444, ctx->debugfs, &ctx->pasid[i]);
	}
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
