/*
 * suite_ctx.c — the parse context's messages (every problem collected, each
 * once, on one line) and its caches: systems built at the sizes a suite
 * names, calculator specs checked and made canonical, and whether each
 * calculator can model each system. Parsing and expansion both consult them,
 * so a system is built once however many cases name it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "core/strutil.h"
#include "core/text.h"
#include "suite/suite_impl.h"

/* ------------------------------------------------------------ messages */

void suite_add_msg(ctx *x, mdb_status code, const char *raw) {
  char text[2048]; /* a suite file's strings may hold control bytes: one line, escaped */
  mdb_text_escape(raw, (size_t)-1, text, sizeof text);
  mdb_suite_errors *e = x->errs;
  x->problems++;
  if (e->code == MDB_OK) e->code = code;
  for (int i = 0; i < e->n; i++)
    if (strcmp(e->msg[i], text) == 0) return;
  if (e->n >= MDB_SUITE_MAX_ERRORS || !mdb_strs_push(&e->msg, &e->n, text)) e->n_more++;
}

/* "LABEL: PATH: problem" (no PATH part when path is ""). */
void suite_add_error(ctx *x, const char *path, const char *fmt, ...) {
  char text[1536], msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (*path)
    snprintf(msg, sizeof msg, "%s: %s: %s", x->label, path, text);
  else
    snprintf(msg, sizeof msg, "%s: %s", x->label, text);
  suite_add_msg(x, MDB_EINPUT, msg);
}

void suite_add_note(ctx *x, const char *fmt, ...) {
  char raw[2048], text[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  mdb_text_escape(raw, sizeof raw, text, sizeof text);
  for (int i = 0; i < x->s->n_notes; i++)
    if (strcmp(x->s->notes[i], text) == 0) return;
  if (!mdb_strs_push(&x->s->notes, &x->s->n_notes, text)) x->oom = 1;
}

/* Adds a zeroed element to an array of pointers; elements never move, so a
 * pointer to one stays valid while others are added. NULL when out of memory. */
void *suite_add_item(ctx *x, void ***arr, int *n, size_t size) {
  void **na = realloc(*arr, (size_t)(*n + 1) * sizeof *na);
  void *item = na ? calloc(1, size) : NULL;
  if (na) *arr = na;
  if (!item) {
    x->oom = 1;
    return NULL;
  }
  (*arr)[(*n)++] = item;
  return item;
}

static void free_items(void **arr, int n) {
  for (int i = 0; i < n; i++) free(arr[i]);
  free(arr);
}

/* ------------------------------------------------ systems and calculators */

sysinfo *suite_sysinfo(ctx *x, const char *name) {
  for (int i = 0; i < x->nsys; i++)
    if (strcmp(((sysinfo *)x->sys[i])->name, name) == 0) return x->sys[i];
  sysinfo *si = suite_add_item(x, &x->sys, &x->nsys, sizeof *si);
  if (!si) return NULL;
  mdb_str_copy(si->name, sizeof si->name, name);
  si->is_file = !mdb_build_known(name);
  mdb_err err = {0};
  mdb_build_info info;
  if (mdb_build_system(&si->sys, name, 0, 0, 42, &info, &err)) {
    mdb_str_copy(si->msg, sizeof si->msg, err.msg);
    return si;
  }
  si->ok = 1;
  si->default_atoms = si->sys.n;
  si->cell = si->sys.n;
  if (!si->is_file) /* the smallest size the builder accepts is its cell */
    for (int n = 1; n < si->cell; n++) {
      mdb_system probe;
      if (mdb_build_system(&probe, name, n, 0, 42, NULL, &err) == MDB_OK) {
        mdb_system_free(&probe);
        si->cell = n;
        break;
      }
    }
  return si;
}

static sized *sized_get(ctx *x, const char *name, int n) {
  for (int i = 0; i < x->nsized; i++) {
    sized *z = x->sz[i];
    if (z->n == n && strcmp(z->name, name) == 0) return z;
  }
  sized *z = suite_add_item(x, &x->sz, &x->nsized, sizeof *z);
  if (!z) return NULL;
  mdb_str_copy(z->name, sizeof z->name, name);
  z->n = n;
  mdb_err err = {0};
  z->st = mdb_build_system(&z->sys, name, n, 0, 42, NULL, &err);
  if (z->st) mdb_str_copy(z->msg, sizeof z->msg, err.msg);
  return z;
}

/* 1 when system si can have n atoms; otherwise msg says why. */
int suite_size_ok(ctx *x, sysinfo *si, int n, char *msg, size_t len) {
  if (n == si->default_atoms) return 1;
  if (si->is_file) {
    snprintf(msg, len, "%s has %d atoms (a system read from a file has the file's size), got %d", si->name,
             si->default_atoms, n);
    return 0;
  }
  if (n <= PROBE_ATOMS) {
    sized *z = sized_get(x, si->name, n);
    if (!z) return 1;
    if (z->st) snprintf(msg, len, "%s", z->msg);
    return z->st == MDB_OK;
  }
  if (n % si->cell == 0) return 1;
  mdb_system sys;
  mdb_err err = {0};
  if (mdb_build_system(&sys, si->name, n, 0, 42, NULL, &err) == MDB_OK) { /* the builder knows better */
    mdb_system_free(&sys);
    return 1;
  }
  snprintf(msg, len, "%s", err.msg);
  return 0;
}

/* Canonical spec text: NAME or NAME:k=v,k=v with spaces trimmed. */
calcinfo *suite_calcinfo(ctx *x, const char *text) {
  for (int i = 0; i < x->ncalc; i++)
    if (strcmp(((calcinfo *)x->calcs[i])->text, text) == 0) return x->calcs[i];
  calcinfo *ci = suite_add_item(x, &x->calcs, &x->ncalc, sizeof *ci);
  if (!ci) return NULL;
  mdb_str_copy(ci->text, sizeof ci->text, text);
  mdb_err err = {0};
  mdb_calc_spec spec;
  ci->st = mdb_calc_spec_parse(text, &spec, &err);
  if (ci->st == MDB_OK) {
    char canon[MDB_SPEC_TEXT_MAX + 1];
    mdb_calc_spec_format(&spec, canon, sizeof canon); /* values with commas quoted, label last */
    int len = (int)strlen(canon);
    if (len >= MDB_SPEC_TEXT_MAX) {
      ci->st = mdb_err_set(&err, MDB_EINPUT, "calculator spec '%.60s...' is longer than %d characters", text,
                           MDB_SPEC_TEXT_MAX - 1);
    } else {
      mdb_str_copy(ci->canon, sizeof ci->canon, canon);
      mdb_calc calc;
      ci->st = mdb_calc_create(&calc, canon, "cpu", &err);
      if (ci->st == MDB_OK) mdb_calc_free(&calc);
    }
  }
  if (ci->st) mdb_str_copy(ci->msg, sizeof ci->msg, err.msg);
  return ci;
}

/* Whether calc can model system (n atoms, 0: default size); cached. */
pairinfo *suite_pair(ctx *x, sysinfo *si, int n, const char *calc_spec) {
  for (int i = 0; i < x->npair; i++) {
    pairinfo *p = x->pairs[i];
    if (p->n == n && strcmp(p->system, si->name) == 0 && strcmp(p->calc, calc_spec) == 0) return p;
  }
  const mdb_system *sys = &si->sys;
  if (n) {
    sized *z = sized_get(x, si->name, n);
    if (!z || z->st) return NULL;
    sys = &z->sys;
  }
  pairinfo *p = suite_add_item(x, &x->pairs, &x->npair, sizeof *p);
  if (!p) return NULL;
  mdb_str_copy(p->system, sizeof p->system, si->name);
  p->n = n;
  mdb_str_copy(p->calc, sizeof p->calc, calc_spec);
  mdb_err err = {0};
  mdb_calc calc;
  p->st = mdb_calc_create(&calc, calc_spec, "cpu", &err);
  if (p->st == MDB_OK) {
    /* A calculator with an external client (the ase worker, ipi:launch)
     * starts it to prepare: loading a model can take seconds to minutes,
     * so it is checked once per spec and the verdict holds for every
     * system (the client models whatever mdbench sends it). */
    const pairinfo *seen = NULL;
    for (int i = 0; calc.ops->external_pid && i < x->npair - 1 && !seen; i++) {
      const pairinfo *q = x->pairs[i];
      if (q->started && strcmp(q->calc, calc_spec) == 0) seen = q;
    }
    if (seen) {
      p->st = seen->st;
      p->cutoff = seen->cutoff;
      if (p->st) mdb_err_set(&err, p->st, "%s", seen->msg);
    } else {
      p->started = 1;
      p->st = mdb_calc_prepare(&calc, sys, &err);
      if (!p->st) p->cutoff = mdb_calc_cutoff(&calc);
    }
    /* skin 0: the case's skin is not known here, and a cutoff refused
     * without it is refused with any */
    if (!p->st) p->cut_st = mdb_neigh_check_cell(p->cutoff, 0.0, &sys->box, sys->n, MDB_EINPUT, &err);
    mdb_calc_free(&calc);
  }
  if (p->st || p->cut_st) mdb_str_copy(p->msg, sizeof p->msg, err.msg);
  return p;
}

const char *suite_default_calc(ctx *x, const char *system) {
  calcinfo *ci = suite_calcinfo(x, mdb_build_default_calculator(system));
  return ci && ci->st == MDB_OK ? ci->canon : mdb_build_default_calculator(system);
}

/* ------------------------------------------------------ matrix values */

void suite_ctx_free(ctx *x) {
  for (int d = 0; d < ND; d++) free(x->dims[d].items);
  free(x->inc);
  free(x->exc);
  for (int i = 0; i < x->nsys; i++) {
    sysinfo *si = x->sys[i];
    if (si->ok) mdb_system_free(&si->sys);
  }
  for (int i = 0; i < x->nsized; i++) {
    sized *z = x->sz[i];
    if (z->st == MDB_OK) mdb_system_free(&z->sys);
  }
  free_items(x->sys, x->nsys);
  free_items(x->sz, x->nsized);
  free_items(x->calcs, x->ncalc);
  free_items(x->pairs, x->npair);
  free_items(x->bad, x->nbad);
  free(x->combos);
}
