// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The KFD ioctl dispatcher (sizes, directions, unknown numbers, the
 * opener-only rule) and the query ioctls: GET_VERSION, GET_CLOCK_COUNTERS,
 * GET_PROCESS_APERTURES(_NEW) and SET_XNACK_MODE. The GPU memory ioctls
 * have their own file, mem.c. Shared tests run against vkfd and amdkfd;
 * vkfd-only ones say why they skip on amdkfd.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "vkfd_utils.h"

/* amdkfd in Linux 6.1 reports uAPI 1.11; vkfd reports 1.1 (no 1.3+ feature yet). */
#define AMDKFD_61_MINOR		11
#define VKFD_MINOR		1

#define GIB			(1ULL << 30)

/* The output fields of GET_CLOCK_COUNTERS: everything before gpu_id. */
#define CLOCK_OUT_SIZE		offsetof(struct kfd_ioctl_get_clock_counters_args, gpu_id)

/* The uAPI layouts this file relies on (Linux 6.1, uAPI 1.11). */
_Static_assert(sizeof(struct kfd_ioctl_get_version_args) == 8, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_clock_counters_args) == 40, "uapi");
_Static_assert(sizeof(struct kfd_process_device_apertures) == 56, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_process_apertures_args) == 400, "uapi");
_Static_assert(sizeof(struct kfd_ioctl_get_process_apertures_new_args) == 16, "uapi");

FIXTURE(ioctl) {
	struct vkfd_env env;
	struct vkfd_topo topo;
	int fd;
	struct vkfd_child child;
	int sock[2];
};

FIXTURE_SETUP(ioctl)
{
	self->fd = self->sock[0] = self->sock[1] = -1;
	vkfd_env_init(&self->env);
	ASSERT_EQ(0, vkfd_topo_load(self->env.topology, &self->topo));
	self->fd = vkfd_open_dev(&self->env);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ioctl)
{
	vkfd_child_kill(&self->child);
	if (self->sock[0] >= 0)
		close(self->sock[0]);
	if (self->sock[1] >= 0)
		close(self->sock[1]);
	if (self->fd >= 0)
		close(self->fd);
}

static int query_xnack(int fd, int *val)
{
	struct kfd_ioctl_set_xnack_mode_args args = { .xnack_enabled = -1 };
	int ret = vkfd_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &args);

	*val = args.xnack_enabled;
	return ret;
}

/*
 * The XNACK mode as a probe of "nothing changed": the queried mode, or the
 * negative errno of the query (Debian's amdkfd is built without
 * CONFIG_HSA_AMD_SVM and answers every SET_XNACK_MODE with EPERM).
 */
static int xnack_state(int fd)
{
	int mode, ret = query_xnack(fd, &mode);

	return ret ? ret : mode;
}

static int get_apertures_new(int fd, struct kfd_process_device_apertures *ap,
			     uint32_t *num)
{
	struct kfd_ioctl_get_process_apertures_new_args args = {
		.kfd_process_device_apertures_ptr = (uintptr_t)ap,
		.num_of_nodes = *num,
	};
	int ret = vkfd_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);

	*num = args.num_of_nodes;
	return ret;
}

#define SKIP_IF_NO_GPU(topo) do {					\
	if (!(topo)->num_gpus)						\
		SKIP(return, "no GPU node in the topology (CPU-only)");	\
} while (0)

/* ------------------------------------------------------------------------
 * GET_VERSION and the size/direction handling of the dispatcher
 */

/* GET_VERSION reports major 1; vkfd exactly 1.1, amdkfd 6.1 1.11. */
TEST_F(ioctl, get_version)
{
	struct kfd_ioctl_get_version_args args;

	vkfd_fill(&args, sizeof(args));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &args);
	EXPECT_EQ(1U, args.major_version);
	EXPECT_EQ(self->env.amdkfd ? AMDKFD_61_MINOR : VKFD_MINOR,
		  (int)args.minor_version);
}

/* A size-0 command word (_IO) succeeds and writes nothing, not even through NULL. */
TEST_F(ioctl, get_version_size_zero)
{
	unsigned char buf[16];

	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, _IO(AMDKFD_IOCTL_BASE, 0x01), buf);
	EXPECT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	test_ioctl(self->fd, _IO(AMDKFD_IOCTL_BASE, 0x01), NULL);
}

/* A short user struct gets only its prefix: size 4 writes major, not minor. */
TEST_F(ioctl, get_version_short_size)
{
	unsigned char buf[16];
	__u32 major;

	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, _IOC_READ, 4), buf);
	memcpy(&major, buf, sizeof(major));
	EXPECT_EQ(1U, major);
	EXPECT_TRUE(vkfd_untouched(buf + 4, sizeof(buf) - 4));
}

/* A long user struct keeps its bytes past the kernel struct (read-only command). */
TEST_F(ioctl, get_version_long_size)
{
	unsigned char buf[64];
	struct kfd_ioctl_get_version_args args;

	VKFD_ONLY(&self->env, "amdkfd zero-fills the whole user buffer of an _IOR command");
	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, _IOC_READ, sizeof(buf)),
		   buf);
	memcpy(&args, buf, sizeof(args));
	EXPECT_EQ(1U, args.major_version);
	EXPECT_EQ((__u32)VKFD_MINOR, args.minor_version);
	EXPECT_TRUE(vkfd_untouched(buf + sizeof(args), sizeof(buf) - sizeof(args)));
}

/* The kernel's own command word decides the direction, not the caller's. */
TEST_F(ioctl, direction_from_table)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	struct kfd_ioctl_get_version_args args;
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(dirs); i++) {
		vkfd_fill(&args, sizeof(args));
		test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, dirs[i],
						     sizeof(args)), &args);
		EXPECT_EQ(1U, args.major_version);
	}
}

/* A long read-write struct: the kernel part is answered, the tail is left alone. */
TEST_F(ioctl, clock_counters_long_size)
{
	struct {
		struct kfd_ioctl_get_clock_counters_args args;
		unsigned char tail[32];
	} buf;

	vkfd_fill(&buf, sizeof(buf));
	buf.args.gpu_id = 0;
	buf.args.pad = 0;
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_CLOCK_COUNTERS,
					     _IOC_READ | _IOC_WRITE, sizeof(buf)), &buf);
	EXPECT_EQ(1000000000ULL, buf.args.system_clock_freq);
	EXPECT_EQ(0ULL, buf.args.gpu_clock_counter);
	EXPECT_TRUE(vkfd_untouched(buf.tail, sizeof(buf.tail)));
}

/* A short read-write struct is zero-extended on the way in and only its prefix is written. */
TEST_F(ioctl, clock_counters_short_size)
{
	struct kfd_ioctl_get_clock_counters_args args;

	/* gpu_id and pad lie past the 8 bytes passed: they must read as 0 (CPU) */
	vkfd_fill(&args, sizeof(args));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_CLOCK_COUNTERS,
					     _IOC_READ | _IOC_WRITE, 8), &args);
	EXPECT_EQ(0ULL, args.gpu_clock_counter);
	EXPECT_TRUE(vkfd_untouched((char *)&args + 8, sizeof(args) - 8));
}

/* Every implemented ioctl given NULL or an unmapped argument fails with EFAULT. */
TEST_F(ioctl, bad_argument_pointer_efault)
{
	static const unsigned long cmds[] = {
		AMDKFD_IOC_GET_VERSION,
		AMDKFD_IOC_GET_CLOCK_COUNTERS,
		AMDKFD_IOC_GET_PROCESS_APERTURES,
		AMDKFD_IOC_GET_PROCESS_APERTURES_NEW,
		AMDKFD_IOC_SET_XNACK_MODE,
		AMDKFD_IOC_SET_MEMORY_POLICY,
		AMDKFD_IOC_SET_SCRATCH_BACKING_VA,
		AMDKFD_IOC_GET_TILE_CONFIG,
		AMDKFD_IOC_ACQUIRE_VM,
		AMDKFD_IOC_ALLOC_MEMORY_OF_GPU,
		AMDKFD_IOC_FREE_MEMORY_OF_GPU,
		AMDKFD_IOC_MAP_MEMORY_TO_GPU,
		AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU,
		AMDKFD_IOC_AVAILABLE_MEMORY,
	};
	void *unmapped = vkfd_unmapped_page();
	int i, xnack = xnack_state(self->fd);

	ASSERT_NE(NULL, unmapped);
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(-EFAULT, vkfd_ioctl(self->fd, cmds[i], NULL))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		ASSERT_EQ(-EFAULT, vkfd_ioctl(self->fd, cmds[i], unmapped))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
	}
	EXPECT_EQ(xnack, xnack_state(self->fd));
}

/* A struct that runs off the end of a mapping fails with EFAULT too. */
TEST_F(ioctl, straddling_argument_efault)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + psz, psz, PROT_NONE));
	memset(map, 0, psz);
	/* 40-byte clock struct with only 16 bytes mapped: gpu_id lies in the hole */
	test_err_ioctl(EFAULT, self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, map + psz - 16);
	/* 8-byte version struct with 4 bytes mapped */
	test_err_ioctl(EFAULT, self->fd, AMDKFD_IOC_GET_VERSION, map + psz - 4);
	munmap(map, 2 * psz);
}

/* ------------------------------------------------------------------------
 * Unknown command numbers
 */

/*
 * 0x27 (CREATE_PROCESS) is unknown to 6.1's amdkfd but not to vkfd: see
 * ctx.c. 0x25 and 0x26 are upstream's RUNTIME_ENABLE and DBG_TRAP, which
 * neither driver implements.
 */
static const unsigned int unknown_nrs[] = {
	0x00, 0x24, 0x25, 0x26, 0x28, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff,
};

/* nr 0 and nr >= 0x24 (but 0x27) are ENOTTY whatever size/direction, and touch nothing. */
TEST_F(ioctl, unknown_nr_enotty)
{
	static const struct { unsigned int dir, size; } shapes[] = {
		{ _IOC_NONE, 0 },
		{ _IOC_READ, 8 },
		{ _IOC_WRITE, 16 },
		{ _IOC_READ | _IOC_WRITE, 64 },
		{ _IOC_READ | _IOC_WRITE, 400 },
	};
	struct kfd_ioctl_get_version_args ver;
	unsigned char buf[512];
	int i, j;

	for (i = 0; i < (int)ARRAY_SIZE(unknown_nrs); i++) {
		for (j = 0; j < (int)ARRAY_SIZE(shapes); j++) {
			unsigned long cmd = _IOC(shapes[j].dir, AMDKFD_IOCTL_BASE,
						 unknown_nrs[i], shapes[j].size);

			vkfd_fill(buf, sizeof(buf));
			ASSERT_EQ(-ENOTTY, vkfd_ioctl(self->fd, cmd, buf))
				TH_LOG("nr 0x%02x size %u", unknown_nrs[i], shapes[j].size);
			ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)))
				TH_LOG("nr 0x%02x size %u", unknown_nrs[i], shapes[j].size);
		}
	}
	/* and the fd still works */
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

/* vkfd answers ENOTTY for every number in range that it does not implement yet. */
TEST_F(ioctl, unimplemented_nr_enotty)
{
	static const unsigned long implemented[] = {
		AMDKFD_IOC_GET_VERSION, AMDKFD_IOC_GET_CLOCK_COUNTERS,
		AMDKFD_IOC_GET_PROCESS_APERTURES,
		AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, AMDKFD_IOC_SET_XNACK_MODE,
		/* GPU memory (mem.c) */
		AMDKFD_IOC_SET_MEMORY_POLICY, AMDKFD_IOC_SET_SCRATCH_BACKING_VA,
		AMDKFD_IOC_GET_TILE_CONFIG, AMDKFD_IOC_ACQUIRE_VM,
		AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, AMDKFD_IOC_FREE_MEMORY_OF_GPU,
		AMDKFD_IOC_MAP_MEMORY_TO_GPU, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU,
		AMDKFD_IOC_AVAILABLE_MEMORY,
	};
	static const unsigned long cmds[] = {
		AMDKFD_IOC_CREATE_QUEUE, AMDKFD_IOC_DESTROY_QUEUE,
		AMDKFD_IOC_UPDATE_QUEUE,
		AMDKFD_IOC_CREATE_EVENT, AMDKFD_IOC_DESTROY_EVENT,
		AMDKFD_IOC_SET_EVENT, AMDKFD_IOC_RESET_EVENT,
		AMDKFD_IOC_WAIT_EVENTS, AMDKFD_IOC_DBG_REGISTER_DEPRECATED,
		AMDKFD_IOC_DBG_UNREGISTER_DEPRECATED,
		AMDKFD_IOC_DBG_ADDRESS_WATCH_DEPRECATED,
		AMDKFD_IOC_DBG_WAVE_CONTROL_DEPRECATED,
		AMDKFD_IOC_SET_TRAP_HANDLER,
		AMDKFD_IOC_SET_CU_MASK, AMDKFD_IOC_GET_QUEUE_WAVE_STATE,
		AMDKFD_IOC_GET_DMABUF_INFO, AMDKFD_IOC_IMPORT_DMABUF,
		AMDKFD_IOC_ALLOC_QUEUE_GWS, AMDKFD_IOC_SMI_EVENTS,
		AMDKFD_IOC_SVM, AMDKFD_IOC_CRIU_OP,
	};
	bool seen[AMDKFD_COMMAND_END] = { false };
	unsigned char buf[1024];
	int i;

	VKFD_ONLY(&self->env, "amdkfd implements these numbers (holes answer EINVAL)");
	/* the two lists cover 0x01 .. 0x23 exactly once */
	for (i = 0; i < (int)ARRAY_SIZE(implemented); i++)
		seen[_IOC_NR(implemented[i])] = true;
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		ASSERT_FALSE(seen[_IOC_NR(cmds[i])]);
		seen[_IOC_NR(cmds[i])] = true;
	}
	for (i = AMDKFD_COMMAND_START; i < AMDKFD_COMMAND_END; i++)
		ASSERT_TRUE(seen[i]);

	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		ASSERT_GE(sizeof(buf), _IOC_SIZE(cmds[i]));
		/* all-zero arguments: the most "valid" request possible */
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(-ENOTTY, vkfd_ioctl(self->fd, cmds[i], buf))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		vkfd_fill(buf, sizeof(buf));
		ASSERT_EQ(-ENOTTY, vkfd_ioctl(self->fd, cmds[i], buf))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
	}
}

/* A command whose type byte is not 'K' is ENOTTY even with a valid number. */
TEST_F(ioctl, wrong_type_enotty)
{
	static const unsigned int types[] = { 0, 'J', 'k', 'L', 0xff };
	unsigned char buf[64];
	int i;

	VKFD_ONLY(&self->env, "amdkfd dispatches on the number alone, ignoring the type byte");
	for (i = 0; i < (int)ARRAY_SIZE(types); i++) {
		vkfd_fill(buf, sizeof(buf));
		test_err_ioctl(ENOTTY, self->fd,
			       _IOC(_IOC_READ, types[i], 0x01,
				    sizeof(struct kfd_ioctl_get_version_args)), buf);
		ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	}
}

/* ------------------------------------------------------------------------
 * Only the opener may use the fd
 */

/*
 * Runs in a process that does not own @fd. Returns 0 if every ioctl was
 * refused as it must be and nothing was written, else the failing step.
 */
static int foreign_ioctls(int fd)
{
	struct kfd_ioctl_get_version_args ver;
	struct kfd_ioctl_get_clock_counters_args clk;
	struct kfd_ioctl_get_process_apertures_new_args apn;
	struct kfd_ioctl_get_process_apertures_args ap;
	struct kfd_ioctl_set_xnack_mode_args xn;
	unsigned char buf[64];

	vkfd_fill(&ver, sizeof(ver));
	if (vkfd_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) != -EBADF ||
	    !vkfd_untouched(&ver, sizeof(ver)))
		return 20;
	vkfd_fill(&clk, sizeof(clk));
	clk.gpu_id = clk.pad = 0;
	if (vkfd_ioctl(fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &clk) != -EBADF ||
	    !vkfd_untouched(&clk, CLOCK_OUT_SIZE))
		return 21;
	vkfd_fill(&apn, sizeof(apn));
	apn.num_of_nodes = 0;
	apn.pad = 0;
	if (vkfd_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &apn) != -EBADF ||
	    apn.num_of_nodes != 0)
		return 22;
	vkfd_fill(&ap, sizeof(ap));
	if (vkfd_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES, &ap) != -EBADF ||
	    !vkfd_untouched(&ap, sizeof(ap)))
		return 23;
	xn.xnack_enabled = -1;
	if (vkfd_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF ||
	    xn.xnack_enabled != -1)
		return 24;
	/* a set attempt: the caller checks the owner's mode did not change */
	xn.xnack_enabled = 1;
	if (vkfd_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF)
		return 25;
	xn.xnack_enabled = 0;
	if (vkfd_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF)
		return 26;
	/* the number check comes first: unknown numbers stay ENOTTY */
	vkfd_fill(buf, sizeof(buf));
	if (vkfd_ioctl(fd, _IOWR(AMDKFD_IOCTL_BASE, 0xff, buf), buf) != -ENOTTY ||
	    vkfd_ioctl(fd, _IO(AMDKFD_IOCTL_BASE, 0x00), buf) != -ENOTTY ||
	    vkfd_ioctl(fd, _IOR(AMDKFD_IOCTL_BASE, 0x28, __u64), buf) != -ENOTTY ||
	    !vkfd_untouched(buf, sizeof(buf)))
		return 27;
	return 0;
}

struct foreign_child_args {
	const struct vkfd_env *env;
	int fd;
	int sock;
};

/* Child: use the fd inherited through fork(); it must not get a context either. */
static int fork_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	int ret = foreign_ioctls(a->fd);

	if (ret)
		return ret;
	if (vkfd_proc_exists(a->env, getpid()))
		return 30;
	return 0;
}

/* A fork child using the inherited fd gets EBADF (unknown numbers ENOTTY); nothing changes. */
TEST_F(ioctl, fork_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->env, .fd = self->fd };
	struct kfd_ioctl_get_version_args ver;
	int xnack = xnack_state(self->fd);
	uint64_t pasid;

	ASSERT_EQ(0, vkfd_pasid_vm(&self->env, self->fd));
	pasid = vkfd_proc_pasid(&self->env, getpid());
	ASSERT_NE(0ULL, pasid);
	ASSERT_EQ(0, vkfd_child_start(&self->child, fork_child, &args));
	EXPECT_EQ(0, vkfd_child_wait(&self->child));

	EXPECT_EQ(xnack, xnack_state(self->fd));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->env, getpid()));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

/* Child: open the device, pass the fd to the parent, then prove it still works for us. */
static int sender_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };
	uint64_t step;
	int fd = vkfd_open_dev(a->env);

	if (fd < 0)
		return 10;
	if (vkfd_pasid_vm(a->env, fd))
		return 16;
	if (vkfd_send_fd(a->sock, fd))
		return 11;
	if (vkfd_msg_send(out, vkfd_proc_pasid(a->env, getpid())))
		return 12;
	/* the parent has tried (and failed) to use our fd */
	if (vkfd_msg_recv(in, &step))
		return 13;
	if (vkfd_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) || ver.major_version != 1)
		return 14;
	if (vkfd_msg_send(out, 0))
		return 15;
	vkfd_msg_recv(in, &step);
	close(fd);
	return 0;
}

/* An fd received over SCM_RIGHTS from its opener gets EBADF; the opener keeps using it. */
TEST_F(ioctl, scm_rights_from_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->env };
	uint64_t child_pasid, ack;
	int fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, self->sock));
	args.sock = self->sock[1];
	ASSERT_EQ(0, vkfd_child_start(&self->child, sender_child, &args));
	fd = vkfd_recv_fd(self->sock[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vkfd_msg_recv(self->child.from_child, &child_pasid));
	ASSERT_NE(0ULL, child_pasid);

	EXPECT_EQ(0, foreign_ioctls(fd));
	close(fd);
	EXPECT_EQ(child_pasid, vkfd_proc_pasid(&self->env, self->child.pid));

	ASSERT_EQ(0, vkfd_msg_send(self->child.to_child, 1));
	ASSERT_EQ(0, vkfd_msg_recv(self->child.from_child, &ack));
	EXPECT_EQ(0, vkfd_child_wait(&self->child));
}

/* Child: receive the parent's fd and try to use it. */
static int receiver_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	int fd = vkfd_recv_fd(a->sock), ret;

	if (fd < 0)
		return 10;
	ret = foreign_ioctls(fd);
	close(fd);
	if (ret)
		return ret;
	if (vkfd_proc_exists(a->env, getpid()))
		return 30;
	return 0;
}

/* An fd sent over SCM_RIGHTS to another process gets EBADF there; the opener is unaffected. */
TEST_F(ioctl, scm_rights_to_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->env };
	struct kfd_ioctl_get_version_args ver;
	int xnack = xnack_state(self->fd);
	uint64_t pasid;

	ASSERT_EQ(0, vkfd_pasid_vm(&self->env, self->fd));
	pasid = vkfd_proc_pasid(&self->env, getpid());
	ASSERT_NE(0ULL, pasid);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, self->sock));
	args.sock = self->sock[1];
	ASSERT_EQ(0, vkfd_child_start(&self->child, receiver_child, &args));
	ASSERT_EQ(0, vkfd_send_fd(self->sock[0], self->fd));
	EXPECT_EQ(0, vkfd_child_wait(&self->child));

	EXPECT_EQ(xnack, xnack_state(self->fd));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->env, getpid()));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

struct thread_ioctl {
	int fd;
	int ret[3];
	__u32 major;
	__u64 freq;
	__u32 num_nodes;
};

static void *thread_ioctl_fn(void *arg)
{
	struct thread_ioctl *t = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };
	struct kfd_ioctl_get_clock_counters_args clk = { 0 };
	struct kfd_ioctl_get_process_apertures_new_args apn = { 0 };

	t->ret[0] = vkfd_ioctl(t->fd, AMDKFD_IOC_GET_VERSION, &ver);
	t->ret[1] = vkfd_ioctl(t->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &clk);
	t->ret[2] = vkfd_ioctl(t->fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &apn);
	t->major = ver.major_version;
	t->freq = clk.system_clock_freq;
	t->num_nodes = apn.num_of_nodes;
	return NULL;
}

/* Other threads of the opener may use its fd. */
TEST_F(ioctl, other_thread_allowed)
{
	struct thread_ioctl t = { .fd = self->fd };
	pthread_t thread;

	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_ioctl_fn, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, t.ret[0]);
	EXPECT_EQ(0, t.ret[1]);
	EXPECT_EQ(0, t.ret[2]);
	EXPECT_EQ(1U, t.major);
	EXPECT_EQ(1000000000ULL, t.freq);
	EXPECT_EQ((__u32)self->topo.num_gpus, t.num_nodes);
}

/* ------------------------------------------------------------------------
 * GET_CLOCK_COUNTERS
 */

/* gpu_id 0 (CPU): 1 GHz, GPU counter 0, CPU/system counters non-zero and non-decreasing. */
TEST_F(ioctl, clock_counters_cpu)
{
	struct kfd_ioctl_get_clock_counters_args a, b;

	vkfd_fill(&a, sizeof(a));
	a.gpu_id = a.pad = 0;
	test_ioctl(self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a);
	EXPECT_EQ(1000000000ULL, a.system_clock_freq);
	EXPECT_EQ(0ULL, a.gpu_clock_counter);
	EXPECT_NE(0ULL, a.cpu_clock_counter);
	EXPECT_NE(0ULL, a.system_clock_counter);
	EXPECT_EQ(0U, a.gpu_id);

	memset(&b, 0, sizeof(b));
	test_ioctl(self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &b);
	EXPECT_LE(a.cpu_clock_counter, b.cpu_clock_counter);
	EXPECT_LE(a.system_clock_counter, b.system_clock_counter);
}

/* Each GPU's gpu_id from the topology: success and a non-zero GPU counter. */
TEST_F(ioctl, clock_counters_gpu)
{
	struct kfd_ioctl_get_clock_counters_args a;
	int i;

	SKIP_IF_NO_GPU(&self->topo);
	for (i = 0; i < self->topo.num_gpus; i++) {
		vkfd_fill(&a, sizeof(a));
		a.gpu_id = self->topo.gpu_id[i];
		a.pad = 0;
		test_ioctl(self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a);
		EXPECT_NE(0ULL, a.gpu_clock_counter);
		EXPECT_NE(0ULL, a.cpu_clock_counter);
		EXPECT_NE(0ULL, a.system_clock_counter);
		EXPECT_EQ(1000000000ULL, a.system_clock_freq);
	}
}

/* An unknown non-zero gpu_id is EINVAL and nothing is written. */
TEST_F(ioctl, clock_counters_unknown_gpu_einval)
{
	struct kfd_ioctl_get_clock_counters_args a;
	static const uint32_t bad[] = { 0xffffffff, 1 };
	int i;

	VKFD_ONLY(&self->env, "amdkfd answers an unknown gpu_id with a zero GPU counter");
	for (i = 0; i <= (int)ARRAY_SIZE(bad); i++) {
		uint32_t id = i < (int)ARRAY_SIZE(bad) ? bad[i] :
			      vkfd_topo_unused_gpu_id(&self->topo);

		if (vkfd_topo_has_gpu(&self->topo, id))
			continue;
		vkfd_fill(&a, sizeof(a));
		a.gpu_id = id;
		a.pad = 0;
		test_err_ioctl(EINVAL, self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a);
		EXPECT_TRUE(vkfd_untouched(&a, CLOCK_OUT_SIZE));
		EXPECT_EQ(id, a.gpu_id);
	}
}

/* A non-zero pad is EINVAL and nothing is written. */
TEST_F(ioctl, clock_counters_pad_einval)
{
	struct kfd_ioctl_get_clock_counters_args a;

	VKFD_ONLY(&self->env, "amdkfd does not validate pad fields");
	vkfd_fill(&a, sizeof(a));
	a.gpu_id = 0;
	a.pad = 1;
	test_err_ioctl(EINVAL, self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a);
	EXPECT_TRUE(vkfd_untouched(&a, CLOCK_OUT_SIZE));
	EXPECT_EQ(1U, a.pad);
}

/* ------------------------------------------------------------------------
 * GET_PROCESS_APERTURES_NEW and GET_PROCESS_APERTURES
 */

/* num_of_nodes 0 returns the number of GPU nodes and touches no user memory. */
TEST_F(ioctl, apertures_new_count)
{
	struct kfd_process_device_apertures ap[4];
	void *unmapped = vkfd_unmapped_page();
	uint32_t num;

	vkfd_fill(ap, sizeof(ap));
	num = 0;
	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	EXPECT_EQ((uint32_t)self->topo.num_gpus, num);
	EXPECT_TRUE(vkfd_untouched(ap, sizeof(ap)));

	/* the array pointer is not even looked at */
	num = 0;
	ASSERT_EQ(0, get_apertures_new(self->fd, NULL, &num));
	EXPECT_EQ((uint32_t)self->topo.num_gpus, num);
	ASSERT_NE(NULL, unmapped);
	num = 0;
	ASSERT_EQ(0, get_apertures_new(self->fd, unmapped, &num));
	EXPECT_EQ((uint32_t)self->topo.num_gpus, num);
}

/* Check one aperture entry: a known GPU, each range base <= limit. */
#define EXPECT_APERTURE_SANE(ap) do {					\
	EXPECT_TRUE(vkfd_topo_has_gpu(&self->topo, (ap)->gpu_id));	\
	EXPECT_LE((ap)->lds_base, (ap)->lds_limit);			\
	EXPECT_LE((ap)->scratch_base, (ap)->scratch_limit);		\
	EXPECT_LE((ap)->gpuvm_base, (ap)->gpuvm_limit);			\
} while (0)

/* num_of_nodes = topology nodes fills exactly one entry per GPU node, nothing more. */
TEST_F(ioctl, apertures_new_fill)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES + 1];
	uint32_t num = self->topo.num_nodes;
	int i, j, found;

	vkfd_fill(ap, sizeof(ap));
	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	ASSERT_EQ((uint32_t)self->topo.num_gpus, num);
	for (i = 0; i < (int)num; i++)
		EXPECT_APERTURE_SANE(&ap[i]);
	/* every GPU exactly once */
	for (i = 0; i < self->topo.num_gpus; i++) {
		found = 0;
		for (j = 0; j < (int)num; j++)
			found += ap[j].gpu_id == self->topo.gpu_id[i];
		EXPECT_EQ(1, found);
	}
	EXPECT_TRUE(vkfd_untouched(&ap[num], sizeof(ap) - num * sizeof(ap[0])));
}

/* A smaller array gets only as many entries as it has room for. */
TEST_F(ioctl, apertures_new_partial)
{
	struct kfd_process_device_apertures ap[2];
	uint32_t num = 1;

	if (self->topo.num_gpus < 2)
		SKIP(return, "needs two GPU nodes");
	vkfd_fill(ap, sizeof(ap));
	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	EXPECT_EQ(1U, num);
	EXPECT_APERTURE_SANE(&ap[0]);
	EXPECT_TRUE(vkfd_untouched(&ap[1], sizeof(ap[1])));
}

/* num_of_nodes above the number of topology nodes is EINVAL; nothing is written. */
TEST_F(ioctl, apertures_new_too_many_einval)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES + 1];
	struct kfd_ioctl_get_process_apertures_new_args args;
	const uint32_t nums[] = { self->topo.num_nodes + 1, 0x10000, 0xffffffff };
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(nums); i++) {
		vkfd_fill(ap, sizeof(ap));
		args.kfd_process_device_apertures_ptr = (uintptr_t)ap;
		args.num_of_nodes = nums[i];
		args.pad = 0;
		test_err_ioctl(EINVAL, self->fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);
		EXPECT_EQ(nums[i], args.num_of_nodes);
		EXPECT_EQ((uintptr_t)ap, args.kfd_process_device_apertures_ptr);
		EXPECT_TRUE(vkfd_untouched(ap, sizeof(ap)));
	}
}

/* vkfd's GPUs report the gfx9 apertures the thunk expects. */
TEST_F(ioctl, apertures_new_gfx9_values)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES];
	uint32_t num = self->topo.num_nodes;
	int i;

	VKFD_ONLY(&self->env, "CPU-only amdkfd has no GPU apertures");
	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	ASSERT_EQ((uint32_t)self->topo.num_gpus, num);
	ASSERT_LT(0U, num);
	for (i = 0; i < (int)num; i++) {
		EXPECT_EQ(1ULL << 48, ap[i].lds_base);
		EXPECT_EQ((1ULL << 48) + 4 * GIB - 1, ap[i].lds_limit);
		EXPECT_EQ(2ULL << 48, ap[i].scratch_base);
		EXPECT_EQ((2ULL << 48) + 4 * GIB - 1, ap[i].scratch_limit);
		EXPECT_EQ(0x200000ULL, ap[i].gpuvm_base);
		EXPECT_EQ((1ULL << 47) - 1, ap[i].gpuvm_limit);
	}
}

/* A non-zero pad is EINVAL, whether counting or filling, and nothing is written. */
TEST_F(ioctl, apertures_new_pad_einval)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES];
	struct kfd_ioctl_get_process_apertures_new_args args;
	const uint32_t nums[] = { 0, self->topo.num_nodes };
	int i;

	VKFD_ONLY(&self->env, "amdkfd does not validate pad fields");
	for (i = 0; i < (int)ARRAY_SIZE(nums); i++) {
		vkfd_fill(ap, sizeof(ap));
		args.kfd_process_device_apertures_ptr = (uintptr_t)ap;
		args.num_of_nodes = nums[i];
		args.pad = 1;
		test_err_ioctl(EINVAL, self->fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);
		EXPECT_EQ(nums[i], args.num_of_nodes);
		EXPECT_TRUE(vkfd_untouched(ap, sizeof(ap)));
	}
}

/* A bad array pointer is EFAULT once there is a GPU entry to copy; later calls still work. */
TEST_F(ioctl, apertures_new_bad_pointer_efault)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES];
	void *unmapped = vkfd_unmapped_page();
	uint32_t num;

	SKIP_IF_NO_GPU(&self->topo);
	ASSERT_NE(NULL, unmapped);
	num = self->topo.num_nodes;
	EXPECT_EQ(-EFAULT, get_apertures_new(self->fd, NULL, &num));
	num = 1;
	EXPECT_EQ(-EFAULT, get_apertures_new(self->fd, unmapped, &num));

	num = self->topo.num_nodes;
	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	EXPECT_EQ((uint32_t)self->topo.num_gpus, num);
}

/* The old fixed-size ioctl reports the same GPUs (at most 7) with the same apertures. */
TEST_F(ioctl, apertures_old_matches_new)
{
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES];
	struct kfd_ioctl_get_process_apertures_args old;
	uint32_t num = self->topo.num_nodes, expect;
	int i, j, found;

	ASSERT_EQ(0, get_apertures_new(self->fd, ap, &num));
	vkfd_fill(&old, sizeof(old));
	test_ioctl(self->fd, AMDKFD_IOC_GET_PROCESS_APERTURES, &old);
	expect = num < NUM_OF_SUPPORTED_GPUS ? num : NUM_OF_SUPPORTED_GPUS;
	ASSERT_EQ(expect, old.num_of_nodes);
	for (i = 0; i < (int)old.num_of_nodes; i++) {
		found = 0;
		for (j = 0; j < (int)num; j++)
			found += !memcmp(&old.process_apertures[i], &ap[j],
					 offsetof(struct kfd_process_device_apertures, pad));
		EXPECT_EQ(1, found);
	}
}

/* ------------------------------------------------------------------------
 * SET_XNACK_MODE
 */

/* A negative value queries (vkfd: 0); setting the queried value again changes nothing. */
TEST_F(ioctl, xnack_query_and_set_same)
{
	struct kfd_ioctl_set_xnack_mode_args args;
	int mode, again;

	VKFD_ONLY(&self->env,
		  "Debian's amdkfd lacks CONFIG_HSA_AMD_SVM: SET_XNACK_MODE is always EPERM");
	ASSERT_EQ(0, query_xnack(self->fd, &mode));
	EXPECT_EQ(0, mode);	/* gfx900 without XNACK */

	args.xnack_enabled = INT32_MIN;		/* any negative value queries */
	test_ioctl(self->fd, AMDKFD_IOC_SET_XNACK_MODE, &args);
	EXPECT_EQ(mode, args.xnack_enabled);

	args.xnack_enabled = mode;
	test_ioctl(self->fd, AMDKFD_IOC_SET_XNACK_MODE, &args);
	EXPECT_EQ(mode, args.xnack_enabled);
	ASSERT_EQ(0, query_xnack(self->fd, &again));
	EXPECT_EQ(mode, again);
}

/* Enabling XNACK on vkfd's gfx900 is EPERM and the mode stays off. */
TEST_F(ioctl, xnack_enable_eperm)
{
	struct kfd_ioctl_set_xnack_mode_args args = { .xnack_enabled = 1 };
	int mode;

	VKFD_ONLY(&self->env, "CPU-only amdkfd supports XNACK (no GPU to refuse it)");
	test_err_ioctl(EPERM, self->fd, AMDKFD_IOC_SET_XNACK_MODE, &args);
	ASSERT_EQ(0, query_xnack(self->fd, &mode));
	EXPECT_EQ(0, mode);
}

TEST_HARNESS_MAIN
