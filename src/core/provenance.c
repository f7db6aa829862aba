/*
 * provenance.c — the facts mdb_provenance records.
 *
 * _DEFAULT_SOURCE: gethostname, strnlen and opendir under ISO C.
 */
#define _DEFAULT_SOURCE
#include "core/provenance.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

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
  char path[4096], v[512];
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
