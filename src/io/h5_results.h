/*
 * h5_results.h — the suite's results as one HDF5 file (schema "mdbench/2").
 *
 * One process writes every case: its parameters and provenance as attributes
 * of /cases/<case_id>, its raw per-step arrays (step times, thermo, memory) as
 * datasets with a "units" attribute, and a /summary table with one row per
 * case. The layout is a public contract, documented in docs/hdf5-layout.md;
 * add to it; a rename bumps the schema (the readers keep reading the old one). The file appears whole or not at all (PATH.tmp.PID,
 * fsync, rename, as core/atomic.h). The readers serve tests and `mdbench
 * analyze`/`regress`; they check the schema before reading anything.
 *
 * Strings are variable-length UTF-8: h5py reads attributes as str and the
 * summary's string columns as bytes (decode them). The HDF5 headers stay out
 * of this interface; only io/h5_*.c include <hdf5.h> (io/h5_priv.h). The
 * /summary's metric columns are io/metrics.def's.
 */
#ifndef MDB_H5_RESULTS_H
#define MDB_H5_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench.h"
#include "bench/shadow.h"
#include "core/error.h"
#include "io/metrics.h"

#define MDB_H5_SCHEMA "mdbench/2"     /* what the writer writes */
#define MDB_H5_SCHEMA_OLD "mdbench/1" /* before 0.3.0: read too, its old column names mapped (io/metrics.def) */
#define MDB_H5_CASE_ID_MAX 256        /* case ids are shorter than this (bytes, terminator included) */

/* The run as a whole: root attributes. Every pointer may be NULL; the
 * comment says what NULL means. Nothing is retained after the call. */
typedef struct mdb_h5_meta {
  const char *suite;           /* suite name ("quick", a file path); NULL: "" */
  const char *command;         /* the command line as run; NULL: "" */
  int mpi_ranks;               /* ranks of the run (>= 1; 0 is written as 1) */
  const char *created_utc;     /* "YYYY-MM-DDTHH:MM:SSZ"; NULL: now */
  const char *mdbench_version; /* NULL: mdb_version() */
  const char *git_commit;      /* NULL: mdb_git_commit() */
  const char *build;           /* compiler, build type, flags; NULL: mdb_build_flags() */
  const char *mpi_library;     /* MPI_Get_library_version text; NULL: "" */
  int incomplete;              /* 1: the run stopped before every case of its suite finished (root
                                  attribute complete = 0); 0: complete = 1 */
  int suite_cases;             /* cases in the suite (root attribute suite_cases); 0: the cases written */
  const char *stop_signal;     /* the signal that stopped the run ("SIGUSR1"); NULL: "" */
} mdb_h5_meta;

/* Where and how one case ran. A NULL string takes the default named in its
 * comment; zero-initialise and fill what the scheduler knows. */
typedef struct mdb_h5_prov {
  int rank;                    /* MPI rank that ran the case */
  const char *host;            /* NULL: result->host ("" without a result) */
  const char *device_name;     /* the device as its driver names it ("NVIDIA H200"); NULL: "" */
  const char *mpi_library;     /* NULL: meta->mpi_library */
  const char *started_utc;     /* NULL: result->started_utc ("" without a result) */
  const char *ended_utc;       /* NULL: result->ended_utc ("" without a result) */
  const char *error;           /* why the case could not run: required, and read, only without a result
                                  (a result's own fail_reason is written for a failed run) */
  const char *mdbench_version; /* build that ran it (a resumed case may come from another); NULL: meta's */
  const char *git_commit;      /* NULL: meta's */
  const char *build;           /* NULL: meta's */
} mdb_h5_prov;

/* One case to write. With a result, the status is the result's ("ok" or
 * "failed", the partial arrays included). Without one (the case stopped
 * with an error before it could run), spec must be given, the status is
 * "error", prov.error must say why, and the arrays are empty. */
typedef struct mdb_h5_case {
  const char *case_id;      /* group name under /cases: unique, non-empty, no '/', not "." */
  const mdb_result *result; /* borrowed; NULL: the case did not run */
  const mdb_case *spec;     /* borrowed; the case as requested, read only when result is NULL */
  mdb_h5_prov prov;
  const mdb_shadow *shadow; /* borrowed; a shadow calculator's record along this trajectory
                               (`mdbench compare --shadow`): written as the group shadow/; NULL: none */
} mdb_h5_case;

/* Writes every case and the summary to path, whole or not at all. Bad
 * arguments (a duplicate or malformed case id, a case with neither result
 * nor spec) return MDB_EINPUT before anything is created; any I/O or HDF5
 * failure returns MDB_EIO naming path and leaves no temporary file. An
 * existing file at path is replaced only on success. HDF5's automatic error
 * printing is off during the call and restored after it. */
mdb_status mdb_h5_write(const char *path, const mdb_h5_meta *meta, const mdb_h5_case *cases, int ncases, mdb_err *err);

/* One row of /summary. Strings that do not fit these sizes are an error
 * when reading (the writer's limits are the same as mdb_case's). Numbers a
 * case does not have (the statistics of an "error" case, tdamp for NVE) are
 * NaN; counts are 0 and fail_step is -1. The metric columns are the fields
 * of io/metrics.def whose sum is 1, named by their id. */
typedef struct mdb_h5_summary_row {
  /* the case */
  char case_id[MDB_H5_CASE_ID_MAX];
  char system[256];
  int64_t n_atoms;
  char protocol[8];
  char calculator[512];
  char device[16];
  char status[16]; /* "ok", "failed", "interrupted" or "error" */
  int64_t n_steps, warmup_steps;
  int64_t fail_step; /* -1 unless failed */
  int64_t rank;
  char host[128];
  uint64_t seed;
  double timestep_fs, temperature_K;
  /* the metrics: mean_ms, median_ms, ..., energy_drift (the contract's), then the others */
#define MDB_METRIC MDB_METRIC_SUM_FIELD
#include "io/metrics.def"
#undef MDB_METRIC
} mdb_h5_summary_row;

/* Reads /summary in file order. *rows is malloc'ed (free() it; NULL when
 * *nrows is 0). A missing file is MDB_EIO; a file that is neither mdbench/2
 * nor mdbench/1 (read through the old column names) is MDB_EINPUT. */
mdb_status mdb_h5_read_summary(const char *path, mdb_h5_summary_row **rows, int *nrows, mdb_err *err);

/* Reads one 1-D numeric dataset of a case, named relative to its group
 * ("step_time_ms", "thermo/total_energy_eV", "memory/bytes"), converted to
 * double (int64 values are exact below 2^53). *x is malloc'ed (free() it;
 * NULL when *n is 0). An unknown case or dataset is MDB_EINPUT. */
mdb_status mdb_h5_read_series(const char *path, const char *case_id, const char *dataset, double **x, int *n,
                              mdb_err *err);

/* The case's raw step times in ms: mdb_h5_read_series(..., "step_time_ms", ...). */
mdb_status mdb_h5_read_step_times(const char *path, const char *case_id, double **ms, int *n, mdb_err *err);

/* A string attribute of the root of a results file ("suite", "command",
 * ...) into buf (len bytes), read through io/h5_attr.h. An absent
 * attribute, or one that is not a string fitting in buf, is MDB_EINPUT;
 * errors otherwise as mdb_h5_read_summary. */
mdb_status mdb_h5_read_root_str(const char *path, const char *name, char *buf, size_t len, mdb_err *err);

/* Merges files that hold one case each (as mdb_h5_write wrote them, e.g.
 * the per-case files of a suite run) into one results file at path: each
 * /cases/<id> group is copied unchanged, the summary rows are concatenated
 * in the order given, the root attributes come from meta. Written whole or
 * not at all. */
mdb_status mdb_h5_merge(const char *path, const mdb_h5_meta *meta, const char *const *parts, int nparts, mdb_err *err);

#endif
