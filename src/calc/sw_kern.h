/*
 * sw_kern.h — Stillinger–Weber forces on the device: one thread per atom i
 * over full lists, the formulas of calc/sw.h (the functions the CPU loop
 * calls), and each thread writes only its own atom's force, energy and
 * virial, so no atomics and the sums are deterministic.
 *
 * The force on atom i gathers every term it takes part in:
 *  (a) pairs i–j: −fpair·d_ij, half of φ2 and of the pair virial;
 *  (b) triplets j–i–k centred on i (unordered pairs of its neighbours
 *      within the pair cutoffs): −(fj + fk); the whole φ3 and the triplet's
 *      virial d_ij⊗fj + d_ik⊗fk are i's share;
 *  (c) triplets i–j–k centred on a neighbour j (any image, j = i included:
 *      then the centre is an image of i) with i as a leg: the force on that
 *      leg. The other leg k runs over j's own list, skipping the entry that
 *      is i itself (atom i at composed image shift 0; a composed shift out of
 *      the ±2 range is never i). Energy and virial belong to the centre.
 * Entry filters are the CPU's: a neighbour j of centre c is a leg when
 * r² < pair[t_c][t_j].cutsq (the c-j-j entry); the pair term takes the
 * cutoff of the pair's owner (the lower original id: when tol > 0 and γ of
 * a-b-b and b-a-a differ those cutoffs differ, and the CPU's choice depends
 * on its atom order — the ambiguity sw.c documents for LAMMPS).
 *
 * Cost: (c) visits m² list entries per atom (m the list length), most of
 * them rejected by the distance test before any exp.
 */
#ifndef MDB_CALC_SW_KERN_H
#define MDB_CALC_SW_KERN_H

#include "calc/sw.h"
#include "calc/calc_gpu.h"

typedef struct mdb_kp_sw {
  mdb_kp k;
  const mdb_sw_pair *pair;   /* [ntypes*ntypes]: pair[a*ntypes + b] from entry a-b-b */
  const mdb_sw_angle *angle; /* [ntypes³]: angle[(a*ntypes + b)*ntypes + d], triplet b–a–d */
} mdb_kp_sw;

MDB_HD static inline void mdb_kb_sw(long i, const mdb_kp_sw *q) {
  const mdb_kp *p = &q->k;
  if (*p->abort) return;
  const long n = p->natoms;
  const int nt = p->ntypes;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int ti = p->type[i], idi = p->id[i];
  const mdb_sw_pair *prow = q->pair + ti * nt;
  const mdb_sw_angle *arow = q->angle + (long)ti * nt * nt;
  const int eflag = (p->flags & MDB_COMPUTE_ENERGY) != 0, vflag = (p->flags & MDB_COMPUTE_VIRIAL) != 0;
  double fi[3] = {0, 0, 0}, e = 0;
  double w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  const int m = p->nn[i];
  for (int a = 0; a < m; a++) {
    const long ia = (long)a * n + i;
    const int j = p->nl[ia];
    const int tj = p->type[j];
    double d1[3];
    mdb_kp_delta(p, xi, ia, d1);
    const double r1sq = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
    const mdb_sw_pair *pij = prow + tj;              /* i-j-j: pair term, leg j of centre i */
    const mdb_sw_pair *pji = q->pair + tj * nt + ti; /* j-i-i: leg i of centre j */
    const int leg_ij = r1sq < pij->cutsq, leg_ji = r1sq < pji->cutsq;
    if (!leg_ij && !leg_ji) continue;
    const double r1 = sqrt(r1sq), ri1 = 1.0 / r1;

    /* (a) the pair term, with its owner's cutoff */
    if (p->id[j] > idi ? leg_ij : leg_ji) {
      double fpair;
      const double ev = mdb_sw_two_body_r(r1, ri1, pij, &fpair);
      for (int c = 0; c < 3; c++) fi[c] -= fpair * d1[c];
      if (eflag) e += 0.5 * ev;
      if (vflag)
        for (int x = 0; x < 3; x++)
          for (int y = 0; y < 3; y++) w[3 * x + y] += 0.5 * fpair * d1[x] * d1[y];
    }

    /* (b) triplets j–i–k centred on i, k after j in i's list */
    if (leg_ij) {
      const double u1x = d1[0] * ri1, u1y = d1[1] * ri1, u1z = d1[2] * ri1;
      double ex1, g1;
      mdb_sw_leg(r1, pij, &ex1, &g1);
      const mdb_sw_angle *trow = arow + tj * nt;
      for (int b = a + 1; b < m; b++) {
        const long ib = (long)b * n + i;
        const int tk = p->type[p->nl[ib]];
        const mdb_sw_pair *pik = prow + tk;
        double d2[3];
        mdb_kp_delta(p, xi, ib, d2);
        const double r2sq = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        if (!(r2sq < pik->cutsq)) continue;
        const double r2 = sqrt(r2sq), ri2 = 1.0 / r2;
        double ex2, g2, fj[3], fk[3];
        mdb_sw_leg(r2, pik, &ex2, &g2);
        const double e3 = mdb_sw_triplet(u1x, u1y, u1z, ri1, ex1, g1, d2[0] * ri2, d2[1] * ri2, d2[2] * ri2, ri2, ex2,
                                         g2, trow + tk, fj, fk);
        for (int c = 0; c < 3; c++) fi[c] -= fj[c] + fk[c];
        if (eflag) e += e3;
        if (vflag)
          for (int x = 0; x < 3; x++)
            for (int y = 0; y < 3; y++) w[3 * x + y] += d1[x] * fj[y] + d2[x] * fk[y];
      }
    }

    /* (c) triplets i–j–k centred on this image of j, i the first leg */
    if (leg_ji) {
      const int sij = p->nsh[ia];
      const double u1x = -d1[0] * ri1, u1y = -d1[1] * ri1, u1z = -d1[2] * ri1;
      double ex1, g1;
      mdb_sw_leg(r1, pji, &ex1, &g1);
      const double xj[3] = {p->x[3 * j], p->x[3 * j + 1], p->x[3 * j + 2]};
      const mdb_sw_pair *pjrow = q->pair + tj * nt;
      const mdb_sw_angle *trow = q->angle + ((long)tj * nt + ti) * nt;
      const int mj = p->nn[j];
      for (int b = 0; b < mj; b++) {
        const long jb = (long)b * n + j;
        const int k = p->nl[jb];
        if (k == (int)i && mdb_shift_add(sij, p->nsh[jb]) == MDB_SHIFT_ZERO) continue; /* i itself */
        const int tk = p->type[k];
        const mdb_sw_pair *pjk = pjrow + tk;
        double d2[3];
        mdb_kp_delta(p, xj, jb, d2);
        const double r2sq = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        if (!(r2sq < pjk->cutsq)) continue;
        const double r2 = sqrt(r2sq), ri2 = 1.0 / r2;
        double ex2, g2, fl[3], fk[3];
        mdb_sw_leg(r2, pjk, &ex2, &g2);
        mdb_sw_triplet(u1x, u1y, u1z, ri1, ex1, g1, d2[0] * ri2, d2[1] * ri2, d2[2] * ri2, ri2, ex2, g2, trow + tk, fl,
                       fk);
        for (int c = 0; c < 3; c++) fi[c] += fl[c];
      }
    }
  }
  p->f[3 * i] = fi[0];
  p->f[3 * i + 1] = fi[1];
  p->f[3 * i + 2] = fi[2];
  if (eflag) p->eatom[i] = e;
  if (vflag)
    for (int c = 0; c < 9; c++) p->vatom[c * n + i] = w[c];
}

#define MDB_KERNELS_SW(X) X(SW, sw, mdb_kp_sw)
MDB_KERNELS_SW(MDB_KERNEL_DECLARE)

#endif
