// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SDMA packets ROCm 5.2's runtime (ROCr's BlitSdma on gfx9) sends,
 * through real queues, checked through CPU mappings: its completion
 * sequence (HDP flush, copy, ATOMIC decrement of the signal, FENCE to the
 * event mailbox, TRAP) firing the event; every integer ATOMIC; ATOMIC
 * racing the CPU on one counter; a looping CMPSWAP released by the CPU;
 * ATOMIC and COPY_LINEAR_RECT faults; rectangle copies against a
 * reference; dword CONST_FILL; a copy split at ROCr's largest packet;
 * zero padding up to the ring's end. Packets come from the encoders of
 * <linux/vkfd_sdma.h> and libvkfd.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include "kselftest_harness.h"
#include "sdma_utils.h"

/* ROCr's HDP flush on gfx9 (hdp_flush_cmd) */
static const uint32_t rocr_hdp_flush[6] = { 0x8, 0, 0x80000000, 0, 0, 0 };

/* SDMA_PKT_COPY_LINEAR::kMaxSize_: ROCr splits copies there */
#define ROCR_COPY_MAX	0x3fffe0ULL

/*
 * hsa_amd_memory_async_copy() on gfx9, as SubmitCommand() builds it for
 * an interrupt signal: HDP flush, COPY_LINEAR, ATOMIC ADD_RTN_64 of -1 on
 * the signal's value, FENCE of the event id to the event's mailbox, TRAP
 * with the event id. The event fires and the signal goes from 1 to 0.
 */
TEST_F(sdma, rocr_completion)
{
	uint32_t dw[64], n = 0, result;
	struct s_buf b, page;
	struct vkfd_event ev;
	struct vkfd_queue q;
	uint64_t mailbox;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, 4 * S_PAGE, &b, &q);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_EV_VA,
		  KFD_SIGNAL_EVENT_LIMIT * 8, S_GTT_RW, &page);
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true,
				       page.bo.handle, &ev));
	mailbox = S_EV_VA + 8 * ev.slot;
	s_pattern(b.cpu, S_PAGE, 5);
	*s_u64(&b, 3 * S_PAGE) = 1;	/* the signal's value */

	memcpy(dw, rocr_hdp_flush, sizeof(rocr_hdp_flush));
	n += 6;
	n += vkfd_sdma_copy_linear(dw + n, S_BUF_VA + S_PAGE, S_BUF_VA,
				   S_PAGE - 3);
	n += vkfd_sdma_pkt_atomic(dw + n, VKFD_SDMA_ATOMIC_ADD_RTN_64,
				  S_BUF_VA + 3 * S_PAGE, ~0ULL, 0, 0, 0);
	n += vkfd_sdma_fence(dw + n, mailbox, ev.trigger);
	n += vkfd_sdma_trap(dw + n, ev.trigger);
	S_SUBMIT(&q, dw, n);

	ASSERT_EQ(0, vkfd_event_wait(&self->b.p, &ev.id, 1, false, S_WAIT_MS,
				     &result));
	EXPECT_EQ(S_EV_COMPLETE, result);
	EXPECT_EQ(0ULL, *s_u64(&b, 3 * S_PAGE));
	EXPECT_EQ(0, memcmp(b.cpu, b.cpu + S_PAGE, S_PAGE - 3));
	EXPECT_EQ(0U, b.cpu[2 * S_PAGE - 3]);
	S_IDLE(&q);
	EXPECT_EQ(n * 4ULL, *q.rptr);
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/* Every integer ATOMIC, 32 and 64 bit, with and without return. */
TEST_F(sdma, atomic_ops)
{
	static const struct { uint32_t op; uint64_t old, src, cmp, w32, w64; } c[] = {
		{ VKFD_SDMA_ATOMIC_SWAP, 1, 0x700000009, 0, 9, 0x700000009 },
		{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 5, 9, 9 },
		{ VKFD_SDMA_ATOMIC_CMPSWAP, 5, 9, 6, 5, 5 },
		{ VKFD_SDMA_ATOMIC_ADD, 1, ~0ULL, 0, 0, 0 },
		{ VKFD_SDMA_ATOMIC_SUB, 0, 1, 0, 0xffffffff, ~0ULL },
		{ VKFD_SDMA_ATOMIC_SMIN, 3, ~4ULL, 0, 0xfffffffb, ~4ULL },
		{ VKFD_SDMA_ATOMIC_UMIN, 3, ~4ULL, 0, 3, 3 },
		{ VKFD_SDMA_ATOMIC_SMAX, 3, ~4ULL, 0, 3, 3 },
		{ VKFD_SDMA_ATOMIC_UMAX, 3, ~4ULL, 0, 0xfffffffb, ~4ULL },
		{ VKFD_SDMA_ATOMIC_AND, 0xf0, 0x3c, 0, 0x30, 0x30 },
		{ VKFD_SDMA_ATOMIC_OR, 0xf0, 0x3c, 0, 0xfc, 0xfc },
		{ VKFD_SDMA_ATOMIC_XOR, 0xf0, 0x3c, 0, 0xcc, 0xcc },
		{ VKFD_SDMA_ATOMIC_INC, 7, 7, 0, 0, 0 },
		{ VKFD_SDMA_ATOMIC_INC, 6, 7, 0, 7, 7 },
		{ VKFD_SDMA_ATOMIC_DEC, 0, 9, 0, 9, 9 },
		{ VKFD_SDMA_ATOMIC_DEC, 5, 9, 0, 4, 4 },
	};
	const unsigned int nc = sizeof(c) / sizeof(c[0]);
	uint32_t dw[VKFD_SDMA_ATOMIC_DW * 4], v, n;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	for (v = 0; v < 4; v++) {
		bool wide = v & 1, rtn = v & 2;
		uint32_t code_bits = (wide ? VKFD_SDMA_ATOMIC_64 : 0) |
				     (rtn ? 0 : VKFD_SDMA_ATOMIC_NO_RTN);
		unsigned int i;

		memset(b.cpu, 0x5a, S_PAGE);
		for (i = 0; i < nc; i++) {
			if (wide)
				*s_u64(&b, 16 * i) = c[i].old;
			else
				*s_u32(&b, 16 * i) = (uint32_t)c[i].old;
			n = vkfd_sdma_pkt_atomic(dw, c[i].op | code_bits,
						 S_BUF_VA + 16 * i, c[i].src,
						 c[i].cmp, 0, 0);
			S_SUBMIT(&q, dw, n);
		}
		S_IDLE(&q);
		for (i = 0; i < nc; i++) {
			if (wide) {
				EXPECT_EQ(c[i].w64, *s_u64(&b, 16 * i))
					TH_LOG("64-bit case %u", i);
			} else {
				EXPECT_EQ((uint32_t)c[i].w32,
					  *s_u32(&b, 16 * i))
					TH_LOG("32-bit case %u", i);
				EXPECT_EQ(0x5a5a5a5aU, *s_u32(&b, 16 * i + 4));
			}
			EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, *s_u64(&b, 16 * i + 8));
		}
	}
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * ATOMIC ADD64 races the CPU's atomic adds on one counter: none is lost,
 * whoever wins each time.
 */
#define RACE_ROUNDS	8
#define RACE_PKTS	120	/* 3840 bytes: fits the 4 KiB ring */

TEST_F(sdma, atomic_races_cpu)
{
	uint32_t dw[VKFD_SDMA_ATOMIC_DW * RACE_PKTS], n = 0, i, r;
	volatile uint64_t *counter;
	uint64_t cpu = 0;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	counter = s_u64(&b, 64);
	for (i = 0; i < RACE_PKTS; i++)
		n += vkfd_sdma_pkt_atomic(dw + n, VKFD_SDMA_ATOMIC_ADD |
					  VKFD_SDMA_ATOMIC_64 |
					  VKFD_SDMA_ATOMIC_NO_RTN,
					  S_BUF_VA + 64, 1, 0, 0, 0);
	for (r = 0; r < RACE_ROUNDS; r++) {
		S_SUBMIT(&q, dw, n);
		uint64_t end = vkfd_now_ms() + S_WAIT_MS;

		/* add while the engine adds, then some more */
		while (s_rptr(&q) != q.wptr && vkfd_now_ms() < end) {
			__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
			cpu++;
		}
		for (i = 0; i < 1000; i++, cpu++)
			__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
		S_IDLE(&q);
	}
	EXPECT_EQ((uint64_t)RACE_ROUNDS * RACE_PKTS + cpu, *counter);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * A looping CMPSWAP holds the queue until the CPU writes the value it
 * compares with; then it swaps and the queue goes on.
 */
TEST_F(sdma, atomic_loop_cmpswap)
{
	uint32_t dw[32], n = 0, at;
	struct vkfd_queue q, o;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	*s_u64(&b, 0) = 1;
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 16, 1);
	at = n * 4;
	n += vkfd_sdma_pkt_atomic(dw + n, VKFD_SDMA_ATOMIC_CMPSWAP |
				  VKFD_SDMA_ATOMIC_64, S_BUF_VA, 0x77, 2, 1,
				  100);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 20, 2);
	S_SUBMIT(&q, dw, n);
	ASSERT_TRUE(s_wait_u64(q.rptr, at));
	EXPECT_EQ(1U, *s_u32(&b, 16));
	EXPECT_EQ(0U, *s_u32(&b, 20));
	EXPECT_EQ(1ULL, *s_u64(&b, 0));
	/* Another queue of the context carries on meanwhile */
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 1, S_RING,
		    &o);
	S_SUBMIT(&o, dw, vkfd_sdma_fence(dw, S_BUF_VA + 24, 3));
	S_IDLE(&o);
	EXPECT_EQ(3U, *s_u32(&b, 24));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &o));
	EXPECT_EQ(at, s_rptr(&q));
	__atomic_store_n(s_u64(&b, 0), 2, __ATOMIC_RELEASE);
	S_IDLE(&q);
	EXPECT_EQ(0x77ULL, *s_u64(&b, 0));
	EXPECT_EQ(2U, *s_u32(&b, 20));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * ATOMIC and COPY_LINEAR_RECT fault like any packet: unmapped, and
 * read-only for the ATOMIC's value or the rectangle's destination.
 * Nothing is written; the queue halts at the packet; each counts. A
 * secondary context mapping writable buffers at the same addresses hears
 * of none of it and keeps its bytes.
 */
TEST_F(sdma, atomic_rect_faults)
{
	struct vkfd_sdma_rect ok = { .va = S_BUF_VA, .pitch = 64, .slice = 1 };
	struct vkfd_sdma_rect bad = ok;
	struct vkfd_memory_fault f;
	uint32_t dw[32], n, ev, sev, result, i, at;
	struct s_buf rw, ro, shole, sro;
	struct vkfd_context s;
	struct vkfd_queue q;
	int render;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  S_PAGE, S_GTT_RW, &rw);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, S_PAGE, S_GTT_RO, &ro);
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s,
				       &render));
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_HOLE_VA, S_PAGE,
		  S_GTT_RW, &shole);
	s_buf_new(_metadata, &s, render, self->b.gpu[0], S_BUF_VA + S_BUF_STEP,
		  S_PAGE, S_GTT_RW, &sro);
	memset(shole.cpu, 0x33, S_PAGE);
	memset(sro.cpu, 0x44, S_PAGE);
	sev = s_memory_event(_metadata, &s);
	for (i = 0; i < 4; i++) {
		uint64_t va = i & 1 ? ro.bo.va + 256 : S_HOLE_VA + 256;

		/* a new event: the last one stays signaled */
		ev = s_memory_event(_metadata, &self->b.p);

		s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], i,
			    S_RING, &q);
		n = vkfd_sdma_fence(dw, S_BUF_VA + 2048 + 8 * i, 1);
		at = n * 4;
		bad.va = va;
		if (i < 2)
			n += vkfd_sdma_pkt_atomic(dw + n,
						  VKFD_SDMA_ATOMIC_ADD_RTN_64,
						  va, 1, 0, 0, 0);
		else
			n += vkfd_sdma_pkt_copy_rect(dw + n, 2, &bad, &ok, 4,
						     2, 1);
		n += vkfd_sdma_fence(dw + n, S_BUF_VA + 2048 + 8 * i + 4, 2);
		S_SUBMIT(&q, dw, n);
		memset(&f, 0, sizeof(f));
		ASSERT_EQ(0, vkfd_event_wait_fault(&self->b.p, ev, S_WAIT_MS,
						   &result, &f));
		ASSERT_EQ(S_EV_COMPLETE, result) TH_LOG("case %u", i);
		EXPECT_EQ(va & ~(S_PAGE - 1), f.va);
		EXPECT_EQ(!(i & 1), !!f.not_present);
		EXPECT_EQ(!!(i & 1), !!f.read_only);
		EXPECT_EQ(i + 1ULL, S_FAULTS(self->b.p.fd));
		EXPECT_EQ(at, s_rptr(&q));
		EXPECT_EQ(1U, *s_u32(&rw, 2048 + 8 * i));
		EXPECT_EQ(0U, *s_u32(&rw, 2048 + 8 * i + 4));
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	}
	for (i = 0; i < S_PAGE; i++) {
		ASSERT_EQ(0, ro.cpu[i]);
		ASSERT_EQ(0x33, shole.cpu[i]);
		ASSERT_EQ(0x44, sro.cpu[i]);
	}
	EXPECT_EQ(0ULL, S_FAULTS(s.fd));
	ASSERT_EQ(0, vkfd_event_wait(&s, &sev, 1, false, 0, &result));
	EXPECT_EQ(S_EV_TIMEOUT, result);
	vkfd_close(&s);
	close(render);
}

/* The byte offset of element (@i, @j, @k) of @s's box */
static uint64_t rect_at(const struct vkfd_sdma_rect *s, uint32_t esize,
			uint32_t i, uint32_t j, uint32_t k)
{
	return ((uint64_t)(s->z + k) * s->slice + (uint64_t)(s->y + j) *
		s->pitch + s->x + i) * esize;
}

/*
 * COPY_LINEAR_RECT through a queue, each element size, 3D boxes with
 * offsets, between two buffers; the rest of the destination untouched.
 */
TEST_F(sdma, copy_rect)
{
	static const struct {
		uint32_t element, w, h, d;
		struct vkfd_sdma_rect src, dst;
	} c[] = {
		{ 0, 13, 7, 3, { 0, 3, 1, 1, 40, 400, 0 },
		  { 0, 1, 2, 0, 33, 350, 0 } },
		{ 1, 8, 5, 2, { 0, 1, 0, 2, 16, 100, 0 },
		  { 0, 0, 3, 1, 20, 180, 0 } },
		{ 2, 100, 3, 2, { 0, 0, 2, 0, 300, 1200, 0 },
		  { 0, 7, 0, 1, 128, 512, 0 } },
		{ 3, 5, 4, 4, { 0, 2, 2, 2, 9, 50, 0 },
		  { 0, 1, 1, 1, 7, 40, 0 } },
		{ 4, 3, 3, 3, { 0, 1, 1, 1, 4, 16, 0 },
		  { 0, 0, 0, 0, 3, 9, 0 } },
	};
	const uint64_t size = 16 * S_PAGE;
	struct s_buf a, b;
	struct vkfd_queue q;
	uint32_t dw[16], i, x, y, z;
	uint8_t *shadow;

	S_NEED_GPU();
	shadow = malloc(size);
	ASSERT_NE(NULL, shadow);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  size, S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, size, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vkfd_sdma_rect src = c[i].src, dst = c[i].dst;
		uint32_t es = 1u << c[i].element;

		src.va = a.bo.va + 4 * i;
		dst.va = b.bo.va + 8 * i;
		s_pattern(a.cpu, size, i);
		memset(b.cpu, 0xee, size);
		memcpy(shadow, b.cpu, size);
		for (z = 0; z < c[i].d; z++)
			for (y = 0; y < c[i].h; y++)
				for (x = 0; x < c[i].w; x++) {
					uint64_t so = 4 * i + rect_at(&src, es, x, y, z);
					uint64_t d = 8 * i + rect_at(&dst, es, x, y, z);

					ASSERT_LE(so + es, size);
					ASSERT_LE(d + es, size);
					memcpy(shadow + d, a.cpu + so, es);
				}
		S_SUBMIT(&q, dw, vkfd_sdma_pkt_copy_rect(dw, c[i].element,
							 &dst, &src, c[i].w,
							 c[i].h, c[i].d));
		S_IDLE(&q);
		EXPECT_EQ(0, memcmp(shadow, b.cpu, size)) TH_LOG("case %u", i);
	}
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	free(shadow);
}

/*
 * What hsa_amd_memory_fill() and a big hsa_amd_memory_async_copy() send:
 * CONST_FILL by dwords (fill size 2, count (dwords - 1) * 4), and copies
 * split at ROCr's largest COPY_LINEAR, count size - 1.
 */
TEST_F(sdma, rocr_fill_and_split_copy)
{
	const uint64_t size = ROCR_COPY_MAX + 2 * S_PAGE + 12;
	/* whole pages, and a page for the fill after the copy's bytes */
	const uint64_t bufsz = ((size + S_PAGE - 1) & ~(S_PAGE - 1)) + S_PAGE;
	uint32_t dw[32], n = 0;
	struct vkfd_queue q;
	struct s_buf a, b;
	uint64_t off;

	S_NEED_GPU();
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], S_BUF_VA,
		  bufsz, S_GTT_RW, &a);
	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA + S_BUF_STEP, bufsz, S_GTT_RW, &b);
	s_queue_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0], 0, S_RING,
		    &q);
	s_pattern(a.cpu, size, 3);
	memset(b.cpu, 0x11, bufsz);
	for (off = 0; off < size; off += ROCR_COPY_MAX) {
		uint64_t len = size - off < ROCR_COPY_MAX ? size - off :
							    ROCR_COPY_MAX;

		n += vkfd_sdma_copy_linear(dw + n, b.bo.va + off,
					   a.bo.va + off, len);
	}
	EXPECT_EQ(2U * VKFD_SDMA_COPY_LINEAR_DW, n);
	EXPECT_EQ(ROCR_COPY_MAX - 1, dw[1]);
	n += vkfd_sdma_pkt_fill_dwords(dw + n, a.bo.va + size, 0xfeedf00d,
				       S_PAGE / 4 - 1);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(0, memcmp(a.cpu, b.cpu, size));
	EXPECT_EQ(0x11U, b.cpu[size]);
	EXPECT_EQ(0xfeedf00dU, *s_u32(&a, size));
	EXPECT_EQ(0xfeedf00dU, *s_u32(&a, size + S_PAGE - 8));
	EXPECT_EQ(0U, *s_u32(&a, size + S_PAGE - 4));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

/*
 * ROCr pads the ring to its end with zero bytes (PadRingToEnd()): each
 * zero dword is a NOP; then a TIMESTAMP to a 32-byte aligned address and
 * a fence at the ring's start.
 */
TEST_F(sdma, rocr_zero_padding)
{
	uint32_t dw[64] = { 0 }, n;
	struct vkfd_queue q;
	struct s_buf b;

	S_NEED_GPU();
	s_buf_and_queue(_metadata, self, S_PAGE, &b, &q);
	s_ring_align(_metadata, &q, 60);
	n = 15;		/* zero dwords up to the end */
	n += vkfd_sdma_timestamp(dw + n, S_BUF_VA + 32);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA, 0x0dd);
	S_SUBMIT(&q, dw, n);
	S_IDLE(&q);
	EXPECT_EQ(0x0ddU, *s_u32(&b, 0));
	EXPECT_NE(0ULL, *s_u64(&b, 32));
	EXPECT_EQ(28ULL, *q.rptr % S_RING);
	EXPECT_EQ(0ULL, S_FAULTS(self->b.p.fd));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

TEST_HARNESS_MAIN
