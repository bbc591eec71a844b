/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * membench - what its files share (see membench.c for what it measures):
 * what to run, on what GPU; the secondaries with a GPU VM and their
 * buffers, and what debugfs says of them (membench_vm.c); the phases
 * (membench_latency.c, membench_pt.c, membench_ctxmem.c).
 */
#ifndef MEMBENCH_H
#define MEMBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KiB			(1ull << 10)
#define MiB			(1ull << 20)
#define GiB			(1ull << 30)

#define MAX_NS			8

/* mem_settle()'s first wait: each CPU folds in its counts once a second. */
#define MEMBENCH_SETTLE_MS	1200

#define GPU_PAGE		4096ull

/* A page table of gfx9: 512 entries of 8 bytes, one 4 KiB page. */
#define PT_TABLE_SIZE		4096ull

/**
 * struct membench - what to run, and on what
 * @dev: vkfd's device node
 * @topology: its topology directory in sysfs
 * @contexts: <debugfs>/vkfd/contexts
 * @phases: PHASE_* bits
 * @ns: live mappings of the latency phase, ascending
 * @n_ns: entries in @ns
 * @ctxs: contexts of the ctxmem phase
 * @pt_mib: MiB the pt phase maps, 0 for "as much as the machine allows"
 * @scale: factor on every iteration count
 * @nofile: RLIMIT_NOFILE in force
 * @gpu_id: the GPU measured (the first one)
 * @render: its render node, /dev/dri/renderD<minor>
 */
struct membench {
	const char *dev;
	char topology[256];
	char contexts[256];
	unsigned int phases;
	unsigned int ns[MAX_NS];
	unsigned int n_ns;
	unsigned int ctxs;
	unsigned int pt_mib;
	double scale;
	unsigned int nofile;
	uint32_t gpu_id;
	char render[64];
};

/**
 * struct vm - a secondary context with its GPU VM on the measured GPU
 * @kfd: the device fd, bound to the secondary
 * @render: the render node fd bound to its VM
 * @ctx_id: the secondary's id (the context column of debugfs)
 * @gpu_id: the GPU (and the id array of MAP and UNMAP)
 */
struct vm {
	int kfd;
	int render;
	uint32_t ctx_id;
	uint32_t gpu_id;
};

/**
 * struct ctx_usage - what the contexts file says about some contexts
 * @contexts: lines that matched
 * @bos: buffer handles
 * @pt: bytes of page tables
 */
struct ctx_usage {
	unsigned long contexts;
	unsigned long bos;
	unsigned long long pt;
};

/* --- the GPU, its VMs and buffers (membench_vm.c) -----------------------
 *
 * Each returns 0 or -errno.
 */

/*
 * The render node of GPU @mb->gpu_id, into @mb->render: the topology node
 * whose gpu_id it is publishes drm_render_minor in its properties.
 */
int find_render_node(struct membench *mb);

/*
 * Open a secondary context on @mb's device with its VM on the measured
 * GPU, bound to a fresh fd of the render node. On failure nothing stays
 * open.
 */
int vm_open(const struct membench *mb, struct vm *vm);
void vm_close(struct vm *vm);

int buf_alloc(const struct vm *vm, uint64_t va, uint64_t size,
	      uint32_t domain, uint64_t *handle);
int buf_map(const struct vm *vm, uint64_t handle);
int buf_unmap(const struct vm *vm, uint64_t handle);
int buf_free(const struct vm *vm, uint64_t handle);
/* Allocate and map; on failure nothing is left. */
int buf_alloc_map(const struct vm *vm, uint64_t va, uint64_t size,
		  uint32_t domain, uint64_t *handle);

/* VRAM the GPU has left for allocations, or 0 if it cannot be asked. */
uint64_t vram_available(const struct vm *vm);

/* "VRAM" or "GTT". */
const char *domain_name(uint32_t domain);
/* @size as "<n> MiB" or "<n> KiB", in @buf. */
const char *size_name(uint64_t size, char *buf, size_t len);

/*
 * Sum the contexts of process @pid in the contexts file: the one with id
 * @ctx_id, or all of them if @ctx_id is VKFD_CTX_ID_SELF. Returns 0, or
 * -errno if the file cannot be read or lacks the columns.
 */
int ctx_usage(const struct membench *mb, pid_t pid, uint32_t ctx_id,
	      struct ctx_usage *u);

/* --- the phases: each a child process' work, returning its exit status -- */

int latency_child(const struct membench *mb);
int pt_child(const struct membench *mb);
int ctxmem_child(const struct membench *mb);

#endif /* MEMBENCH_H */
