#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# dist/udev/70-vkfd.rules on vkfd's real devices: boots Debian's 6.1
# distro kernel with vkfd.ko (num_gpus=2) and vgem.ko (a render node of
# another driver), Debian 12's udevadm (from the udev package, unpacked
# into the cache, never installed on the host), the rule, and as the only
# test tests/udev/udev_rule.sh, which runs `udevadm test` on each device
# and checks the permissions it gives the nodes. Prints the verdict of
# report.py; exit status 1 on any failure. Logs in build/check/udev/.
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

ABI=$(distro_abi)
ROOT=$(ensure_distro_kernel)
UDEV=$(ensure_udev)
MODDIR=$(build_module udev "$(distro_headers)")
dir=$BUILD/check/udev
st=$dir/initramfs
rm -rf "$dir"
mkdir -p "$dir"

# shellcheck disable=SC2046 # one word per module
resolve_modules "$ROOT" "$ABI" vgem $(vkfd_deps "$MODDIR/vkfd.ko") >"$dir/preload.list"
env=$(VKFD_TESTS='' lane_env distro vkfd 1 0 "num_gpus=2 vram_mb=64")
stage_initramfs "$st" "$env" "" "$dir/preload.list"
cp "$MODDIR/vkfd.ko" "$st/vkfd/"
rm -rf "$st"/vkfd/tests/* "$st"/vkfd/tests-dyn
install -m 0755 "$VKFD_SRC/tests/udev/udev_rule.sh" "$st/vkfd/tests/udev_rule"
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
run_qemu "$ROOT/boot/vmlinuz-$ABI" "$dir/initramfs.cpio" "$BASE_APPEND" \
	"$dir/console.log" "$dir/results.log" || rc=$?
{
	echo "lane=udev"
	echo "qemu_status=$rc"
	echo "seconds=$(($(now) - start))"
	echo "timeout=$([ "$rc" = 124 ] || [ "$rc" = 137 ] && echo 1 || echo 0)"
	echo "timeout_seconds=${VKFD_TIMEOUT:-600}"
} >"$dir/meta"
exec python3 "$VM_DIR/report.py" "$dir"
