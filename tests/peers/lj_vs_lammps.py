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
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402  (skips with 77 when numpy/ASE are missing)
import numpy as np  # noqa: E402
from ase.build import bulk  # noqa: E402

KB_EV = 8.617333262e-5  # src/core/units.h (CODATA 2018)
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


# ---------------------------------------------------------------- LAMMPS side

def lammps_lj(lmp, workdir, atoms, rc, mixing):
    species = sorted(set(atoms.get_chemical_symbols()))
    data = os.path.join(workdir, "conf.data")
    peerlib.write_lammps_data(data, atoms, species, {s: LJ_TABLE[s][2] for s in species})
    setup = ["units metal", "atom_style atomic", "boundary p p p", f"read_data {data}"]
    ff = [f"pair_style lj/cut {rc!r}"]
    for a, sa in enumerate(species, 1):
        for b, sb in enumerate(species, 1):
            if b < a or (mixing == "arithmetic" and b != a):
                continue
            ea, sga = LJ_TABLE[sa][:2]
            eb, sgb = LJ_TABLE[sb][:2]
            ff.append(f"pair_coeff {a} {b} {np.sqrt(ea * eb)!r} {0.5 * (sga + sgb)!r}")
    if mixing == "arithmetic":
        ff.append("pair_modify mix arithmetic")
    ff += ["pair_modify shift yes", "neighbor 1.0 bin"]
    return peerlib.run_lammps(lmp, workdir, len(atoms), setup, ff)


def main():
    binary = peerlib.mdbench_binary()
    lmp = peerlib.find_lmp()
    tally = peerlib.Tally()
    with tempfile.TemporaryDirectory(prefix="mdb_lj_lmp_") as tmp:
        for k, (name, atoms, spec, rc, mixing) in enumerate(cases()):
            wd = os.path.join(tmp, f"case{k}")
            os.makedirs(wd)
            try:
                mdb = peerlib.run_mdbench(binary, atoms, spec, wd)
                lmp_res = lammps_lj(lmp, wd, mdb[3], rc, mixing)
            except (RuntimeError, ValueError, OSError) as exc:
                tally.error(name, exc)
                continue
            peerlib.compare(tally, name, mdb, lmp_res, TOL_E, TOL_F, TOL_W)
            vol = lmp_res[3]
            tally.check(name, "volume rel", abs(vol - mdb[3].get_volume()) / vol, 1e-9)
            print(f"# {name}: N={len(atoms)} spec={spec} rc={rc:.6g} E_mdb={mdb[0]:.12f} E_lmp={lmp_res[0]:.12f} eV")
    tally.finish()


if __name__ == "__main__":
    main()
