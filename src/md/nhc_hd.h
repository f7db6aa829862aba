/*
 * nhc_hd.h — the Nosé–Hoover chain half-step and energy (md/nhc.c) as
 * `MDB_HD static inline` functions, so the CPU integrators (through
 * mdb_nhc_half_step and mdb_nhc_energy) and the device's ensemble kernels
 * (gpu/kern_ens.h) run the same code; and the NVT step's last half-step
 * with the kinetic energy it leaves (the NPT step's scalars are
 * md/npt_hd.h).
 */
#ifndef MDB_NHC_HD_H
#define MDB_NHC_HD_H

#include <math.h>

#include "core/hd.h"
#include "md/md.h"

/* Advances the chain by h against ke2 = 2 KE (eV); returns the velocity
 * factor exp(−h v_ξ1) (md/md.h: mdb_nhc_half_step). */
MDB_HD static inline double mdb_nhc_half_step_hd(mdb_nhc *c, double ke2, double h) {
  const int m = c->m;
  const double h2 = 0.5 * h, h4 = 0.25 * h, kt = c->kt;
  double *v = c->v;
  const double *q = c->q;
  for (int k = m - 1; k > 0; k--) {
    double e = exp(-h4 * v[k + 1]);
    double g = (q[k - 1] * v[k - 1] * v[k - 1] - kt) / q[k];
    v[k] = (v[k] * e + g * h2) * e;
  }
  double e1 = exp(-h4 * v[1]);
  v[0] = (v[0] * e1 + (ke2 - c->nf * kt) / q[0] * h2) * e1;
  double s = exp(-h * v[0]);
  ke2 *= s * s;
  for (int k = 0; k < m; k++) c->xi[k] += h * v[k];
  v[0] = (v[0] * e1 + (ke2 - c->nf * kt) / q[0] * h2) * e1;
  for (int k = 1; k < m; k++) {
    double e = exp(-h4 * v[k + 1]);
    double g = (q[k - 1] * v[k - 1] * v[k - 1] - kt) / q[k];
    v[k] = (v[k] * e + g * h2) * e;
  }
  return s;
}

/* The end of an NVT step (md/nhc.c, gpu/kern_ens.h): the chain's
 * half-step on *ke2 = 2 KE after the second kick; returns the factor on v
 * and leaves in *ke2 the 2 KE after it, for the next step's first
 * half-step. */
MDB_HD static inline double mdb_nhc_nvt_end_hd(mdb_nhc *c, double *ke2, double h) {
  const double s = mdb_nhc_half_step_hd(c, *ke2, h);
  *ke2 = *ke2 * s * s;
  return s;
}

/* ½ Σ Q_k v_k² + nf kT ξ_1 + Σ_{k≥2} kT ξ_k (eV). */
MDB_HD static inline double mdb_nhc_energy_hd(const mdb_nhc *c) {
  if (c->m < 1) return 0.0;
  double e = c->nf * c->kt * c->xi[0];
  for (int k = 1; k < c->m; k++) e += c->kt * c->xi[k];
  for (int k = 0; k < c->m; k++) e += 0.5 * c->q[k] * c->v[k] * c->v[k];
  return e;
}

#endif
