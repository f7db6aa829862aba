/*
 * kern_ens.h — NVT (Nosé–Hoover chain, Langevin BAOAB) and NPT (isotropic
 * MTK) on the device: the kernels gpu/gens.c issues around the engine's
 * neighbour build and force call. The formulas and their order are those
 * of md/nhc.c, md/langevin.c and md/mtk.c, step for step; the chain
 * half-steps are the CPU's own code (md/nhc_hd.h).
 *
 * Scalar work (chain half-steps, the barostat, the heat) runs in one-thread
 * kernels on the state in g (kern_common.h), fed by the engine's
 * reductions, so a step needs no host round trip and captures as a graph:
 *
 *   NVT nhc   first:  NHC_PRE(1) NHC_1(n)
 *             second: NHC_2(n) Σ m v² NHC_POST(1) SCALE_V(n)
 *   Langevin  first:  LGV_1(n) Σ (m, m v, m v² before) LGV_2(n) Σ m v² LGV_HEAT(1)
 *             second: NVE_2(n)
 *   NPT       first:  NPT_PRE(1) NPT_1(n) NPT_BOX(1)
 *             second: NPT_2(n) Σ m v² NPT_POST(1) SCALE_V(n)
 *
 * Every kernel of a second half returns at once when g->abort is set (the
 * engine re-issues everything after the drift after an overflow). A
 * barostat that blew up raises MDB_ABORT_BOX in NPT_PRE and leaves the
 * positions and the cell alone; the host then stops the run.
 */
#ifndef MDB_KERN_ENS_H
#define MDB_KERN_ENS_H

#include <math.h>

#include "core/rng.h"
#include "core/units.h"
#include "gpu/kern_common.h"
#include "gpu/kern_md.h"
#include "gpu/kern_neigh.h"
#include "md/nhc_hd.h"

/* Per-atom m v² into the scratch column MV2 (the thermostat's Σ m v²). */
MDB_HD static inline void mdb_ens_mv2_store(const mdb_kp *p, long i, const double *v) {
  p->scr[MDB_SCR_MV2 * (long)p->natoms + i] = p->mass[p->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

/* ------------------------------------------------------------ NVT nhc */

/* Chain half-step on the 2 KE left by the last step. */
MDB_HD static inline void mdb_kb_nhc_pre(long i, const mdb_kp *p) {
  mdb_step_begin(i, p);
  mdb_gstate *g = p->g;
  g->scale = mdb_nhc_half_step_hd(&g->nhc, g->ke2, 0.5 * p->dt);
}

/* v = s v + ½dt F/m; x += dt v */
MDB_HD static inline void mdb_kb_nhc_1(long i, const mdb_kp *p) {
  const double s = p->g->scale, c = p->dtf[p->type[i]], dt = p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) {
    v[k] = s * v[k] + c * f[k];
    x[k] += dt * v[k];
  }
}

/* v += ½dt F/m, and m v² for the chain */
MDB_HD static inline void mdb_kb_nhc_2(long i, const mdb_kp *p) {
  if (p->g->abort) return;
  const double c = p->dtf[p->type[i]];
  double *v = p->v + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) v[k] += c * f[k];
  mdb_ens_mv2_store(p, i, v);
}

/* Chain half-step on the new 2 KE (red[MV2]); the factor for SCALE_V. */
MDB_HD static inline void mdb_kb_nhc_post(long i, const mdb_kp *p) {
  (void)i;
  mdb_gstate *g = p->g;
  if (g->abort) return;
  const double ke2 = g->red[MDB_RED_MV2] * MDB_MVV2E;
  const double s = mdb_nhc_half_step_hd(&g->nhc, ke2, 0.5 * p->dt);
  g->scale = s;
  g->ke2 = ke2 * s * s;
}

/* v *= the thermostat factor, and the kinetic columns when sampled (NVT
 * nhc and NPT). */
MDB_HD static inline void mdb_kb_scale_v(long i, const mdb_kp *p) {
  if (p->g->abort) return;
  const double s = p->g->scale;
  double *v = p->v + 3 * i;
  for (int k = 0; k < 3; k++) v[k] *= s;
  if (p->flags) mdb_kin_store(p, i, v);
}

/* ------------------------------------------------------------ Langevin */

/* B, A and O: v += ½dt F/m; x += ½dt v; v = c1 v + c2 σ R; with the
 * columns the centre-of-mass removal and the heat need: m (MV2), m v after
 * O (P), m v² before O (MV2B). Noise keyed by (seed, step, id, component)
 * as md/langevin.c. */
MDB_HD static inline void mdb_kb_lgv_1(long i, const mdb_kp *p) {
  mdb_step_begin(i, p);
  const int t = p->type[i];
  const long n = p->natoms;
  const double c = p->dtf[t], m = p->mass[t], sd = p->lgv_c2 * p->lgv_sigma[t], h = 0.5 * p->dt,
               c1 = p->lgv_c1;
  const uint32_t step = (uint32_t)(p->g->step + 1), id = (uint32_t)p->id[i];
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  double g[4];
  mdb_gauss2(p->key0, p->key1, id, step, MDB_STREAM_THERMOSTAT, &g[0], &g[1]);
  mdb_gauss2(p->key0, p->key1, id, step, MDB_STREAM_THERMOSTAT + 16, &g[2], &g[3]);
  double mv2b = 0;
  for (int k = 0; k < 3; k++) {
    v[k] += c * f[k];
    x[k] += h * v[k];
    mv2b += m * v[k] * v[k];
    v[k] = c1 * v[k] + sd * g[k];
    p->scr[(MDB_SCR_P + k) * n + i] = m * v[k];
  }
  p->scr[MDB_SCR_MV2 * n + i] = m;
  p->scr[MDB_SCR_MV2B * n + i] = mv2b;
}

/* The centre-of-mass velocity out (red[P]/red[MV2] = Σ m v / M); A:
 * x += ½dt v; m v² after O. */
MDB_HD static inline void mdb_kb_lgv_2(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  const double mtot = g->red[MDB_RED_MV2], m = p->mass[p->type[i]], h = 0.5 * p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  double mv2 = 0;
  for (int k = 0; k < 3; k++) {
    v[k] -= g->red[MDB_RED_P + k] / mtot;
    x[k] += h * v[k];
    mv2 += m * v[k] * v[k];
  }
  p->scr[MDB_SCR_MV2 * (long)p->natoms + i] = mv2;
}

/* heat += ½ (Σ m v² after − before) */
MDB_HD static inline void mdb_kb_lgv_heat(long i, const mdb_kp *p) {
  (void)i;
  mdb_gstate *g = p->g;
  g->heat += 0.5 * (g->red[MDB_RED_MV2] - g->red[MDB_RED_MV2B]) * MDB_MVV2E;
}

/* ----------------------------------------------------------------- NPT */

/* v_ε += h F_ε/W with the current volume, 2 KE and virial (md/mtk.c). */
MDB_HD static inline void mdb_ens_omega_dot(mdb_gstate *g, int n, double h) {
  const double vol = g->volume;
  const double trw = g->red[MDB_RED_VIRIAL + 0] + g->red[MDB_RED_VIRIAL + 4] + g->red[MDB_RED_VIRIAL + 8];
  const double pr = (g->ke2 + trw) / (3.0 * vol);
  mdb_mtk *b = &g->mtk;
  b->veps += h * ((pr - b->p_ext) * vol / b->w + g->ke2 / (3.0 * n * b->w));
  b->mtk2 = b->veps / n;
}

/* Barostat chain, particle chain, v_ε; the factors of this step. */
MDB_HD static inline void mdb_kb_npt_pre(long i, const mdb_kp *p) {
  mdb_step_begin(i, p);
  mdb_gstate *g = p->g;
  mdb_mtk *b = &g->mtk;
  const double h = 0.5 * p->dt;
  b->veps *= mdb_nhc_half_step_hd(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
  const double st = mdb_nhc_half_step_hd(&g->nhc, g->ke2, h);
  g->ke2 *= st * st;
  mdb_ens_omega_dot(g, p->natoms, h);
  const double sp = exp(-h * (b->veps + b->mtk2));
  g->sp = sp;
  g->scale = st * sp;
  g->eps_step = exp(h * b->veps);
  if (!(fabs(h * b->veps) < MDB_MTK_MAX_HALF_STRAIN)) mdb_kp_abort(p, MDB_ABORT_BOX);
}

/* v = s v + ½dt F/m; x = (x e + dt v) e */
MDB_HD static inline void mdb_kb_npt_1(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  if (g->abort & MDB_ABORT_BOX) return;
  const double s = g->scale, e = g->eps_step, c = p->dtf[p->type[i]], dt = p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) {
    v[k] = s * v[k] + c * f[k];
    x[k] = (x[k] * e + dt * v[k]) * e;
  }
}

/* The cell scales by e²; its inverse, volume and shift vectors follow. */
MDB_HD static inline void mdb_kb_npt_box(long i, const mdb_kp *p) {
  mdb_gstate *g = p->g;
  if (g->abort & MDB_ABORT_BOX) return;
  const double f = g->eps_step * g->eps_step;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) g->h[a][b] = g->h[a][b] * f;
  mdb_kb_box_update(i, p);
}

/* v = (v + ½dt F/m) sp, and m v² for the barostat and the chain */
MDB_HD static inline void mdb_kb_npt_2(long i, const mdb_kp *p) {
  if (p->g->abort) return;
  const double sp = p->g->sp, c = p->dtf[p->type[i]];
  double *v = p->v + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) v[k] = (v[k] + c * f[k]) * sp;
  mdb_ens_mv2_store(p, i, v);
}

/* v_ε with the new virial, particle chain (the factor for SCALE_V),
 * barostat chain. */
MDB_HD static inline void mdb_kb_npt_post(long i, const mdb_kp *p) {
  (void)i;
  mdb_gstate *g = p->g;
  if (g->abort) return;
  mdb_mtk *b = &g->mtk;
  const double h = 0.5 * p->dt;
  g->ke2 = g->red[MDB_RED_MV2] * MDB_MVV2E;
  mdb_ens_omega_dot(g, p->natoms, h);
  const double st = mdb_nhc_half_step_hd(&g->nhc, g->ke2, h);
  g->scale = st;
  g->ke2 *= st * st;
  b->veps *= mdb_nhc_half_step_hd(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
}

#define MDB_KERNELS_ENS(X)                                                                                     \
  X(NHC_PRE, nhc_pre, mdb_kp)                                                                                  \
  X(NHC_1, nhc_1, mdb_kp)                                                                                      \
  X(NHC_2, nhc_2, mdb_kp)                                                                                      \
  X(NHC_POST, nhc_post, mdb_kp)                                                                                \
  X(SCALE_V, scale_v, mdb_kp)                                                                                  \
  X(LGV_1, lgv_1, mdb_kp)                                                                                      \
  X(LGV_2, lgv_2, mdb_kp)                                                                                      \
  X(LGV_HEAT, lgv_heat, mdb_kp)                                                                                \
  X(NPT_PRE, npt_pre, mdb_kp)                                                                                  \
  X(NPT_1, npt_1, mdb_kp)                                                                                      \
  X(NPT_BOX, npt_box, mdb_kp)                                                                                  \
  X(NPT_2, npt_2, mdb_kp)                                                                                      \
  X(NPT_POST, npt_post, mdb_kp)

#endif
