/*
 * mdbench-suite — run a benchmark suite over MPI ranks into one results
 * directory (DIR/results.h5, DIR/summary.jsonc, DIR/cases/).
 *
 *   mpirun -n 8 mdbench-suite comprehensive -o results/full
 *   mdbench-suite quick --dry-run
 *   mdbench-suite baseline --resume results/base
 *   mdbench-suite quick --submit slurm -o results/q --time 30 --ntasks-per-node 8
 *
 * Exit codes: 0 every case ok; 1 the suite ran but some case failed or could
 * not run (each is recorded with its reason); 2 bad input (flags, the suite
 * file — every problem is listed —, an output directory that already holds
 * results); 3 I/O or runtime error; 75 stopped cleanly by SIGTERM, SIGINT or
 * SIGUSR1 (Slurm's warning signal) at a step boundary: what was done is
 * saved, --resume finishes it. Only rank 0 prints, except errors.
 *
 * --submit slurm (cli/submit.c) runs nothing here: it fills a job-script
 * template from jobscripts/ into DIR/job.sbatch and hands it to sbatch.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/submit.h"
#include "core/stop.h"
#include "core/version.h"
#include "io/h5_results.h"
#include "dev/dev.h"
#include "suite/estimate.h"
#include "suite/runner.h"
#include "suite/suite.h"

enum {
  OPT_OUTPUT = 256,
  OPT_RESUME,
  OPT_DRY,
  OPT_FILTER,
  OPT_DEVICE,
  OPT_SUITES,
  OPT_QUIET,
  OPT_HELP,
  OPT_VERSION,
  OPT_ESTIMATE_FROM,
  /* --submit and its options (cli/submit.h) */
  OPT_SUBMIT,
  OPT_TEMPLATE,
  OPT_LAUNCHER,
  OPT_LAUNCHER_ARGS,
  OPT_NODES,
  OPT_GPUS,
  OPT_NTASKS,
  OPT_CPT,
  OPT_TIME,
  OPT_PARTITION,
  OPT_ACCOUNT,
  OPT_JOB_NAME,
  OPT_MODULE,
  OPT_SBATCH_ARG,
  OPT_SIGNAL_BEFORE,
  OPT_REQUEUE
};

static const struct option options[] = {{"output", required_argument, 0, OPT_OUTPUT},
                                        {"resume", required_argument, 0, OPT_RESUME},
                                        {"dry-run", no_argument, 0, OPT_DRY},
                                        {"filter", required_argument, 0, OPT_FILTER},
                                        {"device", required_argument, 0, OPT_DEVICE},
                                        {"suites-dir", required_argument, 0, OPT_SUITES},
                                        {"quiet", no_argument, 0, OPT_QUIET},
                                        {"help", no_argument, 0, OPT_HELP},
                                        {"version", no_argument, 0, OPT_VERSION},
                                        {"estimate-from", required_argument, 0, OPT_ESTIMATE_FROM},
                                        {"submit", required_argument, 0, OPT_SUBMIT},
                                        {"template", required_argument, 0, OPT_TEMPLATE},
                                        {"launcher", required_argument, 0, OPT_LAUNCHER},
                                        {"launcher-args", required_argument, 0, OPT_LAUNCHER_ARGS},
                                        {"nodes", required_argument, 0, OPT_NODES},
                                        {"gpus-per-node", required_argument, 0, OPT_GPUS},
                                        {"ntasks-per-node", required_argument, 0, OPT_NTASKS},
                                        {"cpus-per-task", required_argument, 0, OPT_CPT},
                                        {"time", required_argument, 0, OPT_TIME},
                                        {"partition", required_argument, 0, OPT_PARTITION},
                                        {"account", required_argument, 0, OPT_ACCOUNT},
                                        {"job-name", required_argument, 0, OPT_JOB_NAME},
                                        {"module", required_argument, 0, OPT_MODULE},
                                        {"sbatch-arg", required_argument, 0, OPT_SBATCH_ARG},
                                        {"signal-before", required_argument, 0, OPT_SIGNAL_BEFORE},
                                        {"requeue", no_argument, 0, OPT_REQUEUE},
                                        {0, 0, 0, 0}};

/* The name of a long option's code (without the dashes). */
static const char *opt_name(int code) {
  for (const struct option *o = options; o->name; o++)
    if (o->val == code) return o->name;
  return "?";
}

static void usage(FILE *to) {
  fprintf(to,
          "usage: [mpirun -n N] mdbench-suite SUITE [options]\n"
          "  SUITE                 %s, or the path of a suite file (format: suites/README.md)\n"
          "  -o, --output DIR      results directory [mdbench-results/SUITE]\n"
          "  --resume DIR          finish an interrupted run: rerun only the cases not yet done\n"
          "  --dry-run             print the expanded cases, each with its estimated seconds (calibrated here by\n"
          "                        short runs), the total and the makespan on the ranks; run nothing\n"
          "  --estimate-from F     with --dry-run: take the time of cases found in an earlier results.h5\n"
          "                        (F: the file, or its results directory)\n"
          "  --filter K=V[,K=V]    keep matching cases (keys: system, atoms, protocol, calculator, device, id)\n"
          "  --device auto|cpu|cuda  auto: each case's own device, cuda cases on the CPU when there is no GPU;\n"
          "                        cpu: every case on the CPU; cuda: every case on the GPU (one per rank) [auto]\n"
          "  --suites-dir DIR      where SUITE names are looked up [$MDBENCH_SUITES, then the installed suites]\n"
          "  --quiet               no progress\n"
          "  --version             version, commit and build flags\n"
          "submitting to Slurm instead of running (docs/slurm.md):\n"
          "  --submit slurm        write DIR/job.sbatch from a template in jobscripts/, run sbatch, print the job id;\n"
          "                        with --dry-run: write the script, do not submit\n"
          "  --template T          " MDB_SUBMIT_TEMPLATES " or a template file [gpu-node(s) when the run uses\n"
          "                        GPUs or --gpus-per-node is given, cpu otherwise]\n"
          "  --nodes N             nodes [1]\n"
          "  --ntasks-per-node T   MPI ranks per node (cpu template) [1]\n"
          "  --gpus-per-node G     GPUs per node, one rank per GPU (GPU templates) [1]\n"
          "  --cpus-per-task C     CPUs per rank [the cluster's default]\n"
          "  --time T              time limit: MINUTES, HH:MM:SS, DAYS-HH:MM:SS [the partition's default]\n"
          "  --signal-before S     SIGUSR1 S seconds before the time limit: stop cleanly and save [120]\n"
          "  --requeue             after such a stop the job requeues itself and resumes\n"
          "  --partition P, --account A, --job-name NAME   as sbatch's\n"
          "  --module M            environment module to load in the job (repeatable)\n"
          "  --launcher L          " MDB_SUBMIT_LAUNCHERS " [srun]; --launcher-args ARGS: e.g. --mpi=pmix\n"
          "  --sbatch-arg ARG      one more #SBATCH line (repeatable), e.g. --sbatch-arg=--qos=long\n"
          "exit codes: 0 all ok, 1 some case failed, 2 bad input, 3 I/O or runtime error (also: no sbatch,\n"
          "  sbatch failed), 75 stopped cleanly by SIGTERM/SIGINT/SIGUSR1 before the end: --resume DIR finishes\n",
          MDB_SUITE_NAMES);
}

/* The drift the table shows: NVE (E_end - E_0)/|E_0| of the total energy; NVT/NPT the same of the
 * conserved quantity (total + thermostat/barostat terms), since their total energy is meant to move. */
static double table_drift(const char *path, const mdb_h5_summary_row *r, const char **label) {
  *label = "total";
  if (strcmp(r->protocol, "NVT") != 0 && strcmp(r->protocol, "NPT") != 0) return r->energy_drift;
  *label = "conserved";
  double *c = NULL, d = NAN;
  int n = 0;
  mdb_err err;
  if (mdb_h5_read_series(path, r->case_id, "thermo/conserved_energy_eV", &c, &n, &err) == MDB_OK && n >= 2 && c[0] != 0)
    d = (c[n - 1] - c[0]) / fabs(c[0]);
  free(c);
  return d;
}

/* One line per case from DIR/results.h5: what a user looks at first. */
static void print_table(const char *outdir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/results.h5", outdir);
  mdb_h5_summary_row *rows = NULL;
  int n = 0;
  mdb_err err;
  if (mdb_h5_read_summary(path, &rows, &n, &err)) return;
  printf("%-34s %-6s %10s %10s %10s %22s %11s\n", "case", "status", "mean ms", "p99 ms", "steps/s", "drift (of energy)",
         "peak GB");
  for (int i = 0; i < n; i++) {
    const char *label;
    double d = table_drift(path, &rows[i], &label);
    printf("%-34s %-6s %10.4g %10.4g %10.4g %12.3e %-9s %11.4f\n", rows[i].case_id, rows[i].status, rows[i].mean_ms,
           rows[i].p99_ms, rows[i].steps_per_second, d, label, rows[i].peak_memory_gb);
  }
  free(rows);
}

/* What --resume found and did (a damaged case file run again, a stale
 * temporary removed): one line each, whatever --quiet says. */
static void print_notice(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "mdbench-suite: warning: %s\n", line);
}

typedef struct progress_state {
  int tty, quiet, last;
} progress_state;

static void progress(void *user, int done, int failed, int total, double elapsed) {
  progress_state *ps = user;
  if (ps->quiet || done == ps->last) return;
  ps->last = done;
  double eta = done > 0 ? elapsed / done * (total - done) : 0;
  if (ps->tty) {
    printf("\r  [%d/%d] cases done, %d failed, %.0f s elapsed, ETA %.0f s   ", done, total, failed, elapsed, eta);
    if (done == total) printf("\n");
  } else {
    printf("progress: %d/%d cases done, %d failed, %.1f s elapsed, ETA %.1f s\n", done, total, failed, elapsed, eta);
  }
  fflush(stdout);
}

/* The suites directory: --suites-dir, $MDBENCH_SUITES, the installed
 * share/mdbench/suites beside the binary, then the source tree's. */
static const char *suites_dir(const char *given, char *buf, size_t len) {
  return mdb_suite_dir(given, MDB_SOURCE_SUITES_DIR, buf, len);
}

/* The command line, as read and checked. */
typedef struct suite_cli {
  const char *suite_arg, *outdir, *resume, *filter, *device, *sdir, *estimate_from;
  int dry, quiet, device_given;
  mdb_submit_opts sub;
  char modules[2048];
  char est_buf[PATH_MAX + 16];
  char sdir_buf[PATH_MAX + 64];
  const char *sdir_used;   /* where SUITE names are looked up */
  const char *submit_only; /* a submit option given without --submit */
} suite_cli;

/* Step 1: the options as given. Returns -1 to go on, 0 after --help or
 * --version, 2 for bad input (rank 0 printed why). */
static int parse_options(int argc, char **argv, int root, suite_cli *o) {
  mdb_submit_opts *sub = &o->sub;
  int opt, bad = 0;
  o->device = "auto";
  opterr = 0;
  while (!bad && (opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
    int *count = NULL, count_min = 1;
    if (opt >= OPT_TEMPLATE && opt <= OPT_REQUEUE && !o->submit_only) o->submit_only = opt_name(opt);
    switch (opt) {
    case 'o':
    case OPT_OUTPUT: o->outdir = optarg; break;
    case OPT_RESUME: o->resume = optarg; break;
    case OPT_DRY: o->dry = 1; break;
    case OPT_FILTER: o->filter = optarg; break;
    case OPT_DEVICE:
      o->device = optarg;
      o->device_given = 1;
      break;
    case OPT_SUITES: o->sdir = optarg; break;
    case OPT_QUIET: o->quiet = 1; break;
    case OPT_HELP:
      if (root) usage(stdout);
      return 0;
    case OPT_VERSION:
      if (root) printf("mdbench-suite %s (git %s; %s)\n", mdb_version(), mdb_git_commit(), mdb_build_flags());
      return 0;
    case OPT_ESTIMATE_FROM: o->estimate_from = optarg; break;
    case OPT_SUBMIT: sub->scheduler = optarg; break;
    case OPT_TEMPLATE: sub->template_name = optarg; break;
    case OPT_LAUNCHER: sub->launcher = optarg; break;
    case OPT_LAUNCHER_ARGS: sub->launcher_args = optarg; break;
    case OPT_NODES: count = &sub->nodes; break;
    case OPT_GPUS: count = &sub->gpus_per_node; break;
    case OPT_NTASKS: count = &sub->ntasks_per_node; break;
    case OPT_CPT: count = &sub->cpus_per_task; break;
    case OPT_SIGNAL_BEFORE: count = &sub->signal_before; break;
    case OPT_TIME: sub->time = optarg; break;
    case OPT_PARTITION: sub->partition = optarg; break;
    case OPT_ACCOUNT: sub->account = optarg; break;
    case OPT_JOB_NAME: sub->job_name = optarg; break;
    case OPT_MODULE: {
      size_t l = strlen(o->modules);
      snprintf(o->modules + l, sizeof o->modules - l, "%s%s", l ? " " : "", optarg);
      sub->modules = o->modules;
      break;
    }
    case OPT_SBATCH_ARG:
      if (sub->n_sbatch_args == MDB_SUBMIT_MAX_ARGS) {
        if (root) fprintf(stderr, "mdbench-suite: error: more than %d --sbatch-arg\n", MDB_SUBMIT_MAX_ARGS);
        bad = 1;
      } else {
        sub->sbatch_args[sub->n_sbatch_args++] = optarg;
      }
      break;
    case OPT_REQUEUE: sub->requeue = 1; break;
    default:
      if (root)
        fprintf(stderr,
                "mdbench-suite: error: %s '%s' (valid: -o/--output, --resume, --dry-run, --filter, "
                "--device, --suites-dir, --quiet, --help, --version; with --submit: --template, --nodes, "
                "--ntasks-per-node, --gpus-per-node, --cpus-per-task, --time, --signal-before, --requeue, "
                "--partition, --account, --job-name, --module, --launcher, --launcher-args, --sbatch-arg)\n",
                optopt ? "option needs a value:" : "unknown option", argv[optind - 1]);
      bad = 1;
    }
    if (count && (*count = mdb_submit_parse_count(optarg, count_min)) < 0) {
      if (root)
        fprintf(stderr, "mdbench-suite: error: bad --%s '%s' (valid: a whole number >= %d)\n", opt_name(opt), optarg,
                count_min);
      bad = 1;
    }
  }
  if (bad) return 2;
  o->suite_arg = optind < argc ? argv[optind] : NULL;
  if (!o->suite_arg || optind + 1 < argc) {
    if (root)
      fprintf(stderr, "mdbench-suite: error: %s (usage: mdbench-suite SUITE [options]; SUITE: %s or a file)\n",
              o->suite_arg ? "one suite at a time" : "no suite given", MDB_SUITE_NAMES);
    return 2;
  }
  return -1;
}

/* Step 2: options that do not go together, and files that must be there.
 * Returns -1 to go on, or 2 for bad input (rank 0 printed why). */
static int check_options(const mdb_par *par, suite_cli *o) {
  const int root = par->rank == 0;
  const char *d = o->device;
  if (strcmp(d, "auto") && strcmp(d, "cpu") && strcmp(d, "cuda")) {
    if (root) fprintf(stderr, "mdbench-suite: error: unknown device '%s' (valid: auto, cpu, cuda)\n", d);
    return 2;
  }
  if (o->resume && o->outdir && strcmp(o->resume, o->outdir) != 0) {
    if (root)
      fprintf(stderr, "mdbench-suite: error: --resume %s and --output %s name different directories\n", o->resume,
              o->outdir);
    return 2;
  }
  if (o->estimate_from && (!o->dry || o->sub.scheduler)) {
    if (root) fprintf(stderr, "mdbench-suite: error: --estimate-from goes with --dry-run (without --submit)\n");
    return 2;
  }
  struct stat est_st;
  if (o->estimate_from && stat(o->estimate_from, &est_st) == 0 && S_ISDIR(est_st.st_mode)) {
    snprintf(o->est_buf, sizeof o->est_buf, "%.*s/results.h5", PATH_MAX, o->estimate_from); /* a results directory */
    o->estimate_from = o->est_buf;
  }
  if (o->estimate_from && access(o->estimate_from, R_OK) != 0) {
    if (root)
      fprintf(stderr, "mdbench-suite: error: --estimate-from %s: %s (valid: a results.h5 of an earlier run)\n",
              o->estimate_from, strerror(errno));
    return 2;
  }
  if (o->submit_only && !o->sub.scheduler) {
    if (root)
      fprintf(stderr,
              "mdbench-suite: error: --%s is an option of --submit (valid: --submit " MDB_SUBMIT_SCHEDULERS ")\n",
              o->submit_only);
    return 2;
  }
  if (o->sub.scheduler) {
    mdb_err serr = {0};
    if (mdb_submit_check(&o->sub, &serr)) {
      if (root) fprintf(stderr, "mdbench-suite: error: %s\n", serr.msg);
      return 2;
    }
    if (par->size > 1) {
      if (root)
        fprintf(stderr,
                "mdbench-suite: error: --submit runs once, not under mpirun (%d ranks): the job it submits "
                "starts the ranks\n",
                par->size);
      return 2;
    }
  }
  return -1;
}

/* Step 3 (rank 0): reads, validates and expands the suite, keeps the cases
 * --filter names, then moves cases between devices as --device says (cuda
 * cases onto the CPU when a rank has no GPU; a submission keeps them for the
 * job's nodes unless this build could never run them). *folded: [n_cases]
 * 1 for a cuda case moved onto the CPU, or NULL. Returns a status. */
static mdb_status load_suite(const suite_cli *o, int gpus, const char *gpu_why, mdb_suite *suite,
                             unsigned char **folded) {
  mdb_suite_errors errs = {0};
  mdb_err err = {0};
  mdb_status st = mdb_suite_load(o->suite_arg, o->sdir_used, suite, &errs);
  if (st) mdb_suite_errors_print(&errs, "mdbench-suite: error: ", stderr);
  mdb_suite_errors_free(&errs);
  /* filters select cases of the suite as written; moving them to another
   * device (below) is a separate step that says what it did */
  if (!st && o->filter && (st = mdb_suite_filter(suite, o->filter, &err)))
    fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
  if (st) return st;
  const char *to = mdb_suite_fold_target(o->device, gpus || (o->sub.scheduler && mdb_cuda_built()));
  if (!to) return MDB_OK;
  if (suite->n_cases > 0 && strcmp(to, "cpu") == 0) *folded = calloc((size_t)suite->n_cases, 1);
  mdb_suite_fold f;
  mdb_suite_to_device(suite, to, &f, *folded);
  if ((f.moved || f.dropped || f.kept) && !o->quiet) {
    if (strcmp(o->device, "auto") == 0)
      printf("mdbench-suite: notice: --device auto and no usable GPU (%s): %d cuda case(s) run on the CPU "
             "instead, %d dropped as duplicates of cpu cases\n",
             gpu_why, f.moved, f.dropped);
    else
      printf("mdbench-suite: notice: --device %s: %d case(s) moved to %s, %d dropped as duplicates, %d kept "
             "on their device (no %s backend for their calculator)\n",
             o->device, f.moved, o->device, f.dropped, f.kept, o->device);
  }
  return MDB_OK;
}

/* Step 4a, --submit (one process): checks and prepares the results
 * directory exactly as the job's run will, fills the template, calls
 * sbatch. Returns the exit code. */
static int submit_job(const mdb_par *par, suite_cli *o, const mdb_suite *suite) {
  mdb_err err = {0};
  o->sub.dry_run = o->dry;
  char subdir[512];
  snprintf(subdir, sizeof subdir, "mdbench-results/%s", suite->name);
  mdb_run_opts ro = {.outdir = o->resume ? o->resume : (o->outdir ? o->outdir : subdir),
                     .suite_label = o->suite_arg,
                     .command = "",
                     .notice = print_notice};
  int *todo = calloc(suite->n_cases > 0 ? (size_t)suite->n_cases : 1, sizeof *todo);
  mdb_status rst = todo ? mdb_run_prepare(par, suite, &ro, o->resume != NULL, todo, &err)
                        : mdb_err_nomem(&err, "case list", suite->n_cases * 4.0);
  int code = 0;
  if (rst) {
    fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
    code = mdb_exit_code(rst);
  } else {
    mdb_submit_job job = {.suite_arg = o->suite_arg,
                          .suite_name = suite->name,
                          .suites_dir = o->sdir_used,
                          .filter = o->filter,
                          .device = o->device_given ? o->device : NULL,
                          .quiet = o->quiet,
                          .outdir = ro.outdir,
                          .n_cases = suite->n_cases};
    for (int i = 0; i < suite->n_cases; i++) {
      job.n_todo += todo[i];
      job.gpu_cases += strcmp(suite->cases[i].c.device, "cpu") != 0;
    }
    code = mdb_submit(&o->sub, &job);
  }
  free(todo);
  return code;
}

/* Step 4b, --dry-run: every case with its estimated seconds, cuda cases
 * moved onto the CPU flagged. Returns the exit code. */
static int dry_run_plan(const mdb_suite *s, const unsigned char *folded, const char *estimate_from, int ranks) {
  mdb_estimate e;
  mdb_err err = {0};
  mdb_status st = mdb_estimate_suite(s, estimate_from, &e, &err);
  if (st) {
    fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
    return mdb_exit_code(st);
  }
  const char **flags = calloc(s->n_cases > 0 ? (size_t)s->n_cases : 1, sizeof *flags);
  for (int i = 0; flags && folded && i < s->n_cases; i++)
    if (folded[i]) flags[i] = "cuda case, sized for a GPU, runs on the CPU";
  mdb_estimate_print_plan(s, &e, flags, ranks, stdout);
  free(flags);
  mdb_estimate_free(&e);
  return 0;
}

/* Step 5 (rank 0): after a stop, the table so far and the command that
 * finishes the run. */
static void report_stop(const mdb_par *par, const suite_cli *o, const char *argv0, const char *outdir,
                        const mdb_run_report *rep) {
  if (!o->quiet) print_table(outdir);
  fflush(stdout); /* the table before the line that ends the output */
  char again[4096] = "";
  size_t l = 0;
  if (par->size > 1) l += (size_t)snprintf(again, sizeof again, "mpirun -n %d ", par->size);
  l += (size_t)snprintf(again + l, sizeof again - (l < sizeof again ? l : sizeof again), "%s %s", argv0, o->suite_arg);
  if (o->sdir && l < sizeof again) l += (size_t)snprintf(again + l, sizeof again - l, " --suites-dir %s", o->sdir);
  if (o->filter && l < sizeof again) l += (size_t)snprintf(again + l, sizeof again - l, " --filter %s", o->filter);
  if (o->device_given && l < sizeof again)
    l += (size_t)snprintf(again + l, sizeof again - l, " --device %s", o->device);
  if (l < sizeof again) snprintf(again + l, sizeof again - l, " --resume %s", outdir);
  /* mpirun turns SIGINT and SIGTERM into SIGTERM for its ranks, and exits 1 itself */
  const int hidden = rep->stop_signal == MDB_STOP_FROM_LAUNCHER;
  fprintf(stderr,
          "mdbench-suite: stopped by %s%s: %d of %d cases done, results so far in %s/results.h5; finish "
          "with: %s\n",
          mdb_stop_signal_name(rep->stop_signal),
          hidden ? " (mpirun passes SIGINT and SIGTERM on as SIGTERM, and exits 1 itself)" : "",
          rep->total - rep->unfinished, rep->total, outdir, again);
}

/* Step 5 (rank 0): the summary line, the table and where the results are. */
static void report_done(const mdb_par *par, const char *outdir, const mdb_run_report *rep) {
  double cap = par->size * rep->makespan_s;
  printf("done: %d cases, %d failed; %d run now in %.2f s on %d rank(s): load balance %.1f %% (case time / "
         "ranks x makespan), runner overhead %.1f %% (persisting %.2f s, merging %.2f s)\n",
         rep->total, rep->failed, rep->ran, rep->makespan_s, par->size, cap > 0 ? 100 * rep->run_s / cap : 0.0,
         cap > 0 ? 100 * (cap - rep->run_s) / cap : 0.0, rep->io_s, rep->merge_s);
  print_table(outdir);
  printf("results: %s/results.h5 (every case, raw arrays; docs/hdf5-layout.md), %s/summary.jsonc\n", outdir, outdir);
  printf("look:    python3 -c \"import h5py; f = h5py.File('%s/results.h5'); print(f['summary'][:])\"\n", outdir);
}

/* Step 4c: shares the cases, prepares the results directory (--resume:
 * finds what is done), runs the rest over the ranks, reports. Returns the
 * exit code. */
static int run_cases(const mdb_par *par, const suite_cli *o, int argc, char **argv, mdb_suite *suite) {
  const int root = par->rank == 0;
  mdb_err err = {0};
  if (mdb_par_bcast_suite(suite, &err)) {
    if (root) fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
    return 3;
  }
  char defdir[512], command[4096] = "";
  snprintf(defdir, sizeof defdir, "mdbench-results/%s", suite->name);
  for (int i = 0; i < argc; i++) {
    size_t l = strlen(command);
    snprintf(command + l, sizeof command - l, "%s%s", i ? " " : "", argv[i]);
  }
  mdb_run_opts ro = {.outdir = o->resume ? o->resume : (o->outdir ? o->outdir : defdir),
                     .suite_label = o->suite_arg,
                     .command = command,
                     .notice = print_notice};
  int *todo = calloc(suite->n_cases > 0 ? (size_t)suite->n_cases : 1, sizeof *todo);
  mdb_status rst = todo ? mdb_run_prepare(par, suite, &ro, o->resume != NULL, todo, &err)
                        : mdb_err_nomem(&err, "case list", suite->n_cases * 4.0);
  if (rst) {
    if (root) fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
    free(todo);
    return mdb_exit_code(rst);
  }
  if (root && !o->quiet) {
    int n = 0;
    for (int i = 0; i < suite->n_cases; i++) n += todo[i];
    printf("mdbench-suite %s: suite %s, %d cases (%d to run, %d already done), %d rank(s), output %s\n", mdb_version(),
           suite->name, suite->n_cases, n, suite->n_cases - n, par->size, ro.outdir);
    fflush(stdout);
  }
  progress_state ps = {.tty = isatty(STDOUT_FILENO), .quiet = o->quiet, .last = -1};
  mdb_run_report rep;
  rst = mdb_run_suite(par, suite, &ro, todo, progress, &ps, &rep, &err);
  free(todo);
  if (rst) {
    if (root) fprintf(stderr, "mdbench-suite: error: %s\n", err.msg); /* every rank has the same message */
    return mdb_exit_code(rst);
  }
  if (rep.interrupted && rep.unfinished > 0) {
    if (root) report_stop(par, o, argv[0], ro.outdir, &rep);
    return MDB_EXIT_INTERRUPTED;
  }
  if (root && !o->quiet) report_done(par, ro.outdir, &rep);
  return rep.failed ? 1 : 0;
}

int main(int argc, char **argv) {
  mdb_par par;
  mdb_err err = {0};
  mdb_submit_save_env(); /* before MPI_Init adds its own variables: the job gets the user's environment */
  /* SIGTERM, SIGINT, SIGUSR1 from the start: held during MPI_Init (whose
     own SIGUSR1 handler would swallow one), then handled: stop at the next
     step boundary (or before the first case), save what is done, exit 75 */
  mdb_stop_hold();
  if (mdb_par_init(&argc, &argv, &par, &err)) {
    fprintf(stderr, "mdbench-suite: error: %s\n", err.msg);
    return 3;
  }
  mdb_stop_install();
  const int root = par.rank == 0;
  suite_cli o;
  memset(&o, 0, sizeof o);
  int code = parse_options(argc, argv, root, &o);
  if (code < 0) code = check_options(&par, &o);
  if (code >= 0) { /* bad input, or --help, --version */
    mdb_par_finalize();
    return code;
  }

  /* every rank binds to its GPU (node-local rank); cuda cases need one on every rank */
  char gpu_why[512] = "";
  const int gpus = o.sub.scheduler ? 0 : mdb_par_setup_gpu(&par, gpu_why, sizeof gpu_why);
  if (strcmp(o.device, "cuda") == 0 && !gpus && !o.sub.scheduler) {
    if (root)
      fprintf(stderr,
              "mdbench-suite: error: --device cuda: no usable GPU on every rank (%s; valid here: --device "
              "cpu or auto)\n",
              gpu_why);
    mdb_par_finalize();
    return 3;
  }

  /* rank 0 reads, validates and expands; everyone gets the cases */
  mdb_suite suite;
  memset(&suite, 0, sizeof suite);
  unsigned char *folded = NULL; /* [n_cases] 1: a cuda case moved onto the CPU (rank 0) */
  o.sdir_used = suites_dir(o.sdir, o.sdir_buf, sizeof o.sdir_buf);
  int st = root ? (int)load_suite(&o, gpus, gpu_why, &suite, &folded) : 0;
  mdb_par_bcast_int(&st);
  if (st)
    code = mdb_exit_code((mdb_status)st);
  else if (o.sub.scheduler) /* one process (checked above): fill the template, call sbatch */
    code = submit_job(&par, &o, &suite);
  else if (o.dry)
    code = root ? dry_run_plan(&suite, folded, o.estimate_from, par.size) : 0;
  else
    code = run_cases(&par, &o, argc, argv, &suite);
  free(folded);
  mdb_suite_free(&suite);
  mdb_par_finalize();
  /* every rank returns the same code: MPICH's Hydra (before 4.2.3) may
     report 0 for some ranks after it passed a signal on (docs/mpi.md) */
  return code;
}
