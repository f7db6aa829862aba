/*
 * Stillinger–Weber: forces are −∇E and the virial is −∂E/∂ε by central
 * finite differences; the energy equals the SW formulas written out here
 * independently; the built-in parameters equal a .sw file's.
 *
 * Finite differences (every component of every atom; all nine strain
 * components), tolerances relative to the largest |F| and |W|: 1e-6.
 * Steps h = 1e-5 Å and δ = 1e-6 keep truncation and round-off well below.
 * Configurations: built-in Si on perturbed diamond (64 atoms), the 8-atom
 * cubic cell (5.431 Å < 2 rc: several images of one atom are neighbours of
 * another), the 2-atom primitive cell (3.68 Å < rc: an atom meets its own
 * images), a skewed triclinic cell, dense random Si, and — when Debian's
 * lammps-data is installed — GaN.sw (2 elements) and CdTeZnSeHgS0.sw
 * (6 elements, whose i-j-k and i-k-j entries differ).
 *
 * With the argument --file-errors it checks instead that bad potential files
 * and specs give one-line errors naming the file, the line and the choices.
 */
#include <stdarg.h>
#include <unistd.h>

#include "testutil.h"

#define SW_EPS 2.1683
#define SW_SIGMA 2.0951
#define SW_A 1.80
#define SW_LAMBDA 21.0
#define SW_GAMMA 1.20
#define SW_COS0 (-1.0 / 3.0)
#define SW_BIGA 7.049556277
#define SW_BIGB 0.6022245584

static const char *const debian = "/usr/share/lammps/potentials";

/* ------------------------------------------------------- building systems */

static const double diamond_basis[8][3] = {{0, 0, 0},       {0, .5, .5},     {.5, 0, .5},     {.5, .5, 0},
                                           {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};

/* Fractional positions of an nc×nc×nc diamond supercell, mapped through h. */
static int diamond_positions(int nc, const double h[3][3], double *out) {
  int i = 0;
  for (int cz = 0; cz < nc; cz++)
    for (int cy = 0; cy < nc; cy++)
      for (int cx = 0; cx < nc; cx++)
        for (int b = 0; b < 8; b++, i++) {
          double s[3] = {(cx + diamond_basis[b][0]) / nc, (cy + diamond_basis[b][1]) / nc,
                         (cz + diamond_basis[b][2]) / nc};
          for (int k = 0; k < 3; k++) out[3 * i + k] = s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k];
        }
  return i;
}

/* ----------------------------------------------------- finite differences */

typedef struct fd_case {
  const char *label;
  const char *spec; /* "sw" or "sw:file=%s" with a Debian file name */
  const char *file; /* NULL: built in */
  double h[3][3];
  int kind; /* 0: diamond nc³ in h, 1: primitive 2-atom cell, 2: random */
  int nc, n;
  const char *species[6];
  int nspecies;
  double amp, dmin;
} fd_case;

static void run_fd(const fd_case *fc) {
  mdb_err err;
  char spec[512];
  if (fc->file) {
    snprintf(spec, sizeof spec, "sw:file=%s/%s", debian, fc->file);
    if (access(spec + 8, R_OK) != 0) {
      printf("%-40s skipped: %s not found (Debian: apt install lammps-data)\n", fc->label, spec + 8);
      return;
    }
  } else {
    snprintf(spec, sizeof spec, "sw");
  }
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  mdb_system sys;
  double base[512 * 3];
  if (fc->kind == 0) {
    int n = diamond_positions(fc->nc, fc->h, base);
    tu_system(&sys, n, fc->h, fc->species, fc->nspecies, base, fc->amp, 0, 11);
  } else if (fc->kind == 1) {
    for (int k = 0; k < 3; k++) {
      base[k] = 0;
      base[3 + k] = 0.25 * (fc->h[0][k] + fc->h[1][k] + fc->h[2][k]);
    }
    tu_system(&sys, 2, fc->h, fc->species, fc->nspecies, base, fc->amp, 0, 12);
  } else {
    tu_system(&sys, fc->n, fc->h, fc->species, fc->nspecies, NULL, 0, fc->dmin, 13);
  }
  tu_fd r = tu_finite_differences(&sys, &calc, 0);
  printf("%-40s N=%3d E = %.10g eV, max|F| = %.4g eV/Å, max|W| = %.4g eV, worst errors: force %.2e, virial %.2e\n",
         fc->label, sys.n, r.energy, r.fmax, r.wmax, r.force_err, r.virial_err);
  CHECK(r.force_err < 1e-6);
  CHECK(r.virial_err < 1e-6);
  CHECK(r.fmax > 0.1); /* the configuration really exerts forces */
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

/* ------------------------------------------- the formulas, written out */

static double phi2(double r) {
  const double rc = SW_A * SW_SIGMA;
  if (r >= rc) return 0;
  return SW_BIGA * SW_EPS * (SW_BIGB * pow(SW_SIGMA / r, 4) - 1.0) * exp(SW_SIGMA / (r - rc));
}

static double phi3(const double *xi, const double *xj, const double *xk) {
  const double rc = SW_A * SW_SIGMA;
  double d1[3], d2[3];
  for (int c = 0; c < 3; c++) {
    d1[c] = xj[c] - xi[c];
    d2[c] = xk[c] - xi[c];
  }
  const double r1 = sqrt(d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2]);
  const double r2 = sqrt(d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2]);
  if (r1 >= rc || r2 >= rc) return 0;
  const double cs = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / (r1 * r2);
  return SW_LAMBDA * SW_EPS * (cs - SW_COS0) * (cs - SW_COS0) * exp(SW_GAMMA * SW_SIGMA / (r1 - rc)) *
         exp(SW_GAMMA * SW_SIGMA / (r2 - rc));
}

static void check_formulas(void) {
  mdb_err err;
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, "sw", "cpu", &err), &err);
  const char *si[] = {"Si"};
  /* three atoms in a 30 Å cube, sides 2.40, 2.38 and 2.48 Å: every pair
   * and all three (near 60°) angles count */
  const double big[3][3] = {{30, 0, 0}, {0, 30, 0}, {0, 0, 30}};
  const double x3[9] = {10, 10, 10, 12.4, 10, 10, 11.1, 12.1, 10.2};
  mdb_system s3;
  tu_system(&s3, 3, big, si, 1, x3, 0, 0, 1);
  const double *a = x3, *b = x3 + 3, *c = x3 + 6;
  const double want3 = phi2(tu_image_distance(&s3.box, a, b)) + phi2(tu_image_distance(&s3.box, a, c)) +
                       phi2(tu_image_distance(&s3.box, b, c)) + phi3(a, b, c) + phi3(b, a, c) + phi3(c, a, b);
  const double got3 = tu_eval(&s3, &calc, NULL, NULL);
  printf("three Si atoms: E = %.15g eV, formulas %.15g eV (three-body part %.6g eV)\n", got3, want3,
         phi3(a, b, c) + phi3(b, a, c) + phi3(c, a, b));
  CHECK_REL(got3, want3, 1e-12, 1e-300);
  CHECK(phi3(b, a, c) > 0.1); /* the angles are far from tetrahedral: the test sees φ3 */
  mdb_system_free(&s3);
  /* perfect diamond, a = 5.431 Å: 4 bonds at a√3/4, tetrahedral angles
   * (φ3 = 0), second shell at a/√2 = 3.840 Å > aσ; E/N = 2 φ2(a√3/4) ≈ −2ε */
  const double L = 2 * 5.431, hd[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  double xd[64 * 3];
  diamond_positions(2, hd, xd);
  mdb_system sd;
  tu_system(&sd, 64, hd, si, 1, xd, 0, 0, 1);
  const double per_atom = tu_eval(&sd, &calc, NULL, NULL) / 64;
  printf("perfect diamond: E/N = %.15g eV, 2 φ2(r_nn) = %.15g eV, −2ε = %.5g eV\n", per_atom,
         2 * phi2(5.431 * sqrt(3.0) / 4), -2 * SW_EPS);
  CHECK_REL(per_atom, 2 * phi2(5.431 * sqrt(3.0) / 4), 1e-12, 1e-300);
  CHECK_ABS(per_atom, -2 * SW_EPS, 1e-4);
  mdb_system_free(&sd);
  /* compressed diamond, a = 4.9 Å: second neighbours at 3.465 Å now interact
   * (pair and three-body); the same crystal in the 2-atom primitive cell
   * (where they are images of the atom itself), the 8-atom cubic cell and
   * a 64-atom supercell must give the same energy and pressure per atom */
  const double ac = 4.9;
  const double hp[3][3] = {{0, ac / 2, ac / 2}, {ac / 2, 0, ac / 2}, {ac / 2, ac / 2, 0}};
  const double h8[3][3] = {{ac, 0, 0}, {0, ac, 0}, {0, 0, ac}};
  const double h64[3][3] = {{2 * ac, 0, 0}, {0, 2 * ac, 0}, {0, 0, 2 * ac}};
  double xp[6] = {0, 0, 0, ac / 4, ac / 4, ac / 4}, x8[8 * 3], x64[64 * 3], e[3], p[3];
  diamond_positions(1, h8, x8);
  diamond_positions(2, h64, x64);
  const double(*hs[3])[3] = {hp, h8, h64};
  const double *xs[3] = {xp, x8, x64};
  const int ns[3] = {2, 8, 64};
  for (int k = 0; k < 3; k++) {
    mdb_system sk;
    double w[3][3];
    tu_system(&sk, ns[k], hs[k], si, 1, xs[k], 0, 0, 1);
    e[k] = tu_eval(&sk, &calc, NULL, w) / ns[k];
    p[k] = (w[0][0] + w[1][1] + w[2][2]) / ns[k];
    mdb_system_free(&sk);
  }
  printf(
      "diamond a = 4.9 Å, cells of 2/8/64 atoms: E/N = %.15g / %.15g / %.15g eV, tr W/N = %.10g / %.10g / %.10g eV\n",
      e[0], e[1], e[2], p[0], p[1], p[2]);
  CHECK(fabs(e[0] - 2 * phi2(ac * sqrt(3.0) / 4)) > 0.01); /* second neighbours contribute */
  for (int k = 1; k < 3; k++) {
    CHECK_REL(e[k], e[0], 1e-12, 1e-300);
    CHECK_REL(p[k], p[0], 1e-10, 1e-300);
  }
  mdb_calc_free(&calc);
}

/* The built-in parameters against Debian's Si.sw, which writes cos θ0 as
 * −0.333333333333: energies agree to 1e-11 relative, forces to 1e-9 eV/Å. */
static void check_builtin_equals_file(void) {
  char spec[512];
  snprintf(spec, sizeof spec, "sw:file=%s/Si.sw", debian);
  if (access(spec + 8, R_OK) != 0) {
    printf("built-in vs Si.sw skipped: %s not found\n", spec + 8);
    return;
  }
  mdb_err err;
  mdb_calc cb, cf;
  REQUIRE_OK(mdb_calc_create(&cb, "sw", "cpu", &err), &err);
  REQUIRE_OK(mdb_calc_create(&cf, spec, "cpu", &err), &err);
  const char *si[] = {"Si"};
  const double L = 2 * 5.431, h[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  double x[64 * 3], fb[64 * 3], ff[64 * 3];
  diamond_positions(2, h, x);
  mdb_system s;
  tu_system(&s, 64, h, si, 1, x, 0.2, 0, 5);
  const double eb = tu_eval(&s, &cb, fb, NULL), ef = tu_eval(&s, &cf, ff, NULL);
  double worst = 0;
  for (int i = 0; i < 64 * 3; i++) worst = fmax(worst, fabs(fb[i] - ff[i]));
  printf("built-in vs Si.sw: E %.15g vs %.15g eV, worst force difference %.2e eV/Å\n", eb, ef, worst);
  CHECK_REL(eb, ef, 1e-11, 1e-300);
  CHECK(worst < 1e-9);
  mdb_system_free(&s);
  mdb_calc_free(&cb);
  mdb_calc_free(&cf);
}

/* ------------------------------------------------------------ file errors */

static char tmpdir[64];

static const char *write_file(const char *name, const char *text) {
  static char path[8][128];
  static int slot;
  char *p = path[slot++ % 8];
  snprintf(p, 128, "%s/%s", tmpdir, name);
  FILE *fp = fopen(p, "w");
  if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
    fprintf(stderr, "cannot write %s\n", p);
    exit(1);
  }
  return p;
}

/* Creating (and, for a system of the given species, preparing) spec must
 * fail with code and a one-line message holding every given fragment
 * (NULL-terminated). */
static void expect_error(const char *spec, const char *const *species, int nspecies, mdb_status code, ...) {
  mdb_err err;
  memset(&err, 0, sizeof err);
  mdb_calc calc;
  mdb_status st = mdb_calc_create(&calc, spec, "cpu", &err);
  if (!st) {
    mdb_system sys;
    const double h[3][3] = {{12, 0, 0}, {0, 12, 0}, {0, 0, 12}};
    tu_system(&sys, 8, h, species, nspecies, NULL, 0, 2.0, 3);
    st = mdb_calc_prepare(&calc, &sys, &err);
    mdb_system_free(&sys);
    mdb_calc_free(&calc);
  }
  printf("  %-50.50s -> %s\n", spec, st ? err.msg : "(no error)");
  CHECK(st == code);
  CHECK(strchr(err.msg, '\n') == NULL);
  va_list ap;
  va_start(ap, code);
  for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
    if (strstr(err.msg, frag)) {
      check_pass_++;
    } else {
      check_fail_++;
      fprintf(stderr, "error for '%s' lacks '%s': %s\n", spec, frag, err.msg);
    }
  }
  va_end(ap);
}

#define SI_LINE "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n"
#define GAN_PAIRS                                                             \
  "Ga Ga Ga 1.2 2.100 1.6 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0\n"  \
  "N  N  N  1.2 1.300 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0\n"  \
  "Ga N  N  2.17 1.695 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0\n" \
  "N  Ga Ga 2.17 1.695 1.8 32.5 1.2 -0.333333333333 7.917 0.72 4.0 0.0 0.0\n"
#define GAN_ANGLES                                                            \
  "Ga Ga N  1.6136914 0.0 0.0 32.5 0.0 -0.333333333333 0.0 0.0 0.0 0.0 0.0\n" \
  "N  Ga N  1.6136914 0.0 0.0 32.5 0.0 -0.333333333333 0.0 0.0 0.0 0.0 0.0\n" \
  "N  N  Ga 1.6136914 0.0 0.0 32.5 0.0 -0.333333333333 0.0 0.0 0.0 0.0 0.0\n"

static char spec_buf[16][600];
static int spec_slot;
static const char *file_spec(const char *path) {
  char *s = spec_buf[spec_slot++ % 16];
  snprintf(s, 600, "sw:file=%s", path);
  return s;
}

static void check_file_errors(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/mdb_sw_test_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    fprintf(stderr, "mkdtemp failed\n");
    exit(1);
  }
  const char *si[] = {"Si"}, *cu[] = {"Cu"}, *gan[] = {"Ga", "N"}, *si_ga[] = {"Si", "Ga"};
  printf("errors:\n");
  expect_error("sw:fil=Si.sw", si, 1, MDB_EINPUT, "no parameter 'fil'", "valid: file", NULL);
  expect_error("sw", cu, 1, MDB_EINPUT, "Si only", "Cu", "sw:file=", NULL);
  const char *missing = "/nonexistent/dir/Si.sw";
  expect_error(file_spec(missing), si, 1, MDB_EINPUT, missing, NULL);
  const char *p;
  p = write_file("empty.sw", "# only a comment\n\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "no entries", NULL);
  p = write_file("nan.sw", "# header\n\nSi Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 zero 0.0\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 3", "'zero'", "q of entry Si Si Si", NULL);
  p = write_file("trunc.sw", "# header\nSi Si Si 2.1683 2.0951 1.80\n  21.0 1.20 -0.333\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 3", "ends inside entry Si Si Si of line 2", "9 of 14", NULL);
  p = write_file("long.sw", "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0 1.0\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 1", "more than 14 fields", NULL);
  p = write_file("elem.sw", "Si Si 2.0 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 1", "'2.0' is not an element name", NULL);
  p = write_file("neg.sw", "Si Si Si 2.1683 -2.0951 1.80 21.0 1.20 -0.333 7.05 0.60 4.0 0.0 0.0\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 1", "sigma", ">= 0", NULL);
  p = write_file("dup.sw", SI_LINE "# again\n" SI_LINE);
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "line 3", "duplicate entry Si Si Si", "first at line 1", NULL);
  p = write_file("gan.sw", GAN_PAIRS GAN_ANGLES "Ga N  Ga 1.6136914 0.0 0.0 32.5 0.0 -0.333333333333 0 0 0 0 0\n");
  expect_error(file_spec(p), si, 1, MDB_EINPUT, p, "no entries for element Si", "covered: Ga, N", NULL);
  expect_error(file_spec(p), si_ga, 2, MDB_EINPUT, p, "element Si", NULL);
  p = write_file("gan_missing.sw", GAN_PAIRS GAN_ANGLES);
  expect_error(file_spec(p), gan, 2, MDB_EINPUT, p, "no entry Ga N Ga", NULL);
  /* complete, but with the N-Ga-Ga pair σ changed: the Ga-N pair term is ambiguous */
  {
    static char text[2048];
    snprintf(text, sizeof text, "%s", GAN_PAIRS GAN_ANGLES "Ga N  Ga 1.6136914 0.0 0.0 32.5 0.0 -0.333 0 0 0 0 0\n");
    char *q = strstr(text, "N  Ga Ga 2.17 1.695");
    memcpy(q + 14, "1.700", 5);
    p = write_file("gan_asym.sw", text);
  }
  expect_error(file_spec(p), gan, 2, MDB_EINPUT, p, "Ga N N (line 3)", "N Ga Ga (line 4)", "sigma", NULL);

  /* a valid file: an entry over four lines with comments and blank lines in
   * between, other elements around it; it equals the built-in parameters */
  p = write_file("split.sw", "# Si, spread out\nC C C 1 1 1 1 1 -0.3 1 1 4 0 0\n\nSi Si Si   # elements\n"
                             "  2.1683 2.0951 1.80   # eps sigma a\n\n  21.0 1.20 -0.33333333333333331\n"
                             "  7.049556277 0.6022245584 4.0 0.0 0.0\nC Si Si 1 1 1 1 1 -0.3 1 1 4 0 0\n");
  mdb_err err;
  mdb_calc cb, cf;
  REQUIRE_OK(mdb_calc_create(&cb, "sw", "cpu", &err), &err);
  REQUIRE_OK(mdb_calc_create(&cf, file_spec(p), "cpu", &err), &err);
  const double L = 2 * 5.431, h[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  double x[64 * 3];
  diamond_positions(2, h, x);
  mdb_system s;
  tu_system(&s, 64, h, si, 1, x, 0.2, 0, 5);
  const double eb = tu_eval(&s, &cb, NULL, NULL), ef = tu_eval(&s, &cf, NULL, NULL);
  printf("entry split over lines: E %.15g eV, built-in %.15g eV\n", ef, eb);
  CHECK(ef == eb);
  mdb_system_free(&s);
  mdb_calc_free(&cb);
  mdb_calc_free(&cf);
  static const char *const names[] = {"empty.sw", "nan.sw", "trunc.sw",       "long.sw",     "elem.sw", "neg.sw",
                                      "dup.sw",   "gan.sw", "gan_missing.sw", "gan_asym.sw", "split.sw"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[k]);
    unlink(path);
  }
  rmdir(tmpdir);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--file-errors") == 0) {
    check_file_errors();
    return check_report();
  }
  const double a = 5.431, L = 2 * a, ap = 5.2;
  const fd_case cases[] = {
      {"Si 64 diamond ±0.15 Å", "sw", NULL, {{L, 0, 0}, {0, L, 0}, {0, 0, L}}, 0, 2, 0, {"Si"}, 1, 0.15, 0},
      {"Si 8 cubic cell, 5.431 Å < 2 rc", "sw", NULL, {{a, 0, 0}, {0, a, 0}, {0, 0, a}}, 0, 1, 0, {"Si"}, 1, 0.2, 0},
      {"Si 2 primitive cell, 3.68 Å < rc",
       "sw",
       NULL,
       {{0, ap / 2, ap / 2}, {ap / 2, 0, ap / 2}, {ap / 2, ap / 2, 0}},
       1,
       0,
       2,
       {"Si"},
       1,
       0.1,
       0},
      {"Si 64 skewed triclinic",
       "sw",
       NULL,
       {{10.9, 0, 0}, {2.3, 10.6, 0}, {-1.7, 1.9, 11.2}},
       0,
       2,
       0,
       {"Si"},
       1,
       0.15,
       0},
      {"Si 40 random, dmin 2.1 Å",
       "sw",
       NULL,
       {{9.0, 0, 0}, {0.8, 9.2, 0}, {0, -0.6, 8.8}},
       2,
       0,
       40,
       {"Si"},
       1,
       0,
       2.1},
      {"GaN.sw 64 Ga/N on diamond",
       NULL,
       "GaN.sw",
       {{9.0, 0, 0}, {0, 9.0, 0}, {0, 0, 9.0}},
       0,
       2,
       0,
       {"Ga", "N"},
       2,
       0.15,
       0},
      {"CdTeZnSeHgS0.sw 64, six elements",
       NULL,
       "CdTeZnSeHgS0.sw",
       {{12.6, 0, 0}, {0, 12.6, 0}, {0, 0, 12.6}},
       0,
       2,
       0,
       {"Cd", "Te", "Zn", "Se", "Hg", "S"},
       6,
       0.2,
       0},
  };
  check_formulas();
  check_builtin_equals_file();
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_fd(&cases[k]);
  return check_report();
}
