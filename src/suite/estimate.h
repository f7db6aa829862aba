/*
 * estimate.h — how long a suite's cases take, in seconds, before running
 * them: the --dry-run plan's estimate and its makespan on N ranks.
 *
 * A case's time is setup + (steps + warmup) × atoms × t, where t (seconds
 * per atom-step, sampling included) is measured on this machine by a short
 * run (MDB_EST_ATOM_STEPS atom-steps, between MDB_EST_STEPS and
 * MDB_EST_MAX_STEPS timed steps, so a small system sees its neighbour-list
 * rebuilds) of each (system, calculator, device, size
 * class) in the suite, at the class's smallest size capped at
 * MDB_EST_CAL_ATOMS atoms on the CPU. Size classes are decades of the atom
 * count, so caches and the neighbour-list overhead of small systems count.
 * An earlier results.h5 can stand in: a case found there by id takes its
 * measured setup and loop time, scaled to this case's step count.
 *
 * External calculators (an i-PI client) are not started to be timed: their
 * cases have no estimate (seconds < 0).
 */
#ifndef MDB_ESTIMATE_H
#define MDB_ESTIMATE_H

#include "suite/suite.h"

#define MDB_EST_STEPS 10         /* the fewest timed steps of a calibration run (plus 2 warmup) */
#define MDB_EST_MAX_STEPS 200    /* the most */
#define MDB_EST_ATOM_STEPS 20000 /* atoms x steps of a calibration run, within those bounds */
#define MDB_EST_CAL_ATOMS 4000   /* the largest calibration system on the CPU */

typedef struct mdb_estimate {
  double *seconds;      /* [n_cases] estimated wall seconds (setup included); < 0: no estimate */
  char (*source)[8];    /* [n_cases] "calib", "h5" (an earlier result) or "-" (none) */
  int n_calibrations;   /* short runs made */
  double calibration_s; /* the time they took */
  int n_from_h5;        /* cases taken from the results file */
  int n_none;           /* cases without an estimate */
  char none_why[256];   /* why, for the first of them */
} mdb_estimate;

/* Estimates every case of s: from the results file from_h5 when given (a
 * case found there by id), the rest by calibration runs. Fails only on an
 * unreadable from_h5 (MDB_EIO/MDB_EINPUT) or no memory; a calibration run
 * that fails leaves its cases without an estimate. Free with
 * mdb_estimate_free. */
mdb_status mdb_estimate_suite(const mdb_suite *s, const char *from_h5, mdb_estimate *e, mdb_err *err);
void mdb_estimate_free(mdb_estimate *e);

/* The runner's schedule simulated: cases handed out in
 * mdb_suite_order_by_cost order, each to the rank that is free first.
 * Returns the makespan (s) and fills busy[0..ranks) (may be NULL) with each
 * rank's total; cases without an estimate count 0. -1 without memory. */
double mdb_estimate_makespan(const mdb_suite *s, const double *seconds, int ranks, double *busy);

/* "812 ms", "14.2 s", "3.4 min", "2.9 h", "1.2 d" into buf. */
const char *mdb_estimate_human(double seconds, char *buf, size_t len);

/* The --dry-run plan with the estimate: one line per case (index, id,
 * estimated seconds and its source, hash, and flags[i] when not NULL or
 * empty), the suite's notes, then the total, the makespan on `ranks` ranks
 * with each rank's share, and the makespan on other rank counts. */
void mdb_estimate_print_plan(const mdb_suite *s, const mdb_estimate *e, const char *const *flags, int ranks, FILE *to);

#endif
