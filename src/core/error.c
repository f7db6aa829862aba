#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

mdb_status mdb_err_set(mdb_err *err, mdb_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return code;
}

mdb_status mdb_err_nomem(mdb_err *err, const char *what, double bytes) {
  return mdb_err_set(err, MDB_ENOMEM, "out of memory allocating %s (%.3g GB)", what, bytes / 1e9);
}

int mdb_exit_code(mdb_status code) {
  switch (code) {
  case MDB_OK: return 0;
  case MDB_EINPUT: return 2;
  case MDB_EIO: return 3;
  case MDB_ENOMEM: return 3;
  case MDB_ERUN: return 3;
  case MDB_EDEV: return 3;
  }
  return 3;
}
