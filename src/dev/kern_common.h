/*
 * dev/kern_common.h — what every device kernel body may use, whoever owns
 * it (a calculator's GPU half or the engine): atomics that are real on the
 * GPU and plain operations in the host backend (whose kernels run
 * serially), and the image-shift codes of the neighbour list.
 *
 * A kernel is a body, `MDB_HD static inline void mdb_kb_NAME(long i, const
 * PARAMS *p)`, run for i = 0..n−1 (dev/kernel.h). A body must not depend on
 * the order in which i are visited, except through the atomics below (slot
 * assignment, maxima), whose results the engine makes order-independent
 * (bins are sorted after filling).
 *
 * Headers included here are compiled as C (host) and as C++ (nvcc): no
 * designated initialisers, explicit casts from void *.
 */
#ifndef MDB_DEV_KERN_COMMON_H
#define MDB_DEV_KERN_COMMON_H

#include <math.h>
#include <stdint.h>

#include "core/hd.h"

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

#endif
