/*
 * test_regress_stats.c — the statistics of `mdbench regress` and its
 * decision rules (src/analysis/regress_stats.c, regress.c).
 *
 *  1. Mann–Whitney U against scipy 1.10 (scipy.stats.mannwhitneyu(x, y,
 *     alternative="greater", method="asymptotic"), values pasted below):
 *     U exactly, p to 1e-12 relative; ties; a scaled sample; all equal.
 *  2. Quantiles against numpy.percentile (exact).
 *  3. The bootstrap of a ratio of means: the ratio exact, the bounds
 *     deterministic for a seed, bracketing the ratio, and as wide as the
 *     delta method says (2 × 1.645 σ at alpha 0.05, within 15 %).
 *  4. The verdicts on synthetic cases: ×1.20 → regression, 2 % jitter →
 *     unchanged, ×0.8 → improvement, identical → ratios exactly 1, fewer
 *     than 20 steps → undecided, memory and drift floors, not-ok status →
 *     not comparable, one-sided cases listed, device mismatch refused,
 *     4 % of steps ×30 (preemption) → the tail flags it, the gating
 *     metrics (median, throughput by rank test) do not; --gate.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress.h"
#include "analysis/regress_stats.h"
#include "check.h"

static double u01(uint64_t *s) { /* splitmix64 → (0,1) */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static void test_mwu(void) {
  mdb_err err = {0};
  mdb_mwu r;
  double x1[] = {1.1, 2.3, 3.5, 4.2, 5.9}, y1[] = {0.5, 1.0, 2.0, 3.0};
  REQUIRE_OK(mdb_mwu_greater(x1, 5, 1.0, y1, 4, &r, &err), &err);
  CHECK_ABS(r.u, 17.0, 0);
  CHECK_REL(r.p, 0.055673443266570206, 1e-12, 0);

  double x2[] = {1, 2, 2, 3, 3, 3, 4}, y2[] = {1, 1, 2, 2, 3};
  REQUIRE_OK(mdb_mwu_greater(x2, 7, 1.0, y2, 5, &r, &err), &err);
  CHECK_ABS(r.u, 25.5, 0);
  CHECK_REL(r.p, 0.10158695879254287, 1e-12, 0);

  double x[60], y[50];
  for (int i = 0; i < 60; i++) x[i] = 1 + 0.01 * ((i * 37) % 101);
  for (int j = 0; j < 50; j++) y[j] = 1 + 0.01 * ((j * 53) % 97);
  REQUIRE_OK(mdb_mwu_greater(x, 60, 1.0, y, 50, &r, &err), &err);
  CHECK_ABS(r.u, 1629.5, 0);
  CHECK_REL(r.p, 0.2193359341543018, 1e-12, 0);
  REQUIRE_OK(mdb_mwu_greater(x, 60, 1 / 1.1, y, 50, &r, &err), &err);
  CHECK_ABS(r.u, 1216.0, 0);
  CHECK_REL(r.p, 0.9561690093738759, 1e-12, 0);
  REQUIRE_OK(mdb_mwu_greater(y, 50, 1 / 1.1, x, 60, &r, &err), &err);
  CHECK_ABS(r.u, 999.0, 0);
  CHECK_REL(r.p, 0.9986959927126909, 1e-12, 0);

  double ones[30];
  for (int i = 0; i < 30; i++) ones[i] = 1.0;
  REQUIRE_OK(mdb_mwu_greater(ones, 30, 1.0, ones, 25, &r, &err), &err);
  CHECK_ABS(r.u, 375.0, 0);
  CHECK_ABS(r.p, 1.0, 0);
  CHECK(mdb_mwu_greater(ones, 0, 1.0, ones, 25, &r, &err) == MDB_EINPUT);

  CHECK_REL(mdb_normal_sf(0), 0.5, 1e-15, 0);
  CHECK_REL(mdb_normal_sf(2.326347874040841), 0.01, 1e-9, 0);
}

static void test_quantile(void) {
  const double z0[11] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  const double q[5] = {0, 0.5, 0.95, 0.99, 1}, want[5] = {1.0, 4.0, 7.5, 8.700000000000001, 9.0};
  for (int k = 0; k < 5; k++) {
    double z[11];
    memcpy(z, z0, sizeof z);
    CHECK_REL(mdb_quantile_inplace(z, 11, q[k]), want[k], 1e-15, 0);
  }
}

static void test_bootstrap(void) {
  mdb_err err = {0};
  enum { N = 1000 };
  static double x[N], y[N];
  uint64_t s = 7;
  double mx = 0, my = 0, vx = 0, vy = 0;
  for (int i = 0; i < N; i++) {
    y[i] = 1.0 + 0.2 * u01(&s); /* mean 1.1, var 0.04/12 */
    x[i] = 1.3 * (1.0 + 0.2 * u01(&s));
    mx += x[i];
    my += y[i];
  }
  mx /= N;
  my /= N;
  for (int i = 0; i < N; i++) {
    vx += (x[i] - mx) * (x[i] - mx) / N;
    vy += (y[i] - my) * (y[i] - my) / N;
  }
  double r, lo, hi, r2, lo2, hi2;
  REQUIRE_OK(mdb_boot_ratio(x, N, y, N, -1, 2000, 1, 99, 0.05, &r, &lo, &hi, &err), &err);
  REQUIRE_OK(mdb_boot_ratio(x, N, y, N, -1, 2000, 1, 99, 0.05, &r2, &lo2, &hi2, &err), &err);
  CHECK_REL(r, mx / my, 1e-12, 0);
  CHECK(lo == lo2 && hi == hi2 && r == r2); /* deterministic for a seed */
  CHECK(lo < r && r < hi);
  double rr = mx / my, sigma = rr * sqrt(vx / (N * mx * mx) + vy / (N * my * my));
  CHECK_REL(hi - lo, 2 * 1.6448536269514722 * sigma, 0.15, 0);
  /* the same sample on both sides: ratio exactly 1 */
  REQUIRE_OK(mdb_boot_ratio(y, N, y, N, 0.99, 500, 30, 1, 0.01, &r, &lo, &hi, &err), &err);
  CHECK(r == 1.0);
  CHECK(lo <= 1.0 && hi >= 1.0);
}

/* --------------------------------------------------- the decision rules */

/* median, tails and steps/s from the step times, as mdbench computes them */
static void recompute(mdb_rcase *c) {
  int n = c->n_step_ms;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += c->step_ms[i];
  double *t = malloc((size_t)n * sizeof(double));
  memcpy(t, c->step_ms, (size_t)n * sizeof(double));
  c->median_ms = mdb_quantile_inplace(t, n, 0.5);
  c->p95_ms = mdb_quantile_inplace(t, n, 0.95);
  c->p99_ms = mdb_quantile_inplace(t, n, 0.99);
  free(t);
  c->steps_per_second = n / (sum / 1000);
}

static void make_case(mdb_rcase *c, const char *id, const double *ms, int n, double scale, double jitter,
                      uint64_t seed) {
  memset(c, 0, sizeof *c);
  snprintf(c->case_id, sizeof c->case_id, "%s", id);
  snprintf(c->label, sizeof c->label, "%s", id);
  snprintf(c->status, sizeof c->status, "ok");
  snprintf(c->device, sizeof c->device, "cpu");
  snprintf(c->device_name, sizeof c->device_name, "Test CPU");
  c->step_ms = malloc((size_t)n * sizeof(double));
  c->n_step_ms = n;
  for (int i = 0; i < n; i++) c->step_ms[i] = ms[i] * scale * (jitter > 0 ? 1 - jitter + 2 * jitter * u01(&seed) : 1);
  recompute(c);
  c->peak_memory_gb = 0.5;
  c->drift_slope_eV_per_atom_per_ps = -2e-5;
}

static void free_set(mdb_rset *s) {
  for (int i = 0; i < s->n; i++) free(s->cases[i].step_ms);
  free(s->cases);
}

static void test_verdicts(void) {
  enum { N = 400 };
  static double base[N];
  uint64_t s = 3;
  for (int i = 0; i < N; i++) base[i] = 0.5 * exp(0.15 * sqrt(-2 * log(u01(&s))) * cos(6.283185307179586 * u01(&s)));
  mdb_rset b = {0}, c = {0};
  const char *ids[] = {"slow",   "jitter", "fast",   "same",      "short",
                       "memory", "drift",  "failed", "only_base", "preempted"};
  enum { NB = 10 };
  b.cases = calloc(NB, sizeof(mdb_rcase));
  c.cases = calloc(NB + 1, sizeof(mdb_rcase));
  b.n = NB;
  for (int i = 0; i < NB; i++)
    make_case(&b.cases[i], ids[i], base, ids[i][0] == 's' && ids[i][1] == 'h' ? 10 : N, 1, 0, 0);
  make_case(&c.cases[0], "slow", base, N, 1.20, 0, 0);
  make_case(&c.cases[1], "jitter", base, N, 1.02, 0.02, 11);
  make_case(&c.cases[2], "fast", base, N, 0.8, 0, 0);
  make_case(&c.cases[3], "same", base, N, 1, 0, 0);
  make_case(&c.cases[4], "short", base, 10, 1.5, 0, 0);
  make_case(&c.cases[5], "memory", base, N, 1, 0, 0);
  c.cases[5].peak_memory_gb = 0.5 * 1.5; /* +250 MB: past both the ratio and the floor */
  make_case(&c.cases[6], "drift", base, N, 1, 0, 0);
  c.cases[6].drift_slope_eV_per_atom_per_ps = 3e-5; /* |slope| ×1.5 */
  make_case(&c.cases[7], "failed", base, N, 1, 0, 0);
  snprintf(c.cases[7].status, sizeof c.cases[7].status, "failed");
  make_case(&c.cases[8], "only_cur", base, N, 1, 0, 0);
  /* preempted: the same steps, but every 25th one 30 times slower (another process took the core) */
  make_case(&c.cases[9], "preempted", base, N, 1, 0, 0);
  for (int i = 0; i < N; i += 25) c.cases[9].step_ms[i] *= 30;
  recompute(&c.cases[9]);
  c.n = 10;
  /* tiny memory/drift changes under the floors on the "same" baseline: still unchanged */
  b.cases[3].peak_memory_gb = 0.005;
  c.cases[3].peak_memory_gb = 0.009; /* ×1.8 but 4 MB */
  b.cases[3].drift_slope_eV_per_atom_per_ps = 1e-8;
  c.cases[3].drift_slope_eV_per_atom_per_ps = 5e-7; /* ×50 but under 1e-6 */

  mdb_regress_opts o;
  mdb_regress_opts_default(&o);
  mdb_regress_report r;
  mdb_err err = {0};
  REQUIRE_OK(mdb_regress_run(&b, &c, &o, &r, &err), &err);
  CHECK(r.by_case_id == 1);
  CHECK(r.n == 11);
  const mdb_regress_pair *p = r.pairs;
  /* slow: every latency metric ×1.2 exactly; MWU of x/1.1 vs base is very significant */
  CHECK(p[0].verdict == MDB_V_REGRESSION);
  CHECK(p[0].m[MDB_RM_MEDIAN].verdict == MDB_V_REGRESSION);
  CHECK_REL(p[0].m[MDB_RM_MEDIAN].ratio, 1.2, 1e-12, 0);
  CHECK(p[0].m[MDB_RM_MEDIAN].p_regression < 1e-6);
  CHECK(p[0].m[MDB_RM_THROUGHPUT].verdict == MDB_V_REGRESSION);
  CHECK_REL(p[0].m[MDB_RM_THROUGHPUT].ratio, 1 / 1.2, 1e-12, 0);
  printf("x1.20: median ratio %.6f p_regression %.3g; steps/s ratio %.6f [%.4f, %.4f]\n", p[0].m[0].ratio,
         p[0].m[0].p_regression, p[0].m[MDB_RM_THROUGHPUT].ratio, p[0].m[MDB_RM_THROUGHPUT].lo,
         p[0].m[MDB_RM_THROUGHPUT].hi);
  /* jitter: unchanged, the test is nowhere near significant */
  CHECK(p[1].verdict == MDB_V_UNCHANGED);
  CHECK(p[1].m[MDB_RM_MEDIAN].p_regression > 0.5);
  printf("2%% jitter: median ratio %.4f p_regression %.3g\n", p[1].m[0].ratio, p[1].m[0].p_regression);
  /* fast: improvement */
  CHECK(p[2].verdict == MDB_V_IMPROVEMENT);
  CHECK(p[2].m[MDB_RM_MEDIAN].verdict == MDB_V_IMPROVEMENT);
  CHECK(p[2].m[MDB_RM_MEDIAN].p_improvement < 1e-6);
  CHECK_REL(p[2].m[MDB_RM_THROUGHPUT].ratio, 1 / 0.8, 1e-12, 0);
  printf("x0.80: median ratio %.4f p_improvement %.3g\n", p[2].m[0].ratio, p[2].m[0].p_improvement);
  /* same: ratios exactly 1 */
  CHECK(p[3].verdict == MDB_V_UNCHANGED);
  for (int k = 0; k < 4; k++) CHECK(p[3].m[k].ratio == 1.0);
  CHECK(p[3].m[MDB_RM_MEMORY].verdict == MDB_V_UNCHANGED);
  CHECK(p[3].m[MDB_RM_DRIFT].verdict == MDB_V_UNCHANGED);
  /* short: ×1.5 but 10 steps: undecided, not a regression */
  CHECK(p[4].verdict == MDB_V_UNCHANGED);
  CHECK(p[4].m[MDB_RM_MEDIAN].verdict == MDB_V_UNDECIDED);
  CHECK(strstr(p[4].reason, "fewer than 20") != NULL);
  CHECK(p[5].verdict == MDB_V_REGRESSION && p[5].m[MDB_RM_MEMORY].verdict == MDB_V_REGRESSION);
  CHECK(p[5].m[MDB_RM_MEDIAN].verdict == MDB_V_UNCHANGED);
  CHECK(p[6].verdict == MDB_V_REGRESSION && p[6].m[MDB_RM_DRIFT].verdict == MDB_V_REGRESSION);
  CHECK_REL(p[6].m[MDB_RM_DRIFT].ratio, 1.5, 1e-12, 0);
  CHECK(p[7].verdict == MDB_V_NOT_COMPARABLE);
  CHECK(p[8].verdict == MDB_V_BASELINE_ONLY && p[8].ci == -1);
  /* preempted: steps/s drops far past 1/T, but the distribution's bulk did not move: not gating
     tails flag it, the gating metrics do not */
  CHECK(p[9].m[MDB_RM_THROUGHPUT].ratio < 0.6);
  CHECK(p[9].m[MDB_RM_THROUGHPUT].verdict == MDB_V_UNCHANGED);
  CHECK(p[9].m[MDB_RM_MEDIAN].verdict == MDB_V_UNCHANGED);
  CHECK(p[9].m[MDB_RM_P99].verdict == MDB_V_REGRESSION);
  CHECK(p[9].verdict == MDB_V_UNCHANGED);
  printf("preempted: steps/s ratio %.3f, median ratio %.4f p_regression %.3g, p99 ratio %.2f [%.2f, %.2f]\n",
         p[9].m[MDB_RM_THROUGHPUT].ratio, p[9].m[0].ratio, p[9].m[0].p_regression, p[9].m[MDB_RM_P99].ratio,
         p[9].m[MDB_RM_P99].lo, p[9].m[MDB_RM_P99].hi);
  CHECK(p[10].verdict == MDB_V_CURRENT_ONLY && p[10].bi == -1);
  CHECK(r.counts[MDB_V_REGRESSION] == 3 && r.counts[MDB_V_IMPROVEMENT] == 1);
  mdb_regress_report_free(&r);

  /* --gate: memory and drift still tested but no longer decide */
  REQUIRE_OK(mdb_regress_parse_gate("median_ms,steps_per_second", &o.gate, &err), &err);
  CHECK(o.gate == (1u << MDB_RM_MEDIAN | 1u << MDB_RM_THROUGHPUT));
  REQUIRE_OK(mdb_regress_run(&b, &c, &o, &r, &err), &err);
  CHECK(r.pairs[0].verdict == MDB_V_REGRESSION);
  CHECK(r.pairs[5].verdict == MDB_V_UNCHANGED && r.pairs[5].m[MDB_RM_MEMORY].verdict == MDB_V_REGRESSION);
  CHECK(r.pairs[6].verdict == MDB_V_UNCHANGED);
  CHECK(r.counts[MDB_V_REGRESSION] == 1);
  mdb_regress_report_free(&r);
  /* --gate all: the preempted tail decides too */
  REQUIRE_OK(mdb_regress_parse_gate("all", &o.gate, &err), &err);
  REQUIRE_OK(mdb_regress_run(&b, &c, &o, &r, &err), &err);
  CHECK(r.pairs[9].verdict == MDB_V_REGRESSION);
  mdb_regress_report_free(&r);
  unsigned mask;
  CHECK(mdb_regress_parse_gate("median_ms,p98_ms", &mask, &err) == MDB_EINPUT && strstr(err.msg, "p98_ms") &&
        strstr(err.msg, "drift_slope"));
  CHECK(mdb_regress_parse_gate("all", &mask, &err) == MDB_OK && mask == (1u << MDB_RM_N) - 1);
  mdb_regress_opts_default(&o);

  /* a different device model is refused, and compared when allowed */
  snprintf(c.cases[0].device_name, sizeof c.cases[0].device_name, "Other CPU");
  CHECK(mdb_regress_run(&b, &c, &o, &r, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "Other CPU") && strstr(err.msg, "Test CPU") && strstr(err.msg, "--allow-device-mismatch"));
  o.allow_device_mismatch = 1;
  REQUIRE_OK(mdb_regress_run(&b, &c, &o, &r, &err), &err);
  CHECK(r.device_mismatches == 1 && r.pairs[0].device_differs);
  mdb_regress_report_free(&r);
  /* a threshold below 1 is bad input */
  o.threshold = 0.9;
  CHECK(mdb_regress_run(&b, &c, &o, &r, &err) == MDB_EINPUT);
  free_set(&b);
  free_set(&c);
}

int main(void) {
  test_mwu();
  test_quantile();
  test_bootstrap();
  test_verdicts();
  return check_report();
}
