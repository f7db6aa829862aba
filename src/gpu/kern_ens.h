/*
 * kern_ens.h — NVT (Nosé–Hoover chain, Langevin BAOAB) and NPT (isotropic
 * MTK) on the device: the kernels gpu/gens.c issues around the engine's
 * neighbour build and force call. The formulas and their order are those
 * of md/nhc.c, md/langevin.c and md/mtk.c, step for step; the chain
 * half-steps are the CPU's own code (md/nhc_hd.h), and so is the scalar
 * sequence of an NPT step (md/npt_hd.h) and the per-atom Langevin parts
 * (md/ensemble_hd.h): the kernels here hold the loops.
 *
 * Scalar work (chain half-steps, the barostat) is not a one-thread kernel
 * of its own: every thread of the n-thread kernel that needs its result
 * computes it (the same function on the same inputs gives the same bits)
 * and thread 0 alone writes the new state, into fields no thread of that
 * kernel reads (the chain between the half-steps lives in g->nhc_mid,
 * g->mtk_mid). An unsampled step without a neighbour build is then at
 * most six launches (a reduction is two):
 *
 *   NVE       NVE_1(n) FORCE NVE_2(n)
 *   NVT nhc   NHC_1(n) FORCE NHC_2(n) Σ m v² NHC_END(n)
 *   Langevin  LGV_1(n) Σ (m, m v) LGV_2(n) FORCE NVE_2(n)
 *   NPT       NPT_1(n) FORCE NPT_2(n) Σ (W, m v²) NPT_END(n)
 *
 * The first kernel of each also checks the neighbour list (kern_neigh.h).
 * NPT_END does the barostat's half-step of the NEXT step at once (it needs
 * only what the end of this one knows) and commits the next cell, keeping
 * this step's cell and volume for the sample (g->hs, g->vols); NPT_INIT
 * does the same before the first step. Langevin's heat is accumulated per
 * atom (scratch column HEAT) and summed only at samples.
 *
 * Every kernel after the first half returns at once while g->abort is set
 * (the first half raises MDB_ABORT_REBUILD itself, so it does not look; the
 * host clears the flags before a step). A barostat that blew
 * up raises MDB_ABORT_BOX at the next step's NPT_1 and leaves the
 * positions and the cell alone; the host then stops the run.
 */
#ifndef MDB_KERN_ENS_H
#define MDB_KERN_ENS_H

#include <math.h>

#include "core/rng.h"
#include "core/units.h"
#include "gpu/kern_state.h"
#include "gpu/kern_md.h"
#include "gpu/kern_neigh.h"
#include "md/ensemble_hd.h"
#include "md/nhc_hd.h"
#include "md/npt_hd.h"

/* Per-atom m v² into the scratch column MV2 (the thermostat's Σ m v²). */
MDB_HD static inline void mdb_ens_mv2_store(const mdb_kp *p, long i, const double *v) {
  p->scr[MDB_SCR_MV2 * (long)p->natoms + i] = p->mass[p->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

/* ------------------------------------------------------------ NVT nhc */

/* Chain half-step on the 2 KE left by the last step (each thread; thread 0
 * keeps the chain); v = s v + ½dt F/m; x += dt v; the list check. */
MDB_HD static inline void mdb_kb_nhc_1(long i, const mdb_kp *p) {
  if (p->g->halt) return;
  mdb_gstate *g = p->g;
  mdb_nhc c = g->nhc;
  const double s = mdb_nhc_half_step_hd(&c, g->ke2, 0.5 * p->dt);
  if (i == 0) {
    g->nhc_mid = c;
    g->scale = s;
  }
  const double cf = p->dtf[p->type[i]], dt = p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) {
    v[k] = s * v[k] + cf * f[k];
    x[k] += dt * v[k];
  }
  mdb_kp_store_x(p, i, x);
  mdb_nb_check_atom(i, p);
}

/* v += ½dt F/m, and m v² for the chain (NHC_2_LANES: after the lanes'
 * sum, mdb_kp_gather) */
MDB_HD static inline void mdb_nhc_2_at(long i, const mdb_kp *p, int gather) {
  if (p->g->abort) return;
  if (gather) mdb_kp_gather(p, i);
  const double c = p->dtf[p->type[i]];
  double *v = p->v + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) v[k] += c * f[k];
  mdb_ens_mv2_store(p, i, v);
}
MDB_HD static inline void mdb_kb_nhc_2(long i, const mdb_kp *p) { mdb_nhc_2_at(i, p, 0); }
MDB_HD static inline void mdb_kb_nhc_2_lanes(long i, const mdb_kp *p) { mdb_nhc_2_at(i, p, 1); }

/* Chain half-step on the new 2 KE (red[MV2]); v *= its factor, and the
 * kinetic columns when sampled; the step's last kernel. */
MDB_HD static inline void mdb_kb_nhc_end(long i, const mdb_kp *p) {
  mdb_gstate *g = p->g;
  if (mdb_step_aborted(i, p)) return;
  mdb_nhc c = g->nhc_mid;
  double ke2 = g->red[MDB_RED_MV2] * MDB_MVV2E;
  const double s = mdb_nhc_nvt_end_hd(&c, &ke2, 0.5 * p->dt);
  if (i == 0) {
    g->nhc = c;
    g->scale = s;
    g->ke2 = ke2;
    g->step++;
  }
  double *v = p->v + 3 * i;
  for (int k = 0; k < 3; k++) v[k] *= s;
  if (p->flags) mdb_kin_store(p, i, v);
}

/* ------------------------------------------------------------ Langevin */

/* B, A and O: v += ½dt F/m; x += ½dt v; v = c1 v + c2 σ R; with the
 * columns the centre-of-mass removal needs: m (MV2), m v after O (P), and
 * m v² before O (MV2B) for the heat. Noise keyed by (seed, step, id,
 * component) as md/langevin.c. */
MDB_HD static inline void mdb_kb_lgv_1(long i, const mdb_kp *p) {
  if (p->g->halt) return;
  const int t = p->type[i];
  const long n = p->natoms;
  const double c = p->dtf[t], m = p->mass[t], sd = p->lgv_c2 * p->lgv_sigma[t], h = 0.5 * p->dt, c1 = p->lgv_c1;
  const uint32_t step = (uint32_t)(p->g->step + 1), id = (uint32_t)p->id[i];
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  double g[4];
  mdb_gauss2(p->key0, p->key1, id, step, MDB_STREAM_THERMOSTAT, &g[0], &g[1]);
  mdb_gauss2(p->key0, p->key1, id, step, MDB_STREAM_THERMOSTAT + 16, &g[2], &g[3]);
  double mv2b = 0;
  mdb_lgv_bao_hd(v, x, f, c, h, m, c1, sd, g, &mv2b);
  for (int k = 0; k < 3; k++) p->scr[(MDB_SCR_P + k) * n + i] = m * v[k];
  mdb_kp_store_x(p, i, x);
  p->scr[MDB_SCR_MV2 * n + i] = m;
  p->scr[MDB_SCR_MV2B * n + i] = mv2b;
}

/* The centre-of-mass velocity out (red[P]/red[MV2] = Σ m v / M); A:
 * x += ½dt v; the atom's share of the heat, m v² after O − before; the
 * list check. */
MDB_HD static inline void mdb_kb_lgv_2(long i, const mdb_kp *p) {
  if (p->g->halt) return;
  const mdb_gstate *g = p->g;
  const long n = p->natoms;
  const double mtot = g->red[MDB_RED_MV2], m = p->mass[p->type[i]], h = 0.5 * p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double vc[3] = {g->red[MDB_RED_P] / mtot, g->red[MDB_RED_P + 1] / mtot, g->red[MDB_RED_P + 2] / mtot};
  double mv2 = 0;
  mdb_lgv_com_a_hd(v, x, vc, h, m, &mv2);
  p->scr[MDB_SCR_HEAT * n + i] += mv2 - p->scr[MDB_SCR_MV2B * n + i];
  mdb_kp_store_x(p, i, x);
  mdb_nb_check_atom(i, p);
}

/* ----------------------------------------------------------------- NPT */

/* The trace of the reduced virial (eV), as md/mtk.c takes it: xx + yy + zz */
MDB_HD static inline double mdb_red_trace(const mdb_gstate *g) {
  return g->red[MDB_RED_VIRIAL] + g->red[MDB_RED_VIRIAL + 4] + g->red[MDB_RED_VIRIAL + 8];
}

/* The first half's scalars of the next step (md/npt_hd.h) from the state
 * at the end of this one, and the next cell (h e², its inverse, volume,
 * shift vectors, the list's M and budget). One thread. A blow-up leaves
 * everything and raises MDB_ABORT_BOX at the next NPT_1. */
MDB_HD static inline void mdb_npt_next(mdb_gstate *g, const mdb_kp *p) {
  mdb_mtk b = g->mtk;
  mdb_nhc c = g->nhc;
  double ke2 = g->ke2;
  const mdb_npt_half s = mdb_npt_begin_hd(&b, &c, &ke2, g->volume, mdb_red_trace(g), p->natoms, 0.5 * p->dt);
  if (s.blown) {
    g->box_blown = 1;
    return;
  }
  g->mtk_mid = b;
  g->nhc_next = c; /* NPT_1 moves it to nhc_mid: the other threads of NPT_END still read nhc_mid */
  g->sp = s.sp;
  g->scale = s.sv;
  g->eps_step = s.e;
  for (int a = 0; a < 3; a++)
    for (int k = 0; k < 3; k++) g->h[a][k] = g->h[a][k] * s.cell;
  mdb_kb_box_update(0, p);
  mdb_nb_affine(g, p);
}

/* Before the first step: the first half-step's scalars and the cell. */
MDB_HD static inline void mdb_kb_npt_init(long i, const mdb_kp *p) {
  (void)i;
  mdb_npt_next(p->g, p);
}

/* v = s v + ½dt F/m; x = (x e + dt v) e; the list check (M and the budget
 * are already those of this step's cell) */
MDB_HD static inline void mdb_kb_npt_1(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  if (g->halt) return;
  if (g->box_blown) {
    if (i == 0) mdb_kp_abort(p, MDB_ABORT_BOX);
    return;
  }
  if (i == 0) p->g->nhc_mid = g->nhc_next;
  const double s = g->scale, e = g->eps_step, c = p->dtf[p->type[i]], dt = p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) {
    v[k] = s * v[k] + c * f[k];
    x[k] = (x[k] * e + dt * v[k]) * e;
  }
  mdb_kp_store_x(p, i, x);
  mdb_nb_check_atom(i, p);
}

/* v = (v + ½dt F/m) sp, and m v² for the barostat and the chain, in the
 * column after the virial's (one reduction gives both); NPT_2_LANES after
 * the lanes' sum (mdb_kp_gather) */
MDB_HD static inline void mdb_npt_2_at(long i, const mdb_kp *p, int gather) {
  if (p->g->abort) return;
  if (gather) mdb_kp_gather(p, i);
  const double sp = p->g->sp, c = p->dtf[p->type[i]];
  double *v = p->v + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) v[k] = (v[k] + c * f[k]) * sp;
  p->vatom[9L * p->natoms + i] = p->mass[p->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}
MDB_HD static inline void mdb_kb_npt_2(long i, const mdb_kp *p) { mdb_npt_2_at(i, p, 0); }
MDB_HD static inline void mdb_kb_npt_2_lanes(long i, const mdb_kp *p) { mdb_npt_2_at(i, p, 1); }

/* The second half's scalars (md/npt_hd.h): every thread runs the particle
 * chain for its factor on v; thread 0 the whole of it (v_ε with the new
 * virial, the barostat chain) and keeps this step's cell for the sample,
 * then the next step's scalars and cell. No other thread reads what thread
 * 0 writes. The step's last kernel. */
MDB_HD static inline void mdb_kb_npt_end(long i, const mdb_kp *p) {
  mdb_gstate *g = p->g;
  if (mdb_step_aborted(i, p)) return;
  mdb_nhc c = g->nhc_mid;
  double ke2 = g->red[MDB_RED_MV2] * MDB_MVV2E;
  mdb_mtk b;
  if (i == 0) b = g->mtk_mid;
  const double st = mdb_npt_end_hd(i == 0 ? &b : NULL, &c, &ke2, g->volume, mdb_red_trace(g), p->natoms, 0.5 * p->dt);
  if (i == 0) {
    g->mtk = b;
    g->nhc = c;
    g->ke2 = ke2;
    g->scale = st;
    g->vols = g->volume;
    for (int a = 0; a < 3; a++)
      for (int k = 0; k < 3; k++) g->hs[a][k] = g->h[a][k];
    g->step++;
    mdb_npt_next(g, p);
  }
  double *v = p->v + 3 * i;
  for (int k = 0; k < 3; k++) v[k] *= st;
  if (p->flags) mdb_kin_store(p, i, v);
}

#define MDB_KERNELS_ENS(X)            \
  X(NHC_1, nhc_1, mdb_kp)             \
  X(NHC_2, nhc_2, mdb_kp)             \
  X(NHC_2_LANES, nhc_2_lanes, mdb_kp) \
  X(NHC_END, nhc_end, mdb_kp)         \
  X(LGV_1, lgv_1, mdb_kp)             \
  X(LGV_2, lgv_2, mdb_kp)             \
  X(NPT_INIT, npt_init, mdb_kp)       \
  X(NPT_1, npt_1, mdb_kp)             \
  X(NPT_2, npt_2, mdb_kp)             \
  X(NPT_2_LANES, npt_2_lanes, mdb_kp) \
  X(NPT_END, npt_end, mdb_kp)
MDB_KERNELS_ENS(MDB_KERNEL_DECLARE)

#endif
