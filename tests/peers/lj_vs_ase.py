#!/usr/bin/python3
"""lj_vs_ase.py — mdbench's Lennard-Jones against ASE's LennardJones on triclinic cells.

Usage: /usr/bin/python3 tests/peers/lj_vs_ase.py PATH/TO/mdbench

ASE 3.22's ase.calculators.lj.LennardJones(sigma, epsilon, rc, smooth=False)
sums u(r) - u(rc) over every pair (periodic images included, its own images
too) with r <= rc, from a NeighborList of radius rc/2 (+ skin) per atom: the
same model as mdbench's `lj:rc=...,epsilon=...,sigma=...` (shifted energy,
truncated force; the two differ only for a pair at exactly r = rc, which a
random configuration never holds). ASE's stress is
(1/V) Σ_pairs (∂u/∂d) ⊗ d = -W/V, mdbench's convention.

Each case writes an ASE configuration as extended XYZ, runs `mdbench eval`
with explicit rc, epsilon and sigma, and evaluates the positions re-read from
that file (so both codes see identical numbers) with ASE. Checks:

  energy   |E_mdb - E_ase| / |E_ase|                          <= 1e-9
  forces   max |F_mdb - F_ase| over all components (eV/Å)     <= 1e-8
  stress   max |σ_mdb - σ_ase| / max |σ_ase|, σ_mdb = -W/V     <= 1e-8

Exit 0 when all pass, 1 otherwise, 77 (CTest skip) without ASE/numpy. The
last line is always `N passed, M failed`.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402  (skips with 77 when numpy/ASE are missing)
import numpy as np  # noqa: E402
from ase import Atoms  # noqa: E402,F401
from ase.build import bulk  # noqa: E402
from ase.calculators.lj import LennardJones  # noqa: E402

KB_EV = 8.617333262e-5  # src/core/units.h (CODATA 2018)
AR_EPS, AR_SIGMA = 119.8 * KB_EV, 3.405
TOL_E = 1e-9
TOL_F = 1e-8
TOL_S = 1e-8


# ---------------------------------------------------------------- configurations

def rattled(atoms, amplitude, seed):
    rng = np.random.default_rng(seed)
    atoms = atoms.copy()
    atoms.positions += rng.normal(0.0, amplitude, atoms.positions.shape)
    return atoms


def primitive_supercell():
    """fcc argon from the primitive cell (rows (0,a/2,a/2)...: triclinic, not
    lower-triangular), 4x4x4 = 64 atoms."""
    return rattled(bulk("Ar", "fcc", a=5.26) * (4, 4, 4), 0.1, 11)


def skewed_conventional():
    """Conventional fcc 3x3x3 (108 atoms) sheared in three tilt components."""
    atoms = bulk("Ar", "fcc", a=5.3, cubic=True) * (3, 3, 3)
    shear = np.array([[1.0, 0.0, 0.0], [0.28, 1.0, 0.0], [-0.17, 0.21, 1.0]])
    atoms.set_cell(np.array(atoms.cell) @ shear, scale_atoms=True)
    return rattled(atoms, 0.12, 12)


def unreduced(atoms):
    """The same periodic system in a strongly skewed (Niggli-unreduced) cell:
    new rows = M @ rows with det M = 1, atoms wrapped into it."""
    m = np.array([[1, 0, 0], [2, 1, 0], [1, -1, 1]], float)
    out = atoms.copy()
    out.set_cell(m @ np.array(atoms.cell), scale_atoms=False)
    out.wrap()
    return out


def tiny_triclinic():
    """3 atoms in a triclinic cell ~4.4 Å wide: rc = 8.5 Å reaches ~2-3
    images in every direction, an atom's own images included."""
    cell = np.array([[4.6, 0.0, 0.0], [1.3, 4.5, 0.0], [-0.9, 1.1, 4.8]])
    frac = np.array([[0.02, 0.05, 0.01], [0.49, 0.53, 0.12], [0.21, 0.31, 0.63]])
    return Atoms("Ar3", scaled_positions=frac, cell=cell, pbc=True)


def single_atom():
    """One atom in the fcc primitive cell: only self-images interact."""
    return bulk("Ar", "fcc", a=5.26)


def cases():
    base = primitive_supercell()
    yield ("Ar primitive 4x4x4 (64, triclinic)", base, 8.5, AR_EPS, AR_SIGMA)
    yield ("same, Niggli-unreduced cell", unreduced(base), 8.5, AR_EPS, AR_SIGMA)
    yield ("Ar conv 3x3x3 sheared (108)", skewed_conventional(), 8.5, AR_EPS, AR_SIGMA)
    yield ("sheared, eps/sigma/rc overridden", skewed_conventional(), 7.75, 0.0123, 3.3)
    yield ("tiny triclinic (3 atoms, rc>2 widths)", tiny_triclinic(), 8.5, AR_EPS, AR_SIGMA)
    yield ("single atom, fcc primitive, rc=12", single_atom(), 12.0, AR_EPS, AR_SIGMA)


# ---------------------------------------------------------------- the two codes

def run_ase(atoms, rc, eps, sigma):
    atoms = atoms.copy()
    atoms.calc = LennardJones(sigma=sigma, epsilon=eps, rc=rc, smooth=False)
    return (float(atoms.get_potential_energy()), np.array(atoms.get_forces(), float),
            np.array(atoms.get_stress(voigt=False), float))


def rel(a, b):
    scale = float(np.max(np.abs(b)))
    return float(np.max(np.abs(a - b))) / scale if scale > 0 else float(np.max(np.abs(a - b)))


def main():
    binary = peerlib.mdbench_binary()
    tally = peerlib.Tally()
    energies = {}
    with tempfile.TemporaryDirectory(prefix="mdb_lj_ase_") as tmp:
        for k, (name, atoms, rc, eps, sigma) in enumerate(cases()):
            wd = os.path.join(tmp, f"case{k}")
            os.makedirs(wd)
            spec = f"lj:rc={rc!r},epsilon={eps!r},sigma={sigma!r}"
            try:
                e_m, f_m, w_m, atoms = peerlib.run_mdbench(binary, atoms, spec, wd)
            except (RuntimeError, OSError) as exc:
                tally.error(name, exc)
                continue
            s_m = -w_m / atoms.get_volume()  # the stress= mdbench writes is -W/V
            e_a, f_a, s_a = run_ase(atoms, rc, eps, sigma)
            energies[name] = e_m
            tally.check(name, "energy rel", abs(e_m - e_a) / abs(e_a), TOL_E)
            tally.check(name, "force abs eV/A", float(np.max(np.abs(f_m - f_a))), TOL_F)
            tally.check(name, "stress rel", rel(s_m, s_a), TOL_S)
            widths = atoms.get_volume() / np.linalg.norm(
                np.cross(np.roll(np.array(atoms.cell), -1, 0), np.roll(np.array(atoms.cell), -2, 0)), axis=1)
            print(f"# {name}: N={len(atoms)} spec={spec} min width {widths.min():.3f} A "
                  f"E_mdb={e_m:.12f} E_ase={e_a:.12f} eV")

    # The unreduced cell is the same periodic system: its energy must not move.
    a, b = "Ar primitive 4x4x4 (64, triclinic)", "same, Niggli-unreduced cell"
    if a in energies and b in energies:
        tally.check("cell choice invariance", "energy rel", abs(energies[a] - energies[b]) / abs(energies[a]), TOL_E)
    tally.finish()


if __name__ == "__main__":
    main()
