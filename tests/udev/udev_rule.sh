#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# dist/udev/70-vkfd.rules on vkfd's real devices, in the guest of the
# udev lane (vm/lanes/udev, vm/udev.sh): vkfd loaded (name=kfd, two
# GPUs), vgem loaded (a render node of another driver), Debian's udevadm in /vkfd/udev, the
# rule in /etc/udev/rules.d and group render = 105 in /etc/group.
# `udevadm test` runs the rules for one device and applies its
# permissions to the node, as udevd would. TAP on stdout.
#
# The nodes start as the kernel makes them (devtmpfs): /dev/kfd 0666
# (vkfd's devnode), DRM's nodes 0600, all root's. Then: /dev/kfd and
# each vkfd render node render 0660; vkfd's card nodes and vgem's render
# node untouched; after a reload with name=vkfd, /dev/vkfd render 0660.

n=0
fails=0
echo "1..9"

# "<mode string> <uid> <gid>" of a node
# shellcheck disable=SC2012 # device nodes: names without spaces
perm() {
	ls -ln "$1" 2>&1 | awk '{ print $1, $3, $4 }'
}

check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1: '$2', expected '$3'"
		fails=$((fails + 1))
	fi
}

udev() {
	mkdir -p /run/udev
	/vkfd/udev/udevadm test --action=add "$1" >/tmp/udev.log 2>&1 ||
		sed 's/^/# /' /tmp/udev.log
}

# The render node of a DRM device /sys/class/drm/cardN, by its driver's
# root device: vkfd's are below /sys/devices/vkfd.
render_of() {
	for r in /sys/class/drm/renderD*; do
		case $(readlink -f "$r") in
		$1/*) basename "$r"; return ;;
		esac
	done
}

vkfd_render=$(render_of /sys/devices/vkfd)
vgem_render=$(render_of /sys/devices/platform/vgem)
# shellcheck disable=SC2012
vkfd_card=$(basename "$(ls -d /sys/devices/vkfd/*/drm/card* | head -n 1)")

check "/dev/kfd before udev: as the kernel made it" "$(perm /dev/kfd)" "crw-rw-rw- 0 0"
udev /sys/class/kfd/kfd
check "/dev/kfd: group render, 0660" "$(perm /dev/kfd)" "crw-rw---- 0 105"

count=0
for r in /sys/devices/vkfd/*/drm/renderD*; do
	udev "$r"
	[ "$(perm "/dev/dri/${r##*/}")" = "crw-rw---- 0 105" ] && count=$((count + 1))
done
check "both vkfd render nodes: group render, 0660" "$count" 2
check "the first ($vkfd_render): group render, 0660" "$(perm "/dev/dri/$vkfd_render")" "crw-rw---- 0 105"

udev "/sys/class/drm/$vkfd_card"
check "vkfd's $vkfd_card: untouched" "$(perm "/dev/dri/$vkfd_card")" "crw------- 0 0"

check "vgem's render node exists" "${vgem_render:+yes}" yes
udev "/sys/class/drm/$vgem_render"
check "vgem's $vgem_render: untouched" "$(perm "/dev/dri/$vgem_render")" "crw------- 0 0"

rmmod vkfd && insmod /vkfd/vkfd.ko name=vkfd num_gpus=1
check "/dev/vkfd (name=vkfd) before udev" "$(perm /dev/vkfd)" "crw-rw-rw- 0 0"
udev /sys/class/vkfd/vkfd
check "/dev/vkfd: group render, 0660" "$(perm /dev/vkfd)" "crw-rw---- 0 105"

[ "$fails" -eq 0 ]
