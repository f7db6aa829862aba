/*
 * results_h5attr.c — the case attributes of a results HDF5 file that the
 * summary table does not carry (device_name, host, error, the ensemble's
 * settings). The only file of src/analysis that includes <hdf5.h>; the
 * schema check and the summary/array readers are io/h5_results.c's, and
 * every attribute is read through io/h5_attr.h (rank, type and size checked:
 * a malformed one is MDB_EINPUT naming the case and the attribute).
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/results.h"
#include "io/h5_attr.h"

mdb_status mdb_results_h5_case_attrs(const char *path, mdb_rcase *cases, int n, mdb_err *err) {
  H5E_auto2_t func;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  mdb_status st = MDB_OK;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    st = mdb_err_set(err, MDB_EIO, "cannot read %s: HDF5 open failed", path);
    goto out;
  }
  for (int i = 0; i < n; i++) {
    mdb_rcase *c = &cases[i];
    char name[300];
    snprintf(name, sizeof name, "/cases/%s", c->case_id);
    hid_t g = H5Lexists(f, "cases", H5P_DEFAULT) > 0 && H5Lexists(f, name, H5P_DEFAULT) > 0
                  ? H5Gopen2(f, name, H5P_DEFAULT)
                  : -1;
    if (g < 0) {
      st =
          mdb_err_set(err, MDB_EINPUT, "%s: /summary names case '%s' but there is no group %s", path, c->case_id, name);
      break;
    }
    struct {
      const char *name;
      char *buf;
      size_t len;
    } strs[] = {{"device_name", c->device_name, sizeof c->device_name},
                {"host", c->host, sizeof c->host},
                {"error", c->error, sizeof c->error},
                {"thermostat", c->thermostat, sizeof c->thermostat}};
    struct {
      const char *name;
      double *v;
    } nums[] = {{"tdamp_fs", &c->tdamp_fs}, {"pdamp_fs", &c->pdamp_fs}, {"pressure_bar", &c->pressure_bar}};
    mdb_err aerr = {0};
    int bad = 0;
    for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !bad; k++) {
      char tmp[1024];
      size_t len = strs[k].len < sizeof tmp ? strs[k].len : sizeof tmp;
      int got = mdb_h5_attr_str(g, strs[k].name, tmp, len, &aerr);
      bad = got < 0;
      if (got > 0) memcpy(strs[k].buf, tmp, strlen(tmp) + 1);
    }
    for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !bad; k++)
      bad = mdb_h5_attr_num(g, nums[k].name, nums[k].v, &aerr) < 0;
    double x;
    int got = bad ? 0 : mdb_h5_attr_num(g, "chain_length", &x, &aerr);
    bad = bad || got < 0;
    if (got > 0) c->chain_length = (int64_t)x;
    if (bad) {
      H5Gclose(g);
      st = mdb_err_set(err, MDB_EINPUT, "%s: case '%s': %s", path, c->case_id, aerr.msg);
      break;
    }
    H5Gclose(g);
  }
  H5Fclose(f);
out:
  H5Eclear2(H5E_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  return st;
}
