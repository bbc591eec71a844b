#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make install` and `make uninstall` into a DESTDIR, on the host (no
# guest): for the default PREFIX and for PREFIX=/usr, the exact list of
# files installed with their modes, each a copy of its source; a program
# built against the installed headers and libvkfd.a; a second install and
# a second uninstall work; uninstall leaves no file. And the udev rule's
# syntax: `udevadm verify` where udev has it (systemd 253 and later),
# always a check of every line here. TAP on stdout (the plan last); exit
# status 1 if any check failed.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fails=0
n=0
ok() { n=$((n + 1)); printf 'ok %d %s\n' "$n" "$*"; }
bad() { n=$((n + 1)); printf 'not ok %d %s\n' "$n" "$*"; fails=$((fails + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vkfd-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A source copy and build directory of its own (make check runs this
# beside the lanes' builds into the tree's build/), at a path that stays
# from one run to the next with the objects of the previous one: the
# sources are copied by content (vm/lib.sh's sync_by_content), so make
# builds only what changed since, in this clone or another. A lock keeps
# another work tree's run out.
idir=$VKFD_CACHE/install-test
mkdir -p "$idir"
exec 6>"$idir/.lock"
flock 6
isrc=$idir/src
ibuild=$idir/build
sync_by_content "$VKFD_SRC" "$isrc" --exclude='/.git' --exclude='/build'
log=$BUILD/install-test.log
mkdir -p "$BUILD"
: >"$log"

krel=$(make -s -C "$VKFD_SRC" --no-print-directory -f - print-krel <<'EOF' 2>>"$log"
include Makefile
print-krel:
	@echo $(KERNELRELEASE)
EOF
) || die "cannot ask the Makefile for the kernel release (log: $log)"
[ -n "$krel" ] || die "the Makefile names no kernel release (KDIR without headers? run make deps)"

# "<path> <mode>" of everything `make install PREFIX=$1` installs.
expected() {
	local prefix=$1
	LC_ALL=C sort <<EOF
/etc/modprobe.d/vkfd.conf.example 644
/etc/modules-load.d/vkfd.conf.example 644
/etc/udev/rules.d/70-vkfd.rules 644
/lib/modules/$krel/updates/vkfd.ko 644
$prefix/bin/vkfdctl 755
$prefix/include/libvkfd.h 644
$prefix/include/linux/vkfd_ioctl.h 644
$prefix/include/linux/vkfd_sdma.h 644
$prefix/lib/libvkfd-secondary.so 644
$prefix/lib/libvkfd.a 644
EOF
}

# What is in DESTDIR $1: "<path> <mode>" of every non-directory.
installed() {
	(cd "$1" && find . ! -type d -printf '/%P %m\n') | LC_ALL=C sort
}

# The source of an installed path, for the comparison of contents.
source_of() {
	case $1 in
	*/vkfd.conf.example) echo "$VKFD_SRC/dist/${1#/etc/}" | sed 's/\.example$//' ;;
	*/70-vkfd.rules) echo "$VKFD_SRC/dist/udev/70-vkfd.rules" ;;
	*/vkfd.ko) echo "$ibuild/module/vkfd.ko" ;;
	*/vkfdctl) echo "$ibuild/tools/vkfdctl" ;;
	*/libvkfd.h) echo "$VKFD_SRC/lib/libvkfd.h" ;;
	*/linux/*.h) echo "$VKFD_SRC/include/uapi/linux/${1##*/}" ;;
	*/lib/*) echo "$ibuild/lib/${1##*/}" ;;
	esac
}

run_make() {
	echo "+ make $*" >>"$log"
	# vkfd.ko is all the module it installs (VKFD_MODULES)
	make -C "$isrc" --no-print-directory -j"$(nproc)" VKFD_MODULES=vkfd \
		BUILD="$ibuild" "$@" >>"$tmp/make.out" 2>&1 &&
		cat "$tmp/make.out" >>"$log"
}

check_prefix() {
	local prefix=$1 dest=$tmp/dest${1//\//-} args=() path src left what
	[ "$prefix" = /usr/local ] || args=(PREFIX="$prefix")
	what="PREFIX=$prefix"
	mkdir -p "$dest"
	: >"$tmp/make.out"
	if ! run_make install DESTDIR="$dest" "${args[@]}"; then
		cat "$tmp/make.out" >>"$log"
		bad "make install DESTDIR=... $what failed (log: $log)"
		return
	fi
	if grep -q depmod "$tmp/make.out"; then
		bad "make install DESTDIR=... ran depmod on the host"
	fi
	if diff -u <(expected "$prefix") <(installed "$dest") >"$tmp/diff"; then
		ok "make install $what: the $(expected "$prefix" | wc -l) files expected, with their modes"
	else
		bad "make install $what: files or modes differ (- expected, + installed):"
		sed -n '3,$s/^/# /p' "$tmp/diff"
	fi
	while read -r path _; do
		src=$(source_of "$path")
		# a path not expected at all is in the diff above already
		{ [ -n "$src" ] && [ -f "$dest$path" ]; } || continue
		cmp -s "$src" "$dest$path" || bad "$path is not a copy of $src"
	done < <(installed "$dest")

	# A user of the installed library and headers (the README's example);
	# <linux/kfd_ioctl.h> includes <drm/drm.h>, which Debian 12's
	# linux-libc-dev lacks: the Makefile's copy (UAPI_DIR) stands in.
	cat >"$tmp/user.c" <<'EOF'
#include <stddef.h>
#include <linux/vkfd_ioctl.h>
#include <libvkfd.h>

int main(void)
{
	struct vkfd_context ctx;

	if (vkfd_open_primary(NULL, &ctx))
		return 1;
	vkfd_close(&ctx);
	return VKFD_IOC_CREATE_PROCESS == 0;
}
EOF
	if ${CC:-gcc} -std=gnu11 -Wall -Wextra -Werror -I"$dest$prefix/include" \
		-I"$VKFD_CACHE/uapi" \
		-o "$tmp/user" "$tmp/user.c" -L"$dest$prefix/lib" -lvkfd \
		>>"$log" 2>&1; then
		ok "a program builds against the installed headers and libvkfd.a"
	else
		bad "a program does not build against the installed headers and libvkfd.a (log: $log)"
	fi

	: >"$tmp/make.out"
	if run_make install DESTDIR="$dest" "${args[@]}" &&
		diff -q <(expected "$prefix") <(installed "$dest") >/dev/null; then
		ok "a second make install $what installs the same"
	else
		bad "a second make install $what failed or differs (log: $log)"
	fi
	for i in 1 2; do
		: >"$tmp/make.out"
		if ! run_make uninstall DESTDIR="$dest" "${args[@]}"; then
			bad "make uninstall (run $i) $what failed (log: $log)"
			continue
		fi
		left=$(installed "$dest")
		if [ -z "$left" ]; then
			ok "make uninstall (run $i) $what leaves no file"
		else
			bad "make uninstall (run $i) $what left files:"
			# shellcheck disable=SC2001 # a prefix on every line, not one replacement
			sed 's/^/# /' <<<"$left"
		fi
	done
}

# One line of a rules file: comma-separated KEY[{attr}]OP"value"; the
# keys udev knows, matches with == or !=, assignments with = += -= :=.
check_rules_syntax() {
	"$PYTHON" - "$1" <<'EOF'
import re, sys

MATCH = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK",
         "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS",
         "SYSCTL", "ENV", "CONST", "TAG", "TAGS", "TEST", "PROGRAM",
         "RESULT"}
ASSIGN = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR",
          "SYSCTL", "ENV", "TAG", "RUN", "LABEL", "GOTO", "IMPORT",
          "OPTIONS", "PROGRAM"}
TOKEN = re.compile(r'\s*([A-Z_]+)(\{[^}"]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
errors = rules = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    rules += 1
    pos, keys = 0, {}
    while pos < len(line):
        m = TOKEN.match(line, pos)
        if not m:
            print(f"{sys.argv[1]}:{n}: cannot parse at column {pos + 1}: {line[pos:]!r}")
            errors += 1
            break
        key, attr, op, value, comma = m.groups()
        ok = key in (MATCH if op in ("==", "!=") else ASSIGN)
        if not ok:
            print(f"{sys.argv[1]}:{n}: {key} does not take {op}")
            errors += 1
        if key == "MODE" and not re.fullmatch(r"0[0-7]{3}", value):
            print(f"{sys.argv[1]}:{n}: MODE={value!r} is no octal mode")
            errors += 1
        keys[key] = value
        pos = m.end()
        if not comma and pos < len(line):
            errors += 1
            break
    # vkfd's rule lines all give a node to group render, 0660
    if keys.get("GROUP") != "render" or keys.get("MODE") != "0660":
        print(f"{sys.argv[1]}:{n}: not GROUP=\"render\", MODE=\"0660\"")
        errors += 1
if rules == 0:
    print(f"{sys.argv[1]}: no rules")
    errors += 1
sys.exit(1 if errors else 0)
EOF
}

rules=$VKFD_SRC/dist/udev/70-vkfd.rules
if check_rules_syntax "$rules" >"$tmp/rules.out"; then
	ok "70-vkfd.rules: every line parses, each gives group render, mode 0660"
else
	bad "70-vkfd.rules: syntax"
	sed 's/^/# /' "$tmp/rules.out"
fi
if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
	if udevadm verify "$rules" 2>&1 | sed 's/^/# /'; then
		ok "udevadm verify 70-vkfd.rules"
	else
		bad "udevadm verify 70-vkfd.rules"
	fi
else
	echo "# no 'udevadm verify' here (systemd 253 and later have it)"
fi

check_prefix /usr/local
check_prefix /usr
echo "1..$n"

if [ "$fails" -ne 0 ]; then
	msg "install test: $fails check(s) failed (log: $log)"
	exit 1
fi
msg "install test: all checks passed"
