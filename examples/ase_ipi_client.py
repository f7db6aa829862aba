#!/usr/bin/env python3
"""ase_ipi_client.py — serve any ASE calculator to mdbench over the i-PI protocol.

    mdbench run --system copper --atoms 108 --calculator ipi:unix=cu,timeout=60 &
    python3 examples/ase_ipi_client.py --unix cu --system copper --atoms 108

mdbench listens (socket /tmp/ipi_NAME, or host:port) and this script connects
with ASE's SocketClient, which answers STATUS/POSDATA/GETFORCE until mdbench
sends EXIT. The Atoms object only supplies species and atom count: positions
and cell arrive with every step, in mdbench's original atom order. Units on
the wire are atomic; ASE converts (ase.units.Bohr, ase.units.Ha).

For an ML model, change make_calculator() (and nothing else), e.g.
    from mace.calculators import mace_mp
    return mace_mp(model="medium", device="cuda", default_dtype="float64")
The --xyz option takes the same .xyz file given to `mdbench run --system`.
"""
import argparse
import sys
import time

import ase.build
import ase.io
from ase.calculators.socketio import SocketClient


def make_calculator():
    """The calculator to serve. Replace these two lines for another model."""
    from ase.calculators.emt import EMT
    return EMT()


def make_atoms(args):
    if args.xyz:
        return ase.io.read(args.xyz)
    if args.system != "copper":
        sys.exit("give --xyz FILE for systems other than the built-in copper")
    # mdbench's copper: fcc, a = 3.615 Å, cubic cells; only species/count matter here
    reps = round((args.atoms / 4) ** (1 / 3))
    if 4 * reps**3 != args.atoms:
        sys.exit(f"--atoms {args.atoms} is not 4·k³")
    return ase.build.bulk("Cu", "fcc", a=3.615, cubic=True).repeat(reps)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix", help="socket name NAME (/tmp/ipi_NAME), as in ipi:unix=NAME")
    where.add_argument("--port", type=int, help="TCP port, as in ipi:host=H,port=P")
    p.add_argument("--host", default="localhost")
    p.add_argument("--system", default="copper")
    p.add_argument("--atoms", type=int, default=108)
    p.add_argument("--xyz", help="read species and count from this file instead")
    p.add_argument("--timeout", type=float, default=None, help="seconds per socket operation (default: none)")
    p.add_argument("--wait", type=float, default=60, help="seconds to keep retrying until mdbench listens")
    args = p.parse_args()
    atoms = make_atoms(args)
    atoms.calc = make_calculator()
    deadline = time.monotonic() + args.wait
    while True:  # mdbench may not be listening yet
        try:
            client = SocketClient(host=args.host, port=args.port, unixsocket=args.unix, timeout=args.timeout)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                sys.exit(f"no mdbench listening after {args.wait} s")
            time.sleep(0.05)
    client.run(atoms, use_stress=True)  # returns when mdbench sends EXIT or closes the socket


if __name__ == "__main__":
    main()
