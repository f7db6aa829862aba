"""mdbench_ase_worker.py — serves any ASE calculator to mdbench (`--calculator ase:...`).

mdbench starts this script itself (python -u mdbench_ase_worker.py --unix NAME)
and is the i-PI server on /tmp/ipi_NAME; this is its client. It speaks the
i-PI protocol (12-byte headers, atomic units, native byte order) with two
additions mdbench's ase calculator (src/calc/ase.c) relies on:

  * INIT's payload is a JSON object with the exact system (symbols, masses,
    positions in Å, cell rows in Å, pbc) and what to build: "calc"
    ("MODULE:CALLABLE"), "kwargs" (keyword arguments) and "threads". The
    calculator is built right then, so a bad module or keyword is reported
    before the first step.
  * When something fails, the answer to the next STATUS is ERROR followed by
    int32 length and the message (the exception's last line), and the worker
    exits.

Each FORCEREADY's extra data is {"model_ms": t}: the calculator call alone
(perf_counter around calculate), so mdbench can tell the model's time from
its own; the first one adds "info" (python, ASE, the calculator's package,
torch and its device when loaded, thread count, SHA-256 of any model file
named in the keyword arguments, how the virial is formed).

Only the standard library is imported before INIT, so even an interpreter
without numpy or ASE gets to report that as an ERROR.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time
import traceback

BOHR = 0.5291772105638411  # Å (ase.units.Bohr of ASE 3.22; mdbench's ipi.c uses the same)
HARTREE = 27.211386024367243  # eV (ase.units.Ha of ASE 3.22)
HDR = 12
ENV_THREADS = os.environ.get("OMP_NUM_THREADS")  # as mdbench started us (calc/ase.c sets it)


def cpu_ranges(cpus):
    """The CPUs as ranges, "0-15,32-47": short on any node."""
    out, run = [], []
    for c in sorted(cpus):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [c]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def last_line(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def check_keywords(factory, kwargs):
    """An ASE Calculator class takes **kwargs and keeps unknown ones quietly
    (EMT(bogus=3) works): for such a class, keys must be named in its
    __init__ signatures or its default_parameters."""
    import inspect

    from ase.calculators.calculator import Calculator

    if not (inspect.isclass(factory) and issubclass(factory, Calculator)):
        return
    valid = set(getattr(factory, "default_parameters", {}) or {})
    for klass in inspect.getmro(factory):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                valid.add(p.name)
    bad = sorted(k for k in kwargs if k not in valid)
    if bad:
        raise RuntimeError(f"{factory.__name__} has no keyword argument {bad[0]!r} "
                           f"(valid: {', '.join(sorted(valid)) or 'none'})")


class Worker:
    def __init__(self, sock):
        self.sock = sock
        self.inbuf, self.pos, self.out = bytearray(), 0, []
        self.state = "NEEDINIT"
        self.error = None
        self.reply = None
        self.first = True

    # --- wire --------------------------------------------------------------
    # Replies are held until the worker would wait for input, then go in one write:
    # mdbench sends a step's messages together, gets READY, HAVEDATA and FORCEREADY
    # together, and wakes once per step (on a busy machine each extra wake-up of
    # either process can cost a scheduling delay).
    def recv(self, n):
        while len(self.inbuf) - self.pos < n:
            self.flush()
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError
            if self.pos:
                del self.inbuf[:self.pos]
                self.pos = 0
            self.inbuf += chunk
        b = bytes(self.inbuf[self.pos:self.pos + n])
        self.pos += n
        return b

    def send(self, data):
        self.out.append(data)

    def flush(self):
        if self.out:
            self.sock.sendall(b"".join(self.out))
            self.out.clear()

    def send_hdr(self, word):
        self.send(word.encode().ljust(HDR))

    # --- INIT: build the calculator and the Atoms ---------------------------
    def init(self, payload):
        spec = json.loads(payload)
        threads = int(spec.get("threads") or 0)
        if threads > 0:
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                os.environ[var] = str(threads)
        import importlib

        global np
        import numpy as np
        from ase import Atoms

        self.calc_name = spec["calc"]
        modname, _, attr = self.calc_name.partition(":")
        try:
            module = importlib.import_module(modname)
        except Exception as exc:  # noqa: BLE001 - any import failure is the user's to see
            raise RuntimeError(f"cannot import {modname}: {last_line(exc)}") from None
        factory = getattr(module, attr, None)
        if factory is None or not callable(factory):
            raise RuntimeError(f"module {modname} has no callable {attr}")
        kwargs = spec.get("kwargs") or {}
        check_keywords(factory, kwargs)
        try:
            calc = factory(**kwargs)
        except Exception as exc:  # noqa: BLE001
            raise RuntimeError(f"{self.calc_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) "
                               f"raised {last_line(exc)}") from None
        if "torch" in sys.modules and threads > 0:
            sys.modules["torch"].set_num_threads(threads)
        self.atoms = Atoms(symbols=spec["symbols"], positions=spec["positions"], cell=spec["cell"],
                           pbc=spec["pbc"], masses=spec.get("masses"))
        self.atoms.calc = calc
        self.calc = calc
        from ase.calculators.calculator import all_changes

        self.all_changes = all_changes
        self.cell_raw = None
        self.volume = self.atoms.get_volume()
        props = list(getattr(calc, "implemented_properties", []) or [])
        self.stress = "stress" in props
        # Σ x·f is the virial only when no periodic image interacts; in a
        # periodic cell a calculator without stress gives no pressure
        self.periodic = bool(np.any(self.atoms.pbc))
        self.props = ["energy", "forces"] + (["stress"] if self.stress else [])
        self.direct = hasattr(calc, "calculate") and hasattr(calc, "check_state") and hasattr(calc, "results")
        self.info = self.describe(module, modname, kwargs, threads)

    def describe(self, module, modname, kwargs, threads):
        import platform

        import ase

        top = modname.split(".")[0]
        info = {"python": platform.python_version(), "executable": sys.executable, "ase": ase.__version__,
                "package": top, "package_version": None, "threads": threads, "omp_num_threads": ENV_THREADS,
                "pid": os.getpid(), "cpu_affinity": cpu_ranges(os.sched_getaffinity(0)),
                "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
                "virial": "stress" if self.stress else
                          "none (the calculator has no stress and the cell is periodic: no pressure)" if self.periodic
                          else "sum of x*f (the calculator has no stress; no periodic images)"}
        try:
            from importlib.metadata import version

            info["package_version"] = version(top)
        except Exception:  # noqa: BLE001 - not an installed distribution
            info["package_version"] = getattr(sys.modules.get(top, module), "__version__", None)
        if "torch" in sys.modules:
            torch = sys.modules["torch"]
            info["torch"] = torch.__version__
            info["torch_threads"] = torch.get_num_threads()
            dev = kwargs.get("device") or getattr(self.calc, "device", None)
            info["device"] = str(dev) if dev is not None else ("cuda" if torch.cuda.is_available() else "cpu")
        files = {}
        for key, value in kwargs.items():
            if isinstance(value, str) and os.path.isfile(value):
                h = hashlib.sha256()
                with open(value, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                files[key] = {"path": os.path.abspath(value), "sha256": h.hexdigest()}
        if files:
            info["model_files"] = files
        return info

    # --- POSDATA: one force call -------------------------------------------
    def compute(self, cell_raw, pos_raw):
        atoms, calc = self.atoms, self.calc
        # mdbench says exactly what changed: positions every step, the cell when its bytes
        # differ (NPT); so no check_state, which compares every array of the Atoms each step
        changes = ["positions"] if self.cell_raw is not None else list(self.all_changes)
        if cell_raw != self.cell_raw:
            cell = np.frombuffer(cell_raw, dtype=np.float64).reshape(3, 3).T * BOHR  # i-PI's h: columns a, b, c
            atoms.set_cell(cell)
            self.volume = atoms.get_volume()
            self.cell_raw = cell_raw
            if "cell" not in changes:
                changes.append("cell")
        atoms.positions[:] = np.frombuffer(pos_raw, dtype=np.float64).reshape(-1, 3) * BOHR
        if self.direct:
            calc.reset()
            t0 = time.perf_counter()
            calc.calculate(atoms, self.props, changes)
            t1 = time.perf_counter()
            res = calc.results
            energy = res["energy"]
            forces = res["forces"]
            stress = res.get("stress") if self.stress else None
        else:
            t0 = time.perf_counter()
            energy = atoms.get_potential_energy()
            forces = atoms.get_forces()
            stress = atoms.get_stress(voigt=False) if self.stress else None
            t1 = time.perf_counter()
        forces = np.asarray(forces, dtype=np.float64)
        if stress is not None:
            s = np.asarray(stress, dtype=np.float64)
            if s.shape == (6,):
                xx, yy, zz, yz, xz, xy = s
                s = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
            virial = -self.volume * s
        elif self.periodic:
            virial = np.zeros((3, 3))  # no stress, periodic cell: none (mdbench reports no pressure)
        else:
            virial = atoms.positions.T @ forces  # W_ab = Σ x_a f_b: a virial only without periodic images
        if self.first:
            x = json.dumps({"model_ms": (t1 - t0) * 1e3, "info": self.info}).encode()
            self.first = False
        else:
            x = b'{"model_ms": %r}' % ((t1 - t0) * 1e3)
        n = len(forces)
        self.reply = b"".join([b"FORCEREADY  ", struct.pack("=di", float(energy) / HARTREE, n),
                               (forces * (BOHR / HARTREE)).tobytes(), (virial.T / HARTREE).tobytes(),
                               struct.pack("=i", len(x)), x])

    # --- the loop ----------------------------------------------------------
    def serve(self):
        while True:
            word = bytes(self.recv(HDR)).decode("ascii", "replace").strip()
            if word == "STATUS":
                if self.error is not None:
                    msg = self.error.encode()
                    self.send(b"ERROR".ljust(HDR) + struct.pack("=i", len(msg)) + msg)
                    self.flush()
                    return 1
                self.send_hdr(self.state)
            elif word == "INIT":
                _, length = struct.unpack("=ii", self.recv(8))
                payload = bytes(self.recv(length)).decode()
                try:
                    self.init(payload)
                    self.state = "READY"
                except Exception as exc:  # noqa: BLE001 - reported to mdbench
                    self.error = str(exc) if isinstance(exc, RuntimeError) else last_line(exc)
            elif word == "POSDATA":
                head = self.recv(148)  # cell, inverse cell (not needed), atom count
                (n,) = struct.unpack_from("=i", head, 144)
                pos = self.recv(24 * n)
                try:
                    self.compute(head[:72], pos)
                    self.state = "HAVEDATA"
                except Exception as exc:  # noqa: BLE001 - reported to mdbench
                    self.error = f"raised {last_line(exc)}"
            elif word == "GETFORCE":
                self.send(self.reply)
                self.state = "READY"
            elif word == "EXIT" or word == "":
                return 0
            else:
                print(f"mdbench_ase_worker: unexpected message {word!r}", file=sys.stderr)
                return 1


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--unix":
        sys.exit("usage: mdbench_ase_worker.py --unix NAME  (started by mdbench --calculator ase:...)")
    sys.path.insert(1, os.getcwd())  # calc=mymodule:make finds mymodule.py where mdbench runs, as python -m would
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect("/tmp/ipi_" + sys.argv[2])
    try:
        return Worker(sock).serve()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return 0
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
