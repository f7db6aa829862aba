/*
 * h5_results.c — writes and reads the suite's HDF5 file (docs/hdf5-layout.md).
 *
 * Serial HDF5 from one process (rank 0); the parallel build's headers are
 * fine for that. The file is built in memory and its image written as
 * PATH.tmp.PID, fsynced and renamed (write_file), so readers never see half
 * a file and a write error never happens inside HDF5; any failure removes
 * the temporary file and reports the innermost HDF5 message (on one line).
 * Every attribute is read through io/h5_attr.h. HDF5's automatic
 * error printing is switched off for the length of each public call (library
 * code never prints) and restored afterwards.
 *
 * The /summary table's columns, its packing into slots of 8 bytes and its
 * reader are io/h5_summary.c's; its metric columns come from io/metrics.def.
 */
#include "io/h5_results.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/version.h"
#include "core/atomic.h"
#include "io/h5_attr.h"
#include "io/h5_priv.h"

/* H5Pset_file_locking exists from 1.10.7 on the 1.10 line and from 1.12.1. */
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
#define MDB_H5_FILE_LOCKING 1
#else
#define MDB_H5_FILE_LOCKING 0
#endif

#define CHUNK_MIN 4096  /* shorter arrays are stored contiguous, uncompressed */
#define CHUNK_MAX 65536 /* elements per chunk of a compressed array */

/* ------------------------------------------------------------ error stack */

typedef struct quiet {
  H5E_auto2_t func;
  void *data;
} quiet;

static void quiet_begin(quiet *q) {
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

typedef mdb_h5i_msg reason;

static herr_t take_innermost(unsigned n, const H5E_error2_t *e, void *data) {
  reason *r = data;
  if (n == 0 && e->desc) {
    snprintf(r->text, sizeof r->text, "%s", e->desc);
    for (char *c = r->text; *c; c++) /* HDF5's I/O messages span lines: keep ours to one */
      if (*c == '\n' || *c == '\r') *c = ' ';
  }
  return 0;
}

/* The most specific message on HDF5's error stack (then cleared). */
void mdb_h5i_reason(reason *r) {
  snprintf(r->text, sizeof r->text, "unknown HDF5 error");
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_innermost, r);
  H5Eclear2(H5E_DEFAULT);
}

static void utc_now(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *or_empty(const char *s) { return s ? s : ""; }
static const char *or_default(const char *s, const char *dflt) { return s ? s : dflt; }

/* ---------------------------------------------------------------- writer */

typedef struct h5w {
  hid_t str;         /* variable-length UTF-8 string */
  const char *group; /* group being written, for the message */
  char where[600];   /* what failed */
  reason why;        /* HDF5's message, taken at the failure: the next API call clears the stack */
} h5w;

/* Keeps HDF5's message of the first failure; returns 1. */
static int note(h5w *w) {
  if (!w->why.text[0]) mdb_h5i_reason(&w->why);
  return 1;
}

static int failed_at(h5w *w, const char *kind, const char *name) {
  if (!w->where[0]) snprintf(w->where, sizeof w->where, "%s %s/%s", kind, w->group, name);
  return -1;
}

static int attr_write(h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                      const void *value) {
  hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
  hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
  int bad = (a < 0 || H5Awrite(a, mtype, value) < 0) && note(w);
  if (a >= 0 && H5Aclose(a) < 0) bad = note(w);
  if (sp >= 0) H5Sclose(sp);
  return bad ? failed_at(w, "attribute", name) : 0;
}

static int attr_str(h5w *w, hid_t loc, const char *name, const char *v) {
  const char *p = or_empty(v);
  return attr_write(w, loc, name, w->str, w->str, 0, 1, &p);
}

static int attr_i64(h5w *w, hid_t loc, const char *name, int64_t v) {
  return attr_write(w, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1, &v);
}

static int attr_u64(h5w *w, hid_t loc, const char *name, uint64_t v) {
  return attr_write(w, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, 1, &v);
}

static int attr_f64(h5w *w, hid_t loc, const char *name, double v) {
  return attr_write(w, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 1, &v);
}

/* A 1-D dataset of n values with its "units" attribute (none when units is
 * NULL). Long arrays are chunked and compressed (shuffle + deflate), which
 * is lossless. */
static int dset(h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *data, int n,
                const char *units) {
  hsize_t dims = (hsize_t)(n > 0 ? n : 0);
  hid_t sp = H5Screate_simple(1, &dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  int bad = (sp < 0 || dcpl < 0) && note(w);
  if (!bad && n >= CHUNK_MIN && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    hsize_t chunk = (hsize_t)(n < CHUNK_MAX ? n : CHUNK_MAX);
    bad = (H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, 4) < 0) && note(w);
  }
  hid_t d = bad ? -1 : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  bad = (d < 0 || (n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) && note(w);
  if (!bad && units) bad = attr_str(w, d, "units", units) < 0;
  if (d >= 0 && H5Dclose(d) < 0) bad = note(w);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (sp >= 0) H5Sclose(sp);
  return bad ? failed_at(w, "dataset", name) : 0;
}

/* Dimension scales (HDF5 high-level H5DS): the dataset `scale` (relative
 * to loc) becomes the scale of dimension 0 of each dataset in names (NULL
 * ends the list; names absent from loc are skipped), so readers that follow
 * netCDF-4 (xarray through h5netcdf) give the arrays that coordinate. Adds
 * attributes only: CLASS, NAME, REFERENCE_LIST on the scale, DIMENSION_LIST
 * on each array; stale ones (H5Ocopy leaves their references dangling in
 * another file) are removed first. Nothing happens when loc has no scale. */
static int attach_scale(h5w *w, hid_t loc, const char *scale, const char *const *names) {
  static const char *const ds_attrs[] = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST"};
  if (H5Lexists(loc, scale, H5P_DEFAULT) <= 0) return 0;
  int bad = 0;
  for (int i = -1; names[i < 0 ? 0 : i] && !bad; i++) {
    const char *obj = i < 0 ? scale : names[i];
    if (H5Lexists(loc, obj, H5P_DEFAULT) <= 0) continue;
    for (size_t j = 0; j < sizeof ds_attrs / sizeof ds_attrs[0] && !bad; j++)
      if (H5Aexists_by_name(loc, obj, ds_attrs[j], H5P_DEFAULT) > 0)
        bad = H5Adelete_by_name(loc, obj, ds_attrs[j], H5P_DEFAULT) < 0 && note(w);
  }
  hid_t s = bad ? -1 : H5Dopen2(loc, scale, H5P_DEFAULT);
  const char *base = strrchr(scale, '/');
  bad = bad || ((s < 0 || H5DSset_scale(s, base ? base + 1 : scale) < 0) && note(w));
  for (int i = 0; names[i] && !bad; i++) {
    if (H5Lexists(loc, names[i], H5P_DEFAULT) <= 0) continue;
    hid_t d = H5Dopen2(loc, names[i], H5P_DEFAULT);
    bad = (d < 0 || H5DSattach_scale(d, s, 0) < 0) && note(w);
    if (d >= 0 && H5Dclose(d) < 0) bad = note(w);
  }
  if (s >= 0 && H5Dclose(s) < 0) bad = note(w);
  return bad ? failed_at(w, "dimension scale", scale) : 0;
}

/* The CF "coordinates" attribute: names[1..] (NULL-ended) get names[0], a
 * second coordinate along their step dimension (xarray makes it a
 * non-index coordinate; a second dimension scale would be read as a
 * dimension of its own). Kept when already there (a copied case). */
static int aux_coordinate(h5w *w, hid_t g, const char *const *names) {
  int bad = 0;
  for (int i = 1; names[i] && !bad; i++) {
    if (H5Lexists(g, names[i], H5P_DEFAULT) <= 0 || H5Aexists_by_name(g, names[i], "coordinates", H5P_DEFAULT) > 0)
      continue;
    hid_t d = H5Dopen2(g, names[i], H5P_DEFAULT);
    bad = d < 0 ? note(w) : attr_str(w, d, "coordinates", strrchr(names[0], '/') + 1) < 0;
    if (d >= 0 && H5Dclose(d) < 0) bad = note(w);
  }
  return bad ? failed_at(w, "coordinates attribute", names[0]) : 0;
}

/* The step coordinates of a case group's per-step arrays: thermo/step for
 * thermo/ (thermo/time_fs included: the same samples in fs), timed_step for
 * step_time_ms, gpu/force_ms and shadow/step_time_ms, memory/step for
 * memory/bytes, shadow/step for shadow/'s per-sample arrays. */
static int case_scales(h5w *w, hid_t g) {
  static const char *const thermo[] = {"thermo/time_fs",
                                       "thermo/total_energy_eV",
                                       "thermo/potential_energy_eV",
                                       "thermo/kinetic_energy_eV",
                                       "thermo/conserved_energy_eV",
                                       "thermo/temperature_K",
                                       "thermo/pressure_bar",
                                       "thermo/volume_A3",
                                       "thermo/momentum_amu_A_per_fs",
                                       NULL};
  static const char *const timed[] = {"step_time_ms", "gpu/force_ms", "shadow/step_time_ms", NULL};
  static const char *const mem[] = {"memory/bytes", NULL};
  static const char *const shadow[] = {"shadow/time_fs",
                                       "shadow/reference_energy_eV",
                                       "shadow/shadow_energy_eV",
                                       "shadow/energy_diff_eV_per_atom",
                                       "shadow/force_mae_eV_per_A",
                                       "shadow/force_rmse_eV_per_A",
                                       "shadow/force_max_eV_per_A",
                                       NULL};
  /* the shadow's timed steps are the case's unless it stopped apart */
  int shadow_timed = 1;
  if (H5Lexists(g, "shadow", H5P_DEFAULT) > 0 && H5Lexists(g, "shadow/step_time_ms", H5P_DEFAULT) > 0) {
    hid_t a = H5Dopen2(g, "step_time_ms", H5P_DEFAULT), b = H5Dopen2(g, "shadow/step_time_ms", H5P_DEFAULT);
    hid_t sa = a < 0 ? -1 : H5Dget_space(a), sb = b < 0 ? -1 : H5Dget_space(b);
    shadow_timed = sa >= 0 && sb >= 0 && H5Sget_simple_extent_npoints(sa) == H5Sget_simple_extent_npoints(sb);
    if (sa >= 0) H5Sclose(sa);
    if (sb >= 0) H5Sclose(sb);
    if (a >= 0) H5Dclose(a);
    if (b >= 0) H5Dclose(b);
  }
  static const char *const timed_no_shadow[] = {"step_time_ms", "gpu/force_ms", NULL};
  return attach_scale(w, g, "thermo/step", thermo) || aux_coordinate(w, g, thermo) || aux_coordinate(w, g, shadow) ||
                 attach_scale(w, g, "timed_step", shadow_timed ? timed : timed_no_shadow) ||
                 attach_scale(w, g, "memory/step", mem) || attach_scale(w, g, "shadow/step", shadow)
             ? -1
             : 0;
}

/* timed_step (the MD step of each timed step, W+1..W+n_timed), then the
 * case's dimension scales; after every other member of the case group. */
static int write_scales(h5w *w, hid_t g, const mdb_h5_case *k) {
  const mdb_result *r = k->result;
  const int nt = r ? r->n_timed : 0;
  long *ts = malloc((size_t)(nt > 0 ? nt : 1) * sizeof *ts);
  if (!ts) return failed_at(w, "dataset", "timed_step (out of memory)");
  for (int i = 0; i < nt; i++) ts[i] = (long)r->c.warmup_steps + 1 + i;
  int bad = dset(w, g, "timed_step", H5T_STD_I64LE, H5T_NATIVE_LONG, ts, nt, "1");
  free(ts);
  return bad || case_scales(w, g) ? -1 : 0;
}

static hid_t new_group(h5w *w, hid_t loc, const char *name) {
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0 && note(w)) failed_at(w, "group", name);
  return g;
}

static int write_root(h5w *w, hid_t file, const mdb_h5_meta *m, int ncases) {
  char now[32];
  utc_now(now, sizeof now);
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  char h5ver[64];
  snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);
  w->group = "";
  return attr_str(w, file, "schema", MDB_H5_SCHEMA) || attr_str(w, file, "suite", m->suite) ||
                 attr_str(w, file, "created_utc", or_default(m->created_utc, now)) ||
                 attr_str(w, file, "mdbench_version", or_default(m->mdbench_version, mdb_version())) ||
                 attr_str(w, file, "git_commit", or_default(m->git_commit, mdb_git_commit())) ||
                 attr_i64(w, file, "mpi_ranks", m->mpi_ranks > 0 ? m->mpi_ranks : 1) ||
                 attr_str(w, file, "command", m->command) ||
                 attr_str(w, file, "build", or_default(m->build, mdb_build_flags())) ||
                 attr_str(w, file, "mpi_library", m->mpi_library) || attr_str(w, file, "hdf5_version", h5ver) ||
                 attr_i64(w, file, "n_cases", ncases) || attr_i64(w, file, "complete", m->incomplete ? 0 : 1) ||
                 attr_i64(w, file, "suite_cases", m->suite_cases > 0 ? m->suite_cases : ncases) ||
                 attr_str(w, file, "stop_signal", m->stop_signal)
             ? -1
             : 0;
}

static const char *case_error(const mdb_h5_case *k) {
  if (!k->result) return k->prov.error;
  return strcmp(k->result->status, "ok") != 0 ? k->result->fail_reason : "";
}

static int is_protocol(const mdb_case *c, const char *p) { return strcmp(c->protocol, p) == 0; }

/* The environment the case ran in (core/provenance.h); a case that could
 * not run gets this process's. */
/* "13.0" for a case that ran on a GPU, "" otherwise. */
static const char *cuda_runtime_of(const mdb_result *r) {
  static char buf[32];
  if (!r || !r->gpu.used || !r->gpu.dev.runtime_version) return "";
  snprintf(buf, sizeof buf, "%d.%d", r->gpu.dev.runtime_version / 1000, (r->gpu.dev.runtime_version % 1000) / 10);
  return buf;
}

static int write_prov_attrs(h5w *w, hid_t g, const mdb_h5_case *k) {
  mdb_provenance here;
  const mdb_provenance *v = k->result ? &k->result->prov : NULL;
  if (!v) {
    mdb_provenance_collect(&here, NULL);
    v = &here;
  }
  return attr_str(w, g, "potential_sha256", k->result ? k->result->potential_sha256 : "") ||
         attr_str(w, g, "cpu_model", v->cpu_model) || attr_i64(w, g, "cpu_count", v->cpu_count) ||
         attr_str(w, g, "os", v->os) || attr_str(w, g, "slurm_job_id", v->slurm_job_id) ||
         attr_str(w, g, "slurm_array_job_id", v->slurm_array_job_id) ||
         attr_str(w, g, "slurm_array_task_id", v->slurm_array_task_id) ||
         attr_str(w, g, "slurm_job_nodelist", v->slurm_job_nodelist) ||
         attr_str(w, g, "slurm_job_partition", v->slurm_job_partition) ||
         attr_str(w, g, "slurm_cluster_name", v->slurm_cluster_name) || attr_str(w, g, "compiler", v->compiler) ||
         attr_str(w, g, "build_type", v->build_type) || attr_i64(w, g, "sanitized", v->sanitized) ||
         attr_i64(w, g, "git_dirty", v->git_dirty) || attr_str(w, g, "mpi_version", v->mpi_version) ||
         attr_i64(w, g, "gpu_count", v->gpu_count) || attr_str(w, g, "gpu_driver", v->gpu_driver) ||
         attr_str(w, g, "gpu_models", v->gpu_models) || attr_str(w, g, "gpu_uuids", v->gpu_uuids) ||
         attr_str(w, g, "cuda_visible_devices", v->cuda_visible_devices) ||
         attr_str(w, g, "cuda_runtime", cuda_runtime_of(k->result));
}

static int write_case_attrs(h5w *w, hid_t g, const mdb_h5_meta *m, const mdb_h5_case *k) {
  const mdb_result *r = k->result;
  const mdb_case *c = mdb_h5i_case_spec(k);
  int nve = is_protocol(c, "NVE"), npt = is_protocol(c, "NPT");
  double lattice = r ? r->lattice_A : c->lattice_A;
  int64_t reps[3] = {0, 0, 0};
  if (r)
    for (int d = 0; d < 3; d++) reps[d] = r->reps[d];
  const mdb_h5_prov *p = &k->prov;
  if (attr_str(w, g, "case_id", k->case_id) || attr_str(w, g, "system", c->system) ||
      attr_i64(w, g, "n_atoms", r ? r->n_atoms : c->n_atoms) || attr_str(w, g, "protocol", c->protocol) ||
      attr_str(w, g, "calculator", c->calculator) || attr_str(w, g, "device", c->device) ||
      attr_str(w, g, "precision", c->precision[0] ? c->precision : "double") ||
      attr_str(w, g, "host", mdb_h5i_case_host(k)) || attr_i64(w, g, "rank", p->rank) ||
      attr_str(w, g, "status", mdb_h5i_case_status(k)) || attr_str(w, g, "error", case_error(k)) ||
      attr_u64(w, g, "seed", c->seed) || attr_f64(w, g, "timestep_fs", c->timestep_fs) ||
      attr_f64(w, g, "temperature_K", c->temperature_K) || attr_i64(w, g, "n_steps", c->n_steps) ||
      attr_i64(w, g, "warmup_steps", c->warmup_steps))
    return -1;
  /* the rest of the case */
  if (attr_i64(w, g, "n_timed_steps", r ? r->n_timed : 0) || attr_i64(w, g, "fail_step", r ? r->fail_step : -1) ||
      attr_str(w, g, "thermostat", nve ? "" : c->thermostat) || attr_f64(w, g, "tdamp_fs", nve ? NAN : c->tdamp_fs) ||
      attr_i64(w, g, "chain_length", c->chain) || attr_str(w, g, "barostat", npt ? "mtk_iso" : "") ||
      attr_f64(w, g, "pdamp_fs", npt ? c->pdamp_fs : NAN) ||
      attr_f64(w, g, "pressure_bar", npt ? c->pressure_bar : NAN) ||
      attr_f64(w, g, "lattice_A", lattice > 0 ? lattice : NAN) ||
      attr_write(w, g, "replication", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, 3, reps) ||
      attr_i64(w, g, "energy_interval", c->energy_interval) || attr_i64(w, g, "memory_interval", c->memory_interval) ||
      attr_f64(w, g, "skin_A", c->skin_A) || attr_str(w, g, "memory_kind", "host_rss"))
    return -1;
  /* provenance */
  return attr_str(w, g, "started_utc",
                  p->started_utc ? p->started_utc
                  : r            ? r->started_utc
                                 : "") ||
                 attr_str(w, g, "ended_utc",
                          p->ended_utc ? p->ended_utc
                          : r          ? r->ended_utc
                                       : "") ||
                 attr_str(w, g, "mdbench_version",
                          or_default(p->mdbench_version, or_default(m->mdbench_version, mdb_version()))) ||
                 attr_str(w, g, "git_commit", or_default(p->git_commit, or_default(m->git_commit, mdb_git_commit()))) ||
                 attr_str(w, g, "build", or_default(p->build, or_default(m->build, mdb_build_flags()))) ||
                 attr_str(w, g, "mpi_library", or_default(p->mpi_library, or_empty(m->mpi_library))) ||
                 attr_str(w, g, "device_name", p->device_name) || write_prov_attrs(w, g, k)
             ? -1
             : 0;
}

/* The raw arrays; a case without a result has them all, empty. */
static int write_case_data(h5w *w, hid_t g, const mdb_result *r) {
  int nt = r ? r->n_timed : 0, ns = r ? r->n_samples : 0, nm = r ? r->n_mem : 0;
  const hid_t F = H5T_IEEE_F64LE, FM = H5T_NATIVE_DOUBLE;
  if (dset(w, g, "step_time_ms", F, FM, r ? r->step_ms : NULL, nt, "ms")) return -1;
  hid_t th = new_group(w, g, "thermo");
  if (th < 0) return -1;
  const char *gname = w->group;
  char sub[MDB_H5_CASE_ID_MAX + 32];
  snprintf(sub, sizeof sub, "%s/thermo", gname);
  w->group = sub;
  int bad = dset(w, th, "step", H5T_STD_I64LE, H5T_NATIVE_LONG, r ? r->th_step : NULL, ns, "1") ||
            dset(w, th, "time_fs", F, FM, r ? r->th_time_fs : NULL, ns, "fs") ||
            dset(w, th, "total_energy_eV", F, FM, r ? r->th_total : NULL, ns, "eV") ||
            dset(w, th, "potential_energy_eV", F, FM, r ? r->th_potential : NULL, ns, "eV") ||
            dset(w, th, "kinetic_energy_eV", F, FM, r ? r->th_kinetic : NULL, ns, "eV") ||
            dset(w, th, "conserved_energy_eV", F, FM, r ? r->th_conserved : NULL, ns, "eV") ||
            dset(w, th, "temperature_K", F, FM, r ? r->th_temperature : NULL, ns, "K") ||
            dset(w, th, "pressure_bar", F, FM, r ? r->th_pressure : NULL, ns, "bar") ||
            dset(w, th, "volume_A3", F, FM, r ? r->th_volume : NULL, ns, "A^3") ||
            dset(w, th, "momentum_amu_A_per_fs", F, FM, r ? r->th_momentum : NULL, ns, "amu*A/fs");
  if (H5Gclose(th) < 0 && note(w)) bad = failed_at(w, "group", "thermo");
  w->group = gname;
  if (bad) return -1;
  hid_t mg = new_group(w, g, "memory");
  if (mg < 0) return -1;
  snprintf(sub, sizeof sub, "%s/memory", gname);
  w->group = sub;
  bad = dset(w, mg, "step", H5T_STD_I64LE, H5T_NATIVE_LONG, r ? r->mem_step : NULL, nm, "1") ||
        dset(w, mg, "bytes", H5T_STD_I64LE, H5T_NATIVE_INT64, r ? r->mem_bytes : NULL, nm, "bytes");
  if (!bad && r && r->model.used)
    bad = dset(w, mg, "model_bytes", H5T_STD_I64LE, H5T_NATIVE_INT64, r->model.mem_bytes, nm, "bytes");
  if (H5Gclose(mg) < 0 && note(w)) bad = failed_at(w, "group", "memory");
  w->group = gname;
  return bad ? -1 : 0;
}

/* model/: what a launched client (the ase worker, ipi:launch) did, when there was one; for a
 * plugin that reports its model's time (no process of its own), the step split alone */
static int write_model(h5w *w, hid_t g, const mdb_result *r) {
  if (!r || (!r->model.used && !r->model.model_ms)) return 0;
  const mdb_model_record *m = &r->model;
  const hid_t F = H5T_IEEE_F64LE, FM = H5T_NATIVE_DOUBLE;
  hid_t mg = new_group(w, g, "model");
  if (mg < 0) return -1;
  const char *gname = w->group;
  char sub[MDB_H5_CASE_ID_MAX + 32];
  snprintf(sub, sizeof sub, "%s/model", gname);
  w->group = sub;
  int bad = m->used &&
            (attr_i64(w, mg, "pid", m->pid) || attr_str(w, mg, "info", m->info) ||
             attr_f64(w, mg, "memory_before_bytes", m->mem_before >= 0 ? m->mem_before : NAN) ||
             attr_f64(w, mg, "memory_after_bytes", m->mem_before >= 0 ? m->mem_after : NAN) ||
             attr_f64(w, mg, "memory_peak_bytes", m->mem_peak >= 0 ? m->mem_peak : NAN) ||
             attr_i64(w, mg, "leak_detected", m->leak_detected) ||
             attr_i64(w, mg, "mdbench_leak_detected", m->own_leak_detected) || attr_i64(w, mg, "threads", m->threads) ||
             attr_f64(w, mg, "gpu_memory_peak_bytes", m->gpu_mem_bytes >= 0 ? m->gpu_mem_bytes : NAN) ||
             attr_str(w, mg, "gpu_memory_source", m->gpu_note));
  if (!bad && m->model_ms)
    bad = attr_f64(w, mg, "model_median_ms", m->model.median) || attr_f64(w, mg, "model_p99_ms", m->model.p99) ||
          attr_f64(w, mg, "transport_worker_median_ms", m->transport.median) ||
          attr_f64(w, mg, "transport_worker_p99_ms", m->transport.p99) ||
          attr_f64(w, mg, "integration_median_ms", m->integration.median) ||
          attr_f64(w, mg, "integration_p99_ms", m->integration.p99) ||
          attr_f64(w, mg, "harness_overhead_median_ms", m->overhead.median) ||
          attr_f64(w, mg, "harness_overhead_p99_ms", m->overhead.p99) ||
          dset(w, mg, "model_ms", F, FM, m->model_ms, r->n_timed, "ms");
  if (!bad && r->client_wait_ms) bad = dset(w, mg, "client_wait_ms", F, FM, r->client_wait_ms, r->n_timed, "ms");
  if (H5Gclose(mg) < 0 && note(w)) bad = failed_at(w, "group", "model");
  w->group = gname;
  return bad ? -1 : 0;
}

/* shadow/: the shadow calculator's record (bench/shadow.h), when there is one */
static int write_shadow(h5w *w, hid_t g, const mdb_h5_case *k) {
  const mdb_shadow *sh = k->shadow;
  if (!sh) return 0;
  hid_t sg = new_group(w, g, "shadow");
  if (sg < 0) return -1;
  const char *gname = w->group;
  char sub[MDB_H5_CASE_ID_MAX + 32];
  snprintf(sub, sizeof sub, "%s/shadow", gname);
  w->group = sub;
  const hid_t F = H5T_IEEE_F64LE, FM = H5T_NATIVE_DOUBLE;
  mdb_shadow_summary sm;
  mdb_shadow_summarize(sh, &sm);
  const mdb_case *c = mdb_h5i_case_spec(k);
  int n = sh->n;
  char shadow_sha[8192] = "";
  mdb_calc_spec_sha256(sh->spec, shadow_sha, sizeof shadow_sha, NULL);
  int bad = attr_str(w, sg, "calculator", sh->spec) || attr_str(w, sg, "reference_calculator", c->calculator) ||
            attr_i64(w, sg, "n_atoms", sh->n_atoms) || attr_f64(w, sg, "force_mae_mean_eV_per_A", sm.force_mae_mean) ||
            attr_f64(w, sg, "force_rmse_mean_eV_per_A", sm.force_rmse_mean) ||
            attr_f64(w, sg, "force_max_eV_per_A", sm.force_max) ||
            attr_f64(w, sg, "energy_diff_mean_eV_per_atom", sm.energy_diff_mean) ||
            attr_f64(w, sg, "energy_diff_max_abs_eV_per_atom", sm.energy_diff_max_abs) ||
            attr_f64(w, sg, "energy_diff_centered_max_abs_eV_per_atom", sm.energy_diff_centered_max_abs) ||
            attr_f64(w, sg, "energy_diff_centered_rms_eV_per_atom", sm.energy_diff_centered_rms) ||
            attr_f64(w, sg, "median_ms", sm.median_ms) || attr_str(w, sg, "potential_sha256", shadow_sha) ||
            dset(w, sg, "step", H5T_STD_I64LE, H5T_NATIVE_LONG, sh->step, n, "1") ||
            dset(w, sg, "time_fs", F, FM, sh->time_fs, n, "fs") ||
            dset(w, sg, "reference_energy_eV", F, FM, sh->reference_energy, n, "eV") ||
            dset(w, sg, "shadow_energy_eV", F, FM, sh->shadow_energy, n, "eV") ||
            dset(w, sg, "energy_diff_eV_per_atom", F, FM, sh->energy_diff_pa, n, "eV/atom") ||
            dset(w, sg, "force_mae_eV_per_A", F, FM, sh->force_mae, n, "eV/A") ||
            dset(w, sg, "force_rmse_eV_per_A", F, FM, sh->force_rmse, n, "eV/A") ||
            dset(w, sg, "force_max_eV_per_A", F, FM, sh->force_max, n, "eV/A") ||
            dset(w, sg, "step_time_ms", F, FM, sh->step_ms, sh->n_timed, "ms");
  if (H5Gclose(sg) < 0 && note(w)) bad = failed_at(w, "group", "shadow");
  w->group = gname;
  return bad ? -1 : 0;
}

/* gpu/: what a case that ran on the GPU engine recorded (bench.h mdb_gpu_record) */
static int write_gpu(h5w *w, hid_t g, const mdb_result *r) {
  if (!r || !r->gpu.used) return 0;
  const mdb_gpu_record *q = &r->gpu;
  hid_t gg = new_group(w, g, "gpu");
  if (gg < 0) return -1;
  const char *gname = w->group;
  char sub[MDB_H5_CASE_ID_MAX + 32];
  snprintf(sub, sizeof sub, "%s/gpu", gname);
  w->group = sub;
  char cc[16];
  snprintf(cc, sizeof cc, "%d.%d", q->dev.cc_major, q->dev.cc_minor);
  int bad =
      attr_str(w, gg, "backend", q->dev.backend) || attr_str(w, gg, "name", q->dev.name) ||
      attr_str(w, gg, "uuid", q->dev.uuid) || attr_str(w, gg, "pci_bus_id", q->dev.pci_bus_id) ||
      attr_i64(w, gg, "ordinal", q->dev.ordinal) || attr_str(w, gg, "compute_capability", cc) ||
      attr_i64(w, gg, "cuda_driver_version", q->dev.driver_version) ||
      attr_i64(w, gg, "cuda_runtime_version", q->dev.runtime_version) || attr_str(w, gg, "precision", r->c.precision) ||
      attr_i64(w, gg, "cuda_graphs", q->graphs) || attr_i64(w, gg, "batch_steps", q->batch) ||
      attr_i64(w, gg, "graph_launches", q->graph_launches) || attr_i64(w, gg, "kernel_launches", q->kernel_launches) ||
      attr_str(w, gg, "mpi_cuda_aware", q->mpi_cuda_aware) ||
      attr_f64(w, gg, "memory_total_bytes", q->dev.total_bytes) ||
      attr_f64(w, gg, "memory_before_bytes", q->mem_before) || attr_f64(w, gg, "memory_after_bytes", q->mem_after) ||
      attr_f64(w, gg, "memory_peak_bytes", q->mem_peak) || attr_f64(w, gg, "engine_bytes", q->engine_bytes) ||
      attr_f64(w, gg, "device_used_before_bytes", q->dev_used_before) ||
      attr_f64(w, gg, "device_used_after_bytes", q->dev_used_after) ||
      attr_i64(w, gg, "leak_detected", q->leak_detected) || attr_f64(w, gg, "force_mean_ms", q->force.mean) ||
      attr_f64(w, gg, "force_median_ms", q->force.median) ||
      dset(w, gg, "force_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, q->force_ms, r->n_timed, "ms");
  if (H5Gclose(gg) < 0 && note(w)) bad = failed_at(w, "group", "gpu");
  w->group = gname;
  return bad ? -1 : 0;
}

static int write_case(h5w *w, hid_t cases, const mdb_h5_meta *m, const mdb_h5_case *k) {
  char gpath[MDB_H5_CASE_ID_MAX + 16];
  snprintf(gpath, sizeof gpath, "/cases/%s", k->case_id);
  w->group = "/cases";
  hid_t g = new_group(w, cases, k->case_id);
  if (g < 0) return -1;
  w->group = gpath;
  int bad = write_case_attrs(w, g, m, k) || write_case_data(w, g, k->result) || write_shadow(w, g, k) ||
            write_gpu(w, g, k->result) || write_model(w, g, k->result) || write_scales(w, g, k);
  if (H5Gclose(g) < 0 && note(w)) bad = failed_at(w, "group", "");
  return bad ? -1 : 0;
}

/* /summary, with a "units" attribute holding one unit per column ("" for
 * the string columns). */
static int write_summary(h5w *w, hid_t file, const mdb_h5_slot *buf, int ncases) {
  w->group = "";
  const int ncols = mdb_h5s_ncols();
  hid_t mt = mdb_h5s_type(NULL, 0, w->str), ft = mdb_h5s_type(NULL, 1, w->str);
  int bad = ((mt < 0 || ft < 0) && note(w)) || dset(w, file, "summary", ft, mt, buf, ncases, NULL) < 0;
  if (!bad) {
    const char *units[256];
    for (int j = 0; j < ncols; j++) units[j] = mdb_h5s_unit(j);
    hid_t d = H5Dopen2(file, "summary", H5P_DEFAULT);
    bad = (d < 0 && note(w)) || attr_write(w, d, "units", w->str, w->str, 1, (hsize_t)ncols, units) < 0;
    if (d >= 0 && H5Dclose(d) < 0) bad = note(w);
  }
  if (bad) failed_at(w, "dataset", "summary");
  if (mt >= 0) H5Tclose(mt);
  if (ft >= 0) H5Tclose(ft);
  return bad ? -1 : 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int valid_case_id(const char *id) {
  size_t n = id ? strlen(id) : 0;
  return n > 0 && n < MDB_H5_CASE_ID_MAX && !strchr(id, '/') && strcmp(id, ".") != 0;
}

/* Everything that can be wrong with the arguments, before any file exists. */
static mdb_status check_args(const char *path, const mdb_h5_meta *meta, const mdb_h5_case *cases, int ncases,
                             mdb_err *err) {
  if (!path || !path[0]) return mdb_err_set(err, MDB_EINPUT, "HDF5 output: no path given");
  if (!meta) return mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: no run metadata given", path);
  if (ncases < 0 || (ncases > 0 && !cases))
    return mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: bad case list (%d cases)", path, ncases);
  for (int i = 0; i < ncases; i++) {
    const mdb_h5_case *k = &cases[i];
    if (!valid_case_id(k->case_id))
      return mdb_err_set(err, MDB_EINPUT,
                         "HDF5 output %s: case %d has an invalid id '%.80s' (1 to %d bytes, no '/', not '.')", path, i,
                         or_empty(k->case_id), MDB_H5_CASE_ID_MAX - 1);
    if (!k->result && !k->spec)
      return mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: case '%s' has neither a result nor a spec", path,
                         k->case_id);
    if (!k->result && !(k->prov.error && k->prov.error[0]))
      return mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: case '%s' did not run but has no error message", path,
                         k->case_id);
    if (k->prov.host && strlen(k->prov.host) >= sizeof(((mdb_h5_summary_row *)0)->host))
      return mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: case '%s' has a host name longer than %d bytes", path,
                         k->case_id, (int)sizeof(((mdb_h5_summary_row *)0)->host) - 1);
  }
  if (ncases < 2) return MDB_OK;
  const char **ids = malloc((size_t)ncases * sizeof *ids);
  if (!ids) return mdb_err_nomem(err, "case ids", (double)ncases * sizeof *ids);
  for (int i = 0; i < ncases; i++) ids[i] = cases[i].case_id;
  qsort(ids, (size_t)ncases, sizeof *ids, cmp_str);
  mdb_status st = MDB_OK;
  for (int i = 1; i < ncases && !st; i++)
    if (strcmp(ids[i - 1], ids[i]) == 0)
      st = mdb_err_set(err, MDB_EINPUT, "HDF5 output %s: case id '%s' appears more than once", path, ids[i]);
  free(ids);
  return st;
}

static hid_t new_fapl(int locking) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return fapl;
  int bad = H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0;
#if MDB_H5_FILE_LOCKING
  /* a private temporary file needs no lock; readers lock where the file
   * system can (Lustre and NFS mounts often cannot) */
  if (!bad) bad = H5Pset_file_locking(fapl, locking ? 1 : 0, 1) < 0;
#else
  (void)locking;
#endif
  if (bad) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

/* /cases of a new file: each case written from its result or spec. */
static int fill_cases(h5w *w, hid_t cg, const mdb_h5_meta *meta, int n, void *ctx) {
  const mdb_h5_case *cases = ctx;
  for (int i = 0; i < n; i++)
    if (write_case(w, cg, meta, &cases[i]) < 0) return -1;
  return 0;
}

/* The life of one results file: built in memory (HDF5's core driver, no
 * backing store), root attributes, /cases filled by fill, /summary from the
 * packed rows; then its image is written to path whole or not at all
 * (core/atomic.h: PATH.tmp.PID, fsync, rename). HDF5 never touches the disk
 * while writing: a full disk or a read-only directory fails in our own
 * write, never inside H5Fclose. (HDF5 before 1.14.1 frees a file whose close
 * failed to flush but keeps its id, and its shutdown at exit, or at
 * MPI_Finalize, then crashes on it: HDFFV-11052.) On any failure the message
 * names what failed; HDF5's own error printing is off meanwhile. The image
 * costs memory: about twice the file's size, briefly. */
static mdb_status write_file(const char *path, const mdb_h5_meta *meta, int ncases, const mdb_h5_slot *buf,
                             int (*fill)(h5w *, hid_t, const mdb_h5_meta *, int, void *), void *ctx, mdb_err *err) {
  quiet q;
  quiet_begin(&q);
  h5w w = {.str = -1, .group = "", .where = "", .why = {""}};
  hid_t file = -1, fapl = -1, cg = -1;
  const char *stage = NULL;
  char *image = NULL;
  ssize_t size = 0;

  if (((w.str = mdb_h5i_str_type()) < 0 || (fapl = new_fapl(0)) < 0 || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0) &&
      note(&w)) {
    stage = "setting up HDF5";
    goto fail;
  }
  if ((file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0 && note(&w)) {
    stage = "creating the file";
    goto fail;
  }
  if (write_root(&w, file, meta, ncases) < 0) goto fail;
  w.group = "";
  if ((cg = new_group(&w, file, "cases")) < 0) goto fail;
  if (fill(&w, cg, meta, ncases, ctx) < 0) goto fail;
  if (H5Gclose(cg) < 0 && note(&w)) {
    cg = -1;
    stage = "closing /cases";
    goto fail;
  }
  cg = -1;
  if (write_summary(&w, file, buf, ncases) < 0) goto fail;
  if ((H5Fflush(file, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(file, NULL, 0)) <= 0) && note(&w)) {
    stage = "finishing the file";
    goto fail;
  }
  if (!(image = malloc((size_t)size))) {
    H5Fclose(file);
    H5Tclose(w.str);
    H5Pclose(fapl);
    quiet_end(&q);
    return mdb_err_nomem(err, "the HDF5 file image", (double)size);
  }
  if (H5Fget_file_image(file, image, (size_t)size) != size && note(&w)) {
    stage = "finishing the file";
    goto fail;
  }
  hid_t f = file;
  file = -1;
  if (H5Fclose(f) < 0 && note(&w)) { /* in memory: nothing to write, but say so if it fails */
    stage = "closing the file";
    goto fail;
  }
  H5Tclose(w.str);
  H5Pclose(fapl);
  quiet_end(&q);
  mdb_status st = mdb_atomic_write(path, image, (size_t)size, err);
  free(image);
  return st;

fail:
  if (cg >= 0) H5Gclose(cg);
  if (file >= 0) H5Fclose(file);
  if (w.str >= 0) H5Tclose(w.str);
  if (fapl >= 0) H5Pclose(fapl);
  free(image);
  H5Eclear2(H5E_DEFAULT);
  quiet_end(&q);
  return mdb_err_set(err, MDB_EIO, "cannot write %s: %s: %s", path, stage ? stage : w.where,
                     w.why.text[0] ? w.why.text : "HDF5 error");
}

mdb_status mdb_h5_write(const char *path, const mdb_h5_meta *meta, const mdb_h5_case *cases, int ncases, mdb_err *err) {
  mdb_status st = check_args(path, meta, cases, ncases, err);
  if (st) return st;
  if ((st = mdb_atomic_check_writable(path, err))) return st;
  mdb_h5_summary_row *rows;
  mdb_h5_slot *buf;
  if ((st = mdb_h5s_pack(cases, ncases, &rows, &buf, err))) return st;

  st = write_file(path, meta, ncases, buf, fill_cases, (void *)cases, err);
  free(buf);
  free(rows);
  return st;
}

/* ---------------------------------------------------------------- reader */

/* Opens path read-only and checks that it is an mdbench/2 (or mdbench/1) file. */
static mdb_status open_results(const char *path, hid_t *file, mdb_err *err) {
  *file = -1;
  if (!path) return mdb_err_set(err, MDB_EINPUT, "HDF5 results: no path given");
  if (access(path, R_OK) != 0) return mdb_err_set(err, MDB_EIO, "cannot read %s: %s", path, strerror(errno));
#if H5_VERSION_GE(1, 12, 0)
  htri_t is_h5 = H5Fis_accessible(path, H5P_DEFAULT);
#else
  htri_t is_h5 = H5Fis_hdf5(path);
#endif
  if (is_h5 <= 0) return mdb_err_set(err, MDB_EINPUT, "%s is not an HDF5 file", path);
  hid_t fapl = new_fapl(1);
  hid_t f = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDONLY, fapl);
  reason why = {""};
  if (f < 0) mdb_h5i_reason(&why);
  if (fapl >= 0) H5Pclose(fapl);
  if (f < 0) return mdb_err_set(err, MDB_EIO, "cannot read %s: %s", path, why.text);
  char schema[64];
  mdb_err aerr = {0};
  int got = mdb_h5_attr_str(f, "schema", schema, sizeof schema, &aerr);
  if (got <= 0) {
    H5Fclose(f);
    if (got == 0)
      return mdb_err_set(err, MDB_EINPUT, "%s is not an mdbench results file (no 'schema' attribute)", path);
    return mdb_err_set(err, MDB_EINPUT, "%s is not an mdbench results file: its %s", path, aerr.msg);
  }
  if (strcmp(schema, MDB_H5_SCHEMA) != 0 && strcmp(schema, MDB_H5_SCHEMA_OLD) != 0) {
    H5Fclose(f);
    return mdb_err_set(err, MDB_EINPUT, "%s has schema '%s'; this mdbench reads '%s' and '%s'", path, schema,
                       MDB_H5_SCHEMA, MDB_H5_SCHEMA_OLD);
  }
  *file = f;
  return MDB_OK;
}

mdb_status mdb_h5_read_summary(const char *path, mdb_h5_summary_row **rows, int *nrows, mdb_err *err) {
  *rows = NULL;
  *nrows = 0;
  quiet q;
  quiet_begin(&q);
  hid_t file;
  mdb_status st = open_results(path, &file, err);
  if (!st) {
    st = mdb_h5s_read(path, file, rows, nrows, err);
    H5Fclose(file);
  }
  H5Eclear2(H5E_DEFAULT);
  quiet_end(&q);
  return st;
}

static mdb_status read_series(const char *path, hid_t file, const char *case_id, const char *dataset, double **x,
                              int *n, mdb_err *err) {
  if (!valid_case_id(case_id))
    return mdb_err_set(err, MDB_EINPUT, "%s: invalid case id '%.80s'", path, or_empty(case_id));
  if (!dataset || !dataset[0]) return mdb_err_set(err, MDB_EINPUT, "%s: no dataset named", path);
  if (H5Lexists(file, "cases", H5P_DEFAULT) <= 0) return mdb_err_set(err, MDB_EINPUT, "%s has no /cases group", path);
  hid_t cg = H5Gopen2(file, "cases", H5P_DEFAULT);
  if (cg < 0) return mdb_err_set(err, MDB_EIO, "cannot read %s: /cases", path);
  hid_t g = H5Lexists(cg, case_id, H5P_DEFAULT) > 0 ? H5Gopen2(cg, case_id, H5P_DEFAULT) : -1;
  H5Gclose(cg);
  if (g < 0) return mdb_err_set(err, MDB_EINPUT, "%s has no case '%s' (the ids are in /summary)", path, case_id);
  hid_t d = H5Dopen2(g, dataset, H5P_DEFAULT);
  H5Gclose(g);
  if (d < 0) return mdb_err_set(err, MDB_EINPUT, "%s: case '%s' has no dataset '%s'", path, case_id, dataset);
  mdb_status st = MDB_OK;
  hid_t ft = H5Dget_type(d), sp = H5Dget_space(d);
  H5T_class_t cls = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
  hsize_t len = 0;
  double *v = NULL;
  if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 || (cls != H5T_FLOAT && cls != H5T_INTEGER)) {
    st = mdb_err_set(err, MDB_EINPUT, "%s: /cases/%s/%s is not a 1-D numeric dataset", path, case_id, dataset);
    goto out;
  }
  H5Sget_simple_extent_dims(sp, &len, NULL);
  if (len > (hsize_t)INT_MAX) {
    st = mdb_err_set(err, MDB_EINPUT, "%s: /cases/%s/%s is too long (%llu)", path, case_id, dataset,
                     (unsigned long long)len);
    goto out;
  }
  if (len > 0) {
    v = malloc((size_t)len * sizeof *v);
    if (!v) {
      st = mdb_err_nomem(err, dataset, (double)len * sizeof *v);
      goto out;
    }
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
      reason why;
      mdb_h5i_reason(&why);
      free(v);
      v = NULL;
      st = mdb_err_set(err, MDB_EIO, "cannot read %s: /cases/%s/%s: %s", path, case_id, dataset, why.text);
      goto out;
    }
  }
  *x = v;
  *n = (int)len;
out:
  if (ft >= 0) H5Tclose(ft);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  return st;
}

mdb_status mdb_h5_read_series(const char *path, const char *case_id, const char *dataset, double **x, int *n,
                              mdb_err *err) {
  *x = NULL;
  *n = 0;
  quiet q;
  quiet_begin(&q);
  hid_t file;
  mdb_status st = open_results(path, &file, err);
  if (!st) {
    st = read_series(path, file, case_id, dataset, x, n, err);
    H5Fclose(file);
  }
  H5Eclear2(H5E_DEFAULT);
  quiet_end(&q);
  return st;
}

mdb_status mdb_h5_read_step_times(const char *path, const char *case_id, double **ms, int *n, mdb_err *err) {
  return mdb_h5_read_series(path, case_id, "step_time_ms", ms, n, err);
}

mdb_status mdb_h5_read_root_str(const char *path, const char *name, char *buf, size_t len, mdb_err *err) {
  if (!buf || len == 0 || !name) return mdb_err_set(err, MDB_EINPUT, "HDF5 attribute: bad arguments");
  buf[0] = '\0';
  quiet q;
  quiet_begin(&q);
  hid_t file;
  mdb_status st = open_results(path, &file, err);
  if (!st) {
    mdb_err aerr = {0};
    int got = mdb_h5_attr_str(file, name, buf, len, &aerr);
    if (got == 0)
      st = mdb_err_set(err, MDB_EINPUT, "%s has no root attribute '%s'", path, name);
    else if (got < 0)
      st = mdb_err_set(err, MDB_EINPUT, "%s: %s", path, aerr.msg);
    H5Fclose(file);
  }
  H5Eclear2(H5E_DEFAULT);
  quiet_end(&q);
  return st;
}

/* ---------------------------------------------------------------- merge */

typedef struct merge_ctx {
  const char *const *parts;
  const mdb_h5_summary_row *rows;
} merge_ctx;

/* /cases of a merged file: each part's one case group, copied unchanged. */
static int fill_merged(h5w *w, hid_t cg, const mdb_h5_meta *meta, int n, void *ctx) {
  (void)meta;
  const merge_ctx *mc = ctx;
  for (int i = 0; i < n; i++) {
    char from[MDB_H5_CASE_ID_MAX + 8];
    snprintf(from, sizeof from, "cases/%s", mc->rows[i].case_id);
    hid_t src = H5Fopen(mc->parts[i], H5F_ACC_RDONLY, H5P_DEFAULT);
    int bad = src < 0 || H5Ocopy(src, from, cg, mc->rows[i].case_id, H5P_DEFAULT, H5P_DEFAULT) < 0;
    if (!bad) { /* the copied scales' references point into the source file: attach them again */
      hid_t g = H5Gopen2(cg, mc->rows[i].case_id, H5P_DEFAULT);
      bad = g < 0 || case_scales(w, g) < 0;
      if (g >= 0) H5Gclose(g);
    }
    if (bad) {
      note(w);
      snprintf(w->where, sizeof w->where, "copying /%s from %s", from, mc->parts[i]);
    }
    if (src >= 0) H5Fclose(src);
    if (bad) return -1;
  }
  return 0;
}

mdb_status mdb_h5_merge(const char *path, const mdb_h5_meta *meta, const char *const *parts, int nparts, mdb_err *err) {
  if (!path || !meta || nparts < 0 || (nparts > 0 && !parts))
    return mdb_err_set(err, MDB_EINPUT, "HDF5 merge: bad arguments");
  mdb_status st = mdb_atomic_check_writable(path, err);
  if (st) return st;
  size_t n = nparts > 0 ? (size_t)nparts : 1;
  mdb_h5_summary_row *rows = calloc(n, sizeof *rows);
  const size_t ncols = (size_t)mdb_h5s_ncols();
  mdb_h5_slot *buf = calloc(n * ncols, sizeof *buf);
  if (!rows || !buf) {
    free(rows);
    free(buf);
    return mdb_err_nomem(err, "summary table", (double)n * (sizeof *rows + ncols * sizeof *buf));
  }
  /* every part first: one summary row each, read before anything is written */
  for (int i = 0; i < nparts && !st; i++) {
    mdb_h5_summary_row *r = NULL;
    int nr = 0;
    st = mdb_h5_read_summary(parts[i], &r, &nr, err);
    if (!st && nr != 1)
      st = mdb_err_set(err, MDB_EINPUT, "%s holds %d cases; a case file holds exactly one", parts[i], nr);
    if (!st) rows[i] = r[0];
    free(r);
  }
  if (st) {
    free(rows);
    free(buf);
    return st;
  }
  for (int i = 0; i < nparts; i++) mdb_h5s_pack_row(&rows[i], buf + (size_t)i * ncols);

  merge_ctx mc = {parts, rows};
  st = write_file(path, meta, nparts, buf, fill_merged, &mc, err);
  free(buf);
  free(rows);
  return st;
}
