// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd's SDMA v4 packet encoders, dword for dword. The expected
 * dwords are written out by hand from vega10_sdma_pkt_open.h and the
 * sequences amdgpu's sdma_v4_0.c emits (emit_copy_buffer,
 * emit_fill_buffer, ring_emit_fence, wait_reg_mem, ...), not from the
 * macros the encoders use, so a wrong macro fails here too. Needs no
 * device: runs the same on every lane.
 */
#include "kselftest_harness.h"

#include <stdint.h>
#include <string.h>

#include <linux/vkfd_sdma.h>

#include "libvkfd.h"

#define CANARY		0xdeadbeefu
#define BUF_DW		64

/* Encode into a canary-filled buffer; check length, dwords and the tail. */
#define CHECK_PACKET(len, buf, ...) do {				\
	const uint32_t _exp[] = { __VA_ARGS__ };			\
	uint32_t _i;							\
									\
	ASSERT_EQ(ARRAY_SIZE(_exp), (len));				\
	for (_i = 0; _i < ARRAY_SIZE(_exp); _i++)			\
		EXPECT_EQ(_exp[_i], (buf)[_i]) TH_LOG("dword %u", _i);	\
	for (; _i < BUF_DW; _i++)					\
		ASSERT_EQ(CANARY, (buf)[_i]) TH_LOG("wrote dword %u", _i); \
} while (0)

static void fill_canary(uint32_t *buf)
{
	int i;

	for (i = 0; i < BUF_DW; i++)
		buf[i] = CANARY;
}

TEST(nop)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_nop(buf);
	CHECK_PACKET(len, buf, 0x00000000);
}

/* op 1, sub_op 0; count bytes - 1; parameters 0; src, then dst. */
TEST(copy_linear)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_copy_linear(buf, 0x0000123456789000ull,
				    0x000000abcdef1000ull, 4096);
	CHECK_PACKET(len, buf, 0x00000001, 0x00000fff, 0x00000000,
		     0xcdef1000, 0x000000ab, 0x56789000, 0x00001234);

	/* one byte, unaligned addresses: count 0, addresses as given */
	fill_canary(buf);
	len = vkfd_sdma_copy_linear(buf, 0xffff800000000003ull, 0x7, 1);
	CHECK_PACKET(len, buf, 0x00000001, 0x00000000, 0x00000000,
		     0x00000007, 0x00000000, 0x00000003, 0xffff8000);

	/* the most one packet copies: the 22-bit count is full */
	fill_canary(buf);
	len = vkfd_sdma_copy_linear(buf, 0x200000, 0x100000,
				    VKFD_SDMA_COPY_MAX);
	CHECK_PACKET(len, buf, 0x00000001, 0x003fffff, 0x00000000,
		     0x00100000, 0x00000000, 0x00200000, 0x00000000);
	EXPECT_EQ(4u << 20, VKFD_SDMA_COPY_MAX);
}

/* op 2, sub_op 0; dst; n - 1; the data. */
TEST(write_linear)
{
	const uint32_t data[5] = { 0x11111111, 0x22222222, 0x33333333,
				   0x44444444, 0x55555555 };
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_write_linear(buf, 0x00007fff00001000ull, data, 5);
	CHECK_PACKET(len, buf, 0x00000002, 0x00001000, 0x00007fff,
		     0x00000004, 0x11111111, 0x22222222, 0x33333333,
		     0x44444444, 0x55555555);

	fill_canary(buf);
	len = vkfd_sdma_write_linear(buf, 0x10, data + 4, 1);
	CHECK_PACKET(len, buf, 0x00000002, 0x00000010, 0x00000000,
		     0x00000000, 0x55555555);
}

/* op 11, no sub_op, no fillsize bits (as emit_fill_buffer); count bytes - 1. */
TEST(const_fill)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_const_fill(buf, 0x0000000100002000ull, 0xa5a5a5a5,
				   8192);
	CHECK_PACKET(len, buf, 0x0000000b, 0x00002000, 0x00000001,
		     0xa5a5a5a5, 0x00001fff);

	fill_canary(buf);
	len = vkfd_sdma_const_fill(buf, 0x4, 0, 4);
	CHECK_PACKET(len, buf, 0x0000000b, 0x00000004, 0x00000000,
		     0x00000000, 0x00000003);
}

/* op 5; dst; the dword (as ring_emit_fence, 32-bit). */
TEST(fence)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_fence(buf, 0x0000002000003004ull, 0xcafef00d);
	CHECK_PACKET(len, buf, 0x00000005, 0x00003004, 0x00000020,
		     0xcafef00d);
}

/* op 6; int_context in bits 0..27, the rest cut off. */
TEST(trap)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_trap(buf, 42);
	CHECK_PACKET(len, buf, 0x00000006, 0x0000002a);

	fill_canary(buf);
	len = vkfd_sdma_trap(buf, 0xffffffff);
	CHECK_PACKET(len, buf, 0x00000006, 0x0fffffff);
}

/* op 13, sub_op 2 (GET_GLOBAL); dst. */
TEST(timestamp)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_timestamp(buf, 0x0000000300004008ull);
	CHECK_PACKET(len, buf, 0x0000020d, 0x00004008, 0x00000003);
}

/*
 * op 8, mem_poll (bit 31), func 3 "==" (bits 28..30), no hdp_flush; addr;
 * reference; mask; interval | retry count << 16 (as wait_reg_mem).
 */
TEST(poll_regmem)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_poll_regmem(buf, 0x0000000400005000ull, 0x1234,
				    0xffffffff, 10, VKFD_SDMA_POLL_RETRY_FOREVER);
	CHECK_PACKET(len, buf, 0xb0000008, 0x00005000, 0x00000004,
		     0x00001234, 0xffffffff, 0x0fff000a);

	/* retries wider than the 12-bit field are cut, not spilled */
	fill_canary(buf);
	len = vkfd_sdma_poll_regmem(buf, 0x8, 1, 0xff, 0xffff, 0xffff);
	CHECK_PACKET(len, buf, 0xb0000008, 0x00000008, 0x00000000,
		     0x00000001, 0x000000ff, 0x0fffffff);
}

/*
 * The encoders of <linux/vkfd_sdma.h> for what ROCm 5.2's runtime sends,
 * against the bitfields of its sdma_registers.h. ATOMIC: op 10, loop bit
 * 16, operation in bits 25..31; ROCr's signal decrement is ADD_RTN_64 (47)
 * of -1.
 */
TEST(atomic)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_pkt_atomic(buf, VKFD_SDMA_ATOMIC_ADD_RTN_64,
				   0x00007f0012345678ull, ~0ull, 0, 0, 0);
	CHECK_PACKET(len, buf, 0x5e00000a, 0x12345678, 0x00007f00,
		     0xffffffff, 0xffffffff, 0, 0, 0);

	/* CMPSWAP_32 (no return, 0x48), looping; the interval is 13 bits */
	fill_canary(buf);
	len = vkfd_sdma_pkt_atomic(buf, 0x48, 0x1000, 5, 0x700000007ull, 1,
				   0x2064);
	CHECK_PACKET(len, buf, 0x9001000a, 0x00001000, 0, 5, 0, 7, 7,
		     0x00000064);
}

/*
 * Register polls: ROCr's hdp_flush_cmd exactly, and amdgpu's HDP flush
 * (hdp_flush bit 26, func 3, the two registers' byte offsets).
 */
TEST(poll_reg)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_pkt_poll_reg(buf, 0, 0, 0, 0x80000000, 0);
	CHECK_PACKET(len, buf, 0x00000008, 0, 0x80000000, 0, 0, 0);

	fill_canary(buf);
	len = vkfd_sdma_pkt_poll_reg(buf, 1, 3, 0x5480 << 2, 0x5484 << 2, 1);
	CHECK_PACKET(len, buf, 0x34000008, 0x00015200, 0x00015210, 1, 1,
		     0x0fff000a);
}

/* CONST_FILL as BuildFillCommand(): fill size 2, count (dwords - 1) * 4 */
TEST(fill_dwords)
{
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_pkt_fill_dwords(buf, 0x0000000500001000ull, 0xcafe,
					0x100);
	CHECK_PACKET(len, buf, 0x8000000b, 0x00001000, 0x00000005,
		     0x0000cafe, 0x000003fc);
}

/*
 * COPY_LINEAR_RECT as BuildCopyRectCommand(): sub_op 4, element in bits
 * 29..31; per side base, x | y << 16, z | (pitch - 1) << 13, slice pitch
 * - 1; then (width - 1) | (height - 1) << 16, depth - 1.
 */
TEST(copy_rect)
{
	const struct vkfd_sdma_rect src = {
		.va = 0x123456780ull, .x = 1, .y = 2, .z = 3, .pitch = 100,
		.slice = 5000,
	};
	const struct vkfd_sdma_rect dst = {
		.va = 0xabc00000004ull, .x = 3, .z = 1, .pitch = 64,
		.slice = 4096,
	};
	uint32_t buf[BUF_DW], len;

	fill_canary(buf);
	len = vkfd_sdma_pkt_copy_rect(buf, 2, &dst, &src, 16, 8, 2);
	CHECK_PACKET(len, buf, 0x40000401, 0x23456780, 0x00000001,
		     0x00020001, 0x000c6003, 0x00001387, 0x00000004,
		     0x00000abc, 0x00000003, 0x0007e001, 0x00000fff,
		     0x0007000f, 0x00000001);
}

/* The uAPI's lengths are the ones the encoders return. */
TEST(lengths_match_uapi)
{
	uint32_t buf[BUF_DW], one = 0;

	EXPECT_EQ((uint32_t)VKFD_SDMA_NOP_DW, vkfd_sdma_nop(buf));
	EXPECT_EQ((uint32_t)VKFD_SDMA_COPY_LINEAR_DW,
		  vkfd_sdma_copy_linear(buf, 0, 0, 1));
	EXPECT_EQ((uint32_t)VKFD_SDMA_WRITE_LINEAR_DW + 1,
		  vkfd_sdma_write_linear(buf, 0, &one, 1));
	EXPECT_EQ((uint32_t)VKFD_SDMA_CONST_FILL_DW, vkfd_sdma_const_fill(buf, 0, 0, 4));
	EXPECT_EQ((uint32_t)VKFD_SDMA_FENCE_DW, vkfd_sdma_fence(buf, 0, 0));
	EXPECT_EQ((uint32_t)VKFD_SDMA_TRAP_DW, vkfd_sdma_trap(buf, 0));
	EXPECT_EQ((uint32_t)VKFD_SDMA_TIMESTAMP_DW, vkfd_sdma_timestamp(buf, 0));
	EXPECT_EQ((uint32_t)VKFD_SDMA_POLL_REGMEM_DW,
		  vkfd_sdma_poll_regmem(buf, 0, 0, 0, 0, 0));
}

/* Packets back to back: each starts where the previous one ended. */
TEST(stream)
{
	uint32_t buf[BUF_DW], n = 0;

	fill_canary(buf);
	n += vkfd_sdma_copy_linear(buf + n, 0x2000, 0x1000, 16);
	n += vkfd_sdma_fence(buf + n, 0x3000, 7);
	n += vkfd_sdma_trap(buf + n, 3);
	ASSERT_EQ(13u, n);
	EXPECT_EQ(0x00000001u, buf[0]);
	EXPECT_EQ(0x00000005u, buf[7]);
	EXPECT_EQ(0x00000007u, buf[10]);
	EXPECT_EQ(0x00000006u, buf[11]);
	EXPECT_EQ(0x00000003u, buf[12]);
	EXPECT_EQ(CANARY, buf[13]);
}

TEST_HARNESS_MAIN
