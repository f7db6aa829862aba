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

#include <stdint.h>

#include "core/error.h"
#include "core/provenance.h"
#include "gpu/dev.h"

#define MDB_BLOWUP_EV_PER_ATOM 10.0
#define MDB_RUNAWAY_A_PER_STEP 1.0
#define MDB_LEAK_BYTES 10e6

typedef struct mdb_case {
  char system[256];     /* built-in name or .xyz path */
  int n_atoms;          /* 0: the system's default */
  double lattice_A;     /* 0: the system's default */
  char protocol[8];     /* "NVE", "NVT" or "NPT" (md/md.h) */
  char thermostat[16];  /* "nhc" or "langevin"; "": none for NVE, nhc otherwise */
  double tdamp_fs;      /* thermostat damping; 0: 100 fs (NVT, NPT) */
  double pdamp_fs;      /* barostat damping; 0: 1000 fs (NPT) */
  double pressure_bar;  /* NPT target, used when pressure_set */
  int pressure_set;     /* 0: 1.01325 bar for NPT; set for any other protocol is an error */
  int chain;            /* Nosé–Hoover chain length; 0: 3 (nhc only) */
  char calculator[512]; /* spec; "" : the system's default */
  char device[16];      /* "cpu" or "cuda" (gpu/gmd.h) */
  char precision[8];    /* "double", or "mixed" (cuda: float pair arithmetic, double integration and sums) */
  int n_steps;
  int warmup_steps;
  double timestep_fs;   /* 0: the system's default */
  double temperature_K;
  uint64_t seed;
  int energy_interval;
  int memory_interval;
  double skin_A;
} mdb_case;

/* Statistics of a sample (numpy conventions: population std, linear
 * interpolation between order statistics for percentiles). */
typedef struct mdb_stats {
  double mean, std, median, min, max, p95, p99;
} mdb_stats;

/* What a case that ran on a GPU records (device "cuda"). */
typedef struct mdb_gpu_record {
  int used;                 /* the case ran on the GPU engine */
  mdb_dev_info dev;         /* the device (gpu/dev.h): backend "cuda", or "host" when MDBENCH_GPU_BACKEND=host
                               emulated it on the CPU; name, UUID, PCI id, ordinal, compute capability,
                               driver and runtime versions, total memory */
  int graphs;               /* steps ran as captured CUDA graphs */
  int batch;                /* the most unsampled steps one graph launch ran (MDBENCH_GPU_BATCH, default
                               MDB_GMD_MAX_BATCH; 1: every step its own launch; graphs off: 1) */
  long graph_launches, kernel_launches; /* over the whole run (warmup and samples included), as the
                                           backend counted them (gpu/dev.h) */
  char mpi_cuda_aware[16];  /* "yes", "no", "unknown" (set by the suite runner; "" for mdbench run) */
  double mem_before, mem_after, mem_peak; /* device memory the engine holds (its own accounting of
                                             every allocation), bytes, sampled with the host memory:
                                             before the timed steps, at the end, the largest */
  double dev_used_before, dev_used_after; /* context: cudaMemGetInfo total − free at the same samples (the
                                             CUDA context, modules, other processes included); 0 on the
                                             host backend */
  double engine_bytes;      /* what the engine itself holds on the device at the end (its accounting) */
  int leak_detected;        /* mem_after − mem_before, less what neighbour-list and bin regrowths added
                               meanwhile (needed growth), > MDB_LEAK_BYTES: the engine's own memory grew */
  double regrown_before;    /* mdb_gmd_regrown_bytes when mem_before was sampled */
  double *force_ms;         /* [n_steps] GPU time of each timed step's force kernels (+ the neighbour build when
                                the step had one; CUDA events as graph nodes) */
  mdb_stats force;          /* statistics of force_ms (ms) */
} mdb_gpu_record;

/* What an external model's own process did: a client mdbench started itself
 * (the ase worker, ipi:launch=). Memory is the client's process tree
 * (/proc/PID/status of the client and its descendants), sampled with the
 * host memory (the same steps as mem_step). */
typedef struct mdb_model_record {
  int used;                /* a launched client was there */
  int pid;                 /* its process id */
  double *model_ms;        /* [n_steps] the model's own time in each timed step, as the worker timed it
                              around the calculator call; NULL when the client does not report it */
  mdb_stats model;         /* of model_ms */
  mdb_stats transport;     /* of client_wait_ms − model_ms: socket, (de)serialisation, the worker's own Python */
  mdb_stats integration;   /* of step_ms − client_wait_ms: mdbench's integrator, neighbour checks, bookkeeping */
  mdb_stats overhead;      /* of step_ms − model_ms: everything that is not the model (the harness) */
  int64_t *mem_bytes;      /* [n_mem] the client's resident set (VmRSS summed over its process tree), bytes;
                              -1 where it could not be read (the client gone) */
  double mem_before, mem_after, mem_peak; /* bytes; peak: the largest of the samples and of VmHWM */
  int threads;             /* the client's threads (Threads:) at the last sample */
  int leak_detected;       /* mem_after − mem_before > MDB_LEAK_BYTES; mdb_result.leak_detected is this one
                              when used (an external model's leaks are the model's, not mdbench's) */
  int own_leak_detected;   /* mdbench's own process, by the same rule */
  double gpu_mem_bytes;    /* GPU memory used by the client's processes (nvidia-smi --query-compute-apps),
                              the largest sample; -1 when not measurable (gpu_note says why) */
  char gpu_note[128];
  char info[4096];         /* what the worker reported about itself: a JSON object (python, packages,
                              torch and device, model file SHA-256); "" when nothing */
} mdb_model_record;

/* The client's process tree from /proc: resident set, high-water mark (both
 * bytes, summed) and threads; returns 0, or -1 when pid is gone. */
int mdb_proc_tree_status(int pid, int64_t *rss, int64_t *hwm, int *threads);

/* GPU memory (bytes) used by pid's process tree per nvidia-smi; -1 with
 * why filled when that cannot be measured here. */
double mdb_proc_tree_gpu_bytes(int pid, char *why, size_t len);

typedef struct mdb_result {
  mdb_case c;           /* as run: defaults resolved */
  int n_atoms;
  int reps[3];
  double lattice_A;
  double final_extended_energy; /* eV: thermostat/barostat terms of the conserved energy at the end
                                   (−heat for Langevin; 0 for NVE) */
  char status[16];      /* "ok", "failed", or "interrupted": a stop was requested (core/stop.h) and
                           the run ended cleanly after step fail_step; the arrays hold what was done */
  long fail_step;       /* -1 when ok */
  char fail_reason[1024];

  /* raw data */
  int n_timed;          /* timed steps completed */
  double *step_ms;      /* [n_steps] wall time of every timed step */
  double *client_wait_ms; /* [n_steps] of each timed step, the time spent waiting for an external
                             process (an i-PI client); NULL for a calculator without one */
  double client_wait_s;   /* their sum; 0 without an external process */
  int n_samples;
  long *th_step;
  double *th_time_fs, *th_potential, *th_kinetic, *th_total, *th_conserved, *th_temperature, *th_pressure,
      *th_volume, *th_momentum; /* |P| in amu·Å/fs */
  int n_mem;
  long *mem_step;
  int64_t *mem_bytes;

  /* derived */
  mdb_stats step;       /* ms */
  double total_time_s;  /* sum of the timed steps */
  double wall_time_s;   /* the whole loop, sampling included */
  double setup_time_s;
  double steps_per_second, atom_steps_per_second, ns_per_day;
  double mem_before, mem_after, mem_peak; /* bytes (host RSS; peak = process high-water mark) */
  int leak_detected;
  double energy_std;    /* eV, of the total energy samples */
  double energy_drift;  /* (E_end − E_0)/|E_0| of the total energy */
  double potential_drift; /* (U_end − U_0)/|U_0| of the potential energy: the Python framework's
                             "drift", kept so its baselines and thresholds can still be compared */
  double drift_slope;   /* eV/atom/ps, least-squares slope of the conserved energy */
  double max_dev_per_atom; /* max |E − E_0| / N, eV/atom (conserved energy) */
  double momentum_drift;   /* max |P(t) − P(0)| / N, amu·Å/fs per atom */
  double mean_temperature, std_temperature, mean_pressure, std_pressure, mean_volume;
  long neighbor_builds;

  char host[128];
  char started_utc[32], ended_utc[32];
  mdb_provenance prov;         /* where and how it ran: host, CPU, Slurm job, GPUs, MPI, compiler, build, commit */
  char potential_sha256[8192]; /* "path=sha256hex;..." of every file the calculator reads; "" for built-ins */
  mdb_gpu_record gpu;          /* used = 0 on the CPU */
  mdb_model_record model;      /* used = 0 without a launched client */
} mdb_result;

/* The CUDA device a GPU case uses: the suite runner binds each rank to one
 * by its node-local rank; -1 (the default) means device 0. */
void mdb_case_set_gpu(int ordinal, const char *mpi_cuda_aware);

/* Whether a GPU case can run here: a CUDA build with a usable device, or
 * MDBENCH_GPU_BACKEND=host (the GPU kernels emulated on the CPU, for
 * tests). Fills why (may be NULL) when not. */
int mdb_case_gpu_usable(char *why, size_t len);

/* Fills defaults (argon 256 atoms, lj, NVE, cpu, 1000 steps, 10 warmup,
 * 300 K, seed 42, energy every 10 steps, memory every 100, skin 1 Å). The
 * temperature is the start temperature and, for NVT and NPT, the target;
 * seed also keys the Langevin noise. */
void mdb_case_defaults(mdb_case *c);

/* Resolves system and ensemble defaults and checks every field; the
 * message names the flag and its valid range. Idempotent. Settings that do
 * not apply to the protocol (a thermostat or --tdamp-fs for NVE,
 * --pdamp-fs or --pressure-bar without NPT) are errors. */
mdb_status mdb_case_resolve(mdb_case *c, mdb_err *err);

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
} mdb_run_hooks;

/* mdb_case_run with hooks (NULL: none). */
mdb_status mdb_case_run_hooked(const mdb_case *c, const mdb_run_hooks *hooks, mdb_result *r, mdb_err *err);
void mdb_result_free(mdb_result *r);

/* Statistics of x[0..n) (n >= 1). */
mdb_status mdb_stats_compute(const double *x, int n, mdb_stats *s, mdb_err *err);

/* Sorts x[0..n) ascending. */
void mdb_sort_doubles(double *x, int n);
/* numpy's default percentile (linear between order statistics) of sorted
 * s[0..n), q in [0, 1]. */
double mdb_percentile_sorted(const double *s, int n, double q);

/* Least-squares slope of y against x. */
double mdb_fit_slope(const double *x, const double *y, int n);

/* Host memory: current resident set and the process's peak (bytes). */
int64_t mdb_mem_rss_bytes(void);
int64_t mdb_mem_peak_bytes(void);

/* Monotonic clock in seconds. */
double mdb_now(void);

#endif
