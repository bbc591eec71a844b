/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The selftests' helpers: the base layer, tests/lib/ (vkfd_test.h,
 * compiled once into libvkfd_test.a), and the header-only topic helpers
 * on top of it that several topics share: vkfd_debugfs.h (vkfd's debugfs
 * files and, through lib/vkfd_hooks.h, the test hooks) and vkfd_module.h
 * (loading and unloading the module). Tests include it after
 * kselftest_harness.h.
 */
#ifndef VKFD_SELFTEST_UTILS_H
#define VKFD_SELFTEST_UTILS_H

#include "vkfd_test.h"

#include "vkfd_debugfs.h"
#include "vkfd_module.h"

#endif /* VKFD_SELFTEST_UTILS_H */
