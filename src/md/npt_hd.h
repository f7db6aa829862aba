/*
 * npt_hd.h — the scalar part of one isotropic NPT step (MTK barostat with
 * Nosé–Hoover chains on the particles and on the barostat; the equations
 * and the step are in md/mtk.c's header), in the order it runs, written
 * once for the CPU step (md/mtk.c) and the device's kernels
 * (gpu/kern_ens.h). Only the loops over atoms are theirs; they take every
 * factor from here:
 *
 *   mdb_npt_begin_hd   barostat chain (h), particle chain (h), v_ε (h) →
 *                      the first kick's factor, the drift's e = exp(h v_ε),
 *                      the cell's e², the second kick's sp, a blow-up flag
 *   [kick v = sv v + ½dt F/m;  x = (x e + dt v) e;  L *= e²;  forces;
 *    v = (v + ½dt F/m) sp;  2 KE = Σ m v²]
 *   mdb_npt_end_hd     v_ε (h), particle chain (h) → the last factor on v,
 *                      barostat chain (h)
 *
 * h = dt/2. The formulas themselves are md/nhc_hd.h (a chain half-step)
 * and md/ensemble_hd.h (v_ε += h F_ε/W).
 */
#ifndef MDB_NPT_HD_H
#define MDB_NPT_HD_H

#include <math.h>

#include "core/hd.h"
#include "md/ensemble_hd.h"
#include "md/md.h"
#include "md/nhc_hd.h"

/* What the atoms' loops of one NPT step need from its first half. */
typedef struct mdb_npt_half {
  double sv;   /* first kick: v = sv v + ½dt F/m (the particle chain's factor times sp) */
  double sp;   /* exp(−h (v_ε + mtk2)): the barostat's damping, in both kicks */
  double e;    /* exp(h v_ε): the drift x = (x e + dt v) e */
  double cell; /* e²: the factor on the cell's edges */
  int blown;   /* |h v_ε| ≥ MDB_MTK_MAX_HALF_STRAIN: the barostat blew up; the factors are not to be used */
} mdb_npt_half;

/* The first half's scalars: the barostat chain (h) on 2 KE_baro = 3 W v_ε²,
 * scaling v_ε; the particle chain (h) on *ke2 = 2 KE (eV), which its factor
 * scales; v_ε += h F_ε/W with the volume (Å³) and the virial's trace (eV)
 * of the last force call and n atoms. b and c advance in place. */
MDB_HD static inline mdb_npt_half mdb_npt_begin_hd(mdb_mtk *b, mdb_nhc *c, double *ke2, double vol, double trw, int n,
                                                   double h) {
  mdb_npt_half s;
  b->veps *= mdb_nhc_half_step_hd(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
  const double st = mdb_nhc_half_step_hd(c, *ke2, h);
  *ke2 *= st * st;
  mdb_mtk_omega_dot_hd(b, vol, trw, *ke2, n, h);
  s.sp = exp(-h * (b->veps + b->mtk2));
  s.sv = st * s.sp;
  s.e = exp(h * b->veps);
  s.cell = s.e * s.e;
  s.blown = !(fabs(h * b->veps) < MDB_MTK_MAX_HALF_STRAIN);
  return s;
}

/* The second half's scalars, after the second kick: v_ε += h F_ε/W with
 * the new volume, virial trace and *ke2 = 2 KE (eV); the particle chain (h)
 * on *ke2, whose factor (returned) scales v and *ke2; the barostat chain
 * (h). b NULL: the particle chain alone, for the device's threads that need
 * only the factor (the chain does not depend on v_ε: same bits). */
MDB_HD static inline double mdb_npt_end_hd(mdb_mtk *b, mdb_nhc *c, double *ke2, double vol, double trw, int n,
                                           double h) {
  if (b) mdb_mtk_omega_dot_hd(b, vol, trw, *ke2, n, h);
  const double st = mdb_nhc_half_step_hd(c, *ke2, h);
  *ke2 *= st * st;
  if (b) b->veps *= mdb_nhc_half_step_hd(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
  return st;
}

#endif
