/*
 * bench.h — one benchmark case, end to end.
 *
 * A case is pure data (system, size, protocol, calculator, device and the run
 * settings). mdb_case_run builds the system, draws velocities, runs
 * warmup_steps untimed steps and n_steps timed ones, and fills a result with
 * the raw per-step wall times, thermo and memory samples, and statistics.
 *
 * Steps are numbered from 0 (the initial state); warmup is 1..W, the timed
 * steps W+1..W+S. Thermo is sampled at step 0, every energy_interval steps
 * and at the last step, so energy conservation covers the whole trajectory.
 * The timed region of a step is the integrator plus the force call; sampling
 * happens outside it (wall_time_s includes it).
 *
 * A run that blows up (non-finite numbers, a runaway atom, the conserved
 * energy off by more than MDB_BLOWUP_EV_PER_ATOM per atom) is a result with
 * status "failed", the step and the reason — not an error.
 *
 * A stop request (core/stop.h: SIGTERM, SIGINT, SIGUSR1) is honoured at the
 * next step boundary: the result has status "interrupted", fail_step the
 * last step completed, and everything measured until then. A GPU case runs
 * its unsampled stretches as batches of up to MDB_GMD_MAX_BATCH steps in
 * one graph launch (MDBENCH_GPU_BATCH; 1: off); there a stop is honoured at
 * the batch's end, and a batched step's time is its device time plus a
 * share of the batch's launch and synchronisation (docs/gpu-results.md).
 */
#ifndef MDB_BENCH_H
#define MDB_BENCH_H

#include "bench/case.h"
#include "bench/result.h"
#include "core/clock.h"
#include "core/procmem.h"
#include "core/stats.h"

/* The device a GPU case runs on, passed to the run (mdb_run_hooks.device):
 * the suite runner binds each rank to one CUDA device by its node-local
 * rank; ordinal -1 (or no binding) means device 0. */
typedef struct mdb_dev_binding {
  int ordinal;
  char mpi_cuda_aware[16]; /* "yes", "no", "unknown" (the suite runner's MPI); "" for mdbench run */
} mdb_dev_binding;

/* Whether a GPU case can run here: a CUDA build with a usable device, or
 * MDBENCH_GPU_BACKEND=host (the GPU kernels emulated on the CPU, for
 * tests). Fills why (may be NULL) when not. */
int mdb_case_gpu_usable(char *why, size_t len);

/* Runs the case. Bad input returns an error; a blow-up returns MDB_OK with
 * r->status "failed". Free with mdb_result_free. */
mdb_status mdb_case_run(const mdb_case *c, mdb_result *r, mdb_err *err);

/* Something to do along the trajectory without touching it (the shadow
 * calculator of `mdbench compare`, bench/shadow.h). after_step is called
 * with the state at step 0 (initial forces) and at the end of every MD step,
 * warmup included, outside the timed region; timed says whether the step
 * was a timed one. force_flags are added to every step's force call (the
 * shadow needs the reference's energy at every step). A non-zero status
 * from the hook ends the run with that error. */
struct mdb_md;
typedef struct mdb_run_hooks {
  mdb_status (*after_step)(void *user, const struct mdb_md *md, long step, int timed, mdb_err *err);
  void *user;
  unsigned force_flags;
  /* Progress (NULL: none): called outside the timed region after a step
   * once progress_period_s has passed since the last call, and once when
   * the run ends, whatever the outcome, with done = 1 (the other arguments
   * then mean nothing). The deadline is checked against the clock
   * the step already reads for its timing: no extra system call per step.
   * step counts from 1 over warmup plus timed steps (total); elapsed_s is
   * since the first step began. */
  void (*progress)(void *user, long step, long total, double elapsed_s, int done);
  void *progress_user;
  double progress_period_s;
  /* The GPU a cuda case runs on (NULL: device 0). */
  const mdb_dev_binding *device;
} mdb_run_hooks;

/* mdb_case_run with hooks (NULL: none). */
mdb_status mdb_case_run_hooked(const mdb_case *c, const mdb_run_hooks *hooks, mdb_result *r, mdb_err *err);

#endif
