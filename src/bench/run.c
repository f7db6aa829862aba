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
#include "gpu/gmd.h"
#include "md/md.h"

static int gpu_ordinal = -1;
static char gpu_mpi_cuda_aware[16] = "";

void mdb_case_set_gpu(int ordinal, const char *mpi_cuda_aware) {
  gpu_ordinal = ordinal;
  snprintf(gpu_mpi_cuda_aware, sizeof gpu_mpi_cuda_aware, "%s", mpi_cuda_aware ? mpi_cuda_aware : "");
}

/* "host" when MDBENCH_GPU_BACKEND=host asks for the emulation, else "cuda". */
static const char *gpu_backend(void) {
  const char *b = getenv("MDBENCH_GPU_BACKEND");
  return b && strcmp(b, "host") == 0 ? "host" : "cuda";
}

int mdb_case_gpu_usable(char *why, size_t len) {
  if (strcmp(gpu_backend(), "host") == 0) return 1;
  return mdb_cuda_device_count(why, len) > 0;
}

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
  if (strcmp(c->device, "cpu") != 0 && !cuda)
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
  if (cuda && !mdb_gmd_supports(c->calculator)) { /* the calculator must have a GPU half (its ops->gpu) */
    const size_t k = strcspn(c->calculator, ":");
    return mdb_err_set(err, MDB_EINPUT, "calculator '%.*s' has no CUDA backend (valid on cuda: %s; or --device cpu)",
                       (int)(k < 63 ? k : 63), c->calculator, mdb_gmd_calculators());
  }
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
  snprintf(r->fail_reason, sizeof r->fail_reason, "%s", reason);
}

/* Records a thermo sample; returns 0, or 1 when the run has blown up (the
 * reason is recorded in r). */
static int sample_thermo(mdb_result *r, const mdb_md *md, mdb_gmd *g, long step) {
  mdb_thermo th;
  double vmax = 0;
  int vmax_id = 0;
  if (g) {
    mdb_gmd_thermo(g, &th, &vmax, &vmax_id, NULL);
  } else {
    mdb_md_thermo(md, &th);
    double vmax2 = 0;
    int imax = 0;
    const mdb_system *sys = md->sys;
    for (int i = 0; i < sys->n; i++) {
      const double *v = sys->v + 3 * i;
      double v2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
      if (v2 > vmax2) vmax2 = v2, imax = i;
    }
    vmax = sqrt(vmax2);
    vmax_id = sys->id[imax];
  }
  int k = r->n_samples++;
  r->th_step[k] = step;
  r->th_time_fs[k] = step * md->dt;
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
  if (!(vmax * md->dt <= MDB_RUNAWAY_A_PER_STEP)) {
    snprintf(why, sizeof why, "atom %d flew off: it moves %.3g Å per step (limit %g)", vmax_id + 1, vmax * md->dt,
             MDB_RUNAWAY_A_PER_STEP);
    fail(r, step, why);
    return 1;
  }
  return 0;
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
  if (m->gpu_mem_bytes >= 0) {
    double gb = mdb_proc_tree_gpu_bytes(m->pid, m->gpu_note, sizeof m->gpu_note);
    if (gb < 0 || gb > m->gpu_mem_bytes) m->gpu_mem_bytes = gb;
  }
}

/* The model's share of the step (mdb_model_record) and its memory verdict. */
static void finish_model(mdb_result *r) {
  mdb_model_record *m = &r->model;
  int n = r->n_timed;
  if (!m->used) return;
  m->mem_before = m->mem_after = -1;
  for (int k = 0; k < r->n_mem; k++)
    if (m->mem_bytes[k] >= 0) {
      if (m->mem_before < 0) m->mem_before = (double)m->mem_bytes[k];
      m->mem_after = (double)m->mem_bytes[k];
    }
  m->own_leak_detected = r->leak_detected;
  m->leak_detected = m->mem_before >= 0 && m->mem_after - m->mem_before > MDB_LEAK_BYTES;
  if (m->mem_before >= 0) r->leak_detected = m->leak_detected; /* unmeasured: the verdict stays mdbench's */
  if (n < 1) return;
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

static void sample_memory(mdb_result *r, mdb_gmd *g, long step) {
  int k = r->n_mem++;
  r->mem_step[k] = step;
  r->mem_bytes[k] = mdb_mem_rss_bytes();
  double fb, tb, eb;
  if (g && !mdb_gmd_memory(g, &fb, &tb, &eb, NULL)) {
    if (eb > r->gpu.mem_peak) r->gpu.mem_peak = eb;
    r->gpu.mem_after = eb;
    r->gpu.dev_used_after = tb - fb;
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

/* Moves the prepared CPU trajectory to the GPU engine and records the
 * device. */
static mdb_status gpu_start(mdb_result *r, const mdb_md *md, mdb_gmd **g, mdb_err *err) {
  mdb_gpu_record *q = &r->gpu;
  const char *backend = gpu_backend();
  char why[256] = "";
  if (strcmp(backend, "cuda") == 0 && mdb_cuda_device_count(why, sizeof why) == 0)
    return mdb_err_set(err, MDB_ERUN, "--device cuda: no usable GPU: %s (valid here: --device cpu or auto)", why);
  const char *graphs_env = getenv("MDBENCH_GPU_GRAPHS");
  mdb_gmd_opts o = {backend, gpu_ordinal < 0 ? 0 : gpu_ordinal, strcmp(r->c.precision, "mixed") == 0,
                    !(graphs_env && strcmp(graphs_env, "0") == 0)};
  const char *batch_env = getenv("MDBENCH_GPU_BATCH");
  int batch = MDB_GMD_MAX_BATCH;
  if (batch_env && *batch_env) {
    char *end;
    long b = strtol(batch_env, &end, 10);
    if (*end || b < 1 || b > MDB_GMD_MAX_BATCH)
      return mdb_err_set(err, MDB_EINPUT,
                         "MDBENCH_GPU_BATCH='%s': unsampled steps per graph launch (valid: 1..%d; 1: off)", batch_env,
                         MDB_GMD_MAX_BATCH);
    batch = (int)b;
  }
  mdb_status st = mdb_gmd_create(g, md, &o, err);
  if (st) return st;
  q->used = 1;
  q->dev = *mdb_gmd_device(*g);
  q->graphs = o.graphs;
  q->batch = o.graphs ? batch : 1;
  snprintf(q->mpi_cuda_aware, sizeof q->mpi_cuda_aware, "%s", gpu_mpi_cuda_aware);
  return MDB_OK;
}

static void gpu_finish(mdb_result *r, mdb_gmd *g) {
  mdb_gpu_record *q = &r->gpu;
  double fb, tb, eb;
  if (!mdb_gmd_memory(g, &fb, &tb, &eb, NULL)) q->engine_bytes = eb;
  if (mdb_gmd_engine_peak(g) > q->mem_peak) q->mem_peak = mdb_gmd_engine_peak(g);
  /* a regrown neighbour list or bin grid is growth the system needed, not a leak */
  const double regrown = mdb_gmd_regrown_bytes(g) - q->regrown_before;
  q->leak_detected = q->mem_after - q->mem_before - regrown > MDB_LEAK_BYTES;
  if (r->n_timed > 0) mdb_stats_compute(q->force_ms, r->n_timed, &q->force, NULL);
  q->graph_launches = mdb_gmd_graph_launches(g);
  q->kernel_launches = mdb_gmd_launches(g);
}

/* How many steps from `step` on can run as one GPU batch (mdb_gmd_steps):
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

/* k unsampled steps as one GPU batch. A timed step records the device time
 * between the event nodes around it plus an equal share of what the batch
 * added on the host (its wall time, launch and synchronisation included,
 * minus the steps' device times; never negative), so the step times still
 * add up to the wall time a caller sees; force_ms is the device time of its
 * force kernels, as for a single step. *done: the steps completed, also on
 * an error (those before the failing one; then no share is added). *t_end:
 * the clock after the batch. */
static mdb_status gpu_batch(mdb_result *r, mdb_gmd *g, int k, int timed, int *done, double *t_end, mdb_err *err) {
  double ms[MDB_GMD_MAX_BATCH], fms[MDB_GMD_MAX_BATCH];
  const double t0 = mdb_now();
  mdb_status st = mdb_gmd_steps(g, k, ms, fms, done, err);
  *t_end = mdb_now();
  if (!timed || *done < 1) return st;
  double sum = 0;
  for (int s = 0; s < *done; s++) sum += ms[s];
  const double share = st ? 0 : fmax(0, ((*t_end - t0) * 1e3 - sum) / *done);
  for (int s = 0; s < *done; s++) {
    r->gpu.force_ms[r->n_timed] = fms[s];
    r->step_ms[r->n_timed++] = ms[s] + share;
  }
  return st;
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
  mdb_system sys;
  mdb_build_info info;
  if ((st = mdb_build_system(&sys, c->system, c->n_atoms, c->lattice_A, c->seed, &info, err))) return st;
  r->n_atoms = sys.n;
  r->c.n_atoms = sys.n;
  memcpy(r->reps, info.reps, sizeof r->reps);
  r->lattice_A = info.lattice_A;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g = NULL;
  const int gpu = strcmp(c->device, "cuda") == 0;
  int have_calc = 0, have_md = 0, cut_mid_step = 0;
  long total = (long)c->warmup_steps + c->n_steps;
  if (gpu && hooks && hooks->after_step) {
    st = mdb_err_set(err, MDB_EINPUT, "shadow mode (--reference/--shadow) runs on the CPU only (valid: --device cpu)");
    goto out;
  }
  /* a GPU case starts as a CPU trajectory (gpu/gmd.h): the CPU calculator
   * is prepared, validated and gives the reference first forces */
  if ((st = mdb_calc_create(&calc, c->calculator, "cpu", err))) goto out;
  have_calc = 1;
  if ((st = mdb_velocity_init(&sys, c->temperature_K, c->seed, err))) goto out;
  if ((st = mdb_md_init(&md, &sys, &calc, c->timestep_fs, c->skin_A, err))) goto out;
  have_md = 1;
  mdb_ensemble ens;
  case_ensemble(c, &ens);
  if ((st = mdb_md_set_ensemble(&md, &ens, err))) goto out;
  if ((st = alloc_arrays(r, total, err))) goto out;
  if (gpu && !(r->gpu.force_ms = calloc((size_t)c->n_steps, sizeof *r->gpu.force_ms))) {
    st = mdb_err_nomem(err, "GPU force times", c->n_steps * 8.0);
    goto out;
  }
  if (gpu && (st = gpu_start(r, &md, &g, err))) goto out;
  const int external = mdb_calc_external_wait_s(&calc) >= 0;
  if (external && !(r->client_wait_ms = calloc((size_t)c->n_steps, sizeof *r->client_wait_ms))) {
    st = mdb_err_nomem(err, "client wait times", c->n_steps * 8.0);
    goto out;
  }
  if (mdb_calc_external_pid(&calc) > 0) { /* a client mdbench started: its own time and memory */
    mdb_model_record *m = &r->model;
    m->used = 1;
    m->pid = mdb_calc_external_pid(&calc);
    m->mem_bytes = calloc((size_t)(c->n_steps / c->memory_interval + 3), sizeof *m->mem_bytes);
    if (mdb_calc_external_model_s(&calc) >= 0) m->model_ms = calloc((size_t)c->n_steps, sizeof *m->model_ms);
    if (!m->mem_bytes || (mdb_calc_external_model_s(&calc) >= 0 && !m->model_ms)) {
      st = mdb_err_nomem(err, "model records", c->n_steps * 8.0);
      goto out;
    }
  }
  gethostname(r->host, sizeof r->host - 1);
  utc_now(r->started_utc, sizeof r->started_utc);
  r->setup_time_s = mdb_now() - t_setup;

  const unsigned sample_flags = MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL;
  const unsigned extra_flags = hooks ? hooks->force_flags : 0;
  const int hooked = hooks && hooks->after_step;
  const int progress = hooks && hooks->progress;
  double t_loop = mdb_now();
  double next_progress = t_loop + (progress ? hooks->progress_period_s : 0);
  if (hooked && (st = hooks->after_step(hooks->user, &md, 0, 0, err))) goto out;
  if (sample_thermo(r, &md, g, 0)) goto done;
  for (long step = 1; step <= total; step++) {
    const int sig = mdb_stop_requested();
    if (sig) {
      char why[128];
      snprintf(why, sizeof why, "stopped by %s after step %ld of %ld", mdb_stop_signal_name(sig), step - 1, total);
      fail(r, step - 1, why);
      snprintf(r->status, sizeof r->status, "interrupted");
      /* The energy record reaches the stop only with a fully computed
       * sample: the last step asked the calculator for forces alone, so
       * its energy and virial are recomputed at the same positions (the
       * forces do not change). The GPU engine keeps a non-sample step's
       * state on the device, an external model is not asked for more
       * while the run stops (its process may be stopping too), and a
       * calculator that refuses the extra call leaves the record at the
       * last real sample: never a partial one. */
      if (r->th_step[r->n_samples - 1] != step - 1 && !g && !external) {
        mdb_err ferr;
        if (mdb_md_forces(&md, sample_flags, &ferr) == MDB_OK) sample_thermo(r, &md, NULL, step - 1);
      }
      break;
    }
    int thermo_here = step % c->energy_interval == 0 || step == total;
    int timed = step > c->warmup_steps;
    if (step == c->warmup_steps + 1) {
      sample_memory(r, g, step - 1);
      r->mem_before = (double)r->mem_bytes[0];
      r->gpu.mem_before = r->gpu.mem_after;
      r->gpu.dev_used_before = r->gpu.dev_used_after;
      if (g) r->gpu.regrown_before = mdb_gmd_regrown_bytes(g);
    }
    const int nb = g && !extra_flags && !thermo_here ? batch_len(c, step, total, r->gpu.batch) : 0;
    if (nb >= 2) { /* an unsampled stretch: one graph launch (gpu_batch) */
      int done = 0;
      double t_end;
      mdb_status bst = gpu_batch(r, g, nb, timed, &done, &t_end, err);
      const long last = step + done - 1; /* the last step completed */
      if (bst == MDB_ERUN) {
        fail(r, last + 1, err->msg);
        break;
      }
      if (bst) {
        st = bst;
        goto out;
      }
      step = last;
      if (timed && ((step - c->warmup_steps) % c->memory_interval == 0)) sample_memory(r, g, step);
      if (progress && t_end >= next_progress) {
        hooks->progress(hooks->progress_user, step, total, t_end - t_loop, 0);
        next_progress = t_end + hooks->progress_period_s;
      }
      continue;
    }
    const double w0 = external ? mdb_calc_external_wait_s(&calc) : 0;
    const double m0 = r->model.model_ms ? mdb_calc_external_model_s(&calc) : 0;
    double t0 = mdb_now();
    const unsigned flags = (thermo_here ? sample_flags : 0) | extra_flags;
    mdb_status sst = g ? mdb_gmd_step(g, flags, err) : mdb_md_step(&md, flags, err);
    double t1 = mdb_now();
    if (g && timed && !sst) r->gpu.force_ms[r->n_timed] = mdb_gmd_force_ms(g);
    if (sst && mdb_stop_requested()) {
      /* a stop cut the force call short (an external calculator gives up
         waiting for its peer): the step is void and its half-updated state
         is not sampled; the record ends at the last sample */
      char why[1200];
      snprintf(why, sizeof why, "stopped by %s after step %ld of %ld (%s)", mdb_stop_signal_name(mdb_stop_requested()),
               step - 1, total, err->msg);
      fail(r, step - 1, why);
      snprintf(r->status, sizeof r->status, "interrupted");
      cut_mid_step = 1;
      break;
    }
    if (sst == MDB_ERUN) { /* physics: a runaway atom, a blown-up barostat (a device fault is MDB_EDEV) */
      fail(r, step, err->msg);
      break;
    }
    if (sst) {
      st = sst;
      goto out;
    }
    if (timed && external) {
      r->client_wait_ms[r->n_timed] = (mdb_calc_external_wait_s(&calc) - w0) * 1e3;
      r->client_wait_s += r->client_wait_ms[r->n_timed] * 1e-3;
    }
    if (timed && r->model.model_ms) r->model.model_ms[r->n_timed] = (mdb_calc_external_model_s(&calc) - m0) * 1e3;
    if (timed) r->step_ms[r->n_timed++] = (t1 - t0) * 1e3;
    if (hooked && (st = hooks->after_step(hooks->user, &md, step, timed, err))) goto out;
    if (thermo_here && sample_thermo(r, &md, g, step)) break;
    if (timed && ((step - c->warmup_steps) % c->memory_interval == 0 || step == total)) sample_memory(r, g, step);
    if (progress && t1 >= next_progress) { /* t1: the step's own clock reading */
      hooks->progress(hooks->progress_user, step, total, t1 - t_loop, 0);
      next_progress = t1 + hooks->progress_period_s;
    }
  }
done:
  r->wall_time_s = mdb_now() - t_loop;
  {
    const long last = g ? mdb_gmd_step_count(g) : md.step;
    if (r->n_mem == 0 || r->mem_step[r->n_mem - 1] != last) sample_memory(r, g, last);
  }
  if (r->mem_before == 0) r->mem_before = (double)r->mem_bytes[0];
  r->neighbor_builds = g ? mdb_gmd_builds(g) : md.nl.builds;
  if (r->model.used) snprintf(r->model.info, sizeof r->model.info, "%s", mdb_calc_external_info(&calc));
  r->final_extended_energy = g ? mdb_gmd_extended_energy(g) : mdb_md_extended_energy(&md);
  if (cut_mid_step) /* the state is half a step on: keep the last sample's */
    r->final_extended_energy = r->th_conserved[r->n_samples - 1] - r->th_total[r->n_samples - 1];
  if (g) gpu_finish(r, g);
  utc_now(r->ended_utc, sizeof r->ended_utc);
  st = finish(r, err);
out:
  if (hooks && hooks->progress) hooks->progress(hooks->progress_user, 0, total, 0, 1); /* ends the line, any outcome */
  mdb_gmd_free(g);
  if (have_md) mdb_md_free(&md);
  if (have_calc) mdb_calc_free(&calc);
  mdb_system_free(&sys);
  if (st) mdb_result_free(r);
  return st;
}
