// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The query ioctls: GET_CLOCK_COUNTERS, GET_PROCESS_APERTURES(_NEW) and
 * SET_XNACK_MODE (the dispatcher's rules are in ioctl.c, GET_VERSION
 * with them). Shared tests run against vkfd and amdkfd; vkfd-only ones
 * say why they skip on amdkfd.
 */
#include "kselftest_harness.h"
#include "ioctl_utils.h"

#define GIB			(1ULL << 30)

static int get_apertures_new(int fd, struct kfd_process_device_apertures *ap,
			     uint32_t *num)
{
	struct kfd_ioctl_get_process_apertures_new_args args = {
		.kfd_process_device_apertures_ptr = (uintptr_t)ap,
		.num_of_nodes = *num,
	};
	int ret = _test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);

	*num = args.num_of_nodes;
	return ret;
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

	VKFD_NEED_GPUS(&self->b, 1);
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

	VKFD_ONLY(&self->b.env, "amdkfd answers an unknown gpu_id with a zero GPU counter");
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

	VKFD_ONLY(&self->b.env, "amdkfd does not validate pad fields");
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

	VKFD_ONLY(&self->b.env, "CPU-only amdkfd has no GPU apertures");
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

	VKFD_ONLY(&self->b.env, "amdkfd does not validate pad fields");
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

	VKFD_NEED_GPUS(&self->b, 1);
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
 * SVM
 */

/*
 * No SVM: EPERM on the primary, as Debian's amdkfd (no CONFIG_HSA_AMD_SVM)
 * answers, for a well-formed request; the argument comes back unchanged.
 */
TEST_F(ioctl, svm_eperm)
{
	struct kfd_ioctl_svm_args args, before;

	memset(&args, 0, sizeof(args));
	args.start_addr = 0x100000;
	args.size = 0x1000;
	args.op = KFD_IOCTL_SVM_OP_GET_ATTR;
	args.nattr = 0;
	before = args;
	test_err_ioctl(EPERM, self->fd, AMDKFD_IOC_SVM, &args);
	EXPECT_EQ(0, memcmp(&before, &args, sizeof(args)));
}

/* ------------------------------------------------------------------------
 * SET_XNACK_MODE
 */

/* A negative value queries (vkfd: 0); setting the queried value again changes nothing. */
TEST_F(ioctl, xnack_query_and_set_same)
{
	struct kfd_ioctl_set_xnack_mode_args args;
	int mode, again;

	VKFD_ONLY(&self->b.env,
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

	VKFD_ONLY(&self->b.env, "CPU-only amdkfd supports XNACK (no GPU to refuse it)");
	test_err_ioctl(EPERM, self->fd, AMDKFD_IOC_SET_XNACK_MODE, &args);
	ASSERT_EQ(0, query_xnack(self->fd, &mode));
	EXPECT_EQ(0, mode);
}

TEST_HARNESS_MAIN
