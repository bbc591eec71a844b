#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Tests of vm/report.py, the verdict of every lane, on made-up runs.

A harness that cannot fail passes everything: each case writes a lane
directory as vm/run.sh and a guest would (meta, results.log, console.log),
runs report.py on it and checks its exit status and what it says. Prints
TAP (vm/check.sh runs it in the pseudo-lane "host"); exits 1 on a failure.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

VM = Path(__file__).resolve().parent
REPORT = VM / "report.py"
SKIPS = VM / "lanes" / "skips"

TAP_OK = ["TAP version 13", "1..2", "# RUN ctx.create ...", "ok 1 ctx.create",
          "ok 2 ctx.destroy"]


def lane(root, name, items, meta=None, done=True, console="", mode="tests",
         skips="distro"):
    """Write lane directory root/name; items = [(item, status, lines)]."""
    d = Path(root) / name
    d.mkdir(parents=True)
    m = {"lane": name, "mode": mode, "skips": str(SKIPS / skips),
         "qemu_status": "0", "seconds": "1", "timeout": "0"}
    m.update(meta or {})
    (d / "meta").write_text("".join("%s=%s\n" % kv for kv in m.items()))
    out = []
    for item, status, lines in items:
        out.append("@@VKFD-BEGIN %s %s" % (name, item))
        out.extend(lines)
        if status is not None:
            out.append("@@VKFD-END %s %d" % (item, status))
    if done:
        out.append("@@VKFD-DONE %s" % name)
    (d / "results.log").write_text("\n".join(out) + "\n")
    (d / "console.log").write_text(console)
    return d


def report(*dirs, out=None):
    args = [sys.executable, str(REPORT)] + (["--out", str(out)] if out else [])
    r = subprocess.run(args + [str(d) for d in dirs], capture_output=True, text=True)
    return r.returncode, r.stdout


def modules_ok():
    return ("modules", 0, ["1..1", "ok 1 insmod vkfd.ko"])


def dmesg(*lines):
    return ("dmesg", 0, list(lines))


# --- the cases: each returns None when report.py did right, or why not ---

def case_clean_lane_passes(tmp):
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx", 0, TAP_OK), dmesg("[ 1.0] hello")]))
    if rc != 0 or "distro-6.1: 3 passed, 0 failed, 0 skipped" not in out:
        return "rc %d: %s" % (rc, out)


def case_disallowed_skip_fails(tmp):
    # A vkfd without CREATE_PROCESS: the ctx fixture skips. Not a pass.
    tap = ["1..1", "ok 1 # SKIP no AMDKFD_IOC_CREATE_PROCESS (nr 0x27: Inappropriate ioctl for device)"]
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx", 0, tap), dmesg()]))
    if rc != 1 or "allows no such skip" not in out:
        return "rc %d: %s" % (rc, out)


def case_allowed_skip_passes(tmp):
    tap = ["1..1", "ok 1 # SKIP no /proc/thread-self/fail-nth (kernel without fault injection)"]
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("fault", 0, tap), dmesg()]))
    if rc != 0 or "1 skipped" not in out:
        return "rc %d: %s" % (rc, out)


def case_included_skips_allowed(tmp):
    # skips/compat includes skips/distro and adds the 65,535.
    for name, reason in (("distro-6.12", "no /proc/thread-self/fail-nth (kernel without fault injection)"),
                         ("distro-unstable", "VKFD_TEST_EXHAUSTIVE=0: distro-6.1 runs the 65,535")):
        tap = ["1..1", "ok 1 # SKIP " + reason]
        rc, out = report(lane(tmp, name, [modules_ok(), ("ctx_life", 0, tap), dmesg()],
                              skips="compat"))
        if rc != 0 or "1 skipped" not in out:
            return "%s: rc %d: %s" % (reason, rc, out)
    # ... which distro-6.1's own file does not allow
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx_life", 0, tap), dmesg()]))
    if rc != 1 or "allows no such skip" not in out:
        return "distro: rc %d: %s" % (rc, out)
    return None


def case_oracle_allows_any_skip(tmp):
    tap = ["1..1", "ok 1 # SKIP no AMDKFD_IOC_CREATE_PROCESS: no secondaries"]
    rc, out = report(lane(tmp, "amdkfd", [modules_ok(), ("ctx", 0, tap), dmesg()], skips="any"))
    if rc != 0:
        return "rc %d: %s" % (rc, out)


def case_whole_binary_skip_policed(tmp):
    tap = ["1..0 # SKIP no GPU node in the topology"]
    rc, out = report(lane(tmp, "distro-6.12", [modules_ok(), ("sdma", 4, tap), dmesg()]))
    if rc != 1 or "allows no such skip" not in out:
        return "rc %d: %s" % (rc, out)


def case_splat_in_dmesg_fails(tmp):
    rc, out = report(lane(tmp, "debug", [modules_ok(), ("ctx", 0, TAP_OK),
                                         dmesg("[ 2.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2")]))
    if rc != 1 or "kernel splat" not in out:
        return "rc %d: %s" % (rc, out)


def case_splat_in_console_fails(tmp):
    rc, out = report(lane(tmp, "debug", [modules_ok(), ("ctx", 0, TAP_OK), dmesg()],
                          console="[ 3.0] BUG: KASAN: use-after-free in vkfd_x\n"))
    if rc != 1 or "kernel splat" not in out:
        return "rc %d: %s" % (rc, out)


def case_stall_reports_fail(tmp):
    for line in ["[ 9.0] INFO: task ctx:123 blocked for more than 10 seconds.",
                 "[ 9.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
                 "[ 9.0] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [vkfd_sdma0.0:77]"]:
        root = tempfile.mkdtemp(dir=tmp)
        rc, out = report(lane(root, "debug", [modules_ok(), ("ctx", 0, TAP_OK), dmesg(line)]))
        if rc != 1 or "kernel splat" not in out:
            return "%s: rc %d: %s" % (line, rc, out)
    return None


def case_unfinished_binary_fails(tmp):
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx", None, TAP_OK[:3])], done=False))
    if rc != 1 or "did not finish" not in out:
        return "rc %d: %s" % (rc, out)


def case_short_plan_fails(tmp):
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx", 0, ["1..3", "ok 1 a", "ok 2 b"]), dmesg()]))
    if rc != 1 or "planned 3 tests, ran 2" not in out:
        return "rc %d: %s" % (rc, out)


def case_no_done_fails(tmp):
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok(), ("ctx", 0, TAP_OK)], done=False))
    if rc != 1 or "stopped before the end" not in out:
        return "rc %d: %s" % (rc, out)


def case_timeout_fails(tmp):
    rc, out = report(lane(tmp, "distro-6.1", [modules_ok()], done=False,
                          meta={"qemu_status": "124", "timeout": "1"}))
    if rc != 1 or "timed out" not in out:
        return "rc %d: %s" % (rc, out)


def meta_only(root, name, key, why):
    """A lane that never booted: its meta says why (vm/run.sh's lane_job)."""
    d = Path(root) / name
    d.mkdir()
    (d / "meta").write_text("lane=%s\n%s=%s\n" % (name, key, why))
    return d


def case_unreachable_archive_skips_lane(tmp):
    rc, out = report(meta_only(tmp, "distro-unstable", "skipped", "deb.debian.org unreachable"))
    if rc != 0 or "distro-unstable: skipped: deb.debian.org unreachable" not in out:
        return "rc %d: %s" % (rc, out)


def case_preparation_error_fails(tmp):
    rc, out = report(meta_only(tmp, "distro-6.12", "error", "module build for 6.12 failed"))
    if rc != 1 or "module build for 6.12 failed" not in out:
        return "rc %d: %s" % (rc, out)


def case_bench_program_status(tmp):
    out_file = Path(tmp) / "results.txt"
    good = lane(tmp, "bench", [modules_ok(), ("ctxbench", 0, ["table 1", "ok 1 not TAP here"]),
                               dmesg()], mode="bench", skips="none")
    bad = lane(tmp, "bench-rocm", [modules_ok(), ("rocm_bench", 1, ["half a table"]), dmesg()],
               mode="bench-rocm", skips="none")
    rc, out = report(good, bad, out=out_file)
    text = out_file.read_text()
    if rc != 1 or "rocm_bench: exit status 1" not in out:
        return "rc %d: %s" % (rc, out)
    if "--- ctxbench ---\ntable 1" not in text or "half a table" not in text:
        return "outputs not collected: %s" % text


def case_kunit_failure_fails(tmp):
    ktap = ["    # Subtest: vkfd-ctx", "    1..2", "    ok 1 a", "    not ok 2 b", "not ok 1 vkfd-ctx"]
    rc, out = report(lane(tmp, "debug", [modules_ok(), ("kunit", 0, ktap), dmesg()], skips="debug"))
    if rc != 1 or "kunit vkfd-ctx.b" not in out:
        return "rc %d: %s" % (rc, out)


def case_profile_names_slowest(tmp):
    d = lane(tmp, "distro-6.1", [modules_ok(), ("ctx", 0, [
        "1..3", "# vkfd-time 0.50", "ok 1 ctx.fast",
        "# vkfd-time 42.25", "ok 2 ctx.slow", "ok 3 ctx.untimed",
        "# vkfd: ctx ran 43 s, busy 1250 ticks"]), dmesg()])
    rc, out = report(d)
    if rc != 0:
        return "exit status %d" % rc
    if "4 passed" not in out:
        return "the time lines were counted as results"
    lines = out.splitlines()
    want = ["  PROFILE  43 s in 2 tests; the slowest:",
            "      42.25 s  ctx: ctx.slow", "       0.50 s  ctx: ctx.fast"]
    at = [i for i, l in enumerate(lines) if l == want[0]]
    if not at or lines[at[0]:at[0] + 3] != want:
        return "no profile, or not slowest first"
    want = ["  PROFILE  12 guest CPU-s in 1 binaries; the costliest:",
            "      12.50 CPU-s  ctx"]
    at = [i for i, l in enumerate(lines) if l == want[0]]
    if not at or lines[at[0]:at[0] + 2] != want:
        return "no guest CPU time per binary"
    return None


def main():
    cases = [(n, f) for n, f in globals().items() if n.startswith("case_")]
    print("1..%d" % len(cases))
    failed = 0
    for i, (name, func) in enumerate(cases, 1):
        with tempfile.TemporaryDirectory() as tmp:
            why = func(tmp)
        if why:
            failed += 1
            for line in str(why).splitlines():
                print("# %s" % line)
            print("not ok %d %s" % (i, name[5:]))
        else:
            print("ok %d %s" % (i, name[5:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
