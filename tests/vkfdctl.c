// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfdctl, the tool: what "vkfdctl ls", "vkfdctl limits" and "vkfdctl
 * topology" print for the contexts and the topology the test sets up or
 * reads itself, and whether "vkfdctl demo" tells its story (and says so
 * in its status).
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include "libvkfd.h"

FIXTURE(vkfdctl) {
	struct vkfd_base b;
	const char *tool;
	struct vkfd_context ctx[3];
	char line[32];
	char out[1 << 16];
};

FIXTURE_SETUP(vkfdctl)
{
	int i;

	vkfd_base_setup(&self->b, 0);
	for (i = 0; i < 3; i++)
		self->ctx[i].fd = -1;
	self->tool = getenv("VKFD_VKFDCTL");
	if (!self->tool || access(self->tool, X_OK))
		VKFD_SETUP_SKIP("no vkfdctl (VKFD_VKFDCTL)");
}

FIXTURE_TEARDOWN(vkfdctl)
{
	int i;

	for (i = 0; i < 3; i++)
		if (self->ctx[i].fd >= 0)
			vkfd_close(&self->ctx[i]);
	vkfd_base_teardown(&self->b);
}

/* Run "vkfdctl @cmd" with the test's environment; its stdout into @out. */
static int run_tool(const char *tool, const char *cmd, char *out, size_t size)
{
	char *const argv[] = { (char *)tool, (char *)cmd, NULL };

	return vkfd_run(argv, false, out, size);
}

/* "ls" lists this process with its primary and both secondaries, by id. */
TEST_F(vkfdctl, ls_shows_contexts)
{
	char line[64];

	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	if (vkfd_open_secondary(self->b.env.dev, &self->ctx[1]) == -EOPNOTSUPP)
		SKIP(return, "the driver has no secondary contexts");
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[2]));
	ASSERT_EQ(0, run_tool(self->tool, "ls", self->out, sizeof(self->out)));
	snprintf(line, sizeof(line), "pid %d: 3 context(s)", (int)getpid());
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "primary (id 0xffff)"));
	EXPECT_NE(NULL, strstr(self->out, "secondary (id 0)"));
	EXPECT_NE(NULL, strstr(self->out, "secondary (id 1)"));

	/* A closed secondary disappears from the listing */
	ASSERT_EQ(0, vkfd_close(&self->ctx[1]));
	ASSERT_EQ(0, run_tool(self->tool, "ls", self->out, sizeof(self->out)));
	snprintf(line, sizeof(line), "pid %d: 2 context(s)", (int)getpid());
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "secondary (id 0)"));
}

/*
 * "limits PID": a line per context of the process, usage/limit of each
 * resource, "max" for no limit. vkfd only: amdkfd has no limits.
 */
TEST_F(vkfdctl, limits_shows_usage_and_limit)
{
	struct vkfd_ioctl_ctx_limits a = {
		.op = VKFD_LIMITS_OP_SET, .ctx_id = 0,
		.mask = VKFD_LIMIT_BIT(VKFD_LIMIT_QUEUES) |
			VKFD_LIMIT_BIT(VKFD_LIMIT_GTT),
	};
	char *const argv[] = {
		(char *)self->tool, "limits", self->line, NULL,
	};
	const char *row;

	VKFD_ONLY(&self->b.env, "no context limits");
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->ctx[0]));
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &self->ctx[1]));
	a.limit[VKFD_LIMIT_QUEUES] = 3;
	a.limit[VKFD_LIMIT_GTT] = 1 << 20;
	test_ioctl(self->ctx[0].fd, VKFD_IOC_CTX_LIMITS, &a);
	snprintf(self->line, sizeof(self->line), "%d", (int)getpid());
	ASSERT_EQ(0, vkfd_run(argv, false, self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "QUEUES")) TH_LOG("%s", self->out);
	row = strstr(self->out, " primary ");
	ASSERT_NE(NULL, row) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(row, "0/max")) TH_LOG("%s", self->out);
	row = strstr(self->out, "\n");
	ASSERT_NE(NULL, row);
	row = strstr(row, " 0 ");
	ASSERT_NE(NULL, row) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(row, "0/1048576")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(row, "0/3")) TH_LOG("%s", self->out);

	/* A process that does not use the device: status 1 */
	snprintf(self->line, sizeof(self->line), "999999999");
	EXPECT_EQ(1, vkfd_run(argv, false, self->out, sizeof(self->out)));
}

/* "topology" names every node of the topology directory, GPUs by gpu_id. */
TEST_F(vkfdctl, topology_lists_nodes)
{
	char path[PATH_MAX], line[64];
	int nodes, i;
	uint64_t id;

	ASSERT_EQ(0, run_tool(self->tool, "topology", self->out,
			      sizeof(self->out)));
	snprintf(path, sizeof(path), "%s/nodes", self->b.env.topology);
	nodes = vkfd_count_entries(path);
	ASSERT_LT(0, nodes);
	snprintf(line, sizeof(line), ": %d node(s)", nodes);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	for (i = 0; i < nodes; i++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/gpu_id",
			 self->b.env.topology, i);
		ASSERT_EQ(0, vkfd_read_u64(path, &id));
		if (id)
			snprintf(line, sizeof(line), "node %d  GPU  gpu_id %llu",
				 i, (unsigned long long)id);
		else
			snprintf(line, sizeof(line), "node %d  CPU", i);
		EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", line);
	}
}

/*
 * "demo": part 1 (one shared context) leaks the secret, part 2 (a
 * context per program) faults at its address with 0 bytes leaked, and
 * the status says the story held. vkfd only: amdkfd has no GPU here.
 */
TEST_F(vkfdctl, demo_tells_the_story)
{
	static const char *const lines[] = {
		"Part 1 - one shared context",
		"program 2 reads \"swordfish-42, do not share\"",
		"=> LEAKED: 26 of 26 bytes.",
		"Part 2 - one secondary context per program",
		"GPU page fault: program 2's memory event reports address "
			"0x101010000000",
		"program 2 reads \"..........................\": 0 of 26 "
			"bytes leaked",
		"program 1 copies its own secret: it still works",
		"=> ISOLATED",
		"The story held",
	};
	const char *at = self->out;
	unsigned int i;
	int status;

	VKFD_ONLY(&self->b.env, "no GPU to run the demo's SDMA copies on");
	status = run_tool(self->tool, "demo", self->out, sizeof(self->out));
	EXPECT_EQ(0, status) TH_LOG("%s", self->out);
	/* the key lines, in order */
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		const char *hit = strstr(at, lines[i]);

		EXPECT_NE(NULL, hit) TH_LOG("missing, or out of order: '%s'",
					    lines[i]);
		if (!hit) {
			TH_LOG("the demo said:\n%s", self->out);
			break;
		}
		at = hit + strlen(lines[i]);
	}
	/* the live tree: the primary and one secondary per program */
	EXPECT_NE(NULL, strstr(self->out, "primary context, id 0xffff"));
	EXPECT_NE(NULL, strstr(self->out, "secondary id 0"));
	EXPECT_NE(NULL, strstr(self->out, "secondary id 1"));
	EXPECT_NE(NULL, strstr(self->out, "primary id 0xffff"));
}

TEST_HARNESS_MAIN
