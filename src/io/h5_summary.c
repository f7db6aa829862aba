/*
 * h5_summary.c — the /summary table of a results file (docs/hdf5-layout.md,
 * table 3): its columns, one row per case packed for HDF5, and its reader.
 *
 * The columns are the case's own (id, system, ..., the run settings) and
 * every metric of io/metrics.def whose sum is 1, in the table's order; the
 * run settings sit after max_ms and n_timed_steps, where mdbench/1 had them.
 * The writer packs mdb_h5_summary_row values into slots of 8 bytes, the
 * reader unpacks them. A file written before 0.3.0 (mdbench/1) is read
 * through the metrics' old column names.
 */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_priv.h"
#include "io/metrics.h"

enum col_kind { COL_STR, COL_I64, COL_U64, COL_F64 };

typedef struct col {
  const char *name;
  enum col_kind kind;
  size_t off; /* in mdb_h5_summary_row */
  size_t cap; /* bytes of a string field */
  const char *units;
  int contract; /* named in the public contract: a reader requires it */
  int metric;   /* its index in mdb_metrics; -1 for the case's own columns */
} col;

#define ROW_FIELD_SIZE(f) sizeof(((mdb_h5_summary_row *)0)->f)
#define STR(f, req) \
  { #f, COL_STR, offsetof(mdb_h5_summary_row, f), ROW_FIELD_SIZE(f), "", req, -1 }
#define I64(f, u, req) \
  { #f, COL_I64, offsetof(mdb_h5_summary_row, f), 0, u, req, -1 }
#define U64(f, u, req) \
  { #f, COL_U64, offsetof(mdb_h5_summary_row, f), 0, u, req, -1 }
#define F64(f, u, req) \
  { #f, COL_F64, offsetof(mdb_h5_summary_row, f), 0, u, req, -1 }

static const col case_head[] = {STR(case_id, 1),    STR(system, 1), I64(n_atoms, "1", 1), STR(protocol, 1),
                                STR(calculator, 1), STR(device, 1), STR(status, 1)};
static const col after_max_ms[] = {I64(n_steps, "1", 0)};
static const col after_n_timed[] = {
    I64(warmup_steps, "1", 0), I64(fail_step, "1", 0),    I64(rank, "1", 0),         STR(host, 0),
    U64(seed, "1", 0),         F64(timestep_fs, "fs", 0), F64(temperature_K, "K", 0)};
#define N_CASE_COLS                                                                              \
  ((int)(sizeof case_head / sizeof case_head[0] + sizeof after_max_ms / sizeof after_max_ms[0] + \
         sizeof after_n_timed / sizeof after_n_timed[0]))
#define NCOLS (N_CASE_COLS + MDB_M_NSUM)

/* Where each /summary metric sits in a row (0 for JSON-only metrics). */
#define MDB_OFF_1(id) offsetof(mdb_h5_summary_row, id)
#define MDB_OFF_0(id) 0
static const size_t metric_off[MDB_M_N] = {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_OFF_##sum(id),
#include "io/metrics.def"
#undef MDB_METRIC
};

static col cols[NCOLS];
static int ncols;

static void push(const col *c, int n) {
  for (int i = 0; i < n; i++) cols[ncols++] = c[i];
}

/* cols[], built once from the case's columns and the metrics table. */
static void build_cols(void) {
  if (ncols) return;
  push(case_head, (int)(sizeof case_head / sizeof case_head[0]));
  for (int m = 0; m < MDB_M_N; m++) {
    const mdb_metric *d = &mdb_metrics[m];
    if (!d->sum) continue;
    col c = {d->name,
             d->type == MDB_MT_F64 ? COL_F64 : COL_I64,
             metric_off[m],
             0,
             d->unit,
             (d->flags & MDB_MF_CONTRACT) != 0,
             m};
    push(&c, 1);
    if (m == MDB_M_max_ms) push(after_max_ms, (int)(sizeof after_max_ms / sizeof after_max_ms[0]));
    if (m == MDB_M_n_timed_steps) push(after_n_timed, (int)(sizeof after_n_timed / sizeof after_n_timed[0]));
  }
}

int mdb_h5s_ncols(void) {
  build_cols();
  return ncols;
}

const char *mdb_h5s_unit(int j) {
  build_cols();
  return j >= 0 && j < ncols ? cols[j].units : "";
}

hid_t mdb_h5i_str_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return t;
  if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    H5Tclose(t);
    return -1;
  }
  return t;
}

hid_t mdb_h5s_type(const char *const *names, int on_file, hid_t str) {
  build_cols();
  hid_t t = H5Tcreate(H5T_COMPOUND, (size_t)ncols * sizeof(mdb_h5_slot));
  if (t < 0) return t;
  for (int j = 0; j < ncols; j++) {
    const char *name = names ? names[j] : cols[j].name;
    if (!name) continue;
    hid_t mt = cols[j].kind == COL_STR   ? str
               : cols[j].kind == COL_I64 ? (on_file ? H5T_STD_I64LE : H5T_NATIVE_INT64)
               : cols[j].kind == COL_U64 ? (on_file ? H5T_STD_U64LE : H5T_NATIVE_UINT64)
                                         : (on_file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
    if (H5Tinsert(t, name, (size_t)j * sizeof(mdb_h5_slot), mt) < 0) {
      H5Tclose(t);
      return -1;
    }
  }
  if (on_file && H5Tpack(t) < 0) {
    H5Tclose(t);
    return -1;
  }
  return t;
}

static void row_defaults(mdb_h5_summary_row *s) {
  memset(s, 0, sizeof *s);
  for (int j = 0; j < ncols; j++)
    if (cols[j].kind == COL_F64) *(double *)((char *)s + cols[j].off) = NAN;
  s->fail_step = -1;
}

static void summary_row(const mdb_h5_case *k, mdb_h5_summary_row *s) {
  const mdb_result *r = k->result;
  const mdb_case *c = mdb_h5i_case_spec(k);
  row_defaults(s);
  snprintf(s->case_id, sizeof s->case_id, "%s", k->case_id);
  snprintf(s->system, sizeof s->system, "%s", c->system);
  snprintf(s->protocol, sizeof s->protocol, "%s", c->protocol);
  snprintf(s->calculator, sizeof s->calculator, "%s", c->calculator);
  snprintf(s->device, sizeof s->device, "%s", c->device);
  snprintf(s->status, sizeof s->status, "%s", mdb_h5i_case_status(k));
  snprintf(s->host, sizeof s->host, "%s", mdb_h5i_case_host(k));
  s->n_atoms = r ? r->n_atoms : c->n_atoms;
  s->n_steps = c->n_steps;
  s->warmup_steps = c->warmup_steps;
  s->rank = k->prov.rank;
  s->seed = c->seed;
  s->timestep_fs = c->timestep_fs;
  s->temperature_K = c->temperature_K;
  if (!r) return;
  s->fail_step = r->fail_step;
  for (int j = 0; j < ncols; j++) { /* a metric the result does not have stays NaN */
    if (cols[j].metric < 0) continue;
    double v = mdb_metric_value(cols[j].metric, r);
    char *f = (char *)s + cols[j].off;
    if (cols[j].kind == COL_F64) {
      memcpy(f, &v, sizeof v);
    } else {
      int64_t i = isfinite(v) ? (int64_t)v : 0;
      memcpy(f, &i, sizeof i);
    }
  }
}

void mdb_h5s_pack_row(mdb_h5_summary_row *s, mdb_h5_slot *out) {
  build_cols();
  for (int j = 0; j < ncols; j++) {
    char *f = (char *)s + cols[j].off;
    switch (cols[j].kind) {
    case COL_STR: out[j].s = f; break;
    case COL_I64: memcpy(&out[j].i, f, sizeof(int64_t)); break;
    case COL_U64: memcpy(&out[j].u, f, sizeof(uint64_t)); break;
    case COL_F64: memcpy(&out[j].d, f, sizeof(double)); break;
    }
  }
}

mdb_status mdb_h5s_pack(const mdb_h5_case *cases, int ncases, mdb_h5_summary_row **rows, mdb_h5_slot **buf,
                        mdb_err *err) {
  build_cols();
  size_t n = ncases > 0 ? (size_t)ncases : 1;
  *rows = calloc(n, sizeof **rows);
  *buf = calloc(n * (size_t)ncols, sizeof **buf);
  if (!*rows || !*buf) {
    free(*rows);
    free(*buf);
    *rows = NULL;
    *buf = NULL;
    return mdb_err_nomem(err, "summary table", (double)n * (sizeof **rows + (size_t)ncols * sizeof **buf));
  }
  for (int i = 0; i < ncases; i++) {
    summary_row(&cases[i], &(*rows)[i]);
    mdb_h5s_pack_row(&(*rows)[i], *buf + (size_t)i * (size_t)ncols);
  }
  return MDB_OK;
}

/* The name column j has in the file type ft: its own, else an old name of
 * its metric (a /summary column name, without '.'); NULL when absent. */
static const char *file_name(hid_t ft, int j, char *buf, size_t len) {
  if (H5Tget_member_index(ft, cols[j].name) >= 0) return cols[j].name;
  if (cols[j].metric < 0) return NULL;
  size_t pos = 0;
  while (mdb_metric_next_old(cols[j].metric, &pos, buf, len))
    if (!strchr(buf, '.') && H5Tget_member_index(ft, buf) >= 0) return buf;
  return NULL;
}

/* Copies the cells of one row read from the file into s. */
static mdb_status unpack_row(const char *path, unsigned long long i, const mdb_h5_slot *in, const char *const *names,
                             mdb_h5_summary_row *s, mdb_err *err) {
  row_defaults(s);
  for (int j = 0; j < ncols; j++) {
    if (!names[j]) continue;
    char *f = (char *)s + cols[j].off;
    switch (cols[j].kind) {
    case COL_STR: {
      const char *v = in[j].s ? in[j].s : "";
      if (strlen(v) >= cols[j].cap)
        return mdb_err_set(err, MDB_EINPUT, "%s: /summary row %llu: %s is longer than %zu bytes", path, i, cols[j].name,
                           cols[j].cap - 1);
      memcpy(f, v, strlen(v) + 1);
      break;
    }
    case COL_I64: memcpy(f, &in[j].i, sizeof(int64_t)); break;
    case COL_U64: memcpy(f, &in[j].u, sizeof(uint64_t)); break;
    case COL_F64: memcpy(f, &in[j].d, sizeof(double)); break;
    }
  }
  return MDB_OK;
}

mdb_status mdb_h5s_read(const char *path, hid_t file, mdb_h5_summary_row **rows_out, int *nrows, mdb_err *err) {
  build_cols();
  if (H5Lexists(file, "summary", H5P_DEFAULT) <= 0)
    return mdb_err_set(err, MDB_EINPUT, "%s has no /summary dataset", path);
  mdb_h5i_msg why = {""};
  hid_t d = H5Dopen2(file, "summary", H5P_DEFAULT);
  hid_t ft = d < 0 ? -1 : H5Dget_type(d);
  hid_t sp = d < 0 ? -1 : H5Dget_space(d);
  if (d < 0 || ft < 0 || sp < 0) mdb_h5i_reason(&why);
  hid_t str = mdb_h5i_str_type(), mt = -1;
  mdb_h5_slot *buf = NULL;
  mdb_h5_summary_row *rows = NULL;
  mdb_status st = MDB_OK;
  int have_buf = 0;
  char old[NCOLS][64];
  const char *names[NCOLS];
  hsize_t n = 0;
  if (d < 0 || ft < 0 || sp < 0 || str < 0) {
    if (!why.text[0]) mdb_h5i_reason(&why);
    st = mdb_err_set(err, MDB_EIO, "cannot read %s: /summary: %s", path, why.text);
    goto out;
  }
  if (H5Tget_class(ft) != H5T_COMPOUND || H5Sget_simple_extent_ndims(sp) != 1) {
    st = mdb_err_set(err, MDB_EINPUT, "%s: /summary is not a 1-D compound table", path);
    goto out;
  }
  for (int j = 0; j < ncols; j++) {
    names[j] = file_name(ft, j, old[j], sizeof old[j]);
    if (!names[j] && cols[j].contract) {
      st = mdb_err_set(err, MDB_EINPUT, "%s: /summary has no column '%s'", path, cols[j].name);
      goto out;
    }
  }
  H5Sget_simple_extent_dims(sp, &n, NULL);
  if (n > (hsize_t)INT_MAX / (hsize_t)ncols) {
    st = mdb_err_set(err, MDB_EINPUT, "%s: /summary has too many rows (%llu)", path, (unsigned long long)n);
    goto out;
  }
  buf = calloc(n ? (size_t)n * (size_t)ncols : 1, sizeof *buf);
  rows = calloc(n ? (size_t)n : 1, sizeof *rows);
  if (!buf || !rows) {
    st = mdb_err_nomem(err, "summary rows", (double)n * (sizeof *rows + (size_t)ncols * sizeof *buf));
    goto out;
  }
  if ((mt = mdb_h5s_type(names, 0, str)) < 0 || (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)) {
    mdb_h5i_reason(&why);
    st = mdb_err_set(err, MDB_EINPUT, "cannot read %s: /summary: %s", path, why.text);
    goto out;
  }
  have_buf = n > 0;
  for (hsize_t i = 0; i < n && !st; i++)
    st = unpack_row(path, (unsigned long long)i, buf + i * (hsize_t)ncols, names, &rows[i], err);
  if (!st) {
    *rows_out = n ? rows : NULL;
    *nrows = (int)n;
    if (!n) free(rows);
    rows = NULL;
  }
out:
#if H5_VERSION_GE(1, 12, 0)
  if (have_buf) H5Treclaim(mt, sp, H5P_DEFAULT, buf);
#else
  if (have_buf) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
#endif
  free(buf);
  free(rows);
  if (mt >= 0) H5Tclose(mt);
  if (str >= 0) H5Tclose(str);
  if (sp >= 0) H5Sclose(sp);
  if (ft >= 0) H5Tclose(ft);
  if (d >= 0) H5Dclose(d);
  return st;
}
