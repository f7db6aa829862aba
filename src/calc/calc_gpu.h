/*
 * calc_gpu.h — what a calculator's GPU half sees of the GPU engine, and
 * what it gives it: the engine's parameter block (mdb_kp: the device
 * arrays of positions, forces, the neighbour list, ...), helpers for
 * kernel bodies that gather per atom, and the ops a calculator hangs on
 * its mdb_calc_ops (member gpu).
 *
 * A calculator NAME with a GPU kernel has, beside NAME.c, NAME_kern.h (its
 * kernel bodies, written over the host+device formulas of NAME.h, and their
 * X-macro list MDB_KERNELS_NAME, dev/kernel.h) and, at the end of NAME.c,
 * its mdb_gcalc_ops (upload the prepared parameters, launch the kernels).
 * Nothing else names it: the engine finds the half through the calculator's
 * ops, and the build compiles the kernels for CUDA from the header by
 * its file name.
 *
 * Compiled as C (host) and as C++ (nvcc): no designated initialisers.
 */
#ifndef MDB_CALC_GPU_H
#define MDB_CALC_GPU_H

#include "calc/calc.h"
#include "core/system.h"
#include "dev/dev.h"
#include "dev/kern_common.h"
#include "dev/kernel.h"

/* Flags the host reads after a step (also mirrored in mdb_gstate). */
enum {
  MDB_ABORT_NEIGH = 1,   /* an atom had more neighbours than the list holds */
  MDB_ABORT_CELL = 2,    /* a bin had more atoms than it holds */
  MDB_ABORT_GRID = 4,    /* the box shrank below what the bin grid covers */
  MDB_ABORT_RUNAWAY = 8, /* an atom moved further than any list can follow */
  MDB_ABORT_BOX = 16,    /* the barostat blew up */
  MDB_ABORT_REBUILD = 32 /* an atom moved beyond the list's budget: build, then the rest of the step */
};

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
  uint32_t key0, key1;   /* Langevin noise key */
  unsigned flags;        /* MDB_COMPUTE_* of this force call */
  struct mdb_gstate *g;  /* the engine's device state (gpu/kern_state.h); a calculator's kernels use
                           the three pointers into it below */
  double (*shiftvec)[3]; /* [MDB_NSHIFT] s·h for every shift code, for the current cell */
  double (*hinv)[3];     /* [3] the current cell's inverse */
  int *abort;            /* the abort flags (MDB_ABORT_*), sticky until the host clears them */
  /* Forces left as lane partials (mdb_gcalc_defer_lanes): when lanes > 1 the
   * calculator's last kernel stored its lanes' partial sums in lpart, and
   * the engine's next kernel adds them (mdb_kp_gather) with lflags, the
   * force call's flags. */
  const double *lpart;
  int lanes;
  unsigned lflags;
} mdb_kp;

/* Raises an abort flag in device memory (g->abort): an atomicOr there,
 * never over PCIe. The host copies the flag back once per step (gpu/gmd.c)
 * and clears it when it has dealt with it. */
MDB_HD static inline void mdb_kp_abort(const mdb_kp *p, int flag) {
#if defined(__CUDA_ARCH__)
  atomicOr(p->abort, flag);
#else
  *p->abort |= flag;
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

/* Writes atom i's force and, as flags (the force call's) ask, energy (added to what
 * an earlier kernel of the same call left when add_energy) and virial. */
MDB_HD static inline void mdb_acc_store_as(const mdb_kp *p, unsigned flags, long i, const mdb_acc *a, int add_energy) {
  p->f[3 * i] = a->f[0];
  p->f[3 * i + 1] = a->f[1];
  p->f[3 * i + 2] = a->f[2];
  if (flags & MDB_COMPUTE_ENERGY) p->eatom[i] = (add_energy ? p->eatom[i] : 0.0) + a->e;
  if (flags & MDB_COMPUTE_VIRIAL)
    for (int c = 0; c < 9; c++) p->vatom[(long)c * p->natoms + i] = a->w[c];
}

MDB_HD static inline void mdb_acc_store(const mdb_kp *p, long i, const mdb_acc *a, int add_energy) {
  mdb_acc_store_as(p, p->flags, i, a, add_energy);
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
  const double *s = p->shiftvec[p->nsh[k]];
  d[0] = p->x[3 * j] + s[0] - xi[0];
  d[1] = p->x[3 * j + 1] + s[1] - xi[1];
  d[2] = p->x[3 * j + 2] + s[2] - xi[2];
}

/* Position of neighbour entry k of atom i relative to atom i, and the
 * neighbour's type: position and type in one 32-byte load (p->xt). */
MDB_HD static inline int mdb_kp_delta_xt(const mdb_kp *p, const double *xi, long k, double d[3]) {
  double xj[4];
  mdb_kp_load_xt(p, p->nl[k], xj);
  const double *s = p->shiftvec[p->nsh[k]];
  d[0] = xj[0] + s[0] - xi[0];
  d[1] = xj[1] + s[1] - xi[1];
  d[2] = xj[2] + s[2] - xi[2];
  return (int)xj[3];
}

/* Several threads ("lanes") per atom for the many-body kernels: a kernel
 * over L·n indices gives index t to lane l = t / n of atom i = t − l·n;
 * lane l takes list entries l, l + L, l + 2L, ... and stores its partial
 * sums in a scratch array part[c·L·n + t] (column c of the L·n partials,
 * so neighbouring threads store to neighbouring addresses); the engine's
 * next kernel adds each atom's L partials in lane order (mdb_kp_gather,
 * after mdb_gcalc_defer_lanes), or a kernel of the calculator's own
 * (EAM's density pass: EAM_EMBED_LANES). No atomics
 * and no warp shuffles or barriers (the host backend runs one index at a
 * time): the sums are deterministic for a given L, and differ from L = 1
 * in the order of additions only. mdb_gcalc_lanes chooses L. */
#define MDB_LANES_MAX 32
#define MDB_LANE_COLS 13 /* f (3), e, w (9) of an mdb_acc */

/* Lane t's partial sums (nl = L·n); e and w only when the call asks. */
MDB_HD static inline void mdb_lanes_put(double *part, long nl, long t, const mdb_acc *a, unsigned flags) {
  part[t] = a->f[0];
  part[nl + t] = a->f[1];
  part[2 * nl + t] = a->f[2];
  if (flags & MDB_COMPUTE_ENERGY) part[3 * nl + t] = a->e;
  if (flags & MDB_COMPUTE_VIRIAL)
    for (int c = 0; c < 9; c++) part[(4 + c) * nl + t] = a->w[c];
}

/* Atom i's sums over its L lanes, in lane order. */
MDB_HD static inline void mdb_lanes_sum(const double *part, int lanes, long n, long i, unsigned flags, mdb_acc *a) {
  const long nl = (long)lanes * n;
  for (int c = 0; c < 3; c++) a->f[c] = 0;
  a->e = 0;
  for (int c = 0; c < 9; c++) a->w[c] = 0;
  for (int l = 0; l < lanes; l++) {
    const long t = (long)l * n + i;
    for (int c = 0; c < 3; c++) a->f[c] += part[c * nl + t];
    if (flags & MDB_COMPUTE_ENERGY) a->e += part[3 * nl + t];
    if (flags & MDB_COMPUTE_VIRIAL)
      for (int c = 0; c < 9; c++) a->w[c] += part[(4 + c) * nl + t];
  }
}

/* Atom i's force, and as the force call asked its energy and virial, from
 * the lanes' partials the calculator left (kp.lanes > 1); nothing when it
 * stored them itself. The engine's first kernel after a force call runs
 * this for its atom before it reads the force (gpu/kern_md.h): the lanes'
 * sum costs no launch of its own. */
MDB_HD static inline void mdb_kp_gather(const mdb_kp *p, long i) {
  if (p->lanes <= 1) return;
  mdb_acc a;
  mdb_lanes_sum(p->lpart, p->lanes, p->natoms, i, p->lflags, &a);
  mdb_acc_store_as(p, p->lflags, i, &a, 0);
}

/* What a calculator's GPU half may use of the engine that runs it: the
 * device, the parameter block of the current launch (its arrays move when
 * the engine regrows them: read it at each call), whether the run is in
 * mixed precision, and the engine's counted device allocation (freed with
 * the engine; release frees one earlier). */
typedef struct mdb_gcalc_env {
  mdb_dev *dev;
  const mdb_kp *kp;
  int n;                 /* atoms */
  int mixed;             /* --precision mixed: float pair arithmetic */
  const mdb_system *sys; /* the host system the engine started from (same atoms, same order) */
  mdb_status (*alloc)(void *engine, void **p, size_t bytes, mdb_err *err);
  void (*release)(void *engine, void *p);
  void (*defer_lanes)(void *engine, const double *part, int lanes);
  void *engine;
} mdb_gcalc_env;

/* The parameter block for one launch with the given force flags. */
static inline mdb_kp mdb_gcalc_kp(const mdb_gcalc_env *e, unsigned flags) {
  mdb_kp p = *e->kp;
  p.flags = flags;
  return p;
}

static inline mdb_status mdb_gcalc_alloc(const mdb_gcalc_env *e, void **p, size_t bytes, mdb_err *err) {
  return e->alloc(e->engine, p, bytes, err);
}

/* Says, at setup, that this calculator's force calls end with L lanes'
 * partial sums in part (mdb_lanes_put; energy and virial complete, an
 * atom's own terms included): it launches no kernel to add them, the
 * engine's next kernel does (mdb_kp_gather). L = 1: it stores its forces
 * itself, as every calculator that does not call this. */
static inline void mdb_gcalc_defer_lanes(const mdb_gcalc_env *e, const double *part, int lanes) {
  e->defer_lanes(e->engine, part, lanes);
}

/* Threads per atom for a many-body kernel (see mdb_lanes_put):
 * MDBENCH_GPU_LANES when set (1, 2, 4, 8, 16 or 32; anything else is an
 * MDB_EINPUT error naming the choices), else the largest power of two up to
 * 32 that leaves every lane at least min_entries entries of the average
 * full list (estimated from the density and the list radius) and the
 * launch at most 2^17 threads (with more atoms than that the atoms alone
 * fill a device, and lanes would only add the partials' traffic). */
mdb_status mdb_gcalc_lanes(const mdb_gcalc_env *e, double min_entries, int *lanes, mdb_err *err);

/* The device half of a calculator. setup uploads what the prepared CPU
 * calculator holds (its ops->params); forces issues the kernels that write
 * (not add) kp.f for every atom and, when flags ask, kp.eatom and
 * kp.vatom (or their lanes' partials, after mdb_gcalc_defer_lanes); each kernel returns at once when an abort flag is set. release
 * (NULL: free(ctx)) frees the context; device memory from mdb_gcalc_alloc
 * goes with the engine. */
typedef struct mdb_gcalc_ops {
  int mixed; /* supports --precision mixed */
  mdb_status (*setup)(const mdb_gcalc_env *e, const mdb_calc *cpu, void **ctx, mdb_err *err);
  mdb_status (*forces)(const mdb_gcalc_env *e, void *ctx, unsigned flags, mdb_err *err);
  void (*release)(const mdb_gcalc_env *e, void *ctx);
  int fixed_order; /* its device data holds atom indices across steps: the engine must not re-sort the atoms */
} mdb_gcalc_ops;

#endif
