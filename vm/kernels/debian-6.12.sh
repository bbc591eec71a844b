# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Kernel provider: Debian 12's newer kernel, linux-image-6.12.*+deb12-amd64
# (bookworm-security and point releases carry it), built with Debian 12's
# own compiler. Headers from the host: vm/setup-host.sh installs the
# metapackage linux-headers-6.12-amd64, which names the newest ABI; the
# image of the same version comes by `apt-get download`, unpacked as for
# 6.1.

kernel_prepare() {
	local abi ver
	abi=$(debian_6_12_abi)
	[ -n "$abi" ] || die "linux-headers-6.12-amd64 names no 6.12 ABI"
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
	debian_kernel "Debian 12 $abi ($ver)" "$abi" "$ver"
}

kernel_build_module() {
	kbuild_module "$1" "$2"
}
