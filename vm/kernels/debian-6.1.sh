# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Kernel provider: Debian 12's stock kernel, the ABI the metapackage
# linux-headers-amd64 names (6.1.0-<n>-amd64). Headers from the host
# (vm/setup-host.sh installs them), the image by `apt-get download` of
# the same version, unpacked into $VKFD_CACHE/distro-kernel/<abi>-<version>.
# See vm/README.md for the provider interface.

kernel_prepare() {
	local abi ver
	abi=$(distro_abi)
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
	debian_kernel "Debian 12 $abi ($ver)" "$abi" "$ver"
}

kernel_build_module() {
	kbuild_module "$1" "$2"
}
