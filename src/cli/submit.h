/*
 * submit.h — `mdbench-suite SUITE --submit slurm -o DIR ...`: fills one of
 * the job-script templates in jobscripts/ for the suite, writes it to
 * DIR/job.sbatch, runs `sbatch --parsable DIR/job.sbatch` and prints the job
 * id (also written to DIR/slurm_job_id). docs/slurm.md describes the
 * templates, their placeholders and the time-limit behaviour.
 *
 * Command-line code: it prints (only mdb_submit does, on stdout and stderr).
 */
#ifndef MDB_SUBMIT_H
#define MDB_SUBMIT_H

#include <stddef.h>

#include "core/error.h"

#define MDB_SUBMIT_SCHEDULERS "slurm"
#define MDB_SUBMIT_TEMPLATES "cpu, gpu-node, gpu-nodes"
#define MDB_SUBMIT_LAUNCHERS "srun, mpirun"
#define MDB_SUBMIT_MAX_ARGS 64

typedef struct mdb_submit_opts {
  const char *scheduler;     /* "slurm" */
  const char *template_name; /* cpu, gpu-node, gpu-nodes, or a template file (has a '/'); NULL: chosen */
  const char *launcher;      /* "srun" or "mpirun"; NULL: srun */
  const char *launcher_args; /* e.g. "--mpi=pmix"; NULL: none */
  const char *time;          /* Slurm's time formats; NULL: the partition's default */
  const char *partition, *account, *job_name, *modules;     /* NULL: not set */
  int nodes, gpus_per_node, ntasks_per_node, cpus_per_task; /* 0: not given */
  int signal_before;                            /* seconds before the limit for SIGUSR1; 0: the default (120) */
  int requeue;                                  /* the job requeues itself after a clean stop */
  int dry_run;                                  /* write the script, do not call sbatch */
  const char *sbatch_args[MDB_SUBMIT_MAX_ARGS]; /* each one more #SBATCH line */
  int n_sbatch_args;
} mdb_submit_opts;

/* Keeps a copy of the environment for sbatch: call before MPI_Init. */
void mdb_submit_save_env(void);

/* Integer option values: "N" with N >= min, else -1. */
int mdb_submit_parse_count(const char *text, int min);

/* Seconds of a Slurm time limit (MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS,
 * DAYS-HOURS, DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS), or -1. */
long mdb_submit_time_seconds(const char *text);

/* Checks the options on their own, before the suite is loaded: the
 * scheduler, template and launcher names, the time format, the numbers and
 * their combinations, and characters a job script cannot carry. MDB_EINPUT
 * with a message naming the valid choices. */
mdb_status mdb_submit_check(const mdb_submit_opts *o, mdb_err *err);

/* What the job runs: the same suite, cases and options as this command. */
typedef struct mdb_submit_job {
  const char *suite_arg;       /* the SUITE argument: a name or a file */
  const char *suite_name;      /* the loaded suite's name (for the job name) */
  const char *suites_dir;      /* where a suite name was found (passed on as --suites-dir) */
  const char *filter, *device; /* NULL: not given */
  int quiet;
  const char *outdir;  /* the results directory (exists) */
  int n_cases, n_todo; /* cases in the suite, and still to run */
  int gpu_cases;       /* cases that run on a GPU in this build */
} mdb_submit_job;

/* Picks and fills the template, writes OUTDIR/job.sbatch, submits it (or,
 * with dry_run, prints the sbatch command) and prints what it did. Returns
 * the exit code: 0, 2 (bad input: a template that does not fit the options,
 * a path the script cannot carry) or 3 (no template found, the script could
 * not be written, no sbatch on PATH, sbatch failed — the script is written
 * first in the last two cases, and the message says how to submit it). */
int mdb_submit(const mdb_submit_opts *o, const mdb_submit_job *j);

#endif
