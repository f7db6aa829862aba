/*
 * NVE copper and aluminum, 108 atoms each, built-in eam (Zhou et al. 2004,
 * analytic), dt = 1 fs, 10,000 steps from 300 K, through mdb_case_run as a
 * benchmark runs it: the total energy must be conserved. Copper runs twice:
 * with the default 1 Å skin and with a 0.1 Å skin, which rebuilds the list
 * (re-sorting atoms, remaking every ghost) hundreds of times, so a density
 * or pair term lost or doubled at a rebuild shows up as an energy jump.
 *
 * Bounds, with their margins. Measured: |slope| 4.6e-9 (Cu) and 8.4e-9
 * (Al) eV/atom/ps, max |E − E0| 1.0e-5 (Cu) and 1.1e-5 (Al) eV/atom — the
 * O(dt²) breathing of velocity Verlet. Bugs measured on the same runs: a
 * force with F'(ρ_i) in place of F'(ρ_j) gives slope 1.4e-2 and max dev
 * 0.12; ghost densities not folded onto their owners give 9e-2 and 0.8.
 *   |linear drift slope of E/N|   < 1e-6 eV/atom/ps   (100x over, 1e4x under)
 *   max |E(t) − E(0)| / N         < 4e-5 eV/atom      (4x over, 3000x under)
 *   max |P(t) − P(0)| / N         < 1e-10 amu·Å/fs
 *   the temperature really moves (std > 5 K), nothing blew up.
 */
#include <string.h>

#include "bench/bench.h"
#include "testutil.h"

static void run(const char *system, double skin, long min_builds) {
  mdb_err err;
  mdb_case c;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "%s", system);
  snprintf(c.calculator, sizeof c.calculator, "eam");
  c.n_atoms = 108;
  c.n_steps = 10000;
  c.warmup_steps = 0;
  c.timestep_fs = 1.0;
  c.temperature_K = 300.0;
  c.seed = 42;
  c.energy_interval = 10;
  c.skin_A = skin;
  mdb_result r;
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  printf("%s 108 eam NVE 10 ps, skin %.1f Å: status %s, slope %.3e eV/atom/ps, max|E-E0| %.3e eV/atom, "
         "momentum drift %.2e, T %.1f ± %.1f K, %ld list builds, %.1f us/step\n",
         system, skin, r.status, r.drift_slope, r.max_dev_per_atom, r.momentum_drift, r.mean_temperature,
         r.std_temperature, r.neighbor_builds, r.step.mean * 1e3);
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(r.n_atoms == 108 && r.n_timed == 10000);
  CHECK(fabs(r.drift_slope) < 1e-6);
  CHECK(r.max_dev_per_atom < 4e-5);
  CHECK(r.momentum_drift < 1e-10);
  CHECK(r.std_temperature > 5.0);
  CHECK(r.neighbor_builds >= min_builds);
  mdb_result_free(&r);
}

int main(void) {
  run("copper", 1.0, 1);
  run("copper", 0.1, 100);
  run("aluminum", 1.0, 1);
  return check_report();
}
