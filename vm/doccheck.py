#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Parse docs/*.rst as the kernel's Sphinx build would, with plain docutils
# (Debian's python3-docutils; `make lint`, vm/lint.sh):
#
#   doccheck.py KERNEL_DOC SRCTREE FILE.rst...
#
# The kernel's ".. kernel-doc::" directive is unknown to docutils: it is
# registered here and expanded as Documentation/sphinx/kerneldoc.py does,
# by running KERNEL_DOC (scripts/kernel-doc of Linux 6.12) on the named
# file of SRCTREE and parsing its reST output in place, so that a :doc:
# title or an identifier that names nothing, and any markup error in a
# DOC block, fail too. The Sphinx C-domain directives and roles that
# kernel-doc's output uses are accepted as plain containers and literals.
# Every docutils message at level WARNING or above, and anything
# kernel-doc prints on stderr, is a finding; the exit status is 1 if
# there is any.
import io
import os
import subprocess
import sys

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles
from docutils.statemachine import ViewList, string2lines

KERNEL_DOC = None
SRCTREE = None
# Debian 12's Sphinx: kernel-doc then writes the C domain of Sphinx 3+.
SPHINX_VERSION = "5.3.0"


class KernelDoc(Directive):
    """.. kernel-doc:: FILE, with kerneldoc.py's options."""
    required_arguments = 1
    optional_arguments = 4
    final_argument_whitespace = True
    option_spec = {
        "doc": directives.unchanged_required,
        "export": directives.unchanged,
        "internal": directives.unchanged,
        "identifiers": directives.unchanged,
        "functions": directives.unchanged,
        "no-identifiers": directives.unchanged,
    }
    has_content = False

    def run(self):
        path = os.path.join(SRCTREE, self.arguments[0])
        cmd = ["perl", KERNEL_DOC, "-rst", "-enable-lineno",
               "-sphinx-version", SPHINX_VERSION]
        opts = self.options
        if "functions" in opts:
            opts["identifiers"] = opts["functions"]
        if "export" in opts:
            cmd.append("-export")
        elif "internal" in opts:
            cmd.append("-internal")
        elif "doc" in opts:
            cmd += ["-function", opts["doc"]]
        elif "identifiers" in opts:
            ids = opts["identifiers"].split()
            if ids:
                for i in ids:
                    cmd += ["-function", i]
            else:
                cmd.append("-no-doc-sections")
        for i in opts.get("no-identifiers", "").split():
            cmd += ["-nosymbol", i]
        if not os.path.isfile(path):
            raise self.error(f"kernel-doc: no file {self.arguments[0]}")
        cmd.append(path)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode or p.stderr.strip():
            raise self.error(f"kernel-doc {' '.join(cmd[1:])}: "
                             f"status {p.returncode}: {p.stderr.strip()}")
        body = [line for line in string2lines(p.stdout, convert_whitespace=True)
                if not line.startswith(".. LINENO ")]
        if not any(line.strip() for line in body):
            raise self.error(f"kernel-doc: nothing in {self.arguments[0]} "
                             f"for {dict(self.options)}")
        result = ViewList()
        for n, line in enumerate(body):
            result.append(line, path, n)
        node = nodes.section()
        self.state.nested_parse(result, 0, node, match_titles=True)
        return node.children


class Container(Directive):
    """A Sphinx C-domain directive: its content is parsed, its argument kept."""
    required_arguments = 0
    optional_arguments = 100
    final_argument_whitespace = True
    option_spec = {"noindex": directives.flag,
                   "noindexentry": directives.flag}
    has_content = True

    def run(self):
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [nodes.literal_block(text=" ".join(self.arguments)), node]


def literal_role(name, rawtext, text, lineno, inliner, options=None,
                 content=None):
    return [nodes.literal(rawtext, text)], []


def main():
    global KERNEL_DOC, SRCTREE
    if len(sys.argv) < 4:
        sys.exit("usage: doccheck.py KERNEL_DOC SRCTREE FILE.rst...")
    KERNEL_DOC, SRCTREE = sys.argv[1], sys.argv[2]
    directives.register_directive("kernel-doc", KernelDoc)
    for d in ("function", "struct", "union", "enum", "enumerator", "macro",
              "type", "member", "var"):
        directives.register_directive("c:" + d, Container)
    for r in ("func", "type", "macro", "member", "enum", "enumerator",
              "struct", "union", "var", "ref", "doc"):
        roles.register_local_role("c:" + r if r not in ("ref", "doc") else r,
                                  literal_role)
    bad = 0
    for rst in sys.argv[3:]:
        stream = io.StringIO()
        with open(rst, encoding="utf-8") as f:
            text = f.read()
        publish_doctree(text, source_path=rst, settings_overrides={
            "report_level": 2, "halt_level": 5, "warning_stream": stream,
            "file_insertion_enabled": False, "raw_enabled": False})
        out = stream.getvalue().strip()
        if out:
            print(out)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
