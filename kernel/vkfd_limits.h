/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the limits of a context: what it may hold of each resource, and
 * what it holds (vkfd_limits.c, vkfd_limits_ioctl.c).
 */
#ifndef _VKFD_LIMITS_H_
#define _VKFD_LIMITS_H_

#include <linux/atomic.h>
#include <linux/types.h>

#include <linux/vkfd_ioctl.h>

struct vkfd_ctx;
struct vkfd_file;

/**
 * struct vkfd_limits - the limits and usage of one context
 * @max: per &enum vkfd_limit, the limit, %VKFD_LIMIT_UNLIMITED for none.
 *	Set from the module parameters when the context is made, changed
 *	by VKFD_IOC_CTX_LIMITS; no lock: each entry is one word, written
 *	with WRITE_ONCE() and read once per charge with READ_ONCE().
 * @usage: per &enum vkfd_limit, what the context holds. No lock: only
 *	vkfd_limits_try_charge() raises it, with a cmpxchg loop that never
 *	takes it above the limit it read, and vkfd_limits_uncharge() lowers
 *	it.
 *
 * A charge and a change of the limit that race are ordered either way:
 * the charge succeeds if it fitted under the limit it saw. Lowering a
 * limit never frees anything; it only makes later charges fail.
 */
struct vkfd_limits {
	u64 max[VKFD_LIMIT_NR];
	atomic64_t usage[VKFD_LIMIT_NR];
};

/* vkfd_limits.c */
void vkfd_limits_init(struct vkfd_limits *limits);
void vkfd_limits_init_unlimited(struct vkfd_limits *limits);
void vkfd_limits_fini(struct vkfd_limits *limits);
int vkfd_limits_try_charge(struct vkfd_limits *limits, enum vkfd_limit res,
			   u64 n);
void vkfd_limits_uncharge(struct vkfd_limits *limits, enum vkfd_limit res,
			  u64 n);
int vkfd_limits_charge_mem(struct vkfd_limits *limits, u32 alloc_flags,
			   u64 size);
void vkfd_limits_uncharge_mem(struct vkfd_limits *limits, u32 alloc_flags,
			      u64 size);
void vkfd_limits_set(struct vkfd_limits *limits, enum vkfd_limit res,
		     u64 max);
u64 vkfd_limits_max(const struct vkfd_limits *limits, enum vkfd_limit res);
u64 vkfd_limits_usage(const struct vkfd_limits *limits, enum vkfd_limit res);
ssize_t vkfd_limits_show(const struct vkfd_limits *limits,
			 enum vkfd_limit res, bool usage, char *buf);

/* vkfd_limits_ioctl.c */
int vkfd_ctx_limits_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data);

/*
 * Add @n to @usage if it stays at most @max, never above it, not even for
 * a moment (readers are lockless); false, nothing changed, otherwise. A
 * usage already above @max (a limit lowered below it) takes nothing.
 */
static inline bool vkfd_charge_below(atomic64_t *usage, u64 max, u64 n)
{
	s64 old = atomic64_read(usage);

	do {
		if ((u64)old > max || n > max - (u64)old)
			return false;
	} while (!atomic64_try_cmpxchg(usage, &old, old + n));
	return true;
}

#endif /* _VKFD_LIMITS_H_ */
