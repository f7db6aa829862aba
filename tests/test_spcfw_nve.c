/*
 * NVE water, 96 atoms, spcfw (defaults: α = 0.2 Å⁻¹, rc = 10 Å), dt = 0.5 fs,
 * 10,000 steps (5 ps) from 300 K, seed 42, through mdb_case_run: velocity
 * Verlet must conserve the total energy.
 *
 * The builder's box is random (molecules at the SPC/Fw geometry, random
 * orientations, no hydrogen-bond network), so the start is strained: within
 * the first 100 fs potential energy turns into heat and T rises from 300 K
 * to ~950 K, then settles near 830 K. The engine has no damped relaxation;
 * none is needed: the total energy is conserved through that burst. The
 * largest |E − E0| (measured 2.2e-4 eV/atom, at t = 25 fs, in the burst) is
 * the O–H vibration (period ~9 fs, 18 steps) seen by Verlet's shadow
 * Hamiltonian: it shrinks as dt² (0.25 fs gives 5.8e-5, 3.8x less), which
 * is what the second check asserts; a force that is not −∇E, a stale ghost
 * or a missed bonded image gives errors that do not shrink with dt. Halving
 * dt would only halve the throughput the benchmark reports, so 0.5 fs (the
 * water default) stays.
 *
 * Bounds (measured values in brackets; 5 ps at 0.5 fs):
 *   |linear drift slope|          < 1e-4 eV/atom/ps   [1.0e-5]
 *   max |E(t) − E(0)| / N         < 6e-4 eV/atom      [2.2e-4]
 *   momentum drift                < 1e-12 amu·Å/fs per atom [2e-16]
 *   max|E−E0| over the first 0.5 ps at 0.5 fs vs 0.25 fs: ratio in [2.5, 6]
 *                                                      [3.8; dt² gives 4]
 *   T_mean > 500 K and > 50 list builds: the atoms really moved.
 * A bug such as dropping the excluded-pair Coulomb force while keeping its
 * energy (a bounded, not a drifting, error) gives max |E − E0| 8.9e-4
 * eV/atom and a dt ratio of 1.00: both checks fail. (Other force bugs
 * are caught sooner by tests/test_spcfw_fd.c.)
 */
#include "bench/bench.h"
#include "testutil.h"

static void run(double dt, int steps, mdb_result *r) {
  mdb_case c;
  mdb_err err;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "water");
  snprintf(c.calculator, sizeof c.calculator, "spcfw");
  c.n_atoms = 96;
  c.n_steps = steps;
  c.warmup_steps = 0;
  c.timestep_fs = dt;
  c.temperature_K = 300.0;
  c.seed = 42;
  c.energy_interval = (int)(5.0 / dt); /* a sample every 5 fs */
  REQUIRE_OK(mdb_case_run(&c, r, &err), &err);
}

/* max |E(t) − E(0)| / N over samples with t <= t_end (fs). */
static double max_dev(const mdb_result *r, double t_end) {
  double m = 0;
  for (int k = 0; k < r->n_samples && r->th_time_fs[k] <= t_end; k++)
    m = fmax(m, fabs(r->th_total[k] - r->th_total[0]));
  return m / r->n_atoms;
}

int main(void) {
  mdb_result a, b;
  run(0.5, 10000, &a);
  printf("water 96 spcfw NVE 5 ps, dt 0.5 fs: status %s, slope %.3e eV/atom/ps, max|E-E0| %.3e eV/atom, "
         "momentum drift %.2e, T %.1f ± %.1f K, %ld list builds, E0 %.6f eV\n",
         a.status, a.drift_slope, a.max_dev_per_atom, a.momentum_drift, a.mean_temperature, a.std_temperature,
         a.neighbor_builds, a.th_total[0]);
  CHECK(strcmp(a.status, "ok") == 0);
  CHECK(a.n_samples == 1001);
  CHECK(fabs(a.drift_slope) < 1e-4);
  CHECK(a.max_dev_per_atom < 6e-4);
  CHECK(a.momentum_drift < 1e-12);
  CHECK(a.mean_temperature > 500.0);
  CHECK(a.neighbor_builds > 50);
  run(0.25, 2000, &b);
  double da = max_dev(&a, 500.0), db = max_dev(&b, 500.0);
  printf("first 0.5 ps: max|E-E0| %.3e eV/atom at 0.5 fs, %.3e at 0.25 fs: ratio %.2f (dt² scaling: 4)\n", da, db,
         da / db);
  CHECK(strcmp(b.status, "ok") == 0);
  CHECK(da / db > 2.5 && da / db < 6.0);
  mdb_result_free(&a);
  mdb_result_free(&b);
  return check_report();
}
