/*
 * ipi.h — the i-PI wire format, decoded from bytes in memory (calc/ipi.c).
 *
 * The socket code (ipi.c) receives bytes and hands them to these pure
 * functions, so that what a client sends is checked in one place that a
 * test (tests/fuzz/fuzz_ipi.c) can drive without a socket. Units on the wire
 * are atomic (Hartree, Bohr); what comes out is eV and Å.
 */
#ifndef MDB_IPI_H
#define MDB_IPI_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define MDB_IPI_HDR 12                /* bytes of a message header */
#define MDB_IPI_MAX_EXTRA (64 << 20)  /* bytes of "extra" accepted after FORCEREADY */
#define MDB_IPI_FORCES_HEAD 12        /* energy and atom count: the start of a FORCEREADY body */

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

#endif
