#!/usr/bin/python3
"""xyz_roundtrip_ase.py — checks mdbench's extended-XYZ I/O against ASE.

Usage: /usr/bin/python3 tests/peers/xyz_roundtrip_ase.py PATH/TO/xyz_tool

ASE writes a sheared three-species crystal with Maxwell-Boltzmann momenta;
xyz_tool reads it (mdb_xyz_read) and writes it back (mdb_xyz_write) with
velocities, forces = -positions, energy = 1.5 and stress = identity; ASE
reads that and everything is compared with what ASE read from its own file.

Units: ASE's time unit is 1e-10 * sqrt(amu/eV) s = 10.1805 fs, and
ase.units.fs = 0.0982 is one fs in that unit, so a velocity of v_ase Å per
ASE time unit is v_ase * ase.units.fs Å/fs. The kinetic energy computed with
mdbench's CODATA 2018 constants from the Å/fs velocities checks that
direction independently.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import ase.io
from ase import units
from ase.build import bulk
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

EV_J = 1.602176634e-19  # src/core/units.h
AMU_KG = 1.66053906660e-27
MVV2E = AMU_KG * 1e-20 / 1e-30 / EV_J  # amu·Å²/fs² -> eV

passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what} {detail}", file=sys.stderr)


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))


def run_tool(tool, src, dst):
    p = subprocess.run([tool, src, dst], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"xyz_roundtrip_ase: {tool} {src} {dst} failed ({p.returncode}): "
                 f"{p.stderr.strip()}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: xyz_roundtrip_ase.py PATH/TO/xyz_tool")
    tool = os.path.abspath(sys.argv[1])
    if not os.access(tool, os.X_OK):
        sys.exit(f"xyz_roundtrip_ase: {tool} is not an executable (build tests/xyz_tool.c)")

    atoms = bulk("Cu", "fcc", a=3.6).repeat((2, 2, 2))
    cell = atoms.cell.array.copy()
    cell[1] += 0.31 * cell[0]
    cell[2] += [0.17, -0.23, 0.05]
    atoms.set_cell(cell, scale_atoms=True)
    atoms[3].symbol = "Ag"
    atoms[5].symbol = "O"
    MaxwellBoltzmannDistribution(atoms, temperature_K=600, rng=np.random.RandomState(7))

    with tempfile.TemporaryDirectory() as tmp:
        src, dst, again = (os.path.join(tmp, f) for f in ("ase.xyz", "mdb.xyz", "mdb2.xyz"))
        ase.io.write(src, atoms, format="extxyz")
        run_tool(tool, src, dst)
        run_tool(tool, dst, again)  # reads mdbench's own velo column
        ref = ase.io.read(src, format="extxyz")  # what the file holds (%16.8f)
        out = ase.io.read(dst, format="extxyz")
        out2 = ase.io.read(again, format="extxyz")

    n = len(ref)
    check("atom count", len(out) == n, f"{len(out)} != {n}")
    check("species", out.get_chemical_symbols() == ref.get_chemical_symbols())
    check("positions", max_diff(out.positions, ref.positions) <= 1e-12,
          f"max diff {max_diff(out.positions, ref.positions):.3g}")
    check("cell", max_diff(out.cell.array, ref.cell.array) <= 1e-12,
          f"max diff {max_diff(out.cell.array, ref.cell.array):.3g}")
    check("pbc", bool(out.pbc.all()))
    check("energy", out.get_potential_energy() == 1.5, str(out.get_potential_energy()))
    check("forces", max_diff(out.get_forces(), -ref.positions) <= 1e-12,
          f"max diff {max_diff(out.get_forces(), -ref.positions):.3g}")
    check("stress", max_diff(out.get_stress(), [1, 1, 1, 0, 0, 0]) == 0, str(out.get_stress()))

    # velocities: ASE keeps momenta; mdbench writes velo in Å/fs
    check("ase time unit", abs(1 / units.fs - 10.18050571) < 1e-7, f"1/units.fs = {1 / units.fs!r}")
    velo = out.arrays.get("velo")
    check("velo column", velo is not None and velo.shape == (n, 3))
    if velo is not None:
        want = ref.get_velocities() * units.fs
        rel = max_diff(velo, want) / np.max(np.abs(want))
        check("velocities", rel <= 1e-14, f"max rel diff {rel:.3g}")
        ke = 0.5 * np.sum(ref.get_masses()[:, None] * velo**2) * MVV2E
        check("kinetic energy from Å/fs", abs(ke / ref.get_kinetic_energy() - 1) < 1e-7,
              f"{ke!r} eV vs ASE {ref.get_kinetic_energy()!r} eV")
        check("velo round trip", np.array_equal(out2.arrays.get("velo"), velo))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
