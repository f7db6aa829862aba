/*
 * NVE argon, 256 atoms, LJ (rc = 2.5 σ), dt = 1 fs, 10,000 steps from 300 K:
 * velocity Verlet must conserve the total energy. Bounds (stated, with a
 * wide margin over what a correct integrator gives, and far below what a
 * wrong half-kick, a stale force or a missing image gives):
 *   |linear drift slope|   < 1e-6 eV/atom/ps
 *   max |E(t) − E(0)| / N  < 2e-5 eV/atom
 *   |Σ_i F_i|              < 1e-10 eV/Å per component at every sample
 *   |P_total|              < 1e-9 amu·Å/fs at every sample
 */
#include "bench/bench.h"
#include "build/build.h"
#include "md/md.h"
#include "testutil.h"

int main(void) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  REQUIRE_OK(mdb_build_system(&sys, "argon", 256, 0, 42, NULL, &err), &err);
  REQUIRE_OK(mdb_velocity_init(&sys, 300.0, 42, &err), &err);
  REQUIRE_OK(mdb_calc_create(&calc, "lj", "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(&md, &sys, &calc, 1.0, 1.0, &err), &err);
  const int nsteps = 10000, every = 10, ns = nsteps / every + 1;
  double *t = malloc(ns * sizeof *t), *e = malloc(ns * sizeof *e);
  double fsum_worst = 0, p_worst = 0, tmin = 1e9, tmax = 0;
  int k = 0;
  for (int step = 0; step <= nsteps; step++) {
    if (step > 0) REQUIRE_OK(mdb_md_step(&md, step % every ? 0 : MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, &err), &err);
    if (step % every) continue;
    mdb_thermo th;
    mdb_thermo_compute(&sys, &md.out, &th);
    t[k] = step * 1e-3; /* ps */
    e[k] = th.total / sys.n;
    k++;
    double fs[3] = {0, 0, 0};
    for (int i = 0; i < sys.n; i++)
      for (int c = 0; c < 3; c++) fs[c] += sys.f[3 * i + c];
    for (int c = 0; c < 3; c++) {
      fsum_worst = fmax(fsum_worst, fabs(fs[c]));
      p_worst = fmax(p_worst, fabs(th.momentum[c]));
    }
    tmin = fmin(tmin, th.temperature);
    tmax = fmax(tmax, th.temperature);
  }
  double slope = mdb_fit_slope(t, e, k), dev = 0;
  for (int q = 0; q < k; q++) dev = fmax(dev, fabs(e[q] - e[0]));
  printf("argon 256 NVE 10 ps: slope %.3e eV/atom/ps, max|E-E0| %.3e eV/atom, max|ΣF| %.2e eV/Å, max|P| %.2e, "
         "T %.1f..%.1f K, %ld list builds\n",
         slope, dev, fsum_worst, p_worst, tmin, tmax, md.nl.builds);
  CHECK(fabs(slope) < 1e-6);
  CHECK(dev < 2e-5);
  CHECK(fsum_worst < 1e-10);
  CHECK(p_worst < 1e-9);
  CHECK(tmax - tmin > 10.0); /* the atoms really moved and exchanged energy */
  CHECK(md.nl.builds > 20);  /* ... far enough to need many list rebuilds */
  free(t);
  free(e);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return check_report();
}
