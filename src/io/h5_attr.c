/* h5_attr.c — see h5_attr.h. */
#include "io/h5_attr.h"

#include <stdlib.h>
#include <string.h>

static const char *class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER: return "an integer";
  case H5T_FLOAT: return "a floating-point number";
  case H5T_STRING: return "a string";
  case H5T_COMPOUND: return "a compound value";
  case H5T_ARRAY: return "an array type";
  case H5T_VLEN: return "a variable-length sequence";
  case H5T_ENUM: return "an enum";
  case H5T_REFERENCE: return "a reference";
  case H5T_OPAQUE: return "opaque bytes";
  case H5T_BITFIELD: return "a bitfield";
  case H5T_TIME: return "a time";
  default: return "a value of unknown type";
  }
}

/* Opens attribute name of loc with its type; checks that it holds exactly
 * one value (a scalar, or 1-D with one element). Returns 1 with *a and *ft
 * open, 0 when absent, -1 (err set) otherwise, closing what it opened. */
static int open_one(hid_t loc, const char *name, hid_t *a, hid_t *ft, mdb_err *err) {
  *a = *ft = -1;
  htri_t ex = H5Aexists(loc, name);
  if (ex == 0) return 0;
  if (ex < 0) {
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' cannot be looked up", name);
    return -1;
  }
  hid_t sp = -1;
  *a = H5Aopen(loc, name, H5P_DEFAULT);
  if (*a >= 0) sp = H5Aget_space(*a);
  if (*a >= 0 && sp >= 0) *ft = H5Aget_type(*a);
  int ok = *a >= 0 && sp >= 0 && *ft >= 0;
  if (!ok) {
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' cannot be opened", name);
  } else {
    H5S_class_t sc = H5Sget_simple_extent_type(sp);
    int nd = H5Sget_simple_extent_ndims(sp);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    if (sc == H5S_NULL || np == 0) {
      mdb_err_set(err, MDB_EINPUT, "attribute '%s' holds no value", name);
      ok = 0;
    } else if (!(sc == H5S_SCALAR || (sc == H5S_SIMPLE && nd == 1 && np == 1))) {
      mdb_err_set(err, MDB_EINPUT, "attribute '%s' holds %lld values in %d dimension(s), not one", name, (long long)np,
                  nd);
      ok = 0;
    }
  }
  if (sp >= 0) H5Sclose(sp);
  if (!ok) {
    if (*ft >= 0) H5Tclose(*ft);
    if (*a >= 0) H5Aclose(*a);
    *a = *ft = -1;
    return -1;
  }
  return 1;
}

int mdb_h5_attr_str(hid_t loc, const char *name, char *buf, size_t len, mdb_err *err) {
  buf[0] = '\0';
  hid_t a, ft;
  int rc = open_one(loc, name, &a, &ft, err);
  if (rc <= 0) return rc;
  H5T_class_t cls = H5Tget_class(ft);
  char *s = NULL;
  size_t n = 0;
  int bad = 0, vlen = 0;
  if (cls != H5T_STRING) {
    bad = 1;
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' holds %s, not a string", name, class_name(cls));
  } else if (H5Tis_variable_str(ft) > 0) {
    vlen = 1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    bad = mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(ft)) < 0 || H5Aread(a, mt, &s) < 0;
    if (mt >= 0) H5Tclose(mt);
    if (bad)
      mdb_err_set(err, MDB_EINPUT, "attribute '%s' (a variable-length string) cannot be read", name);
    else
      n = s ? strlen(s) : 0;
  } else {
    size_t size = H5Tget_size(ft);
    if (size == 0 || size > MDB_H5_ATTR_STR_MAX) {
      bad = 1;
      mdb_err_set(err, MDB_EINPUT, "attribute '%s' is a fixed-length string of %zu bytes (at most %d)", name, size,
                  MDB_H5_ATTR_STR_MAX);
    } else {
      s = calloc(size + 1, 1);
      bad = !s || H5Aread(a, ft, s) < 0;
      if (bad)
        mdb_err_set(err, MDB_EINPUT, "attribute '%s' (a fixed-length string) cannot be read", name);
      else
        n = strnlen(s, size);
    }
  }
  if (!bad && n >= len) {
    bad = 1;
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' is a string of %zu bytes (at most %zu)", name, n, len - 1);
  }
  if (!bad) {
    if (n) memcpy(buf, s, n);
    buf[n] = '\0';
  }
  if (vlen) {
    if (s) H5free_memory(s);
  } else {
    free(s);
  }
  H5Tclose(ft);
  H5Aclose(a);
  return bad ? -1 : 1;
}

int mdb_h5_attr_num(hid_t loc, const char *name, double *v, mdb_err *err) {
  hid_t a, ft;
  int rc = open_one(loc, name, &a, &ft, err);
  if (rc <= 0) return rc;
  H5T_class_t cls = H5Tget_class(ft);
  double x = 0;
  int bad = 0;
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    bad = 1;
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' holds %s, not a number", name, class_name(cls));
  } else if (H5Aread(a, H5T_NATIVE_DOUBLE, &x) < 0) {
    bad = 1;
    mdb_err_set(err, MDB_EINPUT, "attribute '%s' (%s) cannot be read as a number", name, class_name(cls));
  }
  if (!bad) *v = x;
  H5Tclose(ft);
  H5Aclose(a);
  return bad ? -1 : 1;
}
