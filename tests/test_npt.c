/*
 * NPT (isotropic MTK barostat + Nosé–Hoover chains, md/mtk.c), the
 * neighbour-list rule for a changing cell, and the ensemble checks. One
 * executable, one case per run (tests/md_ensembles.cmake registers each):
 *
 *   copper-eam   copper 256 atoms, eam:file=Cu_u3.eam (Debian's
 *                lammps-data; exit 77 without it), 300 K, 1 bar, tdamp
 *                100 fs, pdamp 1000 fs (LAMMPS's fix npt temp 300 300 0.1
 *                iso 1 1 1.0), dt 1 fs, started compressed at a = 3.58 Å
 *                (P ≈ +47 kbar) so the barostat must do real work;
 *                10 ps of equilibration, 40 ps of production.
 *   copper-lj    copper 108 atoms, lj, 300 K, 10 kbar, otherwise the same,
 *                started stretched at a = 3.66 Å (P ≈ −93 kbar): a target
 *                far from zero, reached from the other side.
 *   neigh-strain the neighbour-list rule for a changing cell (neigh.h)
 *   errors       the ensemble checks, including NPT with a calculator that
 *                gives no virial (a test-only calculator) and a triclinic
 *                cell
 *
 * Bounds for the NPT runs (production window unless said otherwise):
 *   |⟨P⟩ − P_target| < 75 bar. The instantaneous pressure fluctuates by
 *     σ_P ≈ 4300 bar (Cu_u3, 256 atoms) and 3000 bar (lj, 108 atoms); block
 *     averaging over 10 blocks gives standard errors of 10–15 bar for 40 ps
 *     (measured over three seeds for Cu_u3, 60 ps: +7.0, −2.9, +5.7 bar),
 *     so 75 bar is 5σ. MTK samples ⟨P_inst⟩ = P_ext; dropping the kinetic
 *     term of the pressure (≈ 3500 bar here) or the pressure's volume
 *     factor misses by far.
 *   |⟨T⟩/T0 − 1| < 0.02 (σ ≈ 0.3 %).
 *   the box really moved: the mean lattice constant differs from the start
 *     by > 0.5 % (Cu_u3: 3.58 → 3.633 Å, 1.5 %; lj: 3.66 → 3.630 Å, 0.8 %); the value
 *     itself is checked against LAMMPS by tests/peers/npt_vs_lammps.py.
 *   conserved quantity (E + chains + ½ W_eff v_ε² + P_ext V) over the
 *     whole run, step 0 included: |slope| < 1e-6 eV/atom/ps (measured
 *     ≤ 2e-7 for Cu_u3, ≈ 3e-8 for lj); max |C − C0|/N < 1e-4 eV/atom for
 *     Cu_u3 (measured 1.2e-5) and < 2e-4 for lj (measured 5.8e-5: lj's
 *     force jumps at its cutoff, where the energy is only shifted, so pairs
 *     crossing it kick the energy, and the box's breathing makes them
 *     cross more often than in NVE, where the same potential shows
 *     2e-5); |C_end − C0| and
 *     max |C − C0| both ≥ 50× smaller than the same measures of the total
 *     energy E, which changes by ≈ 0.04 eV/atom as the thermostat heats the
 *     lattice and the barostat does work on it (measured ratios > 1000).
 */
#include <string.h>

#include "bench/bench.h"
#include "build/build.h"
#include "core/units.h"
#include "ensemble_stats.h"
#include "md/md.h"
#include "testutil.h"

#define T0 300.0
#define EQUIL_FS 10000.0
#define PROD_FS 40000.0
#define TOL_P_BAR 75.0
#define TOL_MEAN_T 0.02
#define MIN_LATTICE_MOVE 0.005
#define TOL_SLOPE 1e-6
#define MIN_RATIO 50.0

#define CU_FILE "/usr/share/lammps/potentials/Cu_u3.eam"

static int npt_run(const char *calc, int atoms, double a0, double p_bar, double tol_dev) {
  mdb_case c;
  mdb_result r;
  mdb_err err;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "copper");
  snprintf(c.calculator, sizeof c.calculator, "%s", calc);
  snprintf(c.protocol, sizeof c.protocol, "NPT");
  c.n_atoms = atoms;
  c.lattice_A = a0;
  c.n_steps = (int)(EQUIL_FS + PROD_FS);
  c.warmup_steps = 0;
  c.timestep_fs = 1.0;
  c.temperature_K = T0;
  c.pressure_bar = p_bar;
  c.pressure_set = 1;
  c.energy_interval = 10;
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(strcmp(r.c.thermostat, "nhc") == 0 && r.c.tdamp_fs == 100.0 && r.c.pdamp_fs == 1000.0 && r.c.chain == 3);
  int ns = r.n_samples, k0 = 0;
  while (k0 < ns - 1 && r.th_time_fs[k0] < EQUIL_FS) k0++;
  int n = ns - k0;
  double ncell = atoms / 4.0;
  double *a = calloc((size_t)ns, sizeof *a);
  for (int k = 0; k < ns; k++) a[k] = cbrt(r.th_volume[k] / ncell);
  es_result p = es_block(r.th_pressure + k0, n, 10), t = es_block(r.th_temperature + k0, n, 10),
            la = es_block(a + k0, n, 10);
  const es_excursion x = es_excursions(&r);
  const double cdev = x.cdev, cend = x.cend, edev = x.edev, eend = x.eend, eslope = x.eslope;
  printf("copper %s NPT, %d atoms, %.0f K, %.6g bar, from a = %.4f Å (P0 = %.0f bar), %.0f ps production:\n"
         "  <P> = %.1f ± %.1f bar (sample std %.0f; tol %.0f)   <T> = %.2f ± %.2f K\n"
         "  <a> = %.5f ± %.5f Å   V std/V %.4f   %ld neighbour builds\n"
         "  conserved: slope %.3e eV/atom/ps, max|C-C0| %.3e, |C_end-C0| %.3e eV/atom\n"
         "  total E:   slope %.3e eV/atom/ps, max|E-E0| %.3e, |E_end-E0| %.3e eV/atom (ratios %.0f, %.0f); "
         "%.1f us/step\n",
         calc, r.n_atoms, T0, p_bar, a0, r.th_pressure[0], PROD_FS * 1e-3, p.mean, p.mean_err, sqrt(p.var), TOL_P_BAR,
         t.mean, t.mean_err, la.mean, la.mean_err, sqrt(es_block(r.th_volume + k0, n, 10).var) / r.mean_volume,
         r.neighbor_builds, r.drift_slope, cdev, cend, eslope, edev, eend, edev / cdev, eend / cend, r.step.mean * 1e3);
  CHECK_ABS(p.mean, p_bar, TOL_P_BAR);
  CHECK_REL(t.mean, T0, TOL_MEAN_T, 0);
  CHECK(fabs(la.mean / a0 - 1) > MIN_LATTICE_MOVE);
  CHECK(fabs(r.drift_slope) < TOL_SLOPE);
  CHECK(cdev < tol_dev);
  CHECK(cdev * MIN_RATIO < edev);
  CHECK(cend * MIN_RATIO < eend);
  free(a);
  mdb_result_free(&r);
  return check_report();
}

/* ------------------------------------------------ neighbour list, strain */

/* Pairs (i < j) closer than rc: by brute force (the nearest image: the
 * cells below stay wider than 2 rc, so no pair has two images within rc)
 * and by the half list from the positions now in sys (ghosts refreshed). */
static long pairs_brute(const mdb_system *sys, double rc) {
  long cnt = 0;
  for (int i = 0; i < sys->n; i++)
    for (int j = i + 1; j < sys->n; j++) cnt += tu_image_distance(&sys->box, sys->x + 3 * i, sys->x + 3 * j) < rc;
  return cnt;
}

static long pairs_list(const mdb_neigh *nl, const mdb_system *sys, double rc) {
  long cnt = 0;
  for (int i = 0; i < sys->n; i++)
    for (int q = nl->half_start[i]; q < nl->half_start[i + 1]; q++) {
      const double *xi = sys->x + 3 * i, *xj = sys->x + 3 * nl->half[q];
      double d2 = 0;
      for (int k = 0; k < 3; k++) d2 += (xj[k] - xi[k]) * (xj[k] - xi[k]);
      cnt += d2 < rc * rc;
    }
  return cnt;
}

/* Deforms the cell by (1 + strain) in a random direction mix (isotropic
 * plus, for triclinic, a shear), carries the atoms along affinely, and adds
 * non-affine kicks of up to amp Å per component. */
static void deform(mdb_system *sys, double iso, double shear, double amp, uint64_t seed, uint32_t it) {
  double m[3][3] = {{1 + iso, shear, 0}, {0, 1 + iso, 0}, {0, 0, 1 + iso}}, h[3][3];
  mdb_err err;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      h[a][b] = sys->box.h[a][0] * m[0][b] + sys->box.h[a][1] * m[1][b] + sys->box.h[a][2] * m[2][b];
  for (int i = 0; i < sys->n; i++) {
    double *x = sys->x + 3 * i, y[3];
    for (int b = 0; b < 3; b++) y[b] = x[0] * m[0][b] + x[1] * m[1][b] + x[2] * m[2][b];
    for (int b = 0; b < 3; b++)
      x[b] = y[b] + amp * (2 * mdb_rng_uniform(seed, MDB_STREAM_PERTURB, (uint32_t)sys->id[i], it * 3 + b, 1) - 1);
  }
  REQUIRE_OK(mdb_box_set(&sys->box, h, &err), &err);
}

static void strain_walk(const char *label, const double h[3][3], int n, double rc, double skin, double shear) {
  mdb_system sys;
  mdb_neigh nl;
  mdb_err err;
  const char *sp[] = {"Ar"};
  tu_system(&sys, n, h, sp, 1, NULL, 0, 2.0, 11);
  REQUIRE_OK(mdb_neigh_init(&nl, rc, skin, MDB_NEIGH_HALF, &err), &err);
  REQUIRE_OK(mdb_neigh_build(&nl, &sys, &err), &err);
  int kept = 0, rebuilt_n = 0, missing = 0;
  for (uint32_t it = 0; it < 400; it++) {
    /* a breathing box: 100 updates compressing by 0.2 % ± 0.2 % each (18 %
     * in all), 100 expanding, twice; non-affine kicks up to 0.03 Å */
    double u = mdb_rng_uniform(5, MDB_STREAM_PERTURB, it, 0, 0);
    double trend = (it / 100) % 2 ? 0.002 : -0.002;
    deform(&sys, trend + 0.002 * (2 * u - 1), shear * (2 * u - 1), 0.03, 17, it);
    int rebuilt = -1;
    REQUIRE_OK(mdb_neigh_update(&nl, &sys, &rebuilt, &err), &err);
    rebuilt ? rebuilt_n++ : kept++;
    long want = pairs_brute(&sys, rc), have = pairs_list(&nl, &sys, rc);
    missing += want != have;
  }
  printf("%-28s %d updates kept the list, %d rebuilt it; %d with a pair missing\n", label, kept, rebuilt_n, missing);
  CHECK(missing == 0);
  CHECK(kept > 20 && rebuilt_n > 5);
  mdb_neigh_free(&nl);
  mdb_system_free(&sys);
}

/* The rule itself: a pure dilation by 1 + δ is kept while r_list ‖δ I‖_F =
 * r_list √3 δ ≤ skin/2 and rebuilt beyond; an unchanged cell with one atom
 * moved by just under/over skin/2 likewise. */
static void strain_threshold(void) {
  const double h[3][3] = {{20, 0, 0}, {0, 21, 0}, {0, 0, 22}}, rc = 5.0, skin = 1.0;
  const char *sp[] = {"Ar"};
  mdb_err err;
  double dcrit = 0.5 * skin / ((rc + skin) * sqrt(3.0));
  for (int over = 0; over < 2; over++) {
    mdb_system sys;
    mdb_neigh nl;
    tu_system(&sys, 60, h, sp, 1, NULL, 0, 2.0, 3);
    REQUIRE_OK(mdb_neigh_init(&nl, rc, skin, MDB_NEIGH_HALF, &err), &err);
    REQUIRE_OK(mdb_neigh_build(&nl, &sys, &err), &err);
    deform(&sys, dcrit * (over ? 1.01 : 0.99), 0, 0, 1, 0);
    int rebuilt = -1;
    REQUIRE_OK(mdb_neigh_update(&nl, &sys, &rebuilt, &err), &err);
    CHECK(rebuilt == over);
    mdb_neigh_free(&nl);
    mdb_system_free(&sys);
  }
  printf("pure dilation: kept at 0.99, rebuilt at 1.01 times the critical strain %.5f\n", dcrit);
}

static int neigh_strain(void) {
  const double ortho[3][3] = {{16, 0, 0}, {0, 17, 0}, {0, 0, 18}};
  const double tric[3][3] = {{16, 0, 0}, {3, 16, 0}, {-2, 1.5, 17}};
  strain_threshold();
  strain_walk("orthorhombic, skin 1.0", ortho, 90, 5.0, 1.0, 0.0);
  strain_walk("orthorhombic, skin 0.4", ortho, 90, 5.0, 0.4, 0.0);
  strain_walk("triclinic with shear", tric, 90, 5.0, 1.0, 0.002);
  return check_report();
}

/* ------------------------------------------------------ ensemble checks */

/* A test-only calculator that says it cannot give a virial (md/md.h: it
 * sets virial_set and leaves NaN). */
static mdb_status nv_init(void **ctx, const mdb_calc_spec *spec, mdb_err *err) {
  *ctx = NULL;
  return MDB_OK;
}
static double nv_cutoff(const void *ctx) { return 3.0; }
static unsigned nv_kinds(const void *ctx) { return MDB_NEIGH_HALF; }
static mdb_status nv_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                             mdb_err *err) {
  out->energy = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) out->virial[a][b] = NAN;
  out->virial_set = 1;
  return MDB_OK;
}
static void nv_fini(void *ctx) {}
static const mdb_calc_ops novirial_ops = {.name = "novirial",
                                          .device = "cpu",
                                          .summary = "test only: no virial",
                                          .init = nv_init,
                                          .cutoff = nv_cutoff,
                                          .neigh_kinds = nv_kinds,
                                          .compute = nv_compute,
                                          .fini = nv_fini};

static void expect_error(mdb_status st, const mdb_err *err, const char *want) {
  int ok = st == MDB_EINPUT && strstr(err->msg, want) != NULL;
  printf("  %-60s %s\n", want, ok ? "ok" : "FAIL");
  if (!ok) fprintf(stderr, "    status %d, message: %s\n", (int)st, st ? err->msg : "(none)");
  CHECK(ok);
}

static int errors(void) {
  mdb_err err;
  mdb_ensemble e;
  mdb_protocol p;
  mdb_thermostat t;
  printf("ensemble checks:\n");
  expect_error(mdb_protocol_parse("NPH", &p, &err), &err, "unknown protocol 'NPH' (valid: NVE, NVT, NPT)");
  expect_error(mdb_thermostat_parse("berendsen", &t, &err), &err,
               "unknown thermostat 'berendsen' (valid: nhc, langevin)");
  mdb_ensemble_defaults(&e);
  e.thermostat = MDB_THERMOSTAT_NHC;
  expect_error(mdb_ensemble_check(&e, &err), &err, "--thermostat nhc needs --protocol NVT or NPT");
  e.protocol = MDB_PROTOCOL_NVT;
  CHECK(mdb_ensemble_check(&e, &err) == MDB_OK);
  e.tdamp_fs = 0;
  expect_error(mdb_ensemble_check(&e, &err), &err, "--tdamp-fs must be > 0");
  e.tdamp_fs = -5;
  expect_error(mdb_ensemble_check(&e, &err), &err, "--tdamp-fs must be > 0");
  e.tdamp_fs = 100;
  e.temperature_K = 0;
  expect_error(mdb_ensemble_check(&e, &err), &err, "needs a target --temperature-K > 0");
  e.temperature_K = 300;
  e.chain = 0;
  expect_error(mdb_ensemble_check(&e, &err), &err, "chain length must be 1..10");
  e.chain = 3;
  e.protocol = MDB_PROTOCOL_NPT;
  e.pdamp_fs = 0;
  expect_error(mdb_ensemble_check(&e, &err), &err, "--pdamp-fs must be > 0");
  e.pdamp_fs = 1000;
  e.thermostat = MDB_THERMOSTAT_LANGEVIN;
  expect_error(mdb_ensemble_check(&e, &err), &err, "--thermostat must be nhc (got langevin)");
  e.thermostat = MDB_THERMOSTAT_NHC;
  CHECK(mdb_ensemble_check(&e, &err) == MDB_OK);

  /* NPT on a triclinic cell, and with a calculator that gives no virial */
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  const double tric[3][3] = {{12, 0, 0}, {2, 12, 0}, {0, 0, 12}};
  const char *sp[] = {"Ar"};
  tu_system(&sys, 40, tric, sp, 1, NULL, 0, 2.5, 9);
  snprintf(sys.name, sizeof sys.name, "tilted.xyz");
  REQUIRE_OK(mdb_calc_create(&calc, "lj", "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(&md, &sys, &calc, 1.0, 1.0, &err), &err);
  expect_error(mdb_md_set_ensemble(&md, &e, &err), &err, "the cell of tilted.xyz is triclinic");
  e.protocol = MDB_PROTOCOL_NVT;
  CHECK(mdb_md_set_ensemble(&md, &e, &err) == MDB_OK); /* NVT is fine on any cell */
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);

  const double cube[3][3] = {{12, 0, 0}, {0, 12, 0}, {0, 0, 12}};
  tu_system(&sys, 40, cube, sp, 1, NULL, 0, 2.5, 9);
  memset(&calc, 0, sizeof calc);
  calc.ops = &novirial_ops;
  snprintf(calc.spec.name, sizeof calc.spec.name, "novirial");
  REQUIRE_OK(mdb_md_init(&md, &sys, &calc, 1.0, 1.0, &err), &err);
  CHECK(mdb_md_set_ensemble(&md, &e, &err) == MDB_OK); /* NVT needs no virial */
  e.protocol = MDB_PROTOCOL_NPT;
  expect_error(mdb_md_set_ensemble(&md, &e, &err), &err, "calculator 'novirial' gives no virial");
  mdb_md_free(&md);
  mdb_system_free(&sys);

  /* a thermostat needs degrees of freedom */
  tu_system(&sys, 1, cube, sp, 1, NULL, 0, 2.5, 9);
  REQUIRE_OK(mdb_calc_create(&calc, "lj", "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(&md, &sys, &calc, 1.0, 1.0, &err), &err);
  e.protocol = MDB_PROTOCOL_NVT;
  expect_error(mdb_md_set_ensemble(&md, &e, &err), &err, "needs at least 2 atoms");
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);

  /* the case layer: settings that do not apply to the protocol */
  mdb_case c;
  mdb_case_defaults(&c);
  c.pressure_set = 1;
  expect_error(mdb_case_resolve(&c, &err), &err, "--pressure-bar needs --protocol NPT (got NVE)");
  mdb_case_defaults(&c);
  c.tdamp_fs = 50;
  expect_error(mdb_case_resolve(&c, &err), &err, "--tdamp-fs needs --protocol NVT or NPT");
  mdb_case_defaults(&c);
  snprintf(c.protocol, sizeof c.protocol, "NVT");
  c.pdamp_fs = 50;
  expect_error(mdb_case_resolve(&c, &err), &err, "--pdamp-fs needs --protocol NPT (got NVT)");
  mdb_case_defaults(&c);
  snprintf(c.protocol, sizeof c.protocol, "NVT");
  snprintf(c.thermostat, sizeof c.thermostat, "langevin");
  c.chain = 4;
  expect_error(mdb_case_resolve(&c, &err), &err, "chain length needs --thermostat nhc (got langevin)");
  /* defaults are filled once and resolving again changes nothing */
  mdb_case_defaults(&c);
  snprintf(c.protocol, sizeof c.protocol, "NPT");
  REQUIRE_OK(mdb_case_resolve(&c, &err), &err);
  mdb_case c2 = c;
  REQUIRE_OK(mdb_case_resolve(&c2, &err), &err);
  CHECK(memcmp(&c, &c2, sizeof c) == 0);
  CHECK(strcmp(c.thermostat, "nhc") == 0 && c.tdamp_fs == 100 && c.pdamp_fs == 1000 && c.chain == 3 &&
        c.pressure_bar == 1.01325);
  return check_report();
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "";
  if (strcmp(which, "copper-eam") == 0) {
    FILE *f = fopen(CU_FILE, "r");
    if (!f) {
      printf("SKIP: %s not found (Debian: apt install lammps-data)\n", CU_FILE);
      return 77;
    }
    fclose(f);
    return npt_run("eam:file=" CU_FILE, 256, 3.58, 1.0, 1e-4);
  }
  if (strcmp(which, "copper-lj") == 0) return npt_run("lj", 108, 3.66, 10000.0, 2e-4);
  if (strcmp(which, "neigh-strain") == 0) return neigh_strain();
  if (strcmp(which, "errors") == 0) return errors();
  fprintf(stderr, "usage: %s copper-eam|copper-lj|neigh-strain|errors\n", argv[0]);
  return 2;
}
