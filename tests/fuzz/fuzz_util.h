/*
 * fuzz_util.h — what the fuzz targets share (docs/fuzzing.md).
 *
 * The readers under test take a path, as mdbench does, so an input goes to
 * a file first: one per target and name in a private directory (on /dev/shm
 * when there is one: no disk traffic), rewritten for every input.
 */
#ifndef MDB_FUZZ_UTIL_H
#define MDB_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_path[256];

static inline void fuzz_dir_remove(void) {
  char cmd[300];
  if (!fuzz_dir_path[0]) return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
  if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

/* The private directory (made once, removed at exit). */
static inline const char *fuzz_dir(void) {
  if (fuzz_dir_path[0]) return fuzz_dir_path;
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
  snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/mdbench-fuzz.XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(fuzz_dir_path)) {
    perror("fuzz: mkdtemp");
    abort();
  }
  atexit(fuzz_dir_remove);
  return fuzz_dir_path;
}

/* dir/name holding data[0..size); aborts if it cannot be written (that is
 * the harness failing, not the code under test). Returns static storage. */
static inline const char *fuzz_file(const char *name, const void *data, size_t size) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(path);
    abort();
  }
  return path;
}

/* data as a NUL-terminated string (malloc'ed; free it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#endif
