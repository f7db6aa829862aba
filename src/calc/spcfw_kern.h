/*
 * spcfw_kern.h — flexible SPC/Fw water with DSF Coulomb on the device
 * (calc/spcfw.c is the CPU half; the formulas are calc/spcfw.h, the same
 * functions the CPU loop calls).
 *
 * One thread per atom i, over its full list, writing only atom i's force,
 * energy and virial (no atomics, deterministic sums):
 *  - pairs inside rc that are not bonded partners: LJ + DSF, half of the
 *    pair's energy and virial to i;
 *  - bonded partners — the same molecule, the image closer than MOL_SPAN, as
 *    the CPU decides — the excluded-pair DSF term (calc/spcfw.h
 *    mdb_dsf_excluded), half to i. Every atom has exactly two (the others of
 *    its molecule); any other count means a torn molecule or a cell too
 *    narrow, which the CPU reports as an error: here MDB_ABORT_RUNAWAY;
 *  - the molecule's two bonds and its angle, evaluated by each of its three
 *    threads from the same bond vectors d_k = x_Hk − x_O (the minimum image,
 *    which for bonded partners is the CPU's bonded image): H_k takes its
 *    bond force plus its angle force F_k, the O takes −(F_0 + F_1), the
 *    whole bonded energy and the whole bonded virial Σ_k d_k ⊗ F_k;
 *  - its DSF self energy.
 * The per-atom shares then sum to the CPU's energy and W_ab = Σ x_a f_b.
 *
 * The molecule table, mol[3i..3i+2] = device indices of the O, H_0, H_1 of
 * atom i's molecule (H_0 the lower original id, as the CPU), is built at
 * setup (gpu/gcalc_spcfw.c); its ops set fixed_order, so the engine never
 * re-sorts the atoms (gpu/kern_sort.h).
 */
#ifndef MDB_CALC_SPCFW_KERN_H
#define MDB_CALC_SPCFW_KERN_H

#include "calc/spcfw.h"
#include "calc/calc_gpu.h"

typedef struct mdb_kp_spcfw {
  mdb_kp k;
  const mdb_spcfw_pair *pair; /* [ntypes*ntypes], row a: pair[a*ntypes + b] */
  const int *mol;             /* [3 natoms]: O, H_0, H_1 of atom i's molecule (device indices) */
  mdb_dsf dsf;
  double k_bond, r0_bond, k_angle, theta0;
  double span2; /* MOL_SPAN² (Å²) */
} mdb_kp_spcfw;

/* d = x_b + image − x_a for the image of b nearest to a (a neighbouring
 * shift of the rounded one when the cell is skewed); returns |d|², or −1
 * for a non-finite position. */
MDB_HD static inline double mdb_spcfw_image(const mdb_kp *p, int a, int b, double span2, double d[3]) {
  const double *xa = p->x + 3 * a, *xb = p->x + 3 * b;
  const double dd[3] = {xb[0] - xa[0], xb[1] - xa[1], xb[2] - xa[2]};
  int s0[3];
  for (int k = 0; k < 3; k++) {
    const double s = dd[0] * p->hinv[0][k] + dd[1] * p->hinv[1][k] + dd[2] * p->hinv[2][k];
    if (!(fabs(s) < 1e6)) return -1.0;
    const int q = -(int)floor(s + 0.5);
    s0[k] = q < -MDB_SHIFT_RANGE ? -MDB_SHIFT_RANGE : (q > MDB_SHIFT_RANGE ? MDB_SHIFT_RANGE : q);
  }
  const double *sv = p->shiftvec[mdb_shift_code(s0[0], s0[1], s0[2])];
  for (int k = 0; k < 3; k++) d[k] = xb[k] + sv[k] - xa[k];
  double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  if (r2 < span2) return r2;
  for (int u = -1; u <= 1; u++) /* a skewed cell: the nearest image may be a neighbouring shift */
    for (int v = -1; v <= 1; v++)
      for (int w = -1; w <= 1; w++) {
        const int s1[3] = {s0[0] + u, s0[1] + v, s0[2] + w};
        if (s1[0] < -MDB_SHIFT_RANGE || s1[0] > MDB_SHIFT_RANGE || s1[1] < -MDB_SHIFT_RANGE ||
            s1[1] > MDB_SHIFT_RANGE || s1[2] < -MDB_SHIFT_RANGE || s1[2] > MDB_SHIFT_RANGE)
          continue;
        const double *t = p->shiftvec[mdb_shift_code(s1[0], s1[1], s1[2])];
        double e[3];
        for (int k = 0; k < 3; k++) e[k] = xb[k] + t[k] - xa[k];
        const double q2 = e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
        if (q2 < r2) {
          r2 = q2;
          for (int k = 0; k < 3; k++) d[k] = e[k];
        }
      }
  return r2;
}

MDB_HD static inline void mdb_kb_spcfw(long i, const mdb_kp_spcfw *q) {
  const mdb_kp *p = &q->k;
  if (*p->abort) return;
  const long n = p->natoms;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int ti = p->type[i], nt = p->ntypes;
  const int *mi = q->mol + 3 * i;
  const int oi = mi[0];
  const mdb_spcfw_pair *pi = q->pair + ti * nt;
  const double rc2 = q->dsf.rc2, span2 = q->span2;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  double *const w = acc.w;
  const int eflag = (p->flags & MDB_COMPUTE_ENERGY) != 0, vflag = (p->flags & MDB_COMPUTE_VIRIAL) != 0;
  if (i == 0) { /* the CPU's check: the cell wider than 2·MOL_SPAN (width k = 1/|column k of h⁻¹|) */
    for (int k = 0; k < 3; k++)
      if (!((p->hinv[0][k] * p->hinv[0][k] + p->hinv[1][k] * p->hinv[1][k] + p->hinv[2][k] * p->hinv[2][k]) * 4.0 *
                span2 <
            1.0))
        mdb_kp_abort(p, MDB_ABORT_RUNAWAY);
  }

  /* pairs */
  int nbonded = 0;
  const int m = p->nn[i];
  for (int k = 0; k < m; k++) {
    const long idx = (long)k * n + i;
    const int j = p->nl[idx];
    double d[3];
    mdb_kp_delta(p, xi, idx, d);
    const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const int bonded = q->mol[3 * j] == oi && r2 < span2;
    if (!bonded && !(r2 < rc2)) continue;
    double fpair, ev;
    if (bonded) {
      nbonded++;
      ev = mdb_dsf_excluded(r2, pi[p->type[j]].qqc, &q->dsf, &fpair);
    } else {
      ev = mdb_spcfw_pair_eval(r2, &pi[p->type[j]], &q->dsf, &fpair);
    }
    mdb_acc_pair(&acc, fpair, d, ev, p->flags);
  }
  if (nbonded != 2) mdb_kp_abort(p, MDB_ABORT_RUNAWAY); /* a torn molecule (the CPU: MDB_ERUN) */

  /* the molecule's bonds and angle */
  double d[2][3], fk[2][3], eb = 0;
  for (int k = 0; k < 2; k++) {
    const double r2 = mdb_spcfw_image(p, oi, mi[1 + k], span2, d[k]);
    if (!(r2 >= 0 && r2 < span2)) {
      mdb_kp_abort(p, MDB_ABORT_RUNAWAY);
      return;
    }
    double fpair;
    eb += mdb_harmonic_bond(r2, q->k_bond, q->r0_bond, &fpair);
    for (int c = 0; c < 3; c++) fk[k][c] = fpair * d[k][c];
  }
  double fa[2][3];
  eb += mdb_harmonic_angle(d[0], d[1], q->k_angle, q->theta0, fa[0], fa[1]);
  for (int k = 0; k < 2; k++)
    for (int c = 0; c < 3; c++) fk[k][c] += fa[k][c];
  if (i == oi) {
    acc.f[0] -= fk[0][0];
    acc.f[1] -= fk[0][1];
    acc.f[2] -= fk[0][2];
    acc.f[0] -= fk[1][0];
    acc.f[1] -= fk[1][1];
    acc.f[2] -= fk[1][2];
    if (eflag) acc.e += eb;
    if (vflag)
      for (int k = 0; k < 2; k++)
        for (int a = 0; a < 3; a++)
          for (int b = 0; b < 3; b++) w[3 * a + b] += d[k][a] * fk[k][b];
  } else {
    const int k = i == mi[1] ? 0 : 1;
    acc.f[0] += fk[k][0];
    acc.f[1] += fk[k][1];
    acc.f[2] += fk[k][2];
  }
  if (eflag) acc.e += mdb_dsf_self(q->pair[ti * nt + ti].qqc, &q->dsf);

  mdb_acc_store(p, i, &acc, 0);
}

#define MDB_KERNELS_SPCFW(X) X(SPCFW, spcfw, mdb_kp_spcfw)
MDB_KERNELS_SPCFW(MDB_KERNEL_DECLARE)

#endif
