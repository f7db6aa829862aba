#!/usr/bin/python3
"""ipi_stop_check.py — a stop request ends a wait on a stalled i-PI client at once.

Usage: ipi_stop_check.py MDBENCH MDBENCH_SUITE

The client here (this script run as `client SOCKET K FLAG`, or the same code
in a thread) serves K force calls of a harmonic crystal (every atom on a
spring to where it started, k = 0.267 Hartree/Bohr^2, a period of ~100 fs
for copper) and then stops answering, keeping the connection open; it
creates FLAG when it stalls. mdbench waits with the default 60 s timeout,
so only the stop request can end the wait quickly.
  1. `mdbench run`, the client stalls at the first force call (mdb_md_init),
     SIGTERM: exit 75 within 2 s, "stopped by SIGTERM before the first step".
  2. `mdbench run --output`, the client stalls after 31 force calls (the
     initial forces and steps 1..30), SIGUSR1: exit 75 within 2 s; the
     result has status "interrupted", failure step 30 = the timed steps
     done, the reason names SIGUSR1, no thermo sample after step 30 (the
     half-done step 31 is not sampled), and the conserved energy of every
     sample within 1e-3 eV/atom of the first (a sample of the half-updated
     state would carry the previous step's potential energy).
  3. `mdbench-suite` (one process), an `ipi:launch=` case whose client
     stalls after 21 calls, SIGTERM: exit 75 within 2 s, summary.jsonc says
     complete = false with the case "interrupted", no marker (so --resume
     runs it again), and the launched client is gone.
Only the standard library is needed. The last line is `N passed, M failed`.
"""
import json
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

K_SPRING = 0.267  # Hartree/Bohr^2


def recvall(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def serve(s, calls, flag):
    """Answers `calls` force calls of the harmonic crystal, then stalls."""
    x0, state, served, n, cell = None, "READY", 0, 0, None
    try:
        while True:
            msg = recvall(s, 12).decode().strip()
            if msg == "STATUS":
                if state == "READY" and served >= calls:
                    open(flag, "w").close()
                    time.sleep(600)  # stalled: connected, never answering
                    return
                s.sendall(state.ljust(12).encode())
            elif msg == "POSDATA":
                cell = struct.unpack("9d", recvall(s, 72))
                recvall(s, 72)
                (n,) = struct.unpack("i", recvall(s, 4))
                x = struct.unpack(f"{3 * n}d", recvall(s, 24 * n))
                if x0 is None:
                    x0 = x
                state = "HAVEDATA"
            elif msg == "GETFORCE":
                lengths = (cell[0], cell[4], cell[8])  # a cubic cell: h is diagonal
                f, e = [0.0] * (3 * n), 0.0
                for i in range(3 * n):
                    L = lengths[i % 3]
                    d = x[i] - x0[i]
                    d -= L * round(d / L)
                    f[i] = -K_SPRING * d
                    e += 0.5 * K_SPRING * d * d
                s.sendall(b"FORCEREADY  " + struct.pack("d", e) + struct.pack("i", n)
                          + struct.pack(f"{3 * n}d", *f) + bytes(72) + struct.pack("i", 0))
                served += 1
                state = "READY"
            elif msg == "EXIT":
                return
    except (EOFError, OSError):
        pass


def connect(path, wait=30):
    deadline = time.monotonic() + wait
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def client_thread(name, calls, flag):
    s = connect(f"/tmp/ipi_{name}")
    if s:
        with s:
            serve(s, calls, flag)


def wait_for(path, timeout=120):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, case, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL [{case}] {what} {detail}")


def stop_run(args, sig, flag, tmo=120):
    """Starts args, sends sig once flag exists; returns (rc, output, seconds from the signal to the exit)."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not wait_for(flag, tmo):
        p.kill()
        return -1, p.communicate()[0] + " (the client never stalled)", 0.0
    time.sleep(0.3)  # mdbench is now blocked waiting for the stalled client
    t0 = time.monotonic()
    p.send_signal(sig)
    try:
        out = p.communicate(timeout=70)[0]
    except subprocess.TimeoutExpired:
        p.kill()
        out = p.communicate()[0] + " (killed after 70 s)"
    return p.returncode, out, time.monotonic() - t0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "client":
        s = connect(f"/tmp/ipi_{sys.argv[2]}")
        if s:
            with s:
                serve(s, int(sys.argv[3]), sys.argv[4])
        return
    mdb, suite_bin = sys.argv[1], sys.argv[2]
    t = Tally()
    base = [mdb, "run", "--system", "copper", "--atoms", "32", "--warmup", "0", "--quiet"]
    with tempfile.TemporaryDirectory(prefix="mdb_ipistop_") as tmp:
        # 1. stalled at the first force call
        name, flag = f"mdbstop{os.getpid()}_1", os.path.join(tmp, "stalled1")
        th = threading.Thread(target=client_thread, args=(name, 0, flag), daemon=True)
        th.start()
        rc, out, dt = stop_run(base + ["--steps", "100", "--calculator", f"ipi:unix={name}"], signal.SIGTERM, flag)
        print(f"[stall at setup, SIGTERM] exit {rc} in {dt:.2f} s: {out.strip()}")
        t.check("setup", "exit 75", rc == 75, f"exit {rc}")
        t.check("setup", "within 2 s", dt < 2.0, f"{dt:.2f} s")
        t.check("setup", "message", "stopped by SIGTERM before the first step" in out, out)

        # 2. stalled mid-run
        name, flag = f"mdbstop{os.getpid()}_2", os.path.join(tmp, "stalled2")
        res = os.path.join(tmp, "run.json")
        th = threading.Thread(target=client_thread, args=(name, 31, flag), daemon=True)
        th.start()
        rc, out, dt = stop_run(base + ["--steps", "100", "--energy-interval", "7", "--calculator",
                                       f"ipi:unix={name}", "--output", res], signal.SIGUSR1, flag)
        print(f"[stall mid-run, SIGUSR1] exit {rc} in {dt:.2f} s: {out.strip()}")
        t.check("mid-run", "exit 75", rc == 75, f"exit {rc}")
        t.check("mid-run", "within 2 s", dt < 2.0, f"{dt:.2f} s")
        r = json.load(open(res)) if os.path.exists(res) else None
        t.check("mid-run", "result written", r is not None)
        if r:
            fl, th_ = r.get("failure") or {}, r["raw"]["thermo"]
            steps, cons = th_["step"], th_["conserved_energy_eV"]
            n = r["system"]["n_atoms"] if "system" in r and "n_atoms" in r["system"] else 32
            dev = max(abs(e - cons[0]) for e in cons) / n
            print(f"  status {r['status']}, failure step {fl.get('step')}, {len(r['raw']['step_time_ms'])} timed "
                  f"steps, thermo at {steps}, max |E-E0|/N {dev:.2e} eV/atom, reason: {fl.get('reason')}")
            t.check("mid-run", "status interrupted", r["status"] == "interrupted", r["status"])
            t.check("mid-run", "failure step 30", fl.get("step") == 30, str(fl.get("step")))
            t.check("mid-run", "30 timed steps", len(r["raw"]["step_time_ms"]) == 30)
            t.check("mid-run", "reason names SIGUSR1", "stopped by SIGUSR1" in fl.get("reason", ""))
            t.check("mid-run", "no sample past step 30", max(steps) <= 30 and steps == sorted(steps), str(steps))
            t.check("mid-run", "samples every 7 steps", steps == list(range(0, 29, 7)), str(steps))
            t.check("mid-run", "energy conserved", math.isfinite(dev) and dev < 1e-3, f"{dev:.2e} eV/atom")

        # 3. the suite, a launched client
        flag = os.path.join(tmp, "stalled3")
        me = os.path.abspath(__file__)
        suite = os.path.join(tmp, "stall.json")
        with open(suite, "w") as fh:
            json.dump({"steps": 200, "warmup": 0, "energy_interval": 10,
                       "matrix": {"system": ["copper"], "atoms": [32], "protocol": ["NVE"],
                                  "calculator": [{"name": "ipi",
                                                  "launch": f"/usr/bin/python3 {me} client {{socket}} 21 {flag}"}]}},
                      fh)
        d = os.path.join(tmp, "res")
        rc, out, dt = stop_run([suite_bin, suite, "-o", d, "--quiet"], signal.SIGTERM, flag)
        print(f"[suite, launched client stalls, SIGTERM] exit {rc} in {dt:.2f} s: {out.strip()}")
        t.check("suite", "exit 75", rc == 75, f"exit {rc}")
        t.check("suite", "within 2 s", dt < 2.0, f"{dt:.2f} s")
        sj = os.path.join(d, "summary.jsonc")
        s = json.load(open(sj)) if os.path.exists(sj) else None
        t.check("suite", "summary written", s is not None)
        if s:
            t.check("suite", "complete false", s["complete"] is False)
            t.check("suite", "case interrupted", [c["status"] for c in s["cases"]] == ["interrupted"],
                    str([c["status"] for c in s["cases"]]))
            t.check("suite", "stop_signal SIGTERM", s["stop_signal"] == "SIGTERM", s["stop_signal"])
        markers = [f for f in os.listdir(os.path.join(d, "cases")) if f.endswith(".json")] \
            if os.path.isdir(os.path.join(d, "cases")) else []
        t.check("suite", "no marker", markers == [], str(markers))
        time.sleep(0.2)
        left = subprocess.run(["pgrep", "-f", f"{me} client"], capture_output=True).returncode == 0
        t.check("suite", "client gone", not left)
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(0 if t.failed == 0 else 1)


if __name__ == "__main__":
    main()
