#!/usr/bin/env python3
"""Calculator labels and spec text: label=NAME names a calculator in case ids, tables and file
names; suite numbers print as written; a quoted value may hold commas; compare prints speedups
with 3 significant digits; shadow mode's headline energy error has the constant offset removed.

usage: labels_check.py MDBENCH MDBENCH_SUITE       (needs only the standard library)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

MDBENCH, SUITE = sys.argv[1], sys.argv[2]
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond


def run(binary, *args):
    env = dict(os.environ)
    if binary == SUITE:  # MPI and HDF5 keep allocations to exit: LeakSanitizer would report them (ASan builds)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=300, env=env)


tmp = tempfile.mkdtemp(prefix="mdb-labels-")
case = ["--system", "argon", "--atoms", "108", "--steps", "50", "--warmup", "2"]

# run: the label names the result, the full spec stays in the metadata
out = os.path.join(tmp, "run.json")
p = run(MDBENCH, "run", *case, "--calculator", "lj:rc=8,label=my-lj", "--output", out, "--quiet")
d = json.load(open(out)) if p.returncode == 0 else {}
meta = d.get("metadata", {})
check(meta.get("name") == "my-lj_argon_108atoms_NVE", f"run: metadata.name from the label ({meta.get('name')})")
check(meta.get("calculator") == "lj:rc=8,label=my-lj", f"run: metadata.calculator is the full spec "
      f"({meta.get('calculator')})")
p = run(MDBENCH, "run", *case, "--calculator", "lj:label=a b", "--quiet")
check(p.returncode == 2 and "label" in p.stderr and len(p.stderr.strip().splitlines()) == 1,
      f"a bad label: exit 2, one line ({p.returncode}: {p.stderr.strip()})")

# a quoted value holds commas: the launch command reaches the shell whole
p = run(MDBENCH, "run", *case, "--calculator", "ipi:launch=\"echo a,b; exit 7\",timeout=5,label=q", "--quiet")
check(p.returncode == 3 and "status 7" in p.stderr and "not key=value" not in p.stderr,
      f"a quoted comma: the command ran whole (exit 3, status 7: {p.stderr.strip()})")
p = run(MDBENCH, "run", *case, "--calculator", "ipi:launch=\"echo a,b", "--quiet")
check(p.returncode == 2 and "quote" in p.stderr, f"an unclosed quote: exit 2 ({p.stderr.strip()})")

# compare: file names and table rows by label; speedups with 3 significant digits
cdir = os.path.join(tmp, "cmp")
p = run(MDBENCH, "compare", "--calculators", "lj:rc=8,label=short,lj:rc=10,label=long", *case, "--output", cdir)
files = sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []
check(p.returncode == 0 and "short.json" in files and "long.json" in files, f"compare: files by label {files}")
rows = [ln for ln in p.stdout.splitlines() if ln.strip().startswith(("short", "long"))]
check(len(rows) == 2, f"compare: table rows by label ({len(rows)})")
m = re.search(r"(\S+) \[(\S+), (\S+)\]\s*$", rows[1] if len(rows) == 2 else "")
sig = [len(re.sub(r"^0\.0*|\.|e.*$", "", x).lstrip("0")) for x in (m.groups() if m else ())]
check(m is not None and sig == [3, 3, 3], f"compare: speedup with 3 significant digits ({m.groups() if m else rows})")

# shadow: the headline energy error is offset-removed, the raw one beside it
sdir = os.path.join(tmp, "shadow")
p = run(MDBENCH, "compare", "--reference", "lj:rc=8", "--shadow", "lj:rc=10", *case, "--output", sdir)
sh = {}
for f in os.listdir(sdir) if os.path.isdir(sdir) else []:
    j = json.load(open(os.path.join(sdir, f))) if f.endswith(".json") and f != "comparison.jsonc" else {}
    sh = j.get("shadow") or sh
raw = sh.get("raw", {}).get("energy_diff_eV_per_atom", [])
if raw:
    mean = sum(raw) / len(raw)
    want = max(abs(x - mean) for x in raw)
    check(abs(sh["energy_diff_centered_max_abs_eV_per_atom"] - want) <= 1e-12 * max(1.0, want),
          f"shadow: centered max |dE - mean| {sh['energy_diff_centered_max_abs_eV_per_atom']:.6g} = {want:.6g}")
    check(abs(mean) > 10 * want, f"shadow: the offset ({mean:.4g} eV/atom) dwarfs the centered error ({want:.3g}): "
          "the raw one would mislead")
    check("offset removed" in p.stdout and "raw: mean offset" in p.stdout, "shadow: the summary says which is which")
else:
    check(False, f"shadow: no shadow record ({p.returncode}: {p.stderr.strip()})")

# suite: object keys, label in the case id, numbers as written, commas quoted
suite = os.path.join(tmp, "s.json")
json.dump({"steps": 10, "matrix": {"system": ["argon"], "atoms": [32], "protocol": ["NVE"], "calculator": [
    {"name": "lj", "rc": 8, "label": "ljrc8"},
    {"name": "lj", "rc": 8.5}]}}, open(suite, "w"))
p = run(SUITE, suite, "--dry-run")
check(p.returncode == 0 and "argon_32_NVE_ljrc8_cpu" in p.stdout, f"suite: the case id uses the label\n{p.stdout}")
check("rc-8.5" in p.stdout and "e+" not in p.stdout, "suite: numbers as written")
json.dump({"steps": 10, "matrix": {"system": ["argon"], "atoms": [32], "protocol": ["NVE"], "calculator": [
    {"name": "lj"}, {"name": "ipi", "launch": "sh -c 'exit 9' x,y", "timeout": 300}]}}, open(suite, "w"))
p = run(SUITE, suite, "--dry-run")
check("timeout-300" in p.stdout + p.stderr and "3e+02" not in p.stdout + p.stderr and "status 9" in p.stdout +
      p.stderr, f"suite: timeout=300 and a launch command with a comma ({(p.stdout + p.stderr).strip()})")

print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}")
sys.exit(1 if failures else 0)
