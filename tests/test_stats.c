/*
 * Latency statistics follow numpy's conventions (population std, linear
 * interpolation between order statistics), checked on values whose answers
 * are known in closed form; the drift fit recovers an exact slope.
 */
#include "bench/bench.h"
#include "testutil.h"

int main(void) {
  mdb_err err;
  double x[100];
  for (int i = 0; i < 100; i++) x[i] = (double)((i * 37) % 100 + 1); /* 1..100, shuffled */
  mdb_stats s;
  REQUIRE_OK(mdb_stats_compute(x, 100, &s, &err), &err);
  CHECK_ABS(s.mean, 50.5, 1e-12);
  CHECK_ABS(s.median, 50.5, 1e-12);
  CHECK_ABS(s.p95, 95.05, 1e-12); /* numpy.percentile(range(1,101), 95) */
  CHECK_ABS(s.p99, 99.01, 1e-12);
  CHECK_ABS(s.min, 1.0, 0);
  CHECK_ABS(s.max, 100.0, 0);
  CHECK_ABS(s.std, sqrt((100.0 * 100.0 - 1) / 12.0), 1e-12); /* population std of 1..N */
  double one = 7.0;
  REQUIRE_OK(mdb_stats_compute(&one, 1, &s, &err), &err);
  CHECK(s.mean == 7 && s.median == 7 && s.p99 == 7 && s.std == 0);
  double t[50], y[50];
  for (int i = 0; i < 50; i++) {
    t[i] = 0.01 * i;
    y[i] = -3.0 + 2.5e-4 * t[i] + ((i % 2) ? 1e-9 : -1e-9);
  }
  CHECK_REL(mdb_fit_slope(t, y, 50), 2.5e-4, 1e-4, 0);
  return check_report();
}
