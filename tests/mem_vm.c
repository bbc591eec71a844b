// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU VMs: AMDKFD_IOC_ACQUIRE_VM binds a context to a render file of a
 * GPU and gives it a GPU VM with its own PASID.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include "kselftest_harness.h"
#include "mem_utils.h"

static int acquire(struct mem_ctx *c, uint32_t gpu_id, int drm_fd)
{
	return _test_acquire_vm(c->k.fd, drm_fd, gpu_id);
}

/* ------------------------------------------------------------------------
 * ACQUIRE_VM
 */

/* PASIDs come with the VMs: 0 before, per GPU after; sysfs shows the first GPU's. */
TEST_F(mem, acquire_vm_makes_pasid)
{
	struct mem_ctx *c[2] = { &self->ctx[0], mem_ctx_new(_metadata, self, true) };
	char path[PATH_MAX];
	struct vkfd_ctx_row row;
	int i, g, first;

	for (i = 0; i < 2; i++) {
		for (g = 0; g < self->b.ngpus; g++)
			EXPECT_EQ(0U, pasid_of(c[i], g));
		EXPECT_EQ(0ULL, sysfs_pasid(self, c[i]));
		EXPECT_EQ(0ULL, sysfs_vram(self, c[i], 0));
		row = row_of(_metadata, self, c[i]);
		EXPECT_EQ(0ULL, row.bos);
		EXPECT_EQ(0ULL, row.vram);
		EXPECT_EQ(0ULL, row.pt);
		for (g = 0; g < row.num_pasids; g++)
			EXPECT_EQ(0U, row.pasids[g]);
		for (g = 0; g < self->b.ngpus; g++) {
			struct vkfd_xlate x;

			EXPECT_EQ(-ENOENT, xlate(self, c[i], g, MEM_VA, &x));
		}
	}
	/* An idle secondary has no debugfs directory yet */
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/context_%u",
			  (int)self->b.pid, c[1]->id);
	EXPECT_FALSE(vkfd_exists(path));
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/pasid_%u",
			  (int)self->b.pid, self->b.gpu[0]);
	EXPECT_FALSE(vkfd_exists(path));

	for (i = 0; i < 2; i++) {
		/* The last GPU first: sysfs pasid is the first GPU's, still 0 */
		first = self->b.ngpus - 1;
		mem_vm(_metadata, self, c[i], first);
		EXPECT_NE(0U, pasid_of(c[i], first));
		if (first) {
			EXPECT_EQ(0U, pasid_of(c[i], 0));
			EXPECT_EQ(0ULL, sysfs_pasid(self, c[i]));
		}
		for (g = 0; g < self->b.ngpus - 1; g++)
			mem_vm(_metadata, self, c[i], g);
		EXPECT_EQ((uint64_t)pasid_of(c[i], 0), sysfs_pasid(self, c[i]));
		row = row_of(_metadata, self, c[i]);
		EXPECT_EQ((uint64_t)self->b.ngpus * PT_EMPTY, row.pt);
		EXPECT_EQ(0ULL, row.bos);
		ASSERT_EQ(self->b.ngpus, row.num_pasids);
		for (g = 0; g < self->b.ngpus; g++) {
			struct vkfd_xlate x;
			uint64_t v;

			EXPECT_NE(0U, pasid_of(c[i], g));
			EXPECT_EQ(pasid_of(c[i], g), row.pasids[g]);
			if (i)
				vkfd_debugfs_path(path, sizeof(path),
						  "/proc/%d/context_%u/pasid_%u",
						  (int)self->b.pid, c[i]->id, self->b.gpu[g]);
			else
				vkfd_debugfs_path(path, sizeof(path),
						  "/proc/%d/pasid_%u",
						  (int)self->b.pid, self->b.gpu[g]);
			ASSERT_EQ(0, vkfd_read_u64(path, &v)) TH_LOG("%s", path);
			EXPECT_EQ((uint64_t)pasid_of(c[i], g), v);
			/* an empty VM: nothing mapped, under the VM's PASID */
			ASSERT_EQ(0, xlate(self, c[i], g, MEM_VA, &x)) TH_LOG("%s", x.text);
			EXPECT_FALSE(x.mapped);
			EXPECT_EQ(pasid_of(c[i], g), x.pasid);
		}
	}
}

/* Every VM has its own PASID: none shared between GPUs or contexts. */
TEST_F(mem, acquire_vm_pasids_distinct)
{
	uint32_t seen[3 * VKFD_MAX_GPUS];
	int n = 0, i, j, g;

	mem_ctx_new(_metadata, self, true);
	mem_ctx_new(_metadata, self, true);
	for (i = 0; i < 3; i++) {
		for (g = 0; g < self->b.ngpus; g++) {
			mem_vm(_metadata, self, &self->ctx[i], g);
			seen[n] = pasid_of(&self->ctx[i], g);
			EXPECT_NE(0U, seen[n]);
			EXPECT_NE(UINT32_MAX, seen[n]);
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		int dup = 0;

		for (j = i + 1; j < n; j++)
			dup += seen[i] == seen[j];
		EXPECT_EQ(0, dup) TH_LOG("PASID %u of VM %d", seen[i], i);
	}
}

/* Acquiring again with the same render file (or a dup of it) succeeds and changes nothing. */
TEST_F(mem, acquire_vm_same_file_idempotent)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	int dupfd;

	mem_vm(_metadata, self, c, 0);
	snap(self, &before);
	EXPECT_EQ(0, acquire(c, self->b.gpu[0], c->render[0]));
	dupfd = vkfd_keep(&self->b, dup(c->render[0]));
	EXPECT_EQ(0, acquire(c, self->b.gpu[0], dupfd));
	EXPECT_UNCHANGED(&before);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

/* Another render file of the same GPU: EBUSY; the file stays free for another context. */
TEST_F(mem, acquire_vm_other_file_ebusy)
{
	struct mem_ctx *c = &self->ctx[0], *s;
	struct mem_snap before;
	uint32_t pasid;
	int other;

	mem_vm(_metadata, self, c, 0);
	pasid = pasid_of(c, 0);
	other = mem_render(_metadata, self, 0);
	s = mem_ctx_new(_metadata, self, true);
	snap(self, &before);
	EXPECT_EQ(-EBUSY, acquire(c, self->b.gpu[0], other));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(pasid, pasid_of(c, 0));
	/* The refused file was not consumed */
	EXPECT_EQ(0, acquire(s, self->b.gpu[0], other));
	EXPECT_NE(0U, pasid_of(s, 0));
	EXPECT_NE(pasid, pasid_of(s, 0));
	EXPECT_EQ(pasid, pasid_of(c, 0));
}

/* A gpu_id that names no GPU: EINVAL, no VM, no PASID. */
TEST_F(mem, acquire_vm_bad_gpu_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct vkfd_topo topo;
	struct mem_snap before;
	uint32_t bad[3];
	int fd = mem_render(_metadata, self, 0), i;

	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	bad[0] = 0;
	bad[1] = vkfd_topo_unused_gpu_id(&topo);
	bad[2] = 0xffffffff;
	snap(self, &before);
	for (i = 0; i < 3; i++) {
		uint32_t id = bad[i];

		EXPECT_EQ(-EINVAL, acquire(c, id, fd)) TH_LOG("gpu_id %u", id);
	}
	EXPECT_UNCHANGED(&before);
	/* The file is still good for its GPU */
	EXPECT_EQ(0, acquire(c, self->b.gpu[0], fd));
}

/* The DRM card node of the render node @minor: 0 and its path, or -ENOENT. */
static int card_node(uint32_t minor, char *buf, size_t n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/class/drm/renderD%u/device/drm", minor);
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "card", 4) ||
			    de->d_name[4] < '0' || de->d_name[4] > '9' ||
			    strchr(de->d_name, '-'))
				continue;
			snprintf(buf, n, "/dev/dri/%s", de->d_name);
			closedir(d);
			return 0;
		}
		closedir(d);
	}
	/* DRM gives a device's primary and render minors the same index */
	snprintf(buf, n, "/dev/dri/card%u", minor - 128);
	return access(buf, F_OK) ? -ENOENT : 0;
}

/* drm_fd that is not an open file of a vkfd render node: EINVAL, nothing changes. */
TEST_F(mem, acquire_vm_not_a_render_file_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	char card[PATH_MAX], tmpl[] = "/tmp/vkfd-mem-XXXXXX";
	struct mem_snap before;
	int fds[8], n = 0, closed, p[2], i;
	uint32_t minor;

	fds[n++] = vkfd_keep(&self->b, open("/dev/null", O_RDWR | O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	vkfd_keep(&self->b, p[1]);
	fds[n++] = vkfd_keep(&self->b, p[0]);
	fds[n++] = vkfd_keep(&self->b, mkostemp(tmpl, O_CLOEXEC));
	unlink(tmpl);
	fds[n++] = c->k.fd;		/* the KFD device itself */
	fds[n++] = -1;
	ASSERT_EQ(0, vkfd_render_minor(self->b.env.topology, self->b.gpu[0], &minor));
	if (!card_node(minor, card, sizeof(card)))
		fds[n++] = vkfd_keep(&self->b, open(card, O_RDWR | O_CLOEXEC));
	else
		TH_LOG("no card node next to renderD%u: not tried", minor);
	closed = dup(fds[0]);
	ASSERT_LE(0, closed);
	close(closed);
	fds[n++] = closed;

	snap(self, &before);
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EINVAL, acquire(c, self->b.gpu[0], fds[i])) TH_LOG("fd %d (#%d)", fds[i], i);
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0U, pasid_of(c, 0));
}

/* A render file of GPU 1 for GPU 0: EINVAL. */
TEST_F(mem, acquire_vm_other_gpus_file_einval)
{
	struct mem_ctx *c = &self->ctx[0];
	struct mem_snap before;
	int fd;

	NEED_GPUS(2);
	fd = mem_render(_metadata, self, 1);
	snap(self, &before);
	EXPECT_EQ(-EINVAL, acquire(c, self->b.gpu[0], fd));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0, acquire(c, self->b.gpu[1], fd));
}

/* A render file bound to one context's VM cannot make another's: EINVAL. */
TEST_F(mem, acquire_vm_file_of_other_context_einval)
{
	struct mem_ctx *p = &self->ctx[0];
	struct mem_ctx *s1 = mem_ctx_new(_metadata, self, true);
	struct mem_ctx *s2 = mem_ctx_new(_metadata, self, true);
	struct mem_snap before;

	mem_vm(_metadata, self, p, 0);
	mem_vm(_metadata, self, s1, 0);
	snap(self, &before);
	EXPECT_EQ(-EINVAL, acquire(s2, self->b.gpu[0], p->render[0]));
	EXPECT_EQ(-EINVAL, acquire(s2, self->b.gpu[0], s1->render[0]));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(0U, pasid_of(s2, 0));
	/* s2 still gets a VM of its own */
	mem_vm(_metadata, self, s2, 0);
	EXPECT_NE(0U, pasid_of(s2, 0));
}

/* The context keeps the render file: closing drm_fd leaves the VM working. */
TEST_F(mem, acquire_vm_render_fd_closed)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t pasid, gpu = self->b.gpu[0];
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	void *map;
	int fd;

	mem_vm(_metadata, self, c, 0);
	pasid = pasid_of(c, 0);
	close(c->render[0]);
	c->render[0] = -1;
	EXPECT_EQ(pasid, pasid_of(c, 0));
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 64 * KIB, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	ASSERT_MAPPED(c, 0, MEM_VA, &x);
	EXPECT_EQ(pasid, x.pasid);
	EXPECT_ROW(c, 1, 64 * KIB, PT_ONE_PAGE);
	/* The VM is still bound to the closed file: another one is refused */
	fd = mem_render(_metadata, self, 0);
	EXPECT_EQ(-EBUSY, acquire(c, gpu, fd));
	EXPECT_EQ(-EACCES, vkfd_bo_mmap(fd, &bo, PROT_READ, &map));
	EXPECT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_UNMAPPED(c, 0, MEM_VA);
	EXPECT_ROW(c, 0, 0, PT_EMPTY);
}

TEST_HARNESS_MAIN
