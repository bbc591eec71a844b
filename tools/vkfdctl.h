/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfdctl - what the commands of the tool share.
 */
#ifndef VKFDCTL_H
#define VKFDCTL_H

#include <stdint.h>

/* Where the device is: from the environment, as for the selftests. */
struct vkfdctl {
	const char *dev;
	const char *sysfs;
	const char *topology;
};

/* vkfdctl demo [N] (vkfdctl_demo.c): the exit status of the command. */
int vkfdctl_demo(const struct vkfdctl *c, int argc, char **argv);

/*
 * vkfdctl run --secondary ... PROGRAM (vkfdctl_run.c): @argv is what
 * follows "run". Execs PROGRAM; returns only on failure, its status.
 */
int vkfdctl_run(int argc, char **argv);

/* vkfdctl limits [PID] (vkfdctl_limits.c): the exit status of the command. */
int vkfdctl_limits(const struct vkfdctl *c, int argc, char **argv);

/*
 * RES=VALUE (vkfdctl run --limit): the limit's index and value; 0 or
 * -EINVAL.
 */
int vkfdctl_limit_arg(const char *arg, unsigned int *res, uint64_t *value);

/* vkfdctl load | unload (vkfdctl_load.c): the exit status of the command. */
int vkfdctl_load(int argc, char **argv);
int vkfdctl_unload(int argc, char **argv);

#endif /* VKFDCTL_H */
