/*
 * suite_expand.c — the matrix expanded into cases, by GitHub Actions'
 * matrix rules: the cross product of the matrix keys (atoms may depend on
 * the system and the device) loses every combination that matches all the
 * keys of an exclude entry; then each include entry, in order, extends every
 * original combination whose matrix values it leaves unchanged (setting its
 * other keys), or becomes a combination of its own when it extends none.
 *
 * Each combination is then checked (lattice size, calculator coverage,
 * mdb_case_resolve as its cpu twin) and becomes a case with its id, hash and
 * cost. A calculator that cannot model a system is incompatible: those
 * cases are dropped with a note, not reported as errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "suite/suite_impl.h"

static combo *combo_new(ctx *x) {
  if (x->ncombo == x->capcombo) {
    int cap = x->capcombo ? 2 * x->capcombo : 64;
    combo *nc = realloc(x->combos, (size_t)cap * sizeof *nc);
    if (!nc) {
      x->oom = 1;
      return NULL;
    }
    x->combos = nc;
    x->capcombo = cap;
  }
  combo *c = &x->combos[x->ncombo++];
  memset(c, 0, sizeof *c);
  return c;
}

static void combo_set(combo *c, int d, const val *v, ctx *x) {
  switch (d) {
  case D_SYSTEM: mdb_str_copy(c->system, sizeof c->system, v->v); break;
  case D_ATOMS: c->atoms = v->atoms; break;
  case D_PROTOCOL: mdb_str_copy(c->protocol, sizeof c->protocol, v->v); break;
  case D_CALC: mdb_str_copy(c->calc, sizeof c->calc, v->v[0] ? v->v : suite_default_calc(x, c->system)); break;
  default: mdb_str_copy(c->device, sizeof c->device, v->v); break;
  }
  mdb_str_copy(c->path[d], sizeof c->path[d], v->path);
}

/* Whether combination c has value v for key d ("default" calculator: the system's). */
static int combo_has(ctx *x, const combo *c, int d, const val *v) {
  switch (d) {
  case D_SYSTEM: return strcmp(c->system, v->v) == 0;
  case D_ATOMS: return c->atoms == v->atoms;
  case D_PROTOCOL: return strcmp(c->protocol, v->v) == 0;
  case D_CALC: return strcmp(c->calc, v->v[0] ? v->v : suite_default_calc(x, c->system)) == 0;
  default: return strcmp(c->device, v->v) == 0;
  }
}

static const char *default_device(ctx *x) { return x->top_device[0] ? x->top_device : "cpu"; }

/* The cross product, in the order system, atoms, protocol, calculator,
 * device; a size listed for one device only makes cases for that device. */
static void base_combos(ctx *x) {
  const vlist *S = &x->dims[D_SYSTEM], *P = &x->dims[D_PROTOCOL], *C = &x->dims[D_CALC], *D = &x->dims[D_DEVICE];
  val pdef = {.v = "NVE", .path = "matrix"}, cdef = {.v = "", .path = "matrix"}, ddef = {.path = "matrix"};
  mdb_str_copy(ddef.v, sizeof ddef.v, default_device(x));
  int np = x->has_dim[D_PROTOCOL] ? P->n : 1, nc = x->has_dim[D_CALC] ? C->n : 1, nd = x->has_dim[D_DEVICE] ? D->n : 1;
  if (nd > 2) nd = 2;                                  /* values are unique and there are two devices */
  alist *all = calloc(3, sizeof *all), *per = all + 1; /* per[d]: the sizes for device d */
  if (!all) {
    x->oom = 1;
    return;
  }
  for (int s = 0; s < S->n && !x->oom; s++) {
    sysinfo *si = suite_sysinfo(x, S->items[s].v);
    if (!si || !si->ok) continue;
    all->n = 0;
    for (int d = 0; d < nd; d++) {
      per[d].n = 0;
      suite_atoms_for(x, x->atoms, "matrix.atoms", s, x->has_dim[D_DEVICE] ? D->items[d].v : ddef.v, &per[d]);
      for (int i = 0; i < per[d].n; i++) {
        if (per[d].v[i].n == 0) per[d].v[i].n = si->default_atoms;
        suite_alist_add(all, per[d].v[i].n, per[d].v[i].path);
      }
    }
    for (int a = 0; a < all->n; a++)
      for (int p = 0; p < np; p++)
        for (int c = 0; c < nc; c++)
          for (int d = 0; d < nd; d++) {
            const asize *here = NULL;
            for (int i = 0; i < per[d].n && !here; i++)
              if (per[d].v[i].n == all->v[a].n) here = &per[d].v[i];
            if (!here) continue;
            combo *cb = combo_new(x);
            if (!cb) break;
            combo_set(cb, D_SYSTEM, &S->items[s], x);
            cb->atoms = here->n;
            mdb_str_copy(cb->path[D_ATOMS], sizeof cb->path[D_ATOMS], here->path);
            combo_set(cb, D_PROTOCOL, x->has_dim[D_PROTOCOL] ? &P->items[p] : &pdef, x);
            combo_set(cb, D_CALC, x->has_dim[D_CALC] ? &C->items[c] : &cdef, x);
            combo_set(cb, D_DEVICE, x->has_dim[D_DEVICE] ? &D->items[d] : &ddef, x);
            mdb_str_copy(cb->origin, sizeof cb->origin, "matrix");
          }
  }
  free(all);
}

static void apply_excludes(ctx *x) {
  for (int e = 0; e < x->n_exc; e++) {
    entry *ex = &x->exc[e];
    if (!ex->valid) continue;
    for (int i = 0; i < x->ncombo; i++) {
      combo *c = &x->combos[i];
      if (c->dead) continue;
      int all = 1;
      for (int d = 0; d < ND && all; d++)
        if (ex->has[d]) all = combo_has(x, c, d, &ex->d[d]);
      if (all) {
        c->dead = 1;
        ex->matched++;
      }
    }
    if (!ex->matched) suite_add_note(x, "%s matches no combination of the matrix", ex->path);
  }
}

static void apply_includes(ctx *x) {
  int n_orig = x->ncombo;
  for (int e = 0; e < x->n_inc; e++) {
    entry *in = &x->inc[e];
    if (!in->valid) continue;
    for (int i = 0; i < n_orig; i++) {
      combo *c = &x->combos[i];
      if (c->dead) continue;
      int fits = 1;
      for (int d = 0; d < ND && fits; d++)
        if (in->has[d] && x->has_dim[d]) fits = combo_has(x, c, d, &in->d[d]);
      if (!fits) continue;
      in->matched++;
      for (int d = 0; d < ND; d++)
        if (in->has[d] && !x->has_dim[d]) combo_set(c, d, &in->d[d], x);
      suite_settings_merge(&c->own, &in->set);
      char tag[32];
      snprintf(tag, sizeof tag, "+include[%d]", e);
      if (strlen(c->origin) + strlen(tag) < sizeof c->origin) strcat(c->origin, tag);
    }
    if (in->matched) continue;
    if (!in->has[D_SYSTEM]) {
      suite_add_error(x, in->path,
                      "extends no combination of the matrix and cannot be a case of its own without "
                      "\"system\"");
      continue;
    }
    combo *c = combo_new(x);
    if (!c) return;
    val pdef = {.v = "NVE", .path = ""}, cdef = {.v = "", .path = ""}, ddef = {.path = ""};
    mdb_str_copy(ddef.v, sizeof ddef.v, default_device(x));
    mdb_str_copy(pdef.path, sizeof pdef.path, in->path);
    mdb_str_copy(cdef.path, sizeof cdef.path, in->path);
    mdb_str_copy(ddef.path, sizeof ddef.path, in->path);
    combo_set(c, D_SYSTEM, &in->d[D_SYSTEM], x);
    combo_set(c, D_PROTOCOL, in->has[D_PROTOCOL] ? &in->d[D_PROTOCOL] : &pdef, x);
    combo_set(c, D_CALC, in->has[D_CALC] ? &in->d[D_CALC] : &cdef, x);
    combo_set(c, D_DEVICE, in->has[D_DEVICE] ? &in->d[D_DEVICE] : &ddef, x);
    if (in->has[D_ATOMS]) {
      combo_set(c, D_ATOMS, &in->d[D_ATOMS], x);
    } else {
      sysinfo *si = suite_sysinfo(x, c->system);
      c->atoms = si && si->ok ? si->default_atoms : 0;
      mdb_str_copy(c->path[D_ATOMS], sizeof c->path[D_ATOMS], in->path);
    }
    c->own = in->set;
    mdb_str_copy(c->origin, sizeof c->origin, in->path);
  }
}

/* "--tdamp-fs" in a run-time message is the suite key "tdamp_fs". */
static void flags_to_keys(const char *in, char *out, size_t n) {
  size_t o = 0;
  while (*in && o + 1 < n) {
    if (in[0] == '-' && in[1] == '-' && isalpha((unsigned char)in[2])) {
      in += 2;
      while ((isalnum((unsigned char)*in) || *in == '-') && o + 1 < n) {
        out[o++] = *in == '-' ? '_' : *in;
        in++;
      }
      continue;
    }
    out[o++] = *in++;
  }
  out[o] = 0;
}
static int id_taken(const mdb_suite *s, const char *id) {
  for (int i = 0; i < s->n_cases; i++)
    if (strcmp(s->cases[i].id, id) == 0) return 1;
  return 0;
}

/* Incompatible (system, calculator) pairs, in first-seen order, for the notes. */
static void note_dropped(ctx *x) {
  for (int i = 0; i < x->npair; i++) {
    pairinfo *p = x->pairs[i];
    if (!p->dropped) continue;
    char slug[128];
    mdb_suite_calc_slug(p->calc, slug, sizeof slug);
    suite_add_note(x, "%s with %s: dropped %d case%s, the calculator does not apply: %s", mdb_str_basename(p->system),
                   slug, p->dropped, p->dropped == 1 ? "" : "s", p->msg);
  }
}

/* Cases that mdb_case_resolve refuses, grouped by where they came from and
 * why, so one bad setting gives one message. */
static void bad_case(ctx *x, const char *origin, const char *id, const char *msg) {
  for (int i = 0; i < x->nbad; i++) {
    badcase *b = x->bad[i];
    if (strcmp(b->origin, origin) == 0 && strcmp(b->msg, msg) == 0) {
      b->count++;
      return;
    }
  }
  badcase *b = suite_add_item(x, &x->bad, &x->nbad, sizeof *b);
  if (!b) return;
  mdb_str_copy(b->origin, sizeof b->origin, origin);
  mdb_str_copy(b->first_id, sizeof b->first_id, id);
  mdb_str_copy(b->msg, sizeof b->msg, msg);
  b->count = 1;
}

static void build_cases(ctx *x) {
  mdb_suite *s = x->s;
  int live = 0;
  for (int i = 0; i < x->ncombo; i++) live += !x->combos[i].dead;
  s->cases = calloc((size_t)(live ? live : 1), sizeof *s->cases);
  if (!s->cases) {
    x->oom = 1;
    return;
  }
  for (int i = 0; i < x->ncombo; i++) {
    combo *cb = &x->combos[i];
    if (cb->dead) continue;
    sysinfo *si = suite_sysinfo(x, cb->system);
    if (!si || !si->ok) continue;
    char why[1024];
    if (!suite_size_ok(x, si, cb->atoms, why, sizeof why)) {
      int shared = x->has_dim[D_SYSTEM] && x->dims[D_SYSTEM].n > 1 && x->atoms &&
                   (cJSON_IsArray(x->atoms) || cJSON_IsNumber(x->atoms)) &&
                   strncmp(cb->path[D_ATOMS], "matrix.atoms", 12) == 0;
      suite_add_error(x, cb->path[D_ATOMS], "%s%s", why,
                      shared ? " (a plain list applies to every system: give sizes per system, e.g. "
                               "{\"silicon\": [64, 128], \"copper\": [108]})"
                             : "");
      continue;
    }
    calcinfo *ci = suite_calcinfo(x, cb->calc);
    if (!ci) continue;
    if (ci->st) {
      suite_add_error(x, cb->path[D_CALC], "%s", ci->msg);
      continue;
    }
    pairinfo *pi = suite_pair(x, si, 0, ci->canon);
    if (!pi) continue;
    if (pi->st && strncmp(ci->canon, "ase:", 4) == 0) { /* the worker models any species: its failure is an error */
      suite_add_error(x, cb->path[D_CALC], "%s", pi->msg);
      continue;
    }
    if (pi->st) {
      pi->dropped++;
      continue;
    }
    if (pi->cut_st && cb->atoms == si->default_atoms) { /* other sizes: their own cell, checked below */
      if (!pi->cut_reported++)
        suite_add_error(x, cb->path[D_CALC], "%s on %s: %s", ci->canon, mdb_str_basename(si->name), pi->msg);
      continue;
    }
    if (cb->atoms != si->default_atoms && cb->atoms <= PROBE_ATOMS && !si->is_file) {
      pairinfo *ps = suite_pair(x, si, cb->atoms, ci->canon);
      if (ps && (ps->st || ps->cut_st)) {
        suite_add_error(x, cb->path[D_ATOMS], "%s with %d atoms cannot run %s: %s", mdb_str_basename(si->name),
                        cb->atoms, ci->canon, ps->msg);
        continue;
      }
    }
    mdb_suite_case *sc = &s->cases[s->n_cases];
    memset(sc, 0, sizeof *sc);
    mdb_case *c = &sc->c;
    mdb_case_defaults(c);
    mdb_str_copy(c->system, sizeof c->system, cb->system);
    c->n_atoms = cb->atoms;
    mdb_str_copy(c->protocol, sizeof c->protocol, cb->protocol);
    mdb_str_copy(c->calculator, sizeof c->calculator, ci->canon);
    suite_settings_apply(c, &x->top, &cb->own);
    char sys_slug[SYSTEM_SLUG_MAX + 1], calc_slug[CALC_SLUG_MAX + 1];
    suite_system_slug(cb->system, sys_slug, sizeof sys_slug);
    mdb_suite_calc_slug(ci->canon, calc_slug, sizeof calc_slug);
    snprintf(sc->id, sizeof sc->id, "%s_%d_%s_%s_%s", sys_slug, cb->atoms, cb->protocol, calc_slug, cb->device);
    /* resolve as the cpu twin: this build's registry knows cpu backends
     * only; a cuda case's precision is its own (the cpu runs in double) */
    char precision[sizeof c->precision];
    mdb_str_copy(precision, sizeof precision, c->precision);
    if (strcmp(cb->device, "cpu") != 0) mdb_str_copy(c->precision, sizeof c->precision, "double");
    mdb_str_copy(c->device, sizeof c->device, "cpu");
    mdb_err err = {0};
    if (mdb_case_resolve(c, &err)) {
      char msg[1024];
      flags_to_keys(err.msg, msg, sizeof msg);
      bad_case(x, cb->origin, sc->id, msg);
      continue;
    }
    mdb_str_copy(c->device, sizeof c->device, cb->device);
    if (precision[0]) mdb_str_copy(c->precision, sizeof c->precision, precision);
    sc->hash = mdb_suite_case_hash(c);
    snprintf(sc->hash_hex, sizeof sc->hash_hex, "%016llx", (unsigned long long)sc->hash);
    sc->cost = (double)c->n_atoms * ((double)c->n_steps + c->warmup_steps) * mdb_suite_calc_cost_factor(c->calculator);
    mdb_str_copy(sc->origin, sizeof sc->origin, cb->origin);
    int dup = -1;
    for (int j = 0; j < s->n_cases && dup < 0; j++)
      if (s->cases[j].hash == sc->hash && strcmp(s->cases[j].id, sc->id) == 0) dup = j;
    if (dup >= 0) {
      suite_add_note(x, "%s repeats case %s (from %s): kept once", cb->origin, sc->id, s->cases[dup].origin);
      continue;
    }
    if (id_taken(s, sc->id)) {
      char base[MDB_CASE_ID_MAX];
      mdb_str_copy(base, sizeof base, sc->id);
      for (int k = 2;; k++) {
        char cand[MDB_CASE_ID_MAX + 16];
        snprintf(cand, sizeof cand, "%.*s-%d", MDB_CASE_ID_MAX - 12, base, k);
        if (!id_taken(s, cand)) {
          mdb_str_copy(sc->id, sizeof sc->id, cand);
          break;
        }
      }
      suite_add_note(x, "case %s (from %s) differs from %s in settings the id does not show: renamed %s", base,
                     cb->origin, base, sc->id);
    }
    s->n_cases++;
  }
  note_dropped(x);
  for (int i = 0; i < x->nbad; i++) {
    badcase *b = x->bad[i];
    if (b->count == 1)
      suite_add_error(x, b->origin, "case %s: %s", b->first_id, b->msg);
    else
      suite_add_error(x, b->origin, "cases %s and %d more: %s", b->first_id, b->count - 1, b->msg);
  }
}

void suite_expand(ctx *x) {
  base_combos(x);
  apply_excludes(x);
  apply_includes(x);
  build_cases(x);
}
