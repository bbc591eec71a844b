// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - VKFD_IOC_CTX_LIMITS: a primary sets the limits of its
 * secondaries; any context reads its own.
 */
#include <linux/vkfd_ioctl.h>

#include "vkfd_limits.h"
#include "vkfd_priv.h"

#define VKFD_LIMITS_KNOWN	(VKFD_LIMIT_BIT(VKFD_LIMIT_NR) - 1)

/* Check what needs no context: -EINVAL, or 0. */
static int vkfd_limits_check_args(const struct vkfd_ioctl_ctx_limits *args)
{
	if (args->flags || args->pad)
		return -EINVAL;
	switch (args->op) {
	case VKFD_LIMITS_OP_GET:
		return args->mask ? -EINVAL : 0;
	case VKFD_LIMITS_OP_SET:
		if (!args->mask || (args->mask & ~VKFD_LIMITS_KNOWN))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * The context @args names, referenced: the caller's own for a GET of
 * VKFD_CTX_ID_SELF, else a secondary of the caller's primary.
 */
static struct vkfd_ctx *
vkfd_limits_target(struct vkfd_ctx *ctx,
		   const struct vkfd_ioctl_ctx_limits *args)
{
	struct vkfd_ctx *sec;

	if (args->op == VKFD_LIMITS_OP_GET &&
	    args->ctx_id == VKFD_CTX_ID_SELF) {
		/* Alive for the call: not referenced, see vkfd_file_ctx(). */
		return ctx;
	}
	/* A guest reads its own limits, never another's, never sets them. */
	if (!vkfd_ctx_is_primary(ctx))
		return ERR_PTR(-EPERM);
	if (args->ctx_id > VKFD_CTX_ID_MAX)
		return ERR_PTR(-ENOENT);
	sec = vkfd_ctx_lookup_secondary(ctx, args->ctx_id);
	return sec ?: ERR_PTR(-ENOENT);
}

static void vkfd_limits_report(const struct vkfd_limits *limits,
			       struct vkfd_ioctl_ctx_limits *args)
{
	unsigned int i;

	args->known = VKFD_LIMITS_KNOWN;
	for (i = 0; i < VKFD_LIMIT_SLOTS; i++) {
		args->limit[i] = i < VKFD_LIMIT_NR ?
				 vkfd_limits_max(limits, i) : 0;
		args->usage[i] = i < VKFD_LIMIT_NR ?
				 vkfd_limits_usage(limits, i) : 0;
	}
}

/**
 * vkfd_ctx_limits_ioctl() - VKFD_IOC_CTX_LIMITS
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct vkfd_ioctl_ctx_limits
 *
 * SET changes the limits @mask names of a secondary of the caller's
 * primary, each on its own (a charge racing with the call sees each
 * limit old or new), then reports as GET does: every limit and usage of
 * the context. Only the primary, the owner of the family (the
 * hypervisor), sets limits; a secondary (a guest) may read its own.
 *
 * Context: Process context; takes no vkfd lock.
 * Return: 0; -EINVAL for an unknown @op, non-zero @flags or @pad, a
 * @mask that is not 0 for GET or is 0 or names an unknown limit for SET;
 * -EPERM on a secondary's fd for a SET, or a GET of another context;
 * -ENOENT if @ctx_id names no secondary of the primary. On failure no
 * limit changed.
 */
int vkfd_ctx_limits_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data)
{
	struct vkfd_ioctl_ctx_limits *args = data;
	struct vkfd_ctx *target;
	unsigned int i;
	int ret;

	ret = vkfd_limits_check_args(args);
	if (ret)
		return ret;
	target = vkfd_limits_target(ctx, args);
	if (IS_ERR(target))
		return PTR_ERR(target);

	if (args->op == VKFD_LIMITS_OP_SET) {
		for (i = 0; i < VKFD_LIMIT_NR; i++)
			if (args->mask & VKFD_LIMIT_BIT(i))
				vkfd_limits_set(&target->limits, i,
						args->limit[i]);
	}
	vkfd_limits_report(&target->limits, args);

	if (target != ctx)
		vkfd_ctx_put(target);
	return 0;
}
