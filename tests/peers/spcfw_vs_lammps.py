#!/usr/bin/python3
"""spcfw_vs_lammps.py — mdbench's flexible SPC/Fw water against LAMMPS.

Usage: /usr/bin/python3 tests/peers/spcfw_vs_lammps.py PATH/TO/mdbench

Configurations come from mdbench itself: `mdbench eval --system water` writes
the builder's box (molecules O,H,H in atom order, unwrapped); this script
displaces every atom (normal, σ = 0.04 Å, so bonds and angles are off
equilibrium), optionally shifts everything by half a cell, and writes it as
extended XYZ. mdbench evaluates that file (no molecule ids in XYZ: it reads
consecutive O,H,H triples, the builder's order); LAMMPS evaluates the same
positions, re-read from the file, with

  units metal, atom_style full (q_O = -0.82, q_H = 0.41, molecule ids,
  bonds O-H, angles H-O-H), bond_style harmonic K = k_b/2, r0 = 1.012,
  angle_style harmonic K = k_theta/2, theta0 = 113.24,
  pair_style lj/cut/coul/dsf alpha rc rc (LJ on O-O only), pair_modify
  shift yes, special_bonds lj/coul 0.0 0.0 0.0, run 0.

Parameters are Wu, Tepper & Voth (2006) converted to eV with the constants of
src/calc/spcfw.c. Checks per case:

  energy   |E_mdb - E_lmp| / N                                <= 5e-6 eV/atom
  energy   |E_mdb + dE_poly - E_lmp| / |E_lmp|                <= 1e-6
  forces   max |F_mdb - F_lmp| over all components (eV/Å)     <= 1e-4
  virial   max |W_mdb - W_lmp| / max |W_lmp|                  <= 1e-5

The tolerances are set by LAMMPS, not by mdbench: its pair loop evaluates
erfc(αr) with the Abramowitz & Stegun 7.1.26 polynomial (absolute error up
to 1.5e-7; its forces are not exactly -∇E), and its metal Coulomb constant
is 14.399645 eV·Å against CODATA's 14.3996455 (3e-8 relative). The total
energy is small (the DSF self term and the excluded intramolecular pairs
nearly cancel, ~ +0.06 eV/atom here), so a relative energy check on the raw
numbers would be a check of the polynomial: dE_poly = Σ_pairs q_i q_j C
[erfc_poly(αr) - erfc(αr)] / r over every pair within rc (excluded pairs
included: LAMMPS evaluates them too) is LAMMPS's own erfc error, computed
here and added before the relative check; the raw difference is checked per
atom. Skipping the excluded pairs' Coulomb, or the self term, shifts the
energy by ~0.55 eV/atom; mdbench's own consistency (forces = -∇E, virial =
-∂E/∂ε, a direct sum) is checked to 1e-9 and better by tests/test_spcfw_fd.c.

Cases: 96 atoms in a 9.86 Å box (smaller than rc = 10 Å: atoms meet other
images of their own molecule, which LAMMPS and mdbench both count), the same
shifted by half a cell with other α/rc, 375 atoms with α = 0.1, and 768
atoms with the defaults. In every case molecules straddle the boundary
(LAMMPS gets wrapped positions; mdbench wraps them itself).

Exit 0 when every check passes, 1 when any fails, 77 (CTest skip) when lmp
or ASE is missing. The last line is always `N passed, M failed`.
"""
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402  (skips with 77 when numpy/ASE are missing)
import numpy as np  # noqa: E402
import ase.io  # noqa: E402

KCAL_EV = 4184.0 / (6.02214076e23 * 1.602176634e-19)  # src/calc/spcfw.c
EPS_OO = 0.1554253 * KCAL_EV
SIGMA_OO = 3.165492
K_BOND, R0 = 1059.162 * KCAL_EV, 1.012
K_ANGLE, THETA0 = 75.90 * KCAL_EV, 113.24
Q = {"O": -0.82, "H": 0.41}
MASSES = {"O": 15.999, "H": 1.008}
COULOMB_LMP = 14.399645  # LAMMPS update.cpp, units metal (qqr2e)
TOL_E_ATOM, TOL_E, TOL_F, TOL_W = 5e-6, 1e-6, 1e-4, 1e-5
# LAMMPS's erfc in lj/cut/coul/dsf (Abramowitz & Stegun 7.1.26)
AS_P, AS_A = 0.3275911, (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erfc_poly(x):
    t = 1.0 / (1.0 + AS_P * x)
    return t * (AS_A[0] + t * (AS_A[1] + t * (AS_A[2] + t * (AS_A[3] + t * AS_A[4])))) * np.exp(-x * x)


def lammps_erfc_error(atoms, alpha, rc):
    """dE_poly: what LAMMPS's polynomial erfc adds to the energy (eV), summed
    over every pair and periodic image within rc (orthorhombic cell)."""
    L = np.diag(np.array(atoms.cell))
    x = np.mod(atoms.positions, L)
    q = np.array([Q[s] for s in atoms.get_chemical_symbols()])
    qq = np.outer(q, q)
    erfc = np.vectorize(math.erfc, otypes=[float])
    reach = [int(math.ceil(rc / length)) for length in L]
    total = 0.0
    for a in range(-reach[0], reach[0] + 1):
        for b in range(-reach[1], reach[1] + 1):
            for c in range(-reach[2], reach[2] + 1):
                d = x[None, :, :] + np.array([a, b, c]) * L - x[:, None, :]
                r = np.sqrt(np.sum(d * d, axis=2))
                inside = (r < rc) & (r > 0)
                rr, qs = r[inside], qq[inside]
                total += float(np.sum(qs * (erfc_poly(alpha * rr) - erfc(alpha * rr)) / rr))
    return 0.5 * COULOMB_LMP * total


def built_water(binary, n_atoms, seed, workdir):
    """The water builder's box, as mdbench writes it (original atom order)."""
    out = os.path.join(workdir, "built.xyz")
    p = subprocess.run([binary, "eval", "--system", "water", "--atoms", str(n_atoms), "--seed", str(seed),
                        "--calculator", "spcfw", "--output", out, "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"mdbench eval --system water exited {p.returncode}: {p.stderr.strip()}")
    atoms = ase.io.read(out, format="extxyz")
    atoms.calc = None
    return atoms


def displaced(atoms, sigma, shift, seed):
    atoms = atoms.copy()
    rng = np.random.default_rng(seed)
    atoms.positions += rng.normal(0.0, sigma, atoms.positions.shape)
    atoms.positions += shift * np.array(atoms.cell).sum(axis=0)
    return atoms


def straddling(atoms):
    """Molecules whose atoms, each wrapped into the cell, are not within 3 Å
    of their O."""
    L = np.diag(np.array(atoms.cell))
    w = np.mod(atoms.positions, L).reshape(-1, 3, 3)
    d = np.linalg.norm(w[:, 1:, :] - w[:, :1, :], axis=2)
    return int(np.sum(np.any(d > 3.0, axis=1)))


def lammps_spcfw(lmp, workdir, atoms, alpha, rc):
    symbols = atoms.get_chemical_symbols()
    n = len(atoms)
    if symbols != ["O", "H", "H"] * (n // 3):
        raise ValueError("expected O,H,H molecules in atom order")
    bonds = [(1, 3 * m, 3 * m + k) for m in range(n // 3) for k in (1, 2)]
    angles = [(1, 3 * m + 1, 3 * m, 3 * m + 2) for m in range(n // 3)]
    data = os.path.join(workdir, "conf.data")
    peerlib.write_lammps_data(data, atoms, ["O", "H"], MASSES, style="full", charges=[Q[s] for s in symbols],
                              molecules=[i // 3 + 1 for i in range(n)], bonds=bonds, angles=angles)
    setup = ["units metal", "atom_style full", "boundary p p p", f"read_data {data}"]
    ff = [f"pair_style lj/cut/coul/dsf {alpha!r} {rc!r} {rc!r}",
          f"pair_coeff 1 1 {EPS_OO!r} {SIGMA_OO!r}",
          "pair_coeff 1 2 0.0 0.0",
          "pair_coeff 2 2 0.0 0.0",
          "pair_modify shift yes",
          "bond_style harmonic",
          f"bond_coeff 1 {0.5 * K_BOND!r} {R0!r}",
          "angle_style harmonic",
          f"angle_coeff 1 {0.5 * K_ANGLE!r} {THETA0!r}",
          "special_bonds lj/coul 0.0 0.0 0.0",
          "neighbor 1.0 bin"]
    return peerlib.run_lammps(lmp, workdir, n, setup, ff)


# name, atoms, seed, displacement σ (Å), shift (cells), alpha, rc
CASES = [
    ("water 96 (box 9.86 < rc 10), defaults", 96, 1, 0.04, 0.0, 0.2, 10.0),
    ("water 96 shifted 1/2 cell, a=0.25 rc=8", 96, 2, 0.04, 0.5, 0.25, 8.0),
    ("water 375, a=0.1 rc=9", 375, 3, 0.04, 0.0, 0.1, 9.0),
    ("water 768 shifted 1/2 cell, defaults", 768, 4, 0.04, 0.5, 0.2, 10.0),
]


def main():
    binary = peerlib.mdbench_binary()
    lmp = peerlib.find_lmp()
    tally = peerlib.Tally()
    with tempfile.TemporaryDirectory(prefix="mdb_spcfw_lmp_") as tmp:
        for k, (name, n, seed, sigma, shift, alpha, rc) in enumerate(CASES):
            wd = os.path.join(tmp, f"case{k}")
            os.makedirs(wd)
            spec = "spcfw" if (alpha, rc) == (0.2, 10.0) else f"spcfw:alpha={alpha!r},rc={rc!r}"
            try:
                atoms = displaced(built_water(binary, n, seed, wd), sigma, shift, seed)
                mdb = peerlib.run_mdbench(binary, atoms, spec, wd)
                lmp_res = lammps_spcfw(lmp, wd, mdb[3], alpha, rc)
            except (RuntimeError, ValueError, OSError) as exc:
                tally.error(name, exc)
                continue
            (e_m, f_m, w_m), (e_l, f_l, w_l) = mdb[:3], lmp_res[:3]
            d_poly = lammps_erfc_error(mdb[3], alpha, rc)
            tally.check(name, "energy eV/atom", abs(e_m - e_l) / n, TOL_E_ATOM)
            tally.check(name, "E+dE_poly rel", abs(e_m + d_poly - e_l) / abs(e_l), TOL_E)
            tally.check(name, "force abs eV/A", float(np.max(np.abs(f_m - f_l))), TOL_F)
            tally.check(name, "virial rel", float(np.max(np.abs(w_m - w_l)) / np.max(np.abs(w_l))), TOL_W)
            tally.check(name, "no straddlers", 0 if straddling(mdb[3]) > 0 else 1, 0)
            print(f"# {name}: N={n} spec={spec} E_mdb={e_m:.10f} E_lmp={e_l:.10f} dE_poly={d_poly:.3e} eV, "
                  f"max|F| {np.max(np.abs(f_l)):.3f} eV/A, {straddling(mdb[3])} molecules straddle the boundary")
    tally.finish()


if __name__ == "__main__":
    main()
