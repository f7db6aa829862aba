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
 *
 * Open MPI's mpirun does not pass SIGINT or SIGTERM on: it aborts the job,
 * sending every rank SIGTERM (then SIGKILL after a second), and exits 1
 * itself whatever the ranks return. A SIGTERM that comes from the launcher
 * that started this process therefore does not say what the user sent; it
 * is recorded as MDB_STOP_FROM_LAUNCHER, named "a signal"; and as it only
 * repeats a stop when one is already pending (Slurm signals the launcher
 * and the ranks alike), it never counts as the second, impatient request.
 */
#ifndef MDB_STOP_H
#define MDB_STOP_H

/* The stop request of a SIGTERM sent by the MPI launcher (mpirun, orted):
 * above every signal number, so the largest request over ranks keeps it. */
#define MDB_STOP_FROM_LAUNCHER 256

/* Installs the handlers for SIGTERM, SIGINT and SIGUSR1, then lets through
 * what mdb_stop_hold held back. Idempotent. */
void mdb_stop_install(void);

/* Blocks SIGTERM, SIGINT and SIGUSR1 until mdb_stop_install: a stop sent
 * meanwhile waits, pending, and is then delivered to the stop handler.
 * For MPI_Init: MPICH installs a SIGUSR1 handler of its own there (fault
 * notification) that swallows the signal, and the handlers installed before
 * it would be replaced; so the command-line layer holds the signals, calls
 * MPI_Init, then installs. */
void mdb_stop_hold(void);

/* The signal that requested the stop (or MDB_STOP_FROM_LAUNCHER), 0 when
 * none. Async-signal-safe. */
int mdb_stop_requested(void);

/* Whether the MPI launcher sent SIGTERM: it is tearing the job down and
 * SIGKILLs the ranks about a second later (Open MPI 4), so a rank that has
 * written everything should leave without waiting in MPI_Finalize. */
int mdb_stop_launcher_aborting(void);

/* Requests a stop as if sig had arrived (tests, and a rank that learns of a
 * stop from another); clears it with sig = 0. */
void mdb_stop_request(int sig);

/* Temporary files to remove if a second SIGINT or SIGTERM kills the process
 * (core/atomic registers each PATH.tmp.PID while it is open), so an impatient
 * stop during a final write leaves nothing behind. A path is copied; at most
 * MDB_STOP_TMP_SLOTS at once (more are left to the next run's cleanup).
 * Returns a slot (>= 0) for mdb_stop_forget_tmp, or -1 when none is free. */
#define MDB_STOP_TMP_SLOTS 8
int mdb_stop_remove_on_kill(const char *path);
/* Forgets slot (from mdb_stop_remove_on_kill); -1 is ignored. */
void mdb_stop_forget_tmp(int slot);

/* "SIGTERM", "SIGINT", "SIGUSR1", "a signal" (MDB_STOP_FROM_LAUNCHER), or
 * "signal N". */
const char *mdb_stop_signal_name(int sig);

#endif
