/* regress_stats.c — Mann–Whitney U and the bootstrap of a ratio. See regress_stats.h. */
#include "analysis/regress_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double mdb_normal_sf(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

typedef struct tagged {
  double v;
  int from_x;
} tagged;

static int cmp_tagged(const void *a, const void *b) {
  double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
  return (x > y) - (x < y);
}

mdb_status mdb_mwu_greater(const double *x, int nx, double scale, const double *y, int ny, mdb_mwu *out, mdb_err *err) {
  if (nx < 1 || ny < 1) return mdb_err_set(err, MDB_EINPUT, "Mann-Whitney U needs two non-empty samples");
  size_t n = (size_t)nx + (size_t)ny;
  tagged *t = malloc(n * sizeof *t);
  if (!t) return mdb_err_nomem(err, "Mann-Whitney ranks", (double)n * sizeof *t);
  for (int i = 0; i < nx; i++) t[i] = (tagged){x[i] * scale, 1};
  for (int j = 0; j < ny; j++) t[nx + j] = (tagged){y[j], 0};
  qsort(t, n, sizeof *t, cmp_tagged);
  /* average ranks (1-based) over runs of ties; Σ(t³ − t) for the variance */
  double rx = 0, ties = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && t[j].v == t[i].v) j++;
    double rank = 0.5 * (double)(i + 1 + j); /* mean of i+1 .. j */
    double cnt = (double)(j - i);
    for (size_t k = i; k < j; k++)
      if (t[k].from_x) rx += rank;
    ties += cnt * cnt * cnt - cnt;
    i = j;
  }
  free(t);
  double n1 = nx, n2 = ny, N = (double)n;
  double u = rx - n1 * (n1 + 1) / 2;
  double mu = n1 * n2 / 2;
  double var = n1 * n2 / 12.0 * ((N + 1) - (N > 1 ? ties / (N * (N - 1)) : 0));
  out->u = u;
  if (!(var > 0)) {
    out->z = 0;
    out->p = 1;
  } else {
    out->z = (u - mu - 0.5) / sqrt(var);
    out->p = mdb_normal_sf(out->z);
  }
  return MDB_OK;
}

static void swap(double *a, double *b) {
  double t = *a;
  *a = *b;
  *b = t;
}

/* Reorders x so that x[k] is the k-th smallest (Hoare's selection with a median-of-three pivot). */
static void select_k(double *x, int n, int k) {
  int lo = 0, hi = n - 1;
  while (hi > lo) {
    int mid = lo + (hi - lo) / 2;
    if (x[mid] < x[lo]) swap(&x[mid], &x[lo]);
    if (x[hi] < x[lo]) swap(&x[hi], &x[lo]);
    if (x[hi] < x[mid]) swap(&x[hi], &x[mid]);
    double pivot = x[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (x[i] < pivot) i++;
      while (x[j] > pivot) j--;
      if (i <= j) {
        swap(&x[i], &x[j]);
        i++;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

double mdb_quantile_inplace(double *x, int n, double q) {
  double h = (n - 1) * q;
  int k = (int)floor(h);
  if (k < 0) k = 0;
  if (k > n - 1) k = n - 1;
  select_k(x, n, k);
  double a = x[k];
  if (k + 1 >= n || h == k) return a;
  double b = x[k + 1]; /* the smallest of what lies above x[k] */
  for (int i = k + 2; i < n; i++)
    if (x[i] < b) b = x[i];
  return a + (h - k) * (b - a);
}

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double stat_of(double *x, int n, double q) {
  if (q >= 0) return mdb_quantile_inplace(x, n, q);
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  return s / n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int mdb_boot_block(int n) {
  int b = (int)floor(sqrt((double)n) + 0.5);
  return b < 1 ? 1 : b;
}

/* One circular block resample of v[0..n) into out. */
static void resample(const double *v, int n, int block, uint64_t *s, double *out) {
  if (block > n) block = n;
  for (int i = 0; i < n;) {
    int start = (int)(splitmix64(s) % (uint64_t)n);
    for (int k = 0; k < block && i < n; k++, i++) out[i] = v[(start + k) % n];
  }
}

mdb_status mdb_boot_ratio(const double *x, int nx, const double *y, int ny, double q, int B, int block, uint64_t seed,
                          double alpha, double *ratio, double *lo, double *hi, mdb_err *err) {
  if (nx < 1 || ny < 1 || B < 100 || block < 1)
    return mdb_err_set(err, MDB_EINPUT,
                       "bootstrap needs two non-empty samples, at least 100 resamples and a block >= 1");
  double *bx = malloc((size_t)nx * sizeof *bx), *by = malloc((size_t)ny * sizeof *by);
  double *r = malloc((size_t)B * sizeof *r);
  if (!bx || !by || !r) {
    free(bx);
    free(by);
    free(r);
    return mdb_err_nomem(err, "bootstrap samples", ((double)nx + ny + B) * sizeof(double));
  }
  memcpy(bx, x, (size_t)nx * sizeof *bx);
  memcpy(by, y, (size_t)ny * sizeof *by);
  double sy = stat_of(by, ny, q);
  *ratio = sy != 0 ? stat_of(bx, nx, q) / sy : NAN;
  uint64_t s = seed;
  int nr = 0;
  for (int b = 0; b < B; b++) {
    resample(x, nx, block, &s, bx);
    resample(y, ny, block, &s, by);
    double d = stat_of(by, ny, q);
    if (d != 0) r[nr++] = stat_of(bx, nx, q) / d;
  }
  if (nr > 0) {
    qsort(r, (size_t)nr, sizeof *r, cmp_double);
    *lo = mdb_quantile_inplace(r, nr, alpha);
    *hi = mdb_quantile_inplace(r, nr, 1 - alpha);
  } else {
    *lo = *hi = NAN;
  }
  free(bx);
  free(by);
  free(r);
  return MDB_OK;
}
