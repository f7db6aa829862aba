/*
 * ipi.h — what calc/ipi.c offers calculators that run their own client over
 * the i-PI path (calc/ase.c): the ctx is one made by mdb_ipi_cpu_ops.init.
 */
#ifndef MDB_CALC_IPI_H
#define MDB_CALC_IPI_H

#include "calc/calc.h"

extern const mdb_calc_ops mdb_ipi_cpu_ops;

/* The client to start (prepare): argv[0] is executed directly (a full path;
 * an argument "{socket}" becomes NAME of the socket /tmp/ipi_NAME) with
 * envp (NULL: mdbench's environment) instead of launch= under /bin/sh;
 * init (NULL: none) is the INIT message's payload. Its ERROR messages
 * become errors word for word. The strings are copied. */
mdb_status mdb_ipi_set_client(void *ctx, char *const argv[], char *const envp[], const char *init, mdb_err *err);

/* After prepare: STATUS, INIT when the client needs it, STATUS -> READY.
 * A client that answers ERROR fails with its text. */
mdb_status mdb_ipi_handshake(void *ctx, mdb_err *err);

/* The extra data of the last FORCEREADY (NUL-terminated, first 4 KB). */
const char *mdb_ipi_extra(const void *ctx);

#endif
