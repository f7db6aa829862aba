/*
 * progress.c — the live progress line (progress.h).
 */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MDB_PROGRESS_TTY_S 0.25
#define MDB_PROGRESS_LOG_S 10.0

/* "4.2 s", "3 min 05 s", "1 h 02 min" */
static void fmt_duration(double s, char *buf, size_t len) {
  if (!(s >= 0) || s > 1e7)
    snprintf(buf, len, "?");
  else if (s < 60)
    snprintf(buf, len, "%.1f s", s);
  else if (s < 3600)
    snprintf(buf, len, "%d min %02d s", (int)(s / 60), (int)s % 60);
  else
    snprintf(buf, len, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

static void report(void *user, long step, long total, double elapsed_s, int done) {
  mdb_cli_progress *p = user;
  if (done) {
    if (p->drawn) fprintf(stderr, "\r\033[K");
    p->drawn = 0;
    fflush(stderr);
    return;
  }
  const double rate = elapsed_s > 0 ? step / elapsed_s : 0;
  char eta[32];
  fmt_duration(rate > 0 ? (total - step) / rate : -1, eta, sizeof eta);
  char line[256];
  snprintf(line, sizeof line, "mdbench %s: %s%sstep %ld/%ld (%.0f%%), %.4g steps/s, ETA %s", p->cmd, p->label,
           p->label[0] ? ": " : "", step, total, 100.0 * step / total, rate, eta);
  if (p->tty) {
    fprintf(stderr, "\r\033[K%s", line);
    p->drawn = 1;
  } else {
    fprintf(stderr, "%s\n", line);
  }
  fflush(stderr);
}

void mdb_cli_progress_attach(mdb_cli_progress *p, mdb_run_hooks *hooks, const char *cmd, const char *label, int quiet) {
  memset(p, 0, sizeof *p);
  if (quiet) return;
  p->cmd = cmd;
  snprintf(p->label, sizeof p->label, "%s", label ? label : "");
  p->tty = isatty(STDERR_FILENO);
  double period = p->tty ? MDB_PROGRESS_TTY_S : MDB_PROGRESS_LOG_S;
  const char *env = getenv("MDBENCH_PROGRESS_S");
  if (env && *env) {
    char *end;
    double v = strtod(env, &end);
    if (*end == '\0' && v > 0) period = v;
  }
  hooks->progress = report;
  hooks->progress_user = p;
  hooks->progress_period_s = period;
}
