/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Kernel API differences between the kernels vkfd builds against (Debian
 * 12's 6.1 and 6.12, Debian unstable's 7.x), tested on the kernel's
 * LINUX_VERSION_CODE. The shims, oldest first:
 *
 *   6.2   struct class.devnode() takes a const device: VKFD_DEVNODE_CONST
 *   6.3   vma->vm_flags read-only: vm_flags_set()/vm_flags_clear() on 6.1
 *   6.4   class_create() lost its module argument: vkfd_class_create()
 *   6.13  MODULE_IMPORT_NS() takes a string: VKFD_IMPORT_KUNIT_NS()
 *   6.14  struct drm_driver lost .date: VKFD_DRM_DATE()
 *   6.15  kernfs_node.parent is the RCU pointer __parent: vkfd_kernfs_parent()
 *   SZ_512G, which <linux/sizes.h> lacks on 6.1
 *
 * Not here, because no version test is needed: the release workqueue is
 * WQ_UNBOUND (7.x warns about one that is neither unbound nor per-CPU),
 * and the uAPI differences (AMDKFD_IOC_CREATE_PROCESS, set_memory_policy's
 * pad) are settled in <linux/vkfd_ioctl.h> by the kernel header's own
 * definitions.
 */
#ifndef VKFD_COMPAT_H
#define VKFD_COMPAT_H

#include <linux/device.h>
#include <linux/kernfs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/version.h>

/*
 * Whether the target kernel is older than @major.@minor. The one place
 * vkfd tests the kernel's version: an out-of-tree module has to (hence
 * checkpatch's LINUX_VERSION_CODE warning here is expected, see
 * vm/lint.sh).
 */
#define VKFD_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/* 6.3: vma->vm_flags is read-only; vm_flags_set()/vm_flags_clear(). */
#if VKFD_KERNEL_BEFORE(6, 3)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* 6.4: class_create() lost its struct module * argument. */
#if VKFD_KERNEL_BEFORE(6, 4)
#define vkfd_class_create(name) class_create(THIS_MODULE, name)
#else
#define vkfd_class_create(name) class_create(name)
#endif

/* 6.2: struct class.devnode() takes a const struct device *. */
#if VKFD_KERNEL_BEFORE(6, 2)
#define VKFD_DEVNODE_CONST
#else
#define VKFD_DEVNODE_CONST const
#endif

/* 6.13: MODULE_IMPORT_NS() takes a string literal. */
#if VKFD_KERNEL_BEFORE(6, 13)
#define VKFD_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define VKFD_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

/* 6.14: struct drm_driver lost .date. */
#if VKFD_KERNEL_BEFORE(6, 14)
#define VKFD_DRM_DATE(d) .date = (d),
#else
#define VKFD_DRM_DATE(d)
#endif

/* <linux/sizes.h> has SZ_512G on 6.12, not on 6.1. */
#ifndef SZ_512G
#define SZ_512G _AC(0x8000000000, ULL)
#endif

/*
 * 6.15: kernfs_node.parent became the RCU pointer __parent (and the
 * accessor that reads it, kernfs_get_parent(), is not exported).
 * Call under rcu_read_lock().
 */
#if VKFD_KERNEL_BEFORE(6, 15)
#define vkfd_kernfs_parent(kn) ((kn)->parent)
#else
#define vkfd_kernfs_parent(kn) rcu_dereference((kn)->__parent)
#endif

#endif /* VKFD_COMPAT_H */
