/*
 * engine.h — the trajectory engine a case runs on, chosen once when the
 * case starts: the CPU (md/, engine_cpu.c) or the GPU engine (gpu/gmd.h,
 * engine_gpu.c). An engine is {ops, ctx}; the case runner (run.c) calls
 * only these ops and never asks which engine it has.
 *
 * Both start from the same host trajectory (md initialised, ensemble set,
 * first forces computed on the CPU): the CPU engine steps it in place, the
 * GPU engine copies it to the device and steps it there.
 */
#ifndef MDB_BENCH_ENGINE_H
#define MDB_BENCH_ENGINE_H

#include "bench/bench.h"
#include "gpu/gmd.h"
#include "md/md.h"

#define MDB_ENGINE_MAX_BATCH MDB_GMD_MAX_BATCH /* the most steps one ops->steps call runs */

/* Memory the engine holds outside the host process's RSS (a device). */
typedef struct mdb_engine_mem {
  double free_b, total_b; /* the device's free and total memory (cudaMemGetInfo; 0, 0 on the host backend) */
  double engine_b;        /* what the engine itself holds (its accounting of every allocation) */
  double regrown_b;       /* of which net growth its neighbour list and bins needed (not a leak) */
} mdb_engine_mem;

typedef struct mdb_engine_ops {
  const char *device; /* the case's device this engine runs: "cpu", "cuda" */
  int host_state;     /* the host md is the live state after every step (hooks may look at it) */
  /* optional: what this engine refuses in a resolved case (the
   * calculator has no GPU half, a precision it does not run) */
  mdb_status (*check)(const mdb_case *c, mdb_err *err);
  /* Starts on the prepared host trajectory md (which outlives the engine)
   * and fills what the result records about the engine (r->gpu). */
  mdb_status (*create)(void **ctx, mdb_md *md, const mdb_dev_binding *dev, mdb_result *r, mdb_err *err);
  /* One step; flags (MDB_COMPUTE_*) ask for a sample at its end. A
   * runaway atom or a blown-up barostat is MDB_ERUN. */
  mdb_status (*step)(void *ctx, unsigned flags, mdb_err *err);
  /* optional: k unsampled steps as one launch (mdb_gmd_steps: each step's
   * time and force time, *n_done the steps completed, also on an error) */
  mdb_status (*steps)(void *ctx, int k, double *step_ms, double *force_ms, int *n_done, mdb_err *err);
  /* The sample of the last step that asked for one (or of the start):
   * thermo with the conserved quantity, the largest |v| and its atom's id. */
  void (*thermo)(void *ctx, mdb_thermo *th, double *vmax, int *vmax_id);
  /* optional: a full sample (energy, virial) at the current positions
   * when the last step computed forces alone (NULL: the engine cannot) */
  mdb_status (*resample)(void *ctx, mdb_err *err);
  double (*extended_energy)(void *ctx); /* the thermostat/barostat terms at the last sample (eV) */
  long (*builds)(void *ctx);            /* neighbour builds so far */
  long (*step_count)(void *ctx);        /* steps completed */
  /* optional: device time of the last step's force call (ms) */
  double (*force_ms)(void *ctx);
  /* optional: memory outside the host RSS; non-zero when it cannot be read */
  int (*memory)(void *ctx, mdb_engine_mem *m);
  /* optional: completes the engine's record in r at the end of a run */
  void (*finish)(void *ctx, mdb_result *r);
  void (*free)(void *ctx);
} mdb_engine_ops;

typedef struct mdb_engine {
  const mdb_engine_ops *ops;
  void *ctx;
  int batch; /* the most unsampled steps one ops->steps call may run (1: every step alone) */
} mdb_engine;

extern const mdb_engine_ops mdb_engine_cpu, mdb_engine_gpu;

/* The engine for a case's device ("cpu", "cuda"); NULL for another. */
const mdb_engine_ops *mdb_engine_for(const char *device);

/* Starts ops on md (batch from the engine's settings) / frees (NULL ops: nothing). */
mdb_status mdb_engine_start(mdb_engine *e, const mdb_engine_ops *ops, mdb_md *md, const mdb_dev_binding *dev,
                            mdb_result *r, mdb_err *err);
void mdb_engine_free(mdb_engine *e);

#endif
