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
 *
 * Several threads per atom (calc/calc_gpu.h mdb_lanes_put): with L > 1
 * lanes, lane l takes the first neighbours j = entries l, l + L, ... of (a),
 * (b) and (c) (each with all its k), SW_LANES stores the lanes' partial
 * sums and the engine's next kernel adds them per atom (mdb_kp_gather: no
 * kernel of its own); L = 1 keeps the one kernel SW.
 */
#ifndef MDB_CALC_SW_KERN_H
#define MDB_CALC_SW_KERN_H

#include "calc/sw.h"
#include "calc/calc_gpu.h"

typedef struct mdb_kp_sw {
  mdb_kp k;
  const mdb_sw_pair *pair;   /* [ntypes*ntypes]: pair[a*ntypes + b] from entry a-b-b */
  const mdb_sw_angle *angle; /* [ntypes³]: angle[(a*ntypes + b)*ntypes + d], triplet b–a–d */
  int lanes;                 /* threads per atom L (calc/calc_gpu.h mdb_lanes_put) */
  double *part;              /* when L > 1: [MDB_LANE_COLS][L][natoms] the lanes' partial sums */
} mdb_kp_sw;

/* Atom i's force, energy and virial from its list entries a0, a0 + step,
 * ... (the first neighbour j of (a), (b) and (c)), into acc. */
MDB_HD static inline void mdb_sw_part(const mdb_kp_sw *q, long i, int a0, int step, mdb_acc *acc) {
  const mdb_kp *p = &q->k;
  const long n = p->natoms;
  const int nt = p->ntypes;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int ti = p->type[i], idi = p->id[i];
  const mdb_sw_pair *prow = q->pair + ti * nt;
  const mdb_sw_angle *arow = q->angle + (long)ti * nt * nt;
  const int eflag = (p->flags & MDB_COMPUTE_ENERGY) != 0, vflag = (p->flags & MDB_COMPUTE_VIRIAL) != 0;
  double *fi = acc->f, *w = acc->w;
  const int m = p->nn[i];
  for (int a = a0; a < m; a += step) {
    const long ia = (long)a * n + i;
    const int j = p->nl[ia];
    double d1[3];
    const int tj = mdb_kp_delta_xt(p, xi, ia, d1); /* j's position and type in one load */
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
      if (eflag) acc->e += 0.5 * ev;
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
        double d2[3];
        const int tk = mdb_kp_delta_xt(p, xi, ib, d2);
        const mdb_sw_pair *pik = prow + tk;
        const double r2sq = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        if (!(r2sq < pik->cutsq)) continue;
        const double r2 = sqrt(r2sq), ri2 = 1.0 / r2;
        double ex2, g2, fj[3], fk[3];
        mdb_sw_leg(r2, pik, &ex2, &g2);
        const double e3 = mdb_sw_triplet(u1x, u1y, u1z, ri1, ex1, g1, d2[0] * ri2, d2[1] * ri2, d2[2] * ri2, ri2, ex2,
                                         g2, trow + tk, fj, fk);
        for (int c = 0; c < 3; c++) fi[c] -= fj[c] + fk[c];
        if (eflag) acc->e += e3;
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
        double d2[3];
        const int tk = mdb_kp_delta_xt(p, xj, jb, d2);
        const mdb_sw_pair *pjk = pjrow + tk;
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
}

/* L = 1: one thread per atom, one kernel. */
MDB_HD static inline void mdb_kb_sw(long i, const mdb_kp_sw *q) {
  if (*q->k.abort) return;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  mdb_sw_part(q, i, 0, 1, &acc);
  mdb_acc_store(&q->k, i, &acc, 0);
}

/* L > 1: partial sums over L·n indices; the engine's next kernel adds
 * them (mdb_kp_gather). */
MDB_HD static inline void mdb_kb_sw_lanes(long t, const mdb_kp_sw *q) {
  if (*q->k.abort) return;
  const long n = q->k.natoms, l = t / n;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  mdb_sw_part(q, t - l * n, (int)l, q->lanes, &acc);
  mdb_lanes_put(q->part, q->lanes * n, t, &acc, q->k.flags);
}

#define MDB_KERNELS_SW(X) X(SW, sw, mdb_kp_sw) X(SW_LANES, sw_lanes, mdb_kp_sw)
MDB_KERNELS_SW(MDB_KERNEL_DECLARE)

#endif
