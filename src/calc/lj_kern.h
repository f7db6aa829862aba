/*
 * lj_kern.h — Lennard-Jones forces on the device: one thread per atom over
 * its full list, the pair formula of calc/lj.h (the same function the CPU
 * loop calls). Each thread writes only its own atom's force, energy and
 * virial (half of every pair's share), so no atomics and the sums are
 * deterministic.
 *
 * A neighbour's position and type come in one 32-byte load (p->xt).
 *
 * Mixed precision: positions relative to atom i are formed in double from
 * the double positions, the pair formula runs in float
 * (mdb_lj_eval_f, the same formula instantiated for float), and the sums are
 * double.
 */
#ifndef MDB_CALC_LJ_KERN_H
#define MDB_CALC_LJ_KERN_H

#include "calc/lj.h"
#include "calc/calc_gpu.h"

typedef struct mdb_kp_lj {
  mdb_kp k;
  const mdb_lj_pair *pair;    /* [ntypes*ntypes], row a: pair[a*ntypes + b] */
  const mdb_lj_pair_f *pairf; /* the same in float (mixed precision) */
  int mixed;
} mdb_kp_lj;

MDB_HD static inline void mdb_kb_lj(long i, const mdb_kp_lj *q) {
  const mdb_kp *p = &q->k;
  if (*p->abort) return;
  const long n = p->natoms;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int ti = p->type[i], nt = p->ntypes;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  const int m = p->nn[i];
  for (int k = 0; k < m; k++) {
    const long idx = (long)k * n + i;
    double xj[4]; /* the neighbour's position and type: one load */
    mdb_kp_load_xt(p, p->nl[idx], xj);
    const double *s = p->shiftvec[p->nsh[idx]];
    const double d[3] = {xj[0] + s[0] - xi[0], xj[1] + s[1] - xi[1], xj[2] + s[2] - xi[2]};
    const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const int pt = ti * nt + (int)xj[3];
    double fpair, ev;
    if (q->mixed) {
      const mdb_lj_pair_f *pf = q->pairf + pt;
      if (!((float)r2 < pf->rc2)) continue;
      float ff;
      ev = (double)mdb_lj_eval_f((float)r2, pf, &ff);
      fpair = (double)ff;
    } else {
      const mdb_lj_pair *pp = q->pair + pt;
      if (!(r2 < pp->rc2)) continue;
      ev = mdb_lj_eval(r2, pp, &fpair);
    }
    mdb_acc_pair(&acc, fpair, d, ev, p->flags);
  }
  mdb_acc_store(p, i, &acc, 0);
}

#define MDB_KERNELS_LJ(X) X(LJ, lj, mdb_kp_lj)
MDB_KERNELS_LJ(MDB_KERNEL_DECLARE)

#endif
