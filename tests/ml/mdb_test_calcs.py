"""mdb_test_calcs.py — tiny ASE calculators for the `ase` calculator's tests (tests/ml.cmake).

    Sleepy(ms=50, model=None, record=None, births=None, init_s=0)  zero energy and forces, busy for ms per call
                      (model_ms must show it); record=FILE gets each call's own duration (ms);
                      births=FILE a line per construction; init_s=S takes S seconds to load
    Leaky(mb=2)       zero energy and forces, keeps mb MB more per call (a leak in the model)
    Tether(k=0.5)     E = k/2 Σ|x - x0|², x0 the first positions seen: not periodic, so
                      wrapped positions would make it jump
    Boom(at=5)        zero energy and forces until call `at`, which raises RuntimeError
    failing(...)      a factory that raises ValueError (a constructor that fails)
"""
import os
import time

import numpy as np
from ase.calculators.calculator import Calculator, all_changes


class _Zero(Calculator):
    implemented_properties = ["energy", "forces"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.results = {"energy": 0.0, "forces": np.zeros((len(self.atoms), 3))}


class Sleepy(_Zero):
    def __init__(self, ms=50.0, model=None, record=None, births=None, init_s=0.0, **kwargs):
        super().__init__(**kwargs)
        time.sleep(float(init_s))  # a model that takes init_s to load
        if births:  # one line per construction: how often mdbench loaded "the model"
            with open(births, "a") as f:
                f.write(f"{os.getpid()}\n")
        self.ms = float(ms)
        self.model = model  # a file path: the worker reports its SHA-256
        self.record = open(record, "w") if record else None  # each call's own duration, ms, one a line

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        # busy-waits rather than sleeps: on a loaded machine a sleep wakes late, a spin
        # ends on time (its wall time is what a forward pass of that length would take)
        t0 = time.perf_counter()
        end = t0 + self.ms * 1e-3
        while time.perf_counter() < end:
            pass
        super().calculate(atoms, properties, system_changes)
        if self.record:
            self.record.write(f"{(time.perf_counter() - t0) * 1e3!r}\n")
            self.record.flush()


class Leaky(_Zero):
    def __init__(self, mb=2.0, **kwargs):
        super().__init__(**kwargs)
        self.mb = float(mb)
        self.kept = []

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        self.kept.append(b"\x01" * int(self.mb * (1 << 20)))  # written, so resident
        super().calculate(atoms, properties, system_changes)


class Tether(Calculator):
    implemented_properties = ["energy", "forces"]

    def __init__(self, k=0.5, **kwargs):
        super().__init__(**kwargs)
        self.k = float(k)
        self.x0 = None

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        x = self.atoms.positions
        if self.x0 is None:
            self.x0 = x.copy()
        d = x - self.x0
        self.results = {"energy": 0.5 * self.k * float(np.sum(d * d)), "forces": -self.k * d}


class Boom(_Zero):
    def __init__(self, at=5, **kwargs):
        super().__init__(**kwargs)
        self.at, self.calls = int(at), 0

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        self.calls += 1
        if self.calls >= self.at:
            raise RuntimeError(f"boom at call {self.calls}")
        super().calculate(atoms, properties, system_changes)


def failing(**kwargs):
    raise ValueError("no weights found for this model")
