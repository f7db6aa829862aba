/*
 * fuzz_h5_results.c — the results HDF5 reader (io/h5_results.c and
 * analysis/results_h5attr.c through mdb_results_load, as `mdbench analyze`
 * and `regress` read a results.h5; mdb_h5_read_series for the arrays).
 *
 * Structure-aware, not raw bytes: mutating the bytes of an HDF5 file mostly
 * tests libhdf5's own parser (not ours, and known to crash on corrupt
 * files), and almost never gets past it to our code. Instead the input is a
 * program of edits applied with the HDF5 API to a valid results file that
 * mdbench itself wrote (two argon cases: one run, one that failed to
 * start), opened in memory (core driver, backing store off, from a file
 * image). Each edit (op byte, then its operands; see apply()):
 *   0 set an attribute: object, name (known or new), type, shape, values
 *   1 delete an attribute
 *   2 replace a dataset (any case array, or a new name): type, shape, values
 *   3 replace /summary with a compound table: columns (known names, any
 *     order, some left out), each column's type, rows, values
 *   4 delete an object (group or dataset)
 *   5 add a group under /cases (a name from the input)
 *   6 rename an object
 * Types: variable- and fixed-length strings, integers of 1..8 bytes signed
 * and unsigned, both byte orders, float and double; shapes: null, scalar,
 * or rank 1..3. The edited image is written to a file and read back with
 * mdbench's readers, which must refuse what they cannot use with an error.
 *
 * String attributes of any shape are written: corpus/h5_results/regress-item7-*
 * set the root's schema to an array of 16 strings (variable- and
 * fixed-length), which overflowed the old attribute readers at once (issue
 * 15 item 7); io/h5_attr now refuses them with an error.
 */
#include <hdf5.h>
#include <math.h>

#include "analysis/results.h"
#include "bench/bench.h"
#include "fuzz_util.h"
#include "io/h5_results.h"

#define MAX_NAMES 256
#define MAX_ELEMS 256

static unsigned char *tmpl;
static size_t tmpl_len;
static char *objects[MAX_NAMES]; /* paths of every group and dataset in the template */
static int nobjects;
static char *anames[MAX_NAMES]; /* every attribute name in the template */
static int nanames;
static char *columns[128]; /* /summary's columns */
static int ncolumns;
static const char *const dnames[] = {"step_time_ms", "thermo/total_energy_eV", "thermo/step", "memory/bytes",
                                     "summary",      "client_wait_ms"};

/* ------------------------------------------------------------ input */

typedef struct rd {
  const uint8_t *p;
  size_t n;
} rd;

static unsigned u8(rd *r) {
  if (!r->n) return 0;
  r->n--;
  return *r->p++;
}

static void bytes(rd *r, void *out, size_t k) {
  size_t take = k < r->n ? k : r->n;
  memcpy(out, r->p, take);
  memset((char *)out + take, 0, k - take);
  r->p += take;
  r->n -= take;
}

/* A string of up to max bytes (length byte first); out holds max + 1. */
static void str(rd *r, char *out, size_t max) {
  size_t k = u8(r) % (max + 1);
  bytes(r, out, k);
  out[k] = '\0';
}

/* ------------------------------------------------------ the template */

#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info2_t obj_info;
#define VISIT(h, op) H5Ovisit3(h, H5_INDEX_NAME, H5_ITER_INC, op, NULL, H5O_INFO_BASIC)
#else
typedef H5O_info_t obj_info;
#define VISIT(h, op) H5Ovisit2(h, H5_INDEX_NAME, H5_ITER_INC, op, NULL, H5O_INFO_BASIC)
#endif

static herr_t visit_obj(hid_t o, const char *name, const obj_info *info, void *data) {
  (void)data;
  if (nobjects < MAX_NAMES) objects[nobjects++] = strdup(name);
  hid_t obj = H5Oopen(o, name, H5P_DEFAULT);
  if (obj < 0) return 0;
  int na = H5Aget_num_attrs(obj);
  for (int k = 0; k < na; k++) {
    char an[256];
    if (H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)k, an, sizeof an, H5P_DEFAULT) < 0) continue;
    int seen = 0;
    for (int j = 0; j < nanames && !seen; j++) seen = !strcmp(anames[j], an);
    if (!seen && nanames < MAX_NAMES) anames[nanames++] = strdup(an);
  }
  H5Oclose(obj);
  (void)info;
  return 0;
}

static void make_template(void) {
  mdb_case c;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "argon");
  snprintf(c.protocol, sizeof c.protocol, "NVT");
  c.n_atoms = 32;
  c.n_steps = 20;
  c.warmup_steps = 2;
  c.energy_interval = 5;
  c.memory_interval = 10;
  mdb_result r;
  mdb_err err = {0};
  if (mdb_case_run(&c, &r, &err)) {
    fprintf(stderr, "fuzz: template case: %s\n", err.msg);
    abort();
  }
  mdb_case bad = c;
  snprintf(bad.system, sizeof bad.system, "no-such-system");
  mdb_h5_case k[2];
  memset(k, 0, sizeof k);
  k[0].case_id = "argon_32_NVT_lj_cpu";
  k[0].result = &r;
  k[1].case_id = "no-such-system_32_NVT_lj_cpu";
  k[1].spec = &bad;
  k[1].prov.error = "no-such-system: unknown system";
  mdb_h5_meta meta = {.suite = "fuzz", .command = "fuzz_h5_results", .mpi_ranks = 1};
  char path[512];
  snprintf(path, sizeof path, "%s/template.h5", fuzz_dir());
  if (mdb_h5_write(path, &meta, k, 2, &err)) {
    fprintf(stderr, "fuzz: template file: %s\n", err.msg);
    abort();
  }
  mdb_result_free(&r);
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) || (long)(tmpl_len = (size_t)ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
      !(tmpl = malloc(tmpl_len)) || fread(tmpl, 1, tmpl_len, f) != tmpl_len)
    abort();
  fclose(f);
  hid_t h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (h < 0) abort();
  VISIT(h, visit_obj);
  hid_t d = H5Dopen2(h, "summary", H5P_DEFAULT), t = H5Dget_type(d);
  int nm = H5Tget_nmembers(t);
  for (int j = 0; j < nm && ncolumns < 128; j++) {
    char *m = H5Tget_member_name(t, (unsigned)j);
    columns[ncolumns++] = strdup(m);
    H5free_memory(m);
  }
  H5Tclose(t);
  H5Dclose(d);
  H5Fclose(h);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  make_template();
  return 0;
}

/* -------------------------------------------------------- the edits */

/* An atomic type from one byte; *is_str says whether it is a string (then
 * *vlen says which kind). The caller closes it. */
static hid_t pick_type(rd *r, int *is_str, int *vlen) {
  unsigned b = u8(r);
  *is_str = *vlen = 0;
  switch (b % 8) {
  case 0:
  case 1: {
    hid_t t = H5Tcopy(H5T_C_S1);
    *is_str = 1;
    *vlen = b % 8 == 0;
    H5Tset_size(t, *vlen ? H5T_VARIABLE : 1 + u8(r) % 300);
    H5Tset_cset(t, (b >> 3) & 1 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
    H5Tset_strpad(t, (b >> 4) % 3 == 0 ? H5T_STR_NULLTERM : (b >> 4) % 3 == 1 ? H5T_STR_NULLPAD : H5T_STR_SPACEPAD);
    return t;
  }
  case 2: return H5Tcopy((b >> 3) & 1 ? H5T_IEEE_F64BE : H5T_IEEE_F64LE);
  case 3: return H5Tcopy((b >> 3) & 1 ? H5T_IEEE_F32BE : H5T_IEEE_F32LE);
  default: {
    static const hid_t *const ints[] = {&H5T_STD_I8LE_g,  &H5T_STD_U8LE_g,  &H5T_STD_I16LE_g, &H5T_STD_U16LE_g,
                                        &H5T_STD_I32LE_g, &H5T_STD_U32LE_g, &H5T_STD_I64LE_g, &H5T_STD_U64LE_g};
    H5open();
    hid_t t = H5Tcopy(*ints[(b >> 3) % 8]);
    if ((b >> 6) & 1) H5Tset_order(t, H5T_ORDER_BE);
    return t;
  }
  }
}

/* A dataspace from the input: null, scalar or simple of rank 1..3; its
 * element count (capped at MAX_ELEMS) in *npts. */
static hid_t pick_space(rd *r, hssize_t *npts) {
  unsigned b = u8(r);
  if (b % 8 == 0) {
    *npts = 0;
    return H5Screate(H5S_NULL);
  }
  if (b % 8 <= 3) {
    *npts = 1;
    return H5Screate(H5S_SCALAR);
  }
  int rank = 1 + (int)(b >> 3) % 3;
  hsize_t dims[3];
  hssize_t total = 1;
  for (int k = 0; k < rank; k++) {
    dims[k] = u8(r) % 17;
    if (total * (hssize_t)dims[k] > MAX_ELEMS) dims[k] = 1;
    total *= (hssize_t)dims[k];
  }
  *npts = total;
  return H5Screate_simple(rank, dims, NULL);
}

/* Element values for type t (its size) as bytes, or strings. */
static void *values(rd *r, hid_t t, int is_str, int vlen, hssize_t npts, char ***strs) {
  *strs = NULL;
  if (is_str && vlen) {
    char **s = calloc((size_t)npts + 1, sizeof *s);
    for (hssize_t i = 0; i < npts; i++) {
      s[i] = malloc(301);
      str(r, s[i], 300);
    }
    *strs = s;
    return s;
  }
  size_t sz = H5Tget_size(t);
  unsigned char *buf = calloc((size_t)npts + 1, sz);
  for (hssize_t i = 0; i < npts; i++) {
    if (is_str) {
      char tmp[301];
      str(r, tmp, 300);
      memcpy(buf + (size_t)i * sz, tmp, strlen(tmp) < sz ? strlen(tmp) : sz);
    } else {
      bytes(r, buf + (size_t)i * sz, sz);
    }
  }
  return buf;
}

static void free_values(void *buf, char **strs, hssize_t npts) {
  if (strs)
    for (hssize_t i = 0; i < npts; i++) free(strs[i]);
  free(buf);
}

static const char *pick_object(rd *r) { return objects[u8(r) % nobjects]; }

static void pick_attr_name(rd *r, char *out, size_t len) {
  unsigned b = u8(r);
  if (b < 224) {
    snprintf(out, len, "%s", anames[b % nanames]);
  } else {
    char tmp[40];
    str(r, tmp, 39);
    snprintf(out, len, "%s", tmp[0] ? tmp : "x");
  }
}

static void set_attr(hid_t f, rd *r) {
  const char *obj = pick_object(r);
  char name[256];
  pick_attr_name(r, name, sizeof name);
  int is_str, vlen;
  hid_t t = pick_type(r, &is_str, &vlen);
  hssize_t npts;
  hid_t sp = pick_space(r, &npts);
  char **strs;
  void *buf = values(r, t, is_str, vlen, npts, &strs);
  hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
  if (o >= 0) {
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hid_t a = H5Acreate2(o, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
      if (npts > 0) H5Awrite(a, t, buf);
      H5Aclose(a);
    }
    H5Oclose(o);
  }
  free_values(buf, strs, npts);
  H5Sclose(sp);
  H5Tclose(t);
}

static void del_attr(hid_t f, rd *r) {
  const char *obj = pick_object(r);
  char name[256];
  pick_attr_name(r, name, sizeof name);
  H5Adelete_by_name(f, obj, name, H5P_DEFAULT);
}

static void write_dataset(hid_t loc, const char *name, hid_t t, hid_t sp, const void *buf, hssize_t npts) {
  if (H5Lexists(loc, name, H5P_DEFAULT) > 0) H5Ldelete(loc, name, H5P_DEFAULT);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(loc, name, t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0) {
    if (npts > 0) H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
  }
  H5Pclose(lcpl);
}

static void set_dataset(hid_t f, rd *r) {
  char name[600];
  unsigned b = u8(r);
  const char *base = objects[u8(r) % nobjects];
  const char *leaf = dnames[b % (sizeof dnames / sizeof dnames[0])];
  if (b >= 192) { /* an existing object replaced by a dataset */
    snprintf(name, sizeof name, "%s", base);
  } else if (!strcmp(leaf, "summary")) {
    snprintf(name, sizeof name, "summary");
  } else {
    const char *id = strncmp(base, "cases/", 6) ? "cases/argon_32_NVT_lj_cpu" : base;
    char grp[300];
    snprintf(grp, sizeof grp, "%s", id);
    char *slash = strchr(grp + 6, '/');
    if (slash) *slash = '\0';
    snprintf(name, sizeof name, "%s/%s", grp, leaf);
  }
  int is_str, vlen;
  hid_t t = pick_type(r, &is_str, &vlen);
  hssize_t npts;
  hid_t sp = pick_space(r, &npts);
  char **strs;
  void *buf = values(r, t, is_str, vlen, npts, &strs);
  write_dataset(f, name, t, sp, buf, npts);
  free_values(buf, strs, npts);
  H5Sclose(sp);
  H5Tclose(t);
}

/* /summary as a compound table of chosen columns, types and rows. */
static void set_summary(hid_t f, rd *r) {
  int ncol = 1 + (int)u8(r) % 64;
  hid_t mt[64];
  int col[64], str_col[64];
  size_t off[64], total = 0;
  for (int j = 0; j < ncol; j++) {
    col[j] = (int)u8(r) % ncolumns;
    int vlen;
    mt[j] = pick_type(r, &str_col[j], &vlen);
    off[j] = total;
    total += H5Tget_size(mt[j]);
  }
  hid_t ct = H5Tcreate(H5T_COMPOUND, total ? total : 1);
  for (int j = 0; j < ncol; j++) H5Tinsert(ct, columns[col[j]], off[j], mt[j]); /* a repeated name fails: left out */
  hsize_t rows = u8(r) % 9;
  unsigned char *buf = calloc(rows ? rows : 1, total ? total : 1);
  char *strs[9 * 64];
  int nstrs = 0;
  for (hsize_t i = 0; i < rows; i++)
    for (int j = 0; j < ncol; j++) {
      unsigned char *cell = buf + i * total + off[j];
      if (str_col[j] && H5Tis_variable_str(mt[j]) > 0) {
        char *s = malloc(301);
        str(r, s, 300);
        strs[nstrs++] = s;
        memcpy(cell, &s, sizeof s);
      } else if (str_col[j]) {
        char tmp[301];
        str(r, tmp, 300);
        size_t sz = H5Tget_size(mt[j]);
        memcpy(cell, tmp, strlen(tmp) < sz ? strlen(tmp) : sz);
      } else {
        bytes(r, cell, H5Tget_size(mt[j]));
      }
    }
  hid_t sp = H5Screate_simple(1, &rows, NULL);
  write_dataset(f, "summary", ct, sp, buf, (hssize_t)rows);
  H5Sclose(sp);
  H5Tclose(ct);
  for (int j = 0; j < ncol; j++) H5Tclose(mt[j]);
  for (int k = 0; k < nstrs; k++) free(strs[k]);
  free(buf);
}

static void new_group(hid_t f, rd *r) {
  char name[80], path[100];
  str(r, name, 79);
  snprintf(path, sizeof path, "cases/%s", name);
  hid_t g = H5Gcreate2(f, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g >= 0) H5Gclose(g);
}

static void rename_object(hid_t f, rd *r) {
  const char *from = pick_object(r);
  char to[100], name[80];
  str(r, name, 79);
  snprintf(to, sizeof to, "%s%s", u8(r) & 1 ? "cases/" : "", name);
  H5Lmove(f, from, f, to, H5P_DEFAULT, H5P_DEFAULT);
}

static void apply(hid_t f, rd *r) {
  for (int op = 0; op < 16 && r->n; op++) {
    switch (u8(r) % 7) {
    case 0: set_attr(f, r); break;
    case 1: del_attr(f, r); break;
    case 2: set_dataset(f, r); break;
    case 3: set_summary(f, r); break;
    case 4: H5Ldelete(f, pick_object(r), H5P_DEFAULT); break;
    case 5: new_group(f, r); break;
    case 6: rename_object(f, r); break;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(fapl, 1 << 16, 0);
  H5Pset_file_image(fapl, tmpl, tmpl_len);
  hid_t f = H5Fopen("fuzz-image.h5", H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (f < 0) abort();
  rd r = {data, size};
  apply(f, &r);
  H5Fflush(f, H5F_SCOPE_GLOBAL);
  ssize_t len = H5Fget_file_image(f, NULL, 0);
  unsigned char *img = len > 0 ? malloc((size_t)len) : NULL;
  if (!img || H5Fget_file_image(f, img, (size_t)len) != len) abort();
  H5Fclose(f);
  const char *path = fuzz_file("results.h5", img, (size_t)len);
  free(img);
  mdb_rset set;
  mdb_err err = {0};
  if (mdb_results_load(path, &set, &err) == MDB_OK) mdb_results_free(&set);
  double *x = NULL;
  int n = 0;
  if (mdb_h5_read_series(path, "argon_32_NVT_lj_cpu", "thermo/total_energy_eV", &x, &n, &err) == MDB_OK) free(x);
  H5Eclear2(H5E_DEFAULT);
  return 0;
}
