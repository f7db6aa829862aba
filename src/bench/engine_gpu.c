/*
 * engine_gpu.c — the GPU engine (bench/engine.h) over gpu/gmd.h: the
 * device binding, the settings from the environment (MDBENCH_GPU_BACKEND,
 * MDBENCH_GPU_GRAPHS, MDBENCH_GPU_BATCH, MDBENCH_GPU_SORT_EVERY) and the
 * result's GPU record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/engine.h"
#include "gpu/gmd.h"

/* "host" when MDBENCH_GPU_BACKEND=host asks for the emulation, else "cuda". */
static const char *gpu_backend(void) {
  const char *b = getenv("MDBENCH_GPU_BACKEND");
  return b && strcmp(b, "host") == 0 ? "host" : "cuda";
}

int mdb_case_gpu_usable(char *why, size_t len) {
  if (strcmp(gpu_backend(), "host") == 0) return 1;
  return mdb_cuda_device_count(why, len) > 0;
}

/* The calculator must have a GPU half (its ops->gpu). */
static mdb_status gpu_check(const mdb_case *c, mdb_err *err) {
  if (mdb_gmd_supports(c->calculator)) return MDB_OK;
  const size_t k = strcspn(c->calculator, ":");
  return mdb_err_set(err, MDB_EINPUT, "calculator '%.*s' has no CUDA backend (valid on cuda: %s; or --device cpu)",
                     (int)(k < 63 ? k : 63), c->calculator, mdb_gmd_calculators());
}

/* MDBENCH_GPU_BATCH: unsampled steps per graph launch. */
static mdb_status batch_setting(int *batch, mdb_err *err) {
  const char *env = getenv("MDBENCH_GPU_BATCH");
  *batch = MDB_GMD_MAX_BATCH;
  if (!env || !*env) return MDB_OK;
  char *end;
  long b = strtol(env, &end, 10);
  if (*end || b < 1 || b > MDB_GMD_MAX_BATCH)
    return mdb_err_set(err, MDB_EINPUT,
                       "MDBENCH_GPU_BATCH='%s': unsampled steps per graph launch (valid: 1..%d; 1: off)", env,
                       MDB_GMD_MAX_BATCH);
  *batch = (int)b;
  return MDB_OK;
}

/* MDBENCH_GPU_SORT_EVERY: re-sort the atoms along a Z-order curve at every
 * N-th neighbour rebuild (gpu/kern_sort.h); 0: never; unset: the engine's
 * default. Into the engine's convention (0 default, < 0 never). */
static mdb_status sort_setting(int *every, mdb_err *err) {
  const char *env = getenv("MDBENCH_GPU_SORT_EVERY");
  *every = 0;
  if (!env || !*env) return MDB_OK;
  char *end;
  long k = strtol(env, &end, 10);
  if (*end || k < 0 || k > 1000000)
    return mdb_err_set(err, MDB_EINPUT,
                       "MDBENCH_GPU_SORT_EVERY='%s': neighbour rebuilds between re-sorts of the atoms (valid: "
                       "0..1000000; 0: never)",
                       env);
  *every = k ? (int)k : -1;
  return MDB_OK;
}

/* Moves the prepared CPU trajectory to the GPU engine and records the
 * device. */
static mdb_status gpu_create(void **ctx, mdb_md *md, const mdb_dev_binding *dev, mdb_result *r, mdb_err *err) {
  mdb_gpu_record *q = &r->gpu;
  const char *backend = gpu_backend();
  char why[256] = "";
  *ctx = NULL;
  if (strcmp(backend, "cuda") == 0 && mdb_cuda_device_count(why, sizeof why) == 0)
    return mdb_err_set(err, MDB_ERUN, "--device cuda: no usable GPU: %s (valid here: --device cpu or auto)", why);
  const char *graphs_env = getenv("MDBENCH_GPU_GRAPHS");
  const int ordinal = dev && dev->ordinal >= 0 ? dev->ordinal : 0;
  mdb_gmd_opts o = {backend, ordinal, strcmp(r->c.precision, "mixed") == 0,
                    !(graphs_env && strcmp(graphs_env, "0") == 0), 0};
  int batch;
  mdb_status st = batch_setting(&batch, err);
  if (st || (st = sort_setting(&o.sort_every, err))) return st;
  if (!(q->force_ms = calloc((size_t)r->c.n_steps, sizeof *q->force_ms)))
    return mdb_err_nomem(err, "GPU force times", r->c.n_steps * 8.0);
  mdb_gmd *g;
  if ((st = mdb_gmd_create(&g, md, &o, err))) return st;
  q->used = 1;
  q->dev = *mdb_gmd_device(g);
  q->graphs = o.graphs;
  q->batch = o.graphs ? batch : 1;
  snprintf(q->mpi_cuda_aware, sizeof q->mpi_cuda_aware, "%s", dev ? dev->mpi_cuda_aware : "");
  *ctx = g;
  return MDB_OK;
}

static mdb_status gpu_step(void *ctx, unsigned flags, mdb_err *err) { return mdb_gmd_step((mdb_gmd *)ctx, flags, err); }

static mdb_status gpu_steps(void *ctx, int k, double *step_ms, double *force_ms, int *n_done, mdb_err *err) {
  return mdb_gmd_steps((mdb_gmd *)ctx, k, step_ms, force_ms, n_done, err);
}

static void gpu_thermo(void *ctx, mdb_thermo *th, double *vmax, int *vmax_id) {
  mdb_gmd_thermo((mdb_gmd *)ctx, th, vmax, vmax_id, NULL);
}

static double gpu_extended(void *ctx) { return mdb_gmd_extended_energy((const mdb_gmd *)ctx); }
static long gpu_builds(void *ctx) { return mdb_gmd_builds((const mdb_gmd *)ctx); }
static long gpu_step_count(void *ctx) { return mdb_gmd_step_count((const mdb_gmd *)ctx); }
static double gpu_force_ms(void *ctx) { return mdb_gmd_force_ms((const mdb_gmd *)ctx); }

static int gpu_memory(void *ctx, mdb_engine_mem *m) {
  mdb_gmd *g = (mdb_gmd *)ctx;
  m->regrown_b = mdb_gmd_regrown_bytes(g);
  return mdb_gmd_memory(g, &m->free_b, &m->total_b, &m->engine_b, NULL) != MDB_OK;
}

static void gpu_finish(void *ctx, mdb_result *r) {
  mdb_gmd *g = (mdb_gmd *)ctx;
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

static void gpu_free(void *ctx) { mdb_gmd_free((mdb_gmd *)ctx); }

const mdb_engine_ops mdb_engine_gpu = {
    .device = "cuda",
    .host_state = 0,
    .check = gpu_check,
    .create = gpu_create,
    .step = gpu_step,
    .steps = gpu_steps,
    .thermo = gpu_thermo,
    .extended_energy = gpu_extended,
    .builds = gpu_builds,
    .step_count = gpu_step_count,
    .force_ms = gpu_force_ms,
    .memory = gpu_memory,
    .finish = gpu_finish,
    .free = gpu_free,
};
