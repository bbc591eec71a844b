# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# vkfd: a software AMD KFD device with many isolated GPU contexts per process.
#
#   make            module, library, tools and tests (against Debian's headers)
#   make demo       boot a guest, load vkfd, show what it does: one shared
#                   context leaks a secret over SDMA, a context each faults
#   make check      every test, in qemu, on the lanes of vm/lanes/: Debian 12's
#                   6.1 and 6.12, Debian unstable's 7.x, a debug kernel, the
#                   real amdkfd, ROCm on vkfd
#   make bench      benchmarks in qemu: contexts (vkfd scaling, memory, vs amdkfd),
#                   GPU memory (map latency, page tables, memory per context),
#                   SDMA (copy vs memcpy, doorbell latency), events vs amdkfd,
#                   a victim next to hostile tenants (noisy neighbours)
#   make lint       checkpatch --strict and sparse on the module, kernel-doc
#                   and docutils on the docs, gcc's static analyzer on user
#                   space, shellcheck and pyflakes on the scripts
#   make install    module, vkfdctl, libraries, headers, udev rule, examples
#                   (DESTDIR, PREFIX; README "Install"); make uninstall
#   make dkms       vkfd.ko by DKMS for every kernel with headers (root);
#                   make dkms-remove
#
# Everything downloaded or built outside the work tree lives in $(VKFD_CACHE).

VKFD_CACHE ?= $(HOME)/.cache/vkfd
export VKFD_CACHE

BUILD ?= $(CURDIR)/build

# Debian's kernel headers: linux-headers-amd64 names the current ABI.
KABI := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(KABI)
MODDIR ?= $(BUILD)/module

# kselftest_harness.h, and the DRM uAPI headers <linux/kfd_ioctl.h> and the
# render node tests include (Debian's linux-libc-dev lacks them), come from
# Debian's linux-source-6.1 tree, for the lanes on newer kernels too (the
# debug lane's 6.12 is built from linux-source-6.12): the tests are one set
# of binaries for every lane, the harness is user space whatever the guest
# runs (vm/report.py reads its 6.1 output), and 6.1's uAPI is the oldest a
# test may rely on, which every newer kernel keeps.
LINUX_SOURCE_TAR := /usr/src/linux-source-6.1.tar.xz
KSFT_DIR := $(VKFD_CACHE)/kselftest
KSFT_STAMP := $(KSFT_DIR)/.stamp
UAPI_DIR := $(VKFD_CACHE)/uapi
# The cache outlives the list of headers: a new list needs a new stamp.
UAPI_STAMP := $(UAPI_DIR)/.stamp-amdgpu

# VKFD_UAPI_OVERRIDE: a directory searched first for userspace's headers,
# e.g. one holding a newer kernel's linux/kfd_ioctl.h (the unstable lane's
# K_UAPI), to build lib, tools and tests against that kernel's uAPI.
VKFD_UAPI_OVERRIDE ?=
UAPI_OVERRIDE_CFLAGS := $(if $(VKFD_UAPI_OVERRIDE),-I$(abspath $(VKFD_UAPI_OVERRIDE)))

# VKFD_USER_CFLAGS: more flags for all of user space (make lint's
# static analysis: vm/lint.sh).
VKFD_USER_CFLAGS ?=

CC ?= gcc
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	       $(UAPI_OVERRIDE_CFLAGS) $(VKFD_USER_CFLAGS) \
	       -I$(CURDIR)/include/uapi -I$(CURDIR)/lib -I$(UAPI_DIR)
TEST_CFLAGS := $(USER_CFLAGS) -I$(KSFT_DIR) -I$(CURDIR)/tests/lib -Wno-unused-parameter
USER_LDFLAGS := -static -pthread
# The selftests link glibc dynamically: a guest holds some sixty of them,
# 1 MB each static against 0.1 MB, and glibc once (vm/lib.sh stages it),
# which makes every guest's initramfs a fifth of the size to stage and to
# unpack at boot. tests/preload.c stays static: it runs itself under
# vkfdctl, which must refuse a static program.
TEST_LDFLAGS := -pthread
STATIC_TESTS := preload
test_ldflags = $(if $(filter $(1),$(STATIC_TESTS)),$(USER_LDFLAGS),$(TEST_LDFLAGS))
# A stamp named after those flags: when they change, every test relinks.
TEST_LINK_STAMP := $(BUILD)/obj/tests/.link-$(firstword $(shell echo \
	'$(USER_LDFLAGS) $(TEST_LDFLAGS) $(STATIC_TESTS)' | md5sum))

TEST_SRCS := $(wildcard tests/*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_OBJS := $(patsubst tests/%.c,$(BUILD)/obj/tests/%.o,$(TEST_SRCS))
# Kept, not removed as intermediate files: make would rebuild them.
.SECONDARY: $(TEST_OBJS) $(TESTLIB_OBJS)

# The selftests' base layer (tests/lib/*.c, its header vkfd_test.h):
# compiled once into build/lib/libvkfd_test.a, which every test binary
# links before libvkfd.a.
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(patsubst tests/lib/%.c,$(BUILD)/obj/tests/lib/%.o,$(TESTLIB_SRCS))
TESTLIB := $(BUILD)/lib/libvkfd_test.a

# Dynamically linked helpers of the selftests (tests/dyn/*.c ->
# build/tests-dyn/*), for what only a dynamic program shows (LD_PRELOAD);
# not tests by themselves. Fortified, as distributions build programs.
DYN_TEST_SRCS := $(wildcard tests/dyn/*.c)
DYN_TEST_BINS := $(patsubst tests/dyn/%.c,$(BUILD)/tests-dyn/%,$(DYN_TEST_SRCS))
DYN_CFLAGS := $(USER_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 -pthread
TEST_HDRS := $(wildcard tests/*.h) $(wildcard tests/lib/*.h) \
	     $(wildcard include/uapi/linux/*.h) $(wildcard lib/*.h) \
	     $(if $(VKFD_UAPI_OVERRIDE),$(wildcard $(VKFD_UAPI_OVERRIDE)/linux/*.h))

# libvkfd-secondary.so, the LD_PRELOAD library of `vkfdctl run --secondary`
# (lib/vkfd_preload.c): position independent, libc (and libdl) only, not
# part of libvkfd.a. No fortify: it defines open() and __open_2() itself.
PRELOAD_SRC := lib/vkfd_preload.c
PRELOAD_SO := $(BUILD)/lib/libvkfd-secondary.so
PRELOAD_CFLAGS := $(USER_CFLAGS) -U_FORTIFY_SOURCE -fPIC -fvisibility=hidden -pthread
PRELOAD_LDFLAGS := -shared -Wl,-z,defs -Wl,--as-needed -ldl

LIB_SRCS := $(filter-out %_test.c $(PRELOAD_SRC),$(wildcard lib/*.c))
LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB := $(BUILD)/lib/libvkfd.a

TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(BUILD)/tools/vkfdctl

.PHONY: all module lib tools tests headers rocm deps check demo bench lint clean FORCE \
	install install-check uninstall dkms dkms-remove

all: module lib tools tests

deps:
	@./vm/setup-host.sh

# Out-of-tree builds for several kernels must not share object files, so
# each build directory is a tree of symlinks to kernel/. The same driver
# is built twice: as vkfd.ko in $(MODDIR), and as amdgpu.ko (the module
# name ROCm's tools look for, see README) in a second tree below it,
# since one Kbuild directory cannot link the same objects into two
# modules. Both .ko files end up in $(MODDIR).
AMDGPU_MODDIR := $(MODDIR)/as-amdgpu
# VKFD_WERROR=y: every warning is an error (the harness builds so for
# each kernel it tests). VKFD_MODULES picks what is built (the harness
# leaves vkfd.ko out where DKMS builds it).
VKFD_WERROR ?=
VKFD_MODULES ?= vkfd amdgpu
# VKFD_TEST=y: build the test hooks (the test-only ioctl the selftests
# need, see docs/testing.rst "Test hooks"); the harness builds so.
VKFD_TEST ?=

# kbuild builds out of tree, in a copy made of symbolic links (by one
# process, not one per file: make check comes here many times).
module: FORCE
	@test -d "$(KDIR)" || { echo "vkfd: no kernel build tree at KDIR=$(KDIR); run 'make deps'" >&2; exit 1; }
	@for d in $(MODDIR) $(AMDGPU_MODDIR); do \
		mkdir -p $$d && cp -rsf $(CURDIR)/kernel/. $$d/ || exit 1; \
	done
	$(if $(filter vkfd,$(VKFD_MODULES)),$(MAKE) -C $(KDIR) M=$(MODDIR) VKFD_MODNAME=vkfd VKFD_WERROR=$(VKFD_WERROR) VKFD_TEST=$(VKFD_TEST) modules)
	$(if $(filter amdgpu,$(VKFD_MODULES)),$(MAKE) -C $(KDIR) M=$(AMDGPU_MODDIR) VKFD_MODNAME=amdgpu VKFD_WERROR=$(VKFD_WERROR) VKFD_TEST=$(VKFD_TEST) modules)
	$(if $(filter amdgpu,$(VKFD_MODULES)),cp -f $(AMDGPU_MODDIR)/amdgpu.ko $(MODDIR)/amdgpu.ko)

# The headers the user space is built with, unpacked into the cache (the
# harness makes them first: its parallel builds then only read them).
headers: $(KSFT_STAMP) $(UAPI_STAMP)

$(KSFT_STAMP): $(LINUX_SOURCE_TAR)
	@mkdir -p $(KSFT_DIR)
	tar -xf $(LINUX_SOURCE_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	@touch $@

$(UAPI_STAMP): $(LINUX_SOURCE_TAR)
	@mkdir -p $(UAPI_DIR)
	tar -xf $(LINUX_SOURCE_TAR) -C $(UAPI_DIR) --strip-components=3 \
		linux-source-6.1/include/uapi/drm/drm.h \
		linux-source-6.1/include/uapi/drm/drm_mode.h \
		linux-source-6.1/include/uapi/drm/amdgpu_drm.h
	@# What the kernel's headers_install does to uAPI headers:
	sed -i -E 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' \
		$(UAPI_DIR)/drm/drm.h $(UAPI_DIR)/drm/drm_mode.h \
		$(UAPI_DIR)/drm/amdgpu_drm.h
	@touch $@

$(BUILD)/lib/%.o: lib/%.c $(TEST_HDRS) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(if $(LIB_OBJS),ar rcs $@ $(LIB_OBJS),ar rcs $@)

$(PRELOAD_SO): $(PRELOAD_SRC) $(wildcard include/uapi/linux/*.h) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(PRELOAD_CFLAGS) -o $@ $< $(PRELOAD_LDFLAGS)

lib: $(LIB) $(PRELOAD_SO)

TOOL_OBJS := $(patsubst tools/%.c,$(BUILD)/obj/tools/%.o,$(TOOL_SRCS))

$(BUILD)/obj/tools/%.o: tools/%.c $(wildcard tools/*.h) $(TEST_HDRS) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/tools/vkfdctl: $(TOOL_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(TOOL_OBJS) $(LIB) $(USER_LDFLAGS)

# `vkfdctl run --secondary` finds the preload library at ../lib/ from itself.
tools: $(TOOL_BINS) $(PRELOAD_SO)

# Compiled and linked in two steps, so that ccache (which caches
# compilations, never links) serves the harness's builds.
$(BUILD)/obj/tests/%.o: tests/%.c $(TEST_HDRS) $(KSFT_STAMP) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/lib/%.o: tests/lib/%.c $(TEST_HDRS) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(TESTLIB): $(TESTLIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(TESTLIB_OBJS)

$(TEST_LINK_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(dir $@).link-*
	@touch $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TESTLIB) $(LIB) $(TEST_LINK_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< $(TESTLIB) $(LIB) $(call test_ldflags,$*)

# The fuzzer (tests/fuzz.c, docs/testing.rst) is one binary of several
# files: tests/fuzz/*.c and their header, linked into build/tests/fuzz only.
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_OBJS := $(patsubst tests/fuzz/%.c,$(BUILD)/obj/tests/fuzz/%.o,$(FUZZ_SRCS))
FUZZ_HDRS := $(wildcard tests/fuzz/*.h)
.SECONDARY: $(FUZZ_OBJS)

$(BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(FUZZ_HDRS) $(TEST_HDRS) $(KSFT_STAMP) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/fuzz.o: $(FUZZ_HDRS)

$(BUILD)/tests/fuzz: $(BUILD)/obj/tests/fuzz.o $(FUZZ_OBJS) $(TESTLIB) $(LIB) $(TEST_LINK_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< $(FUZZ_OBJS) $(TESTLIB) $(LIB) $(TEST_LDFLAGS)

# kfd_probe must reach glibc's __open_2 and __openat_2 through the fortified
# headers (its "fortify" words), or the tests of those entries would test
# nothing.
$(BUILD)/tests-dyn/%: tests/dyn/%.c $(TEST_HDRS) $(LIB) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(DYN_CFLAGS) -o $@ $< $(LIB)
	$(if $(filter kfd_probe,$*),@for f in __open_2 __openat_2; do \
		nm -D $@ | grep -qw $$f || { echo "vkfd: $@ does not call $$f (fortify)" >&2; \
		rm -f $@; exit 1; }; done)

# `make check` stages and runs every binary in $(BUILD)/tests (vm/lib.sh):
# one whose source is gone (a test file renamed or split) must go too.
STALE_TEST_BINS := $(filter-out $(TEST_BINS),$(wildcard $(BUILD)/tests/*)) \
		   $(filter-out $(DYN_TEST_BINS),$(wildcard $(BUILD)/tests-dyn/*))

# The preload test runs build/tests-dyn/* under build/lib/libvkfd-secondary.so.
tests: $(TEST_BINS) $(DYN_TEST_BINS) $(PRELOAD_SO)
	$(if $(strip $(STALE_TEST_BINS)),rm -f $(STALE_TEST_BINS))

# The ROCm programs (tests/rocm, bench/rocm) run Debian's ROCm 5.2.3 user
# space in the rocm lane and the bench's ROCm phase: dynamic, built against
# the headers and libraries vm/rocm.sh unpacks into ROCM_ROOT (never
# installed on the host), which the guest gets too.
ROCM_LIBDIRS = $(ROCM_ROOT)/usr/lib/x86_64-linux-gnu $(ROCM_ROOT)/lib/x86_64-linux-gnu
ROCM_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	      -isystem $(ROCM_ROOT)/usr/include -I$(CURDIR)/tests/rocm \
	      $(VKFD_USER_CFLAGS)
ROCM_LDFLAGS = $(addprefix -L,$(ROCM_LIBDIRS)) $(addprefix -Wl$(comma)-rpath-link$(comma),$(ROCM_LIBDIRS)) \
	       -Wl,--as-needed -lhsa-runtime64 -lhsakmt -pthread
comma := ,
ROCM_SRCS := $(wildcard tests/rocm/*.c) $(wildcard bench/rocm/*.c)
ROCM_BINS := $(patsubst %.c,$(BUILD)/rocm/%,$(notdir $(ROCM_SRCS)))

$(BUILD)/rocm/%: tests/rocm/%.c $(wildcard tests/rocm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ROCM_CFLAGS) -o $@ $< $(ROCM_LDFLAGS)

$(BUILD)/rocm/%: bench/rocm/%.c $(wildcard tests/rocm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ROCM_CFLAGS) -o $@ $< $(ROCM_LDFLAGS)

rocm:
	@test -f "$(ROCM_ROOT)/usr/include/hsakmt.h" || { echo "vkfd: ROCM_ROOT must name Debian's unpacked ROCm (vm/rocm.sh makes it)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(ROCM_BINS)

check: deps
	@./vm/check.sh

demo: deps
	@./vm/demo.sh

# ctxbench, membench, sdmabench and nnbench, static, for the bench guest (vm/bench.sh builds them):
# bench/<name>.c with its bench/<name>_*.c and the bench library, bench/bench_*.c.
BENCH_LIB_SRCS := $(wildcard bench/bench_*.c)
BENCH_HDRS := $(wildcard bench/*.h)

.SECONDEXPANSION:
$(BUILD)/bench/%: bench/%.c $$(wildcard bench/$$*_*.c) $(BENCH_LIB_SRCS) $(BENCH_HDRS) \
		  $(TEST_HDRS) $(LIB) $(UAPI_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^) $(LIB) $(USER_LDFLAGS)

bench: deps
	@./vm/bench.sh

lint: deps
	@VKFD_TEST=y ./vm/lint.sh

clean:
	rm -rf $(BUILD)

# --- installing (README "Install") -------------------------------------------
# The one place of vkfd's version: dkms.conf's, /usr/src/vkfd-<version>.
VERSION := $(shell cat $(CURDIR)/VERSION)

# `make dkms`: vkfd.ko by DKMS (dkms.conf) for every kernel with headers,
# and for every kernel installed later; `make dkms-remove` undoes it. Root.
dkms:
	@./dist/dkms.sh install

dkms-remove:
	@./dist/dkms.sh remove

# `make install`: vkfd.ko for the kernel of KDIR, and the user space. The
# configuration files go to /etc whatever PREFIX is (modprobe, systemd
# and udev read no other place); modprobe.d and modules-load.d get
# examples only (*.example, which both ignore), so installing changes
# nothing at boot, while the udev rule (vkfd's nodes to group render) is
# live (udevd rereads its rules by itself). vkfdctl finds
# libvkfd-secondary.so in ../lib from itself. amdgpu.ko is not installed:
# see README. With DESTDIR (packaging, tests) depmod is left to the
# package. vm/install-test.sh checks the list.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= /etc
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
# uname -r of the kernel of KDIR: UTS_RELEASE, not include/config/kernel.release
# (Debian's headers have the upstream version there, 6.1.192, not 6.1.0-57-amd64).
KERNELRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
		  $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODULEDIR ?= /lib/modules/$(KERNELRELEASE)/updates

# The uAPI headers users build against; not the test ioctl's
# (vkfd_test.h: unstable, and only in VKFD_TEST=y modules). vkfd_pm4.h
# (PM4 encoders) is not installed yet: vm/install-test.sh lists what
# `make install` puts where, and does not know it.
INSTALL_UAPI_HDRS = $(filter-out include/uapi/linux/vkfd_test.h include/uapi/linux/vkfd_pm4.h,$(wildcard include/uapi/linux/*.h))

# installed path (below DESTDIR) and mode of each source
INSTALL_FILES = \
	$(MODDIR)/vkfd.ko:$(MODULEDIR)/vkfd.ko:0644 \
	$(BUILD)/tools/vkfdctl:$(BINDIR)/vkfdctl:0755 \
	$(PRELOAD_SO):$(LIBDIR)/libvkfd-secondary.so:0644 \
	$(LIB):$(LIBDIR)/libvkfd.a:0644 \
	lib/libvkfd.h:$(INCLUDEDIR)/libvkfd.h:0644 \
	$(foreach h,$(INSTALL_UAPI_HDRS),$(h):$(INCLUDEDIR)/linux/$(notdir $(h)):0644) \
	dist/udev/70-vkfd.rules:$(UDEVRULESDIR)/70-vkfd.rules:0644 \
	dist/modprobe.d/vkfd.conf:$(SYSCONFDIR)/modprobe.d/vkfd.conf.example:0644 \
	dist/modules-load.d/vkfd.conf:$(SYSCONFDIR)/modules-load.d/vkfd.conf.example:0644

install-check:
	@test -n "$(KERNELRELEASE)" || { echo "vkfd: KDIR=$(KDIR) is no kernel build tree (no include/generated/utsrelease.h); e.g. KDIR=/lib/modules/$$(uname -r)/build" >&2; exit 1; }

install: install-check module lib tools
	@set -e; for f in $(INSTALL_FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dst=$(DESTDIR)$${rest%%:*}; mode=$${rest##*:}; \
		echo "  INSTALL $$dst"; \
		install -D -m $$mode $$src $$dst; \
	done
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE))

uninstall: install-check
	@for f in $(INSTALL_FILES); do \
		rest=$${f#*:}; dst=$(DESTDIR)$${rest%%:*}; \
		if [ -e $$dst ]; then echo "  RM      $$dst"; rm -f $$dst; fi; \
	done
	$(if $(DESTDIR),,[ ! -d /lib/modules/$(KERNELRELEASE) ] || depmod -a $(KERNELRELEASE))

FORCE:
