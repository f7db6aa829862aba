/* bootstrap.c — see bootstrap.h. */
#include "analysis/bootstrap.h"

#include <math.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "core/rng.h"

enum { MDB_STREAM_BOOTSTRAP = 16 };

int mdb_bootstrap_block_length(int n) {
  int l = (int)ceil(cbrt((double)n) - 1e-9);
  return l < 1 ? 1 : l > n ? n : l;
}

/* Uniform integer in [0, m) from draw (which, k) of the stream. */
static int draw(uint64_t seed, uint32_t sample, uint32_t boot, uint32_t k, int m) {
  double u = mdb_rng_uniform(seed, MDB_STREAM_BOOTSTRAP + sample, boot, k, 0);
  int v = (int)(u * m);
  return v >= m ? m - 1 : v;
}

/* The mean of one moving-block resample of x[0..n). */
static double resample_mean(const double *x, int n, int l, uint64_t seed, uint32_t sample, uint32_t boot) {
  const int starts = n - l + 1, nblocks = (n + l - 1) / l;
  double sum = 0;
  int taken = 0;
  for (int b = 0; b < nblocks; b++) {
    int s = draw(seed, sample, boot, (uint32_t)b, starts);
    for (int k = 0; k < l && taken < n; k++, taken++) sum += x[s + k];
  }
  return sum / n;
}

mdb_status mdb_bootstrap_ratio_ci(const double *a, int na, const double *b, int nb, double level, int nboot,
                                  uint64_t seed, double *ratio, double *lo, double *hi, mdb_err *err) {
  if (na < 1 || nb < 1) return mdb_err_set(err, MDB_EINPUT, "bootstrap: empty sample (%d and %d values)", na, nb);
  if (!(level > 0 && level < 1))
    return mdb_err_set(err, MDB_EINPUT, "bootstrap: level must be in (0, 1), got %g", level);
  if (nboot < 100) return mdb_err_set(err, MDB_EINPUT, "bootstrap: at least 100 resamples, got %d", nboot);
  double ma = 0, mb = 0;
  for (int i = 0; i < na; i++) {
    if (!isfinite(a[i]))
      return mdb_err_set(err, MDB_EINPUT, "bootstrap: value %d of the first sample is not finite", i);
    ma += a[i];
  }
  for (int i = 0; i < nb; i++) {
    if (!isfinite(b[i]))
      return mdb_err_set(err, MDB_EINPUT, "bootstrap: value %d of the second sample is not finite", i);
    mb += b[i];
  }
  ma /= na;
  mb /= nb;
  if (!(mb > 0)) return mdb_err_set(err, MDB_EINPUT, "bootstrap: the second sample's mean must be > 0");
  double *r = malloc((size_t)nboot * sizeof *r);
  if (!r) return mdb_err_nomem(err, "bootstrap resamples", nboot * 8.0);
  const int la = mdb_bootstrap_block_length(na), lb = mdb_bootstrap_block_length(nb);
  for (int k = 0; k < nboot; k++) {
    double xa = resample_mean(a, na, la, seed, 0, (uint32_t)k);
    double xb = resample_mean(b, nb, lb, seed, 1, (uint32_t)k);
    r[k] = xb > 0 ? xa / xb : INFINITY;
  }
  mdb_sort_doubles(r, nboot);
  *ratio = ma / mb;
  *lo = mdb_percentile_sorted(r, nboot, (1 - level) / 2);
  *hi = mdb_percentile_sorted(r, nboot, 1 - (1 - level) / 2);
  free(r);
  return MDB_OK;
}
