/*
 * regress_stats.h — the statistics behind `mdbench regress`.
 *
 * mdb_mwu_greater: one-sided Mann–Whitney U test of H1 "x is
 * stochastically larger than y", normal approximation with the tie
 * correction of the variance and a 0.5 continuity correction — the same
 * numbers as scipy.stats.mannwhitneyu(x, y, alternative="greater",
 * method="asymptotic"). x may be scaled first (x·scale), which is how the
 * threshold enters: "current/threshold is still larger than baseline".
 *
 * mdb_boot_ratio: percentile (circular block) bootstrap of stat(x)/stat(y)
 * with x and y resampled independently, stat the mean or a quantile
 * (numpy's linear interpolation); deterministic for a given seed.
 */
#ifndef MDB_ANALYSIS_REGRESS_STATS_H
#define MDB_ANALYSIS_REGRESS_STATS_H

#include <stdint.h>

#include "core/error.h"

typedef struct mdb_mwu {
  double u; /* U of x: #(x_i > y_j) + 0.5 #(x_i = y_j) */
  double z; /* (u − n1 n2/2 − 0.5) / sd; 0 when sd is 0 */
  double p; /* one-sided p-value, P(Z >= z); 1 when sd is 0 (all values equal) */
} mdb_mwu;

/* Test of H1 "x·scale is stochastically larger than y"; nx, ny >= 1. */
mdb_status mdb_mwu_greater(const double *x, int nx, double scale, const double *y, int ny, mdb_mwu *out, mdb_err *err);

/* Upper tail of the standard normal, P(Z >= z). */
double mdb_normal_sf(double z);

/* q-quantile of x[0..n) (numpy's default linear interpolation), 0 <= q <= 1;
 * reorders x. n >= 1. */
double mdb_quantile_inplace(double *x, int n, double q);

/* Percentile bootstrap of R = stat(x)/stat(y), stat the mean when q < 0,
 * else the q-quantile. B resamples (>= 100). *ratio is R on the data, *lo
 * the alpha-quantile and *hi the (1 − alpha)-quantile of the resampled
 * ratios (one-sided bounds at level 1 − alpha each). nx, ny >= 1.
 * block > 1: circular block bootstrap — each resample is made of runs of
 * `block` consecutive values (wrapping at the end) from random starts, so
 * noise that comes in bursts (slow stretches of steps) widens the bounds as
 * it should; block 1 is the ordinary bootstrap. */
mdb_status mdb_boot_ratio(const double *x, int nx, const double *y, int ny, double q, int B, int block, uint64_t seed,
                          double alpha, double *ratio, double *lo, double *hi, mdb_err *err);

/* The block length regress uses for n per-step values: round(sqrt(n)), at least 1. */
int mdb_boot_block(int n);

#endif
