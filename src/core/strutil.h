/*
 * strutil.h — small string helpers every module may use: a bounded copy,
 * suffix and base-name tests, the "did you mean" suggestion behind every
 * "unknown name" message, joined lists, a growable array of strings and the
 * FNV-1a hash that case ids and --resume hashes are made of.
 */
#ifndef MDB_STRUTIL_H
#define MDB_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* strlcpy: src (NULL: "") into dst of n bytes, cut to fit, always terminated (n > 0). */
void mdb_str_copy(char *dst, size_t n, const char *src);

/* 1 when s ends with suffix. */
int mdb_str_ends_with(const char *s, const char *suffix);

/* The part of path after its last '/' (path itself when it has none). */
const char *mdb_str_basename(const char *path);

/* Levenshtein distance, case-insensitive; 99 when either word is longer
 * than 63 characters (too long to be a typo of a name). */
int mdb_edit_distance(const char *a, const char *b);

/* "; did you mean 'x'?" into out for the one candidate closest to word
 * within a few edits (1, or 2 for words over 6 characters; a candidate that
 * word of 4+ characters is a prefix of counts as 1 edit), or "" when none or
 * several fit equally well. */
void mdb_suggest(char *out, size_t n, const char *word, const char *const *cands, int ncands);

/* items joined by ", " into out (cut to fit). */
void mdb_join(char *out, size_t n, const char *const *items, int nitems);

/* Appends a copy of s to the growable array *v of *n strings (owned);
 * returns 0 when out of memory (then *v and *n are unchanged). */
int mdb_strs_push(char ***v, int *n, const char *s);
void mdb_strs_free(char **v, int n);

/* 64-bit FNV-1a of n bytes. */
uint64_t mdb_fnv1a(const char *s, size_t n);

#endif
