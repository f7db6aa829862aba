#!/usr/bin/python3
"""ipi_launch_check.py — `ipi:launch=COMMAND`: mdbench starts the client itself.

Usage: ipi_launch_check.py MDBENCH MDBENCH_SUITE EXAMPLES_DIR
  1. mdbench run with a launched ASE EMT client: exit 0, status ok, and the
     client process is gone afterwards (stopped by EXIT or signals);
  2. a launched command that dies at once: exit 3 with "exited ... before
     connecting", within a second or two, not the timeout;
  3. a suite case with a launch template under mpirun: exit 0, status ok,
     the client's output captured as DIR/cases/<id>.client.log, no client left.
The client runs from a copy with a unique file name, so leftovers are found
with pgrep. Exit 77 without ASE. The last line is `N passed, M failed`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402  (77 without numpy/ASE)

try:
    import ase.calculators.socketio  # noqa: F401
except ImportError:
    peerlib.skip("ASE's socketio is not importable")


def leftover(tag):
    return subprocess.run(["pgrep", "-f", tag], capture_output=True).returncode == 0


def main():
    mdb, suite_bin, examples = sys.argv[1], sys.argv[2], sys.argv[3]
    t = peerlib.Tally()
    with tempfile.TemporaryDirectory(prefix="mdb_launch_") as tmp:
        client = os.path.join(tmp, f"client_{os.getpid()}.py")
        shutil.copy(os.path.join(examples, "ase_ipi_client.py"), client)
        launch = f"launch=/usr/bin/python3 {client} --unix {{socket}} --system copper --atoms 32"
        out = os.path.join(tmp, "run.json")
        p = subprocess.run([mdb, "run", "--system", "copper", "--atoms", "32", "--steps", "20", "--warmup", "0",
                            "--quiet", "--calculator", f"ipi:{launch},timeout=60", "--output", out],
                           capture_output=True, text=True, timeout=300)
        t.check("run with launch", "exit code", abs(p.returncode), 0)
        if p.returncode == 0:
            t.check("run with launch", "status ok", 0.0 if json.load(open(out))["status"] == "ok" else 1.0, 0)
        time.sleep(0.2)
        t.check("run with launch", "client left", float(leftover(client)), 0)

        t0 = time.time()
        p = subprocess.run([mdb, "run", "--system", "copper", "--atoms", "32", "--steps", "5", "--quiet",
                            "--calculator", "ipi:launch=false,timeout=30"], capture_output=True, text=True, timeout=60)
        took = time.time() - t0
        t.check("client dies at once", "exit 3", abs(p.returncode - 3), 0)
        t.check("client dies at once", "message", 0.0 if "before connecting" in p.stderr else 1.0, 0)
        t.check("client dies at once", "seconds", took, 5.0)

        suite = os.path.join(tmp, "ipi.json")
        with open(suite, "w") as fh:
            json.dump({"steps": 20, "warmup": 0, "energy_interval": 10,
                       "matrix": {"system": ["copper"], "atoms": [32], "protocol": ["NVE"],
                                  "calculator": [{"name": "ipi", "launch": launch[len("launch="):],
                                                  "timeout": "60"}]}}, fh)
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_btl="self,vader")
        d = os.path.join(tmp, "res")
        p = subprocess.run(["mpirun", "-n", "1", suite_bin, suite, "-o", d, "--quiet"], capture_output=True,
                           text=True, env=env, timeout=300)
        t.check("suite with launch", "exit code", abs(p.returncode), 0)
        logs = [f for f in os.listdir(os.path.join(d, "cases")) if f.endswith(".client.log")] if p.returncode == 0 else []
        t.check("suite with launch", "client log kept", 0.0 if len(logs) == 1 else 1.0, 0)
        markers = [f for f in os.listdir(os.path.join(d, "cases")) if f.endswith(".json")] if p.returncode == 0 else []
        ok = len(markers) == 1 and json.load(open(os.path.join(d, "cases", markers[0])))["status"] == "ok"
        t.check("suite with launch", "status ok", 0.0 if ok else 1.0, 0)
        time.sleep(0.2)
        t.check("suite with launch", "client left", float(leftover(client)), 0)
        if p.returncode:
            print(p.stdout, p.stderr)
    t.finish()


if __name__ == "__main__":
    main()
