/*
 * The GPU engine run as a benchmark runs it: whole cases through
 * mdb_case_run with device "cuda", held to the physics bounds of the CPU
 * tests.
 *
 *   test_gpu_md BACKEND        BACKEND: host or cuda
 *
 * "host" sets MDBENCH_GPU_BACKEND=host, so the device kernels run serially
 * on the CPU (every machine); "cuda" runs them on the GPU and exits 77
 * (skipped) when none is usable. Every GPU result must say it ran on the
 * engine (r.gpu.used, r.gpu.dev.backend = BACKEND) with status "ok".
 *
 *  1. NVE, every built-in system with its default calculator, from 300 K,
 *     seed 42, no warmup, a sample every 10 steps, with the bounds of the
 *     CPU tests unchanged:
 *       argon    256 lj    dt 1 fs, 10,000 steps, skin 1 Å (tests/test_nve.c,
 *                same length): |slope| < 1e-6 eV/atom/ps, max|E-E0|/N < 2e-5
 *                eV/atom, |P(t) - P(0)| < 1e-9 amu·Å/fs, T range > 10 K,
 *                > 20 list builds
 *       copper   108 eam   dt 1 fs, skin 0.1 Å  (tests/test_eam_nve.c,
 *       aluminum 108 eam   dt 1 fs, skin 1 Å     10,000 steps each):
 *                |slope| < 1e-6, max dev < 4e-5, momentum drift < 1e-10
 *                amu·Å/fs per atom, T std > 5 K; 1,000 steps each here
 *       silicon   64 sw    dt 1 fs, skin 0.1 Å, 10,000 steps (tests/
 *                test_sw_nve.c, same length): |slope| < 2e-5, max dev <
 *                1.5e-4, momentum < 1e-10, T std > 5 K, >= 100 builds
 *       water     96 spcfw dt 0.5 fs, skin 1 Å (tests/test_spcfw_nve.c:
 *                10,000 steps): |slope| < 1e-4, max dev < 6e-4, momentum
 *                < 1e-12 per atom, <T> > 500 K, > 50 builds; 1,000 steps
 *                (0.5 ps) here
 *     The CPU tests run copper and silicon at both skins; the trajectory
 *     does not depend on the skin, so here copper and silicon run at
 *     0.1 Å (a rebuild every ~10 steps: an atom or a density lost or
 *     doubled at a rebuild shows as an energy jump) and aluminum, argon
 *     and water at 1 Å. Where the run is shorter than the CPU test's the
 *     bounds are the same, so at least as strict: the fitted slope of the
 *     same Verlet breathing is larger over a shorter window, and the
 *     largest excursions come early (water's, in the burst of its strained
 *     start, at 25 fs; the metals' within the first ps). Why shorter: the
 *     host backend takes ~1.7 ms/step for eam (108 atoms) and ~2.3 ms/step
 *     for spcfw (96 atoms) in a Release build, ~10x that under
 *     AddressSanitizer (Debug). Copper at 1,000 steps makes ~95 builds, so
 *     its bound is >= 50 builds instead of the CPU's 100 over 10,000.
 *     Water's dt² scaling check is not repeated (tests/gpu/test_gmd.c holds
 *     the GPU trajectory to the CPU's within 1e-8).
 *  2. NVT, argon 256 lj, nhc and langevin, tdamp 100 fs, T0 = 300 K
 *     (tests/test_nvt.c): |<T>/T0 - 1| < 0.02 over the production window;
 *     the conserved quantity over the whole run: |slope| < 1e-6
 *     eV/atom/ps, max |C - C0|/N < 1e-4 eV/atom, and both max |C - C0|
 *     and |C_end - C0| >= 50x smaller than the total energy's. 5 ps of
 *     equilibration (50 tdamp) and 15 ps of production instead of the CPU
 *     test's 10 + 200 ps: the block error of <T> is then 0.7 K (nhc) and
 *     1.5 K (langevin), so the 6 K bound stays > 4σ. The CPU's Var(KE)
 *     check is left out: at 15 ps its error (~0.07-0.1) is the size of its
 *     0.08 bound.
 *  3. NPT, copper 108 lj, 10 kbar, from a = 3.66 Å (P ≈ -93 kbar), as
 *     tests/test_npt.c copper-lj, same length (10 ps + 40 ps), same bounds:
 *     |<P> - P| < 75 bar, |<T>/T0 - 1| < 0.02, the mean lattice constant
 *     moved by > 0.5 %, conserved |slope| < 1e-6, max |C - C0|/N < 2e-4,
 *     both excursions >= 50x below the total energy's.
 *  4. One case on the CPU and on the GPU (device "cpu" vs "cuda", same
 *     seed; argon 256 lj and silicon 64 sw, NVE, 10 warmup + 200 steps):
 *     the same sample steps, r.th_total and r.th_temperature within 1e-8
 *     relative at every sample, neighbour builds within one.
 *
 * Each case prints its numbers and wall time. The host run takes ~25 s in
 * a Release build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/units.h"
#include "dev/dev.h"
#include "../check.h"
#include "../ensemble_stats.h"

#define T0 300.0
#define MIN_RATIO 50.0

static const char *backend; /* "host" or "cuda" */

static void base_case(mdb_case *c, const char *system, const char *calc, int atoms, const char *device) {
  mdb_case_defaults(c);
  snprintf(c->system, sizeof c->system, "%s", system);
  snprintf(c->calculator, sizeof c->calculator, "%s", calc);
  snprintf(c->device, sizeof c->device, "%s", device);
  c->n_atoms = atoms;
  c->warmup_steps = 0;
  c->temperature_K = T0;
  c->seed = 42;
  c->energy_interval = 10;
}

/* Runs c, timing it; checks that it ran on the GPU engine and ended "ok". */
static double run_gpu(const mdb_case *c, mdb_result *r) {
  mdb_err err;
  double t0 = mdb_now();
  REQUIRE_OK(mdb_case_run(c, r, &err), &err);
  double took = mdb_now() - t0;
  CHECK(strcmp(r->status, "ok") == 0);
  CHECK(r->gpu.used == 1);
  CHECK(strcmp(r->gpu.dev.backend, backend) == 0);
  CHECK(r->n_timed == c->n_steps);
  if (strcmp(r->status, "ok") != 0) fprintf(stderr, "  failed at step %ld: %s\n", r->fail_step, r->fail_reason);
  return took;
}

/* ------------------------------------------------------------------ NVE */

typedef struct nve_spec {
  const char *system, *calc; /* calc: the default it must resolve to */
  int atoms, steps;
  double dt, skin;
  double tol_slope, tol_dev; /* eV/atom/ps, eV/atom */
  double tol_mom;            /* momentum drift, amu·Å/fs per atom */
  long min_builds;
} nve_spec;

static void nve(const nve_spec *s) {
  mdb_case c;
  mdb_result r;
  base_case(&c, s->system, "", s->atoms, "cuda");
  c.n_steps = s->steps;
  c.timestep_fs = s->dt;
  c.skin_A = s->skin;
  double took = run_gpu(&c, &r);
  double trange = 0, tmin = INFINITY, tmax = -INFINITY;
  for (int k = 0; k < r.n_samples; k++) {
    tmin = fmin(tmin, r.th_temperature[k]);
    tmax = fmax(tmax, r.th_temperature[k]);
  }
  trange = tmax - tmin;
  printf("NVE %-8s %3d %-5s dt %.2f fs, %5d steps, skin %.1f Å: %s (%s), slope %.3e eV/atom/ps (tol %.0e), "
         "max|E-E0| %.3e eV/atom (tol %.1e), momentum drift %.2e (tol %.0e), T %.1f ± %.1f K, %ld builds, %.2f s\n",
         s->system, r.n_atoms, r.c.calculator, s->dt, s->steps, s->skin, r.status, r.gpu.dev.backend, r.drift_slope,
         s->tol_slope, r.max_dev_per_atom, s->tol_dev, r.momentum_drift, s->tol_mom, r.mean_temperature,
         r.std_temperature, r.neighbor_builds, took);
  CHECK(strcmp(r.c.calculator, s->calc) == 0);
  CHECK(r.n_atoms == s->atoms);
  CHECK(fabs(r.drift_slope) < s->tol_slope);
  CHECK(r.max_dev_per_atom < s->tol_dev);
  CHECK(r.momentum_drift < s->tol_mom);
  CHECK(r.neighbor_builds >= s->min_builds);
  if (strcmp(s->system, "water") == 0) {
    CHECK(r.mean_temperature > 500.0);
  } else if (strcmp(s->system, "argon") == 0) {
    CHECK(trange > 10.0);
  } else {
    CHECK(r.std_temperature > 5.0);
  }
  mdb_result_free(&r);
}

/* ------------------------------------------------------------ NVT / NPT */

/* First sample at or after t_fs. */
static int window_start(const mdb_result *r, double t_fs) {
  int k0 = 0;
  while (k0 < r->n_samples - 1 && r->th_time_fs[k0] < t_fs) k0++;
  return k0;
}

static void conserved_checks(const mdb_result *r, double tol_dev) {
  const es_excursion x = es_excursions(r);
  printf("  conserved: slope %.3e eV/atom/ps (tol 1e-6), max|C-C0| %.3e (tol %.0e), |C_end-C0| %.3e eV/atom; "
         "total E: max|E-E0| %.3e, |E_end-E0| %.3e (ratios %.0f, %.0f)\n",
         r->drift_slope, x.cdev, tol_dev, x.cend, x.edev, x.eend, x.edev / x.cdev, x.eend / x.cend);
  CHECK(fabs(r->drift_slope) < 1e-6);
  CHECK(x.cdev < tol_dev);
  CHECK(x.cdev * MIN_RATIO < x.edev);
  CHECK(x.cend * MIN_RATIO < x.eend);
}

static void nvt(const char *thermostat, double equil_fs, double prod_fs) {
  mdb_case c;
  mdb_result r;
  base_case(&c, "argon", "lj", 256, "cuda");
  snprintf(c.protocol, sizeof c.protocol, "NVT");
  snprintf(c.thermostat, sizeof c.thermostat, "%s", thermostat);
  c.timestep_fs = 1.0;
  c.tdamp_fs = 100.0;
  c.n_steps = (int)(equil_fs + prod_fs);
  double took = run_gpu(&c, &r);
  int k0 = window_start(&r, equil_fs);
  es_result t = es_block(r.th_temperature + k0, r.n_samples - k0, 10);
  printf("NVT argon 256 lj %-8s %.0f + %.0f ps: %s (%s), <T> = %.3f ± %.3f K, target %.1f K, rel diff %.2e "
         "(tol 0.02), %.2f s\n",
         thermostat, equil_fs * 1e-3, prod_fs * 1e-3, r.status, r.gpu.dev.backend, t.mean, t.mean_err, T0,
         t.mean / T0 - 1, took);
  CHECK(strcmp(r.c.thermostat, thermostat) == 0);
  CHECK_REL(t.mean, T0, 0.02, 0);
  conserved_checks(&r, 1e-4);
  mdb_result_free(&r);
}

static void npt(double equil_fs, double prod_fs) {
  const double a0 = 3.66, p_bar = 10000.0;
  mdb_case c;
  mdb_result r;
  base_case(&c, "copper", "lj", 108, "cuda");
  snprintf(c.protocol, sizeof c.protocol, "NPT");
  c.lattice_A = a0;
  c.timestep_fs = 1.0;
  c.pressure_bar = p_bar;
  c.pressure_set = 1;
  c.n_steps = (int)(equil_fs + prod_fs);
  double took = run_gpu(&c, &r);
  int k0 = window_start(&r, equil_fs), n = r.n_samples - k0;
  double *a = malloc((size_t)r.n_samples * sizeof *a);
  for (int k = 0; k < r.n_samples; k++) a[k] = cbrt(r.th_volume[k] / (r.n_atoms / 4.0));
  es_result p = es_block(r.th_pressure + k0, n, 10), t = es_block(r.th_temperature + k0, n, 10),
            la = es_block(a + k0, n, 10);
  printf("NPT copper 108 lj %.0f bar from a = %.2f Å (P0 = %.0f bar), %.0f + %.0f ps: %s (%s), <P> = %.1f ± %.1f "
         "bar (sample std %.0f; tol 75), <T> = %.2f ± %.2f K, <a> = %.5f Å, %ld builds, %.2f s\n",
         p_bar, a0, r.th_pressure[0], equil_fs * 1e-3, prod_fs * 1e-3, r.status, r.gpu.dev.backend, p.mean, p.mean_err,
         sqrt(p.var), t.mean, t.mean_err, la.mean, r.neighbor_builds, took);
  CHECK(strcmp(r.c.thermostat, "nhc") == 0 && r.c.pdamp_fs == 1000.0 && r.c.tdamp_fs == 100.0);
  CHECK_ABS(p.mean, p_bar, 75.0);
  CHECK_REL(t.mean, T0, 0.02, 0);
  CHECK(fabs(la.mean / a0 - 1) > 0.005);
  conserved_checks(&r, 2e-4);
  free(a);
  mdb_result_free(&r);
}

/* ----------------------------------------------------------- CPU vs GPU */

static void cpu_vs_gpu(const char *system, const char *calc, int atoms, int steps) {
  mdb_case c;
  mdb_result rc, rg;
  mdb_err err;
  base_case(&c, system, calc, atoms, "cpu");
  c.n_steps = steps;
  c.warmup_steps = 10;
  double t0 = mdb_now();
  REQUIRE_OK(mdb_case_run(&c, &rc, &err), &err);
  double t_cpu = mdb_now() - t0;
  snprintf(c.device, sizeof c.device, "cuda");
  double t_gpu = run_gpu(&c, &rg);
  CHECK(rc.gpu.used == 0 && strcmp(rc.status, "ok") == 0);
  CHECK(rc.n_samples == rg.n_samples && rc.n_samples > 10);
  double worst_e = 0, worst_t = 0;
  int n = rc.n_samples < rg.n_samples ? rc.n_samples : rg.n_samples;
  for (int k = 0; k < n; k++) {
    CHECK(rc.th_step[k] == rg.th_step[k]);
    CHECK_REL(rg.th_total[k], rc.th_total[k], 1e-8, 0);
    CHECK_REL(rg.th_temperature[k], rc.th_temperature[k], 1e-8, 0);
    worst_e = fmax(worst_e, fabs(rg.th_total[k] - rc.th_total[k]) / fabs(rc.th_total[k]));
    worst_t = fmax(worst_t, fabs(rg.th_temperature[k] - rc.th_temperature[k]) / fabs(rc.th_temperature[k]));
  }
  printf("CPU vs GPU %s %d %s NVE %d+%d steps: %d samples, worst rel diff total E %.2e, T %.2e (tol 1e-8); "
         "builds %ld (cpu) vs %ld (%s); %.2f s cpu, %.2f s gpu\n",
         system, rc.n_atoms, rc.c.calculator, c.warmup_steps, steps, n, worst_e, worst_t, rc.neighbor_builds,
         rg.neighbor_builds, rg.gpu.dev.backend, t_cpu, t_gpu);
  CHECK(labs(rc.neighbor_builds - rg.neighbor_builds) <= 1);
  mdb_result_free(&rc);
  mdb_result_free(&rg);
}

int main(int argc, char **argv) {
  backend = argc > 1 ? argv[1] : "";
  if (strcmp(backend, "host") == 0) {
    setenv("MDBENCH_GPU_BACKEND", "host", 1);
  } else if (strcmp(backend, "cuda") == 0) {
    char why[256] = "";
    if (mdb_cuda_device_count(why, sizeof why) == 0) {
      printf("SKIP: no usable CUDA device: %s\n", why);
      return 77;
    }
    unsetenv("MDBENCH_GPU_BACKEND");
  } else {
    fprintf(stderr, "usage: %s host|cuda\n", argv[0]);
    return 2;
  }
  const double t0 = mdb_now();

  /* system, default calculator, atoms, steps, dt, skin, slope, max dev, momentum, min builds */
  static const nve_spec cases[] = {
      {"argon", "lj", 256, 10000, 1.0, 1.0, 1e-6, 2e-5, 1e-9 / 256, 21},
      {"copper", "eam", 108, 1000, 1.0, 0.1, 1e-6, 4e-5, 1e-10, 50},
      {"aluminum", "eam", 108, 1000, 1.0, 1.0, 1e-6, 4e-5, 1e-10, 1},
      {"silicon", "sw", 64, 10000, 1.0, 0.1, 2e-5, 1.5e-4, 1e-10, 100},
      {"water", "spcfw", 96, 1000, 0.5, 1.0, 1e-4, 6e-4, 1e-12, 51},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) nve(&cases[i]);

  nvt("nhc", 5000.0, 15000.0);
  nvt("langevin", 5000.0, 15000.0);
  npt(10000.0, 40000.0);

  cpu_vs_gpu("argon", "lj", 256, 200);
  cpu_vs_gpu("silicon", "sw", 64, 200);

  printf("%s backend: %.1f s in all\n", backend, mdb_now() - t0);
  return check_report();
}
