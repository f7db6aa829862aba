/*
 * sha256.h — SHA-256 (FIPS 180-4), for the provenance of potential files
 * and plugins: a result names every file its calculator read together with
 * the file's digest, so two results can be told apart by what they ran on.
 *
 * Incremental: init, update any number of times with any chunk sizes, final.
 * The digest is the same however the message is split.
 */
#ifndef MDB_SHA256_H
#define MDB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct mdb_sha256 {
  uint32_t h[8];         /* the running hash value */
  uint64_t len;          /* message bytes so far */
  unsigned char buf[64]; /* a partial block */
  size_t nbuf;           /* bytes in buf (0..63) */
} mdb_sha256;

void mdb_sha256_init(mdb_sha256 *s);
void mdb_sha256_update(mdb_sha256 *s, const void *data, size_t n);
/* Pads, writes the 32-byte digest to out; s must be re-initialised before reuse. */
void mdb_sha256_final(mdb_sha256 *s, unsigned char out[32]);

/* out: 64 lowercase hex characters and a NUL. */
void mdb_sha256_hex(const unsigned char digest[32], char out[65]);

/* Hex digest (as `sha256sum` prints it) of a whole file; MDB_EIO naming the
 * path and the reason when it cannot be opened or read (a directory too). */
mdb_status mdb_sha256_file(const char *path, char hex[65], mdb_err *err);

#endif
