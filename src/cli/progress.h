/*
 * progress.h — the live progress line of `mdbench run` and `compare`.
 *
 * On a terminal (stderr a tty) one line redrawn with \r at most four times
 * a second: steps done of total, steps/s, ETA; cleared when the case ends.
 * Otherwise (a log file, a pipe) a plain line every 10 s. Nothing when
 * quiet. MDBENCH_PROGRESS_S overrides the period (seconds, > 0), for tests
 * and for logs that want more or fewer lines.
 *
 * The line is printed from the run's progress hook (bench/bench.h), which
 * reads no clock of its own: the timed steps are not perturbed.
 */
#ifndef MDB_CLI_PROGRESS_H
#define MDB_CLI_PROGRESS_H

#include "bench/bench.h"

typedef struct mdb_cli_progress {
  const char *cmd; /* "run", "compare" */
  char label[128]; /* what runs ("" or the calculator of compare) */
  int tty;         /* redraw in place */
  int drawn;       /* a line is on the terminal and must be cleared */
} mdb_cli_progress;

/* Sets p up for stderr and attaches it to hooks (other members kept);
 * does nothing when quiet. label may be NULL. */
void mdb_cli_progress_attach(mdb_cli_progress *p, mdb_run_hooks *hooks, const char *cmd, const char *label, int quiet);

#endif
