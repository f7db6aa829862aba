/*
 * kern_md.h — velocity Verlet on the device and the per-atom parts of a
 * thermo sample. The formulas are those of md/integrate.c; the kicks write
 * the per-atom m v² and m v that the reductions turn into the sample's
 * kinetic energy and momentum.
 *
 * Every kernel returns at once while g->abort is set (a list to rebuild,
 * an overflow): the state stays at "after the drift" and the engine
 * builds (or grows) the list and finishes the step.
 */
#ifndef MDB_KERN_MD_H
#define MDB_KERN_MD_H

#include <math.h>

#include "gpu/kern_state.h"
#include "gpu/kern_neigh.h"

/* Counts the completed step: thread 0 of the step's last kernel (which no
 * other thread of it reads). */
MDB_HD static inline void mdb_step_done(long i, const mdb_kp *p) {
  if (i == 0) p->g->step++;
}

/* The step's last kernel found it aborted: later steps of a multi-step
 * graph must not start (their first halves look at g->halt). Returns
 * whether the kernel must return. */
MDB_HD static inline int mdb_step_aborted(long i, const mdb_kp *p) {
  if (!p->g->abort) return 0;
  if (i == 0) p->g->halt = 1;
  return 1;
}

/* v += ½dt F/m; x += dt v; the neighbour-list check of the atom. The
 * first half of a step does not look at g->abort: it is what raises
 * MDB_ABORT_REBUILD (the other atoms must still drift); it stops on
 * g->halt, which an earlier step of the same graph set when it ended
 * aborted. */
MDB_HD static inline void mdb_kb_nve_1(long i, const mdb_kp *p) {
  if (p->g->halt) return;
  const double c = p->dtf[p->type[i]], dt = p->dt;
  double *v = p->v + 3 * i, *x = p->x + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) {
    v[k] += c * f[k];
    x[k] += dt * v[k];
  }
  mdb_kp_store_x(p, i, x);
  mdb_nb_check_atom(i, p);
}

/* Per-atom m v² and m v into the scratch columns. */
MDB_HD static inline void mdb_kin_store(const mdb_kp *p, long i, const double *v) {
  const double m = p->mass[p->type[i]];
  const long n = p->natoms;
  p->scr[MDB_SCR_MV2 * n + i] = m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  p->scr[(MDB_SCR_P + 0) * n + i] = m * v[0];
  p->scr[(MDB_SCR_P + 1) * n + i] = m * v[1];
  p->scr[(MDB_SCR_P + 2) * n + i] = m * v[2];
}

/* v += ½dt F/m, and the kinetic columns when the step is sampled; the
 * step's last kernel (NVE, Langevin). Two kernels: NVE_2_LANES first adds
 * the lanes' partials (mdb_kp_gather), NVE_2 keeps the registers of a pair
 * potential's step free of that loop (26 against 40 on sm_90). */
MDB_HD static inline void mdb_nve_2_at(long i, const mdb_kp *p, int gather) {
  if (mdb_step_aborted(i, p)) return;
  mdb_step_done(i, p);
  if (gather) mdb_kp_gather(p, i);
  const double c = p->dtf[p->type[i]];
  double *v = p->v + 3 * i;
  const double *f = p->f + 3 * i;
  for (int k = 0; k < 3; k++) v[k] += c * f[k];
  if (p->flags) mdb_kin_store(p, i, v);
}
MDB_HD static inline void mdb_kb_nve_2(long i, const mdb_kp *p) { mdb_nve_2_at(i, p, 0); }
MDB_HD static inline void mdb_kb_nve_2_lanes(long i, const mdb_kp *p) { mdb_nve_2_at(i, p, 1); }

/* The kinetic columns alone (the initial sample), after the lanes' sum. */
MDB_HD static inline void mdb_kb_kin(long i, const mdb_kp *p) {
  mdb_kp_gather(p, i); /* it follows the first force call */
  mdb_kin_store(p, i, p->v + 3 * i);
}

/* Largest |v|² (for the runaway check of a sample): one thread clears,
 * every atom maxes, then the atoms at the maximum name the smallest id. */
MDB_HD static inline void mdb_kb_vmax_clear(long i, const mdb_kp *p) {
  (void)i;
  p->g->vmax2 = 0;
  p->g->vmax_atom = 0x7fffffff;
}

MDB_HD static inline void mdb_kb_vmax(long i, const mdb_kp *p) {
  const double *v = p->v + 3 * i;
  double v2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
  if (v2 != v2) v2 = INFINITY;
  if (v2 > p->g->vmax2) mdb_atomic_max_nonneg(&p->g->vmax2, v2);
}

MDB_HD static inline void mdb_kb_vmax_id(long i, const mdb_kp *p) {
  const double *v = p->v + 3 * i;
  double v2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
  if (v2 != v2) v2 = INFINITY;
  if (v2 == p->g->vmax2) {
#if defined(__CUDA_ARCH__)
    atomicMin(&p->g->vmax_atom, p->id[i]);
#else
    if (p->id[i] < p->g->vmax_atom) p->g->vmax_atom = p->id[i];
#endif
  }
}

#define MDB_KERNELS_MD(X)             \
  X(NVE_1, nve_1, mdb_kp)             \
  X(NVE_2, nve_2, mdb_kp)             \
  X(NVE_2_LANES, nve_2_lanes, mdb_kp) \
  X(KIN, kin, mdb_kp)                 \
  X(VMAX_CLEAR, vmax_clear, mdb_kp)   \
  X(VMAX, vmax, mdb_kp)               \
  X(VMAX_ID, vmax_id, mdb_kp)
MDB_KERNELS_MD(MDB_KERNEL_DECLARE)

#endif
