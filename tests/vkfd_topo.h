/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The driver as sysfs shows it: the topology, the per-process and
 * per-context entries, and the PASIDs that come with the GPU VMs.
 *
 * Part of the selftest helpers: tests include vkfd_utils.h, which
 * includes this file.
 */
#ifndef VKFD_SELFTEST_TOPO_H
#define VKFD_SELFTEST_TOPO_H

#ifndef VKFD_SELFTEST_UTILS_H
#error "include vkfd_utils.h, which includes vkfd_topo.h"
#endif

#define VKFD_MAX_NODES		64
#define VKFD_PROC_GONE_MS	10000	/* amdkfd releases processes from a workqueue */

/* ------------------------------------------------------------------------
 * Topology
 */

struct vkfd_topo {
	int num_nodes;
	int num_gpus;
	uint32_t node_gpu_id[VKFD_MAX_NODES];	/* per node, 0 = CPU */
	uint32_t gpu_id[VKFD_MAX_NODES];	/* GPU nodes only, in node order */
	int gpu_node[VKFD_MAX_NODES];		/* node index of gpu_id[i] */
};

/* Reads nodes/N/gpu_id for every node. Returns 0 or -errno. */
static inline int vkfd_topo_load(const char *topology, struct vkfd_topo *t)
{
	char path[PATH_MAX];
	uint64_t id;
	int i, ret;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/nodes", topology);
	ret = vkfd_count_indexed(path);
	if (ret < 0)
		return ret;
	if (ret > VKFD_MAX_NODES)
		return -E2BIG;
	t->num_nodes = ret;
	for (i = 0; i < t->num_nodes; i++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/gpu_id", topology, i);
		ret = vkfd_read_u64(path, &id);
		if (ret)
			return ret;
		if (id > UINT32_MAX)
			return -ERANGE;
		t->node_gpu_id[i] = id;
		if (id) {
			t->gpu_node[t->num_gpus] = i;
			t->gpu_id[t->num_gpus++] = id;
		}
	}
	return 0;
}

static inline bool vkfd_topo_has_gpu(const struct vkfd_topo *t, uint32_t id)
{
	int i;

	for (i = 0; i < t->num_gpus; i++)
		if (t->gpu_id[i] == id)
			return true;
	return false;
}

/* A non-zero gpu_id that no node has. */
static inline uint32_t vkfd_topo_unused_gpu_id(const struct vkfd_topo *t)
{
	uint32_t id = 0xfff1;

	while (!id || vkfd_topo_has_gpu(t, id))
		id++;
	return id;
}

/*
 * The start of a fixture of GPU tests (queues, SDMA): @env from the
 * environment, the ids of the first *@ngpus GPUs (at most VKFD_MAX_GPUS)
 * in @gpu, the primary context @p and, on vkfd with a GPU, its VM on the
 * first GPU, whose render fd goes to *@render (else -1).
 */
static inline void vkfd_gpu_fixture_open(struct __test_metadata *_metadata,
					 struct vkfd_env *env, uint32_t *gpu,
					 int *ngpus, struct vkfd_context *p,
					 int *render)
{
	struct vkfd_topo topo;
	int g;

	vkfd_env_init(env);
	*render = -1;
	ASSERT_EQ(0, vkfd_topo_load(env->topology, &topo));
	*ngpus = topo.num_gpus < VKFD_MAX_GPUS ? topo.num_gpus : VKFD_MAX_GPUS;
	for (g = 0; g < *ngpus; g++)
		gpu[g] = topo.gpu_id[g];
	ASSERT_EQ(0, vkfd_open_primary(env->dev, p));
	if (!env->amdkfd && *ngpus)
		ASSERT_EQ(0, vkfd_open_vm(p, env->topology, gpu[0], render));
}

/* ------------------------------------------------------------------------
 * Per-process sysfs entries: $VKFD_SYSFS/proc/<pid>
 */

static inline void vkfd_proc_path(const struct vkfd_env *env, pid_t pid,
				  const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s/proc/%d%s%s", env->sysfs, (int)pid,
		 file ? "/" : "", file ? file : "");
}

static inline bool vkfd_proc_exists(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];

	vkfd_proc_path(env, pid, NULL, path, sizeof(path));
	return vkfd_exists(path);
}

/* Returns the pasid of @pid's primary context, 0 if it cannot be read. */
static inline uint64_t vkfd_proc_pasid(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];
	uint64_t pasid;

	vkfd_proc_path(env, pid, "pasid", path, sizeof(path));
	return vkfd_read_u64(path, &pasid) ? 0 : pasid;
}

/*
 * After the process @pid was reaped: is proc/<pid> gone? vkfd removes it
 * before waitpid() returns; amdkfd from a workqueue, so poll (bounded).
 */
static inline bool vkfd_proc_gone_after_exit(const struct vkfd_env *env,
					     pid_t pid)
{
	int waited = 0;

	if (!env->amdkfd)
		return !vkfd_proc_exists(env, pid);
	while (vkfd_proc_exists(env, pid)) {
		if (waited >= VKFD_PROC_GONE_MS)
			return false;
		vkfd_sleep_ms(20);
		waited += 20;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * Per-context sysfs files: $VKFD_SYSFS/proc/<pid>[/context_<id>]
 */

/* $VKFD_SYSFS/proc/<pid>[/context_<id>]/@file of a context. */
static inline void vkfd_ctx_sysfs_path(const struct vkfd_env *env, pid_t pid,
				       uint32_t ctx_id, const char *file,
				       char *buf, size_t n)
{
	if (ctx_id == VKFD_CTX_ID_PRIMARY)
		snprintf(buf, n, "%s/proc/%d/%s", env->sysfs, (int)pid, file);
	else
		snprintf(buf, n, "%s/proc/%d/context_%u/%s", env->sysfs,
			 (int)pid, ctx_id, file);
}

/* A decimal sysfs file of a context: 0 or -errno. */
static inline int vkfd_ctx_sysfs_u64(const struct vkfd_env *env, pid_t pid,
				     uint32_t ctx_id, const char *file,
				     uint64_t *val)
{
	char path[PATH_MAX];

	vkfd_ctx_sysfs_path(env, pid, ctx_id, file, path, sizeof(path));
	return vkfd_read_u64(path, val);
}

/* ------------------------------------------------------------------------
 * PASIDs and GPU VMs
 */

/*
 * On vkfd a context holds a PASID only once it has a GPU VM (made by
 * AMDKFD_IOC_ACQUIRE_VM), as in Linux 7.0; amdkfd 6.1 gives a process its
 * PASID at open(). Tests that use the sysfs pasid as the identity of a
 * primary give the context of @fd its VM on the first GPU first: the
 * render file is closed again, the context keeps it. Nothing to do on
 * amdkfd. Returns 0 or -errno.
 */
static inline int vkfd_pasid_vm(const struct vkfd_env *env, int fd)
{
	struct vkfd_context ctx = { .fd = fd, .primary = true };
	int ret, render;
	uint32_t gpu;

	if (env->amdkfd)
		return 0;
	ret = vkfd_gpu_ids(env->topology, &gpu, 1);
	if (ret <= 0)
		return ret ? ret : -ENODEV;
	ret = vkfd_open_vm(&ctx, env->topology, gpu, &render);
	if (ret)
		return ret;
	close(render);
	return 0;
}

#endif /* VKFD_SELFTEST_TOPO_H */
