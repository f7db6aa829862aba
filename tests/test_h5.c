/*
 * test_h5.c — the suite's HDF5 file holds exactly what was run.
 *
 * Runs tiny real cases (argon 32 atoms, 50 steps: NVE; NVT Langevin; NPT at
 * 100 bar; NVE for 5000 steps, sampled every step, whose arrays are stored
 * chunked and compressed; blow-ups at 3000 K with 400 fs, failing at once, and 20 fs,
 * failing mid-run: status "failed" with partial arrays; an unknown system,
 * status "error", no arrays), writes them with mdb_h5_write and reads the file back twice:
 * with mdb_h5_read_summary/mdb_h5_read_series and with the raw HDF5 API.
 * Every attribute, dataset length, dtype and units attribute is checked, and
 * every array must equal the in-memory one bit for bit (memcmp; tolerance 0).
 * Then the failure paths: a missing directory and an unrenamable target
 * give MDB_EIO and leave no file behind, bad arguments give MDB_EINPUT
 * before anything is created, the readers reject missing, foreign and
 * non-mdbench files, and HDF5 prints nothing while its own printing is
 * restored afterwards.
 *
 * Usage: test_h5 [OUT.h5] (default h5_results_test.h5). The file is kept for
 * tests/peers/h5_layout_check.py.
 */
#include <dirent.h>
#include <hdf5.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "check.h"
#include "core/version.h"
#include "io/h5_results.h"

#define NCASES 7
#define NRUN 6 /* cases that run; the last one cannot */
#define NOK 4  /* cases 0..NOK-1 end "ok", NOK..NRUN-1 blow up */
#define CREATED "2026-01-02T03:04:05Z"
#define MPI_LIB "Open MPI v4.1.4 (test)"

static int same_f64(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int same_f64s(const double *a, const double *b, int n) {
  return n == 0 || memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

/* ------------------------------------------------------- raw HDF5 checks */

static int is_vlen_utf8(hid_t t) {
  return H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 && H5Tget_cset(t) == H5T_CSET_UTF8;
}

static int is_type(hid_t t, H5T_class_t cls, int sign) {
  int ok = H5Tget_class(t) == cls && H5Tget_size(t) == 8 && H5Tget_order(t) == H5T_ORDER_LE;
  if (ok && cls == H5T_INTEGER) ok = H5Tget_sign(t) == (sign ? H5T_SGN_2 : H5T_SGN_NONE);
  return ok;
}

/* A scalar vlen UTF-8 attribute equals want. */
static void check_str_attr(hid_t loc, const char *name, const char *want) {
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  CHECK(a >= 0);
  if (a < 0) {
    fprintf(stderr, "  missing attribute %s\n", name);
    return;
  }
  hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
  CHECK(is_vlen_utf8(t));
  CHECK(H5Sget_simple_extent_type(sp) == H5S_SCALAR);
  char *s = NULL;
  CHECK(H5Aread(a, t, &s) >= 0);
  int ok = s && strcmp(s, want) == 0;
  if (!ok) fprintf(stderr, "  attribute %s = '%s', want '%s'\n", name, s ? s : "(null)", want);
  CHECK(ok);
  H5free_memory(s);
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
}

static void check_num_attr(hid_t loc, const char *name, H5T_class_t cls, int sign, const void *want) {
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  CHECK(a >= 0);
  if (a < 0) {
    fprintf(stderr, "  missing attribute %s\n", name);
    return;
  }
  hid_t t = H5Aget_type(a);
  CHECK(is_type(t, cls, sign));
  unsigned char got[8] = {0};
  hid_t mt = cls == H5T_FLOAT ? H5T_NATIVE_DOUBLE : sign ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
  CHECK(H5Aread(a, mt, got) >= 0);
  int ok = memcmp(got, want, 8) == 0;
  if (!ok) fprintf(stderr, "  attribute %s differs\n", name);
  CHECK(ok);
  H5Tclose(t);
  H5Aclose(a);
}

static void check_i64_attr(hid_t loc, const char *name, int64_t v) { check_num_attr(loc, name, H5T_INTEGER, 1, &v); }
static void check_u64_attr(hid_t loc, const char *name, uint64_t v) { check_num_attr(loc, name, H5T_INTEGER, 0, &v); }
static void check_f64_attr(hid_t loc, const char *name, double v) { check_num_attr(loc, name, H5T_FLOAT, 0, &v); }

typedef struct names {
  int n;
  char name[96][64];
} names;

static herr_t collect_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  names *s = data;
  if (s->n < 96) snprintf(s->name[s->n++], sizeof s->name[0], "%s", name);
  return 0;
}

/* The object's attributes are exactly want[0..n). */
static void check_attr_set(hid_t loc, const char *const *want, int n, const char *where) {
  names got = {0};
  hsize_t idx = 0;
  H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &got);
  CHECK(got.n == n);
  for (int i = 0; i < n; i++) {
    int found = 0;
    for (int j = 0; j < got.n; j++) found |= strcmp(got.name[j], want[i]) == 0;
    if (!found) fprintf(stderr, "  %s: attribute %s missing\n", where, want[i]);
    CHECK(found);
  }
  for (int j = 0; j < got.n; j++) {
    int known = 0;
    for (int i = 0; i < n; i++) known |= strcmp(got.name[j], want[i]) == 0;
    if (!known) fprintf(stderr, "  %s: undocumented attribute %s\n", where, got.name[j]);
    CHECK(known);
  }
}

/* A 1-D dataset of n elements of the given class, units attribute, and the
 * raw bytes of want (read back in mtype). */
static void check_dset(hid_t g, const char *name, H5T_class_t cls, hid_t mtype, const void *want, int n, size_t elsize,
                       const char *units) {
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  CHECK(d >= 0);
  if (d < 0) {
    fprintf(stderr, "  missing dataset %s\n", name);
    return;
  }
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
  CHECK(is_type(t, cls, 1));
  hsize_t dims[2] = {0, 0};
  CHECK(H5Sget_simple_extent_ndims(sp) == 1);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  if (dims[0] != (hsize_t)n) fprintf(stderr, "  %s has %llu elements, want %d\n", name, (unsigned long long)dims[0], n);
  CHECK(dims[0] == (hsize_t)n);
  if (n > 0 && dims[0] == (hsize_t)n) {
    void *buf = malloc((size_t)n * elsize);
    CHECK(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    int ok = memcmp(buf, want, (size_t)n * elsize) == 0;
    if (!ok) fprintf(stderr, "  %s differs from memory\n", name);
    CHECK(ok);
    free(buf);
  }
  check_str_attr(d, "units", units);
  /* storage (docs/hdf5-layout.md): from 4096 elements chunked, shuffled and deflated */
  hid_t dcpl = H5Dget_create_plist(d);
  if (n >= 4096)
    CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_nfilters(dcpl) == 2);
  else
    CHECK(H5Pget_layout(dcpl) == H5D_CONTIGUOUS && H5Pget_nfilters(dcpl) == 0);
  H5Pclose(dcpl);
  H5Sclose(sp);
  H5Tclose(t);
  H5Dclose(d);
}

/* ----------------------------------------------------------------- cases */

static const char *case_ids[NCASES] = {
    "argon32_nve",    "argon32_nvt_langevin",  "argon32_npt_100bar", "argon32_nve_5000_steps",
    "argon32_blowup", "argon32_blowup_midrun", "unknown_system"};

static void make_cases(mdb_result res[NCASES], mdb_case specs[NCASES], char *error_msg, size_t len) {
  mdb_err err;
  for (int i = 0; i < NCASES; i++) {
    mdb_case *c = &specs[i];
    mdb_case_defaults(c);
    snprintf(c->system, sizeof c->system, "argon");
    c->n_atoms = 32;
    c->n_steps = 50;
    c->warmup_steps = 5;
    c->memory_interval = 20;
    c->seed = 1234567890123ULL + (uint64_t)i;
  }
  snprintf(specs[1].protocol, sizeof specs[1].protocol, "NVT");
  snprintf(specs[1].thermostat, sizeof specs[1].thermostat, "langevin");
  snprintf(specs[2].protocol, sizeof specs[2].protocol, "NPT");
  specs[2].pressure_bar = 100;
  specs[2].pressure_set = 1;
  specs[3].n_steps = 5000; /* arrays long enough to be stored chunked and compressed */
  specs[3].energy_interval = 1;
  specs[3].memory_interval = 1;
  specs[4].timestep_fs = 400;
  specs[4].temperature_K = 3000;
  specs[5].timestep_fs = 20; /* with seed 42 this fails after 15 timed steps */
  specs[5].temperature_K = 3000;
  specs[5].seed = 42;
  snprintf(specs[6].system, sizeof specs[6].system, "no-such-system");
  for (int i = 0; i < NRUN; i++) REQUIRE_OK(mdb_case_run(&specs[i], &res[i], &err), &err);
  mdb_status st = mdb_case_run(&specs[NRUN], &res[NRUN], &err);
  CHECK(st == MDB_EINPUT);
  snprintf(error_msg, len, "%s", err.msg);
  for (int i = 0; i < NOK; i++) CHECK(strcmp(res[i].status, "ok") == 0 && res[i].n_timed == specs[i].n_steps);
  for (int i = NOK; i < NRUN; i++) {
    CHECK(strcmp(res[i].status, "failed") == 0 && res[i].n_timed < 50 && res[i].fail_reason[0]);
    printf("blow-up case %s: %s after %d timed steps (step %ld): %s\n", case_ids[i], res[i].status, res[i].n_timed,
           res[i].fail_step, res[i].fail_reason);
  }
  CHECK(res[NRUN - 1].n_timed > 0 && res[NRUN - 1].n_samples > 1); /* partial arrays to write */
}

static void fill_cases(mdb_h5_case k[NCASES], const mdb_result res[NCASES], const mdb_case specs[NCASES],
                       const char *error_msg) {
  memset(k, 0, NCASES * sizeof *k);
  for (int i = 0; i < NCASES; i++) {
    k[i].case_id = case_ids[i];
    k[i].result = i < NRUN ? &res[i] : NULL;
    k[i].spec = &specs[i];
    k[i].prov.rank = i;
    k[i].prov.device_name = "test-cpu";
  }
  k[1].prov.host = "override-host";
  k[1].prov.mpi_library = "per-case MPI";
  k[NOK].prov.git_commit = "0123456789ab";
  k[0].prov.error = "ignored: a result carries its own reason";
  k[NRUN].prov.error = error_msg;
}

static const mdb_h5_meta META = {.suite = "h5-test",
                                 .command = "test_h5 out.h5 --ranks 4",
                                 .mpi_ranks = 4,
                                 .created_utc = CREATED,
                                 .mpi_library = MPI_LIB};

/* ----------------------------------------------------- checks of a file */

static const char *ROOT_ATTRS[] = {"schema",    "suite",    "created_utc", "mdbench_version", "git_commit",
                                   "mpi_ranks", "command",  "build",       "mpi_library",     "hdf5_version",
                                   "n_cases",   "complete", "suite_cases", "stop_signal"};

static const char *CASE_ATTRS[] = {
    "case_id", "system", "n_atoms", "protocol", "calculator", "device", "precision", "host", "rank", "status", "error",
    "seed", "timestep_fs", "temperature_K", "n_steps", "warmup_steps", "n_timed_steps", "fail_step", "thermostat",
    "tdamp_fs", "chain_length", "barostat", "pdamp_fs", "pressure_bar", "lattice_A", "replication", "energy_interval",
    "memory_interval", "skin_A", "memory_kind", "started_utc", "ended_utc", "mdbench_version", "git_commit", "build",
    "mpi_library", "device_name",
    /* core/provenance.h */
    "potential_sha256", "cpu_model", "cpu_count", "os", "slurm_job_id", "slurm_array_job_id", "slurm_array_task_id",
    "slurm_job_nodelist", "slurm_job_partition", "slurm_cluster_name", "compiler", "build_type", "sanitized",
    "git_dirty", "mpi_version", "gpu_count", "gpu_driver", "gpu_models", "gpu_uuids", "cuda_visible_devices",
    "cuda_runtime"};

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static void check_root(hid_t f) {
  check_attr_set(f, ROOT_ATTRS, COUNT(ROOT_ATTRS), "/");
  check_str_attr(f, "schema", "mdbench/2");
  check_str_attr(f, "suite", META.suite);
  check_str_attr(f, "created_utc", CREATED);
  check_str_attr(f, "mdbench_version", mdb_version());
  check_str_attr(f, "git_commit", mdb_git_commit());
  check_str_attr(f, "command", META.command);
  check_str_attr(f, "build", mdb_build_flags());
  check_str_attr(f, "mpi_library", MPI_LIB);
  check_i64_attr(f, "mpi_ranks", 4);
  check_i64_attr(f, "n_cases", NCASES);
  check_i64_attr(f, "complete", 1);
  check_i64_attr(f, "suite_cases", NCASES);
  check_str_attr(f, "stop_signal", "");
  unsigned maj, min, rel;
  H5get_libversion(&maj, &min, &rel);
  char v[64];
  snprintf(v, sizeof v, "%u.%u.%u", maj, min, rel);
  check_str_attr(f, "hdf5_version", v);
}

static void check_case_group(hid_t f, const mdb_h5_case *k, const mdb_case *spec) {
  char path[300];
  snprintf(path, sizeof path, "/cases/%s", k->case_id);
  hid_t g = H5Gopen2(f, path, H5P_DEFAULT);
  CHECK(g >= 0);
  if (g < 0) return;
  const mdb_result *r = k->result;
  const mdb_case *c = r ? &r->c : spec;
  int nve = strcmp(c->protocol, "NVE") == 0, npt = strcmp(c->protocol, "NPT") == 0;
  check_attr_set(g, CASE_ATTRS, COUNT(CASE_ATTRS), path);
  check_str_attr(g, "case_id", k->case_id);
  check_str_attr(g, "system", c->system);
  check_i64_attr(g, "n_atoms", r ? r->n_atoms : c->n_atoms);
  check_str_attr(g, "protocol", c->protocol);
  check_str_attr(g, "calculator", c->calculator);
  check_str_attr(g, "device", c->device);
  check_str_attr(g, "host", k->prov.host ? k->prov.host : r ? r->host : "");
  check_i64_attr(g, "rank", k->prov.rank);
  check_str_attr(g, "status", r ? r->status : "error");
  check_str_attr(g, "error", !r ? k->prov.error : strcmp(r->status, "ok") ? r->fail_reason : "");
  check_u64_attr(g, "seed", c->seed);
  check_f64_attr(g, "timestep_fs", c->timestep_fs);
  check_f64_attr(g, "temperature_K", c->temperature_K);
  check_i64_attr(g, "n_steps", c->n_steps);
  check_i64_attr(g, "warmup_steps", c->warmup_steps);
  check_i64_attr(g, "n_timed_steps", r ? r->n_timed : 0);
  check_i64_attr(g, "fail_step", r ? r->fail_step : -1);
  check_str_attr(g, "thermostat", nve ? "" : c->thermostat);
  check_f64_attr(g, "tdamp_fs", nve ? NAN : c->tdamp_fs);
  check_i64_attr(g, "chain_length", c->chain);
  check_str_attr(g, "barostat", npt ? "mtk_iso" : "");
  check_f64_attr(g, "pdamp_fs", npt ? c->pdamp_fs : NAN);
  check_f64_attr(g, "pressure_bar", npt ? c->pressure_bar : NAN);
  if (npt) CHECK(c->pressure_bar == 100 && c->pdamp_fs > 0 && strcmp(c->thermostat, "nhc") == 0);
  check_f64_attr(g, "lattice_A", r ? r->lattice_A : NAN);
  check_i64_attr(g, "energy_interval", c->energy_interval);
  check_i64_attr(g, "memory_interval", c->memory_interval);
  check_f64_attr(g, "skin_A", c->skin_A);
  check_str_attr(g, "memory_kind", "host_rss");
  check_str_attr(g, "started_utc", r ? r->started_utc : "");
  check_str_attr(g, "ended_utc", r ? r->ended_utc : "");
  check_str_attr(g, "mdbench_version", mdb_version());
  check_str_attr(g, "git_commit", k->prov.git_commit ? k->prov.git_commit : mdb_git_commit());
  check_str_attr(g, "build", mdb_build_flags());
  check_str_attr(g, "mpi_library", k->prov.mpi_library ? k->prov.mpi_library : MPI_LIB);
  check_str_attr(g, "device_name", "test-cpu");
  check_str_attr(g, "build_type", mdb_build_type());
  check_str_attr(g, "cuda_runtime", "");
  check_i64_attr(g, "git_dirty", strstr(mdb_git_commit(), "-dirty") != NULL);
  {
    hid_t a = H5Aopen(g, "replication", H5P_DEFAULT), sp = H5Aget_space(a), t = H5Aget_type(a);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    int64_t reps[3] = {-1, -1, -1};
    CHECK(n == 3 && is_type(t, H5T_INTEGER, 1) && H5Aread(a, H5T_NATIVE_INT64, reps) >= 0);
    for (int d = 0; d < 3; d++) CHECK(reps[d] == (r ? r->reps[d] : 0));
    H5Tclose(t);
    H5Sclose(sp);
    H5Aclose(a);
  }

  int nt = r ? r->n_timed : 0, ns = r ? r->n_samples : 0, nm = r ? r->n_mem : 0;
  const size_t D = sizeof(double);
  check_dset(g, "step_time_ms", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->step_ms : NULL, nt, D, "ms");
  check_dset(g, "thermo/step", H5T_INTEGER, H5T_NATIVE_LONG, r ? r->th_step : NULL, ns, sizeof(long), "1");
  check_dset(g, "thermo/time_fs", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_time_fs : NULL, ns, D, "fs");
  check_dset(g, "thermo/total_energy_eV", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_total : NULL, ns, D, "eV");
  check_dset(g, "thermo/potential_energy_eV", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_potential : NULL, ns, D, "eV");
  check_dset(g, "thermo/kinetic_energy_eV", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_kinetic : NULL, ns, D, "eV");
  check_dset(g, "thermo/conserved_energy_eV", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_conserved : NULL, ns, D, "eV");
  check_dset(g, "thermo/temperature_K", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_temperature : NULL, ns, D, "K");
  check_dset(g, "thermo/pressure_bar", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_pressure : NULL, ns, D, "bar");
  check_dset(g, "thermo/volume_A3", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_volume : NULL, ns, D, "A^3");
  check_dset(g, "thermo/momentum_amu_A_per_fs", H5T_FLOAT, H5T_NATIVE_DOUBLE, r ? r->th_momentum : NULL, ns, D,
             "amu*A/fs");
  check_dset(g, "memory/step", H5T_INTEGER, H5T_NATIVE_LONG, r ? r->mem_step : NULL, nm, sizeof(long), "1");
  check_dset(g, "memory/bytes", H5T_INTEGER, H5T_NATIVE_INT64, r ? r->mem_bytes : NULL, nm, sizeof(int64_t), "bytes");
  H5Gclose(g);
}

/* The compound /summary: the contract's columns first, in order, with their
 * classes, and a units attribute of one string per column. */
static void check_summary_raw(hid_t f) {
  static const char *contract[] = {"case_id", "system", "n_atoms",          "protocol",       "calculator",
                                   "device",  "status", "mean_ms",          "median_ms",      "p95_ms",
                                   "p99_ms",  "std_ms", "steps_per_second", "peak_memory_gb", "energy_drift"};
  static const char *units[] = {"", "", "1", "", "", "", "", "ms", "ms", "ms", "ms", "ms", "1/s", "GB", "1"};
  hid_t d = H5Dopen2(f, "summary", H5P_DEFAULT);
  CHECK(d >= 0);
  if (d < 0) return;
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(sp, &n, NULL);
  CHECK(n == NCASES);
  CHECK(H5Tget_class(t) == H5T_COMPOUND);
  int nm = H5Tget_nmembers(t);
  CHECK(nm >= COUNT(contract));
  for (int j = 0; j < COUNT(contract) && j < nm; j++) {
    char *name = H5Tget_member_name(t, (unsigned)j);
    CHECK(name && strcmp(name, contract[j]) == 0);
    hid_t mt = H5Tget_member_type(t, (unsigned)j);
    if (j == 2)
      CHECK(is_type(mt, H5T_INTEGER, 1));
    else if (j < 7)
      CHECK(is_vlen_utf8(mt));
    else
      CHECK(is_type(mt, H5T_FLOAT, 1));
    H5Tclose(mt);
    H5free_memory(name);
  }
  hid_t a = H5Aopen(d, "units", H5P_DEFAULT), at = H5Aget_type(a), as = H5Aget_space(a);
  hsize_t nu = 0;
  H5Sget_simple_extent_dims(as, &nu, NULL);
  CHECK(is_vlen_utf8(at) && nu == (hsize_t)nm);
  char **u = calloc((size_t)nu, sizeof *u);
  CHECK(H5Aread(a, at, u) >= 0);
  for (int j = 0; j < COUNT(units); j++) CHECK(u[j] && strcmp(u[j], units[j]) == 0);
  for (hsize_t j = 0; j < nu; j++) H5free_memory(u[j]);
  free(u);
  H5Sclose(as);
  H5Tclose(at);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
  H5Dclose(d);
}

/* The reader's rows equal the results, field by field, bit for bit. */
static void check_summary_rows(const char *path, const mdb_h5_case *k, const mdb_case *specs) {
  mdb_err err;
  mdb_h5_summary_row *rows = NULL;
  int n = 0;
  REQUIRE_OK(mdb_h5_read_summary(path, &rows, &n, &err), &err);
  CHECK(n == NCASES);
  for (int i = 0; i < n && i < NCASES; i++) {
    const mdb_h5_summary_row *s = &rows[i];
    const mdb_result *r = k[i].result;
    const mdb_case *c = r ? &r->c : &specs[i];
    CHECK(strcmp(s->case_id, k[i].case_id) == 0);
    CHECK(strcmp(s->system, c->system) == 0);
    CHECK(strcmp(s->protocol, c->protocol) == 0);
    CHECK(strcmp(s->calculator, c->calculator) == 0);
    CHECK(strcmp(s->device, c->device) == 0);
    CHECK(strcmp(s->status, r ? r->status : "error") == 0);
    CHECK(strcmp(s->host, k[i].prov.host ? k[i].prov.host : r ? r->host : "") == 0);
    CHECK(s->n_atoms == (r ? r->n_atoms : c->n_atoms));
    CHECK(s->n_steps == c->n_steps && s->warmup_steps == c->warmup_steps);
    CHECK(s->rank == i && s->seed == c->seed);
    CHECK(same_f64(s->timestep_fs, c->timestep_fs) && same_f64(s->temperature_K, c->temperature_K));
    if (!r) {
      CHECK(isnan(s->mean_ms) && isnan(s->p99_ms) && isnan(s->steps_per_second) && isnan(s->energy_drift));
      CHECK(s->n_timed_steps == 0 && s->fail_step == -1);
      continue;
    }
    if (r->n_timed == 0) { /* no timed step: no step statistics */
      CHECK(isnan(s->mean_ms) && isnan(s->median_ms) && isnan(s->p95_ms) && isnan(s->p99_ms) && isnan(s->std_ms));
      CHECK(isnan(s->min_ms) && isnan(s->max_ms) && isnan(s->steps_per_second));
      CHECK(isnan(s->atom_steps_per_second) && isnan(s->ns_per_day));
    } else {
      CHECK(same_f64(s->mean_ms, r->step.mean) && same_f64(s->median_ms, r->step.median));
      CHECK(same_f64(s->p95_ms, r->step.p95) && same_f64(s->p99_ms, r->step.p99));
      CHECK(same_f64(s->std_ms, r->step.std) && same_f64(s->min_ms, r->step.min) && same_f64(s->max_ms, r->step.max));
      CHECK(same_f64(s->steps_per_second, r->steps_per_second));
      CHECK(same_f64(s->atom_steps_per_second, r->atom_steps_per_second) && same_f64(s->ns_per_day, r->ns_per_day));
    }
    CHECK(same_f64(s->peak_memory_gb, r->mem_peak / 1e9));
    CHECK(same_f64(s->energy_drift, r->energy_drift));
    CHECK(s->n_timed_steps == r->n_timed && s->fail_step == r->fail_step);
    CHECK(same_f64(s->total_time_s, r->total_time_s) && same_f64(s->wall_time_s, r->wall_time_s));
    CHECK(same_f64(s->setup_time_s, r->setup_time_s));
    CHECK(same_f64(s->memory_before_gb, r->mem_before / 1e9) && same_f64(s->memory_after_gb, r->mem_after / 1e9));
    CHECK(same_f64(s->memory_delta_gb, (r->mem_after - r->mem_before) / 1e9));
    CHECK(s->leak_detected == (r->leak_detected != 0));
    CHECK(same_f64(s->energy_std_eV, r->energy_std));
    CHECK(same_f64(s->drift_slope_eV_per_atom_per_ps, r->drift_slope));
    CHECK(same_f64(s->max_abs_deviation_eV_per_atom, r->max_dev_per_atom));
    CHECK(same_f64(s->momentum_drift_amu_A_per_fs_per_atom, r->momentum_drift));
    CHECK(same_f64(s->final_extended_energy_eV, r->final_extended_energy));
    CHECK(same_f64(s->mean_temperature_K, r->mean_temperature) && same_f64(s->std_temperature_K, r->std_temperature));
    CHECK(same_f64(s->mean_pressure_bar, r->mean_pressure) && same_f64(s->std_pressure_bar, r->std_pressure));
    CHECK(same_f64(s->mean_volume_A3, r->mean_volume));
    CHECK(s->neighbor_builds == r->neighbor_builds);
    CHECK(same_f64(s->potential_drift, r->potential_drift));
  }
  free(rows);
}

/* The series reader returns the in-memory arrays. */
static void check_series(const char *path, const mdb_h5_case *k) {
  mdb_err err;
  for (int i = 0; i < NCASES; i++) {
    const mdb_result *r = k[i].result;
    double *x = NULL;
    int n = -1;
    REQUIRE_OK(mdb_h5_read_step_times(path, k[i].case_id, &x, &n, &err), &err);
    CHECK(n == (r ? r->n_timed : 0));
    if (r && n == r->n_timed) CHECK(same_f64s(x, r->step_ms, n));
    free(x);
    REQUIRE_OK(mdb_h5_read_series(path, k[i].case_id, "thermo/conserved_energy_eV", &x, &n, &err), &err);
    CHECK(n == (r ? r->n_samples : 0));
    if (r && n == r->n_samples) CHECK(same_f64s(x, r->th_conserved, n));
    free(x);
    REQUIRE_OK(mdb_h5_read_series(path, k[i].case_id, "memory/bytes", &x, &n, &err), &err);
    CHECK(n == (r ? r->n_mem : 0));
    for (int j = 0; r && j < n && j < r->n_mem; j++) CHECK(x[j] == (double)r->mem_bytes[j]);
    free(x);
  }
}

/* -------------------------------------------------------- failure paths */

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* Files in dir whose names start with prefix. */
static int count_prefixed(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
  closedir(d);
  return n;
}

static void check_failures(const char *dir, const mdb_h5_case *k) {
  mdb_err err;
  char path[4200];

  /* a missing directory */
  snprintf(path, sizeof path, "%s/no-such-dir-%ld/out.h5", dir, (long)getpid());
  err.msg[0] = '\0';
  CHECK(mdb_h5_write(path, &META, k, NCASES, &err) == MDB_EIO);
  CHECK(strstr(err.msg, path) != NULL);
  printf("missing directory: %s\n", err.msg);
  path[strlen(path) - strlen("/out.h5")] = '\0';
  CHECK(!exists(path));

  /* the target is a non-empty directory: everything is written, the rename
   * fails, and the temporary file must go */
  snprintf(path, sizeof path, "%s/h5-target-is-a-dir", dir);
  mkdir(path, 0755);
  char inner[4300];
  snprintf(inner, sizeof inner, "%s/keep", path);
  FILE *fp = fopen(inner, "w");
  if (fp) fclose(fp);
  CHECK(mdb_h5_write(path, &META, k, NCASES, &err) == MDB_EIO);
  CHECK(strstr(err.msg, path) != NULL);
  printf("unrenamable target: %s\n", err.msg);
  CHECK(count_prefixed(dir, "h5-target-is-a-dir.tmp.") == 0);
  remove(inner);
  rmdir(path);

  /* HDF5 fails half-way (a result whose step times are missing): the
   * temporary file must go and the message name the path and the dataset */
  snprintf(path, sizeof path, "%s/h5-fails-half-way.h5", dir);
  mdb_result broken = *k[0].result;
  broken.step_ms = NULL;
  mdb_h5_case half[2] = {k[1], k[0]};
  half[1].result = &broken;
  CHECK(mdb_h5_write(path, &META, half, 2, &err) == MDB_EIO);
  CHECK(strstr(err.msg, path) != NULL && strstr(err.msg, "step_time_ms") != NULL);
  printf("HDF5 failure half-way: %s\n", err.msg);
  CHECK(!exists(path));
  CHECK(count_prefixed(dir, "h5-fails-half-way.h5") == 0);

  /* bad arguments: nothing is created */
  snprintf(path, sizeof path, "%s/h5-bad-args.h5", dir);
  mdb_h5_case bad[2] = {k[0], k[0]};
  CHECK(mdb_h5_write(path, &META, bad, 2, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "more than once") != NULL);
  bad[1].case_id = "a/b";
  CHECK(mdb_h5_write(path, &META, bad, 2, &err) == MDB_EINPUT);
  bad[1].case_id = "";
  CHECK(mdb_h5_write(path, &META, bad, 2, &err) == MDB_EINPUT);
  bad[1] = k[NRUN];
  bad[1].prov.error = NULL;
  CHECK(mdb_h5_write(path, &META, bad, 2, &err) == MDB_EINPUT);
  bad[1].spec = NULL;
  bad[1].prov.error = "x";
  CHECK(mdb_h5_write(path, &META, bad, 2, &err) == MDB_EINPUT);
  CHECK(!exists(path));
  CHECK(count_prefixed(dir, "h5-bad-args.h5") == 0);

  /* readers: a missing file, a file that is not HDF5, an HDF5 file that is
   * not mdbench's, an unknown case and dataset */
  mdb_h5_summary_row *rows = NULL;
  int n = 0;
  double *x = NULL;
  snprintf(path, sizeof path, "%s/h5-missing.h5", dir);
  CHECK(mdb_h5_read_summary(path, &rows, &n, &err) == MDB_EIO);
  snprintf(path, sizeof path, "%s/h5-not-hdf5.h5", dir);
  fp = fopen(path, "w");
  if (fp) {
    fputs("plain text\n", fp);
    fclose(fp);
  }
  CHECK(mdb_h5_read_summary(path, &rows, &n, &err) == MDB_EINPUT);
  printf("not HDF5: %s\n", err.msg);
  remove(path);
  snprintf(path, sizeof path, "%s/h5-foreign.h5", dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  CHECK(mdb_h5_read_summary(path, &rows, &n, &err) == MDB_EINPUT);
  CHECK(mdb_h5_read_step_times(path, "x", &x, &n, &err) == MDB_EINPUT);
  printf("foreign HDF5: %s\n", err.msg);
  remove(path);
}

static void check_reader_errors(const char *path) {
  mdb_err err;
  double *x = NULL;
  int n = 0;
  CHECK(mdb_h5_read_step_times(path, "no_such_case", &x, &n, &err) == MDB_EINPUT && !x && n == 0);
  printf("unknown case: %s\n", err.msg);
  CHECK(mdb_h5_read_series(path, case_ids[0], "thermo/no_such", &x, &n, &err) == MDB_EINPUT && !x);
  CHECK(mdb_h5_read_series(path, case_ids[0], "thermo", &x, &n, &err) == MDB_EINPUT && !x);
  CHECK(mdb_h5_read_series(path, "a/b", "step_time_ms", &x, &n, &err) == MDB_EINPUT && !x);
}

/* Library calls that fail, return values ignored (checked above). */
static void failing_calls(const char *dir, const mdb_h5_case *k) {
  mdb_err err;
  char path[4200];
  snprintf(path, sizeof path, "%s/no-such-dir-%ld/out.h5", dir, (long)getpid());
  mdb_h5_write(path, &META, k, NCASES, &err);
  snprintf(path, sizeof path, "%s/h5-missing.h5", dir);
  mdb_h5_summary_row *rows = NULL;
  double *x = NULL;
  int n = 0;
  mdb_h5_read_summary(path, &rows, &n, &err);
  mdb_h5_read_step_times(path, "x", &x, &n, &err);
}

/* Bytes written to stderr while fn runs. */
static long stderr_bytes_during(void (*fn)(const char *, const mdb_h5_case *), const char *dir, const mdb_h5_case *k) {
  fflush(stderr);
  int saved = dup(2);
  FILE *tmp = tmpfile();
  if (saved < 0 || !tmp) return -1;
  dup2(fileno(tmp), 2);
  fn(dir, k);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  fseek(tmp, 0, SEEK_END);
  long n = ftell(tmp);
  fclose(tmp);
  return n;
}

int main(int argc, char **argv) {
  const char *out = argc > 1 ? argv[1] : "h5_results_test.h5";
  char dir[4000];
  snprintf(dir, sizeof dir, "%s", out);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");

  mdb_result res[NCASES];
  mdb_case specs[NCASES];
  char error_msg[1024];
  make_cases(res, specs, error_msg, sizeof error_msg);
  mdb_h5_case k[NCASES];
  fill_cases(k, res, specs, error_msg);

  H5E_auto2_t func0 = NULL, func1 = NULL;
  void *data0 = NULL, *data1 = NULL;
  H5Eget_auto2(H5E_DEFAULT, &func0, &data0);

  mdb_err err;
  /* an older file at the path is replaced */
  REQUIRE_OK(mdb_h5_write(out, &META, k, 1, &err), &err);
  REQUIRE_OK(mdb_h5_write(out, &META, k, NCASES, &err), &err);
  {
    char prefix[300];
    const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
    snprintf(prefix, sizeof prefix, "%s.tmp.", base);
    CHECK(count_prefixed(dir, prefix) == 0);
  }

  hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(f >= 0);
  if (f < 0) return check_report();
  check_root(f);
  for (int i = 0; i < NCASES; i++) check_case_group(f, &k[i], &specs[i]);
  check_summary_raw(f);
  H5Fclose(f);
  check_summary_rows(out, k, specs);
  check_series(out, k);
  check_reader_errors(out);

  /* an empty suite is a valid file with an empty summary */
  {
    char empty[4200];
    snprintf(empty, sizeof empty, "%s/h5-empty.h5", dir);
    REQUIRE_OK(mdb_h5_write(empty, &META, NULL, 0, &err), &err);
    mdb_h5_summary_row *rows = (mdb_h5_summary_row *)1;
    int n = -1;
    REQUIRE_OK(mdb_h5_read_summary(empty, &rows, &n, &err), &err);
    CHECK(n == 0 && rows == NULL);
    remove(empty);
  }

  check_failures(dir, k);
  /* failing calls print nothing: HDF5's own printing is off inside them */
  long printed = stderr_bytes_during(failing_calls, dir, k);
  CHECK(printed == 0);
  if (printed != 0) fprintf(stderr, "failing library calls wrote %ld bytes to stderr\n", printed);
  H5Eget_auto2(H5E_DEFAULT, &func1, &data1);
  CHECK(func0 != NULL && func1 == func0 && data1 == data0);

  for (int i = 0; i < NRUN; i++) mdb_result_free(&res[i]);
  printf("wrote %s\n", out);
  return check_report();
}
