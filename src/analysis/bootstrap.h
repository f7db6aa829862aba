/*
 * bootstrap.h — confidence intervals for ratios of mean step times.
 *
 * Per-step times are not independent draws: a slow neighbour-list step, a
 * frequency change or another process make them come in runs. A plain
 * bootstrap that resamples single steps would then understate the spread.
 * The moving-block bootstrap (Künsch 1989) resamples blocks of l
 * consecutive steps, which keeps short-range correlation; l = ceil(n^(1/3))
 * is the usual rate-optimal choice for the variance of a mean (Hall,
 * Horowitz & Jing 1995). The two samples are resampled independently; the
 * interval is the percentile interval of the resampled ratios. Draws come
 * from Philox4x32-10 keyed by the seed, so an interval is reproducible.
 */
#ifndef MDB_BOOTSTRAP_H
#define MDB_BOOTSTRAP_H

#include <stdint.h>

#include "core/error.h"

/* Block length used for a sample of n: ceil(n^(1/3)), at least 1. */
int mdb_bootstrap_block_length(int n);

/* ratio = mean(a)/mean(b), and the central level-interval (level in (0,1),
 * e.g. 0.95) of that ratio from nboot (>= 100) moving-block resamples of a
 * and b. na, nb >= 1; every value finite and mean(b) > 0. Bad arguments are
 * MDB_EINPUT. */
mdb_status mdb_bootstrap_ratio_ci(const double *a, int na, const double *b, int nb, double level, int nboot,
                                  uint64_t seed, double *ratio, double *lo, double *hi, mdb_err *err);

#endif
