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
#include "core/system.h"

typedef struct mdb_lj_pair {
  double c12, c6, eshift, rc2;
} mdb_lj_pair;

/* The same parameters in float, for the mixed-precision GPU kernels. */
typedef struct mdb_lj_pair_f {
  float c12, c6, eshift, rc2;
} mdb_lj_pair_f;

/* The formula, written once and instantiated for double (every backend) and
 * float (the GPU's --precision mixed). */
#define MDB_LJ_EVAL_DEFINE(NAME, T, PAIR)                             \
  MDB_HD static inline T NAME(T r2, const PAIR *p, T *fpair) {        \
    T r2inv = (T)1 / r2;                                              \
    T r6inv = r2inv * r2inv * r2inv;                                  \
    *fpair = r6inv * ((T)12 * p->c12 * r6inv - (T)6 * p->c6) * r2inv; \
    return r6inv * (p->c12 * r6inv - p->c6) - p->eshift;              \
  }

MDB_LJ_EVAL_DEFINE(mdb_lj_eval, double, mdb_lj_pair)
MDB_LJ_EVAL_DEFINE(mdb_lj_eval_f, float, mdb_lj_pair_f)

/* The parameters a prepared lj calculator uses (calc/lj.c), for the GPU
 * backend: pair[a*MDB_MAX_TYPES + b]. */
typedef struct mdb_lj_params {
  int ntypes;
  double rc;
  mdb_lj_pair pair[MDB_MAX_TYPES * MDB_MAX_TYPES];
} mdb_lj_params;

#endif
