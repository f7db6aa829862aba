"""peerlib.py — shared plumbing for the peer cross-checks (mdbench vs LAMMPS/ASE).

A check script builds configurations with ASE, evaluates them with
`mdbench eval` (run_mdbench) and with LAMMPS (run_lammps), and compares with a
Tally, which prints a table and the closing `N passed, M failed` line.
Run with /usr/bin/python3 (Debian's ASE and numpy). Missing peers exit 77.

LAMMPS reports the pressure tensor with its own metal constant
nktv2p = 1.6021765e6 (not CODATA's); with zero velocities W = P·V/nktv2p
recovers its virial (eV), W_ab = Σ x_a f_b — mdbench's convention.
"""
import os
import shutil
import subprocess
import sys

SKIP = 77
try:
    import numpy as np
    import ase.io
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"SKIP: numpy/ASE not importable ({exc}); run with /usr/bin/python3")
    print("0 passed, 0 failed")
    sys.exit(SKIP)

NKTV2P_METAL = 1.6021765e6  # LAMMPS update.cpp, units metal


class Tally:
    """Collects (case, check, worst difference, tolerance) rows."""

    def __init__(self):
        self.rows, self.errors, self.passed, self.failed = [], [], 0, 0

    def check(self, case, what, value, tol):
        ok = bool(np.isfinite(value) and value <= tol)
        self.passed += ok
        self.failed += not ok
        self.rows.append((case, what, float(value), tol, "ok" if ok else "FAIL"))
        return ok

    def error(self, case, exc):
        self.errors.append(f"{case}: {exc}")
        self.check(case, "ran", float("inf"), 0)

    def finish(self):
        if self.rows:
            w = max(len(r[0]) for r in self.rows)
            print(f"{'case':<{w}}  {'check':<16} {'worst diff':>12} {'tolerance':>10}  result")
            for case, what, value, tol, res in self.rows:
                print(f"{case:<{w}}  {what:<16} {value:12.3e} {tol:10.1e}  {res}")
        for e in self.errors:
            print(f"ERROR: {e}", file=sys.stderr)
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 else 1)


def skip(why):
    print(f"SKIP: {why}")
    print("0 passed, 0 failed")
    sys.exit(SKIP)


def mdbench_binary():
    """The binary given as argv[1], checked."""
    if len(sys.argv) < 2:
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} PATH/TO/mdbench")
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} is not an executable")
    return binary


def find_lmp():
    """The LAMMPS executable, or skip (exit 77) when there is none."""
    env = os.environ.get("LMP")
    if env:
        found = shutil.which(env) or (env if os.access(env, os.X_OK) else None)
    else:
        found = shutil.which("lmp") or shutil.which("lmp_serial") or shutil.which("lmp_mpi")
    if not found:
        skip("no LAMMPS executable (lmp) on PATH (Debian: apt install lammps)")
    return found


def potential(name):
    """Path of a potential file shipped by Debian's lammps-data, or skip."""
    for d in ("/usr/share/lammps/potentials", os.environ.get("LAMMPS_POTENTIALS", "")):
        p = os.path.join(d, name)
        if d and os.path.exists(p):
            return p
    skip(f"potential file {name} not found (Debian: apt install lammps-data)")


def run_mdbench(binary, atoms, spec, workdir):
    """Writes atoms as extended XYZ, runs `mdbench eval`, returns
    (energy eV, forces eV/Å [N,3], virial eV [3,3], atoms as mdbench read them)."""
    xyz, out = os.path.join(workdir, "in.xyz"), os.path.join(workdir, "out.xyz")
    ase.io.write(xyz, atoms, format="extxyz")
    atoms = ase.io.read(xyz, format="extxyz")  # the exact numbers mdbench reads
    p = subprocess.run([binary, "eval", "--calculator", spec, "--system", xyz, "--output", out, "--quiet"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"mdbench eval exited {p.returncode}: {p.stderr.strip()}")
    res = ase.io.read(out, format="extxyz")
    virial = np.array(res.info["virial"], float).reshape(3, 3)
    return float(res.get_potential_energy()), np.array(res.get_forces(), float), virial, atoms


def write_lammps_data(path, atoms, species, masses, style="atomic", charges=None, molecules=None, bonds=(),
                      angles=()):
    """LAMMPS data file for an orthorhombic cell. species: type order (type =
    index + 1); masses: {symbol: amu}. style "full" takes per-atom charges and
    molecule ids, and bonds/angles as (type, i, j[, k]) with 0-based atoms."""
    cell = np.array(atoms.cell)
    if np.max(np.abs(cell - np.diag(np.diag(cell)))) != 0.0:
        raise ValueError("write_lammps_data handles orthorhombic cells only")
    lengths = np.diag(cell)
    pos = np.mod(atoms.positions, lengths)
    pos = np.where(pos >= lengths, pos - lengths, pos)  # mod can round up to L
    tmap = {s: i + 1 for i, s in enumerate(species)}
    with open(path, "w") as fh:
        fh.write("mdbench peer-check configuration\n\n")
        fh.write(f"{len(atoms)} atoms\n{len(species)} atom types\n")
        if style == "full":
            nbt = max((b[0] for b in bonds), default=0)
            nat = max((a[0] for a in angles), default=0)
            fh.write(f"{len(bonds)} bonds\n{max(nbt, 1)} bond types\n{len(angles)} angles\n{max(nat, 1)} angle types\n")
        fh.write("\n")
        for axis, L in zip("xyz", lengths):
            fh.write(f"0 {L!r} {axis}lo {axis}hi\n")
        fh.write("\nMasses\n\n")
        for s in species:
            fh.write(f"{tmap[s]} {masses[s]!r}\n")
        fh.write(f"\nAtoms # {style}\n\n")
        for i, (s, p) in enumerate(zip(atoms.get_chemical_symbols(), pos)):
            if style == "full":
                fh.write(f"{i + 1} {molecules[i]} {tmap[s]} {charges[i]!r} {p[0]!r} {p[1]!r} {p[2]!r}\n")
            else:
                fh.write(f"{i + 1} {tmap[s]} {p[0]!r} {p[1]!r} {p[2]!r}\n")
        if bonds:
            fh.write("\nBonds\n\n")
            for k, (t, i, j) in enumerate(bonds, 1):
                fh.write(f"{k} {t} {i + 1} {j + 1}\n")
        if angles:
            fh.write("\nAngles\n\n")
            for k, (t, i, j, m) in enumerate(angles, 1):
                fh.write(f"{k} {t} {i + 1} {j + 1} {m + 1}\n")


def run_lammps(lmp, workdir, n_atoms, data_lines, ff_lines, args=()):
    """Runs `run 0` on a configuration. data_lines set up the system
    (units, atom_style, read_data ...), ff_lines the force field (pair_style,
    pair_coeff, bonds ...). Returns (energy eV, forces [N,3] by atom id,
    virial eV [3,3], volume Å³). args: extra command-line words (-sf opt)."""
    dump, log = os.path.join(workdir, "forces.dump"), os.path.join(workdir, "log.lammps")
    lines = list(data_lines) + list(ff_lines) + [
        "velocity all set 0.0 0.0 0.0",
        "thermo_style custom step pe pxx pyy pzz pxy pxz pyz vol",
        "thermo_modify format float %.17g",
        f"dump d all custom 1 {dump} id fx fy fz",
        "dump_modify d format float %.17g sort id",
        "run 0"]
    infile = os.path.join(workdir, "in.check")
    with open(infile, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run([lmp, *args, "-in", infile, "-log", log, "-screen", "none"],
                       capture_output=True, text=True, env=env, cwd=workdir)
    text = open(log).read() if os.path.exists(log) else ""
    if p.returncode != 0 or "ERROR" in text:
        tail = "\n".join((text or p.stdout + p.stderr).strip().splitlines()[-8:])
        raise RuntimeError(f"lmp exited {p.returncode}:\n{tail}")
    loglines = text.splitlines()
    vals = None
    for k, line in enumerate(loglines):
        toks = line.split()
        if "Pxx" in toks and "Step" in toks:
            vals = dict(zip(toks, map(float, loglines[k + 1].split())))
            break
    if vals is None:
        raise RuntimeError("no thermo header with Pxx in the LAMMPS log")
    energy = vals["PotEng" if "PotEng" in vals else "Pe"]
    vol = vals["Volume"]
    P = np.array([[vals["Pxx"], vals["Pxy"], vals["Pxz"]],
                  [vals["Pxy"], vals["Pyy"], vals["Pyz"]],
                  [vals["Pxz"], vals["Pyz"], vals["Pzz"]]])
    dl = open(dump).read().splitlines()
    start = next(k for k, line in enumerate(dl) if line.startswith("ITEM: ATOMS")) + 1
    arr = np.array([list(map(float, line.split())) for line in dl[start:start + n_atoms]])
    if arr.shape != (n_atoms, 4) or not np.array_equal(arr[:, 0], np.arange(1, n_atoms + 1)):
        raise RuntimeError("unexpected LAMMPS dump layout")
    return energy, arr[:, 1:], P * vol / NKTV2P_METAL, vol


def compare(tally, case, mdb, lmp_res, tol_e, tol_f, tol_w):
    """Standard checks: energy relative, every force component absolute (eV/Å),
    virial relative to its largest component."""
    e_m, f_m, w_m = mdb[:3]
    e_l, f_l, w_l = lmp_res[:3]
    tally.check(case, "energy rel", abs(e_m - e_l) / max(abs(e_l), 1e-300), tol_e)
    tally.check(case, "force abs eV/A", float(np.max(np.abs(f_m - f_l))), tol_f)
    tally.check(case, "virial rel", float(np.max(np.abs(w_m - w_l)) / max(np.max(np.abs(w_l)), 1e-300)), tol_w)
