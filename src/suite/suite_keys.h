/*
 * suite_keys.h — the one table of suite keys: each setting a suite file can
 * give and each field of a case that makes it what it is.
 *
 * A row names the key in a suite file, the mdb_case field it fills, its type
 * and valid range, where in a file it may appear, the protocols a top-level
 * value applies to, and its place in the case key (the text behind the
 * --resume hash). Parsing (suite_parse.c) and the case key (suite_keys.c)
 * both iterate this table, so a key added here is parsed and hashed; tests
 * check that every field of mdb_case is in it and that changing any hashed
 * value changes the hash.
 *
 * Adding a key: one row here (hash_seq = the next number: existing hashes
 * keep their text, a new key's line goes last; hash_omit = its default when
 * cases without it must keep their old hashes), its field in bench/case.h,
 * its row in suites/README.md.
 */
#ifndef MDB_SUITE_KEYS_H
#define MDB_SUITE_KEYS_H

#include <stddef.h>

typedef enum { MDB_SK_INT, MDB_SK_SEED, MDB_SK_DBL, MDB_SK_STR } mdb_suite_key_type;

/* protocols a top-level value applies to */
enum { MDB_SK_NVE = 1, MDB_SK_NVT = 2, MDB_SK_NPT = 4, MDB_SK_ALL = 7 };

/* where a key may appear in a suite file (0: nowhere, a field derived from others) */
enum { MDB_SK_TOP = 1, MDB_SK_INCLUDE = 2, MDB_SK_SETTING = 3, MDB_SK_MATRIX = 4 };

typedef struct mdb_suite_key {
  const char *name;  /* in a suite file: "steps" */
  const char *field; /* the mdb_case member, and its name in the case key: "n_steps" */
  size_t off, size;  /* the mdb_case member */
  mdb_suite_key_type type;
  int where;        /* MDB_SK_TOP | MDB_SK_INCLUDE | MDB_SK_MATRIX; matrix keys have their own parsers */
  unsigned scope;   /* protocols a top-level value applies to */
  double lo;        /* smallest value (INT, DBL) */
  int lo_open;      /* 1: the value must be > lo */
  const char *what; /* STR: what the value must be, for messages ("a device (cpu, cuda)") */
  /* STR (optional): 1 when s is valid, else 0 with msg saying why and naming the valid values */
  int (*check)(const char *s, char *msg, size_t len);
  int hash_seq;          /* its line in the case key (1, 2, ...; the order is fixed forever); 0: not hashed */
  const char *hash_omit; /* the value (as the key text writes it: "double", "0") whose line the key
                            leaves out (for a string also ""), so cases that do not use a key added
                            later keep their hashes; NULL: always written */
} mdb_suite_key;

extern const mdb_suite_key mdb_suite_keys[];
extern const int mdb_suite_n_keys;

/* The row named name that may appear where (a mask of MDB_SK_*), or -1. */
int mdb_suite_key_index(const char *name, int where);

#endif
