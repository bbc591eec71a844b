# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The udev lane (vm/lanes/udev): dist/udev/70-vkfd.rules on vkfd's real
# devices, under Debian 12's own udevadm (from the udev package, unpacked
# into the cache, never installed on the host). Sourced after vm/lib.sh
# by vm/run.sh. The guest runs tests/udev/udev_rule.sh, which runs
# `udevadm test` on each device and checks the permissions it gives the
# nodes; vgem.ko is loaded for a render node of another driver.

# Debian's udev package, unpacked; prints the root (<root>/bin/udevadm).
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

# Into staging directory $1: udevadm and its libraries, the rule, the
# groups udev resolves, and the lane's one test.
stage_udev() {
	local st=$1 udev
	udev=$(ensure_udev)
	rm -rf "$st"/vkfd/tests/* "$st"/vkfd/tests-dyn
	install -m 0755 "$VKFD_SRC/tests/udev/udev_rule.sh" "$st/vkfd/tests/udev_rule"
	mkdir -p "$st/vkfd/udev" "$st/etc/udev/rules.d" "$st/run/udev"
	cp "$udev/bin/udevadm" "$st/vkfd/udev/"
	install -m 0644 "$VKFD_SRC/dist/udev/70-vkfd.rules" "$st/etc/udev/rules.d/"
	printf 'root:x:0:\nrender:x:105:\n' >"$st/etc/group"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$st/etc/passwd"
	stage_libs "$st" "$udev/bin/udevadm"
}
