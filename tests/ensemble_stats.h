/*
 * ensemble_stats.h — statistics of correlated time series for the ensemble
 * tests: means and variances over a window of samples, and their standard
 * errors by block averaging (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461
 * (1989)): the window is cut into nb blocks; the standard error of a
 * quantity is the spread of its per-block values / √(nb − 1). The
 * statistical inefficiency g = (block length) · Var(block means) / Var(x)
 * is twice the integrated autocorrelation time in samples.
 */
#ifndef MDB_TEST_ENSEMBLE_STATS_H
#define MDB_TEST_ENSEMBLE_STATS_H

#include <math.h>
#include <stdlib.h>

#include "bench/bench.h"

typedef struct es_result {
  double mean, var;         /* of the whole window (population variance) */
  double mean_err, var_err; /* block-averaging standard errors */
  double g_mean;            /* statistical inefficiency of x, in samples */
} es_result;

static inline void es_mean_var(const double *x, int n, double *mean, double *var) {
  double m = 0, v = 0;
  for (int i = 0; i < n; i++) m += x[i];
  m /= n;
  for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *var = v / n;
}

/* x[0..n) cut into nb equal blocks (the remainder at the end is dropped). */
static inline es_result es_block(const double *x, int n, int nb) {
  es_result r;
  es_mean_var(x, n, &r.mean, &r.var);
  int len = n / nb;
  double sm = 0, sm2 = 0, sv = 0, sv2 = 0;
  for (int b = 0; b < nb; b++) {
    double m, v;
    es_mean_var(x + b * len, len, &m, &v);
    sm += m;
    sm2 += m * m;
    sv += v;
    sv2 += v * v;
  }
  double vm = sm2 / nb - (sm / nb) * (sm / nb), vv = sv2 / nb - (sv / nb) * (sv / nb);
  r.mean_err = sqrt(fmax(vm, 0) / (nb - 1));
  r.var_err = sqrt(fmax(vv, 0) / (nb - 1));
  r.g_mean = r.var > 0 ? len * vm / r.var : 0;
  return r;
}

/* How far the conserved and the plain total energy stray over a run (per
 * atom, from the first sample): largest excursion, end-to-start difference,
 * and the total energy's least-squares slope (eV/atom/ps). */
typedef struct es_excursion {
  double cdev, cend; /* conserved: max |C - C0|, |C_end - C0| */
  double edev, eend; /* total:     max |E - E0|, |E_end - E0| */
  double eslope;
} es_excursion;

static inline es_excursion es_excursions(const mdb_result *r) {
  int ns = r->n_samples;
  double n = r->n_atoms;
  es_excursion x = {0};
  double *tp = malloc((size_t)ns * sizeof *tp), *ep = malloc((size_t)ns * sizeof *ep);
  for (int k = 0; k < ns; k++) {
    tp[k] = r->th_time_fs[k] * 1e-3;
    ep[k] = r->th_total[k] / n;
    x.cdev = fmax(x.cdev, fabs(r->th_conserved[k] - r->th_conserved[0]) / n);
    x.edev = fmax(x.edev, fabs(r->th_total[k] - r->th_total[0]) / n);
  }
  x.eslope = mdb_fit_slope(tp, ep, ns);
  x.cend = fabs(r->th_conserved[ns - 1] - r->th_conserved[0]) / n;
  x.eend = fabs(r->th_total[ns - 1] - r->th_total[0]) / n;
  free(tp);
  free(ep);
  return x;
}

#endif
