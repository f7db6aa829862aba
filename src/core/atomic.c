#include "core/atomic.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/stop.h"

mdb_status mdb_atomic_open(mdb_atomic_file *af, const char *path, mdb_err *err) {
  memset(af, 0, sizeof *af);
  af->stop_slot = -1;
  if (strlen(path) >= sizeof af->path) return mdb_err_set(err, MDB_EINPUT, "output path is too long: %.80s...", path);
  snprintf(af->path, sizeof af->path, "%s", path);
  snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld", path, (long)getpid());
  af->stop_slot = mdb_stop_remove_on_kill(af->tmp);
  af->fp = fopen(af->tmp, "w");
  if (!af->fp) {
    mdb_stop_forget_tmp(af->stop_slot);
    af->stop_slot = -1;
  }
  if (!af->fp) return mdb_err_set(err, MDB_EIO, "cannot write %s: %s", path, strerror(errno));
  return MDB_OK;
}

mdb_status mdb_atomic_commit(mdb_atomic_file *af, mdb_err *err) {
  int bad = ferror(af->fp) || fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0;
  int e = errno;
  if (fclose(af->fp) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  af->fp = NULL;
  if (!bad && rename(af->tmp, af->path) != 0) {
    bad = 1;
    e = errno;
  }
  if (bad) remove(af->tmp);
  mdb_stop_forget_tmp(af->stop_slot);
  af->stop_slot = -1;
  if (bad) return mdb_err_set(err, MDB_EIO, "cannot write %s: %s", af->path, strerror(e));
  return MDB_OK;
}

void mdb_atomic_abort(mdb_atomic_file *af) {
  if (af->fp) fclose(af->fp);
  af->fp = NULL;
  if (af->tmp[0]) remove(af->tmp);
  mdb_stop_forget_tmp(af->stop_slot);
  af->stop_slot = -1;
}

mdb_status mdb_atomic_write(const char *path, const char *data, size_t len, mdb_err *err) {
  mdb_atomic_file af;
  mdb_status st = mdb_atomic_open(&af, path, err);
  if (st) return st;
  fwrite(data, 1, len, af.fp);
  return mdb_atomic_commit(&af, err);
}

mdb_status mdb_atomic_check_writable(const char *path, mdb_err *err) {
  mdb_atomic_file af;
  mdb_status st = mdb_atomic_open(&af, path, err);
  if (st) return st;
  mdb_atomic_abort(&af);
  return MDB_OK;
}

int mdb_mkdir_p(const char *dir) {
  char buf[4400];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *q = buf + 1; *q; q++)
    if (*q == '/') {
      *q = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
      *q = '/';
    }
  return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}
