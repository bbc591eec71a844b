# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Kernel provider: the debug kernel vm/debug-kernel.sh builds from Debian
# 12's linux-source (KASAN, lockdep, kmemleak, KFENCE, fault injection,
# KUnit; everything built in). Modules are built against its O= tree,
# with vkfd_test.ko (the KUnit suites).

kernel_prepare() {
	local out
	out=$("$VM_DIR/debug-kernel.sh") || exit 1
	kv K_NAME "debug kernel $(cat "$out/include/config/kernel.release") ($(basename "$(dirname "$out")"))"
	kv K_ABI "$(cat "$out/include/config/kernel.release")"
	kv K_IMAGE "$out/arch/x86/boot/bzImage"
	kv K_MODROOT ""
	kv K_KDIR "$out"
	kv K_UAPI ""
}

kernel_build_module() {
	kbuild_module "$1" "$2"
}
