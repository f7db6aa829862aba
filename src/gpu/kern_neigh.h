/*
 * kern_neigh.h — the neighbour list on the device: full lists (every
 * neighbour of every atom), built from bins in fractional coordinates with
 * the image translation of each entry (kern_common.h), so any cell shape
 * and any cutoff up to about twice the cell width work without ghost atoms.
 *
 * The rule for rebuilding is the CPU's (neigh/neigh.h): with M = h0⁻¹h and
 * ε = ‖M − I‖_F, rebuild when max|x − x0·M| > skin/2 − r_list ε (or ε ≥ 1);
 * an unchanged cell (same bits) gives M = I exactly.
 *
 * The check costs no launch of its own: the kernel that drifts the atoms
 * (NVE_1, NHC_1, LGV_2, NPT_1) tests each atom against the budget
 * (mdb_nb_check_atom) and raises MDB_ABORT_REBUILD when one is beyond it;
 * every later kernel of the step then returns at once, the host sees the
 * flag (copied back once per step) and issues the build and the rest of
 * the step again (gmd.c). A step without a build is thus the ensemble's
 * kernels and the force kernels alone; a step with one adds a host round
 * trip and
 *   NB_START   1 thread   checks the bin grid still covers r_list; h0 = h,
 *                         M = I, the new budget; counts the build
 *   NB_CLEAR   nbins      empties the bins
 *   NB_BIN     n          wraps atoms into the cell (image counts), x0 = x,
 *                         drops each atom into its bin (atomic slot)
 *   NB_SORT    nbins      sorts each bin by atom index: the list order is
 *                         then independent of the order the atomics ran in
 *   [SFC_*]               every K-th rebuild, the atoms re-sorted along the
 *                         Z-order of the bins (kern_sort.h)
 *   NB_BUILD   n          the list of atom i, scanning (2S+1)³ bins
 * Overflows (a full bin, a full row) raise an abort flag and leave the list
 * unusable; the engine grows the arrays and builds again.
 */
#ifndef MDB_KERN_NEIGH_H
#define MDB_KERN_NEIGH_H

#include <math.h>

#include "gpu/kern_state.h"

/* M = h0⁻¹h and the displacement budget for the current cell (the CPU's
 * rule); after a build (h0 = h, same bits) M = I and the budget is skin/2. */
MDB_HD static inline void mdb_nb_affine(mdb_gstate *g, const mdb_kp *p) {
  double eps2 = 0;
  int same = 1;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) same &= g->h[a][b] == g->h0[a][b];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      double m = same ? (double)(a == b)
                      : g->h0inv[a][0] * g->h[0][b] + g->h0inv[a][1] * g->h[1][b] + g->h0inv[a][2] * g->h[2][b];
      g->M[a][b] = m;
      double d = m - (a == b);
      eps2 += d * d;
    }
  double eps = sqrt(eps2);
  double budget = 0.5 * p->skin - p->rlist * eps;
  g->budget = (eps < 1.0 && budget >= 0) ? budget : -1.0;
}

/* Atom i moved beyond the budget (or is not finite): the list must be
 * rebuilt before the forces. The CPU rebuilds when the largest
 * displacement exceeds the budget: the same as "any atom does". */
MDB_HD static inline void mdb_nb_check_atom(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  const double *x = p->x + 3 * i, *x0 = p->x0 + 3 * i;
  double u2 = 0;
  for (int b = 0; b < 3; b++) {
    double u = x[b] - (x0[0] * g->M[0][b] + x0[1] * g->M[1][b] + x0[2] * g->M[2][b]);
    u2 += u * u;
  }
  if (!(g->budget >= 0) || !(u2 <= g->budget * g->budget)) mdb_kp_abort(p, MDB_ABORT_REBUILD);
}

/* Perpendicular width of the cell along lattice direction k (Å). */
MDB_HD static inline double mdb_cell_width(const double hinv[3][3], int k) {
  return 1.0 / sqrt(hinv[0][k] * hinv[0][k] + hinv[1][k] * hinv[1][k] + hinv[2][k] * hinv[2][k]);
}

MDB_HD static inline void mdb_kb_nb_start(long i, const mdb_kp *p) {
  (void)i;
  mdb_gstate *g = p->g;
  if (g->abort) return;
  for (int k = 0; k < 3; k++) {
    double w = mdb_cell_width(g->hinv, k);
    if (!(p->rlist * p->nbin[k] <= w * p->sbin[k])) {
      mdb_kp_abort(p, MDB_ABORT_GRID);
      return;
    }
  }
  g->rebuild = 1;
  g->builds++;
  g->nb_needed = 0;
  g->cell_needed = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      g->h0[a][b] = g->h[a][b];
      g->h0inv[a][b] = g->hinv[a][b];
    }
  mdb_nb_affine(g, p);
}

MDB_HD static inline void mdb_kb_nb_clear(long b, const mdb_kp *p) {
  if (p->g->rebuild) p->cell_count[b] = 0;
}

/* Bin coordinates of a position inside the cell (fractions clamped to the
 * grid: rounding can leave s a hair outside [0, 1)). */
MDB_HD static inline void mdb_bin_of(const mdb_kp *p, const double s[3], int b[3]) {
  for (int k = 0; k < 3; k++) {
    int q = (int)floor(s[k] * p->nbin[k]);
    b[k] = q < 0 ? 0 : (q >= p->nbin[k] ? p->nbin[k] - 1 : q);
  }
}

MDB_HD static inline void mdb_frac(const double hinv[3][3], const double *x, double s[3]) {
  for (int k = 0; k < 3; k++) s[k] = x[0] * hinv[0][k] + x[1] * hinv[1][k] + x[2] * hinv[2][k];
}

MDB_HD static inline void mdb_kb_nb_bin(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  if (!g->rebuild) return;
  double *x = p->x + 3 * i, s[3];
  mdb_frac(g->hinv, x, s);
  if (!(fabs(s[0]) < 1e6 && fabs(s[1]) < 1e6 && fabs(s[2]) < 1e6)) {
    mdb_kp_abort(p, MDB_ABORT_RUNAWAY);
    return;
  }
  int o[3] = {(int)floor(s[0]), (int)floor(s[1]), (int)floor(s[2])};
  if (o[0] | o[1] | o[2]) {
    for (int k = 0; k < 3; k++) {
      x[k] -= o[0] * g->h[0][k] + o[1] * g->h[1][k] + o[2] * g->h[2][k];
      p->image[3 * i + k] += o[k];
    }
    mdb_frac(g->hinv, x, s);
  }
  for (int k = 0; k < 3; k++) p->x0[3 * i + k] = x[k];
  mdb_kp_store_x(p, i, x);
  int bc[3];
  mdb_bin_of(p, s, bc);
  const int b = bc[0] + p->nbin[0] * (bc[1] + p->nbin[1] * bc[2]);
  const int slot = mdb_atomic_add_int(&p->cell_count[b], 1);
  if (slot < p->cell_cap)
    p->cells[(long)b * p->cell_cap + slot] = (int)i;
  else
    mdb_kp_abort(p, MDB_ABORT_CELL);
  if (slot + 1 > g->cell_needed) mdb_atomic_max_int(&p->g->cell_needed, slot + 1);
}

MDB_HD static inline void mdb_kb_nb_sort(long b, const mdb_kp *p) {
  if (!p->g->rebuild || p->g->abort) return;
  int *c = p->cells + b * p->cell_cap;
  const int m = p->cell_count[b];
  for (int a = 1; a < m; a++) {
    int v = c[a], k = a - 1;
    while (k >= 0 && c[k] > v) {
      c[k + 1] = c[k];
      k--;
    }
    c[k + 1] = v;
  }
}

MDB_HD static inline void mdb_kb_nb_build(long i, const mdb_kp *p) {
  const mdb_gstate *g = p->g;
  if (!g->rebuild || g->abort) return;
  const double *xi = p->x + 3 * i;
  double s[3];
  mdb_frac(g->hinv, xi, s);
  int bc[3];
  mdb_bin_of(p, s, bc);
  const double rl2 = p->rlist * p->rlist;
  const long n = p->natoms;
  int cnt = 0;
  for (int oz = -p->sbin[2]; oz <= p->sbin[2]; oz++) {
    const int qz = bc[2] + oz, wz = (qz % p->nbin[2] + p->nbin[2]) % p->nbin[2];
    const int shz = (qz - wz) / p->nbin[2];
    for (int oy = -p->sbin[1]; oy <= p->sbin[1]; oy++) {
      const int qy = bc[1] + oy, wy = (qy % p->nbin[1] + p->nbin[1]) % p->nbin[1];
      const int shy = (qy - wy) / p->nbin[1];
      for (int ox = -p->sbin[0]; ox <= p->sbin[0]; ox++) {
        const int qx = bc[0] + ox, wx = (qx % p->nbin[0] + p->nbin[0]) % p->nbin[0];
        const int shx = (qx - wx) / p->nbin[0];
        const int code = mdb_shift_code(shx, shy, shz);
        const double *sv = g->shiftvec[code];
        const long b = wx + (long)p->nbin[0] * (wy + (long)p->nbin[1] * wz);
        const int *c = p->cells + b * p->cell_cap;
        const int m = p->cell_count[b];
        for (int a = 0; a < m; a++) {
          const int j = c[a];
          if (j == i && code == MDB_SHIFT_ZERO) continue;
          double q[4];
          mdb_kp_load_xt(p, j, q);
          const double dx = q[0] + sv[0] - xi[0], dy = q[1] + sv[1] - xi[1], dz = q[2] + sv[2] - xi[2];
          if (dx * dx + dy * dy + dz * dz < rl2) {
            if (cnt < p->nb_cap) {
              p->nl[(long)cnt * n + i] = j;
              p->nsh[(long)cnt * n + i] = (unsigned char)code;
            }
            cnt++;
          }
        }
      }
    }
  }
  p->nn[i] = cnt < p->nb_cap ? cnt : p->nb_cap;
  if (cnt > p->nb_cap) mdb_kp_abort(p, MDB_ABORT_NEIGH);
  if (cnt > g->nb_needed) mdb_atomic_max_int(&p->g->nb_needed, cnt);
}

/* After the box changed (NPT): inverse, volume and the shift vectors. One
 * thread. */
MDB_HD static inline void mdb_kb_box_update(long i, const mdb_kp *p) {
  (void)i;
  mdb_gstate *g = p->g;
  const double(*h)[3] = g->h;
  double c[3][3];
  c[0][0] = h[1][1] * h[2][2] - h[1][2] * h[2][1];
  c[0][1] = h[0][2] * h[2][1] - h[0][1] * h[2][2];
  c[0][2] = h[0][1] * h[1][2] - h[0][2] * h[1][1];
  c[1][0] = h[1][2] * h[2][0] - h[1][0] * h[2][2];
  c[1][1] = h[0][0] * h[2][2] - h[0][2] * h[2][0];
  c[1][2] = h[0][2] * h[1][0] - h[0][0] * h[1][2];
  c[2][0] = h[1][0] * h[2][1] - h[1][1] * h[2][0];
  c[2][1] = h[0][1] * h[2][0] - h[0][0] * h[2][1];
  c[2][2] = h[0][0] * h[1][1] - h[0][1] * h[1][0];
  const double det = h[0][0] * c[0][0] + h[0][1] * c[1][0] + h[0][2] * c[2][0];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) g->hinv[a][b] = c[a][b] / det;
  g->volume = fabs(det);
  for (int code = 0; code < MDB_NSHIFT; code++) {
    int s[3];
    mdb_shift_decode(code, s);
    for (int k = 0; k < 3; k++) g->shiftvec[code][k] = s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k];
  }
}

#define MDB_KERNELS_NEIGH(X)    \
  X(NB_START, nb_start, mdb_kp) \
  X(NB_CLEAR, nb_clear, mdb_kp) \
  X(NB_BIN, nb_bin, mdb_kp)     \
  X(NB_SORT, nb_sort, mdb_kp)   \
  X(NB_BUILD, nb_build, mdb_kp) \
  X(BOX_UPDATE, box_update, mdb_kp)
MDB_KERNELS_NEIGH(MDB_KERNEL_DECLARE)

#endif
