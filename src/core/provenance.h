/*
 * provenance.h — where and with what a result was produced: the machine,
 * the Slurm job, the build, the MPI library, and the SHA-256 of every file
 * a calculator reads (potential files, plugin libraries).
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

/* ------------------------------------------------------------- files */

#define MDB_PATH_MAX 4096
#define MDB_SPEC_FILES_MAX 16 /* = MDB_SPEC_MAX_PARAMS: a spec names at most this many */

/* The files a calculator spec reads, in spec order, each as the calculator
 * opens it:
 *   eam:file=NAME    NAME as given when it opens (or has a '/'); else the
 *                    first of $LAMMPS_POTENTIALS/NAME and
 *                    /usr/share/lammps/potentials/NAME that opens — eam.c's
 *                    own search (mdb_potential_resolve below)
 *   sw:file=PATH     PATH as given (sw.c opens it as is)
 *   plugin:lib=PATH  PATH as given when it has a '/'; a bare name is looked
 *                    up by the dynamic loader exactly as plugin.c's dlopen
 *                    does, and the loader's full path is returned
 *   lj, spcfw, eam/sw without file=, ipi: none (ipi's launch= is a command;
 *                    what the client reads is outside mdbench's view)
 * A file that cannot be found is still listed (as given), so that
 * mdb_calc_spec_sha256 names it in its error. Returns the count (0 for
 * built-in potentials), at most max; -1 when the spec does not parse. */
int mdb_calc_spec_files(const char *spec, char (*files)[MDB_PATH_MAX], int max);

typedef struct mdb_file_digest {
  char path[MDB_PATH_MAX]; /* as mdb_calc_spec_files gives it */
  char sha256[65];         /* 64 lowercase hex characters */
} mdb_file_digest;

/* The files of spec with their digests, in spec order; *n is set to the
 * count (0 for built-ins). MDB_EINPUT for a spec that does not parse,
 * MDB_EIO naming the spec and the file that cannot be read (with the
 * directories looked in for a bare potential name), MDB_ERUN when there are
 * more than max files. */
mdb_status mdb_calc_spec_digests(const char *spec, mdb_file_digest *out, int max, int *n, mdb_err *err);

/* The same as one string "path=sha256hex;path2=sha256hex" in spec order ("" for
 * built-in potentials). Paths may themselves hold '=' or ';' (rare); readers
 * that must be exact split each entry at its LAST '=' (the digest is fixed
 * length: the last 64 characters). MDB_ERUN when outlen is too small; the
 * other errors as for mdb_calc_spec_digests. On error out is "". */
mdb_status mdb_calc_spec_sha256(const char *spec, char *out, size_t outlen, mdb_err *err);

/* eam.c's potential-file search: name as given when it can be opened for
 * reading or contains a '/'; else $LAMMPS_POTENTIALS/name, then
 * /usr/share/lammps/potentials/name, the first that opens. Returns 1 and
 * the path in out when found; 0 with name copied to out when not. */
int mdb_potential_resolve(const char *name, char *out, size_t outlen);

#endif
