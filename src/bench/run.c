/*
 * run.c — mdb_case_run: build, initialise, warm up, time, sample, verdict.
 *
 * The ensemble (NVE, NVT with nhc or langevin, NPT) is integrated by md/;
 * every thermo sample records its conserved quantity (md/md.h), whose
 * least-squares slope is the reported drift for every protocol, while
 * energy.drift stays the guide's (E_end − E_0)/|E_0| of the total energy.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "build/build.h"
#include "calc/calc.h"
#include "core/stop.h"
#include "core/units.h"
#include "bench/engine.h"
#include "md/md.h"

void mdb_case_defaults(mdb_case *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->system, sizeof c->system, "argon");
  snprintf(c->protocol, sizeof c->protocol, "NVE");
  snprintf(c->device, sizeof c->device, "cpu");
  snprintf(c->precision, sizeof c->precision, "double");
  c->n_steps = 1000;
  c->warmup_steps = 10;
  c->temperature_K = 300.0;
  c->seed = 42;
  c->energy_interval = 10;
  c->memory_interval = 100;
  c->skin_A = 1.0;
}

/* The ensemble of a resolved case. */
static void case_ensemble(const mdb_case *c, mdb_ensemble *e) {
  mdb_ensemble_defaults(e);
  mdb_protocol_parse(c->protocol, &e->protocol, NULL);
  if (c->thermostat[0]) mdb_thermostat_parse(c->thermostat, &e->thermostat, NULL);
  e->temperature_K = c->temperature_K;
  e->tdamp_fs = c->tdamp_fs;
  e->pdamp_fs = c->pdamp_fs;
  e->pressure_bar = c->pressure_bar;
  e->chain = c->chain;
  e->seed = c->seed;
}

/* Ensemble fields: defaults for the protocol, and nothing that does not
 * apply to it. */
static mdb_status resolve_ensemble(mdb_case *c, mdb_err *err) {
  mdb_protocol p;
  mdb_thermostat t = MDB_THERMOSTAT_NONE;
  mdb_status st = mdb_protocol_parse(c->protocol, &p, err);
  if (st) return st;
  if (c->thermostat[0] && (st = mdb_thermostat_parse(c->thermostat, &t, err))) return st;
  const char *pname = mdb_protocol_name(p);
  if (p == MDB_PROTOCOL_NVE && t != MDB_THERMOSTAT_NONE)
    return mdb_err_set(err, MDB_EINPUT, "--thermostat %s needs --protocol NVT or NPT (NVE has no thermostat)",
                       c->thermostat);
  if (!(c->tdamp_fs >= 0) || !isfinite(c->tdamp_fs))
    return mdb_err_set(err, MDB_EINPUT, "--tdamp-fs must be > 0 (got %g)", c->tdamp_fs);
  if (!(c->pdamp_fs >= 0) || !isfinite(c->pdamp_fs))
    return mdb_err_set(err, MDB_EINPUT, "--pdamp-fs must be > 0 (got %g)", c->pdamp_fs);
  if (c->tdamp_fs > 0 && p == MDB_PROTOCOL_NVE)
    return mdb_err_set(err, MDB_EINPUT, "--tdamp-fs needs --protocol NVT or NPT (NVE has no thermostat)");
  if (c->pdamp_fs > 0 && p != MDB_PROTOCOL_NPT)
    return mdb_err_set(err, MDB_EINPUT, "--pdamp-fs needs --protocol NPT (got %s)", pname);
  if (c->pressure_set && p != MDB_PROTOCOL_NPT)
    return mdb_err_set(err, MDB_EINPUT, "--pressure-bar needs --protocol NPT (got %s)", pname);
  if (c->chain != 0 && t != MDB_THERMOSTAT_NHC)
    return mdb_err_set(err, MDB_EINPUT, "a Nosé–Hoover chain length needs --thermostat nhc (got %s)",
                       mdb_thermostat_name(t));
  if (p != MDB_PROTOCOL_NVE) {
    if (t == MDB_THERMOSTAT_NONE) {
      t = MDB_THERMOSTAT_NHC;
      snprintf(c->thermostat, sizeof c->thermostat, "nhc");
    }
    if (c->tdamp_fs == 0) c->tdamp_fs = MDB_DEFAULT_TDAMP_FS;
    if (t == MDB_THERMOSTAT_NHC && c->chain == 0) c->chain = MDB_DEFAULT_CHAIN;
  }
  if (p == MDB_PROTOCOL_NPT) {
    if (c->pdamp_fs == 0) c->pdamp_fs = MDB_DEFAULT_PDAMP_FS;
    if (!c->pressure_set) {
      c->pressure_bar = MDB_DEFAULT_PRESSURE_BAR;
      c->pressure_set = 1;
    }
  }
  mdb_ensemble e;
  case_ensemble(c, &e);
  return mdb_ensemble_check(&e, err);
}

mdb_status mdb_case_resolve(mdb_case *c, mdb_err *err) {
  mdb_status st = resolve_ensemble(c, err);
  if (st) return st;
  const int cuda = strcmp(c->device, "cuda") == 0;
  if (!mdb_engine_for(c->device))
    return mdb_err_set(err, MDB_EINPUT, "unknown device '%s' (valid: cpu, cuda)", c->device);
  if (!c->precision[0]) snprintf(c->precision, sizeof c->precision, "double");
  if (strcmp(c->precision, "double") != 0 && strcmp(c->precision, "mixed") != 0)
    return mdb_err_set(err, MDB_EINPUT, "unknown precision '%s' (valid: double, mixed)", c->precision);
  if (!cuda && strcmp(c->precision, "mixed") == 0)
    return mdb_err_set(err, MDB_EINPUT, "--precision mixed needs --device cuda (the CPU runs in double)");
  if (c->n_steps < 1) return mdb_err_set(err, MDB_EINPUT, "--steps must be >= 1 (got %d)", c->n_steps);
  if (c->warmup_steps < 0) return mdb_err_set(err, MDB_EINPUT, "--warmup must be >= 0 (got %d)", c->warmup_steps);
  if ((long)c->n_steps + c->warmup_steps > 2000000000L)
    return mdb_err_set(err, MDB_EINPUT, "--steps plus --warmup must stay below 2e9");
  if (c->energy_interval < 1)
    return mdb_err_set(err, MDB_EINPUT, "--energy-interval must be >= 1 (got %d)", c->energy_interval);
  if (c->memory_interval < 1)
    return mdb_err_set(err, MDB_EINPUT, "--memory-interval must be >= 1 (got %d)", c->memory_interval);
  if (!(c->temperature_K >= 0) || !isfinite(c->temperature_K))
    return mdb_err_set(err, MDB_EINPUT, "--temperature-K must be >= 0 (got %g)", c->temperature_K);
  if (!(c->skin_A >= 0) || !isfinite(c->skin_A))
    return mdb_err_set(err, MDB_EINPUT, "--skin-A must be >= 0 (got %g)", c->skin_A);
  if (c->n_atoms < 0) return mdb_err_set(err, MDB_EINPUT, "--atoms must be positive (got %d)", c->n_atoms);
  if (c->timestep_fs == 0) c->timestep_fs = mdb_build_default_timestep(c->system);
  if (!(c->timestep_fs > 0) || !isfinite(c->timestep_fs))
    return mdb_err_set(err, MDB_EINPUT, "--timestep-fs must be > 0 (got %g)", c->timestep_fs);
  if (!c->calculator[0]) snprintf(c->calculator, sizeof c->calculator, "%s", mdb_build_default_calculator(c->system));
  const mdb_engine_ops *engine = mdb_engine_for(c->device);
  if (engine->check && (st = engine->check(c, err))) return st;
  return MDB_OK;
}

static void utc_now(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void mdb_result_free(mdb_result *r) {
  if (!r) return;
  free(r->step_ms);
  free(r->client_wait_ms);
  free(r->th_step);
  free(r->th_time_fs);
  free(r->th_potential);
  free(r->th_kinetic);
  free(r->th_total);
  free(r->th_conserved);
  free(r->th_temperature);
  free(r->th_pressure);
  free(r->th_volume);
  free(r->th_momentum);
  free(r->mem_step);
  free(r->mem_bytes);
  free(r->gpu.force_ms);
  free(r->model.model_ms);
  free(r->model.mem_bytes);
  memset(r, 0, sizeof *r);
}

static mdb_status alloc_arrays(mdb_result *r, long total_steps, mdb_err *err) {
  long ns = total_steps / r->c.energy_interval + 2;
  long nm = r->c.n_steps / r->c.memory_interval + 3;
  r->step_ms = calloc((size_t)r->c.n_steps, sizeof *r->step_ms);
  r->th_step = calloc((size_t)ns, sizeof *r->th_step);
  double **d[] = {&r->th_time_fs,     &r->th_potential, &r->th_kinetic, &r->th_total,   &r->th_conserved,
                  &r->th_temperature, &r->th_pressure,  &r->th_volume,  &r->th_momentum};
  int ok = r->step_ms && r->th_step;
  for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) ok &= (*d[k] = calloc((size_t)ns, sizeof(double))) != NULL;
  r->mem_step = calloc((size_t)nm, sizeof *r->mem_step);
  r->mem_bytes = calloc((size_t)nm, sizeof *r->mem_bytes);
  ok &= r->mem_step && r->mem_bytes;
  return ok ? MDB_OK : mdb_err_nomem(err, "result arrays", (double)(r->c.n_steps + 10 * ns) * sizeof(double));
}

static void fail(mdb_result *r, long step, const char *reason) {
  snprintf(r->status, sizeof r->status, "failed");
  r->fail_step = step;
  snprintf(r->fail_reason, sizeof r->fail_reason, "%.*s", (int)sizeof r->fail_reason - 1, reason);
}

/* Records a thermo sample; returns 0, or 1 when the run has blown up (the
 * reason is recorded in r). */
static int sample_thermo(mdb_result *r, const mdb_engine *e, double dt, long step) {
  mdb_thermo th;
  double vmax = 0;
  int vmax_id = 0;
  e->ops->thermo(e->ctx, &th, &vmax, &vmax_id);
  int k = r->n_samples++;
  r->th_step[k] = step;
  r->th_time_fs[k] = step * dt;
  r->th_potential[k] = th.potential;
  r->th_kinetic[k] = th.kinetic;
  r->th_total[k] = th.total;
  r->th_conserved[k] = th.conserved;
  r->th_temperature[k] = th.temperature;
  r->th_pressure[k] = th.pressure;
  r->th_volume[k] = th.volume;
  double dp[3] = {th.momentum[0], th.momentum[1], th.momentum[2]};
  r->th_momentum[k] = sqrt(dp[0] * dp[0] + dp[1] * dp[1] + dp[2] * dp[2]);
  char why[512];
  /* a NaN pressure alone is a calculator without a virial (md/md.h: no
     pressure to report, null in JSON); an infinite one has blown up */
  if (!isfinite(th.total) || isinf(th.pressure)) {
    snprintf(why, sizeof why, "non-finite energy or pressure (E = %g eV, P = %g bar)", th.total, th.pressure);
    fail(r, step, why);
    return 1;
  }
  double dev = fabs(th.conserved - r->th_conserved[0]) / r->n_atoms;
  if (dev > MDB_BLOWUP_EV_PER_ATOM) {
    snprintf(why, sizeof why, "energy blew up: the conserved energy moved %.3g eV/atom from the start (limit %g)", dev,
             MDB_BLOWUP_EV_PER_ATOM);
    fail(r, step, why);
    return 1;
  }
  if (!(vmax * dt <= MDB_RUNAWAY_A_PER_STEP)) {
    snprintf(why, sizeof why, "atom %d flew off: it moves %.3g Å per step (limit %g)", vmax_id + 1, vmax * dt,
             MDB_RUNAWAY_A_PER_STEP);
    fail(r, step, why);
    return 1;
  }
  return 0;
}

/* The client's GPU memory, sample k: the largest of the samples. nvidia-smi
 * missing or failing at the first sample: not measurable (-1, the note says
 * why); failing at a later one: the samples before stand, and sampling stops
 * (a failure must not erase a peak already seen). */
#define MDB_GPU_LATER_FAILED "nvidia-smi --query-compute-apps (per process), until a later sample failed: "
static void sample_model_gpu(mdb_model_record *m, int k) {
  if (m->gpu_mem_bytes < 0 || strncmp(m->gpu_note, MDB_GPU_LATER_FAILED, strlen(MDB_GPU_LATER_FAILED)) == 0) return;
  char why[sizeof m->gpu_note];
  double b = mdb_proc_tree_gpu_bytes(m->pid, why, sizeof why);
  if (b >= 0) {
    if (b > m->gpu_mem_bytes) m->gpu_mem_bytes = b;
    snprintf(m->gpu_note, sizeof m->gpu_note, "%s", why);
  } else if (k == 0) {
    m->gpu_mem_bytes = -1;
    snprintf(m->gpu_note, sizeof m->gpu_note, "%s", why);
  } else {
    snprintf(m->gpu_note, sizeof m->gpu_note, MDB_GPU_LATER_FAILED "%.40s", why);
  }
}

/* The launched client's memory, sample k (beside mdbench's own). */
static void sample_model_memory(mdb_model_record *m, int k) {
  int64_t rss, hwm;
  int threads;
  if (mdb_proc_tree_status(m->pid, &rss, &hwm, &threads)) {
    m->mem_bytes[k] = -1;
    return;
  }
  m->mem_bytes[k] = rss;
  m->threads = threads;
  if ((double)rss > m->mem_peak) m->mem_peak = (double)rss;
  if ((double)hwm > m->mem_peak) m->mem_peak = (double)hwm;
  sample_model_gpu(m, k);
}

/* A launched client's memory verdict (mdb_model_record). */
static void finish_model_memory(mdb_result *r) {
  mdb_model_record *m = &r->model;
  m->mem_before = m->mem_after = -1;
  for (int k = 0; k < r->n_mem; k++)
    if (m->mem_bytes[k] >= 0) {
      if (m->mem_before < 0) m->mem_before = (double)m->mem_bytes[k];
      m->mem_after = (double)m->mem_bytes[k];
    }
  m->own_leak_detected = r->leak_detected;
  m->leak_detected = m->mem_before >= 0 && m->mem_after - m->mem_before > MDB_LEAK_BYTES;
  if (m->mem_before >= 0) r->leak_detected = m->leak_detected; /* unmeasured: the verdict stays mdbench's */
}

/* The model's share of the step (a launched client, or a plugin that
 * reports its model's time) and a launched client's memory verdict. */
static void finish_model(mdb_result *r) {
  mdb_model_record *m = &r->model;
  int n = r->n_timed;
  if (m->used) finish_model_memory(r);
  if ((!m->used && !m->model_ms) || n < 1) return;
  double *d = malloc((size_t)n * sizeof *d);
  if (!d) return;
  if (r->client_wait_ms) {
    for (int i = 0; i < n; i++) d[i] = r->step_ms[i] - r->client_wait_ms[i];
    mdb_stats_compute(d, n, &m->integration, NULL);
  }
  if (m->model_ms) {
    mdb_stats_compute(m->model_ms, n, &m->model, NULL);
    for (int i = 0; i < n; i++) d[i] = r->step_ms[i] - m->model_ms[i];
    mdb_stats_compute(d, n, &m->overhead, NULL);
    if (r->client_wait_ms) {
      for (int i = 0; i < n; i++) d[i] = r->client_wait_ms[i] - m->model_ms[i];
      mdb_stats_compute(d, n, &m->transport, NULL);
    }
  }
  free(d);
}

static void sample_memory(mdb_result *r, const mdb_engine *e, long step) {
  int k = r->n_mem++;
  r->mem_step[k] = step;
  r->mem_bytes[k] = mdb_mem_rss_bytes();
  mdb_engine_mem m;
  if (e->ops->memory && !e->ops->memory(e->ctx, &m)) {
    if (m.engine_b > r->gpu.mem_peak) r->gpu.mem_peak = m.engine_b;
    r->gpu.mem_after = m.engine_b;
    r->gpu.dev_used_after = m.total_b - m.free_b;
  }
  if (r->model.used) sample_model_memory(&r->model, k);
}

static mdb_status finish(mdb_result *r, mdb_err *err) {
  int n = r->n_timed;
  mdb_status st = mdb_stats_compute(r->step_ms, n, &r->step, err);
  if (st) return st;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += r->step_ms[i];
  r->total_time_s = sum * 1e-3;
  if (r->total_time_s > 0) {
    r->steps_per_second = n / r->total_time_s;
    r->atom_steps_per_second = r->steps_per_second * r->n_atoms;
    r->ns_per_day = r->steps_per_second * r->c.timestep_fs * MDB_FS_PER_DAY_TO_NS;
  }
  r->mem_after = r->n_mem ? (double)r->mem_bytes[r->n_mem - 1] : 0;
  r->mem_peak = (double)mdb_mem_peak_bytes();
  for (int k = 0; k < r->n_mem; k++)
    if (r->mem_bytes[k] > r->mem_peak) r->mem_peak = (double)r->mem_bytes[k];
  r->leak_detected = r->mem_after - r->mem_before > MDB_LEAK_BYTES;
  finish_model(r);

  int ns = r->n_samples;
  if (ns > 0) {
    double e0 = r->th_total[0], mean = 0, ss = 0;
    for (int k = 0; k < ns; k++) mean += r->th_total[k];
    mean /= ns;
    for (int k = 0; k < ns; k++) ss += (r->th_total[k] - mean) * (r->th_total[k] - mean);
    r->energy_std = sqrt(ss / ns);
    r->energy_drift = e0 != 0 ? (r->th_total[ns - 1] - e0) / fabs(e0) : 0;
    const double u0 = r->th_potential[0];
    r->potential_drift = u0 != 0 ? (r->th_potential[ns - 1] - u0) / fabs(u0) : 0;
    double *t_ps = malloc((size_t)ns * sizeof *t_ps), *e_pa = malloc((size_t)ns * sizeof *e_pa);
    if (!t_ps || !e_pa) {
      free(t_ps);
      free(e_pa);
      return mdb_err_nomem(err, "drift fit", 2.0 * ns * sizeof(double));
    }
    double c0 = r->th_conserved[0], p0 = r->th_momentum[0];
    for (int k = 0; k < ns; k++) {
      t_ps[k] = r->th_time_fs[k] * 1e-3;
      e_pa[k] = r->th_conserved[k] / r->n_atoms;
      double dev = fabs(r->th_conserved[k] - c0) / r->n_atoms;
      if (dev > r->max_dev_per_atom) r->max_dev_per_atom = dev;
      double dp = fabs(r->th_momentum[k] - p0) / r->n_atoms;
      if (dp > r->momentum_drift) r->momentum_drift = dp;
    }
    r->drift_slope = mdb_fit_slope(t_ps, e_pa, ns);
    mdb_stats t, p, v;
    if ((st = mdb_stats_compute(r->th_temperature, ns, &t, err)) ||
        (st = mdb_stats_compute(r->th_pressure, ns, &p, err)) || (st = mdb_stats_compute(r->th_volume, ns, &v, err))) {
      free(t_ps);
      free(e_pa);
      return st;
    }
    r->mean_temperature = t.mean;
    r->std_temperature = t.std;
    r->mean_pressure = p.mean;
    r->std_pressure = p.std;
    r->mean_volume = v.mean;
    free(t_ps);
    free(e_pa);
  }
  return MDB_OK;
}

/* How many steps from `step` on can run as one engine batch (ops->steps):
 * none with a thermo sample (a sample is a single step), all warmup or all
 * timed, a memory sample (taken after its step) only after the last; at
 * most max. */
static int batch_len(const mdb_case *c, long step, long total, int max) {
  const long w = c->warmup_steps;
  const int timed = step > w;
  int k = 0;
  for (long s = step; k < max && s <= total; s++) {
    if (s % c->energy_interval == 0 || s == total || (s > w) != timed) break;
    k++;
    if (timed && (s - w) % c->memory_interval == 0) break;
  }
  return k;
}

/* k unsampled steps as one engine batch (ops->steps). A timed step records
 * the device time between the event nodes around it plus an equal share of
 * what the batch added on the host (its wall time, launch and
 * synchronisation included, minus the steps' device times; never
 * negative), so the step times still add up to the wall time a caller
 * sees; force_ms is the device time of its force kernels, as for a single
 * step. *done: the steps completed, also on an error (those before the
 * failing one; then no share is added). *t_end: the clock after the batch. */
static mdb_status run_batch(mdb_result *r, const mdb_engine *e, int k, int timed, int *done, double *t_end,
                            mdb_err *err) {
  double ms[MDB_ENGINE_MAX_BATCH], fms[MDB_ENGINE_MAX_BATCH];
  const double t0 = mdb_now();
  mdb_status st = e->ops->steps(e->ctx, k, ms, fms, done, err);
  *t_end = mdb_now();
  if (!timed || *done < 1) return st;
  double sum = 0;
  for (int s = 0; s < *done; s++) sum += ms[s];
  const double share = st ? 0 : fmax(0, ((*t_end - t0) * 1e3 - sum) / *done);
  for (int s = 0; s < *done; s++) {
    if (r->gpu.force_ms) r->gpu.force_ms[r->n_timed] = fms[s];
    r->step_ms[r->n_timed++] = ms[s] + share;
  }
  return st;
}

/* What a run holds: the host trajectory and the engine stepping it. */
typedef struct run_state {
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_engine eng;
  int have_sys, have_calc, have_md;
  int external;     /* the calculator waits on an external process */
  int cut_mid_step; /* a stop cut a step short: its state is half a step on */
  long total;       /* warmup plus timed steps */
  double next_progress, t_loop;
} run_state;

/* The system, the calculator, the host trajectory, the engine on it (the
 * GPU engine starts from the CPU's: gpu/gmd.h) and the result's arrays. */
static mdb_status run_setup(run_state *s, const mdb_engine_ops *eops, const mdb_run_hooks *hooks, mdb_result *r,
                            mdb_err *err) {
  const mdb_case *c = &r->c;
  mdb_build_info info;
  mdb_status st = mdb_build_system(&s->sys, c->system, c->n_atoms, c->lattice_A, c->seed, &info, err);
  if (st) return st;
  s->have_sys = 1;
  r->n_atoms = s->sys.n;
  r->c.n_atoms = s->sys.n;
  memcpy(r->reps, info.reps, sizeof r->reps);
  r->lattice_A = info.lattice_A;
  if (hooks && hooks->after_step && !eops->host_state)
    return mdb_err_set(err, MDB_EINPUT,
                       "shadow mode (--reference/--shadow) runs on the CPU only (valid: --device cpu)");
  if ((st = mdb_calc_create(&s->calc, c->calculator, "cpu", err))) return st;
  s->have_calc = 1;
  if ((st = mdb_velocity_init(&s->sys, c->temperature_K, c->seed, err))) return st;
  if ((st = mdb_md_init(&s->md, &s->sys, &s->calc, c->timestep_fs, c->skin_A, err))) return st;
  s->have_md = 1;
  mdb_ensemble ens;
  case_ensemble(c, &ens);
  if ((st = mdb_md_set_ensemble(&s->md, &ens, err)) || (st = alloc_arrays(r, s->total, err)) ||
      (st = mdb_engine_start(&s->eng, eops, &s->md, hooks ? hooks->device : NULL, r, err)))
    return st;
  s->external = mdb_calc_external_wait_s(&s->calc) >= 0;
  if (s->external && !(r->client_wait_ms = calloc((size_t)c->n_steps, sizeof *r->client_wait_ms)))
    return mdb_err_nomem(err, "client wait times", c->n_steps * 8.0);
  if (mdb_calc_external_pid(&s->calc) > 0) { /* a client mdbench started: its own time and memory */
    mdb_model_record *m = &r->model;
    m->used = 1;
    m->pid = mdb_calc_external_pid(&s->calc);
    m->mem_bytes = calloc((size_t)(c->n_steps / c->memory_interval + 3), sizeof *m->mem_bytes);
    if (!m->mem_bytes) return mdb_err_nomem(err, "model records", c->n_steps * 8.0);
  }
  /* the model's own time: the ase worker, or a plugin that reports it (in process: no pid) */
  if (mdb_calc_external_model_s(&s->calc) >= 0 &&
      !(r->model.model_ms = calloc((size_t)c->n_steps, sizeof *r->model.model_ms)))
    return mdb_err_nomem(err, "model records", c->n_steps * 8.0);
  return MDB_OK;
}

/* A stop request before step `step`: the record ends at the last step. The
 * energy record reaches the stop only with a fully computed sample: the
 * last step asked the calculator for forces alone, so its energy and
 * virial are recomputed at the same positions (the forces do not change)
 * by an engine that can (the GPU engine keeps a non-sample step's state on
 * the device); an external model is not asked for more while the run stops
 * (its process may be stopping too), and a calculator that refuses the
 * extra call leaves the record at the last real sample: never a partial
 * one. */
static void stop_before(run_state *s, mdb_result *r, long step, int sig) {
  char why[128];
  snprintf(why, sizeof why, "stopped by %s after step %ld of %ld", mdb_stop_signal_name(sig), step - 1, s->total);
  fail(r, step - 1, why);
  snprintf(r->status, sizeof r->status, "interrupted");
  const mdb_engine *e = &s->eng;
  if (r->th_step[r->n_samples - 1] != step - 1 && e->ops->resample && !s->external) {
    mdb_err ferr;
    if (e->ops->resample(e->ctx, &ferr) == MDB_OK) sample_thermo(r, e, s->md.dt, step - 1);
  }
}

static void progress(run_state *s, const mdb_run_hooks *hooks, long step, double t) {
  if (!hooks || !hooks->progress || t < s->next_progress) return;
  hooks->progress(hooks->progress_user, step, s->total, t - s->t_loop, 0);
  s->next_progress = t + hooks->progress_period_s;
}

/* One step at *step, or a batch of unsampled steps from it (*step is then
 * the last one completed). *end: the run ends here (a stop, a blow-up: in
 * r, not errors). */
static mdb_status run_one_step(run_state *s, const mdb_run_hooks *hooks, mdb_result *r, long *step, int *end,
                               mdb_err *err) {
  const mdb_case *c = &r->c;
  const mdb_engine *e = &s->eng;
  const unsigned sample_flags = MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL;
  const unsigned extra_flags = hooks ? hooks->force_flags : 0;
  const int thermo_here = *step % c->energy_interval == 0 || *step == s->total;
  const int timed = *step > c->warmup_steps;
  const int nb = !extra_flags && !thermo_here ? batch_len(c, *step, s->total, e->batch) : 0;
  if (nb >= 2) { /* an unsampled stretch: one launch (run_batch) */
    int done = 0;
    double t_end;
    mdb_status bst = run_batch(r, e, nb, timed, &done, &t_end, err);
    const long last = *step + done - 1; /* the last step completed */
    if (bst == MDB_ERUN) {
      fail(r, last + 1, err->msg);
      {
        *end = 1;
        return MDB_OK;
      }
    }
    if (bst) return bst;
    *step = last;
    if (timed && ((last - c->warmup_steps) % c->memory_interval == 0)) sample_memory(r, e, last);
    progress(s, hooks, last, t_end);
    return MDB_OK;
  }
  const double w0 = s->external ? mdb_calc_external_wait_s(&s->calc) : 0;
  const double m0 = r->model.model_ms ? mdb_calc_external_model_s(&s->calc) : 0;
  double t0 = mdb_now();
  mdb_status sst = e->ops->step(e->ctx, (thermo_here ? sample_flags : 0) | extra_flags, err);
  double t1 = mdb_now();
  if (timed && !sst && r->gpu.force_ms && e->ops->force_ms) r->gpu.force_ms[r->n_timed] = e->ops->force_ms(e->ctx);
  if (sst && mdb_stop_requested()) {
    /* a stop cut the force call short (an external calculator gives up
       waiting for its peer): the step is void and its half-updated state
       is not sampled; the record ends at the last sample */
    char why[1200];
    snprintf(why, sizeof why, "stopped by %s after step %ld of %ld (%s)", mdb_stop_signal_name(mdb_stop_requested()),
             *step - 1, s->total, err->msg);
    fail(r, *step - 1, why);
    snprintf(r->status, sizeof r->status, "interrupted");
    s->cut_mid_step = 1;
    {
      *end = 1;
      return MDB_OK;
    }
  }
  if (sst == MDB_ERUN) { /* physics: a runaway atom, a blown-up barostat (a device fault is MDB_EDEV) */
    fail(r, *step, err->msg);
    {
      *end = 1;
      return MDB_OK;
    }
  }
  if (sst) return sst;
  if (timed && s->external) {
    r->client_wait_ms[r->n_timed] = (mdb_calc_external_wait_s(&s->calc) - w0) * 1e3;
    r->client_wait_s += r->client_wait_ms[r->n_timed] * 1e-3;
  }
  if (timed && r->model.model_ms) r->model.model_ms[r->n_timed] = (mdb_calc_external_model_s(&s->calc) - m0) * 1e3;
  if (timed) r->step_ms[r->n_timed++] = (t1 - t0) * 1e3;
  mdb_status hst;
  if (hooks && hooks->after_step && (hst = hooks->after_step(hooks->user, &s->md, *step, timed, err))) return hst;
  *end = thermo_here && sample_thermo(r, e, s->md.dt, *step);
  if (*end) return MDB_OK;
  if (timed && ((*step - c->warmup_steps) % c->memory_interval == 0 || *step == s->total)) sample_memory(r, e, *step);
  progress(s, hooks, *step, t1); /* t1: the step's own clock reading */
  return MDB_OK;
}

/* The sampled trajectory: step 0's sample, then every step until the end,
 * a stop or a blow-up (recorded in r, not errors). */
static mdb_status run_loop(run_state *s, const mdb_run_hooks *hooks, mdb_result *r, mdb_err *err) {
  const mdb_case *c = &r->c;
  const mdb_engine *e = &s->eng;
  mdb_status st;
  if (hooks && hooks->after_step && (st = hooks->after_step(hooks->user, &s->md, 0, 0, err))) return st;
  if (sample_thermo(r, e, s->md.dt, 0)) return MDB_OK;
  for (long step = 1; step <= s->total; step++) {
    const int sig = mdb_stop_requested();
    if (sig) {
      stop_before(s, r, step, sig);
      break;
    }
    if (step == c->warmup_steps + 1) {
      sample_memory(r, e, step - 1);
      r->mem_before = (double)r->mem_bytes[0];
      r->gpu.mem_before = r->gpu.mem_after;
      r->gpu.dev_used_before = r->gpu.dev_used_after;
      mdb_engine_mem m;
      if (e->ops->memory && !e->ops->memory(e->ctx, &m)) r->gpu.regrown_before = m.regrown_b;
    }
    int end = 0;
    if ((st = run_one_step(s, hooks, r, &step, &end, err))) return st;
    if (end) break;
  }
  return MDB_OK;
}

mdb_status mdb_case_run(const mdb_case *c, mdb_result *r, mdb_err *err) { return mdb_case_run_hooked(c, NULL, r, err); }

mdb_status mdb_case_run_hooked(const mdb_case *c_in, const mdb_run_hooks *hooks, mdb_result *r, mdb_err *err) {
  memset(r, 0, sizeof *r);
  r->c = *c_in;
  r->fail_step = -1;
  snprintf(r->status, sizeof r->status, "ok");
  mdb_status st = mdb_case_resolve(&r->c, err);
  if (st) return st;
  const mdb_case *c = &r->c;
  /* provenance first: a potential file that cannot be read stops here, before any work */
  mdb_provenance_collect(&r->prov, NULL);
  if ((st = mdb_calc_spec_sha256(c->calculator, r->potential_sha256, sizeof r->potential_sha256, err))) return st;
  double t_setup = mdb_now();
  run_state s;
  memset(&s, 0, sizeof s);
  s.total = (long)c->warmup_steps + c->n_steps;
  if ((st = run_setup(&s, mdb_engine_for(c->device), hooks, r, err))) goto out;
  const mdb_engine *e = &s.eng;
  gethostname(r->host, sizeof r->host - 1);
  utc_now(r->started_utc, sizeof r->started_utc);
  r->setup_time_s = mdb_now() - t_setup;
  s.t_loop = mdb_now();
  s.next_progress = s.t_loop + (hooks && hooks->progress ? hooks->progress_period_s : 0);
  if ((st = run_loop(&s, hooks, r, err))) goto out;
  r->wall_time_s = mdb_now() - s.t_loop;
  const long last = e->ops->step_count(e->ctx);
  if (r->n_mem == 0 || r->mem_step[r->n_mem - 1] != last) sample_memory(r, e, last);
  if (r->mem_before == 0) r->mem_before = (double)r->mem_bytes[0];
  r->neighbor_builds = e->ops->builds(e->ctx);
  if (r->model.used) snprintf(r->model.info, sizeof r->model.info, "%s", mdb_calc_external_info(&s.calc));
  r->final_extended_energy = e->ops->extended_energy(e->ctx);
  if (s.cut_mid_step) /* the state is half a step on: keep the last sample's */
    r->final_extended_energy = r->th_conserved[r->n_samples - 1] - r->th_total[r->n_samples - 1];
  if (e->ops->finish) e->ops->finish(e->ctx, r);
  utc_now(r->ended_utc, sizeof r->ended_utc);
  st = finish(r, err);
out:
  if (hooks && hooks->progress)
    hooks->progress(hooks->progress_user, 0, s.total, 0, 1); /* ends the line, any outcome */
  mdb_engine_free(&s.eng);
  if (s.have_md) mdb_md_free(&s.md);
  if (s.have_calc) mdb_calc_free(&s.calc);
  if (s.have_sys) mdb_system_free(&s.sys);
  if (st) mdb_result_free(r);
  return st;
}
