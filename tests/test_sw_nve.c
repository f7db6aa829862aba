/*
 * NVE silicon, 64 atoms, Stillinger–Weber (built-in Si parameters), dt = 1 fs,
 * 10,000 steps from 300 K, through mdb_case_run as a benchmark runs it: the
 * total energy must be conserved. Run twice: with the default 1 Å skin (the
 * list is built once: diamond at 300 K never moves an atom 0.5 Å) and with a
 * 0.1 Å skin, which rebuilds the list — re-sorting atoms and remaking every
 * ghost — hundreds of times, so a triplet or pair lost or doubled at a
 * rebuild shows up as an energy jump.
 *
 * Bounds (measured with either skin: slope 5e-8 eV/atom/ps, max |E − E0|
 * 4.5e-5 eV/atom, the Verlet oscillation at 1 fs; a dropped three-body
 * force or a wrong leg derivative drifts by 1e-2 and more, a pair or
 * triplet lost or doubled at a rebuild jumps by > 1e-3 eV/atom):
 *   |linear drift slope of E/N|   < 2e-5 eV/atom/ps
 *   max |E(t) − E(0)| / N         < 1.5e-4 eV/atom
 *   max |P(t) − P(0)| / N         < 1e-10 amu·Å/fs
 *   the temperature really moves (std > 5 K), nothing blew up.
 */
#include <string.h>

#include "bench/bench.h"
#include "testutil.h"

static void run(double skin, long min_builds) {
  mdb_err err;
  mdb_case c;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "silicon");
  snprintf(c.calculator, sizeof c.calculator, "sw");
  c.n_atoms = 64;
  c.n_steps = 10000;
  c.warmup_steps = 0;
  c.timestep_fs = 1.0;
  c.temperature_K = 300.0;
  c.seed = 42;
  c.energy_interval = 10;
  c.skin_A = skin;
  mdb_result r;
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  printf("silicon 64 sw NVE 10 ps, skin %.1f Å: status %s, slope %.3e eV/atom/ps, max|E-E0| %.3e eV/atom, "
         "momentum drift %.2e, T %.1f ± %.1f K, %ld list builds, %.2f us/step\n",
         skin, r.status, r.drift_slope, r.max_dev_per_atom, r.momentum_drift, r.mean_temperature, r.std_temperature,
         r.neighbor_builds, r.step.mean * 1e3);
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(r.n_atoms == 64 && r.n_timed == 10000);
  CHECK(fabs(r.drift_slope) < 2e-5);
  CHECK(r.max_dev_per_atom < 1.5e-4);
  CHECK(r.momentum_drift < 1e-10);
  CHECK(r.std_temperature > 5.0);
  CHECK(r.neighbor_builds >= min_builds);
  mdb_result_free(&r);
}

int main(void) {
  run(1.0, 1);
  run(0.1, 100);
  return check_report();
}
