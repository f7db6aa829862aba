/*
 * h5_priv.h — what io/h5_results.c and io/h5_summary.c share: HDF5's
 * innermost error message, the string type, the packed summary cells and
 * the /summary columns. Private to src/io/h5_*.c (it includes <hdf5.h>).
 */
#ifndef MDB_H5_PRIV_H
#define MDB_H5_PRIV_H

#include <hdf5.h>

#include "io/h5_results.h"

/* HDF5's most specific message, on one line. */
typedef struct mdb_h5i_msg {
  char text[384];
} mdb_h5i_msg;

/* Takes the innermost message of HDF5's error stack into r, then clears the stack. */
void mdb_h5i_reason(mdb_h5i_msg *r);

/* A variable-length UTF-8 string type (H5Tclose it); < 0 on failure. */
hid_t mdb_h5i_str_type(void);

/* One packed cell of the summary in memory; every column takes one. */
typedef union mdb_h5_slot {
  char *s;
  int64_t i;
  uint64_t u;
  double d;
} mdb_h5_slot;

/* A case to write: its spec (the result's when it ran), status and host. */
static inline const mdb_case *mdb_h5i_case_spec(const mdb_h5_case *k) { return k->result ? &k->result->c : k->spec; }
static inline const char *mdb_h5i_case_status(const mdb_h5_case *k) { return k->result ? k->result->status : "error"; }
static inline const char *mdb_h5i_case_host(const mdb_h5_case *k) {
  return k->prov.host ? k->prov.host : k->result ? k->result->host : "";
}

/* The /summary columns: the case's own, and the metrics of io/metrics.def. */
int mdb_h5s_ncols(void);
const char *mdb_h5s_unit(int j);

/* The compound type of the columns whose names[j] is not NULL, each under
 * names[j] (NULL names: every column under its own name), in memory (native
 * numbers) or on file (little-endian numbers, packed); < 0 on failure. */
hid_t mdb_h5s_type(const char *const *names, int on_file, hid_t str);

/* The summary rows of the cases, packed for HDF5: buf[i * ncols + j] is
 * column j of case i; string cells point into rows. Both malloc'ed. */
mdb_status mdb_h5s_pack(const mdb_h5_case *cases, int ncases, mdb_h5_summary_row **rows, mdb_h5_slot **buf,
                        mdb_err *err);
void mdb_h5s_pack_row(mdb_h5_summary_row *s, mdb_h5_slot *out);

/* Reads /summary of an open results file (either schema), old column names included. */
mdb_status mdb_h5s_read(const char *path, hid_t file, mdb_h5_summary_row **rows, int *nrows, mdb_err *err);

#endif
