// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The base fixture (struct vkfd_base) and its cleanup list: what every
 * topic fixture starts from, and everything a test leaves open closed in
 * one place, in one order.
 */
#include "vkfd_test.h"

int vkfd_cleanup_fd(struct vkfd_cleanup *cl, int fd)
{
	int *grown;

	if (fd < 0)
		return -EBADF;
	if (cl->n == cl->cap) {
		grown = realloc(cl->fd, (cl->cap * 2 + 16) * sizeof(*cl->fd));
		if (!grown)
			return -ENOMEM;
		cl->fd = grown;
		cl->cap = cl->cap * 2 + 16;
	}
	cl->fd[cl->n++] = fd;
	return fd;
}

int vkfd_cleanup_close(struct vkfd_cleanup *cl, int fd)
{
	int i;

	for (i = 0; i < cl->n; i++)
		if (cl->fd[i] == fd)
			cl->fd[i] = -1;
	return close(fd);
}

void vkfd_cleanup_run(struct vkfd_cleanup *cl)
{
	while (cl->n > 0) {
		cl->n--;
		if (cl->fd[cl->n] >= 0)
			close(cl->fd[cl->n]);
	}
	free(cl->fd);
	cl->fd = NULL;
	cl->cap = 0;
}

int vkfd_base_open(struct vkfd_base *b, unsigned int flags)
{
	struct vkfd_topo topo;
	int g, ret;

	/* First: whatever fails below, the teardown is safe */
	b->p.fd = -1;
	b->p.primary = false;
	b->render = -1;
	b->cl = (struct vkfd_cleanup){ 0 };
	b->child.pid = 0;
	b->child.to_child = b->child.from_child = -1;
	b->pid = getpid();
	b->ngpus = 0;
	vkfd_env_init(&b->env);
	if (flags & VKFD_BASE_NO_DEVICE)
		return flags & (VKFD_BASE_PRIMARY | VKFD_BASE_VM) ? -EINVAL : 0;

	ret = vkfd_topo_load(b->env.topology, &topo);
	if (ret)
		return ret;
	b->ngpus = topo.num_gpus < VKFD_MAX_GPUS ? topo.num_gpus :
						   VKFD_MAX_GPUS;
	for (g = 0; g < b->ngpus; g++) {
		b->gpu[g] = topo.gpu_id[g];
		b->node[g] = topo.gpu_node[g];
	}
	if (!(flags & (VKFD_BASE_PRIMARY | VKFD_BASE_VM)))
		return 0;
	ret = vkfd_open_primary(b->env.dev, &b->p);
	if (ret) {
		b->p.fd = -1;
		return ret;
	}
	if ((flags & VKFD_BASE_VM) && !b->env.amdkfd && b->ngpus)
		return vkfd_open_vm(&b->p, b->env.topology, b->gpu[0],
				    &b->render);
	return 0;
}

void vkfd_base_close(struct vkfd_base *b)
{
	/* Each test runs in a process of its own: its exit frees the rest */
	vkfd_child_kill(&b->child);
	vkfd_cleanup_run(&b->cl);
	if (b->render >= 0)
		close(b->render);
	b->render = -1;
	if (b->p.fd >= 0)
		vkfd_close(&b->p);
	b->p.fd = -1;
}
