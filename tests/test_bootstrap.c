/* Moving-block bootstrap intervals for ratios of mean step times
 * (analysis/bootstrap.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/bootstrap.h"
#include "check.h"
#include "core/rng.h"

/* Gaussian draws (Box–Muller on Philox uniforms): mean m, sd s. */
static void sample(double *x, int n, double m, double s, uint64_t seed, uint32_t stream) {
  for (int i = 0; i < n; i++) {
    double u1 = mdb_rng_uniform(seed, 100 + stream, (uint32_t)i, 0, 0);
    double u2 = mdb_rng_uniform(seed, 100 + stream, (uint32_t)i, 0, 1);
    x[i] = m + s * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
  }
}

int main(void) {
  CHECK(mdb_bootstrap_block_length(1000) == 10);
  CHECK(mdb_bootstrap_block_length(27) == 3);
  CHECK(mdb_bootstrap_block_length(1) == 1);
  CHECK(mdb_bootstrap_block_length(1001) == 11);

  enum { N = 1000 };
  double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
  sample(a, N, 2.0, 0.2, 7, 0);
  sample(b, N, 1.0, 0.2, 7, 1);
  double r, lo, hi, r2, lo2, hi2;
  CHECK(mdb_bootstrap_ratio_ci(a, N, b, N, 0.95, 2000, 42, &r, &lo, &hi, NULL) == MDB_OK);
  CHECK(mdb_bootstrap_ratio_ci(a, N, b, N, 0.95, 2000, 42, &r2, &lo2, &hi2, NULL) == MDB_OK);
  CHECK(r == r2 && lo == lo2 && hi == hi2); /* reproducible for a seed */
  double ma = 0, mb = 0;
  for (int i = 0; i < N; i++) ma += a[i] / N, mb += b[i] / N;
  CHECK_ABS(r, ma / mb, 1e-14); /* summation order differs: round-off only */
  CHECK(lo < r && r < hi);
  /* delta method for independent iid samples: se(ma/mb) = (ma/mb) sqrt((sa/ma)^2/n + (sb/mb)^2/n) */
  double se = (ma / mb) * sqrt(pow(0.2 / ma, 2) / N + pow(0.2 / mb, 2) / N);
  double width = hi - lo, expect = 2 * 1.959964 * se;
  printf("ratio %.5f  95%% [%.5f, %.5f]  width %.5f  delta-method width %.5f\n", r, lo, hi, width, expect);
  CHECK(fabs(width / expect - 1) < 0.25); /* block bootstrap on iid data: the same spread within sampling error */

  /* correlated samples (AR(1), phi = 0.9): the block bootstrap widens the
   * interval the way the correlation demands (variance of the mean x (1+phi)/(1-phi) = 19) */
  double *c = malloc(N * sizeof *c);
  sample(c, N, 0, 1, 11, 2);
  double prev = 0;
  for (int i = 0; i < N; i++) c[i] = prev = 0.9 * prev + sqrt(1 - 0.81) * c[i];
  for (int i = 0; i < N; i++) c[i] = 1.0 + 0.1 * c[i];
  double rc, loc, hic, rb, lob, hib;
  double *d = malloc(N * sizeof *d);
  for (int i = 0; i < N; i++) d[i] = 1.0;
  CHECK(mdb_bootstrap_ratio_ci(c, N, d, N, 0.95, 2000, 3, &rc, &loc, &hic, NULL) == MDB_OK);
  /* shuffle-free comparison: the iid width for the same marginal sd */
  double *e = malloc(N * sizeof *e);
  sample(e, N, 1.0, 0.1, 12, 3);
  CHECK(mdb_bootstrap_ratio_ci(e, N, d, N, 0.95, 2000, 3, &rb, &lob, &hib, NULL) == MDB_OK);
  printf("AR(1) width %.5f vs iid width %.5f (ratio %.2f; sqrt(19) = 4.36 asymptotically, blocks of 10 catch part)\n",
         hic - loc, hib - lob, (hic - loc) / (hib - lob));
  CHECK((hic - loc) / (hib - lob) > 2.0);

  /* coverage: 200 independent iid pairs, true ratio 2 */
  enum { M = 200, n = 200 };
  int covered = 0;
  for (int k = 0; k < M; k++) {
    sample(a, n, 2.0, 0.3, 1000 + k, 0);
    sample(b, n, 1.0, 0.3, 1000 + k, 1);
    CHECK(mdb_bootstrap_ratio_ci(a, n, b, n, 0.95, 500, k, &r, &lo, &hi, NULL) == MDB_OK);
    covered += lo <= 2.0 && 2.0 <= hi;
  }
  printf("coverage of the true ratio: %d of %d (nominal 95%%)\n", covered, M);
  CHECK(covered >= 176 && covered <= 198); /* binomial(200, 0.95): 190 ± 3 sd */

  /* bad input */
  CHECK(mdb_bootstrap_ratio_ci(a, 0, b, n, 0.95, 500, 1, &r, &lo, &hi, NULL) == MDB_EINPUT);
  CHECK(mdb_bootstrap_ratio_ci(a, n, b, n, 1.5, 500, 1, &r, &lo, &hi, NULL) == MDB_EINPUT);
  CHECK(mdb_bootstrap_ratio_ci(a, n, b, n, 0.95, 10, 1, &r, &lo, &hi, NULL) == MDB_EINPUT);
  b[3] = NAN;
  CHECK(mdb_bootstrap_ratio_ci(a, n, b, n, 0.95, 500, 1, &r, &lo, &hi, NULL) == MDB_EINPUT);
  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  return check_report();
}
