/*
 * stats.h — statistics of a sample, percentiles, the least-squares slope.
 */
#ifndef MDB_STATS_H
#define MDB_STATS_H

#include "core/error.h"

/* Statistics of a sample (numpy conventions: population std, linear
 * interpolation between order statistics for percentiles). */
typedef struct mdb_stats {
  double mean, std, median, min, max, p95, p99;
} mdb_stats;

/* Statistics of x[0..n) (n >= 1). */
mdb_status mdb_stats_compute(const double *x, int n, mdb_stats *s, mdb_err *err);

/* Sorts x[0..n) ascending. */
void mdb_sort_doubles(double *x, int n);
/* numpy's default percentile (linear between order statistics) of sorted
 * s[0..n), q in [0, 1]. */
double mdb_percentile_sorted(const double *s, int n, double q);

/* Least-squares slope of y against x. */
double mdb_fit_slope(const double *x, const double *y, int n);

#endif
