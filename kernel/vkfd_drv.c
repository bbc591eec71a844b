// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - a software AMD KFD compute device with many isolated GPU contexts
 * per process.
 */

/**
 * DOC: overview
 *
 * vkfd provides /dev/kfd and the kfd_ioctl.h uAPI of amdkfd on virtual
 * GPUs implemented in software, so that KFD userspace (ROCm, hypervisors
 * serving many guest programs) can be developed and tested without AMD
 * hardware. It follows the upstream multiple-contexts design: the first
 * open() of a process gives its primary context; each context owns its
 * own GPU address spaces and PASIDs.
 *
 * This file holds the module glue: parameters, the character device, the
 * class and device that carry the sysfs tree, open and release, and the
 * order of load and unload. The GPUs are vkfd_gpu.c's.
 *
 * The same sources build vkfd.ko and amdgpu.ko (Kbuild's VKFD_MODNAME):
 * ROCm's tools look for a module named amdgpu. Whatever is named after the
 * module (log prefix, debugfs directory, the GPUs' root device) uses
 * KBUILD_MODNAME; the device node stays governed by the name parameter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/compat.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_user.h"
#include "vkfd_vm.h"

static char *vkfd_name = "kfd";
module_param_named(name, vkfd_name, charp, 0444);
MODULE_PARM_DESC(name,
		 "Name of the device node, class and sysfs directory (default: kfd, as amdkfd; use vkfd next to amdgpu)");

static unsigned int vkfd_num_gpus = 1;
module_param_named(num_gpus, vkfd_num_gpus, uint, 0444);
MODULE_PARM_DESC(num_gpus, "Number of virtual GPUs, 1..8 (default: 1)");

static unsigned int vkfd_vram_mb = 1024;
module_param_named(vram_mb, vkfd_vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb,
		 "VRAM budget of each virtual GPU in MiB, 16..65536 (default: 1024)");

#define VKFD_VRAM_MB_MIN	16
#define VKFD_VRAM_MB_MAX	65536

/*
 * Built as amdgpu.ko (see Kbuild), the log says what it really is: not
 * AMD's GPU driver.
 */
#define VKFD_AS_MODNAME \
	(strcmp(KBUILD_MODNAME, "vkfd") ? "vkfd, loaded as " KBUILD_MODNAME ": " : "")

/* The device of this module instance, for module exit. */
static struct vkfd_device *vkfd_device;

static int vkfd_open(struct inode *inode, struct file *filp)
{
	struct vkfd_device *vdev = container_of(inode->i_cdev,
						struct vkfd_device, cdev);
	struct vkfd_file *vfile;
	struct vkfd_ctx *ctx;

	if (iminor(inode) != 0)
		return -ENODEV;
	/* As amdkfd: the uAPI structures are laid out for 64-bit callers. */
	if (in_compat_syscall())
		return -EPERM;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL_ACCOUNT);
	if (!vfile)
		return -ENOMEM;

	ctx = vkfd_ctx_open_primary(vdev);
	if (IS_ERR(ctx)) {
		kfree(vfile);
		return PTR_ERR(ctx);
	}
	rcu_assign_pointer(vfile->ctx, ctx);
	filp->private_data = vfile;
	return 0;
}

static int vkfd_release(struct inode *inode, struct file *filp)
{
	struct vkfd_file *vfile = filp->private_data;

	/* No ioctl can run any more: this is the last reference to filp. */
	vkfd_ctx_put(rcu_dereference_protected(vfile->ctx, true));
	kfree(vfile);
	return 0;
}

static const struct file_operations vkfd_fops = {
	.owner = THIS_MODULE,
	.open = vkfd_open,
	.release = vkfd_release,
	.unlocked_ioctl = vkfd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vkfd_mmap,
	.llseek = noop_llseek,
};

/* /dev/kfd is usable by everyone, as amdkfd's udev rule makes it. */
static char *vkfd_devnode(VKFD_DEVNODE_CONST struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

static bool vkfd_name_valid(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (!len || len > VKFD_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

/*
 * Does /sys/class/<name> exist? class_create() with a taken name would
 * fail only after sysfs dumped a stack trace, so look first. The sysfs
 * root is found from this module's own directory, /sys/module/<module>;
 * the nodes on the way are pinned by their children, and the root is
 * never freed, so it is used without a reference.
 */
static bool vkfd_class_exists(const char *name)
{
	struct kernfs_node *root = THIS_MODULE->mkobj.kobj.sd;
	struct kernfs_node *classes, *kn, *parent;

	rcu_read_lock();
	while ((parent = vkfd_kernfs_parent(root)))
		root = parent;
	rcu_read_unlock();
	classes = kernfs_find_and_get(root, "class");
	if (!classes)
		return false;
	kn = kernfs_find_and_get(classes, name);
	kernfs_put(classes);
	if (!kn)
		return false;
	kernfs_put(kn);
	return true;
}

/* Check the parameters; on failure the load fails with this errno. */
static int vkfd_params_check(void)
{
	if (!vkfd_name_valid(vkfd_name)) {
		pr_err("name=%s: use 1..%d characters of [A-Za-z0-9_-]\n",
		       vkfd_name, VKFD_NAME_MAX);
		return -EINVAL;
	}
	if (vkfd_num_gpus < 1 || vkfd_num_gpus > VKFD_MAX_GPUS) {
		pr_err("num_gpus=%u: must be 1..%d\n", vkfd_num_gpus,
		       VKFD_MAX_GPUS);
		return -EINVAL;
	}
	if (vkfd_vram_mb < VKFD_VRAM_MB_MIN || vkfd_vram_mb > VKFD_VRAM_MB_MAX) {
		pr_err("vram_mb=%u: must be %d..%d\n", vkfd_vram_mb,
		       VKFD_VRAM_MB_MIN, VKFD_VRAM_MB_MAX);
		return -EINVAL;
	}
	if (vkfd_user_init())
		return -EINVAL;
	if (vkfd_class_exists(vkfd_name)) {
		pr_err("name=%s is taken: /sys/class/%s exists (amdgpu's amdkfd, or another vkfd); load %s.ko with %s\n",
		       vkfd_name, vkfd_name, KBUILD_MODNAME,
		       strcmp(vkfd_name, "vkfd") ? "name=vkfd" : "another name=");
		return -EEXIST;
	}
	return 0;
}

/*
 * The character device minus the cdev: device number, class and the
 * class device that carries the sysfs tree. The cdev itself is added
 * last, by vkfd_device_publish().
 */
static int vkfd_chrdev_create(struct vkfd_device *vdev)
{
	int ret;

	ret = alloc_chrdev_region(&vdev->devt, 0, 1, vdev->name);
	if (ret)
		return ret;
	vdev->class = vkfd_class_create(vdev->name);
	if (IS_ERR(vdev->class)) {
		ret = PTR_ERR(vdev->class);
		goto err_unregister_chrdev;
	}
	vdev->class->devnode = vkfd_devnode;
	vdev->dev = device_create(vdev->class, NULL, vdev->devt,
				  vdev, "%s", vdev->name);
	if (IS_ERR(vdev->dev)) {
		ret = PTR_ERR(vdev->dev);
		goto err_destroy_class;
	}
	return 0;

err_destroy_class:
	class_destroy(vdev->class);
err_unregister_chrdev:
	unregister_chrdev_region(vdev->devt, 1);
	return ret;
}

/* Undo vkfd_chrdev_create(). */
static void vkfd_chrdev_destroy(struct vkfd_device *vdev)
{
	device_destroy(vdev->class, vdev->devt);
	class_destroy(vdev->class);
	unregister_chrdev_region(vdev->devt, 1);
}

/*
 * The device without GPUs: the context bookkeeping, the release
 * workqueue and the character device.
 */
static struct vkfd_device *vkfd_device_create(void)
{
	struct vkfd_device *vdev;
	int ret;

	ret = vkfd_ctx_cache_init();
	if (ret)
		return ERR_PTR(ret);
	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev) {
		ret = -ENOMEM;
		goto err_ctx_cache_fini;
	}
	vdev->name = vkfd_name;
	vkfd_ctx_table_init(vdev);

	/*
	 * Context release needs no CPU locality. (Linux 7.x warns about a
	 * workqueue that says neither WQ_UNBOUND nor WQ_PERCPU.)
	 */
	vdev->wq = alloc_workqueue("vkfd", WQ_UNBOUND, 0);
	if (!vdev->wq) {
		ret = -ENOMEM;
		goto err_free_vdev;
	}
	ret = vkfd_chrdev_create(vdev);
	if (ret)
		goto err_destroy_wq;
	return vdev;

err_destroy_wq:
	destroy_workqueue(vdev->wq);
err_free_vdev:
	kfree(vdev);
err_ctx_cache_fini:
	vkfd_ctx_cache_fini();
	return ERR_PTR(ret);
}

/* Undo vkfd_device_create(). */
static void vkfd_device_destroy(struct vkfd_device *vdev)
{
	vkfd_chrdev_destroy(vdev);
	destroy_workqueue(vdev->wq);
	kfree(vdev);
	vkfd_ctx_cache_fini();
}

/*
 * Publish what the GPUs make up: the topology (it names the render
 * minors), proc/ for the contexts, debugfs, and last the cdev: from then
 * on open() may run.
 */
static int vkfd_device_publish(struct vkfd_device *vdev)
{
	int ret;

	vkfd_ctx_sysfs_init(vdev);
	ret = vkfd_topology_init(vdev);
	if (ret)
		return ret;
	vdev->proc_kobj = kobject_create_and_add("proc", &vdev->dev->kobj);
	if (!vdev->proc_kobj) {
		ret = -ENOMEM;
		goto err_topology_fini;
	}
	vkfd_debugfs_init(vdev);
	cdev_init(&vdev->cdev, &vkfd_fops);
	vdev->cdev.owner = THIS_MODULE;
	ret = cdev_add(&vdev->cdev, vdev->devt, 1);
	if (ret)
		goto err_debugfs_fini;
	return 0;

err_debugfs_fini:
	vkfd_debugfs_fini(vdev);
	kobject_put(vdev->proc_kobj);
err_topology_fini:
	vkfd_topology_fini(vdev);
	return ret;
}

/*
 * Undo vkfd_device_publish(). No fd is open and no context holds the
 * module any more; wait for the contexts' teardown still in flight.
 */
static void vkfd_device_unpublish(struct vkfd_device *vdev)
{
	cdev_del(&vdev->cdev);
	vkfd_ctx_table_fini(vdev);
	vkfd_debugfs_fini(vdev);
	kobject_put(vdev->proc_kobj);
	vkfd_topology_fini(vdev);
}

static int __init vkfd_init(void)
{
	struct vkfd_device *vdev;
	unsigned int i;
	int ret;

	ret = vkfd_params_check();
	if (ret)
		return ret;
	vdev = vkfd_device_create();
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	ret = vkfd_gpu_root_create(vdev);
	if (ret)
		goto err_device_destroy;
	for (i = 0; i < vkfd_num_gpus; i++) {
		ret = vkfd_gpu_create(vdev, (u64)vkfd_vram_mb * SZ_1M);
		if (ret)
			goto err_gpu_root_destroy;
	}

	ret = vkfd_device_publish(vdev);
	if (ret)
		goto err_gpu_root_destroy;
	vkfd_device = vdev;
	pr_info("%s/dev/%s: %u GPU(s), %u MiB VRAM each\n", VKFD_AS_MODNAME,
		vdev->name, vdev->num_gpus, vkfd_vram_mb);
	return 0;

err_gpu_root_destroy:
	vkfd_gpu_root_destroy(vdev);
err_device_destroy:
	vkfd_device_destroy(vdev);
	return ret;
}

static void __exit vkfd_exit(void)
{
	struct vkfd_device *vdev = vkfd_device;

	vkfd_device_unpublish(vdev);
	vkfd_gpu_root_destroy(vdev);
	vkfd_pasid_fini();
	vkfd_user_fini();
	vkfd_device_destroy(vdev);
	vkfd_device = NULL;
}

module_init(vkfd_init);
module_exit(vkfd_exit);

MODULE_DESCRIPTION("Software AMD KFD compute device with isolated GPU contexts");
MODULE_AUTHOR("The vkfd developers");
MODULE_LICENSE("Dual MIT/GPL");
