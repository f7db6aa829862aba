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
  tu_fd r = tu_finite_differences(&sys, &calc, 12);
  printf("%-34s E = %.10g eV, max|F| = %.4g eV/Å, max|W| = %.4g eV, worst errors: force %.2e, virial %.2e\n", fc->label,
         r.energy, r.fmax, r.wmax, r.force_err, r.virial_err);
  CHECK(r.force_err < 1e-6);
  CHECK(r.virial_err < 1e-6);
  CHECK(r.fmax > 1e-3); /* the configuration really exerts forces */
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
      {"Cu/Al 60, triclinic, rc=7",
       "lj:rc=7.0",
       {{10.0, 0.5, 0}, {1.5, 9.5, 0.3}, {0.7, -1.2, 10.8}},
       {"Cu", "Al"},
       2,
       60,
       2.1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  return check_report();
}
