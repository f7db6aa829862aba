/*
 * engine_cpu.c — the CPU engine (bench/engine.h): the host trajectory of
 * md/ stepped in place.
 */
#include <math.h>
#include <string.h>

#include "bench/engine.h"

static mdb_status cpu_create(void **ctx, mdb_md *md, const mdb_dev_binding *dev, mdb_result *r, mdb_err *err) {
  (void)dev;
  (void)r;
  (void)err;
  *ctx = md;
  return MDB_OK;
}

static mdb_status cpu_step(void *ctx, unsigned flags, mdb_err *err) { return mdb_md_step((mdb_md *)ctx, flags, err); }

static void cpu_thermo(void *ctx, mdb_thermo *th, double *vmax, int *vmax_id) {
  const mdb_md *md = (const mdb_md *)ctx;
  mdb_md_thermo(md, th);
  double vmax2 = 0;
  int imax = 0;
  const mdb_system *sys = md->sys;
  for (int i = 0; i < sys->n; i++) {
    const double *v = sys->v + 3 * i;
    double v2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    if (v2 > vmax2) vmax2 = v2, imax = i;
  }
  *vmax = sqrt(vmax2);
  *vmax_id = sys->id[imax];
}

static mdb_status cpu_resample(void *ctx, mdb_err *err) {
  return mdb_md_forces((mdb_md *)ctx, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, err);
}

static double cpu_extended(void *ctx) { return mdb_md_extended_energy((const mdb_md *)ctx); }
static long cpu_builds(void *ctx) { return ((const mdb_md *)ctx)->nl.builds; }
static long cpu_step_count(void *ctx) { return ((const mdb_md *)ctx)->step; }
static void cpu_free(void *ctx) { (void)ctx; /* md belongs to the runner */ }

const mdb_engine_ops mdb_engine_cpu = {
    .device = "cpu",
    .host_state = 1,
    .create = cpu_create,
    .step = cpu_step,
    .thermo = cpu_thermo,
    .resample = cpu_resample,
    .extended_energy = cpu_extended,
    .builds = cpu_builds,
    .step_count = cpu_step_count,
    .free = cpu_free,
};

const mdb_engine_ops *mdb_engine_for(const char *device) {
  if (strcmp(device, mdb_engine_cpu.device) == 0) return &mdb_engine_cpu;
  if (strcmp(device, mdb_engine_gpu.device) == 0) return &mdb_engine_gpu;
  return NULL;
}

mdb_status mdb_engine_start(mdb_engine *e, const mdb_engine_ops *ops, mdb_md *md, const mdb_dev_binding *dev,
                            mdb_result *r, mdb_err *err) {
  memset(e, 0, sizeof *e);
  e->batch = 1;
  mdb_status st = ops->create(&e->ctx, md, dev, r, err);
  if (st) return st;
  e->ops = ops;
  if (ops->steps && r->gpu.batch > 1) e->batch = r->gpu.batch;
  return MDB_OK;
}

void mdb_engine_free(mdb_engine *e) {
  if (e->ops) e->ops->free(e->ctx);
  memset(e, 0, sizeof *e);
}
