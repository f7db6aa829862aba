/*
 * cmd_compare.c — `mdbench compare`: several calculators on one seeded
 * trajectory, or a shadow calculator evaluated along a reference's.
 *
 *   mdbench compare --calculators A,B[,...] [case options] [--output DIR]
 *   mdbench compare --compare A B ...       (the reference guide's spelling)
 *   mdbench compare --reference A --shadow B [case options] [--output DIR]
 *
 * Every calculator starts from the identical state: the same builder, seed,
 * velocities (Philox, independent of the calculator) and settings. Each
 * runs after the previous one has finished, in the order given, with its
 * own warmup. The speedup of calculator i is mean step time of the first
 * over that of i; its 95 % interval comes from a moving-block bootstrap of
 * both per-step samples (analysis/bootstrap.h), reproducible for a seed.
 *
 * DIR gets DIR/<case_id>.json per calculator (the run JSON plus case_id and,
 * in shadow mode, a "shadow" object), written as soon as that calculator is
 * done, then DIR/results.h5 (the suite layout, docs/hdf5-layout.md; shadow
 * mode adds /cases/<id>/shadow/) and DIR/comparison.jsonc (the table; not .json, docs/output-names.md).
 * Exit codes as `mdbench run`: 0, 1 (a run blew up), 2, 3, 75 (stopped).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/bootstrap.h"
#include "bench/bench.h"
#include "bench/shadow.h"
#include "calc/calc.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "core/stop.h"
#include "core/version.h"
#include "core/atomic.h"
#include "io/h5_results.h"
#include "io/json_result.h"

#define MAX_CALCS 32
#define CMD "compare"

enum { OPT_CALCULATORS = OPT_CLI_FIRST_FREE, OPT_COMPARE, OPT_REFERENCE, OPT_SHADOW, OPT_BOOTSTRAP };

static const struct option options[] = {MDB_CLI_CASE_OPTIONS,
                                        {"calculators", required_argument, 0, OPT_CALCULATORS},
                                        {"compare", required_argument, 0, OPT_COMPARE},
                                        {"reference", required_argument, 0, OPT_REFERENCE},
                                        {"shadow", required_argument, 0, OPT_SHADOW},
                                        {"bootstrap", required_argument, 0, OPT_BOOTSTRAP},
                                        {"output", required_argument, 0, OPT_OUTPUT},
                                        {"quiet", no_argument, 0, OPT_QUIET},
                                        {"help", no_argument, 0, OPT_HELP},
                                        {0, 0, 0, 0}};

static void usage(FILE *to) {
  fprintf(to, "usage: mdbench compare --calculators A,B[,...] [options]   A, B, ... on one seeded trajectory each\n"
              "       mdbench compare --compare A B ... [options]         the same (the guide's spelling)\n"
              "       mdbench compare --reference A --shadow B [options]  integrate with A, evaluate B on every step\n"
              "\n"
              "Every calculator starts from the identical state (same system, seed and velocities) and\n"
              "runs the same steps. The table gives each one's latency and its speedup over the first\n"
              "(mean step time of the first / its own) with a 95%% moving-block bootstrap interval.\n"
              "Shadow mode records, per step, (E_B - E_A)/N and the force error of B against A (MAE,\n"
              "RMSE over components, max over atoms of |dF|) next to both latencies.\n"
              "\n"
              "options: every `mdbench run` option that describes the case (--system, --atoms, --steps,\n"
              "  --protocol, --device, --timestep-fs, --temperature-K, --warmup, --seed, --thermostat, ...),\n"
              "  and:\n"
              "  --output DIR      DIR/<id>.json per calculator, DIR/results.h5, DIR/comparison.jsonc\n"
              "  --bootstrap N     bootstrap resamples for the intervals [2000]\n"
              "  --quiet           print nothing but errors\n"
              "\n"
              "exit codes: 0 ok, 1 a run failed (blew up; results still written), 2 bad input,\n"
              "            3 I/O or runtime error, 75 stopped by SIGTERM/SIGINT/SIGUSR1 (results so far written)\n");
}

/* A file-name-safe case id from a spec ("eam:file=Cu.eam" -> "eam_file_Cu.eam"),
 * made unique among ids[0..n) with "-2", "-3", ... */
static void make_id(const char *spec, char ids[][MDB_H5_CASE_ID_MAX], int n, char *out, size_t len) {
  char base[160];
  size_t k = 0;
  for (const char *p = spec; *p && k + 1 < sizeof base; p++) {
    char ch = *p;
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
             ch == '-' || ch == '_';
    base[k++] = ok ? ch : '_';
  }
  base[k] = '\0';
  if (!k || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) snprintf(base, sizeof base, "calculator");
  snprintf(out, len, "%s", base);
  for (int dup = 2;; dup++) {
    int clash = 0;
    for (int i = 0; i < n; i++) clash |= strcmp(ids[i], out) == 0;
    if (!clash) return;
    snprintf(out, len, "%s-%d", base, dup);
  }
}

/* Splits "A,B" at commas that start a new calculator: a comma followed by
 * key=value belongs to the spec before it ("eam:file=x,scale=1,lj" is two). */
static int split_list(const char *list, char specs[][512], int *n, int max) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", list);
  char *start = buf;
  for (char *p = buf;; p++) {
    if (*p == ',' || *p == '\0') {
      int end = *p == '\0';
      /* does the text after this comma look like key=value (before any ':' or ',')? */
      int param = 0;
      if (!end) {
        const char *q = p + 1;
        size_t lk = strcspn(q, "=,:");
        param = q[lk] == '=' && strchr(start, ':') != NULL && (size_t)(p - start) > 0;
      }
      if (param) continue;
      *p = '\0';
      if (*n >= max || strlen(start) >= 512) return -1;
      snprintf(specs[(*n)++], 512, "%.511s", start);
      if (end) break;
      start = p + 1;
    }
  }
  return 0;
}

/* Validates a spec without starting anything: the name must be known and,
 * for calculators that only read files, creating it must work. */
static mdb_status check_spec(const char *spec, const char *device, mdb_err *err) {
  mdb_calc_spec ps;
  mdb_status st = mdb_calc_spec_parse(spec, &ps, err);
  if (st) return st;
  if (strcmp(ps.name, "ipi") == 0) return MDB_OK; /* would listen and maybe launch a client */
  mdb_calc c;
  if ((st = mdb_calc_create(&c, spec, device, err))) return st;
  mdb_calc_free(&c);
  return MDB_OK;
}

static cJSON *f64_array(const double *x, int n) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; i < n && a; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(x[i]));
  return a;
}

static void add_shadow_json(cJSON *j, const mdb_shadow *sh) {
  mdb_shadow_summary sm;
  mdb_shadow_summarize(sh, &sm);
  cJSON *o = cJSON_AddObjectToObject(j, "shadow");
  cJSON_AddStringToObject(o, "calculator", sh->spec);
  cJSON_AddNumberToObject(o, "force_mae_mean_eV_per_A", sm.force_mae_mean);
  cJSON_AddNumberToObject(o, "force_rmse_mean_eV_per_A", sm.force_rmse_mean);
  cJSON_AddNumberToObject(o, "force_max_eV_per_A", sm.force_max);
  cJSON_AddNumberToObject(o, "energy_diff_mean_eV_per_atom", sm.energy_diff_mean);
  cJSON_AddNumberToObject(o, "energy_diff_max_abs_eV_per_atom", sm.energy_diff_max_abs);
  cJSON_AddNumberToObject(o, "energy_diff_centered_max_abs_eV_per_atom", sm.energy_diff_centered_max_abs);
  cJSON_AddNumberToObject(o, "energy_diff_centered_rms_eV_per_atom", sm.energy_diff_centered_rms);
  cJSON_AddNumberToObject(o, "median_ms", isfinite(sm.median_ms) ? sm.median_ms : 0);
  cJSON *raw = cJSON_AddObjectToObject(o, "raw");
  cJSON *steps = cJSON_CreateArray();
  for (int k = 0; k < sh->n; k++) cJSON_AddItemToArray(steps, cJSON_CreateNumber((double)sh->step[k]));
  cJSON_AddItemToObject(raw, "step", steps);
  cJSON_AddItemToObject(raw, "energy_diff_eV_per_atom", f64_array(sh->energy_diff_pa, sh->n));
  cJSON_AddItemToObject(raw, "force_mae_eV_per_A", f64_array(sh->force_mae, sh->n));
  cJSON_AddItemToObject(raw, "force_rmse_eV_per_A", f64_array(sh->force_rmse, sh->n));
  cJSON_AddItemToObject(raw, "force_max_eV_per_A", f64_array(sh->force_max, sh->n));
  cJSON_AddItemToObject(raw, "step_time_ms", f64_array(sh->step_ms, sh->n_timed));
}

static mdb_status write_case_json(const char *path, const char *id, const mdb_result *r, const mdb_shadow *sh,
                                  mdb_err *err) {
  cJSON *j = mdb_result_to_json(r);
  if (!j) return mdb_err_nomem(err, "result JSON", 0);
  cJSON_AddStringToObject(j, "case_id", id);
  if (sh) add_shadow_json(j, sh);
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return mdb_err_nomem(err, "result JSON", 0);
  mdb_status st = mdb_atomic_write(path, text, strlen(text), err);
  free(text);
  return st;
}

typedef struct entry {
  char spec[512];
  char name[80]; /* its label, or a short readable form of spec (mdb_calc_spec_short) */
  char id[MDB_H5_CASE_ID_MAX];
  mdb_case c;
  mdb_result r;
  int ran;          /* r holds a result */
  char error[1024]; /* why it could not run */
  double speedup, lo, hi;
} entry;

/* One `mdbench compare` invocation: its options, then its calculators. */
typedef struct compare {
  mdb_case base;
  char specs[MAX_CALCS][512];
  int nspecs, compare_flag, quiet, nboot;
  const char *output, *reference, *shadow_spec;
  entry e[MAX_CALCS];
  char ids[MAX_CALCS][MDB_H5_CASE_ID_MAX];
  mdb_shadow sh;
  int have_shadow;
  char h5path[4200], cmpjson[4200];
  int code, stopped, io_failed; /* a write error ends the run: exit 3, one line */
  char host[128];
  mdb_err err;
} compare;

/* The options into x; -1 when the command goes on, else its exit code
 * (help printed, or the one-line error for bad input). */
static int parse_args(compare *x, int argc, char **argv) {
  int opt;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    int rc = 0;
    switch (opt) {
    case OPT_CALCULATORS:
    case OPT_COMPARE:
      if (split_list(optarg, x->specs, &x->nspecs, MAX_CALCS))
        return mdb_cli_bad(CMD, "too many calculators, or one longer than 511 characters (at most %d)", MAX_CALCS);
      x->compare_flag |= opt == OPT_COMPARE;
      break;
    case OPT_REFERENCE: x->reference = optarg; break;
    case OPT_SHADOW: x->shadow_spec = optarg; break;
    case OPT_BOOTSTRAP: rc = mdb_cli_parse_int("--bootstrap", optarg, 100, &x->nboot, &x->err); break;
    case OPT_OUTPUT: x->output = optarg; break;
    case OPT_QUIET: x->quiet = 1; break;
    case OPT_HELP: usage(stdout); return 0;
    default: {
      int code = mdb_cli_case_option(CMD, opt, optarg, &x->base);
      if (code < 0) return mdb_cli_unknown_option(CMD, argv, options);
      if (code) return code;
    }
    }
    if (rc) return mdb_cli_die(CMD, &x->err);
  }
  /* --compare A B C: the guide's spelling; the other names follow as operands */
  for (; optind < argc; optind++) {
    if (!x->compare_flag) return mdb_cli_bad(CMD, "unexpected argument '%s'", argv[optind]);
    if (x->nspecs >= MAX_CALCS || strlen(argv[optind]) >= 512)
      return mdb_cli_bad(CMD, "too many calculators, or one longer than 511 characters: '%s' (at most %d)",
                         argv[optind], MAX_CALCS);
    snprintf(x->specs[x->nspecs++], 512, "%.511s", argv[optind]);
  }
  return -1;
}

/* The calculators named, checked: shadow mode's pair, at least two
 * otherwise, no empty name, no --calculator. -1 or the exit code. */
static int check_calculators(compare *x) {
  if (x->reference || x->shadow_spec) {
    if (!x->reference || !x->shadow_spec)
      return mdb_cli_bad(CMD, "shadow mode needs both --reference A and --shadow B");
    if (x->nspecs) return mdb_cli_bad(CMD, "--reference/--shadow cannot be combined with --calculators/--compare");
    if (strlen(x->reference) >= 512)
      return mdb_cli_bad(CMD, "--reference %s is longer than 511 characters", x->reference);
    snprintf(x->specs[x->nspecs++], 512, "%.511s", x->reference);
  } else if (x->nspecs < 2) {
    return mdb_cli_bad(CMD,
                       "compare needs at least two calculators: --calculators A,B (or --compare A B), or "
                       "--reference A --shadow B; got %s",
                       x->nspecs ? x->specs[0] : "none");
  }
  if (x->base.calculator[0])
    return mdb_cli_bad(CMD, "--calculator names one calculator; use --calculators A,B (got --calculator %s)",
                       x->base.calculator);
  for (int i = 0; i < x->nspecs; i++)
    if (!x->specs[i][0]) return mdb_cli_bad(CMD, "empty calculator name in the list (valid: %s)", mdb_calc_names());
  return -1;
}

/* Everything checked before anything runs: each case resolved and its
 * calculator created once, the shadow calculator, the output directory.
 * -1 or the exit code (nothing left allocated). */
static int prepare(compare *x) {
  for (int i = 0; i < x->nspecs; i++) {
    entry *e = &x->e[i];
    snprintf(e->spec, sizeof e->spec, "%.511s", x->specs[i]);
    e->c = x->base;
    snprintf(e->c.calculator, sizeof e->c.calculator, "%.511s", x->specs[i]);
    if (mdb_case_resolve(&e->c, &x->err)) return mdb_cli_die(CMD, &x->err);
    if (check_spec(x->specs[i], e->c.device, &x->err)) return mdb_cli_die(CMD, &x->err);
    mdb_calc_spec_short(x->specs[i], e->name, sizeof e->name); /* the label, or a short readable name */
    make_id(e->name, x->ids, i, e->id, sizeof e->id);
    snprintf(x->ids[i], sizeof x->ids[i], "%s", e->id);
  }
  if (x->shadow_spec) {
    if (mdb_shadow_init(&x->sh, x->shadow_spec, x->e[0].c.device, x->e[0].c.skin_A, &x->err))
      return mdb_cli_die(CMD, &x->err);
    x->have_shadow = 1;
  }
  if (!x->output) return -1;
  const char *output = x->output;
  snprintf(x->h5path, sizeof x->h5path, "%s/results.h5", output);
  snprintf(x->cmpjson, sizeof x->cmpjson, "%s/comparison.jsonc", output);
  int code = -1;
  if (access(x->h5path, F_OK) == 0) {
    code =
        mdb_cli_bad(CMD, "%s already holds results (%s/results.h5): choose another --output directory", output, output);
  } else if (mdb_mkdir_p(output) != 0) {
    mdb_err_set(&x->err, MDB_EIO, "cannot create %s: %s", output, strerror(errno));
    code = mdb_cli_die(CMD, &x->err);
  } else if (mdb_atomic_check_writable(x->h5path, &x->err)) {
    code = mdb_cli_die(CMD, &x->err);
  }
  if (code >= 0 && x->have_shadow) {
    mdb_shadow_free(&x->sh);
    x->have_shadow = 0;
  }
  return code;
}

/* Runs the calculators one after the other, each case's JSON written as
 * soon as it is done; a stop ends the loop, a write error too. */
static void run_all(compare *x) {
  for (int i = 0; i < x->nspecs && !x->stopped; i++) {
    entry *e = &x->e[i];
    if (!x->quiet) {
      fprintf(stderr, "mdbench compare: [%d/%d] %s%s%s\n", i + 1, x->nspecs, e->spec,
              x->have_shadow ? " shadowed by " : "", x->have_shadow ? x->shadow_spec : "");
    }
    mdb_run_hooks hooks = {0};
    if (x->have_shadow) hooks = mdb_shadow_hooks(&x->sh);
    mdb_cli_progress progress;
    mdb_cli_progress_attach(&progress, &hooks, "compare", e->spec, x->quiet);
    mdb_status st = mdb_case_run_hooked(&e->c, &hooks, &e->r, &x->err);
    if (st && mdb_stop_requested()) { /* stopped before its first step (waiting for an i-PI client) */
      x->stopped = 1;
      continue;
    }
    if (st) {
      /* it could not run: an error for this calculator, the others go on */
      snprintf(e->error, sizeof e->error, "%s", x->err.msg);
      fprintf(stderr, "mdbench compare: error: %s: %s\n", e->spec, x->err.msg);
      x->code = x->code ? x->code : mdb_exit_code(st);
      continue;
    }
    e->ran = 1;
    if (strcmp(e->r.status, "interrupted") == 0)
      x->stopped = 1;
    else if (strcmp(e->r.status, "ok") != 0 && !x->code)
      x->code = 1;
    if (x->output) {
      char path[4400];
      snprintf(path, sizeof path, "%s/%s.json", x->output, e->id);
      if (write_case_json(path, e->id, &e->r, x->have_shadow ? &x->sh : NULL, &x->err)) {
        fprintf(stderr, "mdbench compare: error: %s\n", x->err.msg);
        x->code = 3;
        x->io_failed = 1;
        break; /* the calculators after it are not run */
      }
    }
  }
}

/* Speedups over the first calculator, with their bootstrap intervals. */
static void speedups(compare *x) {
  const entry *ref = &x->e[0];
  for (int i = 0; i < x->nspecs; i++) {
    entry *e = &x->e[i];
    e->speedup = e->lo = e->hi = NAN;
    if (!ref->ran || !e->ran || ref->r.n_timed < 1 || e->r.n_timed < 1) continue;
    mdb_err berr = {0};
    if (mdb_bootstrap_ratio_ci(ref->r.step_ms, ref->r.n_timed, e->r.step_ms, e->r.n_timed, 0.95, x->nboot, x->base.seed,
                               &e->speedup, &e->lo, &e->hi, &berr))
      e->speedup = e->lo = e->hi = NAN;
  }
}

/* DIR/results.h5: every calculator that started, in the suite layout. */
static void write_h5(compare *x, int argc, char **argv) {
  mdb_h5_case k[MAX_CALCS];
  memset(k, 0, sizeof k);
  int nk = 0;
  for (int i = 0; i < x->nspecs; i++) {
    entry *e = &x->e[i];
    if (!e->ran && !e->error[0]) continue; /* never started (stopped before) */
    k[nk].case_id = e->id;
    k[nk].result = e->ran ? &e->r : NULL;
    k[nk].spec = &e->c;
    k[nk].prov.host = x->host;
    k[nk].prov.error = e->ran ? NULL : e->error;
    k[nk].shadow = x->have_shadow && i == 0 ? &x->sh : NULL;
    nk++;
  }
  char command[2048] = "";
  for (int a = -1; a < argc; a++) {
    size_t l = strlen(command);
    snprintf(command + l, sizeof command - l, "%s%s", a < 0 ? "mdbench" : " ", a < 0 ? "" : argv[a]);
  }
  mdb_h5_meta meta = {.suite = x->have_shadow ? "compare:shadow" : "compare",
                      .command = command,
                      .mpi_ranks = 1,
                      .incomplete = x->stopped,
                      .suite_cases = x->nspecs,
                      .stop_signal = x->stopped ? mdb_stop_signal_name(mdb_stop_requested()) : ""};
  if (nk && mdb_h5_write(x->h5path, &meta, k, nk, &x->err)) {
    fprintf(stderr, "mdbench compare: error: %s\n", x->err.msg);
    x->code = 3;
    x->io_failed = 1;
  }
}

/* DIR/comparison.jsonc: the table. */
static void write_comparison(compare *x) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "schema", "mdbench-compare/1");
  cJSON_AddStringToObject(j, "mdbench_version", mdb_version());
  cJSON_AddStringToObject(j, "speedup", "mean step time of the first calculator / this one's");
  cJSON_AddStringToObject(j, "interval", "95% percentile interval, moving-block bootstrap of both per-step samples");
  cJSON_AddNumberToObject(j, "bootstrap_resamples", x->nboot);
  cJSON *rows = cJSON_AddArrayToObject(j, "calculators");
  for (int i = 0; i < x->nspecs; i++) {
    const entry *e = &x->e[i];
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "case_id", e->id);
    cJSON_AddStringToObject(row, "calculator", e->spec);
    cJSON_AddStringToObject(row, "status", e->ran ? e->r.status : e->error[0] ? "error" : "not_run");
    if (e->ran && e->r.n_timed > 0) {
      cJSON_AddNumberToObject(row, "mean_ms", e->r.step.mean);
      cJSON_AddNumberToObject(row, "median_ms", e->r.step.median);
      cJSON_AddNumberToObject(row, "p95_ms", e->r.step.p95);
      cJSON_AddNumberToObject(row, "p99_ms", e->r.step.p99);
      cJSON_AddNumberToObject(row, "steps_per_second", e->r.steps_per_second);
      cJSON_AddNumberToObject(row, "initial_energy_eV", e->r.th_total[0]);
    }
    if (isfinite(e->speedup)) {
      cJSON_AddNumberToObject(row, "speedup", e->speedup);
      cJSON_AddNumberToObject(row, "speedup_ci95_low", e->lo);
      cJSON_AddNumberToObject(row, "speedup_ci95_high", e->hi);
    }
    cJSON_AddItemToArray(rows, row);
  }
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text || mdb_atomic_write(x->cmpjson, text, strlen(text), &x->err)) {
    fprintf(stderr, "mdbench compare: error: %s\n", text ? x->err.msg : "out of memory");
    x->code = 3;
  }
  free(text);
}

/* The shadow calculator's errors and latency, under the table. */
static void print_shadow(const compare *x) {
  mdb_shadow_summary sm;
  mdb_shadow_summarize(&x->sh, &sm);
  const entry *ref = &x->e[0];
  printf("  shadow %s along %s, %d evaluations (every step, the initial state included):\n", x->sh.spec, ref->spec,
         x->sh.n);
  printf("    energy  (E_shadow - E_ref)/N, offset removed: max |dE - mean dE| %.4g  rms %.4g eV/atom  (raw: "
         "mean offset %.4g, max |dE| %.4g eV/atom)\n",
         sm.energy_diff_centered_max_abs, sm.energy_diff_centered_rms, sm.energy_diff_mean, sm.energy_diff_max_abs);
  printf("    forces  MAE %.4g  RMSE %.4g (mean over steps, max %.4g)  max |dF| %.4g eV/A\n", sm.force_mae_mean,
         sm.force_rmse_mean, sm.force_rmse_max, sm.force_max);
  printf("    latency shadow evaluation median %.4g ms (mean %.4g); reference step median %.4g ms, energy "
         "computed every step for the comparison\n",
         sm.median_ms, sm.mean_ms, ref->r.n_timed ? ref->r.step.median : NAN);
}

/* The table on stdout: one row per calculator, then the shadow's errors. */
static void print_table(const compare *x) {
  const mdb_case *c = &x->e[0].c;
  int natoms = x->e[0].ran ? x->e[0].r.n_atoms : c->n_atoms;
  printf("mdbench compare: %s (%d atoms), %s, %d timed steps (+%d warmup), dt %g fs, seed %llu, %s\n", c->system,
         natoms, c->protocol, c->n_steps, c->warmup_steps, c->timestep_fs, (unsigned long long)c->seed, c->device);
  printf("  %-28s %8s %10s %10s %10s %10s %11s  %s\n", "calculator", "status", "median ms", "mean ms", "p95 ms",
         "p99 ms", "steps/s", "speedup [95% CI]");
  for (int i = 0; i < x->nspecs; i++) {
    const entry *e = &x->e[i];
    const char *status = e->ran ? e->r.status : e->error[0] ? "error" : "not run";
    if (!e->ran || e->r.n_timed < 1) {
      printf("  %-28s %8s\n", e->name, status);
      continue;
    }
    char sp[64] = "";
    if (i == 0)
      snprintf(sp, sizeof sp, "1 (reference)");
    else if (isfinite(e->speedup))
      snprintf(sp, sizeof sp, "%#.3g [%#.3g, %#.3g]", e->speedup, e->lo, e->hi);
    printf("  %-28s %8s %10.4g %10.4g %10.4g %10.4g %11.4g  %s\n", e->name, status, e->r.step.median, e->r.step.mean,
           e->r.step.p95, e->r.step.p99, e->r.steps_per_second, sp);
  }
  if (x->have_shadow && x->e[0].ran) print_shadow(x);
  if (x->output) printf("  written     %s/{<case>.json, results.h5, comparison.jsonc}\n", x->output);
}

int mdb_cmd_compare(int argc, char **argv) {
  static compare x; /* large (MAX_CALCS results): not on the stack */
  memset(&x, 0, sizeof x);
  mdb_case_defaults(&x.base);
  x.nboot = 2000;
  int code = parse_args(&x, argc, argv);
  if (code < 0) code = check_calculators(&x);
  if (code < 0) code = prepare(&x);
  if (code >= 0) return code;

  mdb_stop_install();
  gethostname(x.host, sizeof x.host - 1);
  run_all(&x);
  speedups(&x);
  if (x.output && !x.io_failed) write_h5(&x, argc, argv);
  if (x.output && !x.io_failed) write_comparison(&x);
  if (!x.quiet) print_table(&x);
  if (x.stopped && !x.io_failed) {
    fprintf(stderr, "mdbench compare: stopped by %s; the calculators done are written\n",
            mdb_stop_signal_name(mdb_stop_requested()));
    x.code = MDB_EXIT_INTERRUPTED;
  }
  for (int i = 0; i < x.nspecs; i++)
    if (x.e[i].ran) mdb_result_free(&x.e[i].r);
  if (x.have_shadow) mdb_shadow_free(&x.sh);
  return x.code;
}
