/*
 * lj.h — the 12-6 Lennard-Jones pair formula, shared by every backend.
 *
 *   E(r) = 4ε[(σ/r)^12 − (σ/r)^6] − E(rc)      for r < rc, else 0
 *
 * c12 = 4εσ^12 (eV·Å^12), c6 = 4εσ^6 (eV·Å^6), eshift = E_unshifted(rc).
 * Returns the energy and sets *fpair = −(dE/dr)/r (eV/Å²), so that the force
 * on j from i is fpair·(x_j − x_i) and the force on i its negative.
 */
#ifndef MDB_LJ_H
#define MDB_LJ_H

#include "core/hd.h"

typedef struct mdb_lj_pair {
  double c12, c6, eshift, rc2;
} mdb_lj_pair;

MDB_HD static inline double mdb_lj_eval(double r2, const mdb_lj_pair *p, double *fpair) {
  double r2inv = 1.0 / r2;
  double r6inv = r2inv * r2inv * r2inv;
  *fpair = r6inv * (12.0 * p->c12 * r6inv - 6.0 * p->c6) * r2inv;
  return r6inv * (p->c12 * r6inv - p->c6) - p->eshift;
}

#endif
