/*
 * A second SIGTERM while a stop is pending kills the process the default way
 * (core/stop.h); the temporary file of a write in progress (core/atomic's
 * PATH.tmp.PID) must not outlive it, while files already committed stay.
 *
 * A child commits one file, opens a second (its temporary exists: checked),
 * then receives SIGTERM twice. The parent checks that the child died by
 * SIGTERM, that the committed file is intact (its 5 bytes) and that the
 * directory holds nothing else. Then the same with the write committed
 * before the signals: the slot is released, so nothing is removed that
 * should stay.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/stop.h"
#include "core/atomic.h"

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* the child: commit kept.json, open (and, when commit_second, commit)
 * pending.json, then two SIGTERMs; exits 3 when a step fails unexpectedly */
static void child(const char *dir, int commit_second) {
  char kept[600], pending[600];
  snprintf(kept, sizeof kept, "%s/kept.json", dir);
  snprintf(pending, sizeof pending, "%s/pending.json", dir);
  mdb_stop_install();
  mdb_err err;
  if (mdb_atomic_write(kept, "{ok}\n", 5, &err)) _exit(3);
  mdb_atomic_file af;
  if (mdb_atomic_open(&af, pending, &err)) _exit(3);
  fputs("{\"half\":", af.fp);
  fflush(af.fp);
  if (access(af.tmp, F_OK) != 0) _exit(4);
  if (commit_second && mdb_atomic_commit(&af, &err)) _exit(3);
  raise(SIGTERM); /* the stop request */
  if (!mdb_stop_requested()) _exit(5);
  raise(SIGTERM); /* the impatient second one: the default action */
  _exit(6);
}

static void scenario(int commit_second) {
  char dir[] = "/tmp/mdb_stop_tmp_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  pid_t pid = fork();
  if (pid == 0) child(dir, commit_second);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  if (WIFEXITED(status)) fprintf(stderr, "child exited %d\n", WEXITSTATUS(status));
  char kept[600], pending[600];
  snprintf(kept, sizeof kept, "%s/kept.json", dir);
  snprintf(pending, sizeof pending, "%s/pending.json", dir);
  CHECK(file_size(kept) == 5);
  if (commit_second) {
    CHECK(file_size(pending) == 8);
    CHECK(count_entries(dir) == 2);
  } else {
    CHECK(count_entries(dir) == 1); /* no pending.json.tmp.PID */
  }
  remove(kept);
  remove(pending);
  rmdir(dir);
}

int main(void) {
  scenario(0);
  scenario(1);
  return check_report();
}
