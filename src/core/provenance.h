/*
 * provenance.h — where and with what a result was produced: the machine,
 * the Slurm job, the build, the MPI library. (The SHA-256 of every file a
 * calculator reads is calc/files.h: only the calculators know their files.)
 *
 * Every string field is NUL-terminated and "" when the fact is unknown
 * (outside Slurm, a CPU whose /proc/cpuinfo names no model, ...); collecting
 * never fails for a missing fact. Strings longer than a field are cut.
 */
#ifndef MDB_PROVENANCE_H
#define MDB_PROVENANCE_H

#include <stddef.h>

#include "core/error.h"

typedef struct mdb_provenance {
  char host[256];                /* gethostname */
  char cpu_model[256];           /* /proc/cpuinfo: see mdb_cpuinfo_model */
  int cpu_count;                 /* online CPUs (sysconf); 0 when unknown */
  char os[256];                  /* uname: "sysname release machine", e.g. "Linux 6.1.0-18-amd64 x86_64" */
  char slurm_job_id[64];         /* SLURM_JOB_ID (else the older SLURM_JOBID) */
  char slurm_array_job_id[64];   /* SLURM_ARRAY_JOB_ID */
  char slurm_array_task_id[64];  /* SLURM_ARRAY_TASK_ID */
  char slurm_job_nodelist[1024]; /* SLURM_JOB_NODELIST (else SLURM_NODELIST) */
  char slurm_job_partition[128]; /* SLURM_JOB_PARTITION */
  char slurm_cluster_name[128];  /* SLURM_CLUSTER_NAME */
  char slurm_procid[32];         /* SLURM_PROCID: the rank as Slurm sees it */
  char compiler[128];            /* the compiler that built mdbench, e.g. "GCC 12.2.0" (compile-time macros) */
  char build_type[32];           /* CMAKE_BUILD_TYPE, e.g. "Release"; "" when none was set */
  char build_flags[512];         /* mdb_build_flags(): "GNU 12.2.0 Release -O3 -DNDEBUG" */
  char git_commit[64];           /* mdb_git_commit(): 12-hex commit, "-dirty" appended for a modified tree */
  int git_dirty;                 /* 1 when git_commit ends in "-dirty" */
  /* added beyond the first draft */
  char mdbench_version[32]; /* mdb_version() */
  char mpi_version[16];     /* MPI standard version of the library, "3.1" (MPI_Get_version) */
  char mpi_library[256];    /* first line of MPI_Get_library_version, e.g. "Open MPI v4.1.4, package: ..." */
  int sanitized;            /* 1 for an AddressSanitizer build (timings are not comparable) */
  /* NVIDIA GPUs of the node, from the driver's /proc files (no CUDA needed;
   * see mdb_nvidia_gpus): every GPU the node has, in PCI bus order, not
   * only those this process uses — cuda_visible_devices says which */
  int gpu_count;                  /* 0: no NVIDIA driver loaded */
  char gpu_driver[64];            /* kernel module version, e.g. "535.129.03" */
  char gpu_models[1024];          /* "NVIDIA H100 80GB HBM3;NVIDIA H100 80GB HBM3" */
  char gpu_uuids[1024];           /* "GPU-5a1b...;GPU-77c0..." */
  char cuda_visible_devices[256]; /* CUDA_VISIBLE_DEVICES as set ("" when unset) */
} mdb_provenance;

/* Fills p from this process's environment and build. Safe before and
 * without MPI_Init (it calls only MPI_Get_version and
 * MPI_Get_library_version, which the standard allows then). Never fails on
 * missing facts (leaves ""); returns MDB_OK. err may be NULL. */
mdb_status mdb_provenance_collect(mdb_provenance *p, mdb_err *err);

/* The CPU model from a /proc/cpuinfo-format file (path NULL: /proc/cpuinfo):
 * the first "model name" line (x86, and ARM kernels that give one); else
 * "Model" (Raspberry Pi and other boards); else "Hardware"; else "cpu model"
 * (MIPS) or "cpu" (POWER); else "CPU implementer 0x41 part 0xd0c" built from
 * the ARM "CPU implementer"/"CPU part" ids. Returns 1 and fills out when one
 * was found, 0 and "" otherwise (no file, no such line). */
int mdb_cpuinfo_model(const char *path, char *out, size_t outlen);

/* NVIDIA GPUs from the driver's files under root (NULL: /proc/driver/nvidia):
 * root/version's "NVRM version: ... Kernel Module  535.129.03 ..." line gives
 * gpu_driver; each root/gpus/<PCI address>/information (in address order)
 * its "Model:" and "GPU UUID:" lines, joined with ';' into gpu_models and
 * gpu_uuids. Fills only those fields of p; returns gpu_count (0 without the
 * driver). */
int mdb_nvidia_gpus(const char *root, mdb_provenance *p);

/* The build type: "Release", "Debug", ...; "" when none. Taken from the
 * MDB_BUILD_TYPE macro when the build defines it, else from the third word
 * of mdb_build_flags() ("COMPILER_ID VERSION BUILD_TYPE FLAGS...").
 * Static storage. */
const char *mdb_provenance_build_type(void);

#endif
