/*
 * The GPU engine (gpu/gmd.h) against the CPU engine (md/), from the same
 * state:
 *
 *   test_gmd BACKEND SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS [mixed]
 *
 * BACKEND "host" runs the device kernels serially on the CPU (every
 * machine); "cuda" the GPU, and exits 77 (skipped) when none is usable.
 * THERMOSTAT is "-" for NVE.
 *
 * Checks (double precision; mixed loosens them as stated):
 *  1. first forces: energy to 1e-10 relative, forces to 1e-9 eV/Å, the
 *     virial part of the pressure to 1e-9 relative (mixed: 1e-5, 1e-4,
 *     1e-4); and the forces again at the end of the run, off the lattice
 *     sites, to 1e-9 eV/Å (mixed: 1e-3 of the largest force);
 *  2. the trajectory: STEPS steps sampled every 10; every sample's total,
 *     potential and conserved energy, temperature and pressure within 1e-8
 *     relative (mixed: 1e-4) and the final positions within 1e-6 Å
 *     (mixed: 1e-2 Å) of the CPU's; the number of neighbour builds within
 *     one of the CPU's;
 *  3. graphs on and off give the same bits (host) / agree to 1e-12
 *     relative (cuda).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "build/build.h"
#include "gpu/gmd.h"
#include "md/md.h"
#include "../check.h"

typedef struct traj {
  int ns;
  double e[64], pe[64], ec[64], t[64], p[64];
  double *x;          /* final positions, original atom order */
  double *f;          /* final forces, original atom order */
  long builds, sorts; /* sorts: the engine's re-sorts of the atoms (gpu/kern_sort.h) */
} traj;

static void f_by_id(const mdb_system *s, double *out) {
  for (int i = 0; i < s->n; i++)
    for (int k = 0; k < 3; k++) out[3 * s->id[i] + k] = s->f[3 * i + k];
}

static void by_id(const mdb_system *s, double *out) {
  for (int i = 0; i < s->n; i++)
    for (int k = 0; k < 3; k++) {
      /* unwrapped: wrapping may differ between the engines */
      out[3 * s->id[i] + k] = s->x[3 * i + k] + s->image[3 * i] * s->box.h[0][k] +
                              s->image[3 * i + 1] * s->box.h[1][k] + s->image[3 * i + 2] * s->box.h[2][k];
    }
}

typedef struct setup {
  const char *system, *calc, *protocol, *thermostat;
  int atoms, steps;
} setup;

static void host_md(const setup *s, mdb_system *sys, mdb_calc *calc, mdb_md *md) {
  mdb_err err;
  REQUIRE_OK(mdb_build_system(sys, s->system, s->atoms, 0, 42, NULL, &err), &err);
  REQUIRE_OK(mdb_velocity_init(sys, 300.0, 42, &err), &err);
  REQUIRE_OK(mdb_calc_create(calc, s->calc, "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(md, sys, calc, mdb_build_default_timestep(s->system), 1.0, &err), &err);
  mdb_ensemble e;
  mdb_ensemble_defaults(&e);
  REQUIRE_OK(mdb_protocol_parse(s->protocol, &e.protocol, &err), &err);
  if (strcmp(s->thermostat, "-"))
    REQUIRE_OK(mdb_thermostat_parse(s->thermostat, &e.thermostat, &err), &err);
  else if (e.protocol != MDB_PROTOCOL_NVE)
    e.thermostat = MDB_THERMOSTAT_NHC;
  e.temperature_K = 300.0;
  e.tdamp_fs = 50.0;
  e.pdamp_fs = 500.0;
  e.chain = e.thermostat == MDB_THERMOSTAT_NHC ? 3 : 0;
  e.seed = 42;
  REQUIRE_OK(mdb_md_set_ensemble(md, &e, &err), &err);
}

static void run_cpu(const setup *s, traj *t) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  host_md(s, &sys, &calc, &md);
  t->ns = 0;
  for (int step = 0; step <= s->steps; step++) {
    unsigned fl = step % 10 == 0 ? MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL : 0;
    if (step) REQUIRE_OK(mdb_md_step(&md, fl, &err), &err);
    if (!fl) continue;
    mdb_thermo th;
    mdb_md_thermo(&md, &th);
    int k = t->ns++;
    t->e[k] = th.total;
    t->pe[k] = th.potential;
    t->ec[k] = th.conserved;
    t->t[k] = th.temperature;
    t->p[k] = th.pressure;
  }
  t->x = malloc(sizeof(double) * 3 * sys.n);
  by_id(&sys, t->x);
  t->f = malloc(sizeof(double) * 3 * sys.n);
  f_by_id(&sys, t->f);
  t->builds = md.nl.builds;
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
}

/* Returns 77 when the backend cannot be opened for lack of a GPU. */
static int run_gpu(const setup *s, const char *backend, int mixed, int graphs, traj *t, int first_check) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g;
  mdb_gmd_opts o = {backend, -1, mixed, graphs, 0};
  if (strcmp(backend, "cuda") == 0) { /* before anything is allocated: a skip leaks nothing */
    char why[256];
    if (mdb_cuda_device_count(why, sizeof why) == 0) {
      printf("no usable GPU (%s): skipped\n", why);
      return 77;
    }
    o.ordinal = 0;
  }
  host_md(s, &sys, &calc, &md);
  REQUIRE_OK(mdb_gmd_create(&g, &md, &o, &err), &err);
  printf("device: %s\n", mdb_gmd_device(g)->name);
  if (first_check) {
    /* the engine's first forces against the CPU's, tighter than its own check */
    mdb_system cpy;
    REQUIRE_OK(mdb_system_copy(&cpy, &sys, &err), &err);
    double *fc = malloc(sizeof(double) * 3 * sys.n);
    memcpy(fc, sys.f, sizeof(double) * 3 * sys.n);
    REQUIRE_OK(mdb_gmd_download(g, &cpy, &err), &err);
    double df = 0;
    for (int i = 0; i < 3 * sys.n; i++) df = fmax(df, fabs(cpy.f[i] - fc[i]));
    mdb_thermo th;
    REQUIRE_OK(mdb_gmd_thermo(g, &th, NULL, NULL, &err), &err);
    mdb_thermo tc;
    mdb_md_thermo(&md, &tc);
    printf("first forces: energy %.15g (cpu %.15g), max |dF| %.3g eV/Å, pressure %.10g (cpu %.10g) bar\n", th.potential,
           tc.potential, df, th.pressure, tc.pressure);
    CHECK_REL(th.potential, tc.potential, mixed ? 1e-5 : 1e-10, 1e-3);
    CHECK(df < (mixed ? 1e-4 : 1e-9));
    CHECK_REL(th.pressure - 2 * th.kinetic / (3 * th.volume) * 1.602176634e6,
              tc.pressure - 2 * tc.kinetic / (3 * tc.volume) * 1.602176634e6, mixed ? 1e-4 : 1e-9, 1.0);
    CHECK_REL(th.kinetic, tc.kinetic, 1e-12, 1e-6);
    free(fc);
    mdb_system_free(&cpy);
  }
  t->ns = 0;
  for (int step = 0; step <= s->steps; step++) {
    unsigned fl = step % 10 == 0 ? MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL : 0;
    if (step) REQUIRE_OK(mdb_gmd_step(g, fl, &err), &err);
    if (!fl) continue;
    mdb_thermo th;
    REQUIRE_OK(mdb_gmd_thermo(g, &th, NULL, NULL, &err), &err);
    int k = t->ns++;
    t->e[k] = th.total;
    t->pe[k] = th.potential;
    t->ec[k] = th.conserved;
    t->t[k] = th.temperature;
    t->p[k] = th.pressure;
  }
  CHECK(mdb_gmd_step_count(g) == s->steps);
  REQUIRE_OK(mdb_gmd_download(g, &sys, &err), &err);
  t->x = malloc(sizeof(double) * 3 * sys.n);
  by_id(&sys, t->x);
  t->f = malloc(sizeof(double) * 3 * sys.n);
  f_by_id(&sys, t->f);
  t->builds = mdb_gmd_builds(g);
  t->sorts = mdb_gmd_sorts(g);
  double fb, tb, eb;
  REQUIRE_OK(mdb_gmd_memory(g, &fb, &tb, &eb, &err), &err);
  CHECK(eb > sys.n * 100.0); /* the engine counts what it holds */
  mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s BACKEND SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS [mixed]\n", argv[0]);
    return 2;
  }
  setup s = {argv[2], argv[4], argv[5], argv[6], atoi(argv[3]), atoi(argv[7])};
  if (s.steps > 600) s.steps = 600;
  const char *backend = argv[1];
  const int mixed = argc > 8 && strcmp(argv[8], "mixed") == 0;
  traj c, g1, g0;
  int rc = run_gpu(&s, backend, mixed, 1, &g1, 1);
  if (rc == 77) return 77;
  run_cpu(&s, &c);
  run_gpu(&s, backend, mixed, 0, &g0, 0);
  const double tol = mixed ? 1e-4 : 1e-8;
  double worst = 0;
  for (int k = 0; k < c.ns; k++) {
    CHECK_REL(g1.e[k], c.e[k], tol, 1.0);
    CHECK_REL(g1.pe[k], c.pe[k], tol, 1.0);
    CHECK_REL(g1.ec[k], c.ec[k], tol, 1.0);
    CHECK_REL(g1.t[k], c.t[k], tol, 1.0);
    CHECK_REL(g1.p[k], c.p[k], mixed ? 1e-3 : 1e-6, 100.0);
    worst = fmax(worst, fabs(g1.e[k] - c.e[k]) / fabs(c.e[k]));
  }
  CHECK(g1.ns == c.ns);
  int n = 0;
  double dx = 0;
  mdb_system tmp;
  mdb_err err;
  REQUIRE_OK(mdb_build_system(&tmp, s.system, s.atoms, 0, 42, NULL, &err), &err);
  n = tmp.n;
  mdb_system_free(&tmp);
  for (int i = 0; i < 3 * n; i++) dx = fmax(dx, fabs(g1.x[i] - c.x[i]));
  CHECK(dx < (mixed ? 1e-2 : 1e-6));
  /* forces at the end, where the atoms are off their lattice sites (at the
   * start a perfect lattice has zero forces by symmetry) */
  double df = 0, fmaxv = 0;
  for (int i = 0; i < 3 * n; i++) {
    df = fmax(df, fabs(g1.f[i] - c.f[i]));
    fmaxv = fmax(fmaxv, fabs(c.f[i]));
  }
  printf("final forces: max |dF| %.3g eV/Å (largest |F| %.3g)\n", df, fmaxv);
  CHECK(fmaxv > 1e-3);
  CHECK(df < (mixed ? 1e-3 * fmaxv : 1e-9));
  CHECK(labs(g1.builds - c.builds) <= 1);
  /* graphs off: the same kernels in the same order */
  double dg = 0;
  for (int i = 0; i < 3 * n; i++) dg = fmax(dg, fabs(g1.x[i] - g0.x[i]));
  if (strcmp(backend, "host") == 0)
    CHECK(dg == 0);
  else
    CHECK(dg < 1e-9);
  printf("%s %d %s %s/%s %d steps on %s%s: worst |dE|/|E| %.3g over %d samples, final max |dx| %.3g Å, "
         "builds %ld (cpu %ld), re-sorts %ld, graphs vs none %.3g Å\n",
         s.system, n, s.calc, s.protocol, s.thermostat, s.steps, backend, mixed ? " (mixed)" : "", worst, c.ns, dx,
         g1.builds, c.builds, g1.sorts, dg);
  free(c.x);
  free(g1.x);
  free(g0.x);
  free(c.f);
  free(g1.f);
  free(g0.f);
  return check_report();
}
