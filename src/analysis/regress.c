/* regress.c — matching two result sets and the per-metric verdicts. See regress.h and docs/regress.md. */
#include "analysis/regress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_stats.h"
#include "io/metrics.h"

const char *mdb_verdict_name(mdb_verdict v) {
  switch (v) {
  case MDB_V_UNCHANGED: return "unchanged";
  case MDB_V_REGRESSION: return "regression";
  case MDB_V_IMPROVEMENT: return "improvement";
  case MDB_V_UNDECIDED: return "undecided";
  case MDB_V_NOT_COMPARABLE: return "not_comparable";
  case MDB_V_BASELINE_ONLY: return "baseline_only";
  case MDB_V_CURRENT_ONLY: return "current_only";
  }
  return "?";
}

/* The metric of io/metrics.def each regress metric is: its name and direction come from there. */
static const int rm_metric[MDB_RM_N] = {MDB_M_median_ms,      MDB_M_p95_ms,
                                        MDB_M_p99_ms,         MDB_M_steps_per_second,
                                        MDB_M_peak_memory_gb, MDB_M_drift_slope_eV_per_atom_per_ps};

/* Every metric the table gives a direction is one of the above, and has its decision below. */
enum {
  N_DIRECTED = 0
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) \
  +((int)MDB_DIR_##dir != (int)MDB_DIR_NONE)
#include "io/metrics.def"
#undef MDB_METRIC
};
_Static_assert((int)N_DIRECTED == (int)MDB_RM_N,
               "a metric with a regress direction in io/metrics.def needs a decision here");

const char *mdb_regress_metric_name(int m) { return m >= 0 && m < MDB_RM_N ? mdb_metrics[rm_metric[m]].name : "?"; }
const char *mdb_regress_metric_direction(int m) {
  return m >= 0 && m < MDB_RM_N ? mdb_metric_dir_name(mdb_metrics[rm_metric[m]].dir) : "?";
}

void mdb_regress_opts_default(mdb_regress_opts *o) {
  o->threshold = 1.10;
  o->alpha = 0.01;
  o->memory_floor_gb = 0.01;
  o->drift_floor = 1e-6;
  o->min_steps = 20;
  o->bootstrap_B = 2000;
  o->seed = 20240601;
  o->allow_device_mismatch = 0;
  o->gate = MDB_REGRESS_GATE_DEFAULT;
}

static void gate_names(char *buf, size_t len) {
  snprintf(buf, len, "all");
  for (int k = 0; k < MDB_RM_N; k++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, ", %s", mdb_regress_metric_name(k));
  }
}

mdb_status mdb_regress_parse_gate(const char *list, unsigned *mask, mdb_err *err) {
  *mask = 0;
  const char *s = list ? list : "";
  char valid[512];
  gate_names(valid, sizeof valid);
  while (*s) {
    size_t l = strcspn(s, ",");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(l < sizeof name - 1 ? l : sizeof name - 1), s);
    int found = 0;
    if (strcmp(name, "all") == 0) {
      *mask = (1u << MDB_RM_N) - 1;
      found = 1;
    }
    int m = found || l >= sizeof name - 1 ? -1 : mdb_metric_find(name); /* its name, or an old one ("drift_slope") */
    for (int k = 0; k < MDB_RM_N && m >= 0 && !found; k++)
      if (rm_metric[k] == m) {
        *mask |= 1u << k;
        found = 1;
      }
    if (!found)
      return mdb_err_set(err, MDB_EINPUT, "unknown metric '%.*s' in --gate (valid: %s)", (int)(l > 100 ? 100 : l), s,
                         valid);
    s += l;
    if (*s == ',') s++;
  }
  if (!*mask) return mdb_err_set(err, MDB_EINPUT, "--gate needs at least one metric (valid: %s)", valid);
  return MDB_OK;
}

void mdb_regress_report_free(mdb_regress_report *rep) {
  if (!rep) return;
  free(rep->pairs);
  memset(rep, 0, sizeof *rep);
}

static const char *match_key(const mdb_rcase *c, int by_id) { return by_id ? c->case_id : c->key; }

static mdb_status check_unique(const mdb_rset *s, const char *side, int by_id, mdb_err *err) {
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++)
      if (strcmp(match_key(&s->cases[i], by_id), match_key(&s->cases[j], by_id)) == 0)
        return mdb_err_set(err, MDB_EINPUT, "the %s holds two cases with the same %s '%.300s' (%.300s and %.300s)",
                           side, by_id ? "case id" : "parameters", match_key(&s->cases[i], by_id), s->cases[i].source,
                           s->cases[j].source);
  return MDB_OK;
}

static void metric_init(mdb_metric_result *m, double base, double cur) {
  m->base = base;
  m->cur = cur;
  m->ratio = base != 0 ? cur / base : (cur == 0 ? 1.0 : INFINITY);
  m->lo = m->hi = m->p_regression = m->p_improvement = NAN;
  m->verdict = MDB_V_UNDECIDED;
}

static void add_reason(mdb_regress_pair *p, const char *what) {
  size_t l = strlen(p->reason);
  if (strstr(p->reason, what)) return;
  snprintf(p->reason + l, sizeof p->reason - l, "%s%s", l ? "; " : "", what);
}

/* Latency, tails and throughput from the per-step times. */
static mdb_status decide_steps(const mdb_rcase *b, const mdb_rcase *c, const mdb_regress_opts *o, mdb_regress_pair *p,
                               mdb_err *err) {
  double T = o->threshold, a = o->alpha;
  mdb_metric_result *med = &p->m[MDB_RM_MEDIAN], *p95 = &p->m[MDB_RM_P95], *p99 = &p->m[MDB_RM_P99],
                    *thr = &p->m[MDB_RM_THROUGHPUT];
  metric_init(med, b->median_ms, c->median_ms);
  metric_init(p95, b->p95_ms, c->p95_ms);
  metric_init(p99, b->p99_ms, c->p99_ms);
  metric_init(thr, b->steps_per_second, c->steps_per_second);
  if (b->n_step_ms < o->min_steps || c->n_step_ms < o->min_steps) {
    char why[96];
    snprintf(why, sizeof why, "fewer than %d timed steps (%d vs %d): latency undecided", o->min_steps, b->n_step_ms,
             c->n_step_ms);
    add_reason(p, why);
    return MDB_OK;
  }
  const double *x = c->step_ms, *y = b->step_ms;
  int nx = c->n_step_ms, ny = b->n_step_ms;
  /* median: regression when current/T is still stochastically larger than the baseline */
  mdb_mwu up, down;
  mdb_status st = mdb_mwu_greater(x, nx, 1.0 / T, y, ny, &up, err);
  if (!st) st = mdb_mwu_greater(y, ny, 1.0 / T, x, nx, &down, err);
  if (st) return st;
  med->p_regression = up.p;
  med->p_improvement = down.p;
  med->verdict = up.p < a && med->ratio > T         ? MDB_V_REGRESSION
                 : down.p < a && med->ratio < 1 / T ? MDB_V_IMPROVEMENT
                                                    : MDB_V_UNCHANGED;
  /* tails and throughput: the one-sided block-bootstrap bound of the ratio must pass T */
  int block = mdb_boot_block(nx < ny ? nx : ny);
  double qs[2] = {0.95, 0.99};
  mdb_metric_result *tm[2] = {p95, p99};
  for (int k = 0; k < 2 && !st; k++) {
    double r;
    st = mdb_boot_ratio(x, nx, y, ny, qs[k], o->bootstrap_B, block, o->seed + 1 + (uint64_t)k, a, &r, &tm[k]->lo,
                        &tm[k]->hi, err);
    if (st) break;
    tm[k]->verdict = tm[k]->ratio > T && tm[k]->lo > T           ? MDB_V_REGRESSION
                     : tm[k]->ratio < 1 / T && tm[k]->hi < 1 / T ? MDB_V_IMPROVEMENT
                                                                 : MDB_V_UNCHANGED;
  }
  if (st) return st;
  /* throughput = 1000/mean step time: decided by the same per-step test as the median (a few
   * preempted steps move the mean a lot and the distribution not at all) and the steps/s ratio;
   * the block-bootstrap bounds of the ratio of means are reported beside it */
  double r, lo, hi;
  st = mdb_boot_ratio(x, nx, y, ny, -1, o->bootstrap_B, block, o->seed, a, &r, &lo, &hi, err);
  if (st) return st;
  /* as cur/base steps per second: invert the time ratio and swap its bounds */
  thr->lo = hi > 0 ? 1 / hi : NAN;
  thr->hi = lo > 0 ? 1 / lo : NAN;
  thr->p_regression = up.p;
  thr->p_improvement = down.p;
  thr->verdict = up.p < a && thr->ratio < 1 / T ? MDB_V_REGRESSION
                 : down.p < a && thr->ratio > T ? MDB_V_IMPROVEMENT
                                                : MDB_V_UNCHANGED;
  return MDB_OK;
}

static void decide_memory(const mdb_rcase *b, const mdb_rcase *c, const mdb_regress_opts *o, mdb_regress_pair *p) {
  mdb_metric_result *m = &p->m[MDB_RM_MEMORY];
  metric_init(m, b->peak_memory_gb, c->peak_memory_gb);
  if (!isfinite(m->base) || !isfinite(m->cur)) {
    add_reason(p, "peak memory not recorded");
    return;
  }
  double T = o->threshold;
  m->verdict = m->ratio > T && m->cur - m->base >= o->memory_floor_gb       ? MDB_V_REGRESSION
               : m->ratio < 1 / T && m->base - m->cur >= o->memory_floor_gb ? MDB_V_IMPROVEMENT
                                                                            : MDB_V_UNCHANGED;
}

static void decide_drift(const mdb_rcase *b, const mdb_rcase *c, const mdb_regress_opts *o, mdb_regress_pair *p) {
  mdb_metric_result *m = &p->m[MDB_RM_DRIFT];
  metric_init(m, fabs(b->drift_slope_eV_per_atom_per_ps), fabs(c->drift_slope_eV_per_atom_per_ps));
  if (!isfinite(m->base) || !isfinite(m->cur)) {
    add_reason(p, "drift slope not recorded");
    return;
  }
  double T = o->threshold, f = o->drift_floor;
  m->verdict = m->cur >= f && m->cur > T * fmax(m->base, f)    ? MDB_V_REGRESSION
               : m->base >= f && m->base > T * fmax(m->cur, f) ? MDB_V_IMPROVEMENT
                                                               : MDB_V_UNCHANGED;
}

static int same_device(const mdb_rcase *b, const mdb_rcase *c, int *name_missing) {
  *name_missing = !b->device_name[0] || !c->device_name[0];
  if (strcmp(b->device, c->device) != 0) return 0;
  return *name_missing || strcmp(b->device_name, c->device_name) == 0;
}

static mdb_status decide(const mdb_rset *base, const mdb_rset *cur, const mdb_regress_opts *o, mdb_regress_pair *p,
                         mdb_err *err) {
  const mdb_rcase *b = &base->cases[p->bi], *c = &cur->cases[p->ci];
  for (int k = 0; k < MDB_RM_N; k++) metric_init(&p->m[k], NAN, NAN);
  if (strcmp(b->status, "ok") != 0 || strcmp(c->status, "ok") != 0) {
    p->verdict = MDB_V_NOT_COMPARABLE;
    snprintf(p->reason, sizeof p->reason, "baseline %s, current %s", b->status, c->status);
    return MDB_OK;
  }
  mdb_status st = decide_steps(b, c, o, p, err);
  if (st) return st;
  decide_memory(b, c, o, p);
  decide_drift(b, c, o, p);
  int reg = 0, imp = 0;
  for (int k = 0; k < MDB_RM_N; k++) {
    if (!(o->gate >> k & 1u)) continue;
    reg |= p->m[k].verdict == MDB_V_REGRESSION;
    imp |= p->m[k].verdict == MDB_V_IMPROVEMENT;
  }
  p->verdict = reg ? MDB_V_REGRESSION : imp ? MDB_V_IMPROVEMENT : MDB_V_UNCHANGED;
  return MDB_OK;
}

mdb_status mdb_regress_run(const mdb_rset *base, const mdb_rset *cur, const mdb_regress_opts *o,
                           mdb_regress_report *rep, mdb_err *err) {
  memset(rep, 0, sizeof *rep);
  if (!(o->threshold >= 1) || !isfinite(o->threshold))
    return mdb_err_set(err, MDB_EINPUT, "the threshold must be a ratio >= 1 (1.10 allows 10 %%), got %g", o->threshold);
  if (!(o->alpha > 0 && o->alpha < 0.5))
    return mdb_err_set(err, MDB_EINPUT, "alpha must be in (0, 0.5), got %g", o->alpha);
  int by_id = 1;
  for (int i = 0; i < base->n; i++) by_id &= base->cases[i].case_id[0] != 0;
  for (int i = 0; i < cur->n; i++) by_id &= cur->cases[i].case_id[0] != 0;
  rep->by_case_id = by_id;
  mdb_status st = check_unique(base, "baseline", by_id, err);
  if (!st) st = check_unique(cur, "current run", by_id, err);
  if (st) return st;
  rep->pairs = calloc((size_t)base->n + (size_t)cur->n + 1, sizeof *rep->pairs);
  if (!rep->pairs) return mdb_err_nomem(err, "regression pairs", 0);
  char *used = calloc((size_t)cur->n + 1, 1);
  if (!used) {
    mdb_regress_report_free(rep);
    return mdb_err_nomem(err, "regression pairs", 0);
  }
  /* matched pairs and baseline-only cases, in the baseline's order; then current-only ones */
  for (int i = 0; i < base->n && !st; i++) {
    mdb_regress_pair *p = &rep->pairs[rep->n++];
    p->bi = i;
    p->ci = -1;
    p->label = base->cases[i].label;
    for (int j = 0; j < cur->n; j++)
      if (!used[j] && strcmp(match_key(&base->cases[i], by_id), match_key(&cur->cases[j], by_id)) == 0) {
        p->ci = j;
        used[j] = 1;
        break;
      }
    if (p->ci < 0) {
      p->verdict = MDB_V_BASELINE_ONLY;
      for (int k = 0; k < MDB_RM_N; k++) metric_init(&p->m[k], NAN, NAN);
      continue;
    }
    const mdb_rcase *b = &base->cases[i], *c = &cur->cases[p->ci];
    int missing;
    if (!same_device(b, c, &missing)) {
      rep->device_mismatches++;
      p->device_differs = 1;
      if (!o->allow_device_mismatch)
        st = mdb_err_set(err, MDB_EINPUT,
                         "case '%.200s' ran on a different device: baseline %s '%.200s', current %s '%.200s' "
                         "(timings from different devices are not comparable; --allow-device-mismatch compares "
                         "them anyway)",
                         p->label, b->device, b->device_name[0] ? b->device_name : "(model not recorded)", c->device,
                         c->device_name[0] ? c->device_name : "(model not recorded)");
    }
    rep->device_name_missing += missing;
    if (!st) st = decide(base, cur, o, p, err);
  }
  for (int j = 0; j < cur->n && !st; j++)
    if (!used[j]) {
      mdb_regress_pair *p = &rep->pairs[rep->n++];
      p->bi = -1;
      p->ci = j;
      p->label = cur->cases[j].label;
      p->verdict = MDB_V_CURRENT_ONLY;
      for (int k = 0; k < MDB_RM_N; k++) metric_init(&p->m[k], NAN, NAN);
    }
  free(used);
  if (st) {
    mdb_regress_report_free(rep);
    return st;
  }
  for (int i = 0; i < rep->n; i++) rep->counts[rep->pairs[i].verdict]++;
  return MDB_OK;
}
