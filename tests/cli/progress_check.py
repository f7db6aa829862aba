#!/usr/bin/env python3
"""The live progress line of `mdbench run` and `mdbench compare`.

usage: progress_check.py MDBENCH

On a pseudo-terminal: a line redrawn with \\r carrying "step K/N", a rate
and an ETA, at most ~4 redraws a second, cleared at the end; --quiet prints
nothing on the terminal. Without a terminal: plain lines (no \\r) every
MDBENCH_PROGRESS_S seconds, none for a run shorter than the default 10 s.
compare shows the line per calculator. Each run is sized to last about
2 s on this machine (calibrated first), whatever the build.
"""
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time

MDB = sys.argv[1]
LINE = re.compile(r"step (\d+)/(\d+) \((\d+)%\), ([0-9.e+]+) steps/s, ETA ([0-9.]+ s|\d+ min \d+ s|\d+ h \d+ min)")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run_pty(args, env=None):
    """Runs args with stdin/stdout/stderr on a pty; returns (rc, bytes, seconds)."""
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the pty
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    rc = p.wait()
    os.close(master)
    return rc, out, time.monotonic() - t0


case = ["--system", "argon", "--atoms", "500", "--warmup", "10"]
with tempfile.TemporaryDirectory() as tmp:
    # calibrate: steps for ~2 s
    cal = os.path.join(tmp, "cal.json")
    subprocess.run([MDB, "run", *case, "--steps", "200", "--quiet", "--output", cal], check=True)
    sps = json.load(open(cal))["performance"]["steps_per_second"]
    steps = max(200, int(2.0 * sps))
    print(f"calibration: {sps:.4g} steps/s -> {steps} steps (~2 s)")
    total = steps + 10
    env = dict(os.environ)
    env.pop("MDBENCH_PROGRESS_S", None)

    # 1. a terminal
    rc, out, secs = run_pty([MDB, "run", *case, "--steps", str(steps)], env)
    text = out.decode("utf-8", "replace")
    check(rc == 0, f"run on a pty exits 0 (got {rc})")
    draws = [m for m in LINE.finditer(text)]
    check(len(draws) >= 2, f"the progress line is drawn at least twice in {secs:.2f} s (got {len(draws)})")
    check(all(int(m.group(2)) == total for m in draws), f"every line counts to {total} steps (warmup + timed)")
    ks = [int(m.group(1)) for m in draws]
    check(ks == sorted(ks) and all(0 < k <= total for k in ks), f"step counts rise within 1..{total}: {ks[:8]}...")
    check(len(draws) <= 4 * secs + 2, f"at most ~4 redraws per second ({len(draws)} in {secs:.2f} s)")
    check(text.count("\r\x1b[K") >= len(draws), "each draw starts with \\r and clears the line")
    check(0 <= text.rfind("\r\x1b[K") < text.find("throughput"), "the line is cleared before the summary")
    # the ETA of the first line is near the remaining time at the measured rate
    if draws:
        m = draws[0]
        k, rate = int(m.group(1)), float(m.group(4))
        check(sps / 3 < rate < 3 * sps, f"the rate {rate:.4g} steps/s is within a factor 3 of the calibrated {sps:.4g}")
        eta = m.group(5)
        if eta.endswith(" s") and "min" not in eta:
            check(abs(float(eta[:-2]) - (total - k) / rate) < 0.15,
                  f"ETA {eta} = remaining steps / rate ({(total - k) / rate:.2f} s)")

    # 2. --quiet on a terminal: nothing at all
    rc, out, secs = run_pty([MDB, "run", *case, "--steps", str(steps), "--quiet"], env)
    check(rc == 0 and out == b"", f"--quiet on a pty prints nothing ({len(out)} bytes in {secs:.2f} s)")

    # 3. not a terminal, default period (10 s): a 2 s run prints no progress line
    p = subprocess.run([MDB, "run", *case, "--steps", str(steps)], env=env, capture_output=True, text=True)
    check(p.returncode == 0 and not LINE.search(p.stderr) and "\r" not in p.stderr,
          "without a terminal, a run shorter than 10 s prints no progress line (default period 10 s)")

    # 4. not a terminal, MDBENCH_PROGRESS_S=0.3: plain lines
    env2 = dict(env, MDBENCH_PROGRESS_S="0.3")
    t0 = time.monotonic()
    p = subprocess.run([MDB, "run", *case, "--steps", str(steps)], env=env2, capture_output=True, text=True)
    secs = time.monotonic() - t0
    lines = [l for l in p.stderr.splitlines() if LINE.search(l)]
    check("\r" not in p.stderr and "\x1b" not in p.stderr, "plain lines: no \\r, no escape codes")
    check(all(l.startswith("mdbench run: step ") for l in lines), "each line starts with 'mdbench run: step '")
    check(2 <= len(lines) <= secs / 0.3 + 1, f"one line per 0.3 s ({len(lines)} in {secs:.2f} s)")
    # and the same with --quiet: nothing on stderr
    p = subprocess.run([MDB, "run", *case, "--steps", str(steps), "--quiet"], env=env2, capture_output=True, text=True)
    check(p.returncode == 0 and p.stderr == "" and p.stdout == "", "--quiet without a terminal prints nothing")

    # 5. compare: the line names the calculator being run
    # (each calculator runs ~2 s; a line every 0.1 s)
    half = steps
    p = subprocess.run([MDB, "compare", *case, "--steps", str(half), "--calculators", "lj,lj:rc=7",
                        "--output", os.path.join(tmp, "cmp")], env=dict(env, MDBENCH_PROGRESS_S="0.1"),
                       capture_output=True, text=True)
    check(p.returncode == 0, f"compare exits 0 (got {p.returncode}: {p.stderr[-300:]})")
    check(re.search(r"mdbench compare: lj: step \d+/%d" % (half + 10), p.stderr) is not None and
          re.search(r"mdbench compare: lj:rc=7: step \d+/", p.stderr) is not None,
          "compare prints a progress line per calculator, named")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all progress checks passed")
