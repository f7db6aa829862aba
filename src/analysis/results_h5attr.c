/*
 * results_h5attr.c — the case attributes of a results HDF5 file that the
 * summary table does not carry (device_name, host, error, the ensemble's
 * settings). The only file of src/analysis that includes <hdf5.h>; the
 * schema check and the summary/array readers are io/h5_results.c's.
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/results.h"

/* A scalar string attribute (variable- or fixed-length) into buf; -1 when absent or not a string. */
static int attr_str(hid_t loc, const char *name, char *buf, size_t len) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ft = a < 0 ? -1 : H5Aget_type(a);
  int bad = ft < 0 || H5Tget_class(ft) != H5T_STRING;
  if (!bad && H5Tis_variable_str(ft) > 0) {
    char *s = NULL;
    bad = H5Aread(a, ft, &s) < 0;
    if (!bad) snprintf(buf, len, "%s", s ? s : "");
    if (s) H5free_memory(s);
  } else if (!bad) {
    size_t n = H5Tget_size(ft);
    char *s = calloc(n + 1, 1);
    bad = !s || H5Aread(a, ft, s) < 0;
    if (!bad) snprintf(buf, len, "%s", s);
    free(s);
  }
  if (ft >= 0) H5Tclose(ft);
  if (a >= 0) H5Aclose(a);
  return bad ? -1 : 0;
}

/* A scalar numeric attribute as double; -1 when absent or not numeric. */
static int attr_num(hid_t loc, const char *name, double *v) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t sp = a < 0 ? -1 : H5Aget_space(a);
  int bad = a < 0 || sp < 0 || H5Sget_simple_extent_npoints(sp) != 1;
  double x = NAN;
  if (!bad) bad = H5Aread(a, H5T_NATIVE_DOUBLE, &x) < 0;
  if (!bad) *v = x;
  if (sp >= 0) H5Sclose(sp);
  if (a >= 0) H5Aclose(a);
  return bad ? -1 : 0;
}

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
      st = mdb_err_set(err, MDB_EINPUT, "%s: /summary names case '%s' but there is no group %s", path, c->case_id,
                       name);
      break;
    }
    double x;
    attr_str(g, "device_name", c->device_name, sizeof c->device_name);
    attr_str(g, "host", c->host, sizeof c->host);
    attr_str(g, "error", c->error, sizeof c->error);
    attr_str(g, "thermostat", c->thermostat, sizeof c->thermostat);
    if (!attr_num(g, "tdamp_fs", &x)) c->tdamp_fs = x;
    if (!attr_num(g, "pdamp_fs", &x)) c->pdamp_fs = x;
    if (!attr_num(g, "pressure_bar", &x)) c->pressure_bar = x;
    if (!attr_num(g, "chain_length", &x)) c->chain_length = (int64_t)x;
    H5Gclose(g);
  }
  H5Fclose(f);
out:
  H5Eclear2(H5E_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  return st;
}
