/*
 * stats.c — sample statistics and the drift fit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void mdb_sort_doubles(double *x, int n) { qsort(x, (size_t)n, sizeof *x, cmp_double); }

double mdb_percentile_sorted(const double *s, int n, double q) {
  double pos = q * (n - 1);
  int lo = (int)floor(pos);
  if (lo >= n - 1) return s[n - 1];
  double frac = pos - lo;
  return s[lo] + (s[lo + 1] - s[lo]) * frac;
}

mdb_status mdb_stats_compute(const double *x, int n, mdb_stats *s, mdb_err *err) {
  memset(s, 0, sizeof *s);
  if (n <= 0) return MDB_OK;
  double *sorted = malloc((size_t)n * sizeof *sorted);
  if (!sorted) return mdb_err_nomem(err, "statistics", (double)n * sizeof(double));
  memcpy(sorted, x, (size_t)n * sizeof *sorted);
  mdb_sort_doubles(sorted, n);
  double sum = 0;
  for (int i = 0; i < n; i++) sum += x[i];
  s->mean = sum / n;
  double ss = 0;
  for (int i = 0; i < n; i++) ss += (x[i] - s->mean) * (x[i] - s->mean);
  s->std = sqrt(ss / n);
  s->min = sorted[0];
  s->max = sorted[n - 1];
  s->median = mdb_percentile_sorted(sorted, n, 0.5);
  s->p95 = mdb_percentile_sorted(sorted, n, 0.95);
  s->p99 = mdb_percentile_sorted(sorted, n, 0.99);
  free(sorted);
  return MDB_OK;
}

double mdb_fit_slope(const double *x, const double *y, int n) {
  if (n < 2) return 0.0;
  double mx = 0, my = 0;
  for (int i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0;
  for (int i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0.0;
}
