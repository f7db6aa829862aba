/*
 * spcfw (flexible SPC/Fw water, DSF Coulomb): three behaviours, one per mode
 * (tests/calc_spcfw.cmake registers each as its own test).
 *
 * fd (default): forces are −∇E and the virial is −∂E/∂ε, by central finite
 *   differences (h = 1e-5 Å, strain δ = 1e-6), on the water builder's
 *   96-atom box with every atom displaced by up to ±0.08 Å (bonds and angles
 *   off equilibrium):
 *     - as built (box 9.86 Å < rc = 10 Å: atoms meet images of their own
 *       molecule);
 *     - shifted by half a cell along every axis, so that many molecules
 *       straddle the boundary (the test counts them: > 5);
 *     - spcfw:alpha=0.27,rc=7.5 on a 192-atom box.
 *   Tolerances: every force component of every atom within 1e-6·max|F|,
 *   every virial component within 1e-6·max|W|. The forces with and without
 *   MDB_COMPUTE_ENERGY must be identical bit for bit.
 *
 * reference: energy and forces equal an independent direct sum written out
 *   here from the published parameters (all periodic images within rc; for
 *   the same-image intramolecular pairs no LJ and the bare q_i q_j C/r taken
 *   out of the DSF term, as LAMMPS does; the DSF self term), on the
 *   displaced 96-atom box: energy within 1e-11 relative, forces within 1e-9
 *   eV/Å. A wrong constant, charge, exclusion or self term fails this.
 *
 * input: bad specs and systems give one-line errors naming the problem: an
 *   unknown key, alpha < 0, rc <= 3 Å, a species other than O/H, a cell
 *   narrower than 6 Å, a torn molecule; and a system without molecule ids
 *   (an .xyz file) is read as O,H,H triples, giving the same energy.
 */
#include <string.h>

#include "build/build.h"
#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

/* The water builder's box with every coordinate displaced by up to ±amp Å,
 * then every atom shifted by shift·(a+b+c). */
static void water(mdb_system *sys, int n, double amp, double shift, uint64_t seed) {
  mdb_err err;
  REQUIRE_OK(mdb_build_system(sys, "water", n, 0, seed, NULL, &err), &err);
  for (int i = 0; i < sys->n; i++)
    for (int k = 0; k < 3; k++) {
      double u = mdb_rng_uniform(seed, MDB_STREAM_PERTURB, (uint32_t)i, (uint32_t)k, 0);
      sys->x[3 * i + k] += amp * (2 * u - 1) + shift * (sys->box.h[0][k] + sys->box.h[1][k] + sys->box.h[2][k]);
    }
}

/* Molecules whose atoms, each wrapped into the cell, are not all within
 * 3 Å of their O: they straddle the boundary. Needs atoms ordered O,H,H. */
static int count_straddling(const mdb_system *sys) {
  int count = 0;
  for (int m = 0; m < sys->n / 3; m++) {
    double w[3][3];
    for (int a = 0; a < 3; a++) {
      double s[3];
      mdb_box_to_frac(&sys->box, sys->x + 3 * (3 * m + a), s);
      for (int k = 0; k < 3; k++) s[k] -= floor(s[k]);
      mdb_box_to_cart(&sys->box, s, w[a]);
    }
    int far = 0;
    for (int a = 1; a < 3; a++) {
      double d2 = 0;
      for (int k = 0; k < 3; k++) d2 += (w[a][k] - w[0][k]) * (w[a][k] - w[0][k]);
      far |= d2 > 9.0;
    }
    count += far;
  }
  return count;
}

/* Forces from one evaluation with the given flags (original atom order). */
static void forces_with(const mdb_system *src, mdb_calc *calc, unsigned flags, double *forces) {
  mdb_system s;
  mdb_neigh nl;
  mdb_calc_out out;
  mdb_err err;
  REQUIRE_OK(mdb_system_copy(&s, src, &err), &err);
  REQUIRE_OK(mdb_calc_prepare(calc, &s, &err), &err);
  REQUIRE_OK(mdb_neigh_init(&nl, mdb_calc_cutoff(calc), 0.7, mdb_calc_neigh_kinds(calc), &err), &err);
  REQUIRE_OK(mdb_neigh_build(&nl, &s, &err), &err);
  REQUIRE_OK(mdb_calc_compute(calc, &s, &nl, flags, &out, &err), &err);
  for (int i = 0; i < s.n; i++) memcpy(forces + 3 * s.id[i], s.f + 3 * i, 3 * sizeof(double));
  if (!(flags & MDB_COMPUTE_ENERGY)) CHECK(out.energy == 0.0);
  mdb_neigh_free(&nl);
  mdb_system_free(&s);
}

/* ---------------------------------------------------------------- fd */

static void fd_case(const char *label, const char *spec, const mdb_system *src) {
  mdb_err err;
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  mdb_system sys;
  REQUIRE_OK(mdb_system_copy(&sys, src, &err), &err);
  const int n3 = 3 * sys.n;
  double *f_e = malloc((size_t)n3 * sizeof *f_e), *f_noe = malloc((size_t)n3 * sizeof *f_noe);
  forces_with(&sys, &calc, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, f_e);
  forces_with(&sys, &calc, 0, f_noe);
  CHECK(memcmp(f_e, f_noe, (size_t)n3 * sizeof *f_e) == 0);
  tu_fd r = tu_finite_differences(&sys, &calc, 0);
  printf("%-40s E = %.10f eV, max|F| = %.4g eV/Å, max|W| = %.4g eV, worst errors: force %.2e, virial %.2e (%d atoms)\n",
         label, r.energy, r.fmax, r.wmax, r.force_err, r.virial_err, sys.n);
  CHECK(r.force_err < 1e-6);
  CHECK(r.virial_err < 1e-6);
  CHECK(r.fmax > 0.5); /* bonds and angles off equilibrium */
  free(f_e);
  free(f_noe);
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

static int mode_fd(void) {
  mdb_system a, b, c;
  water(&a, 96, 0.08, 0.0, 11);
  water(&b, 96, 0.08, 0.5, 11);
  water(&c, 192, 0.08, 0.0, 12);
  int straddle = count_straddling(&b);
  printf("shifted box: %d of %d molecules straddle the boundary\n", straddle, b.n / 3);
  CHECK(straddle > 5);
  fd_case("water 96, displaced", "spcfw", &a);
  fd_case("water 96, displaced, shifted half a cell", "spcfw", &b);
  fd_case("water 192, alpha=0.27, rc=7.5", "spcfw:alpha=0.27,rc=7.5", &c);
  mdb_system_free(&a);
  mdb_system_free(&b);
  mdb_system_free(&c);
  return check_report();
}

/* ---------------------------------------------------------------- reference */

/* Wu, Tepper & Voth (2006) in eV, Å, e; CODATA 2018 conversions. */
static const double kcal = 4184.0 / (6.02214076e23 * 1.602176634e-19);
static const double coulomb = 1.602176634e-19 / (4.0 * 3.14159265358979323846 * 8.8541878128e-12) * 1e10;

static int mode_reference(void) {
  const double alpha = 0.2, rc = 10.0, sigma = 3.165492, eps = 0.1554253 * kcal;
  const double kb = 1059.162 * kcal, r0 = 1.012, kth = 75.90 * kcal, th0 = 113.24 * 3.14159265358979323846 / 180;
  const double sqrtpi = sqrt(3.14159265358979323846);
  mdb_system sys;
  water(&sys, 96, 0.08, 0.5, 11);
  const int n = sys.n;
  double q[96];
  for (int i = 0; i < n; i++) q[i] = i % 3 ? 0.41 : -0.82;
  /* DSF: V(r) = qq C [erfc(αr)/r − erfc(αRc)/Rc + (erfc(αRc)/Rc² + 2α/√π e^{−α²Rc²}/Rc)(r − Rc)] */
  const double g = erfc(alpha * rc) / (rc * rc) + 2 * alpha / sqrtpi * exp(-alpha * alpha * rc * rc) / rc;
  const double vlj_rc = 4 * eps * (pow(sigma / rc, 12) - pow(sigma / rc, 6));
  double e = 0, *f = calloc((size_t)3 * n, sizeof *f);
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++)
      for (int a = -2; a <= 2; a++)
        for (int b = -2; b <= 2; b++)
          for (int c = -2; c <= 2; c++) {
            double s[3] = {a, b, c}, t[3], d[3];
            mdb_box_to_cart(&sys.box, s, t);
            for (int k = 0; k < 3; k++) d[k] = sys.x[3 * j + k] + t[k] - sys.x[3 * i + k];
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r >= rc || (i == j && !(a | b | c))) continue;
            double half = i == j ? 0.5 : 1.0; /* i with its own image: each pair seen twice */
            double qq = q[i] * q[j] * coulomb;
            double v = qq * (erfc(alpha * r) / r - erfc(alpha * rc) / rc + g * (r - rc));
            double dv = qq * (-erfc(alpha * r) / (r * r) - 2 * alpha / sqrtpi * exp(-alpha * alpha * r * r) / r + g);
            if (i / 3 == j / 3 && r < 3.0) { /* bonded image of a molecule partner: bare Coulomb removed */
              v -= qq / r;
              dv += qq / (r * r);
            } else if (i % 3 == 0 && j % 3 == 0) {
              double sr6 = pow(sigma / r, 6);
              v += 4 * eps * (sr6 * sr6 - sr6) - vlj_rc;
              dv += 4 * eps * (-12 * sr6 * sr6 + 6 * sr6) / r;
            }
            e += half * v;
            for (int k = 0; k < 3; k++) {
              f[3 * i + k] += half * dv * d[k] / r;
              f[3 * j + k] -= half * dv * d[k] / r;
            }
          }
  for (int i = 0; i < n; i++) /* self: −(e_s/2 + α/√π) q² C, e_s = erfc(αRc)/Rc + g Rc */
    e -= (0.5 * (erfc(alpha * rc) / rc + g * rc) + alpha / sqrtpi) * q[i] * q[i] * coulomb;
  for (int m = 0; m < n / 3; m++) { /* the builder's molecules are unwrapped: plain differences */
    const double *xo = sys.x + 9 * m;
    double d[2][3], r[2];
    for (int k = 0; k < 2; k++) {
      for (int c = 0; c < 3; c++) d[k][c] = sys.x[9 * m + 3 * (k + 1) + c] - xo[c];
      r[k] = sqrt(d[k][0] * d[k][0] + d[k][1] * d[k][1] + d[k][2] * d[k][2]);
      e += 0.5 * kb * (r[k] - r0) * (r[k] - r0);
      for (int c = 0; c < 3; c++) {
        double fb = -kb * (r[k] - r0) * d[k][c] / r[k];
        f[9 * m + 3 * (k + 1) + c] += fb;
        f[9 * m + c] -= fb;
      }
    }
    double cs = (d[0][0] * d[1][0] + d[0][1] * d[1][1] + d[0][2] * d[1][2]) / (r[0] * r[1]);
    double th = acos(cs);
    e += 0.5 * kth * (th - th0) * (th - th0);
    /* dθ/dd1 = −(d2/(r1 r2) − cos θ d1/r1²)/sin θ */
    for (int c = 0; c < 3; c++) {
      double f1 = kth * (th - th0) / sin(th) * (d[1][c] / (r[0] * r[1]) - cs * d[0][c] / (r[0] * r[0]));
      double f2 = kth * (th - th0) / sin(th) * (d[0][c] / (r[0] * r[1]) - cs * d[1][c] / (r[1] * r[1]));
      f[9 * m + 3 + c] += f1;
      f[9 * m + 6 + c] += f2;
      f[9 * m + c] -= f1 + f2;
    }
  }
  mdb_calc calc;
  mdb_err err;
  REQUIRE_OK(mdb_calc_create(&calc, "spcfw", "cpu", &err), &err);
  double *fm = malloc((size_t)3 * n * sizeof *fm);
  double em = tu_eval(&sys, &calc, fm, NULL);
  double fworst = 0;
  for (int i = 0; i < 3 * n; i++) fworst = fmax(fworst, fabs(fm[i] - f[i]));
  printf("water 96 direct sum: E = %.12f eV, spcfw %.12f eV (rel diff %.2e), worst force diff %.2e eV/Å\n", e, em,
         fabs(em - e) / fabs(e), fworst);
  CHECK_REL(em, e, 1e-11, 0);
  CHECK(fworst < 1e-9);
  free(f);
  free(fm);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return check_report();
}

/* ---------------------------------------------------------------- input */

static void expect_create_error(const char *spec, const char *needle) {
  mdb_calc calc;
  mdb_err err = {0};
  mdb_status st = mdb_calc_create(&calc, spec, "cpu", &err);
  printf("%-28s -> %s\n", spec, err.msg);
  CHECK(st == MDB_EINPUT);
  CHECK(strstr(err.msg, needle) != NULL);
  CHECK(strchr(err.msg, '\n') == NULL);
  if (!st) mdb_calc_free(&calc);
}

/* Prepare (and, when that passes, one force call) on sys must fail with code
 * and a message containing needle. */
static void expect_system_error(const char *label, mdb_system *sys, mdb_status code, const char *needle) {
  mdb_calc calc;
  mdb_err err = {0};
  REQUIRE_OK(mdb_calc_create(&calc, "spcfw", "cpu", &err), &err);
  mdb_status st = mdb_calc_prepare(&calc, sys, &err);
  if (!st) {
    mdb_neigh nl;
    mdb_calc_out out;
    REQUIRE_OK(mdb_neigh_init(&nl, mdb_calc_cutoff(&calc), 0.0, mdb_calc_neigh_kinds(&calc), &err), &err);
    REQUIRE_OK(mdb_neigh_build(&nl, sys, &err), &err);
    st = mdb_calc_compute(&calc, sys, &nl, MDB_COMPUTE_ENERGY, &out, &err);
    mdb_neigh_free(&nl);
  }
  printf("%-28s -> %s\n", label, err.msg);
  CHECK(st == code);
  CHECK(strstr(err.msg, needle) != NULL);
  mdb_calc_free(&calc);
}

static int mode_input(void) {
  expect_create_error("spcfw:cutoff=9", "valid: alpha, rc");
  expect_create_error("spcfw:alpha=-0.1", "alpha must be >= 0");
  expect_create_error("spcfw:rc=2.5", "rc must be > 3");
  mdb_err err;
  mdb_system s;
  REQUIRE_OK(mdb_build_system(&s, "argon", 32, 0, 0, NULL, &err), &err);
  expect_system_error("argon", &s, MDB_EINPUT, "valid species: O, H");
  mdb_system_free(&s);
  REQUIRE_OK(mdb_build_system(&s, "water", 15, 0, 0, NULL, &err), &err);
  expect_system_error("water 15 (5.3 Å cell)", &s, MDB_EINPUT, "wider than 6 Å");
  mdb_system_free(&s);
  REQUIRE_OK(mdb_build_system(&s, "water", 96, 0, 0, NULL, &err), &err);
  s.mol[4] = 7;
  expect_system_error("molecule of 4 atoms", &s, MDB_EINPUT, "O,H,H");
  s.mol[4] = -1;
  expect_system_error("one atom without mol id", &s, MDB_EINPUT, "no molecule id");
  s.mol[4] = 1;
  { /* the same molecule torn during a run (after a good force call) is a blow-up, not bad input */
    mdb_calc calc;
    mdb_neigh nl;
    mdb_calc_out out;
    REQUIRE_OK(mdb_calc_create(&calc, "spcfw", "cpu", &err), &err);
    REQUIRE_OK(mdb_calc_prepare(&calc, &s, &err), &err);
    REQUIRE_OK(mdb_neigh_init(&nl, mdb_calc_cutoff(&calc), 0.0, mdb_calc_neigh_kinds(&calc), &err), &err);
    REQUIRE_OK(mdb_neigh_build(&nl, &s, &err), &err);
    REQUIRE_OK(mdb_calc_compute(&calc, &s, &nl, MDB_COMPUTE_ENERGY, &out, &err), &err);
    int i4 = 0; /* the build reordered the atoms: find original atom 4 */
    for (int i = 0; i < s.n; i++)
      if (s.id[i] == 4) i4 = i;
    for (int k = 0; k < 3; k++) s.x[3 * i4 + k] += 2.5;
    REQUIRE_OK(mdb_neigh_build(&nl, &s, &err), &err);
    mdb_status st = mdb_calc_compute(&calc, &s, &nl, MDB_COMPUTE_ENERGY, &out, &err);
    printf("%-28s -> %s\n", "torn during a run", err.msg);
    CHECK(st == MDB_ERUN);
    CHECK(strstr(err.msg, "torn apart") != NULL);
    for (int k = 0; k < 3; k++) s.x[3 * i4 + k] -= 2.5;
    mdb_neigh_free(&nl);
    mdb_calc_free(&calc);
  }
  for (int i = 0; i < s.n; i++)
    if (s.id[i] == 4)
      for (int k = 0; k < 3; k++) s.x[3 * i + k] += 2.5; /* an H pulled 4.3 Å out of its molecule */
  /* torn in the input (the first force call): bad input */
  expect_system_error("torn molecule", &s, MDB_EINPUT, "torn apart");
  mdb_system_free(&s);
  /* no molecule ids: O,H,H triples in original order; same energy */
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, "spcfw", "cpu", &err), &err);
  water(&s, 96, 0.05, 0.3, 5);
  double e_mol = tu_eval(&s, &calc, NULL, NULL);
  for (int i = 0; i < s.n; i++) s.mol[i] = -1;
  double e_triples = tu_eval(&s, &calc, NULL, NULL);
  printf("no molecule ids: E = %.12f eV, with ids %.12f eV\n", e_triples, e_mol);
  CHECK(e_triples == e_mol);
  int t = s.type[0];
  s.type[0] = s.type[1];
  s.type[1] = t;
  expect_system_error("no ids, H first", &s, MDB_EINPUT, "consecutive O,H,H");
  mdb_system_free(&s);
  mdb_calc_free(&calc);
  return check_report();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "fd";
  if (strcmp(mode, "fd") == 0) return mode_fd();
  if (strcmp(mode, "reference") == 0) return mode_reference();
  if (strcmp(mode, "input") == 0) return mode_input();
  fprintf(stderr, "usage: %s [fd|reference|input]\n", argv[0]);
  return 2;
}
