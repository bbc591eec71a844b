#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Turn the guests' logs into the verdict of `make check`.

Usage: report.py [--out FILE] LANE_DIR...

The one verdict of the harness, for `make check`, `make bench` and
`make demo` alike. Each LANE_DIR (build/<run>/<lane>) holds:
  results.log  what the guest sent over ttyS1: framed items
               "@@VKFD-BEGIN <lane> <name>" ... "@@VKFD-END <name> <status>",
               then "@@VKFD-DONE <lane>"
  console.log  the kernel console (ttyS0)
  meta         key=value lines written by vm/run.sh: lane, desc, mode,
               kernel, skips (the file of skip reasons the lane allows),
               qemu_status, seconds, timeout, retried; or error=<why> (the
               lane could not be prepared: a failure) or skipped=<why>
               (its kernel's archive is unreachable: not a failure)

In a test lane (mode tests or rocm) every framed item is TAP (kselftest
harness output), except "kunit" (KTAP from /sys/kernel/debug/kunit/*/results,
cases counted) and "dmesg" (only scanned for splats). A binary fails when a
test says "not ok", when it exits with a status other than 0 or 4
(KSFT_SKIP), when it runs fewer tests than its plan, or when it never
reaches its END marker. A skip whose reason does not match a line of the
lane's skips file fails too: on vkfd a skip is not a pass. In the other
modes (bench, bench-rocm, demo) an item is a program whose exit status is
its result and whose output is kept: --out FILE collects them, in order.
A lane fails on any of those, on any kernel splat in its console log or
dmesg (one pattern, SPLAT_RE, for every mode), on a timeout, or when the
guest did not finish.

Prints one line per lane ("distro-6.1: 41 passed, 0 failed, 3 skipped")
with the failures and skip reasons under it, and closes with the totals
over all lanes as "N passed, N failed, N skipped". Exits 1 on any failure.
"""

import re
import sys
from collections import OrderedDict
from pathlib import Path

BEGIN_RE = re.compile(r"^@@VKFD-BEGIN (\S+) (\S+)\s*$")
END_RE = re.compile(r"^@@VKFD-END (\S+) (-?\d+)\s*$")
DONE_RE = re.compile(r"^@@VKFD-DONE (\S+)\s*$")

# "ok 3 name", "not ok 3 - name # SKIP why", "ok 4 # SKIP why" (the 6.1
# kselftest harness prints skipped tests without their name).
RESULT_RE = re.compile(
    r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+(?P<num>\d+)\b\s*(?:-\s+)?"
    r"(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>\w+)\b\s*(?P<reason>.*))?$")
PLAN_RE = re.compile(r"^(?P<indent>\s*)1\.\.(?P<n>\d+)\b\s*(?:#\s*(?P<directive>\w+)\b\s*(?P<reason>.*))?$")
# The harness announces every test before running it.
RUN_RE = re.compile(r"^#\s+RUN\s+(\S+)\s+\.\.\.")
# Written by the guest's /init before each result line when profiling
# (VKFD_PROFILE=1): the seconds since the previous result line.
TIME_RE = re.compile(r"^# vkfd-time (\d+(?:\.\d+)?)$")
# Written by the guest's /init after each item: its seconds and the
# guest's busy CPU time meanwhile (USER_HZ ticks).
RAN_RE = re.compile(r"^# vkfd: (\S+) ran (\d+) s, busy (\d+) ticks$")
# How many of the slowest tests a profiled lane names.
SLOWEST = 12
SUBTEST_RE = re.compile(r"^\s*#\s*Subtest:\s*(\S+)")

# A kernel splat. One is enough to fail a lane (docs/testing.rst).
# The extras beyond that list (recursive locking, inconsistent lock state,
# list_del corruption, Kernel panic) are lockdep/list/panic reports that
# do not always carry one of its words; the stall detectors' reports (a
# task blocked in D state past hung_task_timeout_secs, an RCU grace period
# stalled) are "INFO:" lines. A soft lockup is a "BUG:". \b keeps "DEBUG:"
# from matching.
SPLAT_RE = re.compile(
    r"\bBUG:|\bWARNING:|\bKASAN:|\bKFENCE:|\bUBSAN:|\bOops\b|general protection|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|refcount_t:|"
    r"list_add corruption|list_del corruption|Kernel panic|"
    r"blocked for more than \d+ seconds|detected stalls? on CPUs|"
    r"detected expedited stalls|"
    r"kmemleak: \d+ new suspected memory leaks|Call Trace:")
# "[   12.345678] " and the "[ T123]"/"[ C1]" caller ids of printk.
STAMP_RE = re.compile(r"^\s*(<\d+>)?\[\s*\d+\.\d+\]\s*(\[\s*[CT]\d+\]\s*)?")
# The same, leaving the indentation of the message itself (KTAP nesting).
KMSG_STAMP_RE = re.compile(r"^\[\s*\d+\.\d+\] ?")

KSFT_SKIP = 4
# Lines shown after a splat line, and at most in all per lane.
SPLAT_AFTER = 30
SPLAT_MAX_LINES = 150
# Diagnostic lines shown under one failed test.
MAX_DETAILS = 25
TIMEOUT_STATUSES = (124, 143)
# Items every guest sends besides the lane's own: TAP, in every mode.
GUEST_ITEMS = ("modules", "unload", "kmemleak")
PROGRAM_MODES = ("bench", "bench-rocm", "demo")


def read_skips(path, seen=()):
    """The skip reasons a lane allows: one regular expression a line,
    matched against the whole reason; '#' starts a comment line;
    "include <file>" takes in the reasons of another file of the same
    directory."""
    allowed = []
    if not path:
        return allowed
    path = Path(path)
    if path in seen:
        raise ValueError("%s includes itself" % path)
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("include "):
            allowed += read_skips(path.parent / line.split(None, 1)[1],
                                  seen + (path,))
        else:
            allowed.append(re.compile(line))
    return allowed


def parse_kunit(lines):
    """KTAP of KUnit suites -> [{name, plan, ok, cases: [(name, ok,
    directive, reason, details)]}]. A suite is "# Subtest: <name>" and the
    result lines one level in; its own result line is at column 0. Deeper
    results (parameterised cases) are folded into their case."""
    suites = []
    suite = None
    details = []
    for line in lines:
        m = SUBTEST_RE.match(line)
        if m and suite is None:
            suite = {"name": m.group(1), "plan": None, "ok": False, "cases": [],
                     "indent": len(line) - len(line.lstrip())}
            details = []
            continue
        if suite is None:
            continue
        m = PLAN_RE.match(line)
        if m and len(m.group("indent")) == suite["indent"]:
            suite["plan"] = int(m.group("n"))
            continue
        m = RESULT_RE.match(line)
        if not m:
            details.append(line.strip())
            continue
        indent = len(m.group("indent"))
        if indent == 0:
            suite["ok"] = m.group("ok") == "ok"
            suites.append(suite)
            suite = None
        elif indent == suite["indent"]:
            suite["cases"].append((m.group("name"), m.group("ok") == "ok",
                                   (m.group("directive") or "").upper(),
                                   m.group("reason"), details))
            details = []
        else:
            details.append(line.strip())
    return suites


class Lane:
    def __init__(self, lane_dir):
        self.dir = Path(lane_dir)
        self.meta = {}
        meta = self.dir / "meta"
        if meta.exists():
            for line in meta.read_text(errors="replace").splitlines():
                key, _, value = line.partition("=")
                self.meta[key.strip()] = value.strip()
        self.name = self.meta.get("lane", self.dir.name)
        self.mode = self.meta.get("mode", "tests")
        self.outputs = []       # (item, status, lines) of a program mode
        self.passed = 0
        self.failed = []        # ("binary: test (why)", [diagnostic lines])
        self.skipped = []       # (reason, "binary: test")
        self.splats = []        # (source, excerpt lines)
        self.notes = []
        self.items = OrderedDict()  # name -> (status or None, lines)
        self.times = []         # (seconds, "binary: test") when profiled
        self.busy = []          # (guest CPU-s, item) when profiled
        self.done = False

    # -- results.log ---------------------------------------------------
    def read_items(self):
        log = self.dir / "results.log"
        if not log.exists():
            return
        current = None
        for raw in log.read_text(errors="replace").splitlines():
            line = raw.rstrip("\r")
            m = BEGIN_RE.match(line)
            if m:
                current = m.group(2)
                self.items[current] = [None, []]
                continue
            m = END_RE.match(line)
            if m and current is not None and m.group(1) == current:
                self.items[current][0] = int(m.group(2))
                current = None
                continue
            if DONE_RE.match(line):
                self.done = True
                continue
            if current is not None:
                self.items[current][1].append(line)

    def fail(self, what, details=()):
        self.failed.append((what, list(details)[-MAX_DETAILS:]))

    # -- one TAP binary ------------------------------------------------
    def tap(self, binary, status, lines):
        plan = None
        ran = 0
        last_run = None
        failed_before = len(self.failed)
        diag = []       # output since the previous result line
        took = None     # seconds, from the "# vkfd-time" line before it
        for line in lines:
            m = TIME_RE.match(line)
            if m:
                took = float(m.group(1))
                continue
            m = RAN_RE.match(line)
            if m and m.group(1) == binary:
                self.busy.append((int(m.group(3)) / 100.0, binary))
                continue
            m = RUN_RE.match(line)
            if m:
                last_run = m.group(1)
                diag = [line]
                continue
            m = PLAN_RE.match(line)
            if m and not m.group("indent"):
                plan = int(m.group("n"))
                if plan == 0 and (m.group("directive") or "").upper() == "SKIP":
                    self.skipped.append((m.group("reason") or "no reason given",
                                         binary))
                continue
            m = RESULT_RE.match(line)
            if not m or m.group("indent"):
                diag.append(line)
                continue
            ran += 1
            name = m.group("name") or last_run or "test %s" % m.group("num")
            directive = (m.group("directive") or "").upper()
            test = "%s: %s" % (binary, name)
            if took is not None:
                self.times.append((took, test))
                took = None
            if directive == "SKIP":
                self.skipped.append((m.group("reason") or "no reason given", test))
            elif m.group("ok") == "ok" or directive in ("TODO", "XFAIL"):
                self.passed += 1
            else:
                self.fail(test, diag)
            last_run = None
            diag = []

        if status is None:
            self.fail("%s: did not finish (guest crashed or hung)" % binary, diag)
        elif status in TIMEOUT_STATUSES:
            self.fail("%s: timed out" % binary, diag)
        elif ran == 0 and plan in (None, 0):
            # Not TAP, or skipped as a whole: the exit status is the result.
            if status == 0 and plan is None:
                self.passed += 1
            elif status == KSFT_SKIP and plan is None:
                self.skipped.append(("exit status 4 (KSFT_SKIP)", binary))
            elif status not in (0, KSFT_SKIP):
                self.fail("%s: exit status %d" % (binary, status), diag)
        elif status not in (0, KSFT_SKIP) and len(self.failed) == failed_before:
            # Only when no test said why: a failed test already explains
            # the harness's status 1.
            self.fail("%s: exit status %d" % (binary, status), diag)
        if status is not None and plan is not None and ran < plan:
            self.fail("%s: planned %d tests, ran %d" % (binary, plan, ran))

    # -- KUnit KTAP: count the cases, not the suites -------------------
    def kunit(self, status, lines):
        suites = parse_kunit(lines)
        # Linux 6.1 keeps at most 512 bytes of log per case for debugfs, so
        # a chatty case can lose its own result line there. The kernel log
        # has every line: use its copy of a suite that debugfs cut short.
        dmesg = self.items.get("dmesg", (None, []))[1]
        from_dmesg = {suite["name"]: suite for suite in parse_kunit(
            [KMSG_STAMP_RE.sub("", l) for l in dmesg])}
        if not suites:
            suites = list(from_dmesg.values())
        for i, suite in enumerate(suites):
            full = from_dmesg.get(suite["name"])
            if (suite["plan"] is not None and len(suite["cases"]) < suite["plan"]
                    and full and len(full["cases"]) >= suite["plan"]):
                suites[i] = full
                self.notes.append("kunit %s: results taken from dmesg (debugfs log truncated)"
                                  % suite["name"])

        for suite in suites:
            for case, ok, directive, reason, details in suite["cases"]:
                test = "kunit %s.%s" % (suite["name"], case)
                if directive == "SKIP":
                    self.skipped.append((reason or "no reason given", test))
                elif ok:
                    self.passed += 1
                else:
                    self.fail(test, details)
            ran = len(suite["cases"])
            if suite["plan"] is not None and ran < suite["plan"]:
                self.fail("kunit %s: planned %d cases, ran %d" % (suite["name"], suite["plan"], ran))
            elif not suite["ok"] and ran == 0:
                self.fail("kunit %s: suite failed" % suite["name"])
        if status is None:
            self.fail("kunit: results incomplete (guest crashed or hung)")
        elif not suites:
            self.fail("kunit: vkfd_test.ko loaded but no KUnit results in debugfs")

    # -- splats ----------------------------------------------------------
    def scan(self, source, lines):
        seen = {STAMP_RE.sub("", text) for _, text in self.splats_flat()}
        hits = [i for i, l in enumerate(lines) if SPLAT_RE.search(l)
                and STAMP_RE.sub("", l) not in seen]
        if not hits:
            return
        # One excerpt per cluster of hits: 3 lines before, 30 after (a
        # WARNING's register dump and call trace), overlapping ones merged.
        start, end = None, None
        for i in hits:
            if end is not None and i <= end:
                end = min(len(lines), i + SPLAT_AFTER)
                continue
            if start is not None:
                self.splats.append((source, lines[start:end]))
            start, end = max(0, i - 3), min(len(lines), i + SPLAT_AFTER)
        self.splats.append((source, lines[start:end]))

    def splats_flat(self):
        for source, excerpt in self.splats:
            for text in excerpt:
                if SPLAT_RE.search(text):
                    yield source, text

    # -- a program (bench, demo): its status is the result ------------
    def program(self, name, status, lines):
        self.outputs.append((name, status, lines))
        if status is None:
            self.fail("%s: did not finish (guest crashed or hung)" % name, lines)
        elif status in TIMEOUT_STATUSES:
            self.fail("%s: timed out" % name, lines)
        elif status != 0:
            self.fail("%s: exit status %d" % (name, status), lines)
        else:
            self.passed += 1

    # -- skips the lane does not allow -----------------------------------
    def police_skips(self):
        allowed = read_skips(self.meta.get("skips"))
        for reason, test in self.skipped:
            if not any(r.fullmatch(reason) for r in allowed):
                self.fail("%s: skipped, and lane %s allows no such skip (%s)"
                          % (test, self.name, reason))

    # -- everything ------------------------------------------------------
    def evaluate(self):
        if "skipped" in self.meta:
            return
        if "error" in self.meta:
            self.fail(self.meta["error"])
            return
        self.read_items()
        qemu = self.meta.get("qemu_status")
        unfinished = [name for name, (status, _) in self.items.items() if status is None]
        if self.meta.get("timeout") == "1" or qemu in ("124", "137"):
            self.fail("guest timed out after %s s%s" % (
                self.meta.get("timeout_seconds", "?"),
                " (in %s)" % unfinished[-1] if unfinished else ""))
        elif not self.items:
            self.fail("no results from the guest (qemu status %s; see console.log)" % qemu)
        elif not self.done and not unfinished:
            self.fail("guest stopped before the end of its run (see console.log)")

        for name, (status, lines) in self.items.items():
            if name == "dmesg":
                continue
            if name == "kunit":
                self.kunit(status, lines)
            elif self.mode in PROGRAM_MODES and name not in GUEST_ITEMS:
                self.program(name, status, lines)
            else:
                self.tap(name, status, lines)
        self.police_skips()
        if self.meta.get("retried") == "1":
            self.notes.append("the first boot stalled or died before /init and was"
                              " retried (console-first-boot.log)")

        console = self.dir / "console.log"
        if console.exists():
            self.scan("console.log",
                      [l.rstrip("\r") for l in console.read_text(errors="replace").splitlines()])
        if "dmesg" in self.items:
            self.scan("guest dmesg", self.items["dmesg"][1])
        if self.splats:
            self.fail("kernel splat (%d report%s)" % (
                len(self.splats), "" if len(self.splats) == 1 else "s"))

    def print(self):
        if "skipped" in self.meta:
            print("%s: skipped: %s" % (self.name, self.meta["skipped"]))
            return
        seconds = self.meta.get("seconds")
        cpu = self.meta.get("cpu_seconds")
        extra = " (%s s%s)" % (seconds, ", %s CPU-s" % cpu if cpu else "") \
            if seconds else ""
        print("%s: %d passed, %d failed, %d skipped%s" % (
            self.name, self.passed, len(self.failed), len(self.skipped), extra))
        if self.times:
            total = sum(t for t, _ in self.times)
            print("  PROFILE  %.0f s in %d tests; the slowest:" % (total, len(self.times)))
            for took, test in sorted(self.times, reverse=True)[:SLOWEST]:
                print("    %7.2f s  %s" % (took, test))
            busy = sum(b for b, _ in self.busy)
            print("  PROFILE  %.0f guest CPU-s in %d binaries; the costliest:"
                  % (busy, len(self.busy)))
            for cost, binary in sorted(self.busy, reverse=True)[:SLOWEST]:
                print("    %7.2f CPU-s  %s" % (cost, binary))
        for what, details in self.failed:
            print("  FAIL  %s" % what)
            for text in details:
                print("        | %s" % text)
        reasons = OrderedDict()
        for reason, test in self.skipped:
            reasons.setdefault(reason, []).append(test)
        for reason, tests in reasons.items():
            shown = ", ".join(tests[:4]) + (", ..." if len(tests) > 4 else "")
            print("  SKIP  %d x %s  [%s]" % (len(tests), reason, shown))
        for note in self.notes:
            print("  note: %s" % note)
        budget = SPLAT_MAX_LINES
        for source, excerpt in self.splats:
            if budget <= 0:
                print("  ---- more splats: see %s/console.log ----" % self.dir)
                break
            print("  ---- splat in %s ----" % (
                self.dir / source if source == "console.log" else source))
            for text in excerpt[:budget]:
                print("  | %s" % text)
            budget -= len(excerpt)
        if self.failed:
            print("  logs: %s/{console.log,results.log}" % self.dir)


def write_outputs(path, lanes):
    """The programs' output of every lane, for `make bench` and `make demo`."""
    with open(path, "a") as out:
        for lane in lanes:
            if not lane.outputs:
                continue
            out.write("\n=== %s: %s\n" % (lane.name, lane.meta.get("desc", "")))
            if lane.meta.get("kernel"):
                out.write("kernel: %s\n" % lane.meta["kernel"])
            for name, _, lines in lane.outputs:
                out.write("\n--- %s ---\n" % name)
                out.write("\n".join(l for l in lines
                                     if not l.startswith("# vkfd: %s ran " % name)))
                out.write("\n")


def main(argv):
    args = argv[1:]
    out = None
    if args[:1] == ["--out"] and len(args) >= 2:
        out, args = args[1], args[2:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    lanes = [Lane(d) for d in args]
    passed = failed = skipped = 0
    for lane in lanes:
        lane.evaluate()
        lane.print()
        passed += lane.passed
        failed += len(lane.failed)
        skipped += len(lane.skipped)
    if out:
        write_outputs(out, lanes)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
