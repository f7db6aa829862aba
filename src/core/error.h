/*
 * error.h — status codes and error messages for library code.
 *
 * Library functions return an mdb_status and, on failure, fill an mdb_err
 * with a one-line message naming the problem (and the valid choices where
 * there are any). Only the command-line layer prints and picks the exit code.
 */
#ifndef MDB_ERROR_H
#define MDB_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mdb_status {
  MDB_OK = 0,
  MDB_EINPUT = 1, /* bad user input: unknown names, malformed files, bad sizes */
  MDB_EIO = 2,    /* a file could not be read or written */
  MDB_ENOMEM = 3, /* an allocation failed */
  MDB_ERUN = 4,   /* anything else that stops a run (internal limits, a blown-up trajectory) */
  MDB_EDEV = 5    /* the device failed (a CUDA error: fault, lost device, bad launch), not the physics */
} mdb_status;

typedef struct mdb_err {
  mdb_status code;
  char msg[1024];
} mdb_err;

/* Fills err (may be NULL) with a printf-style message; returns code. */
mdb_status mdb_err_set(mdb_err *err, mdb_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets MDB_ENOMEM with a message naming what could not be allocated. */
mdb_status mdb_err_nomem(mdb_err *err, const char *what, double bytes);

/* Exit code the CLI uses for a status (documented in README.md). */
int mdb_exit_code(mdb_status code);

/* Exit code of a run stopped cleanly by a signal (core/stop.h) before it
 * finished: what was done is saved and --resume finishes it. 75 is
 * sysexits' EX_TEMPFAIL ("try again later"). */
#define MDB_EXIT_INTERRUPTED 75

#ifdef __cplusplus
}
#endif

#endif
