/* stop.c — see stop.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/stop.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal = 0;
/* the MPI launcher (Open MPI's mpirun or orted) that started this process,
 * 0 when none: it turns a SIGINT or SIGTERM it receives into SIGTERM for
 * its ranks, so a SIGTERM from it does not say which signal the user sent */
static pid_t launcher = 0;

static volatile sig_atomic_t launcher_aborting = 0;

/* the temporaries a kill by a second signal removes: a slot's path is
 * complete before its flag is set, and the handler reads only flagged slots */
static char tmp_path[MDB_STOP_TMP_SLOTS][4200];
static volatile sig_atomic_t tmp_used[MDB_STOP_TMP_SLOTS];

static void remove_temporaries(void) {
  for (int k = 0; k < MDB_STOP_TMP_SLOTS; k++)
    if (tmp_used[k]) unlink(tmp_path[k]); /* async-signal-safe */
}

static void on_signal(int sig, siginfo_t *info, void *uctx) {
  (void)uctx;
  const int from_launcher =
      sig == SIGTERM && launcher > 0 && info && info->si_code == SI_USER && info->si_pid == launcher;
  if (from_launcher) launcher_aborting = 1;
  if (stop_signal && (sig == SIGINT || sig == SIGTERM)) {
    /* mpirun passing on a stop this process already has (Slurm signals the
       launcher and the ranks alike): not an impatient user */
    if (from_launcher) return;
    /* second request: leave now, the default way, without temporaries */
    remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  stop_signal = from_launcher ? MDB_STOP_FROM_LAUNCHER : sig;
}

/* The parent of pid and its command name, from /proc/PID/stat; 0 when
 * unknown. */
static pid_t parent_of(pid_t pid, char *comm, size_t n) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t got = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[got] = '\0';
  char *lp = strchr(line, '('), *rp = strrchr(line, ')');
  long pp = 0;
  if (!lp || !rp || rp < lp || sscanf(rp + 1, " %*c %ld", &pp) != 1) return 0;
  size_t len = (size_t)(rp - lp - 1) < n - 1 ? (size_t)(rp - lp - 1) : n - 1;
  memcpy(comm, lp + 1, len);
  comm[len] = '\0';
  return (pid_t)pp;
}

/* The nearest ancestor (a few levels up: a rank may run under a wrapper
 * shell) that is an Open MPI or PRRTE launcher or daemon; 0 when none. */
static pid_t find_launcher(void) {
  static const char *const names[] = {"mpirun", "mpiexec",       "orterun",         "orted", "prterun",
                                      "prted",  "mpiexec.hydra", "hydra_pmi_proxy", NULL};
  pid_t pid = getpid();
  for (int level = 0; level < 4 && pid > 1; level++) {
    char comm[64] = "", pcomm[64] = "";
    pid_t pp = parent_of(pid, comm, sizeof comm);
    if (pp <= 1 || !parent_of(pp, pcomm, sizeof pcomm)) return 0;
    for (int k = 0; names[k]; k++)
      if (strcmp(pcomm, names[k]) == 0) return pp;
    pid = pp;
  }
  return 0;
}

/* Blocks or unblocks the three stop signals (how: SIG_BLOCK, SIG_UNBLOCK). */
static void stop_mask(int how) {
  sigset_t stops;
  sigemptyset(&stops);
  sigaddset(&stops, SIGTERM);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGUSR1);
  sigprocmask(how, &stops, NULL);
}

void mdb_stop_install(void) {
  launcher = find_launcher();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_SIGINFO;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  stop_mask(SIG_UNBLOCK);
}

void mdb_stop_hold(void) { stop_mask(SIG_BLOCK); }

int mdb_stop_remove_on_kill(const char *path) {
  if (strlen(path) >= sizeof tmp_path[0]) return -1;
  for (int k = 0; k < MDB_STOP_TMP_SLOTS; k++) {
    if (tmp_used[k]) continue;
    memcpy(tmp_path[k], path, strlen(path) + 1);
    atomic_signal_fence(memory_order_seq_cst); /* the path is whole before the handler may read it */
    tmp_used[k] = 1;
    return k;
  }
  return -1;
}

void mdb_stop_forget_tmp(int slot) {
  if (slot >= 0 && slot < MDB_STOP_TMP_SLOTS) tmp_used[slot] = 0;
}

int mdb_stop_requested(void) { return (int)stop_signal; }

int mdb_stop_launcher_aborting(void) { return (int)launcher_aborting; }

void mdb_stop_request(int sig) { stop_signal = sig; }

const char *mdb_stop_signal_name(int sig) {
  static char buf[32];
  switch (sig) {
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  case SIGUSR1: return "SIGUSR1";
  case MDB_STOP_FROM_LAUNCHER: return "a signal";
  default: snprintf(buf, sizeof buf, "signal %d", sig); return buf;
  }
}
