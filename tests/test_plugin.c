/*
 * Calculator plugins (include/mdbench/calculator.h, src/calc/plugin.c),
 * end to end through the example examples/plugins/morse.c loaded as
 * plugin:lib=libmorse.so.
 *
 * Usage: plugin_test [forces|direct|nve|errors|tether|abi1] (no argument:
 * forces).
 *   forces  forces are −∇E and the virial −∂E/∂ε by central finite
 *           differences (tu_finite_differences), on fcc Cu perturbed by
 *           ±0.15 Å in a 10.845 Å cube (3³ cells) and a 7.23 Å cube (2³,
 *           < 2 rc: atoms meet several images of themselves); each force
 *           component within 1e-6 of the largest |F|, each virial component
 *           within 1e-6 of the largest |W|.
 *   direct  the energy and forces through mdbench (ghosts, half list, fold)
 *           against a direct sum of the Morse formula over every periodic
 *           image, written here from the paper's parameters: energy within
 *           1e-10 relative, each force component within 1e-10 of max |F|.
 *   nve     copper 108, 300 K, dt = 1 fs, 5,000 steps through mdb_case_run.
 *           Measured: slope −1.1e-7 eV/atom/ps, max |E − E0| 1.6e-5 eV/atom
 *           (velocity Verlet's O(dt²) breathing; the force is not shifted
 *           at rc, so pairs crossing rc add a little on top). Bounds:
 *             |drift slope of E/N|  < 2e-6 eV/atom/ps   (18x over)
 *             max |E(t) − E(0)| / N < 5e-5 eV/atom      (3x over)
 *             max |P(t) − P(0)| / N < 1e-10 amu·Å/fs
 *           and the temperature really moves (std > 5 K).
 *   errors  a missing library, a library without mdb_plugin_entry_v1, one
 *           that reports ABI 99, no lib key, an unknown and a bad Morse key:
 *           each MDB_EINPUT with the exact message.
 *   tether  tests/plugin_tether.c (E = k/2 Σ|x − x0|², not periodic), k =
 *           0.5 eV/Å², on copper 108 at 600 K with skin 0.1 Å, dt = 1 fs,
 *           2,000 steps: the atoms at the cell's faces cross them and the
 *           list is rebuilt every few steps. With x_unwrapped (and
 *           atom_ids), measured: 221 builds, max |E − E0| / N 1.5e-6
 *           eV/atom (velocity Verlet's O((ω dt)²), ω dt = 0.009). Bounds:
 *           max |E − E0| / N < 1e-5 eV/atom (7x over), > 20 builds, T
 *           moves (std > 5 K). With the wrapped positions the same run
 *           must jump: max |E − E0| / N > 1e-2 eV/atom (one wrap alone is
 *           k/2·L²/N ≈ 0.27; measured 13, and the run fails as a runaway).
 *   abi1    a plugin that declares ABI 1 (libtether_v1.so) loads and
 *           computes (E = 0 at its first call: x0 = x), its frame has the
 *           version-2 fields NULL; the loader takes ABI 1 and 2 only.
 *
 * Built a second and third time as MODULE libraries (MDB_PLUGIN_TEST_LIB =
 * 1: libnotaplugin.so, no entry point; 2: libbadabi.so, ABI 99).
 */
#if defined(MDB_PLUGIN_TEST_LIB) && MDB_PLUGIN_TEST_LIB == 1

int mdb_not_a_plugin(void);
int mdb_not_a_plugin(void) { return 42; }

#elif defined(MDB_PLUGIN_TEST_LIB) && MDB_PLUGIN_TEST_LIB == 2

#include "mdbench/calculator.h"

static const mdb_plugin_v1 bad = {.abi_version = 99, .name = "badabi"};
const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &bad; }

#else

#include <string.h>

#include "bench/bench.h"
#include "mdbench/calculator.h"
#include "testutil.h"

#define MORSE_SPEC "plugin:lib=" MDB_MORSE_PLUGIN

/* Girifalco & Weizer (1959) copper, and the plugin's default cutoff */
static const double GW_D = 0.3429, GW_A = 1.3588, GW_R0 = 2.866, DEFAULT_RC = 7.0;

static void fcc_copper(mdb_system *sys, int reps, double amp, uint64_t seed) {
  static const double basis[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
  const double a = 3.615;
  int n = 4 * reps * reps * reps, i = 0;
  double *base = malloc((size_t)n * 3 * sizeof *base);
  for (int cx = 0; cx < reps; cx++)
    for (int cy = 0; cy < reps; cy++)
      for (int cz = 0; cz < reps; cz++)
        for (int b = 0; b < 4; b++, i++) {
          int cell[3] = {cx, cy, cz};
          for (int k = 0; k < 3; k++) base[3 * i + k] = (cell[k] + basis[b][k]) * a;
        }
  double L = reps * a;
  const double h[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  const char *sp[] = {"Cu"};
  tu_system(sys, n, h, sp, 1, base, amp, 0, seed);
  free(base);
}

static void forces(void) {
  mdb_err err;
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, MORSE_SPEC, "cpu", &err), &err);
  for (int reps = 3; reps >= 2; reps--) {
    mdb_system sys;
    fcc_copper(&sys, reps, 0.15, 7);
    tu_fd r = tu_finite_differences(&sys, &calc, 12);
    printf("morse plugin, Cu %d atoms in a %.3f Å cube: E = %.10g eV, max|F| = "
           "%.4g eV/Å, max|W| = %.4g eV, "
           "worst errors: force %.2e, virial %.2e\n",
           sys.n, sys.box.h[0][0], r.energy, r.fmax, r.wmax, r.force_err, r.virial_err);
    CHECK(r.force_err < 1e-6);
    CHECK(r.virial_err < 1e-6);
    CHECK(r.fmax > 0.1);
    mdb_system_free(&sys);
  }
  mdb_calc_free(&calc);
}

/* E and F by a plain double loop over atom pairs and lattice images. */
static double direct_sum(const mdb_system *sys, double D, double a, double r0, double rc, double *f) {
  double e_rc = exp(-a * (rc - r0)), shift = D * ((1 - e_rc) * (1 - e_rc) - 1), energy = 0;
  double wmin = fmin(sys->box.width[0], fmin(sys->box.width[1], sys->box.width[2]));
  int m = (int)ceil(rc / wmin) + 1;
  memset(f, 0, (size_t)sys->n * 3 * sizeof *f);
  for (int i = 0; i < sys->n; i++)
    for (int j = 0; j < sys->n; j++)
      for (int na = -m; na <= m; na++)
        for (int nb = -m; nb <= m; nb++)
          for (int nc = -m; nc <= m; nc++) {
            if (i == j && !na && !nb && !nc) continue;
            double s[3] = {na, nb, nc}, t[3], d[3];
            mdb_box_to_cart(&sys->box, s, t);
            for (int k = 0; k < 3; k++) d[k] = sys->x[3 * j + k] + t[k] - sys->x[3 * i + k];
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r >= rc) continue;
            double e = exp(-a * (r - r0));
            energy += 0.5 * (D * ((1 - e) * (1 - e) - 1) - shift);
            double dphi = 2 * D * a * (1 - e) * e; /* force on i from j: +φ'(r) d/r */
            for (int k = 0; k < 3; k++) f[3 * i + k] += dphi * d[k] / r;
          }
  return energy;
}

static void direct(void) {
  static const struct {
    const char *spec;
    double D, a, r0, rc;
  } cases[] = {
      {MORSE_SPEC, 0.3429, 1.3588, 2.866, 7.0},
      {MORSE_SPEC ",D=0.5,a=1.2,r0=2.7,rc=9.5", 0.5, 1.2, 2.7, 9.5},
  };
  for (int c = 0; c < 2; c++)
    for (int reps = 3; reps >= 2; reps--) {
      mdb_err err;
      mdb_calc calc;
      mdb_system sys;
      REQUIRE_OK(mdb_calc_create(&calc, cases[c].spec, "cpu", &err), &err);
      fcc_copper(&sys, reps, 0.2, 11);
      double *f = malloc((size_t)sys.n * 3 * sizeof *f), *fd = malloc((size_t)sys.n * 3 * sizeof *fd);
      double e = tu_eval(&sys, &calc, f, NULL);
      double ed = direct_sum(&sys, cases[c].D, cases[c].a, cases[c].r0, cases[c].rc, fd);
      double fbig = 0, ferr = 0;
      for (int i = 0; i < 3 * sys.n; i++) fbig = fmax(fbig, fabs(fd[i]));
      for (int i = 0; i < 3 * sys.n; i++) ferr = fmax(ferr, fabs(f[i] - fd[i]) / fbig);
      printf("%s, Cu %d: E = %.12f eV (direct sum %.12f), worst force error "
             "%.2e of max|F| %.4g eV/Å\n",
             c ? "explicit keys" : "defaults", sys.n, e, ed, ferr, fbig);
      CHECK_REL(e, ed, 1e-10, 0);
      CHECK(ferr < 1e-10);
      CHECK(fabs(mdb_calc_cutoff(&calc) - cases[c].rc) == 0);
      free(f);
      free(fd);
      mdb_system_free(&sys);
      mdb_calc_free(&calc);
    }
  /* the defaults are the paper's copper */
  CHECK(GW_D == cases[0].D && GW_A == cases[0].a && GW_R0 == cases[0].r0 && DEFAULT_RC == cases[0].rc);
}

static void nve(void) {
  mdb_err err;
  mdb_case c;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "copper");
  snprintf(c.calculator, sizeof c.calculator, "%s", MORSE_SPEC);
  c.n_atoms = 108;
  c.n_steps = 5000;
  c.warmup_steps = 0;
  c.timestep_fs = 1.0;
  c.temperature_K = 300.0;
  c.seed = 42;
  c.energy_interval = 10;
  mdb_result r;
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  printf("copper 108 morse plugin NVE 5 ps: status %s, slope %.3e eV/atom/ps, "
         "max|E-E0| %.3e eV/atom, momentum "
         "drift %.2e, T %.1f ± %.1f K, %ld list builds, %.1f us/step\n",
         r.status, r.drift_slope, r.max_dev_per_atom, r.momentum_drift, r.mean_temperature, r.std_temperature,
         r.neighbor_builds, r.step.mean * 1e3);
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(r.n_atoms == 108 && r.n_timed == 5000);
  CHECK(fabs(r.drift_slope) < 2e-6);
  CHECK(r.max_dev_per_atom < 5e-5);
  CHECK(r.momentum_drift < 1e-10);
  CHECK(r.std_temperature > 5.0);
  mdb_result_free(&r);
}

static void expect_error(const char *spec, const char *want, int prefix_only) {
  mdb_err err = {0};
  mdb_calc calc;
  mdb_status st = mdb_calc_create(&calc, spec, "cpu", &err);
  int ok = st == MDB_EINPUT && (prefix_only ? strncmp(err.msg, want, strlen(want)) == 0 : strcmp(err.msg, want) == 0);
  printf("%-60.60s -> %d: %s\n", spec, (int)st, err.msg);
  if (!ok) fprintf(stderr, "  wanted MDB_EINPUT and %s'%s'\n", prefix_only ? "a message starting " : "", want);
  CHECK(ok);
  if (st == MDB_OK) mdb_calc_free(&calc);
}

static void errors(void) {
  expect_error("plugin:lib=/nonexistent/libnope.so", "plugin: cannot load /nonexistent/libnope.so: ", 1);
  {
    mdb_err err = {0};
    mdb_calc calc;
    mdb_calc_create(&calc, "plugin:lib=/nonexistent/libnope.so", "cpu", &err);
    CHECK(strstr(err.msg, "No such file") != NULL); /* dlerror's own text is passed on */
  }
  expect_error("plugin:lib=" MDB_NOTAPLUGIN,
               "plugin: " MDB_NOTAPLUGIN " has no symbol mdb_plugin_entry_v1 (is it an mdbench plugin built "
               "against include/mdbench/calculator.h ABI 1 to 3?)",
               0);
  expect_error("plugin:lib=" MDB_BADABI, "plugin: " MDB_BADABI " implements ABI 99, this mdbench accepts ABI 1 to 3",
               0);
  expect_error(MORSE_SPEC ",eps=1", "plugin: " MDB_MORSE_PLUGIN ": morse has no parameter 'eps' (valid: D, a, r0, rc)",
               0);
  expect_error(MORSE_SPEC ",rc=-2", "plugin: " MDB_MORSE_PLUGIN ": morse: rc=-2 must be a number > 0", 0);
  expect_error("plugin", "calculator 'plugin': plugin needs lib=PATH", 1);
  expect_error("plugin:D=1", "calculator 'plugin:D=1': plugin needs lib=PATH", 1);
}

/* copper 108 under the tether plugin (hot, small skin: many rebuilds, atoms
 * wrap); positions: "unwrapped" or "wrapped". */
static mdb_result tether_run(const char *positions) {
  mdb_err err;
  mdb_case c;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "copper");
  snprintf(c.calculator, sizeof c.calculator, "plugin:lib=%s,k=0.5,positions=%s", MDB_TETHER_PLUGIN, positions);
  c.n_atoms = 108;
  c.n_steps = 2000;
  c.warmup_steps = 0;
  c.timestep_fs = 1.0;
  c.temperature_K = 600.0;
  c.seed = 42;
  c.energy_interval = 10;
  c.skin_A = 0.1;
  mdb_result r;
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  printf("copper 108 tether plugin (%s positions), 600 K, skin 0.1 Å, 2000 "
         "steps: status %s (step %ld: %s), %ld list builds, max|E-E0| %.3e "
         "eV/atom, slope %.3e eV/atom/ps, T %.1f ± %.1f K\n",
         positions, r.status, r.fail_step, r.fail_step >= 0 ? r.fail_reason : "-", r.neighbor_builds,
         r.max_dev_per_atom, r.drift_slope, r.mean_temperature, r.std_temperature);
  return r;
}

static void tether(void) {
  mdb_result r = tether_run("unwrapped");
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(r.n_atoms == 108 && r.n_timed == 2000);
  CHECK(r.neighbor_builds > 20);
  CHECK(r.max_dev_per_atom < 1e-5);
  CHECK(r.std_temperature > 5.0);
  mdb_result_free(&r);
  /* the same trajectory until the first wrap, then a jump: measured max
   * |E − E0|/N 13 eV/atom, and the run fails as a runaway */
  mdb_result w = tether_run("wrapped");
  CHECK(w.max_dev_per_atom > 1e-2);
  mdb_result_free(&w);
}

static void abi1(void) {
  mdb_err err;
  mdb_calc calc;
  mdb_system sys;
  REQUIRE_OK(mdb_calc_create(&calc, "plugin:lib=" MDB_TETHER_V1_PLUGIN, "cpu", &err), &err);
  fcc_copper(&sys, 3, 0.1, 3);
  double *f = malloc((size_t)sys.n * 3 * sizeof *f);
  /* the v1 build fails its compute when given ABI-2 fields, so a clean
   * evaluation also says they were NULL */
  double e = tu_eval(&sys, &calc, f, NULL);
  double fbig = 0;
  for (int i = 0; i < 3 * sys.n; i++) fbig = fmax(fbig, fabs(f[i]));
  printf("ABI-1 plugin: E = %g eV, max|F| = %g eV/Å at its first call\n", e, fbig);
  CHECK(e == 0 && fbig == 0);
  free(f);
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
  CHECK(MDB_PLUGIN_ABI_MIN_VERSION == 1 && MDB_PLUGIN_ABI_VERSION == 3);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "forces";
  if (strcmp(mode, "forces") == 0)
    forces();
  else if (strcmp(mode, "direct") == 0)
    direct();
  else if (strcmp(mode, "nve") == 0)
    nve();
  else if (strcmp(mode, "errors") == 0)
    errors();
  else if (strcmp(mode, "tether") == 0)
    tether();
  else if (strcmp(mode, "abi1") == 0)
    abi1();
  else {
    fprintf(stderr,
            "unknown mode '%s' (valid: forces, direct, nve, errors, tether, "
            "abi1)\n",
            mode);
    return 2;
  }
  return check_report();
}

#endif
