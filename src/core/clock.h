/*
 * clock.h — the monotonic clock every timing uses.
 */
#ifndef MDB_CLOCK_H
#define MDB_CLOCK_H

/* Monotonic clock in seconds. */
double mdb_now(void);

#endif
