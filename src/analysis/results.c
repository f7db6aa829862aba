/*
 * results.c — loading benchmark results (case JSON, results HDF5, a
 * directory of either) into mdb_rcase records. See results.h.
 */
#include "analysis/results.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/h5_results.h"

#define SUITE_SCHEMA "mdbench-suite/1"

/* Where each metric of io/metrics.def sits in a case. */
static const size_t metric_off[MDB_M_N] = {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) offsetof(mdb_rcase, id),
#include "io/metrics.def"
#undef MDB_METRIC
};

static double *metric_f64(mdb_rcase *c, int m) { return (double *)((char *)c + metric_off[m]); }
static int64_t *metric_i64(mdb_rcase *c, int m) { return (int64_t *)((char *)c + metric_off[m]); }

static void case_init(mdb_rcase *c) {
  memset(c, 0, sizeof *c);
  c->tdamp_fs = c->pdamp_fs = c->pressure_bar = NAN;
  c->timestep_fs = c->temperature_K = NAN;
  c->fail_step = -1;
  for (int m = 0; m < MDB_M_N; m++)
    if (mdb_metrics[m].type == MDB_MT_F64) *metric_f64(c, m) = NAN;
}

void mdb_rcase_key(const mdb_rcase *c, char *buf, size_t len) {
  snprintf(buf, len, "%s|%lld|%s|%s|%s|%.17g|%.17g", c->system, (long long)c->n_atoms, c->protocol, c->calculator,
           c->device, c->timestep_fs, c->temperature_K);
}

/* A case without timed steps has no step statistics (null in JSON, NaN in HDF5;
 * older JSON wrote 0 for them). */
static void finish_case(mdb_rcase *c) {
  if (c->n_timed_steps <= 0 && c->n_step_ms == 0)
    for (int m = 0; m < MDB_M_N; m++)
      if (mdb_metrics[m].have == MDB_HAVE_TIMED) *metric_f64(c, m) = NAN;
  snprintf(c->label, sizeof c->label, "%s", c->case_id);
  mdb_rcase_key(c, c->key, sizeof c->key);
}

void mdb_results_free(mdb_rset *set) {
  if (!set) return;
  for (int i = 0; i < set->n; i++) free(set->cases[i].step_ms);
  free(set->cases);
  memset(set, 0, sizeof *set);
}

static void add_note(mdb_rset *set, const char *fmt, const char *a, const char *b) {
  size_t l = strlen(set->notes);
  if (l + 8 >= sizeof set->notes) return;
  if (l) l += (size_t)snprintf(set->notes + l, sizeof set->notes - l, "; ");
  if (l < sizeof set->notes) snprintf(set->notes + l, sizeof set->notes - l, fmt, a, b);
}

static mdb_status grow(mdb_rset *set, int *cap, mdb_err *err) {
  if (set->n < *cap) return MDB_OK;
  int nc = *cap ? 2 * *cap : 16;
  mdb_rcase *p = realloc(set->cases, (size_t)nc * sizeof *p);
  if (!p) return mdb_err_nomem(err, "result cases", (double)nc * sizeof *p);
  set->cases = p;
  *cap = nc;
  return MDB_OK;
}

/* ------------------------------------------------------------------ HDF5 */

static mdb_status load_h5(const char *path, mdb_rset *set, mdb_err *err) {
  mdb_h5_summary_row *rows = NULL;
  int n = 0;
  mdb_status st = mdb_h5_read_summary(path, &rows, &n, err);
  if (st) return st;
  set->cases = calloc(n ? (size_t)n : 1, sizeof *set->cases);
  if (!set->cases) {
    free(rows);
    return mdb_err_nomem(err, "result cases", (double)n * sizeof *set->cases);
  }
  for (int i = 0; i < n && !st; i++) {
    const mdb_h5_summary_row *r = &rows[i];
    mdb_rcase *c = &set->cases[i];
    case_init(c);
    set->n = i + 1;
    snprintf(c->case_id, sizeof c->case_id, "%s", r->case_id);
    snprintf(c->source, sizeof c->source, "%s", path);
    snprintf(c->system, sizeof c->system, "%s", r->system);
    c->n_atoms = r->n_atoms;
    snprintf(c->protocol, sizeof c->protocol, "%s", r->protocol);
    snprintf(c->calculator, sizeof c->calculator, "%s", r->calculator);
    snprintf(c->device, sizeof c->device, "%s", r->device);
    snprintf(c->host, sizeof c->host, "%s", r->host);
    snprintf(c->status, sizeof c->status, "%s", r->status);
    c->timestep_fs = r->timestep_fs;
    c->temperature_K = r->temperature_K;
    c->seed = r->seed;
    c->n_steps = r->n_steps;
    c->warmup_steps = r->warmup_steps;
    c->fail_step = r->fail_step;
    /* the /summary metrics (the others are JSON only: they stay NaN) */
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_COPY_##sum(id)
#define MDB_COPY_1(id) c->id = r->id;
#define MDB_COPY_0(id)
#include "io/metrics.def"
#undef MDB_METRIC
    st = mdb_h5_read_step_times(path, c->case_id, &c->step_ms, &c->n_step_ms, err);
  }
  free(rows);
  if (!st) st = mdb_results_h5_case_attrs(path, set->cases, set->n, err);
  if (!st)
    for (int i = 0; i < set->n; i++) finish_case(&set->cases[i]);
  return st;
}

/* ------------------------------------------------------------------ JSON */

static double jnum(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The first integer field that held no usable integer, "metadata.n_steps = 2.2e+24"; "" when none. */
typedef struct jbad {
  char what[128];
} jbad;

/* An integer field: dflt when absent, null or not a number; a number that is
 * not a whole number a double holds exactly (|v| <= 2^53) is noted in bad. */
static int64_t jint_v(const cJSON *v, const char *sec, const char *k, int64_t dflt, jbad *bad) {
  if (!cJSON_IsNumber(v)) return dflt;
  double x = v->valuedouble;
  if (isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0) return (int64_t)x;
  if (!bad->what[0]) snprintf(bad->what, sizeof bad->what, "%s.%s = %.6g", sec, k, x);
  return dflt;
}

static int64_t jint(const cJSON *o, const char *sec, const char *k, int64_t dflt, jbad *bad) {
  return jint_v(cJSON_GetObjectItemCaseSensitive(o, k), sec, k, dflt, bad);
}

static void jstr(const cJSON *o, const char *k, char *buf, size_t len) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  if (cJSON_IsString(v) && v->valuestring) snprintf(buf, len, "%s", v->valuestring);
}

/* Reads the whole file; MDB_EIO when it cannot. */
static mdb_status slurp(const char *path, char **text, size_t *len, mdb_err *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return mdb_err_set(err, MDB_EIO, "cannot read %s: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) { /* a device such as /dev/zero never ends */
    fclose(f);
    return mdb_err_set(err, MDB_EINPUT, "%s is not a regular file (a device, socket or pipe); not a results file",
                       path);
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *p = realloc(buf, cap * 2);
      if (!p) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = p;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf) return mdb_err_nomem(err, path, (double)cap);
  if (bad) {
    free(buf);
    return mdb_err_set(err, MDB_EIO, "cannot read %s: read error", path);
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return MDB_OK;
}

/* What a parsed JSON document is. */
enum { J_CASE, J_SUITE, J_OTHER };

static int json_kind(const cJSON *root, char *why, size_t len) {
  if (!cJSON_IsObject(root)) {
    snprintf(why, len, "not a JSON object");
    return J_OTHER;
  }
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "schema");
  if (cJSON_IsString(s) &&
      (strcmp(s->valuestring, MDB_JSON_CASE_SCHEMA) == 0 || strcmp(s->valuestring, MDB_JSON_CASE_SCHEMA_OLD) == 0))
    return J_CASE;
  if (cJSON_IsString(s) && strcmp(s->valuestring, SUITE_SCHEMA) == 0) {
    snprintf(why, len, "a suite summary (%s), not a case", SUITE_SCHEMA);
    return J_SUITE;
  }
  if (cJSON_IsString(s)) {
    snprintf(why, len, "schema '%.100s', not %s or %s", s->valuestring, MDB_JSON_CASE_SCHEMA, MDB_JSON_CASE_SCHEMA_OLD);
    return J_OTHER;
  }
  /* a suite's marker for a case that could not run has no schema key */
  if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "case_id")) &&
      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "status")) &&
      cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "metadata")))
    return J_CASE;
  snprintf(why, len, "no 'schema' key: not an mdbench case result");
  return J_OTHER;
}

/* The JSON value at "section.key" of root; NULL when absent. */
static const cJSON *jpath(const cJSON *root, const char *path) {
  const char *dot = strchr(path, '.');
  if (!dot) return NULL;
  char sec[64];
  snprintf(sec, sizeof sec, "%.*s", (int)(dot - path), path);
  return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, sec), dot + 1);
}

/* Metric m of a case JSON, under its path or, in an older file, one of its old paths. */
static void json_metric(const cJSON *root, int m, mdb_rcase *c, jbad *bad) {
  const char *at = mdb_metrics[m].json; /* named in a message; I64 metrics have no old names */
  const cJSON *v = jpath(root, at);
  char old[128];
  size_t pos = 0;
  while (!v && mdb_metric_next_old(m, &pos, old, sizeof old))
    if (strchr(old, '.')) v = jpath(root, old);
  if (!v) return;
  switch (mdb_metrics[m].type) {
  case MDB_MT_F64: *metric_f64(c, m) = cJSON_IsNumber(v) ? v->valuedouble : NAN; break;
  case MDB_MT_BOOL: *metric_i64(c, m) = cJSON_IsTrue(v); break;
  case MDB_MT_I64: {
    const char *dot = strchr(at, '.');
    char sec[64];
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - at), at);
    *metric_i64(c, m) = jint_v(v, sec, dot + 1, 0, bad);
    break;
  }
  }
}

static mdb_status json_case(const cJSON *root, const char *path, mdb_rcase *c, mdb_err *err) {
  case_init(c);
  jbad bad = {""};
  snprintf(c->source, sizeof c->source, "%s", path);
  jstr(root, "case_id", c->case_id, sizeof c->case_id);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "metadata");
  jstr(m, "system_type", c->system, sizeof c->system);
  c->n_atoms = jint(m, "metadata", "n_atoms", 0, &bad);
  jstr(m, "protocol", c->protocol, sizeof c->protocol);
  jstr(m, "calculator", c->calculator, sizeof c->calculator);
  jstr(m, "device", c->device, sizeof c->device);
  jstr(m, "device_name", c->device_name, sizeof c->device_name);
  if (!c->device_name[0]) jstr(root, "device_name", c->device_name, sizeof c->device_name);
  jstr(m, "host", c->host, sizeof c->host);
  jstr(m, "thermostat", c->thermostat, sizeof c->thermostat);
  c->tdamp_fs = jnum(m, "tdamp_fs");
  c->pdamp_fs = jnum(m, "pdamp_fs");
  c->pressure_bar = jnum(m, "pressure_bar");
  c->chain_length = jint(m, "metadata", "chain_length", 0, &bad);
  c->timestep_fs = jnum(m, "timestep_fs");
  c->temperature_K = jnum(m, "temperature_K");
  double seed = jnum(m, "seed");
  c->seed = 0;
  if (seed >= 0 && seed < 18446744073709551616.0) /* 2^64: the cast is defined below it */
    c->seed = (uint64_t)seed;
  else if (seed == 18446744073709551616.0) /* a seed near 2^64, rounded up when written as a double */
    c->seed = UINT64_MAX;
  else if (!isnan(seed) && !bad.what[0])
    snprintf(bad.what, sizeof bad.what, "metadata.seed = %.6g", seed);
  c->n_steps = jint(m, "metadata", "n_steps", 0, &bad);
  c->warmup_steps = jint(m, "metadata", "warmup_steps", 0, &bad);
  jstr(root, "status", c->status, sizeof c->status);
  if (!c->status[0]) return mdb_err_set(err, MDB_EINPUT, "%s: a case result without 'status'", path);
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "failure");
  if (cJSON_IsObject(f)) {
    c->fail_step = jint(f, "failure", "step", -1, &bad);
    jstr(f, "reason", c->error, sizeof c->error);
  }
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "performance");
  for (int k = 0; k < MDB_M_N; k++) json_metric(root, k, c, &bad);
  if (bad.what[0])
    return mdb_err_set(err, MDB_EINPUT, "%s: %s is not an integer (counts, steps and seeds are whole numbers)", path,
                       bad.what);
  const cJSON *raw = cJSON_GetObjectItemCaseSensitive(root, "raw");
  const cJSON *ms = cJSON_GetObjectItemCaseSensitive(raw, "step_time_ms");
  if (ms && !cJSON_IsArray(ms)) return mdb_err_set(err, MDB_EINPUT, "%s: raw.step_time_ms is not an array", path);
  int n = cJSON_GetArraySize(ms);
  if (n > 0) {
    c->step_ms = malloc((size_t)n * sizeof *c->step_ms);
    if (!c->step_ms) return mdb_err_nomem(err, "step times", (double)n * sizeof(double));
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, ms) {
      if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) {
        free(c->step_ms);
        c->step_ms = NULL;
        return mdb_err_set(err, MDB_EINPUT, "%s: raw.step_time_ms[%d] is not a finite non-negative number", path, i);
      }
      c->step_ms[i++] = v->valuedouble;
    }
    c->n_step_ms = n;
  }
  if (!cJSON_GetObjectItemCaseSensitive(p, "n_timed_steps")) c->n_timed_steps = n;
  finish_case(c);
  if (!c->case_id[0]) { /* the file's name, without .json */
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t l = strlen(b);
    if (l > 5 && strcmp(b + l - 5, ".json") == 0) l -= 5;
    snprintf(c->label, sizeof c->label, "%.*s", (int)(l < 255 ? l : 255), b);
  }
  return MDB_OK;
}

/* Loads one JSON file. With a note-taking set (a directory scan), a file
 * that is not a case is skipped and named in the notes; otherwise it is an
 * error. */
static mdb_status load_json(const char *path, mdb_rset *set, int *cap, int in_dir, mdb_err *err) {
  char *text = NULL;
  size_t len = 0;
  mdb_status st = slurp(path, &text, &len, err);
  if (st) return st;
  cJSON *root = cJSON_ParseWithLength(text, len);
  if (!root) {
    const char *at = cJSON_GetErrorPtr();
    long off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
    free(text);
    return mdb_err_set(err, MDB_EINPUT, "%s: malformed JSON (near byte %ld); not a results file", path, off);
  }
  free(text);
  char why[256] = "";
  int kind = json_kind(root, why, sizeof why);
  if (kind != J_CASE) {
    cJSON_Delete(root);
    if (in_dir) {
      add_note(set, "skipped %s (%s)", path, why);
      return MDB_OK;
    }
    if (kind == J_SUITE)
      return mdb_err_set(err, MDB_EINPUT, "%s is %s; give its directory or its results.h5 instead", path, why);
    return mdb_err_set(err, MDB_EINPUT, "%s: %s (mdbench reads a case JSON, a results .h5 or a directory of them)",
                       path, why);
  }
  st = grow(set, cap, err);
  if (!st) {
    st = json_case(root, path, &set->cases[set->n], err);
    if (!st) set->n++;
  }
  cJSON_Delete(root);
  return st;
}

/* ------------------------------------------------------------- directory */

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.json in dir (regular files), sorted; a missing dir is no files. */
static mdb_status list_json(const char *dir, char ***names, int *n, mdb_err *err) {
  *names = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return MDB_OK;
  int cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
    char p[8192];
    if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 32;
      char **q = realloc(*names, (size_t)cap * sizeof *q);
      if (!q) break;
      *names = q;
    }
    if (!((*names)[*n] = strdup(p))) break;
    (*n)++;
  }
  int bad = e != NULL;
  closedir(d);
  if (bad) {
    for (int i = 0; i < *n; i++) free((*names)[i]);
    free(*names);
    *names = NULL;
    *n = 0;
    return mdb_err_nomem(err, "file list", 0);
  }
  if (*n) qsort(*names, (size_t)*n, sizeof **names, cmp_names);
  return MDB_OK;
}

static mdb_status load_dir(const char *dir, mdb_rset *set, mdb_err *err) {
  char h5[4096];
  if (snprintf(h5, sizeof h5, "%s/results.h5", dir) >= (int)sizeof h5)
    return mdb_err_set(err, MDB_EINPUT, "path too long: %.200s...", dir);
  struct stat sb;
  if (stat(h5, &sb) == 0) {
    memcpy(set->path, h5, sizeof h5);
    snprintf(set->kind, sizeof set->kind, "hdf5");
    return load_h5(h5, set, err);
  }
  snprintf(set->kind, sizeof set->kind, "directory");
  mdb_status st = MDB_OK;
  int cap = 0;
  for (int pass = 0; pass < 2 && !st; pass++) {
    char sub[8192];
    snprintf(sub, sizeof sub, pass ? "%s/cases" : "%s", dir);
    char **names;
    int n;
    st = list_json(sub, &names, &n, err);
    for (int i = 0; i < n; i++) {
      if (!st) st = load_json(names[i], set, &cap, 1, err);
      free(names[i]);
    }
    free(names);
  }
  if (!st && set->n == 0)
    st = mdb_err_set(err, MDB_EINPUT,
                     "%s holds no results: no results.h5 and no case JSON in it or in its cases/ folder", dir);
  return st;
}

/* ------------------------------------------------------------------- entry */

static int is_hdf5(const char *path) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  unsigned char b[8];
  int yes = fread(b, 1, 8, f) == 8 && memcmp(b, sig, 8) == 0;
  fclose(f);
  if (yes) return 1;
  size_t l = strlen(path);
  return (l > 3 && strcmp(path + l - 3, ".h5") == 0) || (l > 5 && strcmp(path + l - 5, ".hdf5") == 0);
}

mdb_status mdb_results_load(const char *path, mdb_rset *set, mdb_err *err) {
  memset(set, 0, sizeof *set);
  if (!path || !path[0]) return mdb_err_set(err, MDB_EINPUT, "no results path given");
  snprintf(set->path, sizeof set->path, "%s", path);
  struct stat sb;
  if (stat(path, &sb) != 0) return mdb_err_set(err, MDB_EIO, "cannot read %s: %s", path, strerror(errno));
  mdb_status st;
  if (S_ISDIR(sb.st_mode)) {
    st = load_dir(path, set, err);
  } else if (is_hdf5(path)) {
    snprintf(set->kind, sizeof set->kind, "hdf5");
    st = load_h5(path, set, err);
  } else {
    snprintf(set->kind, sizeof set->kind, "json");
    int cap = 0;
    st = load_json(path, set, &cap, 0, err);
  }
  if (st) mdb_results_free(set);
  return st;
}
