// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * COPY_LINEAR with the broadcast bit (gfx9 SDMA's COPY_BROADCAST_LINEAR):
 * one source, two destinations, through a queue. Both destinations get
 * every byte, also for a copy larger than a slice; the context's
 * sdma_<gpuid> counts the bytes twice; a fault in the second destination
 * halts the queue at the packet with a memory event, the first having
 * been written; a broadcast of anything but a linear copy is an invalid
 * packet.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

#define BUF_SIZE	(64 * S_PAGE)

/* Three buffers: a source and two destinations, 0x5a where not written. */
struct bc_bufs {
	struct s_buf src, d1, d2;
};

static void bc_bufs_new(struct __test_metadata *_metadata,
			FIXTURE_DATA(sdma) *self, uint64_t size,
			struct bc_bufs *b)
{
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  size, S_GTT_RW, &b->src);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, size, S_GTT_RW, &b->d1);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + 2 * S_BUF_STEP, size, S_GTT_RW, &b->d2);
}

/* Unaligned, across pages, one byte, whole buffers: both destinations, byte-exact. */
TEST_F(sdma, copy_broadcast)
{
	static const struct { uint64_t d1, d2, src, len; } c[] = {
		{ 0, 0, 0, S_PAGE },
		{ 3, 7, 5, 3 * S_PAGE + 17 },
		{ 1, 2, 0, 1 },
		{ 10 * S_PAGE + 1, 30 * S_PAGE + 9, 20 * S_PAGE + 2, S_PAGE - 3 },
		{ 0, 0, 0, BUF_SIZE },
	};
	uint8_t *shadow1 = malloc(BUF_SIZE), *shadow2 = malloc(BUF_SIZE);
	uint64_t bytes = 0;
	struct vkfd_queue q;
	struct bc_bufs b;
	uint32_t dw[16];
	unsigned int i;

	S_NEED_GPU();
	ASSERT_NE(NULL, shadow1);
	ASSERT_NE(NULL, shadow2);
	bc_bufs_new(_metadata, self, BUF_SIZE, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s_pattern(b.src.cpu, BUF_SIZE, i);
		memset(b.d1.cpu, 0x5a, BUF_SIZE);
		memset(b.d2.cpu, 0x5a, BUF_SIZE);
		memset(shadow1, 0x5a, BUF_SIZE);
		memset(shadow2, 0x5a, BUF_SIZE);
		memcpy(shadow1 + c[i].d1, b.src.cpu + c[i].src, c[i].len);
		memcpy(shadow2 + c[i].d2, b.src.cpu + c[i].src, c[i].len);
		S_SUBMIT(&q, dw, vkfd_sdma_pkt_copy_broadcast(dw,
				b.d1.bo.va + c[i].d1, b.d2.bo.va + c[i].d2,
				b.src.bo.va + c[i].src, c[i].len));
		S_IDLE(&q);
		EXPECT_EQ(0, memcmp(shadow1, b.d1.cpu, BUF_SIZE)) TH_LOG("case %u", i);
		EXPECT_EQ(0, memcmp(shadow2, b.d2.cpu, BUF_SIZE)) TH_LOG("case %u", i);
		bytes += 2 * c[i].len;
	}
	/* every byte moved twice, plus nothing else */
	EXPECT_EQ(bytes, S_SDMA_BYTES(self->b.p.fd));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	free(shadow1);
	free(shadow2);
}

/* The largest: 4 MiB to both, in several slices; the fence after it waits for all. */
TEST_F(sdma, copy_broadcast_max)
{
	const uint64_t size = VKFD_SDMA_COPY_MAX;
	struct vkfd_queue q;
	struct bc_bufs b;
	uint32_t dw[16], n;

	S_NEED_GPU();
	bc_bufs_new(_metadata, self, size + S_PAGE, &b);
	s_pattern(b.src.cpu, size, 3);
	memset(b.d1.cpu, 0x11, size + S_PAGE);
	memset(b.d2.cpu, 0x22, size + S_PAGE);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	n = vkfd_sdma_pkt_copy_broadcast(dw, b.d1.bo.va, b.d2.bo.va, b.src.bo.va,
					 size);
	n += vkfd_sdma_fence(dw + n, b.d2.bo.va + size, 1);
	S_SUBMIT(&q, dw, n);
	ASSERT_TRUE(s_wait_u32(s_u32(&b.d2, size), 1));
	EXPECT_EQ(0, memcmp(b.src.cpu, b.d1.cpu, size));
	EXPECT_EQ(0, memcmp(b.src.cpu, b.d2.cpu, size));
	EXPECT_EQ(0x11111111U, *s_u32(&b.d1, size));
	EXPECT_EQ(0x22222222U, *s_u32(&b.d2, size + 4));
	S_IDLE(&q);
	EXPECT_EQ(2 * size + 4, S_SDMA_BYTES(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * The second destination not mapped, or read-only: the memory event names
 * it, the queue halts at the packet, the first destination got the bytes,
 * the fence after it never runs.
 */
TEST_F(sdma, copy_broadcast_fault_second)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[32], n, at, ev, result;
	struct s_buf buf, ro;
	struct vkfd_queue q;
	int i;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &buf);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, S_PAGE, S_GTT_RO, &ro);
	for (i = 0; i < 2; i++) {
		uint64_t bad = i ? ro.bo.va + 64 : S_HOLE_VA + 0x1234;

		/* a fresh event: the last one stays signalled */
		ev = s_memory_event(_metadata, &self->b.p);

		memset(buf.cpu, 0, S_PAGE);
		*s_u32(&buf, 0) = 0xabcd0000 + i;
		s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], i,
			    S_RING, &q);
		n = vkfd_sdma_fence(dw, S_BUF_VA + 16, 1);
		at = n * 4;
		n += vkfd_sdma_pkt_copy_broadcast(dw + n, S_BUF_VA + 256, bad,
						  S_BUF_VA, 4);
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 20, 2);
		S_SUBMIT(&q, dw, n);
		ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS,
						   &result, &f));
		ASSERT_EQ(S_EV_COMPLETE, result);
		EXPECT_EQ(bad & ~(S_PAGE - 1), f.va);
		EXPECT_EQ(!i, f.not_present);
		EXPECT_EQ(!!i, f.read_only);
		EXPECT_EQ(at, s_rptr(&q));
		EXPECT_EQ(1U, *s_u32(&buf, 16));
		EXPECT_EQ(0xabcd0000U + i, *s_u32(&buf, 256));
		EXPECT_EQ(0U, *s_u32(&buf, 20));
		EXPECT_EQ(0U, *s_u32(&ro, 64));
		EXPECT_EQ(i + 1ULL, S_FAULTS(self->b.p.fd));
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	}
}

/*
 * A broadcast of a tiled copy is invalid (vkfd copies linear memory
 * only): the queue halts at the packet, without an event.
 */
TEST_F(sdma, copy_broadcast_tiled_invalid)
{
	uint32_t dw[32], n, at, ev, result;
	struct vkfd_queue q, q2;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	ev = s_memory_event(_metadata, &self->b.p);
	n = vkfd_sdma_fence(dw, S_BUF_VA, 1);
	at = n * 4;
	n += vkfd_sdma_pkt_copy_broadcast(dw + n, S_BUF_VA + 64, S_BUF_VA + 128,
					  S_BUF_VA, 4);
	dw[at / 4] = VKFD_SDMA_HEADER(VKFD_SDMA_OP_COPY, 1) |
		     VKFD_SDMA_COPY_BROADCAST;
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 4, 2);
	S_SUBMIT(&q, dw, n);
	ASSERT_TRUE(s_wait_u64(q.rptr, at));
	EXPECT_EQ(1U, *s_u32(&b, 0));
	/* halted: a fresh queue runs, this one does not move */
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1,
		    S_RING, &q2);
	S_SUBMIT(&q2, dw, vkfd_sdma_fence(dw, S_BUF_VA + 8, 3));
	S_IDLE(&q2);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q2));
	EXPECT_EQ(3U, *s_u32(&b, 8));
	EXPECT_EQ(at, s_rptr(&q));
	EXPECT_EQ(0U, *s_u32(&b, 4));
	EXPECT_EQ(0U, *s_u32(&b, 64));
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

TEST_HARNESS_MAIN
