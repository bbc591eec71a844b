// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The PM4 packets that only touch memory, through real COMPUTE queues
 * and the engines: COPY_DATA (memory, immediate data, the clocks),
 * ATOMIC_MEM (a signal decremented as ROCm's runtime does it, and a
 * CMPSWAP that waits for the CPU), DMA_DATA (copies and fills of more
 * than a slice, in the ring and in an indirect buffer), COND_WRITE, a
 * selector vkfd
 * does not model halting the queue, and a DMA_DATA fault.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "pm4_utils.h"

#include <linux/vkfd_sdma.h>

/* A second buffer, away from S_BUF_VA's */
#define M_BUF2_VA	(S_BUF_VA + 0x10000000ULL)
/* More than a slice of the engine (1 MiB), not a multiple of 4 */
#define M_BIG		(2 * 1024 * 1024 + 5)
#define M_FILL		(2 * 1024 * 1024)

static uint64_t m_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * COPY_DATA: 32 and 64 bits from memory and immediate data, the GPU
 * clock (CLOCK_MONOTONIC_RAW, as GET_CLOCK_COUNTERS) and the system
 * clock (CLOCK_BOOTTIME), taken between submission and completion.
 */
TEST_F(pm4, copy_data)
{
	uint64_t raw0, boot0, raw1, boot1;
	uint32_t dw[64], n = 0;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u32(&b, 0) = 0xa1b2c3d4;
	*s_u64(&b, 8) = 0x0102030405060708ULL;
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_TC_L2, S_BUF_VA,
				    S_BUF_VA + 64, false);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_TC_L2, S_BUF_VA + 8,
				    S_BUF_VA + 72, true);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_SRC_IMM,
				    0x1122334455667788ULL, S_BUF_VA + 80,
				    true);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_SRC_IMM, 0x99,
				    S_BUF_VA + 88, false);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_SRC_GPU_CLOCK, 0,
				    S_BUF_VA + 96, true);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_SRC_SYS_CLOCK, 0,
				    S_BUF_VA + 104, true);
	raw0 = m_clock(CLOCK_MONOTONIC_RAW);
	boot0 = m_clock(CLOCK_BOOTTIME);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	raw1 = m_clock(CLOCK_MONOTONIC_RAW);
	boot1 = m_clock(CLOCK_BOOTTIME);
	EXPECT_EQ(n, *q.rptr);
	EXPECT_EQ(0xa1b2c3d4U, *s_u32(&b, 64));
	EXPECT_EQ(0U, *s_u32(&b, 68));
	EXPECT_EQ(0x0102030405060708ULL, *s_u64(&b, 72));
	EXPECT_EQ(0x1122334455667788ULL, *s_u64(&b, 80));
	EXPECT_EQ(0x99U, *s_u32(&b, 88));
	EXPECT_EQ(0U, *s_u32(&b, 92));
	EXPECT_LE(raw0, *s_u64(&b, 96));
	EXPECT_GE(raw1, *s_u64(&b, 96));
	EXPECT_LE(boot0, *s_u64(&b, 104));
	EXPECT_GE(boot1, *s_u64(&b, 104));
	EXPECT_EQ(0ULL, S_SDMA_BYTES(self->b.p.fd));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * ATOMIC_MEM: a signal decremented by ADD_RTN_64 of -1 and an OR without
 * return; then a looping CMPSWAP that holds the queue until the CPU
 * writes the compare value, while another queue runs.
 */
TEST_F(pm4, atomic_mem)
{
	uint32_t dw[64], n = 0, one = 1;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u64(&b, 0) = 0x100000000ULL;
	*s_u32(&b, 8) = 0x10;
	n += vkfd_pm4_pkt_atomic_mem(dw + n, VKFD_SDMA_ATOMIC_ADD_RTN_64,
				     VKFD_PM4_AM_SINGLE_PASS, S_BUF_VA,
				     (uint64_t)-1, 0, 0);
	n += vkfd_pm4_pkt_atomic_mem(dw + n, VKFD_SDMA_ATOMIC_OR |
				     VKFD_SDMA_ATOMIC_NO_RTN,
				     VKFD_PM4_AM_WAIT_CONFIRM, S_BUF_VA + 8, 3,
				     0, 0);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(0xffffffffULL, *s_u64(&b, 0));
	EXPECT_EQ(0x13U, *s_u32(&b, 8));

	*s_u32(&b, 16) = 4;
	n = vkfd_pm4_pkt_atomic_mem(dw, VKFD_SDMA_ATOMIC_CMPSWAP,
				    VKFD_PM4_AM_LOOP, S_BUF_VA + 16, 9, 5, 10);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 20, &one, 1, false);
	P_SUBMIT(&q, dw, n);
	p_went_round(_metadata, self, &self->b.p, self->b.render, &b, 1024, 1);
	EXPECT_EQ(4U, *s_u32(&b, 16));
	EXPECT_EQ(0U, *s_u32(&b, 20));
	__atomic_store_n(s_u32(&b, 16), 5, __ATOMIC_RELEASE);
	P_IDLE(&q);
	EXPECT_EQ(9U, *s_u32(&b, 16));
	EXPECT_EQ(1U, *s_u32(&b, 20));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * DMA_DATA: M_BIG bytes, more than a slice, copied between buffers at
 * odd offsets, byte-exact with the bytes around untouched; then a fill
 * of as much from an indirect buffer, and a RELEASE_MEM after it.
 */
TEST_F(pm4, dma_data)
{
	uint32_t dw[64], ib[16], n, m, v = 0xd0e;
	uint64_t size = M_BIG + 2 * S_PAGE, i;
	struct s_buf src, dst;
	struct p_queue q;
	uint8_t *s, *d;

	P_NEED_GPU();
	size &= ~(S_PAGE - 1);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, size, S_GTT_RW, &src);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  M_BUF2_VA, size, S_GTT_RW, &dst);
	p_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0,
		    P_RING, &q);
	s = src.cpu;
	d = dst.cpu;
	for (i = 0; i < M_BIG + 3; i++)
		s[i] = (uint8_t)(i * 13 + (i >> 12));
	n = vkfd_pm4_pkt_dma_copy(dw, S_BUF_VA + 3, M_BUF2_VA + 1, M_BIG,
				  VKFD_PM4_DMA_RAW_WAIT);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(0, d[0]);
	EXPECT_EQ(0, memcmp(d + 1, s + 3, M_BIG));
	EXPECT_EQ(0, d[M_BIG + 1]);

	/* A fill of whole dwords from an indirect buffer */
	m = vkfd_pm4_pkt_dma_fill(ib, 0xfeedf00d, M_BUF2_VA + 4, M_FILL);
	memcpy(s + size - S_PAGE, ib, m * 4);
	n = vkfd_pm4_pkt_ib(dw, S_BUF_VA + size - S_PAGE, m);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + size - 8, &v, 1,
				     false);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(v, *s_u32(&src, size - 8));
	EXPECT_EQ(s[5], d[3]);
	for (i = 4; i < 4 + M_FILL; i += 4)
		if (*s_u32(&dst, i) != 0xfeedf00dU)
			break;
	EXPECT_EQ(4ULL + M_FILL, i);
	EXPECT_EQ(s[M_FILL + 6], d[M_FILL + 4]);
	EXPECT_EQ(0ULL, S_SDMA_BYTES(self->b.p.fd));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * A COPY_DATA from a register (vkfd has none) halts the queue there as
 * an invalid packet, after the COPY_DATA of immediate data before it:
 * the read pointer at it, nothing after it done, no memory event.
 */
TEST_F(pm4, copy_data_register_halts)
{
	uint32_t dw[64], n = 0, at, one = 1, ev;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	ev = s_memory_event(_metadata, &self->b.p);
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_SRC_IMM, 1, S_BUF_VA,
				    false);
	at = n;
	n += vkfd_pm4_pkt_copy_data(dw + n, VKFD_PM4_CD_REG, 0x2040,
				    S_BUF_VA + 8, false);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 4, &one, 1, false);
	P_SUBMIT(&q, dw, n);
	p_halted_at(_metadata, self, &q, &b, at, ev);
	EXPECT_EQ(1U, *s_u32(&b, 0));
	EXPECT_EQ(0U, *s_u32(&b, 4));
	EXPECT_EQ(0U, *s_u32(&b, 8));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * A DMA_DATA reading where nothing is mapped: the queue halts at it,
 * the memory event reports the page, faults counts 1.
 */
TEST_F(pm4, dma_data_fault)
{
	struct vkfd_memory_fault f = { 0 };
	uint32_t dw[64], n = 0, at, one = 1, ev, result;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	ev = s_memory_event(_metadata, &self->b.p);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA, &one, 1, false);
	at = n;
	n += vkfd_pm4_pkt_dma_copy(dw + n, S_HOLE_VA + 0x3010, S_BUF_VA + 8,
				   64, 0);
	n += vkfd_pm4_pkt_write_data(dw + n, S_BUF_VA + 4, &one, 1, false);
	P_SUBMIT(&q, dw, n);
	ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS, &result,
					   &f));
	ASSERT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(S_HOLE_VA + 0x3000, f.va);
	EXPECT_TRUE(f.not_present);
	EXPECT_EQ(1ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(at, *q.rptr);
	EXPECT_EQ(1U, *s_u32(&b, 0));
	EXPECT_EQ(0U, *s_u32(&b, 4));
	EXPECT_EQ(0U, *s_u32(&b, 8));
	EXPECT_EQ(0, p_queue_destroy(&q));
}

/*
 * COND_WRITE: written when the masked value compares true, not when
 * false; the queue never waits on it.
 */
TEST_F(pm4, cond_write)
{
	uint32_t dw[64], n = 0;
	struct p_queue q;
	struct s_buf b;

	P_NEED_GPU();
	p_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u32(&b, 0) = 0x1234;
	n += vkfd_pm4_pkt_cond_write(dw + n, S_BUF_VA, VKFD_PM4_WRM_FUNC_EQUAL,
				     0x34, 0xff, S_BUF_VA + 8, 0xaa);
	n += vkfd_pm4_pkt_cond_write(dw + n, S_BUF_VA, VKFD_PM4_WRM_FUNC_GT,
				     0x1234, ~0u, S_BUF_VA + 12, 0xbb);
	P_SUBMIT(&q, dw, n);
	P_IDLE(&q);
	EXPECT_EQ(0xaaU, *s_u32(&b, 8));
	EXPECT_EQ(0U, *s_u32(&b, 12));
	EXPECT_EQ(n, *q.rptr);
	EXPECT_EQ(0, p_queue_destroy(&q));
}

TEST_HARNESS_MAIN
