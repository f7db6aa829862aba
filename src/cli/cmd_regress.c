/*
 * cmd_regress.c — `mdbench regress --baseline OLD --current NEW [--threshold 1.10] [--alpha 0.01]
 *                  [--allow-device-mismatch] [--output REPORT.json]`
 *
 * Matches the cases of two result sets (directories, JSON or HDF5 files),
 * decides per metric whether the current run regressed (analysis/regress.h,
 * docs/regress.md), prints a table of every case and writes the verdicts as
 * JSON with --output. Exit codes: 0 no regression; 1 at least one
 * regression; 2 bad input (usage, unreadable results, a different device);
 * 3 a file that cannot be read or written.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress.h"
#include "analysis/results.h"
#include "cli/commands.h"
#include "core/version.h"
#include "core/atomic.h"

static int fail(const mdb_err *err) {
  fprintf(stderr, "mdbench regress: error: %s\n", err->msg);
  return mdb_exit_code(err->code);
}

static int parse_num(const char *flag, const char *s, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi) {
    fprintf(stderr, "mdbench regress: error: %s needs a number in [%g, %g], got '%s'\n", flag, lo, hi, s);
    return 1;
  }
  *out = v;
  return 0;
}

static const char *mark(mdb_verdict v) {
  switch (v) {
  case MDB_V_REGRESSION: return "*";
  case MDB_V_IMPROVEMENT: return "+";
  case MDB_V_UNDECIDED: return "?";
  default: return " ";
  }
}

/* The ratio and its mark; a metric that does not gate has its mark in parentheses. */
static void ratio_cell(const mdb_metric_result *m, int gates, char *buf, size_t len) {
  const char *k = mark(m->verdict);
  if (isnan(m->ratio))
    snprintf(buf, len, "-");
  else if (gates || *k == ' ')
    snprintf(buf, len, "%.3f%s", m->ratio, k);
  else
    snprintf(buf, len, "%.3f(%s)", m->ratio, k);
}

static void upper(const char *s, char *buf, size_t len) {
  size_t i = 0;
  for (; s[i] && i < len - 1; i++) buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  buf[i] = '\0';
}

static void print_report(const mdb_rset *b, const mdb_rset *c, const mdb_regress_opts *o, const mdb_regress_report *r) {
  printf("mdbench regress: baseline %s (%s, %d cases), current %s (%s, %d cases)\n", b->path, b->kind, b->n, c->path,
         c->kind, c->n);
  printf("  matched by %s; threshold %.3g, alpha %g; ratios are current/baseline\n",
         r->by_case_id ? "case id" : "parameters (system, atoms, protocol, calculator, device, dt, T)", o->threshold,
         o->alpha);
  int w = 4;
  for (int i = 0; i < r->n; i++) {
    int l = (int)strlen(r->pairs[i].label);
    if (l > w) w = l > 60 ? 60 : l;
  }
  printf("%-*s  %-14s  %8s  %8s  %8s  %8s  %8s  %8s  %8s  %s\n", w, "case", "verdict", "median", "p(MWU)", "p95", "p99",
         "steps/s", "peak_mem", "|drift|", "note");
  for (int i = 0; i < r->n; i++) {
    const mdb_regress_pair *p = &r->pairs[i];
    if (p->verdict == MDB_V_BASELINE_ONLY || p->verdict == MDB_V_CURRENT_ONLY) continue;
    char v[32], cells[MDB_RM_N][32], pv[32] = "-";
    upper(mdb_verdict_name(p->verdict), v, sizeof v);
    for (int k = 0; k < MDB_RM_N; k++) ratio_cell(&p->m[k], o->gate >> k & 1u, cells[k], sizeof cells[k]);
    const mdb_metric_result *med = &p->m[MDB_RM_MEDIAN];
    double pshow = med->ratio >= 1 ? med->p_regression : med->p_improvement;
    if (!isnan(pshow)) snprintf(pv, sizeof pv, "%.2g", pshow);
    char note[300];
    snprintf(note, sizeof note, "%s%s%s", p->reason, p->device_differs && p->reason[0] ? "; " : "",
             p->device_differs ? "different device" : "");
    printf("%-*s  %-14s  %8s  %8s  %8s  %8s  %8s  %8s  %8s  %s\n", w, p->label, v, cells[MDB_RM_MEDIAN], pv,
           cells[MDB_RM_P95], cells[MDB_RM_P99], cells[MDB_RM_THROUGHPUT], cells[MDB_RM_MEMORY], cells[MDB_RM_DRIFT],
           note);
  }
  printf("  * regression, + improvement, ? undecided (see docs/regress.md); p(MWU): one-sided Mann-Whitney p of the "
         "median's direction\n");
  printf("  gating metrics:");
  for (int k = 0; k < MDB_RM_N; k++)
    if (o->gate >> k & 1u) printf(" %s", mdb_regress_metric_name(k));
  if (o->gate != (1u << MDB_RM_N) - 1) printf(" (marks in parentheses: reported, not gating; --gate all)");
  printf("\n");
  for (int side = 0; side < 2; side++) {
    mdb_verdict want = side ? MDB_V_CURRENT_ONLY : MDB_V_BASELINE_ONLY;
    if (!r->counts[want]) continue;
    printf("only in the %s (%d, not compared):", side ? "current run" : "baseline", r->counts[want]);
    for (int i = 0; i < r->n; i++)
      if (r->pairs[i].verdict == want) printf(" %s", r->pairs[i].label);
    printf("\n");
  }
  if (r->device_name_missing)
    printf("note: %d case(s) did not record their device model on one side; only the backend (cpu/cuda) was "
           "compared\n",
           r->device_name_missing);
  printf("result: %d regression(s), %d improvement(s), %d unchanged, %d not comparable, %d only in baseline, "
         "%d only in current",
         r->counts[MDB_V_REGRESSION], r->counts[MDB_V_IMPROVEMENT], r->counts[MDB_V_UNCHANGED],
         r->counts[MDB_V_NOT_COMPARABLE], r->counts[MDB_V_BASELINE_ONLY], r->counts[MDB_V_CURRENT_ONLY]);
  if (r->counts[MDB_V_REGRESSION]) {
    printf(":");
    for (int i = 0; i < r->n; i++)
      if (r->pairs[i].verdict == MDB_V_REGRESSION) printf(" %s", r->pairs[i].label);
  }
  printf("\n");
}

static void add_num(cJSON *o, const char *k, double v) {
  if (isfinite(v))
    cJSON_AddNumberToObject(o, k, v);
  else
    cJSON_AddNullToObject(o, k);
}

static cJSON *report_json(const mdb_rset *b, const mdb_rset *c, const mdb_regress_opts *o, const mdb_regress_report *r,
                          int exit_code) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "schema", "mdbench-regress/1");
  cJSON_AddStringToObject(j, "mdbench_version", mdb_version());
  cJSON_AddStringToObject(j, "baseline", b->path);
  cJSON_AddStringToObject(j, "current", c->path);
  cJSON_AddStringToObject(j, "matched_by", r->by_case_id ? "case_id" : "parameters");
  cJSON *s = cJSON_AddObjectToObject(j, "settings");
  cJSON_AddNumberToObject(s, "threshold", o->threshold);
  cJSON_AddNumberToObject(s, "alpha", o->alpha);
  cJSON_AddNumberToObject(s, "memory_floor_gb", o->memory_floor_gb);
  cJSON_AddNumberToObject(s, "drift_floor_eV_per_atom_per_ps", o->drift_floor);
  cJSON_AddNumberToObject(s, "min_steps", o->min_steps);
  cJSON_AddNumberToObject(s, "bootstrap_resamples", o->bootstrap_B);
  cJSON_AddBoolToObject(s, "allow_device_mismatch", o->allow_device_mismatch);
  cJSON *g = cJSON_AddArrayToObject(s, "gate");
  for (int k = 0; k < MDB_RM_N; k++)
    if (o->gate >> k & 1u) cJSON_AddItemToArray(g, cJSON_CreateString(mdb_regress_metric_name(k)));
  cJSON *cnt = cJSON_AddObjectToObject(j, "counts");
  for (int v = MDB_V_UNCHANGED; v <= MDB_V_CURRENT_ONLY; v++)
    if (v != MDB_V_UNDECIDED) cJSON_AddNumberToObject(cnt, mdb_verdict_name((mdb_verdict)v), r->counts[v]);
  cJSON_AddNumberToObject(j, "exit_code", exit_code);
  cJSON *arr = cJSON_AddArrayToObject(j, "cases");
  for (int i = 0; i < r->n; i++) {
    const mdb_regress_pair *p = &r->pairs[i];
    const mdb_rcase *bc = p->bi >= 0 ? &b->cases[p->bi] : NULL, *cc = p->ci >= 0 ? &c->cases[p->ci] : NULL;
    const mdb_rcase *any = bc ? bc : cc;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    cJSON_AddStringToObject(e, "case", p->label);
    cJSON_AddStringToObject(e, "key", r->by_case_id ? any->case_id : any->key);
    cJSON_AddStringToObject(e, "verdict", mdb_verdict_name(p->verdict));
    cJSON_AddStringToObject(e, "note", p->reason);
    cJSON *sides = cJSON_AddObjectToObject(e, "sides");
    for (int side = 0; side < 2; side++) {
      const mdb_rcase *x = side ? cc : bc;
      if (!x) {
        cJSON_AddNullToObject(sides, side ? "current" : "baseline");
        continue;
      }
      cJSON *d = cJSON_AddObjectToObject(sides, side ? "current" : "baseline");
      cJSON_AddStringToObject(d, "source", x->source);
      cJSON_AddStringToObject(d, "status", x->status);
      cJSON_AddStringToObject(d, "device", x->device);
      cJSON_AddStringToObject(d, "device_name", x->device_name);
      cJSON_AddNumberToObject(d, "n_timed_steps", (double)x->n_step_ms);
    }
    if (!bc || !cc || p->verdict == MDB_V_NOT_COMPARABLE) {
      cJSON_AddNullToObject(e, "metrics");
      continue;
    }
    cJSON *ms = cJSON_AddObjectToObject(e, "metrics");
    for (int k = 0; k < MDB_RM_N; k++) {
      const mdb_metric_result *m = &p->m[k];
      cJSON *x = cJSON_AddObjectToObject(ms, mdb_regress_metric_name(k));
      cJSON_AddStringToObject(x, "better", mdb_regress_metric_direction(k));
      cJSON_AddBoolToObject(x, "gates", o->gate >> k & 1u);
      add_num(x, "baseline", m->base);
      add_num(x, "current", m->cur);
      add_num(x, "ratio", m->ratio);
      if (k == MDB_RM_MEDIAN || k == MDB_RM_THROUGHPUT) {
        add_num(x, "p_regression", m->p_regression);
        add_num(x, "p_improvement", m->p_improvement);
      }
      if (k == MDB_RM_P95 || k == MDB_RM_P99 || k == MDB_RM_THROUGHPUT) {
        add_num(x, "ratio_lower", m->lo);
        add_num(x, "ratio_upper", m->hi);
      }
      cJSON_AddStringToObject(x, "verdict", mdb_verdict_name(m->verdict));
    }
  }
  return j;
}

static void usage(FILE *to) {
  fprintf(to, "usage: mdbench regress --baseline OLD --current NEW [--threshold 1.10] [--alpha 0.01]\n"
              "                       [--allow-device-mismatch] [--output REPORT.json]\n"
              "  OLD, NEW                 result directories, results .h5 files or case JSON files\n"
              "  --threshold R            a ratio: 1.10 lets a metric get 10 %% worse before it counts [1.10]\n"
              "  --alpha A                significance level of each one-sided test [0.01]\n"
              "  --memory-floor-mb MB     peak-memory changes smaller than this are ignored [10]\n"
              "  --drift-floor S          |drift slope| below S eV/atom/ps counts as none [1e-6]\n"
              "  --min-steps N            fewer timed steps: latency is undecided [20]\n"
              "  --gate LIST              metrics that decide the verdict and exit code: all, or some of\n"
              "                           median_ms,p95_ms,p99_ms,steps_per_second,peak_memory_gb,\n"
              "                           drift_slope_eV_per_atom_per_ps (or its old name drift_slope)\n"
              "                           [median_ms,steps_per_second,peak_memory_gb,drift_slope_eV_per_atom_per_ps]\n"
              "  --allow-device-mismatch  compare results from different devices anyway\n"
              "  --output FILE.json       write the verdicts as JSON\n"
              "exit codes: 0 no regression, 1 a regression, 2 bad input (including a different device),\n"
              "            3 a file could not be read or written\n");
}

int mdb_cmd_regress(int argc, char **argv) {
  enum { O_BASE = 256, O_CUR, O_THR, O_ALPHA, O_ALLOW, O_OUT, O_MEM, O_DRIFT, O_MIN, O_GATE, O_HELP };
  static const struct option opts[] = {{"baseline", required_argument, 0, O_BASE},
                                       {"current", required_argument, 0, O_CUR},
                                       {"threshold", required_argument, 0, O_THR},
                                       {"alpha", required_argument, 0, O_ALPHA},
                                       {"allow-device-mismatch", no_argument, 0, O_ALLOW},
                                       {"output", required_argument, 0, O_OUT},
                                       {"memory-floor-mb", required_argument, 0, O_MEM},
                                       {"drift-floor", required_argument, 0, O_DRIFT},
                                       {"min-steps", required_argument, 0, O_MIN},
                                       {"gate", required_argument, 0, O_GATE},
                                       {"help", no_argument, 0, O_HELP},
                                       {0, 0, 0, 0}};
  mdb_regress_opts o;
  mdb_regress_opts_default(&o);
  const char *base_path = NULL, *cur_path = NULL, *out = NULL;
  int opt;
  double v;
  mdb_err err = {0};
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case O_BASE: base_path = optarg; break;
    case O_CUR: cur_path = optarg; break;
    case O_THR:
      if (parse_num("--threshold", optarg, 1.0, 100.0, &o.threshold)) return 2;
      break;
    case O_ALPHA:
      if (parse_num("--alpha", optarg, 1e-12, 0.499, &o.alpha)) return 2;
      break;
    case O_ALLOW: o.allow_device_mismatch = 1; break;
    case O_OUT: out = optarg; break;
    case O_MEM:
      if (parse_num("--memory-floor-mb", optarg, 0, 1e9, &v)) return 2;
      o.memory_floor_gb = v / 1000.0;
      break;
    case O_DRIFT:
      if (parse_num("--drift-floor", optarg, 0, 1e9, &o.drift_floor)) return 2;
      break;
    case O_MIN:
      if (parse_num("--min-steps", optarg, 2, 1e9, &v)) return 2;
      o.min_steps = (int)v;
      break;
    case O_GATE:
      if (mdb_regress_parse_gate(optarg, &o.gate, &err)) return fail(&err);
      break;
    case O_HELP: usage(stdout); return 0;
    default:
      fprintf(stderr,
              "mdbench regress: error: %s '%s' (valid: --baseline --current --threshold --alpha "
              "--allow-device-mismatch --output --memory-floor-mb --drift-floor --min-steps --gate)\n",
              optopt ? "option needs a value:" : "unknown option", argv[optind - 1]);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "mdbench regress: error: unexpected argument '%s' (give --baseline OLD --current NEW)\n",
            argv[optind]);
    return 2;
  }
  if (!base_path || !cur_path) {
    fprintf(stderr,
            "mdbench regress: error: %s is required (usage: mdbench regress --baseline OLD --current NEW "
            "[--threshold 1.10])\n",
            !base_path ? "--baseline" : "--current");
    return 2;
  }
  if (out && mdb_atomic_check_writable(out, &err)) return fail(&err);
  mdb_rset b, c;
  if (mdb_results_load(base_path, &b, &err)) {
    fprintf(stderr, "mdbench regress: error: baseline: %s\n", err.msg);
    return mdb_exit_code(err.code);
  }
  if (mdb_results_load(cur_path, &c, &err)) {
    mdb_results_free(&b);
    fprintf(stderr, "mdbench regress: error: current: %s\n", err.msg);
    return mdb_exit_code(err.code);
  }
  if (b.notes[0]) fprintf(stderr, "mdbench regress: note: baseline: %s\n", b.notes);
  if (c.notes[0]) fprintf(stderr, "mdbench regress: note: current: %s\n", c.notes);
  mdb_regress_report r;
  int rc;
  if (mdb_regress_run(&b, &c, &o, &r, &err)) {
    rc = fail(&err);
  } else {
    rc = r.counts[MDB_V_REGRESSION] ? 1 : 0;
    print_report(&b, &c, &o, &r);
    if (out) {
      cJSON *j = report_json(&b, &c, &o, &r, rc);
      char *text = j ? cJSON_Print(j) : NULL;
      cJSON_Delete(j);
      if (!text) {
        mdb_err_set(&err, MDB_ENOMEM, "out of memory building the JSON report");
        rc = fail(&err);
      } else {
        size_t len = strlen(text);
        char *t2 = realloc(text, len + 2);
        if (t2) {
          text = t2;
          text[len++] = '\n';
          text[len] = '\0';
        }
        if (mdb_atomic_write(out, text, len, &err))
          rc = fail(&err);
        else
          printf("written %s\n", out);
        free(text);
      }
    }
    mdb_regress_report_free(&r);
  }
  mdb_results_free(&b);
  mdb_results_free(&c);
  return rc;
}
