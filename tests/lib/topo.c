// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The driver as sysfs shows it: the topology, the per-process and
 * per-context entries, and the PASIDs that come with the GPU VMs.
 */
#include "vkfd_test.h"

int vkfd_topo_load(const char *topology, struct vkfd_topo *t)
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

bool vkfd_topo_has_gpu(const struct vkfd_topo *t, uint32_t id)
{
	int i;

	for (i = 0; i < t->num_gpus; i++)
		if (t->gpu_id[i] == id)
			return true;
	return false;
}

uint32_t vkfd_topo_unused_gpu_id(const struct vkfd_topo *t)
{
	uint32_t id = 0xfff1;

	while (!id || vkfd_topo_has_gpu(t, id))
		id++;
	return id;
}

void vkfd_proc_path(const struct vkfd_env *env, pid_t pid,
		    const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s/proc/%d%s%s", env->sysfs, (int)pid,
		 file ? "/" : "", file ? file : "");
}

int vkfd_ctx_dir_count(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	vkfd_proc_path(env, pid, NULL, path, sizeof(path));
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "context_", 8);
	closedir(d);
	return n;
}

bool vkfd_proc_exists(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];

	vkfd_proc_path(env, pid, NULL, path, sizeof(path));
	return vkfd_exists(path);
}

uint64_t vkfd_proc_pasid(const struct vkfd_env *env, pid_t pid)
{
	char path[PATH_MAX];
	uint64_t pasid;

	vkfd_proc_path(env, pid, "pasid", path, sizeof(path));
	return vkfd_read_u64(path, &pasid) ? 0 : pasid;
}

bool vkfd_proc_gone_after_exit(const struct vkfd_env *env,
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

void vkfd_ctx_sysfs_path(const struct vkfd_env *env, pid_t pid,
			 uint32_t ctx_id, const char *file,
			 char *buf, size_t n)
{
	if (ctx_id == VKFD_CTX_ID_PRIMARY)
		snprintf(buf, n, "%s/proc/%d/%s", env->sysfs, (int)pid, file);
	else
		snprintf(buf, n, "%s/proc/%d/context_%u/%s", env->sysfs,
			 (int)pid, ctx_id, file);
}

int vkfd_ctx_sysfs_u64(const struct vkfd_env *env, pid_t pid,
		       uint32_t ctx_id, const char *file,
		       uint64_t *val)
{
	char path[PATH_MAX];

	vkfd_ctx_sysfs_path(env, pid, ctx_id, file, path, sizeof(path));
	return vkfd_read_u64(path, val);
}

uint64_t vkfd_ctx_sysfs_val(const struct vkfd_env *env, pid_t pid,
			    uint32_t ctx_id, const char *fmt, ...)
{
	char file[128];
	uint64_t v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(file, sizeof(file), fmt, ap);
	va_end(ap);
	return vkfd_ctx_sysfs_u64(env, pid, ctx_id, file, &v) ? UINT64_MAX : v;
}

int vkfd_pasid_vm(const struct vkfd_env *env, int fd)
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
