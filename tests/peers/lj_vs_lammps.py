#!/usr/bin/python3
"""lj_vs_lammps.py — mdbench's Lennard-Jones against LAMMPS lj/cut.

Usage: /usr/bin/python3 tests/peers/lj_vs_lammps.py PATH/TO/mdbench

Each case builds an orthorhombic configuration with ASE (seeded numpy RNG),
writes it as extended XYZ, evaluates it with `mdbench eval`, and evaluates
the same positions (re-read from that file, so both codes see identical
numbers) with LAMMPS: units metal, pair_style lj/cut, pair_modify shift yes,
run 0. Compared per case:

  energy   |E_mdb - E_lmp| / |E_lmp|                       <= 1e-9
  forces   max |F_mdb - F_lmp| over all components (eV/Å)  <= 1e-8
  virial   max |W_mdb - W_lmp| / max |W_lmp|               <= 1e-8

LAMMPS reports the pressure tensor P = (K + W)/V · nktv2p with its own metal
constant nktv2p = 1.6021765e6 (not CODATA's 1.602176634e6); velocities are
zero, so K = 0 and W = P·V / nktv2p with LAMMPS's constant recovers its
virial (eV). mdbench writes W_ab = Σ x_a f_b (eV), the same sign convention.

Exit 0 when every check passes, 1 when any fails, 77 (CTest skip) when lmp
or ASE is missing. The last line is always `N passed, M failed`.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
try:
    import numpy as np
    import ase.io
    from ase.build import bulk
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"lj_vs_lammps: SKIP: numpy/ASE not importable ({exc}); run with /usr/bin/python3")
    print("0 passed, 0 failed")
    sys.exit(SKIP)

KB_EV = 8.617333262e-5  # src/core/units.h (CODATA 2018)
NKTV2P_METAL = 1.6021765e6  # LAMMPS update.cpp, units metal
# Element table of src/calc/lj.c (ε eV, σ Å) and masses (amu; irrelevant to forces).
LJ_TABLE = {
    "Ar": (119.8 * KB_EV, 3.405, 39.948),
    "Cu": (0.4093, 2.338, 63.546),
    "Al": (0.3922, 2.620, 26.9815385),
    "Si": (2.315, 2.0951, 28.085),
}
TOL_E = 1e-9
TOL_F = 1e-8
TOL_W = 1e-8

passed = failed = 0
rows = []


def check(case, what, value, tol):
    global passed, failed
    ok = bool(np.isfinite(value) and value <= tol)
    if ok:
        passed += 1
    else:
        failed += 1
    rows.append((case, what, value, tol, "ok" if ok else "FAIL"))
    return ok


def find_lmp():
    env = os.environ.get("LMP")
    if env:
        return shutil.which(env) or (env if os.access(env, os.X_OK) else None)
    return shutil.which("lmp") or shutil.which("lmp_serial") or shutil.which("lmp_mpi")


# ---------------------------------------------------------------- configurations

def fcc_argon(reps, a, rattle, seed):
    atoms = bulk("Ar", "fcc", a=a, cubic=True) * (reps, reps, reps)
    rng = np.random.default_rng(seed)
    atoms.positions += rng.normal(0.0, rattle, atoms.positions.shape)
    return atoms


def cu_al_mixture(reps, a, rattle, seed):
    atoms = bulk("Cu", "fcc", a=a, cubic=True) * (reps, reps, reps)
    rng = np.random.default_rng(seed)
    symbols = np.array(["Cu"] * len(atoms))
    symbols[rng.permutation(len(atoms))[: len(atoms) // 2]] = "Al"
    atoms.set_chemical_symbols(list(symbols))
    atoms.positions += rng.normal(0.0, rattle, atoms.positions.shape)
    return atoms


# Each case: name, atoms, mdbench spec, LAMMPS cutoff, mixing ("explicit": we
# write every pair_coeff i j with Lorentz–Berthelot; "arithmetic": only i i and
# LAMMPS's pair_modify mix arithmetic, which is σ arithmetic, ε geometric = LB).
def cases():
    ar_sigma = LJ_TABLE["Ar"][1]
    yield ("argon fcc 32 (box 10.52 < 2rc, images)", fcc_argon(2, 5.26, 0.1, 1),
           "lj:rc=8.5", 8.5, "explicit")
    yield ("argon fcc 500 (default rc = 2.5 sigma)", fcc_argon(5, 5.26, 0.1, 2),
           "lj", 2.5 * ar_sigma, "explicit")
    yield ("argon fcc 256, hot (rattle 0.25)", fcc_argon(4, 5.3, 0.25, 3),
           "lj:rc=9.0", 9.0, "explicit")
    mix = cu_al_mixture(3, 3.8, 0.1, 4)
    rc_mix = 2.5 * max(LJ_TABLE["Cu"][1], LJ_TABLE["Al"][1])
    yield ("Cu/Al 108 mix (default rc, LB explicit)", mix, "lj", rc_mix, "explicit")
    yield ("Cu/Al 108 mix (pair_modify mix arith.)", mix.copy(), "lj", rc_mix, "arithmetic")
    yield ("Cu/Al 108 mix (rc=7.2)", cu_al_mixture(3, 3.8, 0.1, 5), "lj:rc=7.2", 7.2, "explicit")


# ---------------------------------------------------------------- mdbench side

def run_mdbench(binary, xyz, out, spec):
    p = subprocess.run([binary, "eval", "--calculator", spec, "--system", xyz,
                        "--output", out, "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"mdbench eval exited {p.returncode}: {p.stderr.strip()}")
    res = ase.io.read(out, format="extxyz")
    energy = float(res.get_potential_energy())
    forces = np.array(res.get_forces(), float)
    if "virial" not in res.info:
        raise RuntimeError("mdbench output has no virial= key")
    virial = np.array(res.info["virial"], float).reshape(3, 3)
    return energy, forces, virial


# ---------------------------------------------------------------- LAMMPS side

def write_lammps_data(path, atoms, species):
    cell = np.array(atoms.cell)
    if np.max(np.abs(cell - np.diag(np.diag(cell)))) != 0.0:
        raise ValueError("lj_vs_lammps builds orthorhombic cells only")
    lengths = np.diag(cell)
    # Wrap into [0, L): LAMMPS would remap periodic coordinates anyway.
    pos = np.mod(atoms.positions, lengths)
    pos = np.where(pos >= lengths, pos - lengths, pos)  # mod can round up to L
    tmap = {s: i + 1 for i, s in enumerate(species)}
    with open(path, "w") as fh:
        fh.write("mdbench lj_vs_lammps configuration\n\n")
        fh.write(f"{len(atoms)} atoms\n{len(species)} atom types\n\n")
        for lo_hi, L in zip(("x", "y", "z"), lengths):
            fh.write(f"0 {L!r} {lo_hi}lo {lo_hi}hi\n")
        fh.write("\nMasses\n\n")
        for s in species:
            fh.write(f"{tmap[s]} {LJ_TABLE[s][2]!r}\n")
        fh.write("\nAtoms # atomic\n\n")
        for i, (s, p) in enumerate(zip(atoms.get_chemical_symbols(), pos)):
            fh.write(f"{i + 1} {tmap[s]} {p[0]!r} {p[1]!r} {p[2]!r}\n")


def run_lammps(lmp, workdir, atoms, rc, mixing):
    species = sorted(set(atoms.get_chemical_symbols()))
    data = os.path.join(workdir, "conf.data")
    dump = os.path.join(workdir, "forces.dump")
    log = os.path.join(workdir, "log.lammps")
    write_lammps_data(data, atoms, species)
    lines = ["units metal", "atom_style atomic", "boundary p p p",
             f"read_data {data}", f"pair_style lj/cut {rc!r}"]
    for a, sa in enumerate(species, 1):
        for b, sb in enumerate(species, 1):
            if b < a or (mixing == "arithmetic" and b != a):
                continue
            ea, sga = LJ_TABLE[sa][:2]
            eb, sgb = LJ_TABLE[sb][:2]
            eps, sig = np.sqrt(ea * eb), 0.5 * (sga + sgb)
            lines.append(f"pair_coeff {a} {b} {eps!r} {sig!r}")
    if mixing == "arithmetic":
        lines.append("pair_modify mix arithmetic")
    lines += ["pair_modify shift yes",
              "neighbor 1.0 bin",
              "velocity all set 0.0 0.0 0.0",
              "thermo_style custom step pe pxx pyy pzz pxy pxz pyz vol",
              "thermo_modify format float %.17g",
              f"dump d all custom 1 {dump} id fx fy fz",
              "dump_modify d format float %.17g sort id",
              "run 0"]
    infile = os.path.join(workdir, "in.lj")
    with open(infile, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run([lmp, "-in", infile, "-log", log, "-screen", "none"],
                       capture_output=True, text=True, env=env, cwd=workdir)
    text = open(log).read() if os.path.exists(log) else ""
    if p.returncode != 0 or "ERROR" in text:
        tail = "\n".join((text or p.stdout + p.stderr).strip().splitlines()[-8:])
        raise RuntimeError(f"lmp exited {p.returncode}:\n{tail}")
    # Thermo: the header line holding "Pxx", then the values of step 0.
    loglines = text.splitlines()
    vals = None
    for k, line in enumerate(loglines):
        toks = line.split()
        if "Pxx" in toks and "Step" in toks:
            vals = dict(zip(toks, map(float, loglines[k + 1].split())))
            break
    if vals is None:
        raise RuntimeError("no thermo header with Pxx in the LAMMPS log")
    pe_key = "PotEng" if "PotEng" in vals else "Pe"
    energy = vals[pe_key]
    vol = vals["Volume"]
    P = np.array([[vals["Pxx"], vals["Pxy"], vals["Pxz"]],
                  [vals["Pxy"], vals["Pyy"], vals["Pyz"]],
                  [vals["Pxz"], vals["Pyz"], vals["Pzz"]]])
    virial = P * vol / NKTV2P_METAL
    # Dump: ITEM: ATOMS id fx fy fz, sorted by id.
    dl = open(dump).read().splitlines()
    start = next(k for k, line in enumerate(dl) if line.startswith("ITEM: ATOMS")) + 1
    arr = np.array([list(map(float, line.split())) for line in dl[start:start + len(atoms)]])
    if arr.shape != (len(atoms), 4) or not np.array_equal(arr[:, 0], np.arange(1, len(atoms) + 1)):
        raise RuntimeError("unexpected LAMMPS dump layout")
    return energy, arr[:, 1:], virial, vol


# ---------------------------------------------------------------- main

def main():
    if len(sys.argv) != 2:
        sys.exit("usage: lj_vs_lammps.py PATH/TO/mdbench")
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        sys.exit(f"lj_vs_lammps: {binary} is not an executable")
    lmp = find_lmp()
    if lmp is None:
        print("lj_vs_lammps: SKIP: no LAMMPS executable (lmp) on PATH (Debian: apt install lammps)")
        print("0 passed, 0 failed")
        sys.exit(SKIP)

    errors = []
    with tempfile.TemporaryDirectory(prefix="mdb_lj_lmp_") as tmp:
        for k, (name, atoms, spec, rc, mixing) in enumerate(cases()):
            wd = os.path.join(tmp, f"case{k}")
            os.makedirs(wd)
            xyz = os.path.join(wd, "in.xyz")
            ase.io.write(xyz, atoms, format="extxyz")
            atoms = ase.io.read(xyz, format="extxyz")  # the numbers mdbench reads
            try:
                e_m, f_m, w_m = run_mdbench(binary, xyz, os.path.join(wd, "out.xyz"), spec)
                e_l, f_l, w_l, vol = run_lammps(lmp, wd, atoms, rc, mixing)
            except (RuntimeError, ValueError, OSError) as exc:
                errors.append(f"{name}: {exc}")
                check(name, "ran", float("inf"), 0)
                continue
            check(name, "energy rel", abs(e_m - e_l) / abs(e_l), TOL_E)
            check(name, "force abs eV/A", float(np.max(np.abs(f_m - f_l))), TOL_F)
            check(name, "virial rel", float(np.max(np.abs(w_m - w_l)) / np.max(np.abs(w_l))), TOL_W)
            if abs(vol - atoms.get_volume()) > 1e-9 * vol:
                errors.append(f"{name}: LAMMPS volume {vol} != ASE volume {atoms.get_volume()}")
                check(name, "volume", abs(vol - atoms.get_volume()) / vol, 1e-9)
            print(f"# {name}: N={len(atoms)} spec={spec} rc={rc:.6g} E_mdb={e_m:.12f} "
                  f"E_lmp={e_l:.12f} eV")

    w = max(len(r[0]) for r in rows)
    print(f"{'case':<{w}}  {'check':<15} {'worst diff':>12} {'tolerance':>10}  result")
    for case, what, value, tol, res in rows:
        print(f"{case:<{w}}  {what:<15} {value:12.3e} {tol:10.1e}  {res}")
    for e in errors:
        print(f"ERROR: {e}", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
