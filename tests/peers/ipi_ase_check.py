"""ipi_ase_check.py — mdbench's ipi calculator against ASE's SocketClient serving EMT.

    ipi_ase_check.py PATH/TO/mdbench          ASE peer checks (exit 77 without ASE)
    ipi_ase_check.py PATH/TO/mdbench errors   failing clients (needs no ASE)

Peer checks (examples/ase_ipi_client.py serves ASE's EMT on /tmp/ipi_NAME,
NAME unique per run; the client is always killed at the end):
  * `mdbench eval` of a rattled cubic and a rattled triclinic copper cell
    through ipi equals ASE's own EMT on the same positions: energy 1e-10
    relative, forces 1e-8 eV/Å, virial (= -V·stress) 1e-8 eV. The triclinic
    cell checks the cell layout on the wire (i-PI's h = mdbench's h transposed).
  * `mdbench run` NVE, copper 108 atoms, 1 fs, 500 steps: status ok, the first
    sample's potential energy equals ASE's EMT of the perfect lattice (1e-10
    relative), and max |E − E0|/N ≤ 5e-5 eV/atom (mdbench's own eam on the
    same case: ~1e-5; a unit slip in energy or force would be off by orders).
Error checks (each bounded by a 60 s subprocess timeout):
  * no client, timeout=2             -> exit 3, "no client connected", < 10 s
  * client connects and disconnects  -> exit 3, "closed the connection"
  * client sends a garbage header    -> exit 3, "malformed message header"
  * client sends 107 forces for 108  -> exit 3, "forces for 107 atoms"
  * client stops answering           -> exit 3, "did not respond within 2 s"
  * ASE client killed mid-run        -> exit 1 (case "failed"), "closed the connection"
Prints a table and `N passed, M failed`.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "..", "..", "examples", "ase_ipi_client.py")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
_counter = [0]


def sockname():
    _counter[0] += 1
    return f"mdbt{os.getpid()}_{_counter[0]}"


def start_client(name, extra=()):
    return subprocess.Popen([PY, CLIENT, "--unix", name, "--wait", "60", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def mdbench(binary, args, timeout=600):
    t = time.monotonic()
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t


# --- fake clients for the error checks -------------------------------------

def connect(name, wait=30):
    deadline = time.monotonic() + wait
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(f"/tmp/ipi_{name}")
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def recvall(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def fake_client(name, mode):
    s = connect(name)
    if s is None:
        return
    try:
        if mode == "disconnect":
            return
        if mode == "garbage":
            recvall(s, 12)
            s.sendall(b"\x00\x01garbage\xff\xfe\x00\x07")
            time.sleep(1)
            return
        state = "READY"
        while True:
            msg = recvall(s, 12).decode().strip()
            if msg == "STATUS":
                if mode == "hang" and state == "HAVEDATA":
                    time.sleep(30)
                    return
                s.sendall(state.ljust(12).encode())
            elif msg == "POSDATA":
                recvall(s, 144)
                (n,) = struct.unpack("i", recvall(s, 4))
                recvall(s, 24 * n)
                state = "HAVEDATA"
            elif msg == "GETFORCE":
                nsend = n - 1 if mode == "wrongcount" else n
                s.sendall(b"FORCEREADY  " + struct.pack("d", 0.0) + struct.pack("i", nsend) + bytes(24 * nsend)
                          + bytes(72) + struct.pack("i", 1) + b"\x00")
                state = "READY"
            else:
                return
    except (EOFError, OSError):
        pass
    finally:
        s.close()


class Table:
    def __init__(self):
        self.rows, self.failed = [], 0

    def check(self, case, what, value, tol):
        ok = value == value and value <= tol
        self.failed += not ok
        self.rows.append((case, what, value, tol, "ok" if ok else "FAIL"))

    def finish(self):
        w = max(len(r[0]) for r in self.rows)
        print(f"{'case':<{w}}  {'check':<22} {'value':>12} {'bound':>10}  result")
        for case, what, value, tol, res in self.rows:
            print(f"{case:<{w}}  {what:<22} {value:12.3e} {tol:10.1e}  {res}")
        print(f"{len(self.rows) - self.failed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 else 1)


def error_checks(binary):
    t = Table()
    base = ["run", "--system", "copper", "--atoms", "108", "--steps", "20", "--quiet"]

    def expect(case, mode, code, needle, bound_s=10.0):
        name = sockname()
        th = threading.Thread(target=fake_client, args=(name, mode), daemon=True) if mode else None
        if th:
            th.start()
        try:
            rc, out, dt = mdbench(binary, base + ["--calculator", f"ipi:unix={name},timeout=2"], timeout=60)
        except subprocess.TimeoutExpired:
            rc, out, dt = -1, "timed out", 60.0
        print(f"[{case}] exit {rc} in {dt:.2f} s: {out.strip()}")
        t.check(case, "exit code", 0.0 if rc == code else 1.0, 0)
        t.check(case, "message", 0.0 if needle in out else 1.0, 0)
        t.check(case, "seconds", dt, bound_s)
        if th:
            th.join(timeout=35)

    expect("no client", None, 3, "no client connected")
    expect("connect+disconnect", "disconnect", 3, "closed the connection")
    expect("garbage header", "garbage", 3, "malformed message header")
    expect("wrong atom count", "wrongcount", 3, "forces for 107 atoms")
    expect("client hangs", "hang", 3, "did not respond within 2 s")
    t.finish()


def ase_checks(binary):
    sys.path.insert(0, HERE)
    import peerlib  # noqa: E402  (exits 77 when numpy/ASE are missing)
    import ase.io
    import numpy as np
    from ase.build import bulk
    from ase.calculators.emt import EMT

    tally = peerlib.Tally()
    procs = []
    try:
        with tempfile.TemporaryDirectory() as work:
            cubic = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
            cubic.rattle(0.05, seed=1)
            tric = bulk("Cu", "fcc", a=3.6).repeat((4, 4, 4))  # primitive fcc cell: triclinic
            tric.rattle(0.05, seed=2)
            for case, atoms in (("eval cubic 108", cubic), ("eval triclinic 64", tric)):
                name = sockname()
                xyz = os.path.join(work, "c.xyz")
                ase.io.write(xyz, atoms, format="extxyz")
                procs.append(start_client(name, ["--xyz", xyz]))
                try:
                    e, f, w, read = peerlib.run_mdbench(binary, read_atoms := atoms, f"ipi:unix={name},timeout=30", work)
                except Exception as exc:  # noqa: BLE001
                    tally.error(case, exc)
                    continue
                del read_atoms
                ref = read.copy()
                ref.calc = EMT()
                e0 = ref.get_potential_energy()
                w0 = -ref.get_volume() * ref.get_stress(voigt=False)
                tally.check(case, "energy rel", abs(e - e0) / abs(e0), 1e-10)
                tally.check(case, "forces eV/A", float(np.max(np.abs(f - ref.get_forces()))), 1e-8)
                tally.check(case, "virial eV", float(np.max(np.abs(w - w0))), 1e-8)

            # NVE through the ASE client, and the same case on mdbench's own eam
            name = sockname()
            procs.append(start_client(name, ["--atoms", "108"]))
            out = os.path.join(work, "ipi.json")
            run = ["run", "--system", "copper", "--atoms", "108", "--timestep-fs", "1", "--steps", "500",
                   "--quiet", "--output", out]
            rc, text, dt = mdbench(binary, run + ["--calculator", f"ipi:unix={name},timeout=30"])
            if rc != 0:
                tally.error("nve ipi/EMT", f"mdbench run exited {rc}: {text.strip()}")
            else:
                import json
                d = json.load(open(out))
                dev = d["energy"]["max_abs_deviation_eV_per_atom"]
                tally.check("nve ipi/EMT", "max|dE|/N eV", dev, 5e-5)
                perfect = bulk("Cu", "fcc", a=3.615, cubic=True).repeat(3)
                perfect.calc = EMT()
                e0 = perfect.get_potential_energy()
                tally.check("nve ipi/EMT", "step-0 energy rel",
                            abs(d["raw"]["thermo"]["potential_energy_eV"][0] - e0) / abs(e0), 1e-10)
                # the step time includes the client: its wait is recorded per step,
                # never more than the step itself, and is most of it (EMT in Python)
                waits, steps = d["raw"]["client_wait_ms"], d["raw"]["step_time_ms"]
                frac = d["performance"]["client_wait_fraction"]
                tally.check("nve ipi/EMT", "wait per step", 0.0 if len(waits) == len(steps) and all(
                    0 < w <= s for w, s in zip(waits, steps)) else 1.0, 0.0)
                tally.check("nve ipi/EMT", "1 - wait fraction", 1.0 - frac, 0.5)
                print(f"ipi/EMT NVE: {d['performance']['mean_step_time_ms']:.2f} ms/step, "
                      f"{100 * frac:.1f} % waiting for the client, max|dE|/N {dev:.3e} eV/atom")
                rc2, text2, _ = mdbench(binary, run[:-1] + [out + ".eam", "--calculator", "eam"])
                if rc2 == 0:
                    dev2 = json.load(open(out + ".eam"))["energy"]["max_abs_deviation_eV_per_atom"]
                    print(f"mdbench eam, same case: max|dE|/N {dev2:.3e} eV/atom")

            # the ASE client killed mid-run: the case fails, the runner does not hang
            name = sockname()
            client = start_client(name, ["--atoms", "108"])
            procs.append(client)
            threading.Timer(3.0, lambda: client.send_signal(signal.SIGKILL)).start()
            rc, text, dt = mdbench(binary, run[:-2] + ["--steps", "100000", "--calculator",
                                                       f"ipi:unix={name},timeout=10"], timeout=120)
            print(f"[client killed] exit {rc} in {dt:.2f} s: {text.strip()}")
            tally.check("client killed mid-run", "exit 1 + message",
                        0.0 if rc == 1 and "closed the connection" in text else 1.0, 0)
    finally:
        for p in procs:
            stop(p)
    tally.finish()


def main():
    if len(sys.argv) < 2:
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} PATH/TO/mdbench [errors]")
    binary = os.path.abspath(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "errors":
        error_checks(binary)
    else:
        ase_checks(binary)


if __name__ == "__main__":
    main()
