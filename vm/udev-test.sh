#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# dist/udev/70-vkfd.rules on vkfd's real devices: boots the kernel of the
# distro-6.1 lane (vm/kernels/debian-6.1.sh) with vkfd.ko (num_gpus=2)
# and vgem.ko (a render node of another driver), Debian 12's udevadm (from
# the udev package, unpacked into the cache, never installed on the
# host), the rule, and as the only test tests/udev/udev_rule.sh, which
# runs `udevadm test` on each device and checks the permissions it gives
# the nodes. Prints the verdict of report.py; exit status 1 on any
# failure. Logs in build/check/udev/.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's udev package, unpacked: <dir>/bin/udevadm.
ensure_udev() {
	local ver dir tmp
	ver=$(apt-cache policy udev | awk '$1 == "Candidate:" { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		die "apt knows no udev package"
	fi
	dir=$VKFD_CACHE/udev/$ver
	if [ ! -e "$dir/.done" ]; then
		msg "fetching udev ($ver)"
		mkdir -p "$VKFD_CACHE/udev"
		tmp=$(mktemp -d "$VKFD_CACHE/udev/.dl.XXXXXX")
		apt_download "$tmp" "udev=$ver"
		mkdir -p "$tmp/root"
		dpkg -x "$tmp"/udev_*.deb "$tmp/root"
		[ -x "$tmp/root/bin/udevadm" ] || die "no bin/udevadm in the udev package"
		touch "$tmp/root/.done"
		rm -rf "$dir"
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

# The kernel and vkfd's module as the distro-6.1 lane has them (K_*).
eval "$(
	# shellcheck source=/dev/null
	. "$VM_DIR/kernels/debian-6.1.sh"
	kernel_prepare
)"
UDEV=$(ensure_udev)
dir=$BUILD/check/udev
st=$dir/initramfs
rm -rf "$dir"
mkdir -p "$dir/module"
(
	# shellcheck source=/dev/null
	. "$VM_DIR/kernels/debian-6.1.sh"
	kernel_build_module "$dir/module" "$dir/module.log"
) || { tail -n 40 "$dir/module.log" >&2; die "module build failed (log: $dir/module.log)"; }

# shellcheck disable=SC2046 # one word per module
resolve_modules "$K_MODROOT" "$K_ABI" vgem $(vkfd_deps "$dir/module/vkfd.ko") >"$dir/preload.list"
env=$(printf "export %s='%s'\n" VKFD_LANE udev VKFD_MODE tests VKFD_IMPL vkfd \
	VKFD_LOAD vkfd VKFD_MODULE_PARAMS "num_gpus=2 vram_mb=64" VKFD_KMEMLEAK 0)
stage_initramfs "$st" "$env" "$dir/module" "$dir/preload.list"
rm -rf "$st"/vkfd/tests/* "$st"/vkfd/tests-dyn
install -m 0755 "$VKFD_SRC/tests/udev/udev_rule.sh" "$st/vkfd/tests/udev_rule"
echo "udev_rule 120 /vkfd/tests/udev_rule" >"$st/vkfd/items"
mkdir -p "$st/vkfd/udev" "$st/etc/udev/rules.d" "$st/run/udev"
cp "$UDEV/bin/udevadm" "$st/vkfd/udev/"
install -m 0644 "$VKFD_SRC/dist/udev/70-vkfd.rules" "$st/etc/udev/rules.d/"
printf 'root:x:0:\nrender:x:105:\n' >"$st/etc/group"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$st/etc/passwd"
# udevadm's libraries, at the paths ldd names
for lib in $(ldd "$UDEV/bin/udevadm" |
	awk '/^\t/ && $2 == "=>" && $3 ~ /^\// { print $3 }
	     /^\t\// { print $1 }' | sort -u); do
	mkdir -p "$st$(dirname "$lib")"
	cp -L "$lib" "$st$lib"
done
pack_initramfs "$st" "$dir/initramfs.cpio"

start=$(now)
rc=0
run_qemu "$K_IMAGE" "$dir/initramfs.cpio" "$BASE_APPEND" \
	"$dir/console.log" "$dir/results.log" 2G 600 || rc=$?
{
	echo "lane=udev"
	echo "desc=70-vkfd.rules under Debian 12's udevadm ($K_NAME)"
	echo "mode=tests"
	echo "impl=vkfd"
	echo "skips=$VM_DIR/lanes/skips/none"
	echo "timeout_seconds=600"
	echo "kernel=$K_NAME"
	echo "qemu_status=$rc"
	echo "seconds=$(($(now) - start))"
	echo "timeout=$({ [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && echo 1 || echo 0)"
} >"$dir/meta"
exec python3 "$VM_DIR/report.py" "$dir"
