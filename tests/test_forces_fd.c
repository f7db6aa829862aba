/*
 * Forces are −∇E and the virial is −∂E/∂ε, by central finite differences,
 * for the built-in calculators on perturbed and random configurations —
 * including cells narrower than twice the cutoff, a cell narrower than the
 * cutoff itself (many images of each atom interact) and a skewed triclinic
 * cell.
 *
 * Tolerances: each force component within 1e-6 of the largest |F| (relative
 * 1e-6); each virial component within 1e-6 of the largest |W|. Step sizes
 * h = 1e-5 Å and δ = 1e-6 keep truncation and round-off both well below.
 */
#include "testutil.h"

typedef struct fd_case {
  const char *label;
  const char *calc;
  double h[3][3];
  const char *species[2];
  int nspecies;
  int n;
  double dmin; /* closest approach of the random positions (Å); 0: perturbed fcc */
} fd_case;

static void strained(const mdb_system *src, int a, int b, double d, mdb_system *out) {
  mdb_err err;
  REQUIRE_OK(mdb_system_copy(out, src, &err), &err);
  double e[3][3] = {{0}};
  e[a][b] = d;
  double h[3][3];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++) h[r][c] = src->box.h[r][c] + src->box.h[r][0] * e[0][c] + src->box.h[r][1] * e[1][c] +
                                         src->box.h[r][2] * e[2][c];
  REQUIRE_OK(mdb_box_set(&out->box, h, &err), &err);
  for (int i = 0; i < src->n; i++) {
    const double *x = src->x + 3 * i;
    for (int c = 0; c < 3; c++) out->x[3 * i + c] = x[c] + x[0] * e[0][c] + x[1] * e[1][c] + x[2] * e[2][c];
  }
}

static void run_case(const fd_case *fc) {
  mdb_err err;
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, fc->calc, "cpu", &err), &err);
  mdb_system sys;
  if (fc->dmin > 0) {
    tu_system(&sys, fc->n, fc->h, fc->species, fc->nspecies, NULL, 0, fc->dmin, 7);
  } else { /* fcc with cubic cell edge h[0][0]/2, perturbed by ±0.15 Å */
    double a = fc->h[0][0] / 2, base[32 * 3];
    static const double fcc[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    int i = 0;
    for (int c = 0; c < 8; c++)
      for (int b = 0; b < 4; b++, i++)
        for (int k = 0; k < 3; k++) base[3 * i + k] = (((c >> k) & 1) + fcc[b][k]) * a;
    tu_system(&sys, 32, fc->h, fc->species, 1, base, 0.15, 0, 7);
  }
  double *f = malloc((size_t)sys.n * 3 * sizeof *f);
  double w[3][3];
  double e0 = tu_eval(&sys, &calc, f, w);
  double fmax = 0;
  for (int i = 0; i < 3 * sys.n; i++) fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
  const double h = 1e-5;
  int nchk = sys.n < 12 ? sys.n : 12, bad = 0;
  double worst = 0;
  for (int i = 0; i < nchk; i++)
    for (int k = 0; k < 3; k++) {
      double x0 = sys.x[3 * i + k];
      sys.x[3 * i + k] = x0 + h;
      double ep = tu_eval(&sys, &calc, NULL, NULL);
      sys.x[3 * i + k] = x0 - h;
      double em = tu_eval(&sys, &calc, NULL, NULL);
      sys.x[3 * i + k] = x0;
      double fd = -(ep - em) / (2 * h);
      double d = fabs(fd - f[3 * i + k]) / fmax;
      if (d > worst) worst = d;
      if (d > 1e-6) bad++;
    }
  printf("%-34s E = %.10g eV, max|F| = %.4g eV/Å, worst force error %.2e (relative to max|F|)\n", fc->label, e0, fmax,
         worst);
  CHECK(bad == 0);
  CHECK(fmax > 1e-3); /* the configuration really exerts forces */
  double wmax = 0, wworst = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) wmax = fmax > 0 && fabs(w[a][b]) > wmax ? fabs(w[a][b]) : wmax;
  const double d = 1e-6;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      mdb_system sp, sm;
      strained(&sys, a, b, d, &sp);
      strained(&sys, a, b, -d, &sm);
      double dE = (tu_eval(&sp, &calc, NULL, NULL) - tu_eval(&sm, &calc, NULL, NULL)) / (2 * d);
      double err_ab = fabs(-dE - w[a][b]) / wmax;
      if (err_ab > wworst) wworst = err_ab;
      CHECK_ABS(w[a][b], -dE, 1e-6 * wmax);
      mdb_system_free(&sp);
      mdb_system_free(&sm);
    }
  printf("%-34s max|W| = %.4g eV, worst virial error %.2e (relative to max|W|)\n", "", wmax, wworst);
  free(f);
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

int main(void) {
  const fd_case cases[] = {
      /* 10.52 Å cube < 2 rc = 17.0 Å */
      /* perturbed fcc argon in a 10.52 Å cube < 2 rc = 17.0 Å */
      {"argon 32, cube < 2 rc", "lj", {{10.52, 0, 0}, {0, 10.52, 0}, {0, 0, 10.52}}, {"Ar"}, 1, 32, 0},
      /* 6 Å cube < rc: every atom meets several images of every other */
      {"argon 4, cube < rc", "lj", {{6.0, 0, 0}, {0, 6.0, 0}, {0, 0, 6.0}}, {"Ar"}, 1, 4, 3.0},
      {"argon 24, skewed triclinic", "lj", {{11.0, 0, 0}, {4.1, 10.2, 0}, {-3.3, 2.7, 12.5}}, {"Ar"}, 1, 24, 3.0},
      {"Cu/Al 60, triclinic, rc=7", "lj:rc=7.0", {{10.0, 0.5, 0}, {1.5, 9.5, 0.3}, {0.7, -1.2, 10.8}}, {"Cu", "Al"}, 2,
       60, 2.1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  return check_report();
}
