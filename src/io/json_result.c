#include "io/json_result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "core/version.h"
#include "core/atomic.h"
#include "io/metrics.h"

/* A statistic that exists only when have is set: null otherwise, as in
 * summary.jsonc (HDF5 stores NaN), so no consumer reads 0 as a measurement. */
static void add_stat(cJSON *o, const char *name, double v, int have) {
  if (have && isfinite(v))
    cJSON_AddNumberToObject(o, name, v);
  else
    cJSON_AddNullToObject(o, name);
}

static cJSON *num_array(const double *x, int n) { return cJSON_CreateDoubleArray(x, n); }

static cJSON *long_array(const long *x, int n) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)x[i]));
  return a;
}

static cJSON *i64_array(const int64_t *x, int n) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)x[i]));
  return a;
}

cJSON *mdb_provenance_to_json(const mdb_provenance *p) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "host", p->host);
  cJSON_AddStringToObject(o, "cpu_model", p->cpu_model);
  cJSON_AddNumberToObject(o, "cpu_count", p->cpu_count);
  cJSON_AddStringToObject(o, "os", p->os);
  cJSON_AddStringToObject(o, "slurm_job_id", p->slurm_job_id);
  cJSON_AddStringToObject(o, "slurm_array_job_id", p->slurm_array_job_id);
  cJSON_AddStringToObject(o, "slurm_array_task_id", p->slurm_array_task_id);
  cJSON_AddStringToObject(o, "slurm_job_nodelist", p->slurm_job_nodelist);
  cJSON_AddStringToObject(o, "slurm_job_partition", p->slurm_job_partition);
  cJSON_AddStringToObject(o, "slurm_cluster_name", p->slurm_cluster_name);
  cJSON_AddStringToObject(o, "slurm_procid", p->slurm_procid);
  cJSON_AddStringToObject(o, "compiler", p->compiler);
  cJSON_AddStringToObject(o, "build_type", p->build_type);
  cJSON_AddStringToObject(o, "build_flags", p->build_flags);
  cJSON_AddBoolToObject(o, "sanitized", p->sanitized);
  cJSON_AddStringToObject(o, "mdbench_version", p->mdbench_version);
  cJSON_AddStringToObject(o, "git_commit", p->git_commit);
  cJSON_AddBoolToObject(o, "git_dirty", p->git_dirty);
  cJSON_AddStringToObject(o, "mpi_version", p->mpi_version);
  cJSON_AddStringToObject(o, "mpi_library", p->mpi_library);
  cJSON_AddNumberToObject(o, "gpu_count", p->gpu_count);
  cJSON_AddStringToObject(o, "gpu_driver", p->gpu_driver);
  cJSON_AddStringToObject(o, "gpu_models", p->gpu_models);
  cJSON_AddStringToObject(o, "gpu_uuids", p->gpu_uuids);
  cJSON_AddStringToObject(o, "cuda_visible_devices", p->cuda_visible_devices);
  cJSON_AddStringToObject(o, "cuda_runtime", ""); /* filled per result when the case ran on a GPU (gpu.*) */
  return o;
}

static cJSON *stats_ms(const mdb_stats *st) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "mean", st->mean);
  cJSON_AddNumberToObject(o, "median", st->median);
  cJSON_AddNumberToObject(o, "p95", st->p95);
  cJSON_AddNumberToObject(o, "p99", st->p99);
  cJSON_AddNumberToObject(o, "std", st->std);
  cJSON_AddNumberToObject(o, "min", st->min);
  cJSON_AddNumberToObject(o, "max", st->max);
  return o;
}

/* performance.model_split: a step cut into the model, transport + worker, and mdbench's integration
 * (a launched client that reports its model's time, or a plugin that does) */
static void add_model_split(cJSON *perf, const mdb_result *r) {
  const mdb_model_record *m = &r->model;
  if (!m->model_ms || r->n_timed < 1) return;
  cJSON *o = cJSON_AddObjectToObject(perf, "model_split");
  cJSON_AddItemToObject(o, "step_ms", stats_ms(&r->step));
  cJSON_AddItemToObject(o, "model_ms", stats_ms(&m->model));
  cJSON_AddItemToObject(o, "transport_worker_ms", stats_ms(&m->transport));
  cJSON_AddItemToObject(o, "integration_ms", stats_ms(&m->integration));
  cJSON_AddItemToObject(o, "harness_overhead_ms", stats_ms(&m->overhead));
  double sum = 0;
  for (int i = 0; i < r->n_timed; i++) sum += m->model_ms[i];
  cJSON_AddNumberToObject(o, "model_fraction", r->total_time_s > 0 ? sum * 1e-3 / r->total_time_s : 0);
}

static void add_num_or_null(cJSON *o, const char *key, int have, double v) {
  if (have)
    cJSON_AddNumberToObject(o, key, v);
  else
    cJSON_AddNullToObject(o, key);
}

/* memory.model: the launched client's process tree */
static void add_model_memory(cJSON *mem, const mdb_result *r) {
  const mdb_model_record *m = &r->model;
  if (!m->used) {
    cJSON_AddStringToObject(mem, "leak_source", "mdbench");
    cJSON_AddNullToObject(mem, "model");
    return;
  }
  /* a model whose memory could not be read (no /proc sample) has no
     numbers and no verdict: null, and the leak verdict stays mdbench's */
  const int measured = m->mem_before >= 0;
  cJSON_AddStringToObject(mem, "leak_source", measured ? "model" : "mdbench");
  cJSON_AddBoolToObject(mem, "mdbench_leak_detected", m->own_leak_detected);
  cJSON *o = cJSON_AddObjectToObject(mem, "model");
  cJSON_AddNumberToObject(o, "pid", m->pid);
  add_num_or_null(o, "before_gb", measured, m->mem_before / 1e9);
  add_num_or_null(o, "after_gb", measured, m->mem_after / 1e9);
  add_num_or_null(o, "delta_gb", measured, (m->mem_after - m->mem_before) / 1e9);
  add_num_or_null(o, "peak_gb", measured && m->mem_peak >= 0, m->mem_peak / 1e9);
  if (measured)
    cJSON_AddBoolToObject(o, "leak_detected", m->leak_detected);
  else
    cJSON_AddNullToObject(o, "leak_detected");
  cJSON_AddNumberToObject(o, "threads", m->threads);
  if (m->gpu_mem_bytes >= 0)
    cJSON_AddNumberToObject(o, "gpu_peak_gb", m->gpu_mem_bytes / 1e9);
  else
    cJSON_AddNullToObject(o, "gpu_peak_gb");
  cJSON_AddStringToObject(o, "gpu_source", m->gpu_note);
  cJSON_AddStringToObject(o, "kind", "client_process_tree_rss");
}

/* The table's metrics of one JSON section (io/metrics.def), in table order:
 * a metric the result does not have is null (TIMED) or absent (SAMPLES,
 * CLIENT); a boolean is true/false. */
static void add_metrics(cJSON *o, const char *section, const mdb_result *r) {
  for (int m = 0; m < MDB_M_N; m++) {
    char sec[32];
    const char *key = mdb_metric_json_split(m, sec, sizeof sec);
    if (strcmp(sec, section) != 0) continue;
    const mdb_metric_have have = mdb_metrics[m].have;
    const int present = mdb_metric_present(m, r);
    if (!present && (have == MDB_HAVE_SAMPLES || have == MDB_HAVE_CLIENT)) continue;
    double v = mdb_metric_value(m, r);
    if (mdb_metrics[m].type == MDB_MT_BOOL)
      cJSON_AddBoolToObject(o, key, v != 0);
    else if (have == MDB_HAVE_TIMED)
      add_stat(o, key, v, present);
    else
      cJSON_AddNumberToObject(o, key, v);
  }
}

/* metadata: the case as run, where and with what */
static void add_metadata(cJSON *root, const mdb_result *r) {
  const mdb_case *c = &r->c;
  cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
  char name[1024], calc_name[128];
  mdb_calc_spec_short(c->calculator, calc_name, sizeof calc_name); /* the label, or a short form */
  snprintf(name, sizeof name, "%s_%s_%datoms_%s", calc_name, c->system, r->n_atoms, c->protocol);
  cJSON_AddStringToObject(meta, "name", name);
  cJSON_AddStringToObject(meta, "calculator_label", calc_name);
  cJSON_AddStringToObject(meta, "protocol", c->protocol);
  /* ensemble settings; null where the protocol has none */
  int nve = strcmp(c->protocol, "NVE") == 0, npt = strcmp(c->protocol, "NPT") == 0;
  if (nve)
    cJSON_AddNullToObject(meta, "thermostat");
  else
    cJSON_AddStringToObject(meta, "thermostat", c->thermostat);
  if (nve)
    cJSON_AddNullToObject(meta, "tdamp_fs");
  else
    cJSON_AddNumberToObject(meta, "tdamp_fs", c->tdamp_fs);
  if (c->chain > 0)
    cJSON_AddNumberToObject(meta, "chain_length", c->chain);
  else
    cJSON_AddNullToObject(meta, "chain_length");
  if (npt) {
    cJSON_AddNumberToObject(meta, "pdamp_fs", c->pdamp_fs);
    cJSON_AddNumberToObject(meta, "pressure_bar", c->pressure_bar);
    cJSON_AddStringToObject(meta, "barostat", "mtk_iso");
  } else {
    cJSON_AddNullToObject(meta, "pdamp_fs");
    cJSON_AddNullToObject(meta, "pressure_bar");
    cJSON_AddNullToObject(meta, "barostat");
  }
  cJSON_AddNumberToObject(meta, "n_steps", c->n_steps);
  cJSON_AddNumberToObject(meta, "n_atoms", r->n_atoms);
  cJSON_AddStringToObject(meta, "system_type", c->system);
  cJSON_AddStringToObject(meta, "device", c->device);
  cJSON_AddStringToObject(meta, "calculator", c->calculator);
  cJSON_AddNumberToObject(meta, "warmup_steps", c->warmup_steps);
  cJSON_AddNumberToObject(meta, "timestep_fs", c->timestep_fs);
  cJSON_AddNumberToObject(meta, "temperature_K", c->temperature_K);
  cJSON_AddNumberToObject(meta, "seed", (double)c->seed);
  cJSON_AddNumberToObject(meta, "energy_interval", c->energy_interval);
  cJSON_AddNumberToObject(meta, "memory_interval", c->memory_interval);
  cJSON_AddNumberToObject(meta, "skin_A", c->skin_A);
  if (r->lattice_A > 0) {
    cJSON_AddNumberToObject(meta, "lattice_A", r->lattice_A);
    cJSON_AddItemToObject(meta, "replication", cJSON_CreateIntArray(r->reps, 3));
  }
  cJSON_AddStringToObject(meta, "host", r->host);
  cJSON_AddStringToObject(meta, "started_utc", r->started_utc);
  cJSON_AddStringToObject(meta, "ended_utc", r->ended_utc);
  cJSON_AddStringToObject(meta, "mdbench_version", mdb_version());
  cJSON_AddStringToObject(meta, "git_commit", mdb_git_commit());
  cJSON_AddStringToObject(meta, "build", mdb_build_flags());
  cJSON_AddStringToObject(meta, "potential_sha256", r->potential_sha256);
  /* the device as its driver names it: for the CPU backend, the CPU model */
  cJSON_AddStringToObject(meta, "device_name", strcmp(c->device, "cpu") == 0 ? r->prov.cpu_model : r->gpu.dev.name);
  cJSON_AddStringToObject(meta, "precision", c->precision);
  cJSON_AddItemToObject(meta, "provenance", mdb_provenance_to_json(&r->prov));
  cJSON *model_info = r->model.info[0] ? cJSON_Parse(r->model.info) : NULL;
  if (model_info)
    cJSON_AddItemToObject(meta, "model", model_info);
  else
    cJSON_AddNullToObject(meta, "model");
}

/* gpu: the GPU engine's record (gpu/gmd.h); null for a CPU case */
static void add_gpu(cJSON *root, const mdb_result *r) {
  if (!r->gpu.used) {
    cJSON_AddNullToObject(root, "gpu");
    return;
  }
  const mdb_gpu_record *q = &r->gpu;
  const int timed = r->n_timed > 0;
  cJSON *gj = cJSON_AddObjectToObject(root, "gpu");
  char cc[16], rt[32];
  snprintf(cc, sizeof cc, "%d.%d", q->dev.cc_major, q->dev.cc_minor);
  snprintf(rt, sizeof rt, "%d.%d", q->dev.runtime_version / 1000, (q->dev.runtime_version % 1000) / 10);
  cJSON_AddStringToObject(gj, "backend", q->dev.backend);
  cJSON_AddStringToObject(gj, "name", q->dev.name);
  cJSON_AddStringToObject(gj, "uuid", q->dev.uuid);
  cJSON_AddStringToObject(gj, "pci_bus_id", q->dev.pci_bus_id);
  cJSON_AddNumberToObject(gj, "ordinal", q->dev.ordinal);
  cJSON_AddStringToObject(gj, "compute_capability", cc);
  cJSON_AddNumberToObject(gj, "cuda_driver_version", q->dev.driver_version);
  cJSON_AddStringToObject(gj, "cuda_runtime", q->dev.runtime_version ? rt : "");
  cJSON_AddStringToObject(gj, "precision", r->c.precision);
  cJSON_AddBoolToObject(gj, "cuda_graphs", q->graphs);
  cJSON_AddNumberToObject(gj, "batch_steps", q->batch);
  cJSON_AddNumberToObject(gj, "graph_launches", (double)q->graph_launches);
  cJSON_AddNumberToObject(gj, "kernel_launches", (double)q->kernel_launches);
  cJSON_AddStringToObject(gj, "mpi_cuda_aware", q->mpi_cuda_aware);
  add_stat(gj, "force_mean_ms", q->force.mean, timed);
  add_stat(gj, "force_median_ms", q->force.median, timed);
  add_stat(gj, "force_p99_ms", q->force.p99, timed);
  cJSON_AddNumberToObject(gj, "memory_total_gb", q->dev.total_bytes / 1e9);
  cJSON_AddNumberToObject(gj, "memory_before_gb", q->mem_before / 1e9);
  cJSON_AddNumberToObject(gj, "memory_after_gb", q->mem_after / 1e9);
  cJSON_AddNumberToObject(gj, "memory_peak_gb", q->mem_peak / 1e9);
  cJSON_AddNumberToObject(gj, "engine_gb", q->engine_bytes / 1e9);
  cJSON_AddNumberToObject(gj, "device_used_before_gb", q->dev_used_before / 1e9);
  cJSON_AddNumberToObject(gj, "device_used_after_gb", q->dev_used_after / 1e9);
  cJSON_AddBoolToObject(gj, "leak_detected", q->leak_detected);
}

/* raw: the per-step and per-sample arrays */
static void add_raw(cJSON *root, const mdb_result *r) {
  cJSON *raw = cJSON_AddObjectToObject(root, "raw");
  cJSON_AddItemToObject(raw, "step_time_ms", num_array(r->step_ms, r->n_timed));
  if (r->client_wait_ms) cJSON_AddItemToObject(raw, "client_wait_ms", num_array(r->client_wait_ms, r->n_timed));
  if (r->gpu.used && r->gpu.force_ms)
    cJSON_AddItemToObject(raw, "force_gpu_ms", num_array(r->gpu.force_ms, r->n_timed));
  cJSON *rt = cJSON_AddObjectToObject(raw, "thermo");
  int ns = r->n_samples;
  cJSON_AddItemToObject(rt, "step", long_array(r->th_step, ns));
  cJSON_AddItemToObject(rt, "time_fs", num_array(r->th_time_fs, ns));
  cJSON_AddItemToObject(rt, "total_energy_eV", num_array(r->th_total, ns));
  cJSON_AddItemToObject(rt, "potential_energy_eV", num_array(r->th_potential, ns));
  cJSON_AddItemToObject(rt, "kinetic_energy_eV", num_array(r->th_kinetic, ns));
  cJSON_AddItemToObject(rt, "conserved_energy_eV", num_array(r->th_conserved, ns));
  cJSON_AddItemToObject(rt, "temperature_K", num_array(r->th_temperature, ns));
  cJSON_AddItemToObject(rt, "pressure_bar", num_array(r->th_pressure, ns));
  cJSON_AddItemToObject(rt, "volume_A3", num_array(r->th_volume, ns));
  cJSON_AddItemToObject(rt, "momentum_amu_A_per_fs", num_array(r->th_momentum, ns));
  cJSON *rm = cJSON_AddObjectToObject(raw, "memory");
  cJSON_AddItemToObject(rm, "step", long_array(r->mem_step, r->n_mem));
  cJSON_AddItemToObject(rm, "bytes", i64_array(r->mem_bytes, r->n_mem));
  if (r->model.used) cJSON_AddItemToObject(rm, "model_bytes", i64_array(r->model.mem_bytes, r->n_mem));
  if (r->model.model_ms) cJSON_AddItemToObject(raw, "model_ms", num_array(r->model.model_ms, r->n_timed));
}

cJSON *mdb_result_to_json(const mdb_result *r) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "schema", MDB_JSON_CASE_SCHEMA);
  add_metadata(root, r);

  cJSON_AddStringToObject(root, "status", r->status);
  if (strcmp(r->status, "ok") != 0) {
    cJSON *f = cJSON_AddObjectToObject(root, "failure");
    cJSON_AddNumberToObject(f, "step", (double)r->fail_step);
    cJSON_AddStringToObject(f, "reason", r->fail_reason);
  } else {
    cJSON_AddNullToObject(root, "failure");
  }

  cJSON *perf = cJSON_AddObjectToObject(root, "performance");
  add_metrics(perf, "performance", r); /* without a timed step the step statistics are null (HDF5: NaN) */
  add_model_split(perf, r);

  cJSON *mem = cJSON_AddObjectToObject(root, "memory");
  add_metrics(mem, "memory", r);
  cJSON_AddStringToObject(mem, "kind", "host_rss");
  add_model_memory(mem, r);

  add_gpu(root, r);
  add_metrics(cJSON_AddObjectToObject(root, "energy"), "energy", r);
  add_metrics(cJSON_AddObjectToObject(root, "thermo"), "thermo", r);
  add_raw(root, r);
  return root;
}

mdb_status mdb_result_write_json(const mdb_result *r, const char *path, mdb_err *err) {
  cJSON *root = mdb_result_to_json(r);
  char *text = root ? cJSON_Print(root) : NULL;
  cJSON_Delete(root);
  if (!text) return mdb_err_nomem(err, "JSON text", 0);
  size_t len = strlen(text);
  text[len] = '\n'; /* cJSON_Print leaves a terminator we can reuse for the newline */
  mdb_status st = mdb_atomic_write(path, text, len + 1, err);
  free(text);
  return st;
}
