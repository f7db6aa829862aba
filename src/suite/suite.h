/*
 * suite.h — benchmark suites: a JSON file expanded into a list of cases.
 *
 * A suite file holds run settings (steps, warmup, timestep_fs, ...) and a
 * `matrix` of system × atoms × protocol × calculator × device, expanded as a
 * cross product with `exclude` and `include` entries that follow GitHub
 * Actions' matrix rules (suites/README.md documents the format). The whole
 * file is validated before anything runs: every problem is reported at once,
 * each naming the file and the JSON path of the bad key. A calculator that
 * cannot model a system (eam on silicon) drops those cases with a note.
 *
 * Each case is an mdb_case resolved by mdb_case_resolve, a file-safe id
 * `<system>_<atoms>_<protocol>_<calculator>_<device>`, an estimated cost
 * (atoms × (steps + warmup) × a per-calculator factor: the order in which a
 * scheduler hands out cases, largest first) and a hash of every parameter
 * (a stored result whose hash differs is not the same case).
 *
 * Devices are "cpu" and "cuda". A suite is portable, so a cuda case is
 * validated as its cpu twin (same calculator names, same physics) and keeps
 * device "cuda"; whether a rank can run it is the scheduler's call.
 *
 * No MPI here: mdb_suite_case holds no pointers, so a case list can be sent
 * as bytes.
 */
#ifndef MDB_SUITE_H
#define MDB_SUITE_H

#include <stdint.h>
#include <stdio.h>

#include "bench/bench.h"
#include "core/error.h"

#define MDB_SUITE_NAMES "quick, baseline, comprehensive"
#define MDB_SUITE_DEVICES "cpu, cuda"
#define MDB_CASE_ID_MAX 256      /* ids stay short enough to be file names */
#define MDB_SUITE_MAX_ERRORS 200 /* messages kept; the rest are counted */

typedef struct mdb_suite_case {
  char id[MDB_CASE_ID_MAX]; /* "copper_108_NVE_eam_cpu"; unique within the suite */
  mdb_case c;               /* resolved: every default filled in */
  double cost;              /* atom-steps × calculator factor (arbitrary units, only ratios matter) */
  uint64_t hash;            /* mdb_suite_case_hash(&c) */
  char hash_hex[17];        /* the hash as 16 hex digits */
  char origin[48];          /* "matrix", "matrix+include[2]" (extended by include entry 2) or
                               "matrix.include[2]" (created by it) */
} mdb_suite_case;

typedef struct mdb_suite {
  char name[64];         /* "quick", or the file name without .json */
  char path[4096];       /* the file read ("" for mdb_suite_parse) */
  char description[512]; /* the file's "description", or "" */
  int n_cases;
  mdb_suite_case *cases; /* [n_cases] in expansion order; owned, freed by mdb_suite_free */
  int n_notes;
  char **notes; /* [n_notes] what expansion dropped or renamed, and why; owned */
} mdb_suite;

/* Every problem found in a suite file, each "FILE: JSON.PATH: problem".
 * Zero-initialise; free with mdb_suite_errors_free. */
typedef struct mdb_suite_errors {
  mdb_status code; /* MDB_OK, or the status of the first problem (MDB_EINPUT for the file's content) */
  int n;           /* messages kept in msg */
  int n_more;      /* problems beyond MDB_SUITE_MAX_ERRORS, counted but not kept */
  char **msg;      /* [n] owned */
} mdb_suite_errors;

/* Loads and expands a suite. name_or_path is one of MDB_SUITE_NAMES (read
 * from suites_dir/NAME.json) or a path to a suite file (it contains a '/'
 * or ends in .json). On failure out is empty and errs lists every problem
 * (MDB_EINPUT: the content; MDB_EIO: the file could not be read; MDB_ENOMEM).
 * Free out with mdb_suite_free and errs with mdb_suite_errors_free in every
 * case. */
mdb_status mdb_suite_load(const char *name_or_path, const char *suites_dir, mdb_suite *out, mdb_suite_errors *errs);

/* The same from text in memory: label names it in messages ("quick.json"),
 * base_dir resolves relative .xyz paths (NULL: the working directory). */
mdb_status mdb_suite_parse(const char *text, const char *label, const char *base_dir, mdb_suite *out,
                           mdb_suite_errors *errs);

void mdb_suite_free(mdb_suite *s);
void mdb_suite_errors_free(mdb_suite_errors *errs);

/* Writes each message on its own line, after prefix (may be NULL), then
 * "... and N more" when some were not kept. */
void mdb_suite_errors_print(const mdb_suite_errors *errs, const char *prefix, FILE *to);

/* Keeps the cases matching "key=value[,key=value...]" (keys: system, atoms,
 * protocol, calculator, device, id). Different keys must all match; a key
 * given twice matches either value. calculator matches the name ("eam"), the
 * spec ("eam:file=Cu_u3.eam") or its file-safe form ("eam-Cu_u3.eam").
 * Unknown keys, malformed text and a filter that matches nothing are
 * MDB_EINPUT, and then s is unchanged. */
mdb_status mdb_suite_filter(mdb_suite *s, const char *filter, mdb_err *err);

/* What mdb_suite_to_device did. */
typedef struct mdb_suite_fold {
  int moved;   /* cases that became their twin on the device */
  int dropped; /* cases dropped because the suite already has that twin */
  int kept;    /* cases left on their own device: their calculator has no backend there */
} mdb_suite_fold;

/* The device --device DEVICE ("auto", "cpu" or "cuda") moves every case to:
 * DEVICE itself; for auto NULL (each case on its own device) when gpus_ready
 * (every rank has a GPU, or a submitted job's nodes will), else "cpu". */
const char *mdb_suite_fold_target(const char *device, int gpus_ready);

/* Every case not on device `to` becomes its twin there (id suffix, device
 * and hash follow; double precision on the cpu), or is dropped when the
 * suite already has that twin; a case whose calculator has no backend on
 * `to` stays as it is. Case order is kept. moved_flags (NULL, or n_cases
 * bytes) gets, per case of the result, 1 when it was moved. */
void mdb_suite_to_device(mdb_suite *s, const char *to, mdb_suite_fold *out, unsigned char *moved_flags);

/* One line per case: index, id, estimated cost, hash (the --dry-run plan),
 * then the notes, each line starting with "note: ". */
void mdb_suite_print_plan(const mdb_suite *s, FILE *to);

/* Fills order[0..n_cases) with case indices, highest cost first (ties in
 * expansion order): the order a scheduler hands cases out. */
void mdb_suite_order_by_cost(const mdb_suite *s, int *order);

/* The canonical text of every parameter of a resolved case ("key=value"
 * lines, numbers with 17 significant digits) and its 64-bit FNV-1a hash.
 * Returns the length mdb_suite_case_key needed (snprintf convention). The
 * lines come from the key table (suite/suite_keys.h): a field added to
 * mdb_case needs its row there, and a test fails until it has one. */
int mdb_suite_case_key(const mdb_case *c, char *buf, size_t len);
uint64_t mdb_suite_case_hash(const mdb_case *c);

/* The file-safe form of a calculator spec used in case ids: the name, then
 * each parameter as key-value, or the file name alone for a file=... or
 * path-like value; characters outside [A-Za-z0-9._-] become '-'. Long forms
 * are cut and end in 8 hex digits of the spec's hash. */
void mdb_suite_calc_slug(const char *spec, char *buf, size_t len);

/* Where suite names are looked up: given (a --suites-dir), else
 * $MDBENCH_SUITES, else share/mdbench/suites beside the running binary when
 * it exists, else source_dir (the source tree's suites/). The result is
 * given, the environment's string, buf or source_dir. */
const char *mdb_suite_dir(const char *given, const char *source_dir, char *buf, size_t len);

/* Relative cost of one atom-step of a calculator (lj = 1), for scheduling:
 * the calculator's own estimate (mdb_calc_ops.cost), 1 when it has none. */
double mdb_suite_calc_cost_factor(const char *spec);

#endif
