/*
 * atomic.h — files that appear whole or not at all.
 *
 * Writers open a temporary file beside the target (PATH.tmp.PID), write,
 * and commit (fflush, fsync, rename); abort removes the temporary file. A
 * crash at any point leaves either the old file or the new one, never half.
 */
#ifndef MDB_ATOMIC_H
#define MDB_ATOMIC_H

#include <stdio.h>

#include "core/error.h"

typedef struct mdb_atomic_file {
  FILE *fp;
  char path[4096];
  char tmp[4150];
  int stop_slot; /* core/stop's slot: a kill by a second signal removes tmp */
} mdb_atomic_file;

mdb_status mdb_atomic_open(mdb_atomic_file *af, const char *path, mdb_err *err);
/* Checks every earlier write (ferror), syncs and renames; on failure removes
 * the temporary file. */
mdb_status mdb_atomic_commit(mdb_atomic_file *af, mdb_err *err);
void mdb_atomic_abort(mdb_atomic_file *af);

/* Writes len bytes of data to path atomically. */
mdb_status mdb_atomic_write(const char *path, const char *data, size_t len, mdb_err *err);

/* Checks, before a long run, that path can be created: its directory exists
 * and is writable. Creates and removes a probe file. */
mdb_status mdb_atomic_check_writable(const char *path, mdb_err *err);

/* mkdir -p: creates dir and its missing parents (0777 less the umask);
 * 0, or -1 with errno set. */
int mdb_mkdir_p(const char *dir);

#endif
