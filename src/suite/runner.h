/*
 * runner.h — running a suite over MPI ranks: the only module that calls MPI.
 *
 * Rank 0 loads, validates and expands the suite; every rank receives the
 * case list as bytes (mdb_suite_case holds no pointers; ranks run the same
 * binary). Cases are handed out dynamically, largest estimated cost first,
 * through a counter in an MPI window on rank 0 (MPI_Fetch_and_op, passive
 * target), so rank 0 runs cases like every other rank. Each finished case
 * is persisted at once by the rank that ran it: DIR/cases/<id>.h5 (the case
 * alone, in the results layout), then DIR/cases/<id>.json (the reference
 * guide's schema plus case_id and case_hash) — the JSON, written last and
 * atomically, marks the case as done; it records the .h5's size and SHA-256
 * and is sealed by a SHA-256 of its own bytes. A crash or kill -9 loses at
 * most the cases in flight; --resume reruns exactly the cases without an
 * intact marker and an intact case file (mdb_run_prepare) and refuses a
 * marker whose parameter hash differs. At the end rank 0 merges
 * the case files into DIR/results.h5 and writes DIR/summary.jsonc.
 */
#ifndef MDB_RUNNER_H
#define MDB_RUNNER_H

#include "bench/bench.h"
#include "suite/suite.h"

typedef struct mdb_par {
  int rank, size; /* in MPI_COMM_WORLD */
  int local_rank; /* within the node (MPI_COMM_TYPE_SHARED): selects the GPU */
  int local_size;
  char mpi_library[512]; /* MPI_Get_library_version, first line */
  mdb_dev_binding gpu;   /* this rank's GPU (mdb_par_setup_gpu), passed to every case it runs */
} mdb_par;

/* MPI_Init and the rank facts. */
mdb_status mdb_par_init(int *argc, char ***argv, mdb_par *p, mdb_err *err);
void mdb_par_finalize(void);
/* Ends every rank with code (the CLI's last resort). */
void mdb_par_abort(int code);
/* Rank 0's value of *v on every rank. */
void mdb_par_bcast_int(int *v);
/* The smallest/largest value over all ranks. */
int mdb_par_max_int(int v);

/* GPU binding: each rank takes CUDA device local_rank mod (devices on its
 * node), records whether the MPI library is CUDA-aware (Open MPI's
 * MPIX_Query_cuda_support: "yes", "no", or "unknown" for another MPI), and
 * learns whether every rank has a usable GPU (1) or not (0); why holds
 * the reason of a rank without one. Collective. */
int mdb_par_setup_gpu(mdb_par *p, char *why, size_t len);
/* "yes", "no" or "unknown" (static storage). */
const char *mdb_par_mpi_cuda_aware(void);

/* Sends rank 0's suite (its cases) to every rank; other ranks' s must be
 * zeroed and is filled (free with mdb_suite_free). */
mdb_status mdb_par_bcast_suite(mdb_suite *s, mdb_err *err);

typedef struct mdb_run_opts {
  const char *outdir;      /* results directory */
  const char *suite_label; /* for the file's root attributes */
  const char *command;     /* the command line, for provenance */
  /* one line (no newline) for the user on rank 0: a damaged or missing case
     file that --resume runs again, a stale temporary removed; NULL: none */
  void (*notice)(void *user, const char *line);
  void *notice_user;
} mdb_run_opts;

/* Progress after each case a rank finishes (called on rank 0 only, when
 * rank 0 finishes a case or learns of others' at its next step). */
typedef void (*mdb_progress_fn)(void *user, int done, int failed, int total, double elapsed_s);

typedef struct mdb_run_report {
  int total;         /* cases in the suite */
  int skipped;       /* already done (resume) */
  int ran;           /* run now, over all ranks */
  int failed;        /* cases whose status is not ok (all, resumed ones included) */
  double makespan_s; /* first case start to last case end, all ranks */
  double run_s;      /* sum over cases run now of the time inside mdb_case_run */
  double io_s;       /* sum over cases of persisting them (case .h5 and .json) */
  double merge_s;    /* rank 0 writing results.h5 and summary.jsonc */
  int interrupted;   /* a stop was requested (core/stop.h): the cases in flight were recorded as
                         "interrupted", no new case was started; results.h5 holds what was done
                         and its root attribute complete is 0. Resume with --resume DIR. */
  int stop_signal;   /* the signal that stopped the run (0 when none) */
  int unfinished;    /* cases of the suite without a finished result after this run */
} mdb_run_report;

/* Rank 0 prepares DIR and marks which cases are done; todo[i] = 1 for the
 * cases to run. All ranks get the same todo.
 *  - A DIR made by `mdbench compare`, by another suite, or holding cases this
 *    run does not have (another --filter/--device) is refused (MDB_EINPUT,
 *    nothing touched); without resume, so is a DIR that already holds results.
 *  - DIR and DIR/cases must be writable (MDB_EIO before any case runs).
 *  - Temporary files an interrupted write left (NAME.tmp.PID) are removed.
 *  - With resume, a case is done when its marker is intact (its seal holds),
 *    has this case's parameter hash (another hash: MDB_EINPUT) and its .h5
 *    has the size and SHA-256 the marker records (an older marker without
 *    them: the .h5 opens and holds the case). A damaged marker or a missing
 *    or damaged .h5 is said (o->notice, one line per case), both files are
 *    removed, and the case runs again. */
mdb_status mdb_run_prepare(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, int resume, int *todo,
                           mdb_err *err);

/* Runs the todo cases over all ranks and, on rank 0, writes DIR/results.h5
 * and DIR/summary.jsonc. Case failures are results, not errors. */
mdb_status mdb_run_suite(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, const int *todo,
                         mdb_progress_fn progress, void *user, mdb_run_report *rep, mdb_err *err);

#endif
