/*
 * kern_sort.h — a periodic re-sort of the atoms along a space-filling curve
 * on the device: at every K-th neighbour rebuild (K = mdb_kp_sort.every),
 * between NB_SORT and NB_BUILD (kern_neigh.h), every per-atom array of the
 * engine is permuted so that atoms of one bin are contiguous and the bins
 * follow the Z-order (Morton) curve of their integer coordinates. Nearby
 * atoms then sit at nearby indices: a neighbour's position is more often in
 * a cache line another thread of the warp just loaded.
 *
 * A counting sort over the bins the build has just filled (no atomics, so
 * the permutation is the same on every run and backend):
 *   SFC_COUNT    nchunks   per chunk of chunk_bins bins in Z-order (about
 *                          √nbins, at least MDB_SORT_CHUNK): each bin's
 *                          offset inside the chunk, the chunk's atom count
 *   SFC_SCAN     1 thread  exclusive prefix sum of the chunk counts (the
 *                          two serial loops are then about √nbins long)
 *   SFC_RANK     nbins     bin at Z-rank r: its atoms (NB_SORT left them by
 *                          index) get the new indices off(r) + 0, 1, ...;
 *                          the bin's entries are renamed to them
 *   SFC_SCATTER  n         every per-atom array into the scratch, at the
 *                          new index
 *   SFC_GATHER   n         back from the scratch; x0 = x, the packed xt
 * Within a bin the order is that of the old index: stable, so a neighbour
 * list built after the sort visits the same atoms in the same order as one
 * built without it, and the forces come out with the same bits.
 *
 * Permuted: x, v, f, the scratch columns (Langevin's per-atom heat lives
 * there across steps), type, id, image and home (the index the atom had in
 * the host's order, for downloads). Not permuted: what every force call or
 * build writes before it is read (eatom, vatom, the list). A calculator
 * whose device data holds atom indices across steps (spcfw's molecule
 * table) sets mdb_gcalc_ops.fixed_order and the engine never sorts.
 *
 * Every kernel decides for itself from the state (mdb_sort_now), so the
 * build's graph is the same whether this build sorts or not.
 */
#ifndef MDB_KERN_SORT_H
#define MDB_KERN_SORT_H

#include "gpu/kern_state.h"

#define MDB_SORT_CHUNK 64           /* fewest bins per thread of SFC_COUNT */
#define MDB_SORT_ND (9 + MDB_SCR_N) /* doubles per atom in the scratch: x, v, f, scr */
#define MDB_SORT_NI 6               /* ints per atom: type, id, image (3), home */

typedef struct mdb_kp_sort {
  mdb_kp k;
  int every;        /* sort at every every-th rebuild (the first build is not one) */
  int chunk_bins;   /* bins per chunk */
  int nchunks;      /* ⌈nbins / chunk_bins⌉ */
  const int *order; /* [nbins] the bin at Z-order rank r */
  int *bin_off;     /* [nbins] first new index of rank r's atoms, relative to its chunk */
  int *chunk;       /* [nchunks] atoms of the chunk; after SFC_SCAN its first new index */
  int *perm;        /* [natoms] new index of the atom at index i */
  int *home;        /* [natoms] index of the atom at index i in the host's order */
  double *td;       /* [MDB_SORT_ND natoms] */
  int *ti;          /* [MDB_SORT_NI natoms] */
} mdb_kp_sort;

/* This build sorts: a rebuild (not the first build) whose number is a
 * multiple of every, and nothing overflowed. */
MDB_HD static inline int mdb_sort_now(const mdb_kp_sort *q) {
  const mdb_gstate *g = q->k.g;
  return g->rebuild && !g->abort && q->every > 0 && g->builds > 1 && (g->builds - 1) % q->every == 0;
}

MDB_HD static inline void mdb_kb_sfc_count(long c, const mdb_kp_sort *q) {
  if (!mdb_sort_now(q)) return;
  const mdb_kp *p = &q->k;
  const long nb = (long)p->nbin[0] * p->nbin[1] * p->nbin[2];
  const long w = q->chunk_bins, r1 = (c + 1) * w < nb ? (c + 1) * w : nb;
  int run = 0;
  for (long r = c * w; r < r1; r++) {
    q->bin_off[r] = run;
    run += p->cell_count[q->order[r]];
  }
  q->chunk[c] = run;
}

MDB_HD static inline void mdb_kb_sfc_scan(long i, const mdb_kp_sort *q) {
  (void)i;
  if (!mdb_sort_now(q)) return;
  int run = 0;
  for (int c = 0; c < q->nchunks; c++) {
    const int m = q->chunk[c];
    q->chunk[c] = run;
    run += m;
  }
  q->k.g->sorts++;
}

MDB_HD static inline void mdb_kb_sfc_rank(long r, const mdb_kp_sort *q) {
  if (!mdb_sort_now(q)) return;
  const mdb_kp *p = &q->k;
  const long b = q->order[r];
  const int off = q->chunk[r / q->chunk_bins] + q->bin_off[r], m = p->cell_count[b];
  int *c = p->cells + b * p->cell_cap;
  for (int a = 0; a < m; a++) {
    q->perm[c[a]] = off + a;
    c[a] = off + a;
  }
}

MDB_HD static inline void mdb_kb_sfc_scatter(long i, const mdb_kp_sort *q) {
  if (!mdb_sort_now(q)) return;
  const mdb_kp *p = &q->k;
  const long n = p->natoms, j = q->perm[i];
  double *td = q->td;
  int *ti = q->ti;
  for (int k = 0; k < 3; k++) {
    td[3 * j + k] = p->x[3 * i + k];
    td[3 * n + 3 * j + k] = p->v[3 * i + k];
    td[6 * n + 3 * j + k] = p->f[3 * i + k];
    ti[2 * n + 3 * j + k] = p->image[3 * i + k];
  }
  for (int c = 0; c < MDB_SCR_N; c++) td[(9 + c) * n + j] = p->scr[c * n + i];
  ti[j] = p->type[i];
  ti[n + j] = p->id[i];
  ti[5 * n + j] = q->home[i];
}

MDB_HD static inline void mdb_kb_sfc_gather(long i, const mdb_kp_sort *q) {
  if (!mdb_sort_now(q)) return;
  const mdb_kp *p = &q->k;
  const long n = p->natoms;
  const double *td = q->td;
  const int *ti = q->ti;
  for (int k = 0; k < 3; k++) {
    p->x[3 * i + k] = p->x0[3 * i + k] = td[3 * i + k];
    p->v[3 * i + k] = td[3 * n + 3 * i + k];
    p->f[3 * i + k] = td[6 * n + 3 * i + k];
    p->image[3 * i + k] = ti[2 * n + 3 * i + k];
  }
  for (int c = 0; c < MDB_SCR_N; c++) p->scr[c * n + i] = td[(9 + c) * n + i];
  p->type[i] = ti[i];
  p->id[i] = ti[n + i];
  q->home[i] = ti[5 * n + i];
  mdb_kp_store_x(p, i, p->x + 3 * i);
  p->xt[4 * i + 3] = (double)p->type[i];
}

#define MDB_KERNELS_SORT(X)                \
  X(SFC_COUNT, sfc_count, mdb_kp_sort)     \
  X(SFC_SCAN, sfc_scan, mdb_kp_sort)       \
  X(SFC_RANK, sfc_rank, mdb_kp_sort)       \
  X(SFC_SCATTER, sfc_scatter, mdb_kp_sort) \
  X(SFC_GATHER, sfc_gather, mdb_kp_sort)
MDB_KERNELS_SORT(MDB_KERNEL_DECLARE)

#endif
