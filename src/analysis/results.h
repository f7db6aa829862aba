/*
 * results.h — benchmark results read back for `mdbench analyze` and
 * `mdbench regress`.
 *
 * mdb_results_load accepts
 *   - one case JSON (`mdbench run --output`, a suite's DIR/cases/<id>.json,
 *     one of `mdbench compare`'s per-calculator files; docs/json-schema.md),
 *     `mdbench-case/2` or the older `mdbench-case/1`;
 *   - a results HDF5 file (`mdbench/2` or `mdbench/1`, docs/hdf5-layout.md);
 * Metrics are read through the one table io/metrics.def, under their names
 * or, in files written before 0.3.0, their old names (docs/metric-names.md).
 *   - a directory: its results.h5 when there is one, else every case JSON
 *     in it and in its cases/ subdirectory, sorted by file name. JSON files
 *     there that are not case results (summary.json, anything without the
 *     case schema) are skipped and named in set->notes.
 * Every case becomes one mdb_rcase with its parameters, status, summary
 * metrics and raw per-step times. Numbers a case does not have are NaN
 * (the step statistics of a case without timed steps, anything JSON wrote
 * as null).
 *
 * Errors: a missing or unreadable path is MDB_EIO; malformed JSON, a file
 * that is not an mdbench result, a wrong schema, a directory without
 * results are MDB_EINPUT. The message names the path and the problem.
 */
#ifndef MDB_ANALYSIS_RESULTS_H
#define MDB_ANALYSIS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "io/metrics.h"

typedef struct mdb_rcase {
  char case_id[256]; /* the suite's case id; "" when the source has none (`mdbench run --output`) */
  char label[256];   /* case_id, else the JSON file's name without .json */
  char key[1200];    /* parameter key: system|n_atoms|protocol|calculator|device|dt|T (see mdb_rcase_key) */
  char source[4096]; /* the file it was read from */
  /* the case */
  char system[256];
  int64_t n_atoms;
  char protocol[16];
  char calculator[512];
  char device[16];       /* backend: cpu, cuda */
  char device_name[256]; /* the device model (CPU model, GPU name); "" when not recorded */
  char host[128];
  char thermostat[16];
  double tdamp_fs, pdamp_fs, pressure_bar; /* NaN where the protocol has none */
  int64_t chain_length;
  double timestep_fs, temperature_K;
  uint64_t seed;
  int64_t n_steps, warmup_steps;
  /* outcome */
  char status[16];   /* "ok", "failed", "error", "interrupted", ... */
  char error[1024];  /* reason when not ok; "" otherwise */
  int64_t fail_step; /* -1 when none */
  /* every metric of io/metrics.def, by its id (mean_ms, ..., drift_slope_eV_per_atom_per_ps, ...):
     NaN when absent; counts (n_timed_steps, neighbor_builds) and leak_detected 0 */
#define MDB_METRIC MDB_METRIC_FIELD
#include "io/metrics.def"
#undef MDB_METRIC
  /* raw per-step wall times (ms), n_step_ms of them; NULL when none */
  double *step_ms;
  int n_step_ms;
} mdb_rcase;

typedef struct mdb_rset {
  mdb_rcase *cases;
  int n;
  char kind[16];    /* "hdf5", "json" or "directory" */
  char path[4096];  /* the file actually read for hdf5/json; the directory otherwise */
  char notes[2048]; /* files skipped in a directory, "; "-separated; "" when none */
} mdb_rset;

/* Loads path (see above) into set; on failure set is empty. */
mdb_status mdb_results_load(const char *path, mdb_rset *set, mdb_err *err);
void mdb_results_free(mdb_rset *set);

/* Parameter key of a case: system|n_atoms|protocol|calculator|device|
 * timestep_fs|temperature_K (numbers as %.17g). */
void mdb_rcase_key(const mdb_rcase *c, char *buf, size_t len);

/* Device model as stored in one case of a results HDF5 file, plus its
 * ensemble attributes and error text (results_h5attr.c: the only file of
 * src/analysis that includes <hdf5.h>). Fills the fields it finds and
 * leaves the others alone. */
mdb_status mdb_results_h5_case_attrs(const char *path, mdb_rcase *cases, int n, mdb_err *err);

#endif
