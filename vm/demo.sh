#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make demo`: boot Debian's stock kernel in qemu, load vkfd with its
# default parameters, show its topology and run `vkfdctl demo`: one
# process serves VKFD_DEMO_PROGRAMS guest programs (default 2); with one
# shared context program 2 copies program 1's secret with the GPU, with a
# context per program the same copy faults. Fails unless the story held.
# The guest's output comes over ttyS1 and is printed here; the kernel
# console is kept in build/check/demo/console.log.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=$BUILD/check/demo
build_userspace
ABI=$(distro_abi)
root=$(ensure_distro_kernel)
moddir=$(build_module distro "$(distro_headers)")

rm -rf "$dir"
mkdir -p "$dir"
# shellcheck disable=SC2046 # one word per module
resolve_modules "$root" "$ABI" $(vkfd_deps "$moddir/vkfd.ko") >"$dir/preload.list"
make_initramfs "$dir/initramfs.cpio" "$dir/initramfs" \
	"$(VKFD_DEMO=1 lane_env demo vkfd 1 0 ""
	   printf "export VKFD_DEMO_PROGRAMS='%s'\n" "${VKFD_DEMO_PROGRAMS:-2}")" \
	"$moddir" "$dir/preload.list"

msg "booting Debian's $ABI kernel under qemu (about 15 s)..."
rc=0
run_qemu "$root/boot/vmlinuz-$ABI" "$dir/initramfs.cpio" "$BASE_APPEND" \
	"$dir/console.log" "$dir/results.log" || rc=$?

# Print one framed item of the guest's output, without the markers.
item() {
	sed -n "/^@@VKFD-BEGIN [^ ]* $1\$/,/^@@VKFD-END $1 /{/^@@VKFD-/d;p}" "$dir/results.log"
}

if ! grep -q '^@@VKFD-END modules 0$' "$dir/results.log" 2>/dev/null; then
	item modules >&2
	die "vkfd did not load (qemu status $rc; logs: $dir/)"
fi
echo "vkfd loaded on Debian's $ABI kernel, default parameters"
echo
item demo
grep -q '^@@VKFD-END demo 0$' "$dir/results.log" ||
	die "the demo failed in the guest (logs: $dir/)"
