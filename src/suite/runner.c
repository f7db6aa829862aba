/*
 * runner.c — the MPI side of a suite run (see runner.h): broadcast, dynamic
 * scheduling through a one-sided counter, per-case persistence, the final
 * merge. No other file in mdbench calls MPI.
 */
#include "suite/runner.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <mpi.h>
#if defined(OPEN_MPI) && OPEN_MPI
#include <mpi-ext.h> /* MPIX_CUDA_AWARE_SUPPORT, MPIX_Query_cuda_support */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "core/stop.h"
#include "gpu/dev.h"
#include "core/version.h"
#include "io/atomic.h"
#include "io/h5_results.h"
#include "io/json_result.h"

mdb_status mdb_par_init(int *argc, char ***argv, mdb_par *p, mdb_err *err) {
  memset(p, 0, sizeof *p);
  if (MPI_Init(argc, argv) != MPI_SUCCESS) return mdb_err_set(err, MDB_ERUN, "MPI_Init failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &p->size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, p->rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &p->local_rank);
  MPI_Comm_size(node, &p->local_size);
  MPI_Comm_free(&node);
  char lr[16]; /* for the ase worker (calc/ase.c): the rank's GPU among the node's */
  snprintf(lr, sizeof lr, "%d", p->local_rank);
  setenv("MDBENCH_LOCAL_RANK", lr, 1);
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(lib, &len);
  lib[len < MPI_MAX_LIBRARY_VERSION_STRING ? len : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
  lib[strcspn(lib, "\n,")] = '\0';
  snprintf(p->mpi_library, sizeof p->mpi_library, "%s", lib);
  return MDB_OK;
}

void mdb_par_finalize(void) { MPI_Finalize(); }

const char *mdb_par_mpi_cuda_aware(void) {
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
  return MPIX_Query_cuda_support() ? "yes" : "no";
#elif defined(MPIX_CUDA_AWARE_SUPPORT)
  return "no";
#else
  return "unknown";
#endif
}

int mdb_par_setup_gpu(const mdb_par *p, char *why, size_t len) {
  char mine[256] = "";
  int usable = mdb_case_gpu_usable(mine, sizeof mine);
  int n = usable ? mdb_cuda_device_count(NULL, 0) : 0;
  /* one GPU per rank by node-local rank; under the host emulation (no device) ordinal 0 */
  mdb_case_set_gpu(n > 0 ? p->local_rank % n : 0, mdb_par_mpi_cuda_aware());
  int all = -mdb_par_max_int(-usable); /* the smallest: every rank must have one */
  /* the reason of the first rank without a GPU */
  int first = mdb_par_max_int(usable ? INT_MIN : -p->rank);
  if (!all && why) {
    int src = -first;
    if (p->rank == src) snprintf(why, len, "rank %d: %s", p->rank, mine);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", p->rank == src ? why : "");
    MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, src, MPI_COMM_WORLD);
    snprintf(why, len, "%s", buf);
  }
  return all;
}

void mdb_par_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void mdb_par_bcast_int(int *v) { MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD); }

int mdb_par_max_int(int v) {
  int out = v;
  MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return out;
}

/* Rank 0's status and message on every rank. */
static mdb_status bcast_status(mdb_status st, mdb_err *err) {
  int code = (int)st;
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (code) MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (code) err->code = (mdb_status)code;
  return (mdb_status)code;
}

mdb_status mdb_par_bcast_suite(mdb_suite *s, mdb_err *err) {
  int rank, n;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  n = rank == 0 ? s->n_cases : 0;
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(s->name, (int)sizeof s->name, MPI_CHAR, 0, MPI_COMM_WORLD);
  int ok = 1;
  if (rank != 0) {
    s->n_cases = n;
    s->cases = calloc(n > 0 ? (size_t)n : 1, sizeof *s->cases);
    ok = s->cases != NULL;
  }
  if (mdb_par_max_int(!ok)) return mdb_err_nomem(err, "the case list", (double)n * sizeof *s->cases);
  /* in slices: a suite can outgrow an int count of bytes */
  const int per = (int)(((size_t)1 << 30) / sizeof *s->cases);
  for (int i0 = 0; i0 < n; i0 += per) {
    int m = n - i0 < per ? n - i0 : per;
    MPI_Bcast(s->cases + i0, (int)(m * sizeof *s->cases), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
  return MDB_OK;
}

/* ------------------------------------------------------------ files */

static void case_path(char *buf, size_t len, const char *dir, const char *id, const char *ext) {
  snprintf(buf, len, "%s/cases/%s.%s", dir, id, ext);
}

/* The case_hash stored in a case marker, or "" when it cannot be read. */
static void marker_hash(const char *path, char *hash, size_t len) {
  hash[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
  if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
    text[n] = '\0';
    cJSON *j = cJSON_Parse(text);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "case_hash");
    if (cJSON_IsString(h)) snprintf(hash, len, "%s", h->valuestring);
    cJSON_Delete(j);
  }
  free(text);
  fclose(f);
}

static int dir_has_entries(const char *dir) {
  char cmd_dir[4200];
  snprintf(cmd_dir, sizeof cmd_dir, "%s/results.h5", dir);
  if (access(cmd_dir, F_OK) == 0) return 1;
  snprintf(cmd_dir, sizeof cmd_dir, "%s/summary.json", dir);
  return access(cmd_dir, F_OK) == 0;
}

mdb_status mdb_run_prepare(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, int resume, int *todo,
                           mdb_err *err) {
  mdb_status st = MDB_OK;
  if (p->rank == 0) {
    char cases_dir[4200];
    snprintf(cases_dir, sizeof cases_dir, "%s/cases", o->outdir);
    int existed = access(o->outdir, F_OK) == 0;
    if (resume && !existed)
      st = mdb_err_set(err, MDB_EINPUT, "--resume %s: no such directory (nothing to resume)", o->outdir);
    else if (!resume && existed && dir_has_entries(o->outdir))
      st = mdb_err_set(err, MDB_EINPUT,
                       "%s already holds results: use --resume %s to finish them, or another --output directory",
                       o->outdir, o->outdir);
    else if (mdb_mkdir_p(cases_dir) != 0)
      st = mdb_err_set(err, MDB_EIO, "cannot create %s: %s", cases_dir, strerror(errno));
    for (int i = 0; i < s->n_cases && !st; i++) {
      char path[4400], hash[64];
      case_path(path, sizeof path, o->outdir, s->cases[i].id, "json");
      todo[i] = access(path, F_OK) != 0;
      if (todo[i]) continue;
      if (!resume) {
        st = mdb_err_set(err, MDB_EINPUT, "%s already holds case %s: use --resume %s", o->outdir, s->cases[i].id,
                         o->outdir);
        break;
      }
      marker_hash(path, hash, sizeof hash);
      if (strcmp(hash, s->cases[i].hash_hex) != 0)
        st = mdb_err_set(err, MDB_EINPUT,
                         "%s was measured with other parameters (hash %s, this suite has %s): not overwriting it; "
                         "resume with the suite that made it, or use another --output directory",
                         path, hash[0] ? hash : "unreadable", s->cases[i].hash_hex);
    }
  }
  if ((st = bcast_status(st, err))) return st;
  MPI_Bcast(todo, s->n_cases, MPI_INT, 0, MPI_COMM_WORLD);
  return MDB_OK;
}

/* ------------------------------------------------------------ one case */

static void cpu_model(char *buf, size_t len) {
  snprintf(buf, len, "cpu");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "model name", 10) == 0) {
      char *c = strchr(line, ':');
      if (c) {
        c += 1 + strspn(c + 1, " \t");
        c[strcspn(c, "\n")] = '\0';
        snprintf(buf, len, "%s", c);
      }
      break;
    }
  fclose(f);
}

/* The case's JSON marker: the guide's schema plus the case's identity. */
static mdb_status write_marker(const char *path, const mdb_suite_case *sc, const mdb_result *r, const mdb_case *c,
                               const mdb_par *p, const char *error, mdb_err *err) {
  cJSON *j = r ? mdb_result_to_json(r) : cJSON_CreateObject();
  if (!j) return mdb_err_nomem(err, "case JSON", 0);
  cJSON_AddStringToObject(j, "case_id", sc->id);
  cJSON_AddStringToObject(j, "case_hash", sc->hash_hex);
  cJSON_AddNumberToObject(j, "rank", p->rank);
  cJSON_AddStringToObject(j, "mpi_library", p->mpi_library);
  if (!r) {
    cJSON_AddStringToObject(j, "status", "error");
    cJSON *f = cJSON_AddObjectToObject(j, "failure");
    cJSON_AddNumberToObject(f, "step", -1);
    cJSON_AddStringToObject(f, "reason", error);
    cJSON *m = cJSON_AddObjectToObject(j, "metadata");
    cJSON_AddStringToObject(m, "system_type", c->system);
    cJSON_AddNumberToObject(m, "n_atoms", c->n_atoms);
    cJSON_AddStringToObject(m, "protocol", c->protocol);
    cJSON_AddStringToObject(m, "calculator", c->calculator);
    cJSON_AddStringToObject(m, "device", c->device);
  }
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return mdb_err_nomem(err, "case JSON", 0);
  mdb_status st = mdb_atomic_write(path, text, strlen(text), err);
  free(text);
  return st;
}

/* Runs one case and persists it; *ok says whether its status is "ok",
 * *stopped whether a stop request ended it early (its .h5 is written with
 * status "interrupted" but no marker, so --resume runs it again); the time
 * spent running and persisting is added to *run_s and *io_s. */
static mdb_status run_one(const mdb_par *p, const mdb_suite_case *sc, const mdb_run_opts *o, const char *cpu,
                          int *ok, int *stopped, double *run_s, double *io_s, mdb_err *err) {
  mdb_case c = sc->c;
  mdb_result r;
  mdb_err cerr = {0};
  /* a client a calculator launches (ipi:launch=...) writes its output here */
  char client_log[4400];
  case_path(client_log, sizeof client_log, o->outdir, sc->id, "client.log");
  setenv("MDBENCH_CLIENT_LOG", client_log, 1);
  double t0 = MPI_Wtime();
  mdb_status cst = mdb_case_run(&c, &r, &cerr);
  double t1 = MPI_Wtime();
  unsetenv("MDBENCH_CLIENT_LOG");
  char host[128] = "";
  gethostname(host, sizeof host - 1);
  mdb_h5_meta meta = {.suite = o->suite_label, .command = o->command, .mpi_ranks = p->size,
                      .mpi_library = p->mpi_library};
  mdb_h5_case k = {.case_id = sc->id, .result = cst ? NULL : &r, .spec = &c};
  k.prov.rank = p->rank;
  k.prov.host = host;
  k.prov.device_name = strcmp(c.device, "cpu") == 0 ? cpu : (!cst ? r.gpu.dev.name : "");
  k.prov.error = cst ? cerr.msg : NULL;
  char h5[4400], js[4400];
  case_path(h5, sizeof h5, o->outdir, sc->id, "h5");
  case_path(js, sizeof js, o->outdir, sc->id, "json");
  *stopped = !cst && strcmp(r.status, "interrupted") == 0;
  mdb_status st = mdb_h5_write(h5, &meta, &k, 1, err);
  if (!st && !*stopped) st = write_marker(js, sc, cst ? NULL : &r, &c, p, cerr.msg, err);
  *run_s += t1 - t0;
  *io_s += MPI_Wtime() - t1;
  *ok = !cst && strcmp(r.status, "ok") == 0;
  if (!cst) mdb_result_free(&r);
  return st;
}

/* ------------------------------------------------------------ the run */

enum { CNT_NEXT, CNT_DONE, CNT_FAILED, CNT_N };

static int fetch_add(MPI_Win win, int which, int add) {
  int old = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
  MPI_Fetch_and_op(&add, &old, MPI_INT, 0, which, add ? MPI_SUM : MPI_NO_OP, win);
  MPI_Win_unlock(0, win);
  return old;
}

static mdb_status write_summary_json(const char *path, const mdb_suite *s, const mdb_run_opts *o, const mdb_par *p,
                                     const mdb_h5_summary_row *rows, int n, const mdb_run_report *rep, mdb_err *err) {
  cJSON *j = cJSON_CreateObject();
  char now[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cJSON_AddStringToObject(j, "schema", "mdbench-suite/1");
  cJSON_AddStringToObject(j, "suite", o->suite_label);
  cJSON_AddStringToObject(j, "created_utc", now);
  cJSON_AddStringToObject(j, "mdbench_version", mdb_version());
  cJSON_AddStringToObject(j, "git_commit", mdb_git_commit());
  cJSON_AddNumberToObject(j, "mpi_ranks", p->size);
  cJSON_AddStringToObject(j, "mpi_library", p->mpi_library);
  cJSON_AddStringToObject(j, "command", o->command);
  cJSON_AddNumberToObject(j, "n_cases", s->n_cases);
  cJSON_AddNumberToObject(j, "n_failed", rep->failed);
  cJSON_AddBoolToObject(j, "complete", rep->unfinished == 0);
  cJSON_AddNumberToObject(j, "n_unfinished", rep->unfinished);
  cJSON_AddStringToObject(j, "stop_signal", rep->stop_signal ? mdb_stop_signal_name(rep->stop_signal) : "");
  cJSON_AddNumberToObject(j, "makespan_s", rep->makespan_s);
  cJSON_AddNumberToObject(j, "case_run_s", rep->run_s);
  cJSON_AddNumberToObject(j, "persist_s", rep->io_s);
  cJSON_AddNumberToObject(j, "load_balance", rep->makespan_s > 0 ? rep->run_s / (p->size * rep->makespan_s) : 0);
  cJSON *arr = cJSON_AddArrayToObject(j, "cases");
  for (int i = 0; i < n; i++) {
    const mdb_h5_summary_row *r = &rows[i];
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "case_id", r->case_id);
    cJSON_AddStringToObject(c, "system", r->system);
    cJSON_AddNumberToObject(c, "n_atoms", (double)r->n_atoms);
    cJSON_AddStringToObject(c, "protocol", r->protocol);
    cJSON_AddStringToObject(c, "calculator", r->calculator);
    cJSON_AddStringToObject(c, "device", r->device);
    cJSON_AddStringToObject(c, "status", r->status);
    cJSON_AddNumberToObject(c, "mean_ms", r->mean_ms);
    cJSON_AddNumberToObject(c, "median_ms", r->median_ms);
    cJSON_AddNumberToObject(c, "p95_ms", r->p95_ms);
    cJSON_AddNumberToObject(c, "p99_ms", r->p99_ms);
    cJSON_AddNumberToObject(c, "std_ms", r->std_ms);
    cJSON_AddNumberToObject(c, "steps_per_second", r->steps_per_second);
    cJSON_AddNumberToObject(c, "peak_memory_gb", r->peak_memory_gb);
    cJSON_AddNumberToObject(c, "energy_drift", r->energy_drift);
    cJSON_AddNumberToObject(c, "rank", (double)r->rank);
    cJSON_AddStringToObject(c, "host", r->host);
    cJSON_AddItemToArray(arr, c);
  }
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return mdb_err_nomem(err, "summary JSON", 0);
  mdb_status st = mdb_atomic_write(path, text, strlen(text), err);
  free(text);
  return st;
}

mdb_status mdb_run_suite(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, const int *todo,
                         mdb_progress_fn progress, void *user, mdb_run_report *rep, mdb_err *err) {
  memset(rep, 0, sizeof *rep);
  rep->total = s->n_cases;
  int *order = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *order);
  int ok_alloc = order != NULL;
  if (mdb_par_max_int(!ok_alloc)) {
    free(order);
    return mdb_err_nomem(err, "the schedule", (double)s->n_cases * sizeof(int));
  }
  mdb_suite_order_by_cost(s, order);
  int ntodo = 0;
  for (int k = 0; k < s->n_cases; k++)
    if (todo[order[k]]) order[ntodo++] = order[k];
  rep->skipped = s->n_cases - ntodo;

  int *counters = NULL;
  MPI_Win win;
  MPI_Win_allocate(p->rank == 0 ? CNT_N * (MPI_Aint)sizeof(int) : 0, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
                   &counters, &win);
  if (p->rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
    for (int k = 0; k < CNT_N; k++) counters[k] = 0;
    MPI_Win_unlock(0, win);
  }
  char cpu[256];
  cpu_model(cpu, sizeof cpu);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime(), times[2] = {0, 0}; /* run, io */
  mdb_status st = MDB_OK;
  for (;;) {
    if (mdb_stop_requested()) break; /* take no new case */
    int k = fetch_add(win, CNT_NEXT, 1);
    if (k >= ntodo) break;
    int ok = 0, stopped = 0;
    st = run_one(p, &s->cases[order[k]], o, cpu, &ok, &stopped, &times[0], &times[1], err);
    if (stopped) break;
    fetch_add(win, CNT_DONE, 1);
    if (!ok) fetch_add(win, CNT_FAILED, 1);
    if (st) break; /* cannot persist results: stop taking cases */
    if (p->rank == 0 && progress)
      progress(user, fetch_add(win, CNT_DONE, 0), fetch_add(win, CNT_FAILED, 0), ntodo, MPI_Wtime() - t0);
  }
  /* rank 0 keeps reporting while the others finish */
  int failed_io = mdb_par_max_int(st != MDB_OK);
  rep->stop_signal = mdb_par_max_int(mdb_stop_requested());
  rep->interrupted = rep->stop_signal != 0;
  MPI_Barrier(MPI_COMM_WORLD);
  rep->makespan_s = MPI_Wtime() - t0;
  double sums[2] = {0, 0};
  MPI_Reduce(times, sums, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  rep->run_s = sums[0];
  rep->io_s = sums[1];
  rep->ran = fetch_add(win, CNT_DONE, 0);
  if (p->rank == 0 && progress) progress(user, rep->ran, fetch_add(win, CNT_FAILED, 0), ntodo, rep->makespan_s);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Win_free(&win);
  free(order);
  if (failed_io) {
    if (!st) mdb_err_set(err, MDB_EIO, "another rank could not write its results (see its message)");
    return bcast_status(MDB_EIO, err);
  }

  mdb_status fst = MDB_OK;
  double m0 = MPI_Wtime();
  if (p->rank == 0) {
    const char **parts = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *parts);
    char (*paths)[4400] = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *paths);
    if (!parts || !paths) fst = mdb_err_nomem(err, "case file list", (double)s->n_cases * 4400);
    /* an interrupted run merges what it has: the finished cases and the
       interrupted ones (status "interrupted"); cases never started are absent */
    int nparts = 0;
    for (int i = 0; i < s->n_cases && !fst; i++) {
      char marker[4400];
      case_path(marker, sizeof marker, o->outdir, s->cases[i].id, "json");
      rep->unfinished += access(marker, F_OK) != 0;
      case_path(paths[nparts], sizeof paths[nparts], o->outdir, s->cases[i].id, "h5");
      if (access(paths[nparts], F_OK) == 0) {
        parts[nparts] = paths[nparts];
        nparts++;
      }
    }
    char out[4200];
    snprintf(out, sizeof out, "%s/results.h5", o->outdir);
    mdb_h5_meta meta = {.suite = o->suite_label, .command = o->command, .mpi_ranks = p->size,
                        .mpi_library = p->mpi_library, .incomplete = rep->unfinished > 0,
                        .suite_cases = s->n_cases,
                        .stop_signal = rep->stop_signal ? mdb_stop_signal_name(rep->stop_signal) : ""};
    if (!fst) fst = mdb_h5_merge(out, &meta, parts, nparts, err);
    mdb_h5_summary_row *rows = NULL;
    int nrows = 0;
    if (!fst) fst = mdb_h5_read_summary(out, &rows, &nrows, err);
    for (int i = 0; i < nrows; i++)
      rep->failed += strcmp(rows[i].status, "ok") != 0 && strcmp(rows[i].status, "interrupted") != 0;
    snprintf(out, sizeof out, "%s/summary.json", o->outdir);
    if (!fst) fst = write_summary_json(out, s, o, p, rows, nrows, rep, err);
    free(rows);
    free(parts);
    free(paths);
  }
  rep->merge_s = MPI_Wtime() - m0;
  MPI_Bcast(&rep->failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(&rep->unfinished, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return bcast_status(fst, err);
}
