// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the limits of a context: charging and uncharging its resources,
 * and the module parameters that give every new context its limits.
 */

/**
 * DOC: limits
 *
 * Every context has a limit on each of six resources (&enum vkfd_limit):
 * bytes of VRAM, of GTT and of pinned USERPTR memory, buffers, queues and
 * events. A new context takes its limits from the module parameters
 * ``limit_vram_mb``, ``limit_gtt_mb``, ``limit_userptr_mb``,
 * ``limit_buffers``, ``limit_queues`` and ``limit_events``, read when the
 * context is made: 0, the default of each, is no limit, so that a
 * module loaded without them behaves as one without limits. They may be
 * changed at run time (mode 0644); contexts made before keep theirs.
 *
 * The primary of a family sets the limits of each of its secondaries with
 * VKFD_IOC_CTX_LIMITS (vkfd_limits_ioctl.c); nothing changes a primary's.
 *
 * Each creation charges what it makes before it makes anything, and a
 * charge that would go above the limit fails with -EDQUOT: ALLOC_MEMORY
 * (one buffer, and its bytes of VRAM or GTT), the first GPU mapping of a
 * USERPTR (its bytes, pinned until the last unmapping), CREATE_QUEUE (one
 * queue), CREATE_EVENT (one event). What is destroyed, or never published
 * because its reply could not be written, is uncharged. A context being
 * torn down frees everything it holds, so its usage is back to 0 before
 * it is freed.
 *
 * The counters are atomic and no lock is taken: a charge reads the limit
 * once and adds to the usage with a compare-and-exchange that never takes
 * it above that limit, however many charges race. Charging a buffer takes
 * two counters, one after the other: a charge racing with it may see the
 * first taken by a buffer that then fails on the second, and fail too.
 */
#include <kunit/visibility.h>
#include <linux/kfd_ioctl.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>

#include "vkfd_limits.h"

static unsigned long vkfd_limit_vram_mb;
module_param_named(limit_vram_mb, vkfd_limit_vram_mb, ulong, 0644);
MODULE_PARM_DESC(limit_vram_mb,
		 "VRAM a new context may allocate, in MiB over all GPUs (default: 0, no limit)");

static unsigned long vkfd_limit_gtt_mb;
module_param_named(limit_gtt_mb, vkfd_limit_gtt_mb, ulong, 0644);
MODULE_PARM_DESC(limit_gtt_mb,
		 "GTT memory a new context may allocate, in MiB (default: 0, no limit)");

static unsigned long vkfd_limit_userptr_mb;
module_param_named(limit_userptr_mb, vkfd_limit_userptr_mb, ulong, 0644);
MODULE_PARM_DESC(limit_userptr_mb,
		 "USERPTR memory a new context may have pinned, in MiB (default: 0, no limit)");

static unsigned int vkfd_limit_buffers;
module_param_named(limit_buffers, vkfd_limit_buffers, uint, 0644);
MODULE_PARM_DESC(limit_buffers,
		 "Buffers a new context may hold (default: 0, no limit)");

static unsigned int vkfd_limit_queues;
module_param_named(limit_queues, vkfd_limit_queues, uint, 0644);
MODULE_PARM_DESC(limit_queues,
		 "Queues a new context may hold (default: 0, no limit; at most 1024 anyway)");

static unsigned int vkfd_limit_events;
module_param_named(limit_events, vkfd_limit_events, uint, 0644);
MODULE_PARM_DESC(limit_events,
		 "Events a new context may hold (default: 0, no limit)");

/* A module parameter in MiB as a limit in bytes: 0 is none. */
static u64 vkfd_limits_param_mb(unsigned long mb)
{
	if (!mb || mb > (VKFD_LIMIT_UNLIMITED >> 20))
		return VKFD_LIMIT_UNLIMITED;
	return (u64)mb << 20;
}

/* A module parameter counting objects as a limit: 0 is none. */
static u64 vkfd_limits_param_count(unsigned int n)
{
	return n ? n : VKFD_LIMIT_UNLIMITED;
}

/**
 * vkfd_limits_init_unlimited() - no limit on anything, nothing used
 * @limits: the limits to initialise
 *
 * Context: Any context.
 */
void vkfd_limits_init_unlimited(struct vkfd_limits *limits)
{
	unsigned int i;

	for (i = 0; i < VKFD_LIMIT_NR; i++) {
		limits->max[i] = VKFD_LIMIT_UNLIMITED;
		atomic64_set(&limits->usage[i], 0);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_init_unlimited);

/**
 * vkfd_limits_init() - the limits of a new context
 * @limits: the limits to initialise
 *
 * From the module parameters as they are now; nothing used.
 *
 * Context: Any context.
 */
void vkfd_limits_init(struct vkfd_limits *limits)
{
	vkfd_limits_init_unlimited(limits);
	limits->max[VKFD_LIMIT_VRAM] =
		vkfd_limits_param_mb(READ_ONCE(vkfd_limit_vram_mb));
	limits->max[VKFD_LIMIT_GTT] =
		vkfd_limits_param_mb(READ_ONCE(vkfd_limit_gtt_mb));
	limits->max[VKFD_LIMIT_USERPTR] =
		vkfd_limits_param_mb(READ_ONCE(vkfd_limit_userptr_mb));
	limits->max[VKFD_LIMIT_BUFFERS] =
		vkfd_limits_param_count(READ_ONCE(vkfd_limit_buffers));
	limits->max[VKFD_LIMIT_QUEUES] =
		vkfd_limits_param_count(READ_ONCE(vkfd_limit_queues));
	limits->max[VKFD_LIMIT_EVENTS] =
		vkfd_limits_param_count(READ_ONCE(vkfd_limit_events));
}

/**
 * vkfd_limits_fini() - the limits of a context being freed
 * @limits: the limits
 *
 * The context has freed everything it held: a usage left is a leak of
 * vkfd's, never something a user did.
 *
 * Context: Any context.
 */
void vkfd_limits_fini(struct vkfd_limits *limits)
{
	unsigned int i;

	for (i = 0; i < VKFD_LIMIT_NR; i++)
		WARN_ON_ONCE(atomic64_read(&limits->usage[i]));
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_fini);

/**
 * vkfd_limits_try_charge() - take @n of resource @res, if under the limit
 * @limits: the context's limits
 * @res: the resource
 * @n: how much
 *
 * Context: Any context; takes no lock.
 * Return: 0, the usage is @n higher; -EDQUOT if it would go above the
 * limit (or overflow), nothing changed.
 */
int vkfd_limits_try_charge(struct vkfd_limits *limits, enum vkfd_limit res,
			   u64 n)
{
	return vkfd_charge_below(&limits->usage[res],
				 READ_ONCE(limits->max[res]), n) ? 0 : -EDQUOT;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_try_charge);

/**
 * vkfd_limits_uncharge() - give back @n of resource @res
 * @limits: the context's limits
 * @res: the resource
 * @n: how much, charged before
 *
 * Context: Any context; takes no lock.
 */
void vkfd_limits_uncharge(struct vkfd_limits *limits, enum vkfd_limit res,
			  u64 n)
{
	WARN_ON_ONCE(atomic64_sub_return(n, &limits->usage[res]) < 0);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_uncharge);

/* The byte counter of a buffer of @alloc_flags, or -1: bytes not limited. */
static int vkfd_limits_mem_res(u32 alloc_flags)
{
	if (alloc_flags & KFD_IOC_ALLOC_MEM_FLAGS_VRAM)
		return VKFD_LIMIT_VRAM;
	if (alloc_flags & KFD_IOC_ALLOC_MEM_FLAGS_GTT)
		return VKFD_LIMIT_GTT;
	/* USERPTR bytes are charged when pinned; doorbells and MMIO: none. */
	return -1;
}

/**
 * vkfd_limits_charge_mem() - charge a new buffer
 * @limits: the context's limits
 * @alloc_flags: the buffer's KFD_IOC_ALLOC_MEM_FLAGS_*
 * @size: its size in bytes
 *
 * One buffer, and for VRAM and GTT @size bytes of that domain.
 *
 * Context: Any context; takes no lock.
 * Return: 0, or -EDQUOT with nothing charged.
 */
int vkfd_limits_charge_mem(struct vkfd_limits *limits, u32 alloc_flags,
			   u64 size)
{
	int res = vkfd_limits_mem_res(alloc_flags);
	int ret;

	ret = vkfd_limits_try_charge(limits, VKFD_LIMIT_BUFFERS, 1);
	if (ret || res < 0)
		return ret;
	ret = vkfd_limits_try_charge(limits, res, size);
	if (ret)
		vkfd_limits_uncharge(limits, VKFD_LIMIT_BUFFERS, 1);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_charge_mem);

/**
 * vkfd_limits_uncharge_mem() - uncharge a buffer charged before
 * @limits: the context's limits
 * @alloc_flags: the buffer's KFD_IOC_ALLOC_MEM_FLAGS_*
 * @size: its size in bytes
 *
 * Context: Any context; takes no lock.
 */
void vkfd_limits_uncharge_mem(struct vkfd_limits *limits, u32 alloc_flags,
			      u64 size)
{
	int res = vkfd_limits_mem_res(alloc_flags);

	if (res >= 0)
		vkfd_limits_uncharge(limits, res, size);
	vkfd_limits_uncharge(limits, VKFD_LIMIT_BUFFERS, 1);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_uncharge_mem);

/**
 * vkfd_limits_set() - change one limit
 * @limits: the context's limits
 * @res: the resource
 * @max: the new limit, %VKFD_LIMIT_UNLIMITED for none
 *
 * Below the usage is allowed: nothing is freed, charges fail until the
 * usage is below @max again.
 *
 * Context: Any context; takes no lock.
 */
void vkfd_limits_set(struct vkfd_limits *limits, enum vkfd_limit res,
		     u64 max)
{
	WRITE_ONCE(limits->max[res], max);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_set);

/**
 * vkfd_limits_max() - the limit on one resource
 * @limits: the context's limits
 * @res: the resource
 *
 * Context: Any context.
 * Return: the limit, %VKFD_LIMIT_UNLIMITED for none.
 */
u64 vkfd_limits_max(const struct vkfd_limits *limits, enum vkfd_limit res)
{
	return READ_ONCE(limits->max[res]);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_max);

/**
 * vkfd_limits_usage() - what a context holds of one resource
 * @limits: the context's limits
 * @res: the resource
 *
 * Context: Any context.
 * Return: the usage, in bytes or objects.
 */
u64 vkfd_limits_usage(const struct vkfd_limits *limits, enum vkfd_limit res)
{
	return atomic64_read(&limits->usage[res]);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_limits_usage);

/**
 * vkfd_limits_show() - a sysfs file of the limits/ directory of a context
 * @limits: the context's limits
 * @res: the resource
 * @usage: show the usage rather than the limit
 * @buf: the sysfs buffer
 *
 * A number with a newline; a limit of none is "max", as cgroup v2 says.
 *
 * Context: Process context, a sysfs show().
 * Return: the length written.
 */
ssize_t vkfd_limits_show(const struct vkfd_limits *limits,
			 enum vkfd_limit res, bool usage, char *buf)
{
	u64 val = usage ? vkfd_limits_usage(limits, res) :
			  vkfd_limits_max(limits, res);

	if (!usage && val == VKFD_LIMIT_UNLIMITED)
		return sysfs_emit(buf, "max\n");
	return sysfs_emit(buf, "%llu\n", val);
}
