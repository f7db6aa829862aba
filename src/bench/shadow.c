/* shadow.c — see shadow.h. */
#include "bench/shadow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md/md.h"

mdb_status mdb_shadow_init(mdb_shadow *s, const char *spec, const char *device, double skin_A, mdb_err *err) {
  memset(s, 0, sizeof *s);
  snprintf(s->spec, sizeof s->spec, "%s", spec);
  snprintf(s->device, sizeof s->device, "%s", device);
  s->skin_A = skin_A;
  mdb_status st = mdb_calc_create(&s->calc, spec, device, err);
  if (st) return st;
  s->have_calc = 1;
  return MDB_OK;
}

void mdb_shadow_free(mdb_shadow *s) {
  if (s->have_nl) mdb_neigh_free(&s->nl);
  if (s->have_sys) mdb_system_free(&s->sys);
  if (s->have_calc) mdb_calc_free(&s->calc);
  free(s->ref_index);
  free(s->step);
  free(s->time_fs);
  free(s->reference_energy);
  free(s->shadow_energy);
  free(s->energy_diff_pa);
  free(s->force_mae);
  free(s->force_rmse);
  free(s->force_max);
  free(s->step_ms);
  memset(s, 0, sizeof *s);
}

static mdb_status grow(mdb_shadow *s, mdb_err *err) {
  if (s->n < s->cap) return MDB_OK;
  int cap = s->cap ? 2 * s->cap : 1024;
  long *step = realloc(s->step, (size_t)cap * sizeof *step);
  if (step) s->step = step;
  double **arr[] = {&s->time_fs,   &s->reference_energy, &s->shadow_energy, &s->energy_diff_pa,
                    &s->force_mae, &s->force_rmse,       &s->force_max};
  int ok = step != NULL;
  for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++) {
    double *p = realloc(*arr[k], (size_t)cap * sizeof(double));
    if (p) *arr[k] = p;
    ok &= p != NULL;
  }
  if (!ok) return mdb_err_nomem(err, "shadow records", cap * 64.0);
  s->cap = cap;
  return MDB_OK;
}

/* The shadow's copy of the reference state: positions matched by atom id,
 * the same cell. */
static mdb_status sync(mdb_shadow *s, const mdb_system *ref, mdb_err *err) {
  const int n = ref->n;
  for (int i = 0; i < n; i++) s->ref_index[ref->id[i]] = i;
  for (int j = 0; j < n; j++) {
    const double *x = ref->x + 3 * s->ref_index[s->sys.id[j]];
    s->sys.x[3 * j] = x[0];
    s->sys.x[3 * j + 1] = x[1];
    s->sys.x[3 * j + 2] = x[2];
    /* the images too: an external shadow model gets continuous positions */
    memcpy(s->sys.image + 3 * j, ref->image + 3 * s->ref_index[s->sys.id[j]], 3 * sizeof *ref->image);
  }
  if (memcmp(s->sys.box.h, ref->box.h, sizeof ref->box.h) != 0) return mdb_box_set(&s->sys.box, ref->box.h, err);
  return MDB_OK;
}

static mdb_status setup(mdb_shadow *s, const mdb_system *ref, mdb_err *err) {
  mdb_status st = mdb_system_copy(&s->sys, ref, err);
  if (st) return st;
  s->have_sys = 1;
  s->n_atoms = ref->n;
  if (!(s->ref_index = malloc((size_t)ref->n * sizeof *s->ref_index)))
    return mdb_err_nomem(err, "shadow index", ref->n * 4.0);
  if ((st = mdb_calc_prepare(&s->calc, &s->sys, err))) return st;
  if ((st = mdb_neigh_init(&s->nl, mdb_calc_cutoff(&s->calc), s->skin_A, mdb_calc_neigh_kinds(&s->calc), err)))
    return st;
  s->have_nl = 1;
  return mdb_neigh_build(&s->nl, &s->sys, err);
}

static mdb_status after_step(void *user, const struct mdb_md *md, long step, int timed, mdb_err *err) {
  mdb_shadow *s = user;
  const mdb_system *ref = md->sys;
  mdb_status st;
  if (!s->have_sys && (st = setup(s, ref, err))) return st;
  if (ref->n != s->n_atoms) return mdb_err_set(err, MDB_ERUN, "shadow: the reference changed its atom count");
  if ((st = grow(s, err))) return st;
  if (timed && s->n_timed == s->cap_timed) {
    int cap = s->cap_timed ? 2 * s->cap_timed : 1024;
    double *p = realloc(s->step_ms, (size_t)cap * sizeof *p);
    if (!p) return mdb_err_nomem(err, "shadow step times", cap * 8.0);
    s->step_ms = p;
    s->cap_timed = cap;
  }
  if ((st = sync(s, ref, err))) return st;
  mdb_calc_out out;
  double t0 = mdb_now();
  if (!(st = mdb_neigh_update(&s->nl, &s->sys, NULL, err)))
    st = mdb_calc_compute(&s->calc, &s->sys, &s->nl, MDB_COMPUTE_ENERGY, &out, err);
  double t1 = mdb_now();
  if (st) return st;
  if (timed) s->step_ms[s->n_timed++] = (t1 - t0) * 1e3;
  /* the shadow's own build may have reordered its atoms: match by id again */
  const int n = ref->n;
  for (int i = 0; i < n; i++) s->ref_index[ref->id[i]] = i;
  double sum_abs = 0, sum_sq = 0, max_norm = 0;
  for (int j = 0; j < n; j++) {
    const double *fa = ref->f + 3 * s->ref_index[s->sys.id[j]], *fb = s->sys.f + 3 * j;
    double d2 = 0;
    for (int k = 0; k < 3; k++) {
      double d = fb[k] - fa[k];
      sum_abs += fabs(d);
      sum_sq += d * d;
      d2 += d * d;
    }
    if (d2 > max_norm) max_norm = d2;
  }
  int k = s->n++;
  s->step[k] = step;
  s->time_fs[k] = step * md->dt;
  s->reference_energy[k] = md->out.energy;
  s->shadow_energy[k] = out.energy;
  s->energy_diff_pa[k] = (out.energy - md->out.energy) / n;
  s->force_mae[k] = sum_abs / (3.0 * n);
  s->force_rmse[k] = sqrt(sum_sq / (3.0 * n));
  s->force_max[k] = sqrt(max_norm);
  return MDB_OK;
}

mdb_run_hooks mdb_shadow_hooks(mdb_shadow *s) {
  mdb_run_hooks h = {.after_step = after_step, .user = s, .force_flags = MDB_COMPUTE_ENERGY};
  return h;
}

void mdb_shadow_summarize(const mdb_shadow *s, mdb_shadow_summary *o) {
  memset(o, 0, sizeof *o);
  o->median_ms = o->mean_ms = NAN;
  if (s->n == 0) return;
  for (int k = 0; k < s->n; k++) {
    o->force_mae_mean += s->force_mae[k] / s->n;
    o->force_rmse_mean += s->force_rmse[k] / s->n;
    if (s->force_rmse[k] > o->force_rmse_max) o->force_rmse_max = s->force_rmse[k];
    if (s->force_max[k] > o->force_max) o->force_max = s->force_max[k];
    o->energy_diff_mean += s->energy_diff_pa[k] / s->n;
    if (fabs(s->energy_diff_pa[k]) > o->energy_diff_max_abs) o->energy_diff_max_abs = fabs(s->energy_diff_pa[k]);
  }
  for (int k = 0; k < s->n; k++) {
    double d = s->energy_diff_pa[k] - o->energy_diff_mean;
    if (fabs(d) > o->energy_diff_centered_max_abs) o->energy_diff_centered_max_abs = fabs(d);
    o->energy_diff_centered_rms += d * d / s->n;
  }
  o->energy_diff_centered_rms = sqrt(o->energy_diff_centered_rms);
  mdb_stats st;
  if (s->n_timed > 0 && mdb_stats_compute(s->step_ms, s->n_timed, &st, NULL) == MDB_OK) {
    o->median_ms = st.median;
    o->mean_ms = st.mean;
  }
}
