/*
 * kern_common.h — what every device kernel body shares: the device-resident
 * state of a trajectory (mdb_gstate), the engine's parameter block (mdb_kp),
 * atomics that are real on the GPU and plain operations in the host
 * backend (whose kernels run serially), and the image-shift codes of the
 * neighbour list.
 *
 * A kernel is a body, `MDB_HD static inline void mdb_kb_NAME(long i, const
 * PARAMS *p)`, run for i = 0..n−1. The CUDA backend (gpu/dev_cuda.cu) wraps
 * each body in a __global__ function with one thread per i; the host backend
 * (gpu/dev_host.c) calls it in a loop. So the host backend runs exactly the
 * code the GPU runs, and the tests check the GPU algorithm on any machine.
 * A body must not depend on the order in which i are visited, except
 * through the atomics below (slot assignment, maxima), whose results the
 * engine makes order-independent (bins are sorted after filling).
 *
 * Headers included here are compiled as C (host) and as C++ (nvcc): no
 * designated initialisers, explicit casts from void *.
 */
#ifndef MDB_KERN_COMMON_H
#define MDB_KERN_COMMON_H

#include <math.h>
#include <stdint.h>

#include "core/hd.h"
#include "core/system.h"
#include "md/md.h"

/* ------------------------------------------------------------ atomics */

MDB_HD static inline int mdb_atomic_add_int(int *a, int v) {
#if defined(__CUDA_ARCH__)
  return atomicAdd(a, v);
#else
  int old = *a;
  *a += v;
  return old;
#endif
}

MDB_HD static inline void mdb_atomic_max_int(int *a, int v) {
#if defined(__CUDA_ARCH__)
  atomicMax(a, v);
#else
  if (v > *a) *a = v;
#endif
}

/* Maximum of non-negative doubles: their bit patterns order as integers. */
MDB_HD static inline void mdb_atomic_max_nonneg(double *a, double v) {
#if defined(__CUDA_ARCH__)
  atomicMax((unsigned long long *)a, (unsigned long long)__double_as_longlong(v));
#else
  if (v > *a) *a = v;
#endif
}

/* ------------------------------------------------------- image shifts */

/* A neighbour-list entry is an atom index j plus the lattice translation
 * (sx, sy, sz) ∈ [−2, 2]³ of the image of j that is the neighbour, coded as
 * (sx+2)·25 + (sy+2)·5 + (sz+2): the neighbour sits at x_j + s·h. */
#define MDB_SHIFT_RANGE 2
#define MDB_NSHIFT 125
#define MDB_SHIFT_ZERO 62

MDB_HD static inline int mdb_shift_code(int sx, int sy, int sz) { return (sx + 2) * 25 + (sy + 2) * 5 + (sz + 2); }

MDB_HD static inline void mdb_shift_decode(int code, int s[3]) {
  s[0] = code / 25 - 2;
  s[1] = (code / 5) % 5 - 2;
  s[2] = code % 5 - 2;
}

/* Sum of two codes (an image of an image), both in range by construction of
 * the callers (|s| ≤ 1 per leg for many-body neighbours of neighbours is not
 * guaranteed: out-of-range sums return −1). */
MDB_HD static inline int mdb_shift_add(int a, int b) {
  int sa[3], sb[3];
  mdb_shift_decode(a, sa);
  mdb_shift_decode(b, sb);
  int s0 = sa[0] + sb[0], s1 = sa[1] + sb[1], s2 = sa[2] + sb[2];
  if (s0 < -2 || s0 > 2 || s1 < -2 || s1 > 2 || s2 < -2 || s2 > 2) return -1;
  return mdb_shift_code(s0, s1, s2);
}

/* ------------------------------------------------------ device state */

/* Indices into mdb_gstate.red: what the reductions write. */
enum {
  MDB_RED_ENERGY = 0, /* Σ per-atom energy (eV) */
  MDB_RED_VIRIAL = 1, /* 9 components W_ab, a-major (eV) */
  MDB_RED_MV2 = 10,   /* Σ m v² (amu Å²/fs²) */
  MDB_RED_P = 11,     /* 3: Σ m v (amu Å/fs) */
  MDB_RED_HEAT = 14,  /* Langevin: Σ over atoms and steps of m v² after O − before (amu Å²/fs²) */
  MDB_RED_N = 16
};

/* Per-atom scratch columns (the engine's scratch array is [MDB_SCR_N][natoms]);
 * MV2, P and HEAT are contiguous, as are red[MV2], red[P], red[HEAT]: a
 * sample reduces them in one go. */
enum { MDB_SCR_MV2 = 0, MDB_SCR_P = 1, MDB_SCR_HEAT = 4, MDB_SCR_MV2B = 5, MDB_SCR_N = 6 };

/* Flags the host reads after a step (also mirrored in mdb_gstate). */
enum {
  MDB_ABORT_NEIGH = 1,   /* an atom had more neighbours than the list holds */
  MDB_ABORT_CELL = 2,    /* a bin had more atoms than it holds */
  MDB_ABORT_GRID = 4,    /* the box shrank below what the bin grid covers */
  MDB_ABORT_RUNAWAY = 8, /* an atom moved further than any list can follow */
  MDB_ABORT_BOX = 16,    /* the barostat blew up */
  MDB_ABORT_REBUILD = 32 /* an atom moved beyond the list's budget: build, then the rest of the step */
};

/* Everything about the trajectory that changes on the device, in one block
 * of device memory: kernels read and write it, graphs capture only its
 * address, and the host copies it back at samples. */
typedef struct mdb_gstate {
  double h[3][3], hinv[3][3]; /* current cell (rows are lattice vectors) */
  double volume;
  double hs[3][3], vols;          /* the cell and volume of the last completed step (NPT commits the next
                                 cell at the end of a step; samples and downloads use these) */
  double shiftvec[MDB_NSHIFT][3]; /* s·h for every shift code, for the current cell */
  double h0[3][3], h0inv[3][3];   /* cell at the last neighbour build */
  double M[3][3];                 /* h0⁻¹ h: the affine map since the build (neigh/neigh.h) */
  double budget;                  /* displacement allowed before a rebuild (Å); < 0: rebuild */
  double vmax2;                   /* largest |v|² at the last sample (Å²/fs²) */
  double red[MDB_RED_N];          /* reduction results */
  int rebuild;                    /* a build was started (NB_START) */
  int nb_needed;                  /* most neighbours any atom had at the last build */
  int cell_needed;                /* most atoms any bin had */
  int vmax_atom;                  /* original id of the fastest atom at the last sample */
  long builds;                    /* neighbour builds so far */
  /* the host copies these three back after every launch, in one copy */
  int abort; /* MDB_ABORT_* raised since the host last cleared it (sticky: every
                                     kernel after a step's first half returns at once while it is set) */
  int halt;  /* a step ended aborted: the first halves of later steps (in a
                                     multi-step graph) return at once too */
  long step; /* MD steps completed */
  /* ensembles */
  double ke2;       /* 2 KE after the last thermostat scaling (eV) */
  double scale;     /* the last thermostat velocity factor */
  double heat;      /* Langevin: heat put in before the engine started (eV); the rest is red[HEAT] */
  mdb_nhc nhc;      /* the particles' chain at the end of the last step */
  mdb_mtk mtk;      /* the barostat (its own chain inside) at the end of the last step */
  mdb_nhc nhc_mid;  /* the chain between the step's two half-steps */
  mdb_nhc nhc_next; /* NPT: nhc_mid of the next step, until its NPT_1 */
  mdb_mtk mtk_mid;
  int box_blown;   /* NPT: the next half-step would blow the barostat up */
  double sp;       /* NPT: exp(−h (v_ε + mtk2)) of this step */
  double eps_step; /* NPT: exp(h v_ε) of this step */
} mdb_gstate;

/* The engine's parameter block: every device array and constant a kernel
 * of the engine may need. Passed by value to each launch (graphs capture
 * it); what changes during a run lives behind g. */
typedef struct mdb_kp {
  int natoms;
  int ntypes;
  double *x, *v, *f; /* [3 natoms] */
  double *xt;        /* [4 natoms] x, y, z and the type (as a double) of each atom: a neighbour's position
                        and type in one 32-byte load; every kernel that moves atoms keeps it equal to x */
  double *x0;        /* [3 natoms] positions at the last build */
  int *type, *id, *image;
  double *eatom; /* [natoms] per-atom energy when MDB_COMPUTE_ENERGY */
  double *vatom; /* [10 natoms] per-atom virial W_ab (column ab·natoms + i) when MDB_COMPUTE_VIRIAL;
                        column 9: NPT's m v², reduced with the virial */
  double *scr;   /* [MDB_SCR_N natoms] per-atom scratch for reductions */
  /* neighbour list: column-major, nl[k*natoms + i], k < nn[i] ≤ nb_cap */
  int *nn, *nl;
  unsigned char *nsh; /* image code of each entry */
  int nb_cap;
  /* bins: atoms of bin b are cells[b*cell_cap + 0..cell_count[b]) */
  int *cell_count, *cells;
  int cell_cap;
  int nbin[3], sbin[3]; /* bins per direction; bins searched either side */
  double cutoff, rlist, skin;
  double dt;
  double dtf[MDB_MAX_TYPES];       /* ½ dt FTM2V / m */
  double mass[MDB_MAX_TYPES];      /* amu */
  double lgv_sigma[MDB_MAX_TYPES]; /* Langevin: √(kB T FTM2V / m) */
  double lgv_c1, lgv_c2;
  uint32_t key0, key1; /* Langevin noise key */
  unsigned flags;      /* MDB_COMPUTE_* of this force call */
  mdb_gstate *g;
} mdb_kp;

/* Raises an abort flag in device memory (g->abort): an atomicOr there,
 * never over PCIe. The host copies the flag back once per step (gmd.c)
 * and clears it when it has dealt with it. */
MDB_HD static inline void mdb_kp_abort(const mdb_kp *p, int flag) {
#if defined(__CUDA_ARCH__)
  atomicOr(&p->g->abort, flag);
#else
  p->g->abort |= flag;
#endif
}

/* What one thread gathers for its atom: the force on it, its share of the
 * energy and of the virial W_ab. */
typedef struct mdb_acc {
  double f[3], e, w[9];
} mdb_acc;

/* A pair term seen from atom i: d = x_j − x_i, the force on j is fpair·d
 * (so −fpair·d on i); i takes half the pair's energy and virial. */
MDB_HD static inline void mdb_acc_pair(mdb_acc *a, double fpair, const double d[3], double e, unsigned flags) {
  a->f[0] -= fpair * d[0];
  a->f[1] -= fpair * d[1];
  a->f[2] -= fpair * d[2];
  if (flags & MDB_COMPUTE_ENERGY) a->e += 0.5 * e;
  if (flags & MDB_COMPUTE_VIRIAL)
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++) a->w[3 * x + y] += 0.5 * fpair * d[x] * d[y];
}

/* Writes atom i's force and, as the force call asked, energy (added to what
 * an earlier kernel of the same call left when add_energy) and virial. */
MDB_HD static inline void mdb_acc_store(const mdb_kp *p, long i, const mdb_acc *a, int add_energy) {
  p->f[3 * i] = a->f[0];
  p->f[3 * i + 1] = a->f[1];
  p->f[3 * i + 2] = a->f[2];
  if (p->flags & MDB_COMPUTE_ENERGY) p->eatom[i] = (add_energy ? p->eatom[i] : 0.0) + a->e;
  if (p->flags & MDB_COMPUTE_VIRIAL)
    for (int c = 0; c < 9; c++) p->vatom[(long)c * p->natoms + i] = a->w[c];
}

/* Atom i moved to x: its packed copy follows. */
MDB_HD static inline void mdb_kp_store_x(const mdb_kp *p, long i, const double *x) {
  double *t = p->xt + 4 * i;
  t[0] = x[0];
  t[1] = x[1];
  t[2] = x[2];
}

/* Position and type of atom j in one 32-byte load (two 16-byte vector
 * loads on sm_80/sm_90, one where the device has 32-byte loads). */
MDB_HD static inline void mdb_kp_load_xt(const mdb_kp *p, long j, double q[4]) {
#if defined(__CUDA_ARCH__) && CUDART_VERSION >= 13000
  const double4_32a t = *reinterpret_cast<const double4_32a *>(p->xt + 4 * j);
  q[0] = t.x;
  q[1] = t.y;
  q[2] = t.z;
  q[3] = t.w;
#elif defined(__CUDA_ARCH__) /* CUDA 12: no 32-byte vector type, two 16-byte loads */
  const double2 a = reinterpret_cast<const double2 *>(p->xt + 4 * j)[0];
  const double2 b = reinterpret_cast<const double2 *>(p->xt + 4 * j)[1];
  q[0] = a.x;
  q[1] = a.y;
  q[2] = b.x;
  q[3] = b.y;
#else
  const double *t = p->xt + 4 * j;
  q[0] = t[0];
  q[1] = t[1];
  q[2] = t[2];
  q[3] = t[3];
#endif
}

/* Position of neighbour entry k of atom i, relative to atom i. */
MDB_HD static inline void mdb_kp_delta(const mdb_kp *p, const double *xi, long k, double d[3]) {
  const int j = p->nl[k];
  const double *s = p->g->shiftvec[p->nsh[k]];
  d[0] = p->x[3 * j] + s[0] - xi[0];
  d[1] = p->x[3 * j + 1] + s[1] - xi[1];
  d[2] = p->x[3 * j + 2] + s[2] - xi[2];
}

#endif
