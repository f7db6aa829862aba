/*
 * provenance.c — the facts mdb_provenance records, and the SHA-256 of the
 * files a calculator spec reads.
 *
 * _GNU_SOURCE for dlinfo(RTLD_DI_LINKMAP): the only way to learn which file
 * the dynamic loader picks for a bare plugin name (plugin:lib=libfoo.so),
 * as plugin.c's dlopen will. Everything else here is POSIX.
 */
#define _GNU_SOURCE
#include "core/provenance.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "calc/calc.h"
#include "core/sha256.h"
#include "core/version.h"

/* -------------------------------------------------------------- helpers */

/* strlcpy: src (NULL: "") into dst of len bytes, cut to fit, terminated */
static void copy(char *dst, size_t len, const char *src) {
  if (!len) return;
  size_t n = src ? strnlen(src, len - 1) : 0;
  if (n) memcpy(dst, src, n);
  dst[n] = 0;
}

static void env_copy(char *dst, size_t len, const char *name, const char *fallback) {
  const char *v = getenv(name);
  if ((!v || !*v) && fallback) v = getenv(fallback);
  copy(dst, len, v);
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

/* --------------------------------------------------------------- cpuinfo */

int mdb_cpuinfo_model(const char *path, char *out, size_t outlen) {
  /* in order of preference; the first line of the best key wins */
  enum { K_MODEL_NAME, K_MODEL, K_HARDWARE, K_CPU_MODEL, K_CPU, K_IMPL, K_PART, NKEYS };
  static const char *const keys[NKEYS] = {"model name", "Model",           "Hardware", "cpu model",
                                          "cpu",        "CPU implementer", "CPU part"};
  char found[NKEYS][256];
  memset(found, 0, sizeof found);
  if (outlen) out[0] = 0;
  FILE *f = fopen(path ? path : "/proc/cpuinfo", "r");
  if (!f) return 0;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = 0;
    char *key = trim(line), *value = trim(colon + 1);
    if (!*value) continue;
    for (int k = 0; k < NKEYS; k++)
      if (!found[k][0] && strcmp(key, keys[k]) == 0) copy(found[k], sizeof found[k], value);
  }
  fclose(f);
  for (int k = 0; k < K_IMPL; k++)
    if (found[k][0]) {
      copy(out, outlen, found[k]);
      return 1;
    }
  if (found[K_IMPL][0] || found[K_PART][0]) {
    snprintf(out, outlen, "CPU implementer %s part %s", found[K_IMPL][0] ? found[K_IMPL] : "?",
             found[K_PART][0] ? found[K_PART] : "?");
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ build */

const char *mdb_provenance_build_type(void) { return mdb_build_type(); }

static void compiler_name(char *out, size_t len) {
#if defined(__INTEL_LLVM_COMPILER)
  snprintf(out, len, "Intel oneAPI %d (%s)", __INTEL_LLVM_COMPILER, __VERSION__);
#elif defined(__NVCOMPILER)
  snprintf(out, len, "NVHPC %d.%d.%d", __NVCOMPILER_MAJOR__, __NVCOMPILER_MINOR__, __NVCOMPILER_PATCHLEVEL__);
#elif defined(__clang__)
  snprintf(out, len, "Clang %d.%d.%d", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  snprintf(out, len, "GCC %d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#elif defined(__VERSION__)
  snprintf(out, len, "%s", __VERSION__);
#else
  snprintf(out, len, "unknown");
#endif
}

/* ------------------------------------------------------------------- MPI */

static void mpi_facts(mdb_provenance *p) {
  int major = 0, minor = 0;
  if (MPI_Get_version(&major, &minor) == MPI_SUCCESS)
    snprintf(p->mpi_version, sizeof p->mpi_version, "%d.%d", major, minor);
  char lib[MPI_MAX_LIBRARY_VERSION_STRING + 1];
  int n = 0;
  memset(lib, 0, sizeof lib);
  if (MPI_Get_library_version(lib, &n) == MPI_SUCCESS) {
    lib[n >= 0 && n < (int)sizeof lib ? n : (int)sizeof lib - 1] = 0;
    lib[strcspn(lib, "\r\n")] = 0; /* Open MPI: "Open MPI v4.1.4, package: ..., ident: ..., repo rev: ..., date" */
    copy(p->mpi_library, sizeof p->mpi_library, trim(lib));
  }
}

/* ----------------------------------------------------------------- GPUs */

/* The value of the first "key:" line of a small text file, trimmed. */
static int file_value(const char *path, const char *key, char *out, size_t outlen) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  int found = 0;
  size_t klen = strlen(key);
  while (!found && fgets(line, sizeof line, f)) {
    char *s = line;
    while (isspace((unsigned char)*s)) s++;
    if (strncmp(s, key, klen) != 0 || s[klen] != ':') continue;
    copy(out, outlen, trim(s + klen + 1));
    found = 1;
  }
  fclose(f);
  return found;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void append(char *dst, size_t len, const char *item) {
  size_t n = strlen(dst);
  if (n + 1 < len) snprintf(dst + n, len - n, "%s%s", n ? ";" : "", item);
}

int mdb_nvidia_gpus(const char *root, mdb_provenance *p) {
  if (!root) root = "/proc/driver/nvidia";
  p->gpu_count = 0;
  p->gpu_driver[0] = p->gpu_models[0] = p->gpu_uuids[0] = 0;
  char path[MDB_PATH_MAX], v[512];
  snprintf(path, sizeof path, "%s/version", root);
  if (file_value(path, "NVRM version", v, sizeof v)) {
    /* "NVIDIA UNIX x86_64 Kernel Module  535.129.03  Thu Oct 19 ..." (open
     * modules: "NVIDIA UNIX Open Kernel Module for x86_64  535.129.03  ...") */
    const char *m = strstr(v, "Module");
    if (m) {
      m += strlen("Module");
      if (!strncmp(m, " for ", 5)) m += 5 + strcspn(m + 5, " ");
      while (*m == ' ') m++;
      size_t n = strcspn(m, " \t");
      if (n < sizeof p->gpu_driver) {
        memcpy(p->gpu_driver, m, n);
        p->gpu_driver[n] = 0;
      }
    }
    if (!p->gpu_driver[0]) copy(p->gpu_driver, sizeof p->gpu_driver, v);
  }
  snprintf(path, sizeof path, "%s/gpus", root);
  DIR *d = opendir(path);
  if (!d) return 0;
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    if (e->d_name[0] == '.') continue;
    if (!(names[n] = malloc(strlen(e->d_name) + 1))) break;
    strcpy(names[n++], e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  for (int k = 0; k < n; k++) {
    snprintf(path, sizeof path, "%s/gpus/%s/information", root, names[k]);
    char model[256], uuid[128];
    if (file_value(path, "Model", model, sizeof model) | file_value(path, "GPU UUID", uuid, sizeof uuid)) {
      append(p->gpu_models, sizeof p->gpu_models, model[0] ? model : "?");
      append(p->gpu_uuids, sizeof p->gpu_uuids, uuid[0] ? uuid : "?");
      p->gpu_count++;
    }
    free(names[k]);
  }
  return p->gpu_count;
}

/* -------------------------------------------------------------- collect */

mdb_status mdb_provenance_collect(mdb_provenance *p, mdb_err *err) {
  (void)err; /* nothing here fails: a missing fact stays "" */
  memset(p, 0, sizeof *p);
  if (gethostname(p->host, sizeof p->host - 1) != 0) p->host[0] = 0;
  p->host[sizeof p->host - 1] = 0;
  mdb_cpuinfo_model(NULL, p->cpu_model, sizeof p->cpu_model);
  long ncpu = -1;
#ifdef _SC_NPROCESSORS_ONLN
  ncpu = sysconf(_SC_NPROCESSORS_ONLN);
#endif
  p->cpu_count = ncpu > 0 && ncpu < 1L << 30 ? (int)ncpu : 0;
  struct utsname u;
  if (uname(&u) == 0) snprintf(p->os, sizeof p->os, "%.80s %.100s %.60s", u.sysname, u.release, u.machine);

  env_copy(p->slurm_job_id, sizeof p->slurm_job_id, "SLURM_JOB_ID", "SLURM_JOBID");
  env_copy(p->slurm_array_job_id, sizeof p->slurm_array_job_id, "SLURM_ARRAY_JOB_ID", NULL);
  env_copy(p->slurm_array_task_id, sizeof p->slurm_array_task_id, "SLURM_ARRAY_TASK_ID", NULL);
  env_copy(p->slurm_job_nodelist, sizeof p->slurm_job_nodelist, "SLURM_JOB_NODELIST", "SLURM_NODELIST");
  env_copy(p->slurm_job_partition, sizeof p->slurm_job_partition, "SLURM_JOB_PARTITION", NULL);
  env_copy(p->slurm_cluster_name, sizeof p->slurm_cluster_name, "SLURM_CLUSTER_NAME", NULL);
  env_copy(p->slurm_procid, sizeof p->slurm_procid, "SLURM_PROCID", NULL);

  compiler_name(p->compiler, sizeof p->compiler);
  copy(p->build_type, sizeof p->build_type, mdb_provenance_build_type());
  copy(p->build_flags, sizeof p->build_flags, mdb_build_flags());
  copy(p->git_commit, sizeof p->git_commit, mdb_git_commit());
  size_t n = strlen(p->git_commit);
  p->git_dirty = n >= 6 && strcmp(p->git_commit + n - 6, "-dirty") == 0;
  copy(p->mdbench_version, sizeof p->mdbench_version, mdb_version());
  mpi_facts(p);
#if defined(__SANITIZE_ADDRESS__)
  p->sanitized = 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  p->sanitized = 1;
#endif
#endif
  mdb_nvidia_gpus(NULL, p);
  env_copy(p->cuda_visible_devices, sizeof p->cuda_visible_devices, "CUDA_VISIBLE_DEVICES", NULL);
  return MDB_OK;
}

/* ---------------------------------------------------------------- files */

int mdb_potential_resolve(const char *name, char *out, size_t outlen) {
  copy(out, outlen, name);
  FILE *f = fopen(name, "r");
  if (f) {
    fclose(f);
    return 1;
  }
  if (strchr(name, '/')) return 0;
  const char *dirs[] = {getenv("LAMMPS_POTENTIALS"), "/usr/share/lammps/potentials"};
  for (int k = 0; k < 2; k++) {
    if (!dirs[k] || !*dirs[k]) continue;
    char path[MDB_PATH_MAX];
    int len = snprintf(path, sizeof path, "%s/%s", dirs[k], name);
    if (len <= 0 || (size_t)len >= sizeof path || (size_t)len >= MDB_SPEC_TEXT_MAX) continue; /* eam's c->path */
    if ((f = fopen(path, "r"))) {
      fclose(f);
      copy(out, outlen, path);
      return 1;
    }
  }
  return 0;
}

/* A bare library name: the file the dynamic loader maps for it, as the
 * plugin calculator's dlopen(RTLD_NOW | RTLD_LOCAL) will. Loading it here
 * runs its constructors once more than the run itself would (the plugin
 * ABI asks for none); an already loaded library is only referenced. */
static int plugin_resolve(const char *lib, char *out, size_t outlen) {
  copy(out, outlen, lib);
  if (strchr(lib, '/')) return 1;
  void *h = dlopen(lib, RTLD_LAZY | RTLD_LOCAL);
  if (!h) return 0;
  int ok = 0;
#if defined(__GLIBC__) || defined(RTLD_DI_LINKMAP) /* glibc: an enum, musl: a macro */
  struct link_map *lm = NULL;
  if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0]) {
    copy(out, outlen, lm->l_name);
    ok = 1;
  }
#endif
  dlclose(h);
  return ok;
}

typedef struct spec_file_key {
  const char *calc; /* calculator name */
  const char *key;  /* the key naming a file */
  int kind;         /* how the calculator finds it */
} spec_file_key;
enum { FILE_AS_GIVEN, FILE_POTENTIAL_SEARCH, FILE_DLOPEN };

/* Every key of every calculator in src/calc that names a file it reads. */
static const spec_file_key file_keys[] = {
    {"eam", "file", FILE_POTENTIAL_SEARCH}, /* eam.c eam_open */
    {"sw", "file", FILE_AS_GIVEN},          /* sw.c sw_read_file */
    {"plugin", "lib", FILE_DLOPEN},         /* plugin.c plugin_load */
};

static int file_kind(const char *calc, const char *key) {
  for (size_t k = 0; k < sizeof file_keys / sizeof file_keys[0]; k++)
    if (!strcmp(file_keys[k].calc, calc) && !strcmp(file_keys[k].key, key)) return file_keys[k].kind;
  return -1;
}

/* The files of a parsed spec and how each was found (kinds may be NULL). */
static int spec_files(const mdb_calc_spec *s, char (*files)[MDB_PATH_MAX], int *kinds, int max) {
  int n = 0;
  for (int i = 0; i < s->nparams && n < max; i++) {
    int kind = file_kind(s->name, s->params[i].key);
    if (kind < 0) continue;
    const char *v = s->params[i].value;
    if (kind == FILE_POTENTIAL_SEARCH)
      mdb_potential_resolve(v, files[n], MDB_PATH_MAX);
    else if (kind == FILE_DLOPEN)
      plugin_resolve(v, files[n], MDB_PATH_MAX);
    else
      copy(files[n], MDB_PATH_MAX, v);
    if (kinds) kinds[n] = kind;
    n++;
  }
  return n;
}

int mdb_calc_spec_files(const char *spec, char (*files)[MDB_PATH_MAX], int max) {
  mdb_calc_spec s;
  if (mdb_calc_spec_parse(spec, &s, NULL) != MDB_OK) return -1;
  return spec_files(&s, files, NULL, max);
}

mdb_status mdb_calc_spec_digests(const char *spec, mdb_file_digest *out, int max, int *n, mdb_err *err) {
  *n = 0;
  mdb_calc_spec s;
  mdb_status st = mdb_calc_spec_parse(spec, &s, err);
  if (st) return st;
  int nfiles = 0;
  for (int i = 0; i < s.nparams; i++) nfiles += file_kind(s.name, s.params[i].key) >= 0;
  if (nfiles > max)
    return mdb_err_set(err, MDB_ERUN, "calculator '%s' names %d files, room for %d digests", spec, nfiles, max);
  if (!nfiles) return MDB_OK;
  char(*files)[MDB_PATH_MAX] = malloc((size_t)nfiles * sizeof *files);
  if (!files) return mdb_err_nomem(err, "potential file names", (double)nfiles * MDB_PATH_MAX);
  int kinds[MDB_SPEC_MAX_PARAMS];
  int got = spec_files(&s, files, kinds, nfiles);
  for (int k = 0; k < got && !st; k++) {
    mdb_err e;
    if (mdb_sha256_file(files[k], out[k].sha256, &e) != MDB_OK) {
      int bare = !strchr(files[k], '/');
      st = mdb_err_set(err, e.code, "calculator '%s': %s%s", spec, e.msg,
                       bare && kinds[k] == FILE_POTENTIAL_SEARCH
                           ? " (looked here, in $LAMMPS_POTENTIALS and /usr/share/lammps/potentials)"
                       : bare && kinds[k] == FILE_DLOPEN ? " (nor found by the dynamic loader)"
                                                         : "");
      break;
    }
    copy(out[k].path, sizeof out[k].path, files[k]);
  }
  free(files);
  if (!st) *n = got;
  return st;
}

mdb_status mdb_calc_spec_sha256(const char *spec, char *out, size_t outlen, mdb_err *err) {
  if (outlen) out[0] = 0;
  mdb_file_digest *d = malloc(MDB_SPEC_FILES_MAX * sizeof *d);
  if (!d) return mdb_err_nomem(err, "file digests", (double)(MDB_SPEC_FILES_MAX * sizeof *d));
  int n = 0;
  mdb_status st = mdb_calc_spec_digests(spec, d, MDB_SPEC_FILES_MAX, &n, err);
  size_t used = 0;
  for (int k = 0; k < n && !st; k++) {
    int len = snprintf(out + used, outlen > used ? outlen - used : 0, "%s%s=%s", k ? ";" : "", d[k].path, d[k].sha256);
    if (len < 0 || used + (size_t)len >= outlen) {
      st = mdb_err_set(err, MDB_ERUN, "calculator '%s': the file digests need more than %zu characters", spec,
                       outlen ? outlen - 1 : 0);
      if (outlen) out[0] = 0;
    } else {
      used += (size_t)len;
    }
  }
  free(d);
  return st;
}
