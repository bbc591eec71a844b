# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Kernel provider: the debug kernel vm/debug-kernel.sh builds from Debian
# 12's linux-source (KASAN, lockdep, kmemleak, KFENCE, fault injection,
# KUnit; everything built in). Modules are built against its O= tree,
# with vkfd_test.ko (the KUnit suites).

# The host's TSC rate, which is a TCG guest's (vm/tsc-khz.c), built once
# per change of its source.
host_tsc_khz() {
	local bin=$BUILD/tsc-khz
	if [ ! "$bin" -nt "$VM_DIR/tsc-khz.c" ]; then
		mkdir -p "$BUILD"
		gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$bin" "$VM_DIR/tsc-khz.c" ||
			die "cannot build vm/tsc-khz.c"
	fi
	"$bin"
}

kernel_prepare() {
	local out khz
	out=$("$VM_DIR/debug-kernel.sh") || exit 1
	# No ACPI (vm/debug.config): the guest gets its TSC rate from the
	# host, and the TSC is trusted without a watchdog, which would be
	# the timer tick, which a guest starved of CPU loses. On a host
	# without a TSC, the guest calibrates its own.
	if khz=$(host_tsc_khz); then
		kv K_APPEND "tsc_early_khz=$khz tsc=reliable"
	fi
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
