// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The test hooks: VKFD_IOC_TEST of a module built with VKFD_TEST=y
 * (vkfd_hooks.h).
 */
#include "vkfd_test.h"
#include "vkfd_hooks.h"

int _test_ioctl_vkfd_test(int fd, struct vkfd_test_cmd *cmd)
{
	return ioctl(fd, VKFD_IOC_TEST, cmd) ? -errno : 0;
}

int vkfd_hooks_cmd(struct vkfd_test_cmd *cmd)
{
	char dev[256];
	int fd, ret;

	vkfd_env_str(dev, sizeof(dev), "VKFD_DEV", "/dev/kfd");
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	cmd->size = sizeof(*cmd);
	ret = _test_ioctl_vkfd_test(fd, cmd);
	close(fd);
	return ret;
}

int vkfd_hooks_probe(void)
{
	struct vkfd_test_cmd cmd = {
		.op = VKFD_TEST_OP_CTX_COUNT,
		.ctx_count.pid = getpid(),
	};

	return vkfd_hooks_cmd(&cmd);
}

bool vkfd_hooks_present(void)
{
	int ret = vkfd_hooks_probe();

	if (ret == -ENOTTY)
		fprintf(stderr,
			"# vkfd: no test hooks: the module was built without VKFD_TEST=y\n");
	else if (ret)
		fprintf(stderr, "# vkfd: the test hooks cannot be asked: %s\n",
			strerror(-ret));
	return !ret;
}

int vkfd_ctx_row(pid_t pid, uint32_t ctx_id, struct vkfd_ctx_row *row)
{
	struct vkfd_test_cmd cmd = {
		.op = VKFD_TEST_OP_CTX_QUERY,
		.ctx_query = { .pid = pid, .ctx_id = ctx_id },
	};
	const struct vkfd_test_ctx_query *q = &cmd.ctx_query;
	int ret, i;

	memset(row, 0, sizeof(*row));
	ret = vkfd_hooks_cmd(&cmd);
	if (ret)
		return ret;
	row->exited = q->flags & VKFD_TEST_CTX_EXITED;
	row->refs = q->refs;
	row->num_pasids = q->num_gpus < VKFD_MAX_GPUS ? q->num_gpus : VKFD_MAX_GPUS;
	for (i = 0; i < row->num_pasids; i++)
		row->pasids[i] = q->pasids[i];
	row->bos = q->nr_bos;
	row->queues = q->nr_queues;
	row->vram = q->vram;
	row->pt = q->pt;
	row->events = q->nr_events;
	row->waiters = q->nr_waiters;
	return 0;
}

int vkfd_ctx_count(pid_t pid, int *exited)
{
	struct vkfd_test_cmd cmd = {
		.op = VKFD_TEST_OP_CTX_COUNT,
		.ctx_count.pid = pid,
	};
	int ret = vkfd_hooks_cmd(&cmd);

	if (ret)
		return ret;
	if (exited)
		*exited = cmd.ctx_count.exited;
	return cmd.ctx_count.contexts;
}

int vkfd_ctx_rows(pid_t pid)
{
	return vkfd_ctx_count(pid, NULL);
}

int vkfd_translate(pid_t pid, uint32_t ctx_id, uint32_t gpu_id, uint64_t va,
		   struct vkfd_xlate *x)
{
	struct vkfd_test_cmd cmd = {
		.op = VKFD_TEST_OP_TRANSLATE,
		.translate = {
			.pid = pid, .ctx_id = ctx_id, .gpu_id = gpu_id, .va = va,
		},
	};
	const struct vkfd_test_translate *t = &cmd.translate;
	size_t len;
	int ret, i;

	memset(x, 0, sizeof(*x));
	ret = vkfd_hooks_cmd(&cmd);
	if (ret)
		return ret;
	x->va = t->va;
	x->pasid = t->pasid;
	x->mapped = t->flags & VKFD_TEST_PTE_PRESENT;
	len = snprintf(x->text, sizeof(x->text), "va 0x%llx pasid %u",
		       (unsigned long long)x->va, x->pasid);
	if (!x->mapped) {
		snprintf(x->text + len, sizeof(x->text) - len, " unmapped");
		return 0;
	}
	x->pte = t->pte;
	x->pfn = t->pfn;
	x->perm[0] = t->flags & VKFD_TEST_PTE_READABLE ? 'r' : '-';
	x->perm[1] = t->flags & VKFD_TEST_PTE_WRITEABLE ? 'w' : '-';
	memcpy(x->data, t->data, sizeof(x->data));
	len += snprintf(x->text + len, sizeof(x->text) - len,
			" pte 0x%llx pfn 0x%llx perm %s data ",
			(unsigned long long)x->pte, (unsigned long long)x->pfn,
			x->perm);
	for (i = 0; i < (int)sizeof(x->data) && len < sizeof(x->text); i++)
		len += snprintf(x->text + len, sizeof(x->text) - len, "%02x",
				x->data[i]);
	return 0;
}

int vkfd_mmap_hold(pid_t pid)
{
	struct vkfd_test_cmd cmd = {
		.op = VKFD_TEST_OP_MMAP_HOLD,
		.mmap_hold.pid = pid,
	};

	return vkfd_hooks_cmd(&cmd);
}

int vkfd_mmap_release(void)
{
	struct vkfd_test_cmd cmd = { .op = VKFD_TEST_OP_MMAP_RELEASE };

	return vkfd_hooks_cmd(&cmd);
}

int vkfd_mmap_holders(void)
{
	struct vkfd_test_cmd cmd = { .op = VKFD_TEST_OP_MMAP_HOLDERS };
	int ret = vkfd_hooks_cmd(&cmd);

	return ret ? ret : (int)cmd.mmap_hold.holders;
}
