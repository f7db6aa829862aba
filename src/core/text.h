/*
 * text.h — quoting what a user's file (or a plugin) says inside a one-line
 * message, and opening an input file that must be an ordinary file.
 *
 * A message quotes file content; a file can hold anything, so a quote passes
 * printable bytes (UTF-8 included) through and writes every control byte as
 * an escape (\n, \t, \r, \xHH), so no input can break the one-line promise,
 * move the cursor or recolour a terminal.
 */
#ifndef MDB_TEXT_H
#define MDB_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/* Writes at most max bytes of s (less at a NUL) into out (outlen bytes,
 * always terminated) with control bytes escaped; "..." ends a quote cut
 * short. Returns out, for use as a printf argument. */
const char *mdb_text_escape(const char *s, size_t max, char *out, size_t outlen);

/* A quote of s up to its NUL, or its first max bytes, into a static buffer
 * of the calling thread (valid until its next call; two per message at
 * most: it alternates between two buffers). */
const char *mdb_text_q(const char *s, size_t max);

/* Opens path for reading when it is an ordinary file. Otherwise NULL with
 * *why saying what it is ("No such file or directory", "it is a directory",
 * "it is not a regular file (a device, socket or pipe)") — an input problem
 * (exit 2): a reader names the file and its role around *why. A device such
 * as /dev/zero never ends, so it is refused rather than read. */
FILE *mdb_input_open(const char *path, const char **why);

#endif
