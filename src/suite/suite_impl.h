/*
 * suite_impl.h — what the suite's files share inside src/suite/ (not a
 * public interface): the parse context, its caches of built systems and
 * checked calculators, the messages it collects, and the steps that
 * suite.c's mdb_suite_parse runs in order:
 *
 *   suite_parse.c   the document: every key and value checked (suite_parse_top)
 *   suite_expand.c  the matrix: cross product, exclude, include, cases (suite_expand)
 *   suite_ctx.c     messages, and the caches both of them consult
 *   suite_keys.c    the key table, run settings, case keys, hashes, slugs, costs
 */
#ifndef MDB_SUITE_IMPL_H
#define MDB_SUITE_IMPL_H

#include <cjson/cJSON.h>

#include "calc/calc.h"
#include "core/system.h"
#include "suite/suite.h"
#include "suite/suite_keys.h"

/* Sizes up to this many atoms are built during validation, so that the
 * builder's rules and size-dependent calculator checks (a water box narrower
 * than SPC/Fw's molecule span) are exact; larger sizes use the cell rule. */
#define PROBE_ATOMS 4096
#define SUITE_FILE_MAX (16 << 20)
#define PATH_MAX_LEN 160
#define SYSTEM_SLUG_MAX 64
#define CALC_SLUG_MAX 48 /* longer: 39 characters, "-" and 8 hex digits of a hash (or name it: label=) */
#define MAX_SIZES 64     /* per atoms list; a system's sizes over both devices: 2 × MAX_SIZES */

enum { D_SYSTEM, D_ATOMS, D_PROTOCOL, D_CALC, D_DEVICE, ND };
extern const char *const suite_dim_names[ND]; /* "system", "atoms", ... */

/* ----------------------------------------------------- the run settings */

typedef struct settings {
  unsigned set; /* bit k: mdb_suite_keys[k] was given */
  mdb_case v;   /* the values given */
} settings;

/* Copies key k's field; merges the keys src gives into dst. */
void suite_settings_copy_key(mdb_case *dst, const mdb_case *src, int k);
void suite_settings_merge(settings *dst, const settings *src);

/* Top-level settings where their protocol scope says so, then the case's
 * own (include) settings. */
void suite_settings_apply(mdb_case *c, const settings *top, const settings *own);

/* The file-safe form of a system name or .xyz path in case ids. */
void suite_system_slug(const char *system, char *out, size_t n);

/* ------------------------------------------------------ parse context */

typedef struct val {
  char v[MDB_SPEC_TEXT_MAX]; /* normalised: system name or resolved path, canonical spec ("" = default) */
  char raw[256];             /* as written */
  int atoms;                 /* D_ATOMS */
  char path[PATH_MAX_LEN];
} val;

typedef struct vlist {
  int n;
  val *items;
} vlist;

typedef struct entry {
  char path[PATH_MAX_LEN];
  int valid;
  int has[ND];
  val d[ND];
  settings set;
  int matched;
} entry;

typedef struct combo {
  char system[256];
  int atoms;
  char protocol[8];
  char calc[MDB_SPEC_TEXT_MAX];
  char device[16];
  char path[ND][PATH_MAX_LEN]; /* where each value came from */
  settings own;
  char origin[48];
  int dead;
} combo;

typedef struct sysinfo {
  char name[256];
  int ok, is_file, cell, default_atoms;
  char msg[1024];
  mdb_system sys; /* default size, for calculator coverage; valid when ok */
} sysinfo;

typedef struct sized {
  char name[256];
  int n;
  mdb_status st;
  char msg[1024];
  mdb_system sys; /* valid when st == MDB_OK */
} sized;

typedef struct calcinfo {
  char text[MDB_SPEC_TEXT_MAX];  /* as looked up */
  char canon[MDB_SPEC_TEXT_MAX]; /* canonical spec */
  mdb_status st;
  char msg[1024];
} calcinfo;

typedef struct pairinfo {
  char system[256];
  int n; /* 0: default size */
  char calc[MDB_SPEC_TEXT_MAX];
  mdb_status st;
  char msg[1024];
  int dropped;       /* cases dropped for it */
  mdb_status cut_st; /* the calculator applies, but its cutoff is far beyond the cell (msg says so) */
  int cut_reported;
  double cutoff; /* Å, when prepared */
  int started;   /* prepared here (not reused from another pair: an external client starts once per spec) */
} pairinfo;

typedef struct badcase {
  char origin[48], first_id[MDB_CASE_ID_MAX], msg[1024];
  int count;
} badcase;

typedef struct ctx {
  const char *label, *base_dir;
  mdb_suite_errors *errs;
  mdb_suite *s;
  long problems; /* every add_error call, duplicates included */
  int oom;

  settings top;
  char top_device[16];
  int has_matrix, has_dim[ND];
  vlist dims[ND]; /* atoms: unused (see atoms) */
  const cJSON *atoms;
  int n_inc, n_exc;
  entry *inc, *exc;

  int nsys, nsized, ncalc, npair, nbad;
  void **sys, **sz, **calcs, **pairs, **bad; /* caches of sysinfo, sized, calcinfo, pairinfo, badcase */

  int ncombo, capcombo;
  combo *combos;
} ctx;

typedef struct asize {
  int n; /* 0: the system's default size */
  char path[PATH_MAX_LEN];
} asize;

typedef struct alist {
  int n;
  asize v[2 * MAX_SIZES];
} alist;

/* ------------------------------------------------- suite_ctx.c: messages */

/* A problem with code (MDB_EINPUT: the file), kept once, escaped to one line. */
void suite_add_msg(ctx *x, mdb_status code, const char *raw);
/* "LABEL: PATH: problem" (no PATH part when path is ""). */
void suite_add_error(ctx *x, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note on what expansion dropped or renamed, kept once. */
void suite_add_note(ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a zeroed element to an array of pointers; elements never move, so a
 * pointer to one stays valid while others are added. NULL when out of memory. */
void *suite_add_item(ctx *x, void ***arr, int *n, size_t size);
void suite_ctx_free(ctx *x);

/* ------------------------------------------- suite_ctx.c: cached checks */

/* A system built at its default size (ok, or msg says why not). */
sysinfo *suite_sysinfo(ctx *x, const char *name);
/* 1 when system si can have n atoms; otherwise msg says why. */
int suite_size_ok(ctx *x, sysinfo *si, int n, char *msg, size_t len);
/* A calculator spec checked and made canonical: NAME or NAME:k=v,k=v. */
calcinfo *suite_calcinfo(ctx *x, const char *text);
/* Whether calc can model system (n atoms, 0: default size). */
pairinfo *suite_pair(ctx *x, sysinfo *si, int n, const char *calc_spec);
/* The system's own calculator, canonical. */
const char *suite_default_calc(ctx *x, const char *system);

/* --------------------------------------------------------- suite_parse.c */

int suite_is_device(const char *s);
/* Reads the document into x: settings, matrix values, entries. */
void suite_parse_top(ctx *x, const cJSON *root);
/* The one message for text that is not JSON; at: where the parser stopped. */
void suite_json_error(ctx *x, const char *text, const char *at);
/* The sizes matrix.atoms gives system (index si) on device; valid entries only. */
void suite_atoms_for(ctx *x, const cJSON *node, const char *path, int si, const char *device, alist *out);
void suite_alist_add(alist *l, int n, const char *path);

/* -------------------------------------------------------- suite_expand.c */

/* Cross product, exclude, include, then the cases of x->s. */
void suite_expand(ctx *x);

#endif
