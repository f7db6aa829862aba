/*
 * result.h — what a case measured: raw per-step arrays, thermo and memory
 * samples, statistics, provenance, and the GPU and external-model records.
 */
#ifndef MDB_RESULT_H
#define MDB_RESULT_H

#include <stdint.h>

#include "bench/case.h"
#include "core/provenance.h"
#include "core/stats.h"
#include "dev/dev.h"

#define MDB_BLOWUP_EV_PER_ATOM 10.0
#define MDB_RUNAWAY_A_PER_STEP 1.0
#define MDB_LEAK_BYTES 10e6

/* What a case that ran on a GPU records (device "cuda"). */
typedef struct mdb_gpu_record {
  int used;         /* the case ran on the GPU engine */
  mdb_dev_info dev; /* the device (dev/dev.h): backend "cuda", or "host" when MDBENCH_GPU_BACKEND=host
                               emulated it on the CPU; name, UUID, PCI id, ordinal, compute capability,
                               driver and runtime versions, total memory */
  int graphs;       /* steps ran as captured CUDA graphs */
  int batch;        /* the most unsampled steps one graph launch ran (MDBENCH_GPU_BATCH, default
                               MDB_GMD_MAX_BATCH; 1: every step its own launch; graphs off: 1) */
  long graph_launches, kernel_launches;   /* over the whole run (warmup and samples included), as the
                                           backend counted them (dev/dev.h) */
  char mpi_cuda_aware[16];                /* "yes", "no", "unknown" (set by the suite runner; "" for mdbench run) */
  double mem_before, mem_after, mem_peak; /* device memory the engine holds (its own accounting of
                                             every allocation), bytes, sampled with the host memory:
                                             before the timed steps, at the end, the largest */
  double dev_used_before, dev_used_after; /* context: cudaMemGetInfo total − free at the same samples (the
                                             CUDA context, modules, other processes included); 0 on the
                                             host backend */
  double engine_bytes;                    /* what the engine itself holds on the device at the end (its accounting) */
  int leak_detected;                      /* mem_after − mem_before, less what neighbour-list and bin regrowths added
                               meanwhile (needed growth), > MDB_LEAK_BYTES: the engine's own memory grew */
  double regrown_before;                  /* mdb_gmd_regrown_bytes when mem_before was sampled */
  double *force_ms; /* [n_steps] GPU time of each timed step's force kernels (+ the neighbour build when
                                the step had one; CUDA events as graph nodes) */
  mdb_stats force;  /* statistics of force_ms (ms) */
} mdb_gpu_record;

/* What an external model's own process did: a client mdbench started itself
 * (the ase worker, ipi:launch=). Memory is the client's process tree
 * (/proc/PID/status of the client and its descendants), sampled with the
 * host memory (the same steps as mem_step). */
typedef struct mdb_model_record {
  int used;              /* a launched client was there */
  int pid;               /* its process id */
  double *model_ms;      /* [n_steps] the model's own time in each timed step, as the worker (or an
                              ABI-3 plugin, used 0) timed it around the calculator call; NULL when
                              not reported */
  mdb_stats model;       /* of model_ms */
  mdb_stats transport;   /* of client_wait_ms − model_ms: socket, (de)serialisation, the worker's own Python */
  mdb_stats integration; /* of step_ms − client_wait_ms: mdbench's integrator, neighbour checks, bookkeeping */
  mdb_stats overhead;    /* of step_ms − model_ms: everything that is not the model (the harness) */
  int64_t *mem_bytes;    /* [n_mem] the client's resident set (VmRSS summed over its process tree), bytes;
                              -1 where it could not be read (the client gone) */
  double mem_before, mem_after, mem_peak; /* bytes; peak: the largest of the samples and of VmHWM */
  int threads;                            /* the client's threads (Threads:) at the last sample */
  int leak_detected;     /* mem_after − mem_before > MDB_LEAK_BYTES; mdb_result.leak_detected is this one
                              when used (an external model's leaks are the model's, not mdbench's) */
  int own_leak_detected; /* mdbench's own process, by the same rule */
  double gpu_mem_bytes;  /* GPU memory used by the client's processes (nvidia-smi --query-compute-apps),
                              the largest sample; -1 when not measurable (gpu_note says why) */
  char gpu_note[128];
  char info[4096]; /* what the worker reported about itself: a JSON object (python, packages,
                              torch and device, model file SHA-256); "" when nothing */
} mdb_model_record;

typedef struct mdb_result {
  mdb_case c; /* as run: defaults resolved */
  int n_atoms;
  int reps[3];
  double lattice_A;
  double final_extended_energy; /* eV: thermostat/barostat terms of the conserved energy at the end
                                   (−heat for Langevin; 0 for NVE) */
  char status[16];              /* "ok", "failed", or "interrupted": a stop was requested (core/stop.h) and
                           the run ended cleanly after step fail_step; the arrays hold what was done */
  long fail_step;               /* -1 when ok */
  char fail_reason[1024];

  /* raw data */
  int n_timed;            /* timed steps completed */
  double *step_ms;        /* [n_steps] wall time of every timed step */
  double *client_wait_ms; /* [n_steps] of each timed step, the time spent waiting for an external
                             process (an i-PI client) or inside a plugin that reports its model's
                             time; NULL for a calculator without one */
  double client_wait_s;   /* their sum; 0 without an external process */
  int n_samples;
  long *th_step;
  double *th_time_fs, *th_potential, *th_kinetic, *th_total, *th_conserved, *th_temperature, *th_pressure, *th_volume,
      *th_momentum; /* |P| in amu·Å/fs */
  int n_mem;
  long *mem_step;
  int64_t *mem_bytes;

  /* derived */
  mdb_stats step;      /* ms */
  double total_time_s; /* sum of the timed steps */
  double wall_time_s;  /* the whole loop, sampling included */
  double setup_time_s;
  double steps_per_second, atom_steps_per_second, ns_per_day;
  double mem_before, mem_after, mem_peak; /* bytes (host RSS; peak = process high-water mark) */
  int leak_detected;
  double energy_std;       /* eV, of the total energy samples */
  double energy_drift;     /* (E_end − E_0)/|E_0| of the total energy */
  double potential_drift;  /* (U_end − U_0)/|U_0| of the potential energy: the Python framework's
                             "drift", kept so its baselines and thresholds can still be compared */
  double drift_slope;      /* eV/atom/ps, least-squares slope of the conserved energy */
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

void mdb_result_free(mdb_result *r);

#endif
