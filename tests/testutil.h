/*
 * testutil.h — building random test systems and evaluating a calculator on
 * a copy (the neighbour build reorders atoms; results come back in the
 * original atom order).
 */
#ifndef MDB_TESTUTIL_H
#define MDB_TESTUTIL_H

#include <string.h>

#include "calc/calc.h"
#include "check.h"
#include "core/elements.h"
#include "core/rng.h"
#include "neigh/neigh.h"

/* Shortest distance between x and any periodic image of y (images -2..2). */
static inline double tu_image_distance(const mdb_box *box, const double *x, const double *y) {
  double best = INFINITY;
  for (int a = -2; a <= 2; a++)
    for (int b = -2; b <= 2; b++)
      for (int c = -2; c <= 2; c++) {
        double s[3] = {a, b, c}, d[3];
        mdb_box_to_cart(box, s, d);
        double r2 = 0;
        for (int k = 0; k < 3; k++) r2 += (y[k] + d[k] - x[k]) * (y[k] + d[k] - x[k]);
        if (r2 < best) best = r2;
      }
  return sqrt(best);
}

/* n atoms of the given species (cycled): with base, base positions displaced
 * by up to ±amp Å per component; otherwise uniformly random positions in
 * cell h, re-drawn until every atom is at least dmin Å from the others. */
static inline void tu_system(mdb_system *sys, int n, const double h[3][3], const char *const *species, int nspecies,
                             const double *base, double amp, double dmin, uint64_t seed) {
  mdb_err err;
  REQUIRE_OK(mdb_system_alloc(sys, n, &err), &err);
  REQUIRE_OK(mdb_box_set(&sys->box, h, &err), &err);
  for (int s = 0; s < nspecies; s++) {
    double m;
    mdb_element_mass(species[s], &m);
    mdb_system_add_species(sys, species[s], m);
  }
  for (int i = 0; i < n; i++) {
    sys->type[i] = i % nspecies;
    for (uint32_t attempt = 0;; attempt++) {
      REQUIRE_OK(attempt > 100000 ? mdb_err_set(&err, MDB_ERUN, "cannot place atom %d", i) : MDB_OK, &err);
      double u[3];
      for (int k = 0; k < 3; k++)
        u[k] = mdb_rng_uniform(seed, MDB_STREAM_PERTURB, (uint32_t)i, (uint32_t)k + 3 * attempt, 0);
      if (base) {
        for (int k = 0; k < 3; k++) sys->x[3 * i + k] = base[3 * i + k] + amp * (2 * u[k] - 1);
        break;
      }
      mdb_box_to_cart(&sys->box, u, sys->x + 3 * i);
      int ok = 1;
      for (int j = 0; j < i && ok; j++) ok = tu_image_distance(&sys->box, sys->x + 3 * i, sys->x + 3 * j) >= dmin;
      if (ok) break;
    }
  }
}

/* Energy, forces (by original atom index, may be NULL) and virial of a copy
 * of src, with a fresh list (skin 0). */
static inline double tu_eval(const mdb_system *src, mdb_calc *calc, double *forces, double w[3][3]) {
  mdb_system s;
  mdb_neigh nl;
  mdb_calc_out out;
  mdb_err err;
  REQUIRE_OK(mdb_system_copy(&s, src, &err), &err);
  REQUIRE_OK(mdb_calc_prepare(calc, &s, &err), &err);
  REQUIRE_OK(mdb_neigh_init(&nl, mdb_calc_cutoff(calc), 0.0, mdb_calc_neigh_kinds(calc), &err), &err);
  REQUIRE_OK(mdb_neigh_build(&nl, &s, &err), &err);
  REQUIRE_OK(mdb_calc_compute(calc, &s, &nl, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, &out, &err), &err);
  if (forces)
    for (int i = 0; i < s.n; i++) memcpy(forces + 3 * s.id[i], s.f + 3 * i, 3 * sizeof(double));
  if (w) memcpy(w, out.virial, sizeof out.virial);
  mdb_neigh_free(&nl);
  mdb_system_free(&s);
  return out.energy;
}

/* src strained by (I + ε), ε_ab = d the only non-zero entry: cell rows and
 * positions x → x(I + ε). */
static inline void tu_strained(const mdb_system *src, int a, int b, double d, mdb_system *out) {
  mdb_err err;
  REQUIRE_OK(mdb_system_copy(out, src, &err), &err);
  double e[3][3] = {{0}};
  e[a][b] = d;
  double h[3][3];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      h[r][c] = src->box.h[r][c] + src->box.h[r][0] * e[0][c] + src->box.h[r][1] * e[1][c] + src->box.h[r][2] * e[2][c];
  REQUIRE_OK(mdb_box_set(&out->box, h, &err), &err);
  for (int i = 0; i < src->n; i++) {
    const double *x = src->x + 3 * i;
    for (int c = 0; c < 3; c++) out->x[3 * i + c] = x[c] + x[0] * e[0][c] + x[1] * e[1][c] + x[2] * e[2][c];
  }
}

typedef struct tu_fd {
  double energy;     /* eV */
  double fmax;       /* largest |F| component, eV/Å */
  double force_err;  /* worst |F + ∂E/∂x| / fmax */
  double wmax;       /* largest |W| component, eV */
  double virial_err; /* worst |W_ab + ∂E/∂ε_ab| / wmax */
} tu_fd;

/* Central finite differences on src: the forces on its first natoms atoms
 * (all when natoms <= 0) against −∂E/∂x with h = 1e-5 Å, and all nine virial
 * components against −∂E/∂ε_ab with δ = 1e-6. At these steps truncation
 * and round-off both stay far below the 1e-6 the tests allow. */
static inline tu_fd tu_finite_differences(const mdb_system *src, mdb_calc *calc, int natoms) {
  mdb_err err;
  mdb_system sys;
  REQUIRE_OK(mdb_system_copy(&sys, src, &err), &err);
  tu_fd r = {0};
  double *f = malloc((size_t)sys.n * 3 * sizeof *f), w[3][3];
  r.energy = tu_eval(&sys, calc, f, w);
  for (int i = 0; i < 3 * sys.n; i++) r.fmax = fmax(r.fmax, fabs(f[i]));
  const double h = 1e-5;
  int nchk = natoms > 0 && natoms < sys.n ? natoms : sys.n;
  for (int i = 0; i < nchk; i++)
    for (int k = 0; k < 3; k++) {
      double x0 = sys.x[3 * i + k];
      sys.x[3 * i + k] = x0 + h;
      double ep = tu_eval(&sys, calc, NULL, NULL);
      sys.x[3 * i + k] = x0 - h;
      double em = tu_eval(&sys, calc, NULL, NULL);
      sys.x[3 * i + k] = x0;
      r.force_err = fmax(r.force_err, fabs(-(ep - em) / (2 * h) - f[3 * i + k]) / r.fmax);
    }
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) r.wmax = fmax(r.wmax, fabs(w[a][b]));
  const double d = 1e-6;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      mdb_system sp, sm;
      tu_strained(&sys, a, b, d, &sp);
      tu_strained(&sys, a, b, -d, &sm);
      double dE = (tu_eval(&sp, calc, NULL, NULL) - tu_eval(&sm, calc, NULL, NULL)) / (2 * d);
      r.virial_err = fmax(r.virial_err, fabs(-dE - w[a][b]) / r.wmax);
      mdb_system_free(&sp);
      mdb_system_free(&sm);
    }
  free(f);
  mdb_system_free(&sys);
  return r;
}

#endif
