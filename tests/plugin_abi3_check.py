"""plugin_abi3_check.py — plugin ABI 3: a plugin's model time reaches the result as the ase: worker's does.

    plugin_abi3_check.py MODE MDBENCH LIBTIMED LIBTIMED_V2 LIBTETHER_V1 LIBMORSE

tests/plugin_timed.c sleeps sleep_ms per call; libtimed reports model_ms (ABI 3),
libtimed_v2 is the same code declaring ABI 2 (it still writes model_ms: mdbench must
not read it). Modes:
  json  `mdbench run` copper 32, 40 timed steps:
        - sleep 5 ms, reported as measured: raw.model_ms has 40 values, median within
          5 % of 5 ms and none below 5 ms; model <= client wait (the plugin call) <=
          step every step; model_split.model_ms median = the raw median to 1e-9 ms;
          the printed "model split" line gives that median;
        - sleep 2 ms, report_ms=1.25: every raw.model_ms is 1.25 to 1e-9 ms, the call
          >= 2 ms, so transport_worker (call − model) median >= 0.75 ms;
        - not reported: the ABI-2 build (writes model_ms anyway), report_ms=none
          (ABI 3, nothing reported), tether_v1 (ABI 1), morse: no raw.model_ms, no
          raw.client_wait_ms, no model_split, no printed split, memory.model null.
  h5    `mdbench compare` of the reporting plugin and the ABI-2 build (results.h5,
        h5py; exit 77 without it): the reporting case has model/model_ms equal to its
        JSON's raw.model_ms (1e-12) and model/model_median_ms, no pid; the ABI-2 case
        has no model/ group.
Prints `N passed, M failed`; exit 1 on any failure.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

failed = passed = 0


def check(what, ok, detail=""):
    global failed, passed
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}")
    passed += bool(ok)
    failed += not ok


def run(binary, spec, out, steps=40):
    cmd = [binary, "run", "--system", "copper", "--atoms", "32", "--steps", str(steps), "--warmup", "2",
           "--output", out, "--calculator", spec]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        check(f"{spec}: exit 0", False, f"exit {p.returncode}: {p.stderr.strip()}")
        return None, ""
    return json.load(open(out)), p.stdout


def json_mode(binary, timed, timed_v2, tether_v1, morse, work):
    d, text = run(binary, f"plugin:lib={timed},sleep_ms=5", os.path.join(work, "measured.json"))
    if d:
        raw = d["raw"]
        model, wait, step = raw.get("model_ms") or [], raw.get("client_wait_ms") or [], raw["step_time_ms"]
        check("measured: 40 model_ms values", len(model) == 40 == len(wait) == len(step), f"{len(model)}")
        if len(model) == 40:
            med = statistics.median(model)
            check("measured: model median within 5 % of 5 ms", abs(med - 5) <= 0.25, f"{med:.4f} ms")
            check("measured: no model_ms below the 5 ms sleep", min(model) >= 5, f"min {min(model):.4f} ms")
            bad = [i for i in range(40) if not model[i] <= wait[i] <= step[i]]
            check("measured: model <= plugin call <= step, every step", not bad, f"steps {bad[:5]}")
            split = (d["performance"].get("model_split") or {}).get("model_ms", {}).get("median")
            check("measured: model_split.model_ms median = raw median", split is not None and abs(split - med) <= 1e-9,
                  f"{split} vs {med}")
            m = re.search(r"model split median \(p99\) ms per step: model (\S+) ", text)
            check("measured: printed split gives the model median", m is not None and
                  abs(float(m.group(1)) - med) <= 1e-3 * med, m.group(0) if m else "no split line")
        check("measured: memory.model null (in process)", d["memory"]["model"] is None)

    d, _ = run(binary, f"plugin:lib={timed},sleep_ms=2,report_ms=1.25", os.path.join(work, "fixed.json"))
    if d:
        model, wait = d["raw"].get("model_ms") or [], d["raw"].get("client_wait_ms") or []
        worst = max((abs(v - 1.25) for v in model), default=float("inf"))
        check("fixed: 40 model_ms values, each 1.25 ms", len(model) == 40 and worst <= 1e-9, f"max |dev| {worst:.3g}")
        check("fixed: plugin call >= the 2 ms sleep", len(wait) == 40 and min(wait) >= 2, f"min {min(wait or [0]):.4f}")
        tw = (d["performance"].get("model_split") or {}).get("transport_worker_ms", {}).get("median", -1)
        check("fixed: transport_worker median >= 0.75 ms", tw >= 0.75, f"{tw:.4f} ms")

    for label, spec in [("ABI-2 build writing model_ms", f"plugin:lib={timed_v2},sleep_ms=1"),
                        ("ABI 3 reporting nothing", f"plugin:lib={timed},sleep_ms=1,report_ms=none"),
                        ("ABI 1 tether_v1", f"plugin:lib={tether_v1}"), ("morse", f"plugin:lib={morse}")]:
        d, text = run(binary, spec, os.path.join(work, "none.json"), steps=10)
        if d:
            absent = [k for k in ("model_ms", "client_wait_ms") if k in d["raw"]]
            absent += ["model_split"] if "model_split" in d["performance"] else []
            absent += ["split line"] if "model split" in text else []
            absent += ["memory.model"] if d["memory"]["model"] is not None else []
            check(f"{label}: no model time (null)", not absent and d["status"] == "ok", f"present: {absent}")


def h5_mode(binary, timed, timed_v2, work):
    try:
        import h5py
    except ImportError:
        print("SKIP: h5py is not importable by", sys.executable)
        sys.exit(77)
    out = os.path.join(work, "cmp")
    p = subprocess.run([binary, "compare", "--system", "copper", "--atoms", "32", "--steps", "20", "--warmup", "1",
                        "--quiet", "--output", out, "--compare", f"plugin:lib={timed},sleep_ms=1,label=v3",
                        f"plugin:lib={timed_v2},sleep_ms=1,label=v2"], capture_output=True, text=True, timeout=300)
    check("compare exits 0", p.returncode == 0, p.stderr.strip())
    if p.returncode:
        return
    raw = json.load(open(os.path.join(out, "v3.json")))["raw"]["model_ms"]
    with h5py.File(os.path.join(out, "results.h5"), "r") as f:
        g = f["cases"]["v3"].get("model")
        check("v3: model/ group", g is not None)
        if g is not None:
            ds = list(g["model_ms"][()]) if "model_ms" in g else []
            worst = max((abs(a - b) for a, b in zip(ds, raw)), default=float("inf"))
            check("v3: model/model_ms = JSON raw.model_ms", len(ds) == len(raw) == 20 and worst <= 1e-12,
                  f"{len(ds)} values, max |dev| {worst:.3g}")
            check("v3: model_median_ms attribute", abs(g.attrs.get("model_median_ms", -1) -
                                                       statistics.median(raw)) <= 1e-12)
            check("v3: client_wait_ms dataset", "client_wait_ms" in g)
            check("v3: no pid (no process of its own)", "pid" not in g.attrs)
        check("v2: no model/ group", "model" not in f["cases"]["v2"])


def main():
    mode, binary, timed, timed_v2, tether_v1, morse = sys.argv[1:7]
    with tempfile.TemporaryDirectory() as work:
        if mode == "json":
            json_mode(binary, timed, timed_v2, tether_v1, morse, work)
        else:
            h5_mode(binary, timed, timed_v2, work)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
