/*
 * rng.h — counter-based random numbers (Philox4x32-10).
 *
 * Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11. A random number is a pure function of (key, counter): the velocity
 * of atom i draws from counter (i, component, stream, attempt) under the key
 * derived from the seed, so the initial state does not depend on how many
 * ranks exist, which rank runs the case, or in which order atoms are visited.
 *
 * Gaussian deviates use Marsaglia's polar method with a log built from +, -,
 * *, / only (mdb_log_det): every operation is IEEE-754 exact-rounded, so the
 * same seed gives bit-identical numbers on every machine and compiler flag
 * set (libm's log may differ in the last bit between CPU variants).
 */
#ifndef MDB_RNG_H
#define MDB_RNG_H

#include <math.h>
#include <stdint.h>

#include "core/hd.h"

typedef struct mdb_u32x4 {
  uint32_t v[4];
} mdb_u32x4;

MDB_HD static inline uint32_t mdb_mulhilo32(uint32_t a, uint32_t b, uint32_t *hi) {
  uint64_t p = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(p >> 32);
  return (uint32_t)p;
}

/* Philox4x32 with 10 rounds: counter ctr, key (k0, k1). */
MDB_HD static inline mdb_u32x4 mdb_philox4x32(mdb_u32x4 ctr, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    uint32_t hi0, hi1;
    uint32_t lo0 = mdb_mulhilo32(0xD2511F53u, ctr.v[0], &hi0);
    uint32_t lo1 = mdb_mulhilo32(0xCD9E8D57u, ctr.v[2], &hi1);
    mdb_u32x4 out = {{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    ctr = out;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return ctr;
}

/* Uniform double in the open interval (0, 1) from two 32-bit words (53 bits). */
MDB_HD static inline double mdb_u01(uint32_t a, uint32_t b) {
  uint64_t m = ((uint64_t)a << 21) ^ (uint64_t)b; /* 53 random bits */
  m &= ((uint64_t)1 << 53) - 1;
  return ((double)m + 0.5) * (1.0 / 9007199254740992.0);
}

/* Natural log of x > 0 using only exactly rounded operations: x = m * 2^e with
 * m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(t), t = (m-1)/(m+1), |t| < 0.172;
 * the series to t^27 is accurate to ~1e-17 relative. */
MDB_HD static inline double mdb_log_det(double x) {
  int e = 0;
  while (x >= 1.4142135623730951) {
    x *= 0.5;
    e++;
  }
  while (x < 0.7071067811865476) {
    x *= 2.0;
    e--;
  }
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, sum = 0.0;
  for (int k = 27; k >= 1; k -= 2) sum = sum * t2 + 1.0 / k;
  return 2.0 * t * sum + e * 0.69314718055994530942;
}

/* Cube root of v > 0 by Newton's iteration from a power-of-two start, using
 * only exactly rounded operations (so builders that size boxes with it give
 * the same bits everywhere); stops when the iterate stops decreasing. */
MDB_HD static inline double mdb_cbrt_det(double v) {
  double x = 1.0;
  while (x * x * x < v) x *= 2.0; /* start above the root: Newton then decreases monotonically */
  for (int it = 0; it < 200; it++) {
    double nx = x - (x * x * x - v) / (3.0 * x * x);
    if (!(nx < x)) break;
    x = nx;
  }
  return x;
}

/* Two independent standard normal deviates for (key, counter c0..c2),
 * Marsaglia polar method; the attempt number fills the last counter word. */
MDB_HD static inline void mdb_gauss2(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, double *g0,
                                     double *g1) {
  for (uint32_t attempt = 0;; attempt++) {
    mdb_u32x4 ctr = {{c0, c1, c2, attempt}};
    mdb_u32x4 r = mdb_philox4x32(ctr, k0, k1);
    double u = 2.0 * mdb_u01(r.v[0], r.v[1]) - 1.0;
    double w = 2.0 * mdb_u01(r.v[2], r.v[3]) - 1.0;
    double s = u * u + w * w;
    if (s >= 1.0 || s == 0.0) continue;
    double f = -2.0 * mdb_log_det(s) / s;
    /* sqrt is exactly rounded in IEEE-754 */
    f = sqrt(f);
    *g0 = u * f;
    *g1 = w * f;
    return;
  }
}

/* Key words from a 64-bit seed. */
MDB_HD static inline void mdb_rng_key(uint64_t seed, uint32_t *k0, uint32_t *k1) {
  *k0 = (uint32_t)seed;
  *k1 = (uint32_t)(seed >> 32);
}

/* Streams: which use a draw is for, so different uses never share numbers. */
enum { MDB_STREAM_VELOCITY = 1, MDB_STREAM_WATER = 2, MDB_STREAM_PERTURB = 3, MDB_STREAM_THERMOSTAT = 4 };

/* Uniform (0,1) for (seed, stream, a, b, word 0..3). */
static inline double mdb_rng_uniform(uint64_t seed, uint32_t stream, uint32_t a, uint32_t b, int word) {
  uint32_t k0, k1;
  mdb_rng_key(seed, &k0, &k1);
  mdb_u32x4 ctr = {{a, b, stream, 0x5EEDu}};
  mdb_u32x4 r = mdb_philox4x32(ctr, k0, k1);
  return word ? mdb_u01(r.v[2], r.v[3]) : mdb_u01(r.v[0], r.v[1]);
}

#endif
