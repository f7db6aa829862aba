/*
 * fuzz_ipi.c — what an i-PI client sends, decoded as calc/ipi.c decodes it
 * (calc/ipi.h: message headers and the FORCEREADY body) without a socket.
 *
 * Input: one byte giving the system's atom count n = 1 + b % 8, then a
 * stream of messages as a client would send them: a 12-byte header; after
 * FORCEREADY its body (energy, count, forces, virial, extra length), then
 * the extra bytes it announces. The body is decoded the way the socket
 * code does (the 12-byte head first, then the whole) and also at whatever
 * length is left, as a truncated stream would give. A decoded body must
 * hold finite numbers only.
 */
#include <math.h>

#include "calc/ipi.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const int n = 1 + data[0] % 8;
  const size_t body = mdb_ipi_forces_bytes(n);
  double f[3 * 8], w[3][3], e;
  mdb_err err = {0};
  size_t at = 1;
  while (size - at >= MDB_IPI_HDR) {
    char msg[MDB_IPI_HDR + 1];
    int bad = mdb_ipi_header(data + at, msg);
    at += MDB_IPI_HDR;
    if (bad) {
      if (msg[0]) abort(); /* a malformed header leaves no word behind */
      continue;
    }
    if (strlen(msg) > MDB_IPI_HDR) abort();
    if (strcmp(msg, "FORCEREADY")) continue;
    const size_t left = size - at;
    int32_t nextra = -1;
    /* a copy of exactly the bytes available: ASan sees any read past them */
    unsigned char *copy = malloc(left ? left : 1);
    if (!copy) abort();
    memcpy(copy, data + at, left);
    (void)mdb_ipi_decode_forces(copy, left, n, &e, f, w, &nextra, &err);
    mdb_status st = left >= MDB_IPI_FORCES_HEAD
                        ? mdb_ipi_decode_forces(copy, MDB_IPI_FORCES_HEAD, n, &e, f, w, &nextra, &err)
                        : MDB_ERUN;
    if (st == MDB_OK && left >= body) st = mdb_ipi_decode_forces(copy, body, n, &e, f, w, &nextra, &err);
    free(copy);
    if (st == MDB_OK && left >= body) {
      if (!isfinite(e) || nextra < 0 || nextra > MDB_IPI_MAX_EXTRA) abort();
      for (int k = 0; k < 3 * n; k++)
        if (!isfinite(f[k])) abort();
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          if (!isfinite(w[a][b])) abort();
      at += body;
      at += (size_t)nextra < size - at ? (size_t)nextra : size - at;
    } else {
      break; /* the socket code drops the connection here */
    }
  }
  return 0;
}
