/*
 * stop.h — a clean stop at the next step boundary.
 *
 * The command-line layer installs the handlers (mdb_stop_install); library
 * code only asks (mdb_stop_requested) at points where stopping leaves
 * consistent results: mdb_case_run between two MD steps, the suite runner
 * before it takes the next case. SIGTERM and SIGINT (what Slurm, mpirun and
 * a terminal send) and SIGUSR1 (the warning signal a job script asks Slurm
 * for before its time limit: `#SBATCH --signal=B:USR1@120`) all request the
 * stop. A second SIGINT or SIGTERM while a stop is pending kills the process
 * the default way, so an impatient user still gets out.
 */
#ifndef MDB_STOP_H
#define MDB_STOP_H

/* Installs the handlers for SIGTERM, SIGINT and SIGUSR1. Idempotent. */
void mdb_stop_install(void);

/* The signal that requested the stop, 0 when none. Async-signal-safe. */
int mdb_stop_requested(void);

/* Requests a stop as if sig had arrived (tests, and a rank that learns of a
 * stop from another); clears it with sig = 0. */
void mdb_stop_request(int sig);

/* "SIGTERM", "SIGINT", "SIGUSR1", or "signal N". */
const char *mdb_stop_signal_name(int sig);

#endif
