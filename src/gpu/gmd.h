/*
 * gmd.h — a whole trajectory on a GPU (the CUDA backend of `--device
 * cuda`): positions, velocities and forces stay on the device; each step is
 * the ensemble's kernels, the neighbour check (and build when needed) and
 * the calculator's kernels, captured once as a CUDA Graph per kind of step
 * (with or without a sample) and replayed; energies, virial and kinetic
 * energy are reduced on the device and only a sample's few numbers come
 * back.
 *
 * The calculator's part is its GPU half (calc/calc_gpu.h), found through
 * its ops (mdb_calc_ops.gpu).
 *
 * The engine starts from a host trajectory set up by md/ (mdb_md_init and
 * mdb_md_set_ensemble): that validates the ensemble against the system,
 * sorts the atoms spatially, gives the initial forces on the CPU (which the
 * engine checks its own against) and the thermostat constants, so the GPU
 * run is the CPU run's twin from the same state.
 *
 * The same engine runs on the "host" backend (dev/dev.h), which executes
 * the device kernels serially on the CPU: the tests' way of checking it
 * without a GPU.
 */
#ifndef MDB_GPU_GMD_H
#define MDB_GPU_GMD_H

#include "dev/dev.h"
#include "md/md.h"

typedef struct mdb_gmd mdb_gmd;

typedef struct mdb_gmd_opts {
  const char *backend; /* "cuda" or "host" */
  int ordinal;         /* CUDA device; -1: the current one */
  int mixed;           /* --precision mixed: float pair arithmetic, double integration and sums */
  int graphs;          /* capture steps as graphs (1) or launch kernel by kernel (0) */
  int sort_every;      /* re-sort the atoms along a Z-order curve at every sort_every-th neighbour
                          rebuild (gpu/kern_sort.h); 0: the default, MDB_GMD_SORT_EVERY; < 0: never */
} mdb_gmd_opts;

/* The default period of the re-sort, in neighbour rebuilds. */
#define MDB_GMD_SORT_EVERY 1

/* Copies the host trajectory md (initialised, ensemble set, on a CPU
 * calculator of a name the GPU backend has) to the device, computes the
 * forces there and compares them with md's: a disagreement beyond 1e-6
 * relative (double) is an MDB_ERUN error. md stays valid and untouched. */
mdb_status mdb_gmd_create(mdb_gmd **out, const mdb_md *md, const mdb_gmd_opts *o, mdb_err *err);
void mdb_gmd_free(mdb_gmd *g);

/* One MD step; flags (MDB_COMPUTE_ENERGY/VIRIAL) ask for a sample at its
 * end. Returns when the step is done on the device (the time a caller
 * sees). A runaway atom or a blown-up barostat is MDB_ERUN (physics); a
 * CUDA failure is MDB_EDEV with CUDA's error string. */
mdb_status mdb_gmd_step(mdb_gmd *g, unsigned flags, mdb_err *err);

/* k ≤ MDB_GMD_MAX_BATCH unsampled steps in one graph launch (graphs on;
 * one by one otherwise): the per-step host round trip disappears. step_ms
 * [k] receives each step's time: device time between event nodes placed
 * between the steps for the steps the graph completed; host wall time for
 * a step that needed a neighbour build (it is finished outside the graph)
 * and the steps after it, and for every step with graphs off. force_ms[k]
 * (NULL: not wanted) receives each step's force time as mdb_gmd_force_ms
 * gives it for a single step (device time, event nodes). *n_done: the steps
 * completed and timed, also when an error ends the batch (a runaway atom
 * in step *n_done + 1 of it). Samples are single steps (mdb_gmd_step). */
#define MDB_GMD_MAX_BATCH 12
mdb_status mdb_gmd_steps(mdb_gmd *g, int k, double *step_ms, double *force_ms, int *n_done, mdb_err *err);

/* The sample of the last step that asked for one (or of the initial
 * state): thermo with the ensemble's conserved quantity, the largest |v|
 * (Å/fs) and the original index of that atom. */
mdb_status mdb_gmd_thermo(mdb_gmd *g, mdb_thermo *th, double *vmax, int *vmax_id, mdb_err *err);

/* Copies positions, velocities, forces, images and the cell back into sys
 * (the host system md was created on: same atoms, same order, also after
 * the engine re-sorted them on the device). */
mdb_status mdb_gmd_download(mdb_gmd *g, mdb_system *sys, mdb_err *err);

/* GPU time (ms, CUDA events recorded as graph nodes) of the force call of
 * the last step: the calculator's kernels, and the neighbour build when
 * the step had one. */
double mdb_gmd_force_ms(const mdb_gmd *g);

/* Device memory: free and total (cudaMemGetInfo; 0 on the host backend),
 * context only — they include the CUDA context, lazily loaded modules and
 * other processes on the GPU — and what the engine itself holds (its own
 * accounting of every allocation: what a leak check should look at). */
mdb_status mdb_gmd_memory(mdb_gmd *g, double *free_b, double *total_b, double *engine_b, mdb_err *err);
double mdb_gmd_engine_peak(const mdb_gmd *g); /* the most the engine held at once (bytes) */
/* Net bytes the neighbour-list and bin regrowths have added so far: growth
 * the engine needed (a denser or compressed system), not a leak. */
double mdb_gmd_regrown_bytes(const mdb_gmd *g);

/* Kernel launches the device ran so far (a reduction is two; a graph
 * launch counts the kernels in it), and graph launches. */
long mdb_gmd_launches(const mdb_gmd *g);
long mdb_gmd_graph_launches(const mdb_gmd *g);

long mdb_gmd_builds(const mdb_gmd *g);         /* neighbour builds, as of the last sample */
long mdb_gmd_sorts(const mdb_gmd *g);          /* re-sorts of the atoms (gpu/kern_sort.h), as of the last sample */
int mdb_gmd_sort_every(const mdb_gmd *g);      /* the re-sort's period in rebuilds; 0: never (off, or the
                                                  calculator keeps atom indices: mdb_gcalc_ops.fixed_order) */
int mdb_gmd_last_step_built(const mdb_gmd *g); /* the last step built the neighbour list */
long mdb_gmd_step_count(const mdb_gmd *g);     /* steps run, as of the last launch (not only the last sample) */
const mdb_dev_info *mdb_gmd_device(const mdb_gmd *g);
double mdb_gmd_extended_energy(const mdb_gmd *g); /* of the last sample */

/* Calculator names with a GPU half (their mdb_calc_ops.gpu; static
 * storage, comma-separated), and whether the calculator a spec names
 * (NAME[:...]) has one. */
const char *mdb_gmd_calculators(void);
int mdb_gmd_supports(const char *spec);

#endif
