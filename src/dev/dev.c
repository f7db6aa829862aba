/*
 * dev.c — opening a device backend by name, and the CUDA entry points of a
 * build without CUDA (they say so).
 */
#include <stdio.h>
#include <string.h>

#include "dev/dev.h"

mdb_status mdb_dev_open(mdb_dev **d, const char *backend, int ordinal, mdb_err *err) {
  *d = NULL;
  if (strcmp(backend, "host") == 0) return mdb_dev_host_open(d, err);
  if (strcmp(backend, "cuda") == 0) return mdb_dev_cuda_open(d, ordinal, err);
  return mdb_err_set(err, MDB_EINPUT, "unknown device backend '%s' (valid: cuda, host)", backend);
}

void mdb_dev_close(mdb_dev *d) {
  if (d) d->ops->close(d);
}

#ifndef MDB_HAVE_CUDA
int mdb_cuda_built(void) { return 0; }

int mdb_cuda_device_count(char *why, size_t whylen) {
  if (why) snprintf(why, whylen, "this build has no CUDA backend (nvcc was not found when it was configured)");
  return 0;
}

mdb_status mdb_cuda_device_info(int ordinal, mdb_dev_info *info, mdb_err *err) {
  (void)ordinal;
  memset(info, 0, sizeof *info);
  return mdb_err_set(err, MDB_ERUN,
                     "this build has no CUDA backend (nvcc was not found when it was configured; valid: cpu)");
}

mdb_status mdb_dev_cuda_open(mdb_dev **d, int ordinal, mdb_err *err) {
  (void)ordinal;
  *d = NULL;
  return mdb_err_set(err, MDB_ERUN,
                     "this build has no CUDA backend (nvcc was not found when it was configured; valid: cpu)");
}
#endif
