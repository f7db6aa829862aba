/*
 * ase.c — any ASE calculator as an mdbench calculator, through mdbench's own
 * Python worker (python/mdbench_ase_worker.py) over the i-PI path (ipi.c).
 *
 * Spec: ase:calc=MODULE:CALLABLE[,python=PATH][,threads=N][,timeout=s][,log=FILE][,KEY=VALUE...]
 *   calc     the worker imports MODULE and calls CALLABLE(**kwargs) once; the
 *            result is the ASE calculator (ase.calculators.emt:EMT,
 *            mace.calculators:mace_mp, ...)
 *   KEY=...  every other key is a keyword argument: integers and decimals
 *            become numbers, true/false booleans, none None, anything else a
 *            string (model=small, device=cuda)
 *   python   the interpreter (default python3 on PATH)
 *   threads  OMP_NUM_THREADS (and torch.set_num_threads) of the worker;
 *            default $OMP_NUM_THREADS, else the cores this process may run on
 *   timeout  seconds bounding every wait on the worker (default 600: loading
 *            a model can take minutes)
 *            (under mdbench-suite the worker also sees only the rank's GPU:
 *            CUDA_VISIBLE_DEVICES is entry node-local-rank mod n of the GPUs)
 *   log      the worker's stdout/stderr (default $MDBENCH_CLIENT_LOG, else a
 *            private file that is removed at the end)
 *
 * The worker gets the exact system in the INIT message (a JSON object:
 * symbols, masses, positions, cell rows, pbc, calc, kwargs, threads), builds
 * its Atoms from it, and then serves energy, forces and virial like any i-PI
 * client; each FORCEREADY carries {"model_ms": t} (the calculator call as the
 * worker timed it) and the first one also "info" (python, package, torch
 * versions, device, model file SHA-256).
 *
 * Errors: an interpreter that is not there, a worker that dies before
 * connecting, a module that does not import, a missing callable, a
 * constructor that raises (an unknown keyword too): one line naming the
 * module and the interpreter, MDB_EINPUT (exit 2), before any step. An
 * exception in a step fails that step (MDB_ERUN) with the exception's last
 * line.
 */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "calc/calc.h"
#include "calc/ipi.h"

#define ASE_DEFAULT_TIMEOUT 600.0
#define ASE_WORKER "mdbench_ase_worker.py"

extern char **environ;

typedef struct ase_ctx {
  char calc[MDB_SPEC_TEXT_MAX]; /* MODULE:CALLABLE */
  char python[PATH_MAX];        /* resolved interpreter */
  char worker[PATH_MAX];        /* the worker script */
  char log[PATH_MAX];           /* where the worker's output goes */
  int own_log;                  /* log is our temporary file */
  int threads;
  char timeout[32];
  cJSON *kwargs;
  void *ipi; /* the ipi.c context */
  int started;
  double model_s;   /* sum of the worker's model_ms, in s */
  int no_virial;    /* the worker said: no stress in a periodic cell */
  char info[65536]; /* the worker's "info" object, as JSON text */
} ase_ctx;

static const char *spec_value(const mdb_calc_spec *spec, const char *key) {
  for (int k = 0; k < spec->nparams; k++)
    if (!strcmp(spec->params[k].key, key)) return spec->params[k].value;
  return NULL;
}

/* python=NAME found on PATH, or python=PATH that is an executable file. */
static int find_python(const char *name, char *out, size_t n) {
  struct stat sb;
  if (strchr(name, '/')) {
    if (stat(name, &sb) || !S_ISREG(sb.st_mode) || access(name, X_OK)) return 0;
    snprintf(out, n, "%s", name);
    return 1;
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char cand[PATH_MAX];
    if (len > 0 && len + strlen(name) + 2 < sizeof cand) {
      snprintf(cand, sizeof cand, "%.*s/%s", (int)len, p, name);
      if (!stat(cand, &sb) && S_ISREG(sb.st_mode) && !access(cand, X_OK)) {
        snprintf(out, n, "%s", cand);
        return 1;
      }
    }
    p += len + (e ? 1 : 0);
  }
  return 0;
}

/* The worker: $MDBENCH_ASE_WORKER, else beside the binary as installed
 * (BIN/../share/mdbench/python/) or in the build tree (BIN/share/...). */
static int find_worker(char *out, size_t n) {
  const char *env = getenv("MDBENCH_ASE_WORKER");
  if (env && env[0]) {
    snprintf(out, n, "%s", env);
    return access(out, R_OK) == 0;
  }
  char exe[MDB_PATH_MAX];
  if (!mdb_self_dir(exe, sizeof exe)) return 0;
  static const char *const rel[] = {"/../share/mdbench/python/", "/share/mdbench/python/",
                                    "/../../share/mdbench/python/"};
  for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++) {
    int w = snprintf(out, n, "%s%s%s", exe, rel[k], ASE_WORKER);
    if (w > 0 && (size_t)w < n && access(out, R_OK) == 0) return 1;
  }
  return 0;
}

/* A keyword argument's value: int, float, bool, None or string. */
static cJSON *kw_value(const char *v) {
  if (!strcmp(v, "true") || !strcmp(v, "True")) return cJSON_CreateTrue();
  if (!strcmp(v, "false") || !strcmp(v, "False")) return cJSON_CreateFalse();
  if (!strcmp(v, "none") || !strcmp(v, "None")) return cJSON_CreateNull();
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (end != v && !*end && isfinite(d) && !errno) {
    /* integers travel as integers (cJSON prints 300, not 3e+02) */
    return cJSON_CreateNumber(d);
  }
  return cJSON_CreateString(v);
}

static void ase_free(ase_ctx *c) {
  if (!c) return;
  cJSON_Delete(c->kwargs);
  free(c);
}

static mdb_status ase_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  const char *calc = spec_value(spec, "calc");
  if (!calc)
    return mdb_err_set(err, MDB_EINPUT,
                       "ase: say which calculator: ase:calc=MODULE:CALLABLE[,KEY=VALUE...] "
                       "(e.g. ase:calc=ase.calculators.emt:EMT)");
  const char *colon = strchr(calc, ':');
  int ok = colon && colon > calc && colon[1] && !strchr(colon + 1, ':');
  for (const char *p = calc; ok && *p; p++) ok = isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == ':';
  if (!ok)
    return mdb_err_set(err, MDB_EINPUT, "ase: calc=%s is not MODULE:CALLABLE (e.g. calc=ase.calculators.emt:EMT)",
                       calc);
  ase_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "ase state", sizeof *c);
  snprintf(c->calc, sizeof c->calc, "%s", calc);
  mdb_status st = MDB_OK;
  const char *python = spec_value(spec, "python");
  if (!python) python = "python3";
  if (!find_python(python, c->python, sizeof c->python)) {
    st = mdb_err_set(err, MDB_EINPUT, "ase: calc=%s: the interpreter '%s' is not %s (give python=PATH)", calc, python,
                     strchr(python, '/') ? "an executable file" : "on PATH");
    goto fail;
  }
  if (!find_worker(c->worker, sizeof c->worker)) {
    st = mdb_err_set(err, MDB_EINPUT,
                     "ase: the worker %s is not installed beside mdbench (share/mdbench/python/) "
                     "and MDBENCH_ASE_WORKER does not name it",
                     ASE_WORKER);
    goto fail;
  }
  c->threads = 0;
  const char *threads = spec_value(spec, "threads");
  if (!threads) threads = getenv("OMP_NUM_THREADS");
  if (threads) {
    char *end;
    long t = strtol(threads, &end, 10);
    if (!threads[0] || *end || t < 1 || t > 4096) {
      st = mdb_err_set(err, MDB_EINPUT, "ase: threads must be an integer in 1..4096 (got '%s')", threads);
      goto fail;
    }
    c->threads = (int)t;
  } else {
    cpu_set_t set;
    c->threads = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    if (c->threads < 1) c->threads = 1;
  }
  snprintf(c->timeout, sizeof c->timeout, "%g", ASE_DEFAULT_TIMEOUT);
  const char *timeout = spec_value(spec, "timeout");
  if (timeout) snprintf(c->timeout, sizeof c->timeout, "%s", timeout);
  const char *log = spec_value(spec, "log");
  if (!log) log = getenv("MDBENCH_CLIENT_LOG");
  if (log && log[0]) {
    snprintf(c->log, sizeof c->log, "%s", log);
  } else {
    snprintf(c->log, sizeof c->log, "/tmp/mdbench_ase_%ld_XXXXXX", (long)getpid());
    int fd = mkstemp(c->log);
    if (fd < 0) {
      st = mdb_err_set(err, MDB_ERUN, "ase: cannot create the worker log %s: %s", c->log, strerror(errno));
      goto fail;
    }
    close(fd);
    c->own_log = 1;
  }
  c->kwargs = cJSON_CreateObject();
  if (!c->kwargs) {
    st = mdb_err_nomem(err, "ase keyword arguments", 64);
    goto fail;
  }
  static const char *const own[] = {"calc", "python", "threads", "timeout", "log", NULL};
  for (int k = 0; k < spec->nparams; k++) {
    int mine = 0;
    for (const char *const *o = own; *o; o++) mine |= !strcmp(*o, spec->params[k].key);
    if (!mine) cJSON_AddItemToObject(c->kwargs, spec->params[k].key, kw_value(spec->params[k].value));
  }
  /* the i-PI server under it: a private socket, the worker as its client */
  mdb_calc_spec ispec;
  memset(&ispec, 0, sizeof ispec);
  snprintf(ispec.name, sizeof ispec.name, "ipi");
  snprintf(ispec.text, sizeof ispec.text, "ipi (ase worker)");
  snprintf(ispec.params[0].key, sizeof ispec.params[0].key, "launch");
  int w = snprintf(ispec.params[0].value, sizeof ispec.params[0].value, "%s %s", c->python, c->worker);
  snprintf(ispec.params[1].key, sizeof ispec.params[1].key, "timeout");
  snprintf(ispec.params[1].value, sizeof ispec.params[1].value, "%s", c->timeout);
  snprintf(ispec.params[2].key, sizeof ispec.params[2].key, "log");
  int wl = snprintf(ispec.params[2].value, sizeof ispec.params[2].value, "%s", c->log);
  ispec.nparams = 3;
  if (w < 0 || w >= (int)sizeof ispec.params[0].value || wl < 0 || wl >= (int)sizeof ispec.params[2].value) {
    st = mdb_err_set(err, MDB_EINPUT, "ase: the interpreter, worker or log path is too long (at most %d characters)",
                     MDB_SPEC_TEXT_MAX / 2);
    goto fail;
  }
  if ((st = mdb_ipi_cpu_ops.init(&c->ipi, &ispec, err))) {
    if (strstr(err->msg, "timeout"))
      mdb_err_set(err, MDB_EINPUT, "ase: timeout must be a number > 0 and at most 1e6 s (got '%s')", c->timeout);
    goto fail;
  }
  *out = c;
  return MDB_OK;
fail:
  if (c->own_log) unlink(c->log);
  ase_free(c);
  return st;
}

/* The last non-empty line of the worker's log (why it died), or "". */
static void log_tail(const char *path, char *out, size_t n) {
  out[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    while (len && isspace((unsigned char)line[len - 1])) line[--len] = '\0';
    if (len) snprintf(out, n, "%s", line);
  }
  fclose(f);
}

/* INIT's payload: the system in the original atom order, unwrapped. */
static char *system_json(const ase_ctx *c, const mdb_system *sys) {
  cJSON *o = cJSON_CreateObject();
  cJSON *sym = cJSON_AddArrayToObject(o, "symbols");
  cJSON *mass = cJSON_AddArrayToObject(o, "masses");
  cJSON *pos = cJSON_AddArrayToObject(o, "positions");
  cJSON *cell = cJSON_AddArrayToObject(o, "cell");
  int *order = malloc((size_t)sys->n * sizeof *order);
  if (!o || !sym || !mass || !pos || !cell || !order) {
    free(order);
    cJSON_Delete(o);
    return NULL;
  }
  for (int i = 0; i < sys->n; i++) order[sys->id[i]] = i;
  for (int j = 0; j < sys->n; j++) {
    int i = order[j];
    const int *im = sys->image + 3 * i;
    double x[3];
    for (int k = 0; k < 3; k++)
      x[k] = sys->x[3 * i + k] + im[0] * sys->box.h[0][k] + im[1] * sys->box.h[1][k] + im[2] * sys->box.h[2][k];
    cJSON_AddItemToArray(sym, cJSON_CreateString(sys->species[sys->type[i]]));
    cJSON_AddItemToArray(mass, cJSON_CreateNumber(sys->mass[sys->type[i]]));
    cJSON_AddItemToArray(pos, cJSON_CreateDoubleArray(x, 3));
  }
  free(order);
  for (int a = 0; a < 3; a++) cJSON_AddItemToArray(cell, cJSON_CreateDoubleArray(sys->box.h[a], 3));
  const cJSON_bool pbc[3] = {1, 1, 1};
  cJSON *p = cJSON_AddArrayToObject(o, "pbc");
  for (int k = 0; k < 3; k++) cJSON_AddItemToArray(p, cJSON_CreateBool(pbc[k]));
  cJSON_AddStringToObject(o, "calc", c->calc);
  cJSON_AddItemToObject(o, "kwargs", cJSON_Duplicate(c->kwargs, 1));
  cJSON_AddNumberToObject(o, "threads", c->threads);
  char *text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

/* Under mdbench-suite (MDBENCH_LOCAL_RANK set), the rank's one GPU: entry
 * local_rank mod n of CUDA_VISIBLE_DEVICES, or of the node's GPUs
 * (/proc/driver/nvidia/gpus); "" when there are none or outside a suite. */
static void rank_gpu(char *out, size_t n) {
  out[0] = '\0';
  const char *lr = getenv("MDBENCH_LOCAL_RANK");
  if (!lr || !lr[0]) return;
  int rank = atoi(lr);
  const char *vis = getenv("CUDA_VISIBLE_DEVICES");
  if (vis && vis[0]) {
    int count = 1;
    for (const char *p = vis; *p; p++) count += *p == ',';
    const char *p = vis;
    for (int k = rank % count; k > 0; k--) p = strchr(p, ',') + 1;
    snprintf(out, n, "%.*s", (int)strcspn(p, ","), p);
    return;
  }
  DIR *d = opendir("/proc/driver/nvidia/gpus");
  if (!d) return;
  int count = 0;
  for (struct dirent *e; (e = readdir(d));) count += e->d_name[0] != '.';
  closedir(d);
  if (count > 0) snprintf(out, n, "%d", rank % count);
}

/* The worker's environment: mdbench's, with the thread count set (and the
 * rank's GPU in a suite). */
static char **worker_env(const ase_ctx *c) {
  static const char *const vars[] = {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "CUDA_VISIBLE_DEVICES"};
  const size_t nv = sizeof vars / sizeof vars[0];
  size_t n = 0;
  while (environ[n]) n++;
  char **env = calloc(n + nv + 2, sizeof *env);
  if (!env) return NULL;
  size_t o = 0;
  for (size_t k = 0; k < n; k++) {
    int skip = !strncmp(environ[k], "PYTHONUNBUFFERED=", 17);
    for (size_t v = 0; v < nv; v++) {
      size_t len = strlen(vars[v]);
      skip |= !strncmp(environ[k], vars[v], len) && environ[k][len] == '=';
    }
    if (!skip) env[o++] = environ[k];
  }
  static char buf[4][64];
  for (size_t v = 0; v + 1 < nv; v++) {
    snprintf(buf[v], sizeof buf[v], "%s=%d", vars[v], c->threads);
    env[o++] = buf[v];
  }
  char gpu[32];
  rank_gpu(gpu, sizeof gpu);
  const char *vis = getenv("CUDA_VISIBLE_DEVICES");
  if (gpu[0] || vis) {
    snprintf(buf[3], sizeof buf[3], "CUDA_VISIBLE_DEVICES=%s", gpu[0] ? gpu : vis);
    env[o++] = buf[3];
  }
  env[o++] = "PYTHONUNBUFFERED=1";
  env[o] = NULL;
  return env;
}

static mdb_status ase_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  ase_ctx *c = ctx;
  if (c->started) return mdb_ipi_cpu_ops.prepare(c->ipi, sys, err);
  char *payload = system_json(c, sys);
  char **env = worker_env(c);
  char *argv[] = {c->python, "-u", c->worker, "--unix", "{socket}", NULL}; /* ipi.c fills in the socket */
  mdb_status st = payload && env ? mdb_ipi_set_client(c->ipi, argv, env, payload, err)
                                 : mdb_err_nomem(err, "ase worker setup", 1e6);
  free(payload);
  free(env);
  if (st) return st;
  st = mdb_ipi_cpu_ops.prepare(c->ipi, sys, err);
  if (!st) st = mdb_ipi_handshake(c->ipi, err);
  if (st) {
    char why[1024];
    snprintf(why, sizeof why, "%s", err->msg);
    char *cut = strstr(why, " before connecting");
    const int exited_early = cut && strstr(why, "exited");
    /* the user's to fix (exit 2): the worker refused the module, callable,
       keys or constructor (ERROR), or the interpreter could not run it; a
       worker killed while loading (out of memory), or a timeout, is not */
    const mdb_status code = exited_early || mdb_ipi_client_error(c->ipi) ? MDB_EINPUT : st;
    if (exited_early) { /* the worker's last words say why, not its command line */
      char tail[600];
      log_tail(c->log, tail, sizeof tail);
      snprintf(cut, sizeof why - (size_t)(cut - why), " before connecting%s%s", tail[0] ? ": " : "", tail);
    }
    return mdb_err_set(err, code, "ase: calc=%s (python %s): %s", c->calc, c->python, why);
  }
  c->started = 1;
  return MDB_OK;
}

static double ase_cutoff(const void *ctx) { return mdb_ipi_cpu_ops.cutoff(((const ase_ctx *)ctx)->ipi); }

static unsigned ase_kinds(const void *ctx) { return mdb_ipi_cpu_ops.neigh_kinds(((const ase_ctx *)ctx)->ipi); }

static mdb_status ase_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                              mdb_err *err) {
  ase_ctx *c = ctx;
  mdb_status st = mdb_ipi_cpu_ops.compute(c->ipi, sys, nl, flags, out, err);
  if (st) {
    char why[1024];
    snprintf(why, sizeof why, "%s", err->msg);
    return mdb_err_set(err, st, "ase: calc=%s%s%s", c->calc, strncmp(why, "raised ", 7) ? ": " : " ", why);
  }
  const char *extra = mdb_ipi_extra(c->ipi);
  const char *m = strstr(extra, "\"model_ms\":");
  if (m) c->model_s += strtod(m + strlen("\"model_ms\":"), NULL) * 1e-3;
  if (!c->info[0] && strstr(extra, "\"info\":")) {
    cJSON *o = cJSON_Parse(extra);
    cJSON *info = cJSON_GetObjectItemCaseSensitive(o, "info");
    char *text = cJSON_IsObject(info) ? cJSON_PrintUnformatted(info) : NULL;
    if (text) snprintf(c->info, sizeof c->info, "%s", text);
    free(text);
    cJSON_Delete(o);
    /* a calculator without stress in a periodic cell has no virial: NaN, so
       that pressure is not reported and NPT is refused (md/md.h) */
    c->no_virial = strstr(c->info, "\"virial\":\"none") != NULL;
  }
  if (c->no_virial && (flags & MDB_COMPUTE_VIRIAL)) {
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) out->virial[a][b] = NAN;
    out->virial_set = 1;
  }
  return MDB_OK;
}

static void ase_fini(void *ctx) {
  ase_ctx *c = ctx;
  if (!c) return;
  if (c->ipi) mdb_ipi_cpu_ops.fini(c->ipi);
  if (c->own_log) unlink(c->log);
  ase_free(c);
}

static double ase_wait_s(const void *ctx) { return mdb_ipi_cpu_ops.external_wait_s(((const ase_ctx *)ctx)->ipi); }
static int ase_pid(const void *ctx) { return mdb_ipi_cpu_ops.external_pid(((const ase_ctx *)ctx)->ipi); }
static double ase_model_s(const void *ctx) { return ((const ase_ctx *)ctx)->model_s; }
static const char *ase_info(const void *ctx) { return ((const ase_ctx *)ctx)->info; }

const mdb_calc_ops mdb_ase_cpu_ops = {
    .name = "ase",
    .device = "cpu",
    .summary =
        "any ASE calculator in mdbench's own Python worker (ase:calc=MODULE:CALLABLE[,python=PATH][,KEY=VALUE...])",
    .init = ase_init,
    .prepare = ase_prepare,
    .cutoff = ase_cutoff,
    .neigh_kinds = ase_kinds,
    .compute = ase_compute,
    .fini = ase_fini,
    .external_wait_s = ase_wait_s,
    .external_pid = ase_pid,
    .external_model_s = ase_model_s,
    .external_info = ase_info,
};
