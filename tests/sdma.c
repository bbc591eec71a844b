// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SDMA packets, end to end: each packet type through a queue, its
 * result checked byte-exact through the CPU mapping of the buffers it
 * names; packets straddling the ring's end; a doorbell after the engine
 * went to sleep; fences in order; TIMESTAMP against GET_CLOCK_COUNTERS;
 * POLL_REGMEM released by a CPU write or giving up; TRAP signalling the
 * event it names; the context's sdma_<gpuid> counting the bytes.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

#define BUF_SIZE	(64 * S_PAGE)

/* NOPs, with and without skipped dwords, then a fence. */
TEST_F(sdma, nop)
{
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[32], n = 0;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	n += vkfd_sdma_nop(dw + n);
	/* the skipped dwords would be invalid packets */
	n += s_nop_count(dw + n, 5, 0xffffffff);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 0x600d);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(0x600dU, *s_u32(&b, 0));
	EXPECT_EQ(n * 4ULL, *q.rptr);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * COPY_LINEAR: unaligned, across pages, between two buffers and within
 * one, up to the largest count; every byte checked.
 */
TEST_F(sdma, copy_linear)
{
	static const struct { uint64_t dst, src, len; } c[] = {
		{ 0, 0, S_PAGE },			/* aligned, other bo */
		{ 3, 5, 3 * S_PAGE + 17 },		/* odd, other bo */
		{ 1, 0, 1 },				/* one byte */
		{ 10 * S_PAGE + 1, 20 * S_PAGE + 2, S_PAGE - 3 },
		{ 0, 0, BUF_SIZE },			/* whole buffer */
	};
	uint8_t *shadow = malloc(BUF_SIZE);
	struct vkfd_queue q;
	struct s_buf a, b;
	uint32_t dw[8];
	unsigned int i;

	S_NEED_GPU();
	ASSERT_NE(NULL, shadow);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  BUF_SIZE, S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, BUF_SIZE, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s_pattern(a.cpu, BUF_SIZE, i);
		memset(b.cpu, 0x5a, BUF_SIZE);
		memset(shadow, 0x5a, BUF_SIZE);
		memcpy(shadow + c[i].dst, a.cpu + c[i].src, c[i].len);
		S_SUBMIT(&q, dw, vkfd_sdma_copy_linear(dw, b.bo.va + c[i].dst,
						       a.bo.va + c[i].src,
						       c[i].len));
		S_IDLE(&q);
		EXPECT_EQ(0, memcmp(shadow, b.cpu, BUF_SIZE)) TH_LOG("case %u", i);
	}

	/* Within one buffer, backwards and overlapping: a forward copy */
	s_pattern(a.cpu, BUF_SIZE, 9);
	memcpy(shadow, a.cpu, BUF_SIZE);
	memmove(shadow + 100, shadow + 5000, 3 * S_PAGE);
	S_SUBMIT(&q, dw, vkfd_sdma_copy_linear(dw, a.bo.va + 100,
					       a.bo.va + 5000, 3 * S_PAGE));
	S_IDLE(&q);
	EXPECT_EQ(0, memcmp(shadow, a.cpu, BUF_SIZE));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	free(shadow);
}

/* The largest COPY_LINEAR: 4 MiB, more than one slice of the engine. */
TEST_F(sdma, copy_linear_max)
{
	const uint64_t size = VKFD_SDMA_COPY_MAX;
	struct vkfd_queue q;
	struct s_buf a, b;
	uint32_t dw[16], n;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  size, S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, size + S_PAGE, S_GTT_RW, &b);
	s_pattern(a.cpu, size, 1);
	memset(b.cpu, 0x11, size + S_PAGE);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	n = vkfd_sdma_copy_linear(dw, b.bo.va, a.bo.va, size);
	n += vkfd_sdma_fence(dw + n, b.bo.va + size, 1);
	S_SUBMIT(&q, dw, n);
	/* The fence says the copy is complete, before the read pointer does */
	ASSERT_TRUE(s_wait_u32(s_u32(&b, size), 1));
	EXPECT_EQ(0, memcmp(a.cpu, b.cpu, size));
	EXPECT_EQ(0x11111111U, *s_u32(&b, size + 4));
	S_IDLE(&q);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* WRITE_LINEAR and CONST_FILL, neighbours untouched. */
TEST_F(sdma, write_linear_const_fill)
{
	uint32_t data[300], dw[310], i, n;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	for (i = 0; i < 300; i++)
		data[i] = 0x01000193 * (i + 1);
	s_buf_and_queue(_metadata, self, 4 * S_PAGE, &b, &q);
	memset(b.cpu, 0xee, 4 * S_PAGE);
	/* across a page boundary */
	n = vkfd_sdma_write_linear(dw, S_BUF_VA + S_PAGE - 400, data, 300);
	S_SUBMIT(&q, dw, n);
	n = vkfd_sdma_const_fill(dw, S_BUF_VA + 2 * S_PAGE + 8, 0xc001d00d,
				 S_PAGE + 4);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);

	EXPECT_EQ(0xeeeeeeeeU, *s_u32(&b, S_PAGE - 404));
	EXPECT_EQ(0, memcmp((void *)s_u32(&b, S_PAGE - 400), data,
			    sizeof(data)));
	EXPECT_EQ(0xeeeeeeeeU, *s_u32(&b, S_PAGE + 800));
	EXPECT_EQ(0xeeeeeeeeU, *s_u32(&b, 2 * S_PAGE + 4));
	for (i = 0; i < (S_PAGE + 4) / 4; i++)
		ASSERT_EQ(0xc001d00dU, *s_u32(&b, 2 * S_PAGE + 8 + 4 * i))
			TH_LOG("dword %u", i);
	EXPECT_EQ(0xeeeeeeeeU, *s_u32(&b, 3 * S_PAGE + 12));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* FENCEs: each value lands, in order, after what precedes it. */
TEST_F(sdma, fence_values)
{
	uint32_t dw[64], i, n = 0;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	for (i = 0; i < 10; i++)
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4 * i, 0x1000 + i);
	/* the same address again and again: the last value stays */
	for (i = 0; i < 5; i++)
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 64, i);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 66, 0xabcdef01);	/* unaligned */
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0x1000 + i, *s_u32(&b, 4 * i));
	EXPECT_EQ(0xef010004U, *s_u32(&b, 64));
	EXPECT_EQ(0x0000abcdU, *s_u32(&b, 68));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

static uint64_t gpu_clock(struct __test_metadata *_metadata, int fd,
			  uint32_t gpu_id)
{
	struct kfd_ioctl_get_clock_counters_args a = { .gpu_id = gpu_id };

	EXPECT_EQ(0, _test_ioctl(fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a));
	return a.gpu_clock_counter;
}

/* TIMESTAMP: the GPU clock, between two readings of it, never backwards. */
TEST_F(sdma, timestamp)
{
	uint64_t before, after, t[4];
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[16], n = 0, i;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	for (i = 0; i < 4; i++)
		n += vkfd_sdma_timestamp(dw + n, S_BUF_VA + 8 * i);
	before = gpu_clock(_metadata, self->b.p.fd, self->b.gpu[0]);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	after = gpu_clock(_metadata, self->b.p.fd, self->b.gpu[0]);
	for (i = 0; i < 4; i++) {
		t[i] = *s_u64(&b, 8 * i);
		EXPECT_LE(before, t[i]);
		EXPECT_GE(after, t[i]);
		if (i)
			EXPECT_LE(t[i - 1], t[i]);
	}
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * POLL_REGMEM holds the queue until a CPU write satisfies it; the packets
 * before it are done and the read pointer says so.
 */
TEST_F(sdma, poll_regmem_released)
{
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[32], n = 0, at;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u32(&b, 0) = 0x1200;
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4, 1);
	at = n * 4;
	n += vkfd_sdma_poll_regmem(dw + n, S_BUF_VA, 0x34, 0xff, 10,
				   VKFD_SDMA_POLL_RETRY_FOREVER);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 8, 2);
	S_SUBMIT(&q, dw, n);
	ASSERT_TRUE(s_wait_u64(q.rptr, at));
	EXPECT_EQ(1U, *s_u32(&b, 4));
	EXPECT_EQ(0U, *s_u32(&b, 8));
	/* Other bits than the mask's do not matter */
	__atomic_store_n(s_u32(&b, 0), 0xab34, __ATOMIC_RELEASE);
	S_IDLE(&q);
	EXPECT_EQ(2U, *s_u32(&b, 8));

	/* Not equal, any function: "greater than" */
	n = vkfd_sdma_pkt_poll(dw, S_BUF_VA, 6, 0x50, 0xff, 1,
			       VKFD_SDMA_POLL_RETRY_FOREVER);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 8, 3);
	S_SUBMIT(&q, dw, n);
	__atomic_store_n(s_u32(&b, 0), 0x51, __ATOMIC_RELEASE);
	S_IDLE(&q);
	EXPECT_EQ(3U, *s_u32(&b, 8));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* After its retries a POLL_REGMEM gives up and the queue goes on. */
TEST_F(sdma, poll_regmem_retries)
{
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[32], n = 0;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	n += vkfd_sdma_poll_regmem(dw + n, S_BUF_VA, 1, ~0U, 100, 0);
	n += vkfd_sdma_poll_regmem(dw + n, S_BUF_VA, 1, ~0U, 100, 20);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 8, 5);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(5U, *s_u32(&b, 8));
	EXPECT_EQ(0U, *s_u32(&b, 0));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* An HDP flush (register poll with HDP_FLUSH) is a no-op. */
TEST_F(sdma, poll_regmem_hdp_flush)
{
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[16], n;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	/* what sdma_v4_0_ring_emit_hdp_flush() emits (register offsets) */
	n = vkfd_sdma_pkt_poll_reg(dw, 1, VKFD_SDMA_POLL_FUNC_EQUAL,
				   0x5480 << 2, 0x5484 << 2, 1);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 7);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(7U, *s_u32(&b, 0));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * Packets straddling the ring's end: a COPY_LINEAR split after 2 of its
 * 7 dwords, a WRITE_LINEAR whose data wraps, and pointers far past the
 * ring's size (they are never reduced modulo the ring).
 */
TEST_F(sdma, ring_wrap)
{
	uint32_t data[64], dw[80], i, n;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	for (i = 0; i < 64; i++)
		data[i] = 0xa0000000 | i;
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u32(&b, 0) = 0x12345678;
	for (i = 0; i < 5; i++) {
		s_ring_align(_metadata, &q, 8);
		n = vkfd_sdma_copy_linear(dw, S_BUF_VA + 4 + 4 * i, S_BUF_VA,
					  4);
		S_SUBMIT(&q, dw, n);
		S_IDLE(&q);
		EXPECT_EQ(0x12345678U, *s_u32(&b, 4 + 4 * i));
	}
	EXPECT_LT(4 * S_RING, *q.rptr);

	s_ring_align(_metadata, &q, 16 + 40);
	n = vkfd_sdma_write_linear(dw, S_BUF_VA + 256, data, 64);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(0, memcmp((void *)s_u32(&b, 256), data, sizeof(data)));
	EXPECT_EQ(0U, *s_u32(&b, 256 + sizeof(data)));
	EXPECT_EQ(q.wptr, *q.rptr);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* A doorbell rung after the engine has long gone to sleep is seen. */
TEST_F(sdma, doorbell_after_idle)
{
	struct vkfd_queue q;
	struct s_buf b;
	uint32_t dw[8], i;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	for (i = 1; i <= 3; i++) {
		/* idle: the engine backs off to its longest sleep */
		vkfd_sleep_ms(50 * i);
		S_SUBMIT(&q, dw, vkfd_sdma_fence(dw, S_BUF_VA, i));
		S_IDLE(&q);
		EXPECT_EQ(i, *s_u32(&b, 0));
	}
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * TRAP signals the event its int_context names, once the event's slot
 * (in a signal page the GPU writes, as on a dGPU) is written; the other
 * events stay as they are.
 */
TEST_F(sdma, trap_signals_event)
{
	struct vkfd_event a, b;
	struct vkfd_queue q;
	struct s_buf page;
	uint32_t dw[16], n, result, ids[2];

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_EV_VA,
		  KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &a));
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       0, &b));
	ASSERT_EQ(~0ULL, *s_u64(&page, 8 * a.slot));
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);

	/* As a release fence does: write the slot, then interrupt */
	n = vkfd_sdma_fence(dw, S_EV_VA + 8 * a.slot, a.trigger);
	n += vkfd_sdma_trap(dw + n, a.trigger);
	S_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &a.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	ids[0] = b.id;
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, ids, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);

	/* And again, for the other one */
	n = vkfd_sdma_fence(dw, S_EV_VA + 8 * b.slot, b.trigger);
	n += vkfd_sdma_trap(dw + n, b.trigger);
	S_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &b.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	/* auto-reset: a was consumed by the first wait */
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &a.id, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	S_IDLE(&q);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * sdma_<gpuid> counts the bytes a context's packets wrote: copies, writes,
 * fills, fences (4) and timestamps (8); only that context's.
 */
TEST_F(sdma, sysfs_sdma_bytes)
{
	uint32_t dw[32], data[3] = { 1, 2, 3 }, n = 0;
	struct vkfd_context s;
	struct vkfd_queue q;
	struct s_buf b;
	int render;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	EXPECT_EQ(0ULL, S_SDMA_BYTES(s.fd));
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA, 4 * S_PAGE,
		  S_GTT_RW, &b);
	s_queue_new(_metadata, &s, render, self->b.gpu[0], 0, S_RING, &q);
	n += vkfd_sdma_copy_linear(dw + n, S_BUF_VA + 2 * S_PAGE, S_BUF_VA,
				   S_PAGE + 3);
	n += vkfd_sdma_write_linear(dw + n, S_BUF_VA, data, 3);
	n += vkfd_sdma_const_fill(dw + n, S_BUF_VA, 0, 64);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 0);
	n += vkfd_sdma_timestamp(dw + n, S_BUF_VA);
	n += vkfd_sdma_nop(dw + n);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(S_PAGE + 3 + 12 + 64 + 4 + 8, S_SDMA_BYTES(s.fd));
	/* grows with more */
	S_SUBMIT(&q, dw, vkfd_sdma_const_fill(dw, S_BUF_VA, 0, S_PAGE));
	S_IDLE(&q);
	EXPECT_EQ(2 * S_PAGE + 3 + 12 + 64 + 4 + 8, S_SDMA_BYTES(s.fd));
	EXPECT_EQ(0ULL, S_SDMA_BYTES(self->b.p.fd));
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &q));
	vkfd_close(&s);
	close(render);
}

TEST_HARNESS_MAIN
