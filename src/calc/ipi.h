/*
 * ipi.h — the i-PI side of calc/ipi.c that other code uses:
 *
 * 1. The wire format, decoded from bytes in memory. The socket code receives
 *    bytes and hands them to these pure functions, so that what a client
 *    sends is checked in one place that a test (tests/fuzz/fuzz_ipi.c) can
 *    drive without a socket. Units on the wire are atomic (Hartree, Bohr);
 *    what comes out is eV and Å.
 * 2. What calculators that run their own client over the i-PI path
 *    (calc/ase.c) need: the ctx is one made by mdb_ipi_cpu_ops.init.
 */
#ifndef MDB_CALC_IPI_H
#define MDB_CALC_IPI_H

#include <stddef.h>
#include <stdint.h>

#include "calc/calc.h"
#include "core/error.h"

#define MDB_IPI_HDR 12               /* bytes of a message header */
#define MDB_IPI_MAX_EXTRA (64 << 20) /* bytes of "extra" accepted after FORCEREADY */
#define MDB_IPI_FORCES_HEAD 12       /* energy and atom count: the start of a FORCEREADY body */

/* A 12-byte header: an upper-case ASCII word padded with spaces (or NULs).
 * Copies the word into msg and returns 0; -1 (msg "") when malformed. */
int mdb_ipi_header(const unsigned char h[MDB_IPI_HDR], char msg[MDB_IPI_HDR + 1]);

/* Bytes of the FORCEREADY body for n atoms, up to and including the extra
 * length: energy (f64), N (int32), forces (3N f64), virial (9 f64), nextra
 * (int32). The nextra bytes that follow are not part of it. */
size_t mdb_ipi_forces_bytes(int n);

/* Decodes a FORCEREADY body of len bytes for a system of n atoms (numbers
 * native-endian). len == MDB_IPI_FORCES_HEAD checks the head alone (the atom
 * count, before the rest is read) and fills nothing; otherwise len must be
 * mdb_ipi_forces_bytes(n) and *energy (eV), f[3n] (eV/Å, in the client's
 * atom order), w (the virial W_ab = Σ x_a f_b in eV, transposed back from
 * i-PI's layout) and *nextra are filled. A wrong length or atom count, a
 * non-finite number or nextra outside 0..MDB_IPI_MAX_EXTRA is MDB_ERUN. */
mdb_status mdb_ipi_decode_forces(const void *body, size_t len, int n, double *energy, double *f, double w[3][3],
                                 int32_t *nextra, mdb_err *err);

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

/* The extra data of the last FORCEREADY (NUL-terminated, first 64 KB). */
const char *mdb_ipi_extra(const void *ctx);

/* Whether the client answered ERROR (it refused what it was given), as
 * opposed to crashing, closing the connection or stalling. */
int mdb_ipi_client_error(const void *ctx);

#endif
