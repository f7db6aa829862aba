/*
 * files.c — the files a calculator spec reads and their SHA-256.
 *
 * _GNU_SOURCE for dlinfo(RTLD_DI_LINKMAP): the only way to learn which file
 * the dynamic loader picks for a bare plugin name (plugin:lib=libfoo.so),
 * as plugin.c's dlopen will. Everything else here is POSIX.
 */
#define _GNU_SOURCE
#include "calc/files.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calc/calc.h"
#include "core/sha256.h"

/* strlcpy: src (NULL: "") into dst of len bytes, cut to fit, terminated */
static void copy(char *dst, size_t len, const char *src) {
  if (!len) return;
  size_t n = src ? strnlen(src, len - 1) : 0;
  if (n) memcpy(dst, src, n);
  dst[n] = 0;
}

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

int mdb_self_dir(char *out, size_t outlen) {
  char exe[MDB_PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return 0;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash || (size_t)(slash - exe) >= outlen) return 0;
  *slash = '\0';
  copy(out, outlen, exe);
  return 1;
}

int mdb_plugin_find(const char *lib, char *out, size_t outlen) {
  copy(out, outlen, lib);
  char dir[MDB_PATH_MAX];
  if (!lib[0] || strpbrk(lib, "/.") || !mdb_self_dir(dir, sizeof dir)) return 0;
  char path[4][MDB_PATH_MAX];
  int len[4] = {snprintf(path[0], sizeof path[0], "%s/../lib/mdbench/plugins/libmdbench_%s.so", dir, lib),
                snprintf(path[1], sizeof path[1], "%s/../lib/mdbench/plugins/lib%s.so", dir, lib),
                snprintf(path[2], sizeof path[2], "%s/plugins/%s/libmdbench_%s.so", dir, lib, lib),
                snprintf(path[3], sizeof path[3], "%s/examples/plugins/lib%s.so", dir, lib)};
  for (int k = 0; k < 4; k++)
    if (len[k] > 0 && (size_t)len[k] < sizeof path[k] && (size_t)len[k] < outlen && access(path[k], R_OK) == 0) {
      copy(out, outlen, path[k]);
      return 1;
    }
  return 0;
}

/* A bare library name: the file the dynamic loader maps for it, as the
 * plugin calculator's dlopen(RTLD_NOW | RTLD_LOCAL) will. Loading it here
 * runs its constructors once more than the run itself would (the plugin
 * ABI asks for none); an already loaded library is only referenced. */
static int plugin_resolve(const char *lib, char *out, size_t outlen) {
  if (mdb_plugin_find(lib, out, outlen) || strchr(lib, '/')) return 1;
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

/* How calculator calc finds the file its key names; -1: the key names no
 * file (or there is no such calculator). The first registered backend of
 * that name speaks for all (a name's file keys do not depend on the device). */
static int file_kind(const char *calc, const char *key) {
  for (int i = 0; i < mdb_calc_registry_count(); i++) {
    const mdb_calc_ops *ops = mdb_calc_registry_at(i);
    if (strcmp(ops->name, calc) != 0) continue;
    for (const mdb_calc_file_key *fk = ops->file_keys; fk && fk->key; fk++)
      if (!strcmp(fk->key, key)) return (int)fk->find;
    return -1;
  }
  return -1;
}

/* The files of a parsed spec and how each was found (kinds may be NULL). */
static int spec_files(const mdb_calc_spec *s, char (*files)[MDB_PATH_MAX], int *kinds, int max) {
  int n = 0;
  for (int i = 0; i < s->nparams && n < max; i++) {
    int kind = file_kind(s->name, s->params[i].key);
    if (kind < 0) continue;
    const char *v = s->params[i].value;
    if (kind == MDB_FILE_POTENTIAL_SEARCH)
      mdb_potential_resolve(v, files[n], MDB_PATH_MAX);
    else if (kind == MDB_FILE_SHARED_LIBRARY)
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
                       bare && kinds[k] == MDB_FILE_POTENTIAL_SEARCH
                           ? " (looked here, in $LAMMPS_POTENTIALS and /usr/share/lammps/potentials)"
                       : bare && kinds[k] == MDB_FILE_SHARED_LIBRARY
                           ? " (not one of mdbench's own plugins, e.g. pyase or morse, nor found by the dynamic loader)"
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
