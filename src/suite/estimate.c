/*
 * estimate.c — seconds per case before a suite runs (estimate.h): short
 * calibration runs on this machine, or an earlier results.h5, and the
 * runner's largest-first schedule simulated for the makespan.
 */
#include "suite/estimate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build/build.h"
#include "calc/calc.h"
#include "io/h5_results.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Decades of the atom count: 10-99 is class 1, 100-999 class 2, ... */
static int size_class(int atoms) { return atoms > 0 ? (int)floor(log10((double)atoms)) : 0; }

/* Cases whose calibration is the same run: same system, calculator,
 * device, precision and size class. */
static int same_key(const mdb_case *a, const mdb_case *b) {
  return strcmp(a->system, b->system) == 0 && strcmp(a->calculator, b->calculator) == 0 &&
         strcmp(a->device, b->device) == 0 && strcmp(a->precision, b->precision) == 0 &&
         size_class(a->n_atoms) == size_class(b->n_atoms);
}

/* An external calculator (one that waits on another process: it has a
 * client process id to report) is not started just to be timed. A plugin
 * times its compute calls too (external_wait_s) but runs in process. */
static int external(const char *spec) {
  mdb_calc_spec sp;
  mdb_err e;
  if (mdb_calc_spec_parse(spec, &sp, &e)) return 0;
  for (int i = 0; i < mdb_calc_registry_count(); i++) {
    const mdb_calc_ops *o = mdb_calc_registry_at(i);
    if (strcmp(o->name, sp.name) == 0 && o->external_pid) return 1;
  }
  return 0;
}

/* The calibration size: the class's smallest case, at most
 * MDB_EST_CAL_ATOMS on the CPU (an eighth of that in the GPU emulation),
 * rounded down to a whole number of cells; a file's atom count cannot
 * change. On a real GPU the class's smallest case itself is timed. */
static int calibration_atoms(const mdb_case *c, int smallest) {
  const char *b = getenv("MDBENCH_GPU_BACKEND");
  const int emulated = strcmp(c->device, "cpu") != 0 && b && strcmp(b, "host") == 0;
  /* the emulation's times say nothing about a GPU: time it small */
  const int cap = emulated ? MDB_EST_CAL_ATOMS / 8 : strcmp(c->device, "cpu") == 0 ? MDB_EST_CAL_ATOMS : 0;
  if (!cap || smallest <= cap || !mdb_build_known(c->system)) return smallest;
  mdb_build_entry be;
  for (int i = 0; mdb_build_entry_at(i, &be); i++)
    if (strcmp(be.name, c->system) == 0) return cap / be.unit_atoms * be.unit_atoms;
  return smallest;
}

/* One short NVE run of the key of case c at `atoms` atoms: seconds per
 * atom-step (loop, sampling included) and setup seconds per atom. */
static mdb_status calibrate(const mdb_case *c, int atoms, double *per_atom_step, double *setup_per_atom, mdb_err *err) {
  mdb_case k;
  mdb_case_defaults(&k);
  snprintf(k.system, sizeof k.system, "%s", c->system);
  snprintf(k.calculator, sizeof k.calculator, "%s", c->calculator);
  snprintf(k.device, sizeof k.device, "%s", c->device);
  snprintf(k.precision, sizeof k.precision, "%s", c->precision);
  k.n_atoms = mdb_build_known(c->system) ? atoms : c->n_atoms;
  k.lattice_A = atoms == c->n_atoms ? c->lattice_A : 0;
  k.timestep_fs = c->timestep_fs;
  k.temperature_K = c->temperature_K;
  k.seed = c->seed;
  k.skin_A = c->skin_A;
  k.energy_interval = c->energy_interval;
  k.memory_interval = c->memory_interval;
  k.n_steps = MDB_EST_ATOM_STEPS / (atoms > 0 ? atoms : 1);
  if (k.n_steps < MDB_EST_STEPS) k.n_steps = MDB_EST_STEPS;
  if (k.n_steps > MDB_EST_MAX_STEPS) k.n_steps = MDB_EST_MAX_STEPS;
  k.warmup_steps = 2;
  mdb_status st = mdb_case_resolve(&k, err);
  if (st) return st;
  mdb_result r;
  if ((st = mdb_case_run(&k, &r, err))) return st;
  const int steps = r.n_timed + k.warmup_steps;
  if (r.n_timed < 1 || !(r.wall_time_s > 0)) {
    st = mdb_err_set(err, MDB_ERUN, "the calibration run of %s on %s stopped: %s", c->calculator, c->system,
                     r.fail_reason);
  } else {
    *per_atom_step = r.wall_time_s / ((double)steps * r.n_atoms);
    *setup_per_atom = r.setup_time_s / r.n_atoms;
  }
  mdb_result_free(&r);
  return st;
}

/* Cases found by id in an earlier results file: its setup and loop time,
 * the loop scaled to this case's steps. */
static mdb_status from_results(const mdb_suite *s, const char *path, mdb_estimate *e, mdb_err *err) {
  mdb_h5_summary_row *rows = NULL;
  int n = 0;
  mdb_status st = mdb_h5_read_summary(path, &rows, &n, err);
  if (st) return st;
  for (int i = 0; i < s->n_cases; i++) {
    const mdb_case *c = &s->cases[i].c;
    for (int j = 0; j < n; j++) {
      const mdb_h5_summary_row *w = &rows[j];
      if (strcmp(w->case_id, s->cases[i].id) != 0 || w->n_atoms != c->n_atoms || w->n_timed_steps < 1) continue;
      const double done = (double)(w->n_timed_steps + w->warmup_steps);
      e->seconds[i] = w->setup_time_s + w->wall_time_s * (c->n_steps + c->warmup_steps) / done;
      snprintf(e->source[i], sizeof e->source[i], "h5");
      e->n_from_h5++;
      break;
    }
  }
  free(rows);
  return MDB_OK;
}

mdb_status mdb_estimate_suite(const mdb_suite *s, const char *from_h5, mdb_estimate *e, mdb_err *err) {
  memset(e, 0, sizeof *e);
  const size_t n = s->n_cases > 0 ? (size_t)s->n_cases : 1;
  e->seconds = malloc(n * sizeof *e->seconds);
  e->source = calloc(n, sizeof *e->source);
  if (!e->seconds || !e->source) {
    mdb_estimate_free(e);
    return mdb_err_nomem(err, "estimates", (double)n * 16);
  }
  for (int i = 0; i < s->n_cases; i++) {
    e->seconds[i] = -1;
    snprintf(e->source[i], sizeof e->source[i], "-");
  }
  mdb_status st;
  if (from_h5 && (st = from_results(s, from_h5, e, err))) {
    mdb_estimate_free(e);
    return st;
  }
  const double t0 = now_s();
  for (int i = 0; i < s->n_cases; i++) {
    const mdb_case *c = &s->cases[i].c;
    if (e->seconds[i] >= 0 || strcmp(e->source[i], "-") != 0) continue;
    if (external(c->calculator)) {
      snprintf(e->source[i], sizeof e->source[i], "ext");
      if (!e->none_why[0])
        snprintf(e->none_why, sizeof e->none_why, "%.80s: an external calculator is not started to be timed",
                 s->cases[i].id);
      continue;
    }
    /* the key's smallest case sets the calibration size */
    int smallest = c->n_atoms;
    for (int j = i + 1; j < s->n_cases; j++)
      if (e->seconds[j] < 0 && same_key(c, &s->cases[j].c) && s->cases[j].c.n_atoms < smallest)
        smallest = s->cases[j].c.n_atoms;
    double pas = 0, spa = 0;
    mdb_err cerr = {0};
    st = calibrate(c, calibration_atoms(c, smallest), &pas, &spa, &cerr);
    e->n_calibrations++;
    if (st == MDB_ENOMEM) {
      *err = cerr;
      mdb_estimate_free(e);
      return st;
    }
    for (int j = i; j < s->n_cases; j++) {
      const mdb_case *d = &s->cases[j].c;
      if (e->seconds[j] >= 0 || strcmp(e->source[j], "-") != 0 || !same_key(c, d)) continue;
      if (st) {
        snprintf(e->source[j], sizeof e->source[j], "fail");
        if (!e->none_why[0]) snprintf(e->none_why, sizeof e->none_why, "%.80s: %.160s", s->cases[j].id, cerr.msg);
        continue;
      }
      e->seconds[j] = d->n_atoms * (spa + pas * (d->n_steps + d->warmup_steps));
      snprintf(e->source[j], sizeof e->source[j], "calib");
    }
  }
  e->calibration_s = now_s() - t0;
  for (int i = 0; i < s->n_cases; i++) e->n_none += e->seconds[i] < 0;
  return MDB_OK;
}

void mdb_estimate_free(mdb_estimate *e) {
  free(e->seconds);
  free(e->source);
  e->seconds = NULL;
  e->source = NULL;
}

double mdb_estimate_makespan(const mdb_suite *s, const double *seconds, int ranks, double *busy) {
  const size_t n = s->n_cases > 0 ? (size_t)s->n_cases : 1;
  int *order = malloc(n * sizeof *order);
  double *b = calloc((size_t)(ranks > 0 ? ranks : 1), sizeof *b);
  if (!order || !b || ranks < 1) {
    free(order);
    free(b);
    return -1;
  }
  mdb_suite_order_by_cost(s, order);
  for (int i = 0; i < s->n_cases; i++) {
    int r = 0;
    for (int k = 1; k < ranks; k++)
      if (b[k] < b[r]) r = k;
    b[r] += seconds[order[i]] > 0 ? seconds[order[i]] : 0;
  }
  double m = 0;
  for (int k = 0; k < ranks; k++) {
    if (b[k] > m) m = b[k];
    if (busy) busy[k] = b[k];
  }
  free(order);
  free(b);
  return m;
}

const char *mdb_estimate_human(double t, char *buf, size_t len) {
  if (t < 0)
    snprintf(buf, len, "unknown");
  else if (t < 1)
    snprintf(buf, len, "%.0f ms", t * 1e3);
  else if (t < 120)
    snprintf(buf, len, "%.3g s", t);
  else if (t < 7200)
    snprintf(buf, len, "%.3g min", t / 60);
  else if (t < 172800)
    snprintf(buf, len, "%.3g h", t / 3600);
  else
    snprintf(buf, len, "%.3g d", t / 86400);
  return buf;
}

void mdb_estimate_print_plan(const mdb_suite *s, const mdb_estimate *e, const char *const *flags, int ranks, FILE *to) {
  int w = 4;
  for (int i = 0; i < s->n_cases; i++) {
    int len = (int)strlen(s->cases[i].id);
    if (len > w) w = len;
  }
  char h1[32], h2[32], h3[32];
  fprintf(to, "suite %s: %d case%s\n", s->name, s->n_cases, s->n_cases == 1 ? "" : "s");
  fprintf(to, "%5s  %-*s  %12s %-5s  %-16s  %s\n", "#", w, "case", "estimate s", "from", "hash", "flags");
  double total = 0;
  int flagged = 0;
  double flagged_s = 0;
  for (int i = 0; i < s->n_cases; i++) {
    const int fl = flags && flags[i] && flags[i][0];
    if (e->seconds[i] >= 0)
      fprintf(to, "%5d  %-*s  %12.4g %-5s  %s%s%s\n", i + 1, w, s->cases[i].id, e->seconds[i], e->source[i],
              s->cases[i].hash_hex, fl ? "  " : "", fl ? flags[i] : "");
    else
      fprintf(to, "%5d  %-*s  %12s %-5s  %s%s%s\n", i + 1, w, s->cases[i].id, "?", e->source[i], s->cases[i].hash_hex,
              fl ? "  " : "", fl ? flags[i] : "");
    if (e->seconds[i] > 0) total += e->seconds[i];
    if (fl) {
      flagged++;
      if (e->seconds[i] > 0) flagged_s += e->seconds[i];
    }
  }
  for (int i = 0; i < s->n_notes; i++) fprintf(to, "note: %s\n", s->notes[i]);
  fprintf(to, "estimate: seconds of wall time per case (setup included)");
  if (e->n_calibrations)
    fprintf(to,
            "; \"calib\": %d short runs here (%d-%d steps each, one per system, calculator, device and size "
            "decade, at most %d atoms off a GPU) took %s",
            e->n_calibrations, MDB_EST_STEPS, MDB_EST_MAX_STEPS, MDB_EST_CAL_ATOMS,
            mdb_estimate_human(e->calibration_s, h1, sizeof h1));
  if (e->n_from_h5) fprintf(to, "; \"h5\": %d case(s) timed in the results file given", e->n_from_h5);
  fprintf(to, "\n");
  if (e->n_none)
    fprintf(to, "estimate: %d case(s) without an estimate (counted as 0 below), e.g. %s\n", e->n_none, e->none_why);
  if (flagged)
    fprintf(to, "estimate: %d flagged case(s) take %s of the total\n", flagged,
            mdb_estimate_human(flagged_s, h1, sizeof h1));
  double *busy = calloc((size_t)(ranks > 0 ? ranks : 1), sizeof *busy);
  const double m = busy ? mdb_estimate_makespan(s, e->seconds, ranks, busy) : -1;
  fprintf(to,
          "estimate: total %s of case time; on %d rank%s (cases largest first, as the runner hands them out): "
          "makespan %s",
          mdb_estimate_human(total, h1, sizeof h1), ranks, ranks == 1 ? "" : "s", mdb_estimate_human(m, h2, sizeof h2));
  if (busy && ranks > 1 && ranks <= 16) {
    fprintf(to, " (per rank:");
    for (int k = 0; k < ranks; k++) fprintf(to, " %s", mdb_estimate_human(busy[k], h3, sizeof h3));
    fprintf(to, ")");
  }
  fprintf(to, "\n");
  free(busy);
  fprintf(to, "estimate: makespan on");
  for (int r = 1; r <= 64; r *= 2) {
    double mr = mdb_estimate_makespan(s, e->seconds, r, NULL);
    fprintf(to, "%s %d: %s", r == 1 ? "" : ",", r, mdb_estimate_human(mr, h1, sizeof h1));
    if (r >= s->n_cases) break;
  }
  fprintf(to, " (ranks: time)\n");
}
