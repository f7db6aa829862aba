/*
 * h5_attr.h — the one reader of HDF5 attributes in mdbench (io/h5_results.c,
 * analysis/results_h5attr.c and the suite's resume merge all read through it).
 *
 * A file is input like any other: an attribute may hold an array where one
 * value is expected, a fixed-length string array, a string of megabytes, or
 * a number where text is expected. Before anything is read into the
 * caller's buffer the reader checks the attribute's dataspace (scalar, or
 * 1-D with one element), its class (string, or integer/float), and for a
 * string its size (a fixed-length string is at most MDB_H5_ATTR_STR_MAX
 * bytes; the value, however stored, must fit in the caller's buffer). A
 * bad attribute is reported, never truncated or read past a buffer.
 *
 * Unlike h5_results.h this header includes <hdf5.h>: it takes the object
 * (file or group) the attribute belongs to.
 */
#ifndef MDB_H5_ATTR_H
#define MDB_H5_ATTR_H

#include <hdf5.h>
#include <stddef.h>

#include "core/error.h"

#define MDB_H5_ATTR_STR_MAX 65536 /* bytes of a fixed-length string attribute the reader will allocate */

/* Reads string attribute name of loc into buf (len bytes, NUL-terminated;
 * len >= 1). Returns 1 when read; 0 when loc has no such attribute (buf is
 * ""); -1 when it exists but is not one string that fits (buf is "", err
 * holds MDB_EINPUT and "attribute 'NAME' holds ..."; the caller adds the
 * file and object). HDF5's error stack is left for the caller to clear. */
int mdb_h5_attr_str(hid_t loc, const char *name, char *buf, size_t len, mdb_err *err);

/* Reads numeric (integer or floating-point) attribute name of loc as a
 * double (int64 values are exact below 2^53). Returns 1, 0 or -1 as
 * mdb_h5_attr_str; *v is untouched unless 1. */
int mdb_h5_attr_num(hid_t loc, const char *name, double *v, mdb_err *err);

#endif
