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

int mdb_cmd_compare(int argc, char **argv) {
  mdb_case base;
  mdb_case_defaults(&base);
  static char specs[MAX_CALCS][512];
  int nspecs = 0, compare_flag = 0, quiet = 0, nboot = 2000, opt;
  const char *output = NULL, *reference = NULL, *shadow_spec = NULL;
  mdb_err err = {0};
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    int rc = 0;
    switch (opt) {
    case OPT_CALCULATORS:
    case OPT_COMPARE:
      if (split_list(optarg, specs, &nspecs, MAX_CALCS))
        return mdb_cli_bad(CMD, "too many calculators, or one longer than 511 characters (at most %s)%s", "32", "");
      compare_flag |= opt == OPT_COMPARE;
      break;
    case OPT_REFERENCE: reference = optarg; break;
    case OPT_SHADOW: shadow_spec = optarg; break;
    case OPT_BOOTSTRAP: rc = mdb_cli_parse_int("--bootstrap", optarg, 100, &nboot, &err); break;
    case OPT_OUTPUT: output = optarg; break;
    case OPT_QUIET: quiet = 1; break;
    case OPT_HELP: usage(stdout); return 0;
    default: {
      int code = mdb_cli_case_option(CMD, opt, optarg, &base);
      if (code < 0) return mdb_cli_unknown_option(CMD, argv, options);
      if (code) return code;
    }
    }
    if (rc) return mdb_cli_die(CMD, &err);
  }
  /* --compare A B C: the guide's spelling; the other names follow as operands */
  for (; optind < argc; optind++) {
    if (!compare_flag) return mdb_cli_bad(CMD, "unexpected argument '%s'%s", argv[optind], "");
    if (nspecs >= MAX_CALCS || strlen(argv[optind]) >= 512)
      return mdb_cli_bad(CMD, "too many calculators, or one longer than 511 characters: '%s' (at most %s)",
                         argv[optind], "32");
    snprintf(specs[nspecs++], 512, "%.511s", argv[optind]);
  }
  const int shadow_mode = reference || shadow_spec;
  if (shadow_mode) {
    if (!reference || !shadow_spec)
      return mdb_cli_bad(CMD, "shadow mode needs both --reference A and --shadow B%s%s", "", "");
    if (nspecs)
      return mdb_cli_bad(CMD, "--reference/--shadow cannot be combined with --calculators/--compare%s%s", "", "");
    if (strlen(reference) >= 512)
      return mdb_cli_bad(CMD, "--reference %s is longer than 511 characters%s", reference, "");
    snprintf(specs[nspecs++], 512, "%.511s", reference);
  } else if (nspecs < 2) {
    return mdb_cli_bad(CMD,
                       "compare needs at least two calculators: --calculators A,B (or --compare A B), or "
                       "--reference A --shadow B; got %s%s",
                       nspecs ? specs[0] : "none", "");
  }
  if (base.calculator[0])
    return mdb_cli_bad(CMD, "--calculator names one calculator; use --calculators A,B (got --calculator %s)",
                       base.calculator, "");
  for (int i = 0; i < nspecs; i++)
    if (!specs[i][0]) return mdb_cli_bad(CMD, "empty calculator name in the list (valid: %s)%s", mdb_calc_names(), "");

  /* everything is checked before anything runs */
  static entry e[MAX_CALCS];
  memset(e, 0, sizeof e);
  static char ids[MAX_CALCS][MDB_H5_CASE_ID_MAX];
  for (int i = 0; i < nspecs; i++) {
    snprintf(e[i].spec, sizeof e[i].spec, "%.511s", specs[i]);
    e[i].c = base;
    snprintf(e[i].c.calculator, sizeof e[i].c.calculator, "%.511s", specs[i]);
    if (mdb_case_resolve(&e[i].c, &err)) return mdb_cli_die(CMD, &err);
    if (check_spec(specs[i], e[i].c.device, &err)) return mdb_cli_die(CMD, &err);
    mdb_calc_spec_short(specs[i], e[i].name, sizeof e[i].name); /* the label, or a short readable name */
    make_id(e[i].name, ids, i, e[i].id, sizeof e[i].id);
    snprintf(ids[i], sizeof ids[i], "%s", e[i].id);
  }
  mdb_shadow sh;
  int have_shadow = 0;
  if (shadow_mode) {
    if (mdb_shadow_init(&sh, shadow_spec, e[0].c.device, e[0].c.skin_A, &err)) return mdb_cli_die(CMD, &err);
    have_shadow = 1;
  }
  char h5path[4200] = "", cmpjson[4200] = "";
  if (output) {
    snprintf(h5path, sizeof h5path, "%s/results.h5", output);
    snprintf(cmpjson, sizeof cmpjson, "%s/comparison.jsonc", output);
    if (access(h5path, F_OK) == 0) {
      if (have_shadow) mdb_shadow_free(&sh);
      return mdb_cli_bad(CMD, "%s already holds results (%s/results.h5): choose another --output directory", output,
                         output);
    }
    if (mdb_mkdir_p(output) != 0) {
      if (have_shadow) mdb_shadow_free(&sh);
      mdb_err_set(&err, MDB_EIO, "cannot create %s: %s", output, strerror(errno));
      return mdb_cli_die(CMD, &err);
    }
    if (mdb_atomic_check_writable(h5path, &err)) {
      if (have_shadow) mdb_shadow_free(&sh);
      return mdb_cli_die(CMD, &err);
    }
  }

  mdb_stop_install();
  int code = 0, stopped = 0, io_failed = 0; /* a write error ends the run: exit 3, one line */
  char host[128] = "";
  gethostname(host, sizeof host - 1);
  for (int i = 0; i < nspecs && !stopped; i++) {
    if (!quiet) {
      fprintf(stderr, "mdbench compare: [%d/%d] %s%s%s\n", i + 1, nspecs, e[i].spec, have_shadow ? " shadowed by " : "",
              have_shadow ? shadow_spec : "");
    }
    mdb_run_hooks hooks = {0};
    if (have_shadow) hooks = mdb_shadow_hooks(&sh);
    mdb_cli_progress progress;
    mdb_cli_progress_attach(&progress, &hooks, "compare", e[i].spec, quiet);
    mdb_status st = mdb_case_run_hooked(&e[i].c, &hooks, &e[i].r, &err);
    if (st && mdb_stop_requested()) { /* stopped before its first step (waiting for an i-PI client) */
      stopped = 1;
      continue;
    }
    if (st) {
      /* it could not run: an error for this calculator, the others go on */
      snprintf(e[i].error, sizeof e[i].error, "%s", err.msg);
      fprintf(stderr, "mdbench compare: error: %s: %s\n", e[i].spec, err.msg);
      code = code ? code : mdb_exit_code(st);
      continue;
    }
    e[i].ran = 1;
    if (strcmp(e[i].r.status, "interrupted") == 0)
      stopped = 1;
    else if (strcmp(e[i].r.status, "ok") != 0 && !code)
      code = 1;
    if (output) {
      char path[4400];
      snprintf(path, sizeof path, "%s/%s.json", output, e[i].id);
      if (write_case_json(path, e[i].id, &e[i].r, have_shadow ? &sh : NULL, &err)) {
        fprintf(stderr, "mdbench compare: error: %s\n", err.msg);
        code = 3;
        io_failed = 1;
        break; /* the calculators after it are not run */
      }
    }
  }

  /* speedups over the first calculator */
  const entry *ref = &e[0];
  for (int i = 0; i < nspecs; i++) {
    e[i].speedup = e[i].lo = e[i].hi = NAN;
    if (!ref->ran || !e[i].ran || ref->r.n_timed < 1 || e[i].r.n_timed < 1) continue;
    mdb_err berr = {0};
    if (mdb_bootstrap_ratio_ci(ref->r.step_ms, ref->r.n_timed, e[i].r.step_ms, e[i].r.n_timed, 0.95, nboot, base.seed,
                               &e[i].speedup, &e[i].lo, &e[i].hi, &berr))
      e[i].speedup = e[i].lo = e[i].hi = NAN;
  }

  if (output && !io_failed) {
    mdb_h5_case k[MAX_CALCS];
    memset(k, 0, sizeof k);
    int nk = 0;
    for (int i = 0; i < nspecs; i++) {
      if (!e[i].ran && !e[i].error[0]) continue; /* never started (stopped before) */
      k[nk].case_id = e[i].id;
      k[nk].result = e[i].ran ? &e[i].r : NULL;
      k[nk].spec = &e[i].c;
      k[nk].prov.host = host;
      k[nk].prov.error = e[i].ran ? NULL : e[i].error;
      k[nk].shadow = have_shadow && i == 0 ? &sh : NULL;
      nk++;
    }
    char command[2048] = "";
    for (int a = -1; a < argc; a++) {
      size_t l = strlen(command);
      snprintf(command + l, sizeof command - l, "%s%s", a < 0 ? "mdbench" : " ", a < 0 ? "" : argv[a]);
    }
    mdb_h5_meta meta = {.suite = have_shadow ? "compare:shadow" : "compare",
                        .command = command,
                        .mpi_ranks = 1,
                        .incomplete = stopped,
                        .suite_cases = nspecs,
                        .stop_signal = stopped ? mdb_stop_signal_name(mdb_stop_requested()) : ""};
    if (nk && mdb_h5_write(h5path, &meta, k, nk, &err)) {
      fprintf(stderr, "mdbench compare: error: %s\n", err.msg);
      code = 3;
      io_failed = 1;
    }
  }
  if (output && !io_failed) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "schema", "mdbench-compare/1");
    cJSON_AddStringToObject(j, "mdbench_version", mdb_version());
    cJSON_AddStringToObject(j, "speedup", "mean step time of the first calculator / this one's");
    cJSON_AddStringToObject(j, "interval", "95% percentile interval, moving-block bootstrap of both per-step samples");
    cJSON_AddNumberToObject(j, "bootstrap_resamples", nboot);
    cJSON *rows = cJSON_AddArrayToObject(j, "calculators");
    for (int i = 0; i < nspecs; i++) {
      cJSON *row = cJSON_CreateObject();
      cJSON_AddStringToObject(row, "case_id", e[i].id);
      cJSON_AddStringToObject(row, "calculator", e[i].spec);
      cJSON_AddStringToObject(row, "status", e[i].ran ? e[i].r.status : e[i].error[0] ? "error" : "not_run");
      if (e[i].ran && e[i].r.n_timed > 0) {
        cJSON_AddNumberToObject(row, "mean_ms", e[i].r.step.mean);
        cJSON_AddNumberToObject(row, "median_ms", e[i].r.step.median);
        cJSON_AddNumberToObject(row, "p95_ms", e[i].r.step.p95);
        cJSON_AddNumberToObject(row, "p99_ms", e[i].r.step.p99);
        cJSON_AddNumberToObject(row, "steps_per_second", e[i].r.steps_per_second);
        cJSON_AddNumberToObject(row, "initial_energy_eV", e[i].r.th_total[0]);
      }
      if (isfinite(e[i].speedup)) {
        cJSON_AddNumberToObject(row, "speedup", e[i].speedup);
        cJSON_AddNumberToObject(row, "speedup_ci95_low", e[i].lo);
        cJSON_AddNumberToObject(row, "speedup_ci95_high", e[i].hi);
      }
      cJSON_AddItemToArray(rows, row);
    }
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text || mdb_atomic_write(cmpjson, text, strlen(text), &err)) {
      fprintf(stderr, "mdbench compare: error: %s\n", text ? err.msg : "out of memory");
      code = 3;
    }
    free(text);
  }

  if (!quiet) {
    const mdb_case *c = &e[0].c;
    int natoms = e[0].ran ? e[0].r.n_atoms : c->n_atoms;
    printf("mdbench compare: %s (%d atoms), %s, %d timed steps (+%d warmup), dt %g fs, seed %llu, %s\n", c->system,
           natoms, c->protocol, c->n_steps, c->warmup_steps, c->timestep_fs, (unsigned long long)c->seed, c->device);
    printf("  %-28s %8s %10s %10s %10s %10s %11s  %s\n", "calculator", "status", "median ms", "mean ms", "p95 ms",
           "p99 ms", "steps/s", "speedup [95% CI]");
    for (int i = 0; i < nspecs; i++) {
      const entry *x = &e[i];
      const char *status = x->ran ? x->r.status : x->error[0] ? "error" : "not run";
      if (!x->ran || x->r.n_timed < 1) {
        printf("  %-28s %8s\n", x->name, status);
        continue;
      }
      char sp[64] = "";
      if (i == 0)
        snprintf(sp, sizeof sp, "1 (reference)");
      else if (isfinite(x->speedup))
        snprintf(sp, sizeof sp, "%#.3g [%#.3g, %#.3g]", x->speedup, x->lo, x->hi);
      printf("  %-28s %8s %10.4g %10.4g %10.4g %10.4g %11.4g  %s\n", x->name, status, x->r.step.median, x->r.step.mean,
             x->r.step.p95, x->r.step.p99, x->r.steps_per_second, sp);
    }
    if (have_shadow && e[0].ran) {
      mdb_shadow_summary sm;
      mdb_shadow_summarize(&sh, &sm);
      printf("  shadow %s along %s, %d evaluations (every step, the initial state included):\n", sh.spec, e[0].spec,
             sh.n);
      printf("    energy  (E_shadow - E_ref)/N, offset removed: max |dE - mean dE| %.4g  rms %.4g eV/atom  (raw: "
             "mean offset %.4g, max |dE| %.4g eV/atom)\n",
             sm.energy_diff_centered_max_abs, sm.energy_diff_centered_rms, sm.energy_diff_mean, sm.energy_diff_max_abs);
      printf("    forces  MAE %.4g  RMSE %.4g (mean over steps, max %.4g)  max |dF| %.4g eV/A\n", sm.force_mae_mean,
             sm.force_rmse_mean, sm.force_rmse_max, sm.force_max);
      printf("    latency shadow evaluation median %.4g ms (mean %.4g); reference step median %.4g ms, energy "
             "computed every step for the comparison\n",
             sm.median_ms, sm.mean_ms, e[0].r.n_timed ? e[0].r.step.median : NAN);
    }
    if (output) printf("  written     %s/{<case>.json, results.h5, comparison.jsonc}\n", output);
  }
  if (stopped && !io_failed) {
    fprintf(stderr, "mdbench compare: stopped by %s; the calculators done are written\n",
            mdb_stop_signal_name(mdb_stop_requested()));
    code = MDB_EXIT_INTERRUPTED;
  }
  for (int i = 0; i < nspecs; i++)
    if (e[i].ran) mdb_result_free(&e[i].r);
  if (have_shadow) mdb_shadow_free(&sh);
  return code;
}
