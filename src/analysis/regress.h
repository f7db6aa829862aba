/*
 * regress.h — matching two sets of results and deciding, metric by metric,
 * whether the current run regressed against the baseline (docs/regress.md).
 *
 * Cases are matched by their suite case id when every case of both sets
 * has one, otherwise by their parameters (mdb_rcase_key). Each matched pair
 * where both cases are "ok" gets six metric verdicts:
 *   median_ms         lower is better   one-sided Mann–Whitney U on the per-step times
 *   p95_ms, p99_ms    lower is better   bootstrap of the quantile ratio
 *   steps_per_second  higher is better  the same Mann–Whitney test, on the steps/s ratio
 *   peak_memory_gb    lower is better   ratio + absolute floor
 *   drift_slope       |x| lower better  ratio of magnitudes + absolute floor
 * and the case is a regression when any gating metric (opts.gate) is, an
 * improvement when none regressed and some improved, unchanged otherwise.
 */
#ifndef MDB_ANALYSIS_REGRESS_H
#define MDB_ANALYSIS_REGRESS_H

#include "analysis/results.h"

enum { MDB_RM_MEDIAN, MDB_RM_P95, MDB_RM_P99, MDB_RM_THROUGHPUT, MDB_RM_MEMORY, MDB_RM_DRIFT, MDB_RM_N };

/* verdicts of a metric and of a case */
typedef enum mdb_verdict {
  MDB_V_UNCHANGED = 0,
  MDB_V_REGRESSION,
  MDB_V_IMPROVEMENT,
  MDB_V_UNDECIDED,      /* metric: too few steps or a missing number */
  MDB_V_NOT_COMPARABLE, /* case: a status other than ok on either side */
  MDB_V_BASELINE_ONLY,
  MDB_V_CURRENT_ONLY
} mdb_verdict;

const char *mdb_verdict_name(mdb_verdict v);     /* "regression", "baseline_only", ... */
const char *mdb_regress_metric_name(int m);      /* "median_ms", ... */
const char *mdb_regress_metric_direction(int m); /* "lower", "higher", "smaller_magnitude" */

typedef struct mdb_regress_opts {
  double threshold;       /* > 1: the ratio that counts (1.10 = 10 %) */
  double alpha;           /* significance level of each one-sided test */
  double memory_floor_gb; /* peak-memory differences below this are ignored (0.01 = 10 MB) */
  double drift_floor;     /* |drift slope| below this (eV/atom/ps) counts as no drift */
  int min_steps;          /* fewer timed steps on either side: latency/throughput undecided (20) */
  int bootstrap_B;        /* resamples (2000) */
  uint64_t seed;          /* bootstrap seed */
  int allow_device_mismatch;
  unsigned gate; /* bit k set: metric k decides the case's verdict (MDB_REGRESS_GATE_DEFAULT);
                              the others are still tested and reported */
} mdb_regress_opts;

/* Median, throughput, memory and drift gate by default; the tails are
 * tested and reported but decide only when asked (--gate): a single run's
 * P95/P99 follow whatever else the machine did (docs/regress.md). */
#define MDB_REGRESS_GATE_DEFAULT \
  (1u << MDB_RM_MEDIAN | 1u << MDB_RM_THROUGHPUT | 1u << MDB_RM_MEMORY | 1u << MDB_RM_DRIFT)

/* Parses a comma-separated list of metric names into a gate mask
 * ("all" is every metric); MDB_EINPUT naming the valid names. */
mdb_status mdb_regress_parse_gate(const char *list, unsigned *mask, mdb_err *err);

void mdb_regress_opts_default(mdb_regress_opts *o);

typedef struct mdb_metric_result {
  double base, cur; /* the metric (|slope| for drift) */
  double ratio;     /* cur/base (steps/s: cur/base too, so > 1 is faster) */
  double lo, hi;    /* one-sided (1 − alpha) bounds of the ratio (bootstrap); NaN when not bootstrapped */
  double p_regression, p_improvement; /* Mann–Whitney p-values (median and throughput); NaN otherwise */
  mdb_verdict verdict;
} mdb_metric_result;

typedef struct mdb_regress_pair {
  int bi, ci;        /* indices into baseline / current; -1 when absent */
  const char *label; /* the case's label (borrowed from a set) */
  mdb_verdict verdict;
  int device_differs; /* device or device model differ (only with allow_device_mismatch) */
  char reason[256];   /* not comparable: the statuses; undecided metrics: why */
  mdb_metric_result m[MDB_RM_N];
} mdb_regress_pair;

typedef struct mdb_regress_report {
  mdb_regress_pair *pairs;
  int n;
  int by_case_id; /* 1: matched by case id; 0: by parameters */
  int counts[MDB_V_CURRENT_ONLY + 1];
  int device_mismatches;   /* pairs whose device or device model differ */
  int device_name_missing; /* pairs where one side did not record its device model */
} mdb_regress_report;

/* Matches and decides. A device (backend or model) that differs between a
 * matched pair is MDB_EINPUT naming the case and both devices unless
 * o->allow_device_mismatch; so is a key that appears twice in one set. */
mdb_status mdb_regress_run(const mdb_rset *base, const mdb_rset *cur, const mdb_regress_opts *o,
                           mdb_regress_report *rep, mdb_err *err);
void mdb_regress_report_free(mdb_regress_report *rep);

#endif
