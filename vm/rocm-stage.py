#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Copy ELF programs and every shared library they need into a guest tree.

Usage: rocm-stage.py ROOT STAGE ELF...

ROOT is a tree of `dpkg -x`ed Debian packages (vm/rocm.sh), STAGE the
guest's initramfs tree. Each ELF is a path relative to ROOT (copied to the
same path in STAGE) or an absolute path of a file already in STAGE (a
program built on the host). For every DT_NEEDED entry, recursively, the
library is looked up in ROOT's library directories, in the order the guest's
dynamic linker searches them, and copied to STAGE under that directory and
its soname (the file itself, not the symlink chain: the soname is all the
linker asks for). The programs' interpreter (/lib64/ld-linux-x86-64.so.2)
comes along too.

A Python extension module (lib-dynload/*.so) whose libraries ROOT lacks is
left out with a note, as python itself would fail to import it anyway;
any other unresolved library is an error (exit status 1).

ROOT's libraries win: one STAGE already has (vm/lib.sh stages the host's
glibc for the preload library and tests-dyn) is replaced by ROOT's, and so
is every other library of those directories that ROOT has too, so that
the guest's glibc (loader, libc, libm, ...) is one build: its parts check
each other's private symbols.
"""

import os
import re
import shutil
import subprocess
import sys

# The dynamic linker's default search path on Debian (multiarch first).
LIBDIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib", "usr/lib", "lib64"]
NEEDED_RE = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+)\]")
INTERP_RE = re.compile(r"\[Requesting program interpreter: (.+)\]")


def elf_info(path):
    """(needed sonames, interpreter or None) of one ELF file."""
    out = subprocess.run(["readelf", "-d", "-l", "-W", path], check=True,
                         capture_output=True, text=True).stdout
    interp = INTERP_RE.search(out)
    return NEEDED_RE.findall(out), interp.group(1) if interp else None


def find_lib(root, soname):
    for d in LIBDIRS:
        if os.path.lexists(os.path.join(root, d, soname)):
            return os.path.join(d, soname)
    return None


def resolve(root, rel):
    """The file that ROOT/REL names, its symlinks followed inside ROOT
    (an absolute link such as lib64/ld-linux-x86-64.so.2 means ROOT/...)."""
    path = os.path.join(root, rel)
    for _ in range(40):
        if not os.path.islink(path):
            return path
        target = os.readlink(path)
        if os.path.isabs(target):
            path = os.path.join(root, target.lstrip("/"))
        else:
            path = os.path.join(os.path.dirname(path), target)
    raise OSError("too many levels of symbolic links: %s" % rel)


def copy(root, stage, rel):
    dst = os.path.join(stage, rel)
    if os.path.lexists(dst):
        os.unlink(dst)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(resolve(root, rel), dst)
    return dst


def refresh(root, stage):
    """Replace every library STAGE has that ROOT has too by ROOT's."""
    for d in LIBDIRS:
        sdir = os.path.join(stage, d)
        if not os.path.isdir(sdir) or os.path.islink(sdir):
            continue
        for name in os.listdir(sdir):
            rel = os.path.join(d, name)
            if (".so" in name and os.path.isfile(os.path.join(sdir, name))
                    and os.path.lexists(os.path.join(root, rel))):
                copy(root, stage, rel)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, stage = argv[1], argv[2]
    refresh(root, stage)
    todo = []
    for elf in argv[3:]:
        if os.path.isabs(elf):
            todo.append((elf, elf))
        else:
            todo.append((elf, copy(root, stage, elf)))
    seen = set()
    errors = 0
    while todo:
        name, path = todo.pop()
        needed, interp = elf_info(path)
        if interp:
            rel = interp.lstrip("/")
            if not os.path.lexists(os.path.join(root, rel)):
                print("rocm-stage: %s: interpreter %s not in %s" % (name, interp, root),
                      file=sys.stderr)
                errors += 1
            else:
                # The file once, where the linker also finds it by name;
                # the interpreter path links to it, as on Debian.
                lib = find_lib(root, os.path.basename(rel))
                copy(root, stage, lib)
                link = os.path.join(stage, rel)
                if os.path.lexists(link):
                    os.unlink(link)
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink("/" + lib, link)
        missing = [so for so in needed if so not in seen and not find_lib(root, so)]
        if missing:
            if "/lib-dynload/" in name:
                print("rocm-stage: note: %s left out (needs %s)" % (
                    os.path.basename(name), ", ".join(missing)), file=sys.stderr)
                os.unlink(path)
                continue
            print("rocm-stage: %s needs %s, not in %s" % (name, ", ".join(missing), root),
                  file=sys.stderr)
            errors += 1
        for so in needed:
            if so in seen or so in missing:
                continue
            seen.add(so)
            rel = find_lib(root, so)
            todo.append((rel, copy(root, stage, rel)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
