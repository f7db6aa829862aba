/*
 * suite_filter.c — what a run does to the expanded case list: --filter keeps
 * the cases it names, and device folding moves cases onto one device
 * (--device cpu|cuda, or cuda cases onto the CPU where no rank has a GPU).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calc/calc.h"
#include "core/strutil.h"
#include "suite/suite_impl.h"

enum { FK_SYSTEM, FK_ATOMS, FK_PROTOCOL, FK_CALC, FK_DEVICE, FK_ID, NFK };
static const char *const filter_keys[NFK] = {"system", "atoms", "protocol", "calculator", "device", "id"};

/* A case's value for a filter key as ids show it (system, calculator) or as is. */
static void case_value(const mdb_case *c, int key, char *buf, size_t n) {
  switch (key) {
  case FK_SYSTEM: suite_system_slug(c->system, buf, n); break;
  case FK_ATOMS: snprintf(buf, n, "%d", c->n_atoms); break;
  case FK_PROTOCOL: mdb_str_copy(buf, n, c->protocol); break;
  case FK_CALC: mdb_suite_calc_slug(c->calculator, buf, n); break;
  default: mdb_str_copy(buf, n, c->device); break;
  }
}

static int filter_match(const mdb_suite_case *sc, int key, const char *value) {
  const mdb_case *c = &sc->c;
  char buf[MDB_SPEC_TEXT_MAX];
  switch (key) {
  case FK_SYSTEM:
    suite_system_slug(c->system, buf, sizeof buf);
    return strcmp(c->system, value) == 0 || strcmp(buf, value) == 0;
  case FK_ATOMS: return c->n_atoms == atoi(value);
  case FK_PROTOCOL: return strcasecmp(c->protocol, value) == 0;
  case FK_CALC: {
    size_t nl = strcspn(c->calculator, ":");
    if (strlen(value) == nl && strncmp(c->calculator, value, nl) == 0) return 1;
    mdb_suite_calc_slug(c->calculator, buf, sizeof buf);
    return strcmp(c->calculator, value) == 0 || strcmp(buf, value) == 0;
  }
  case FK_DEVICE: return strcasecmp(c->device, value) == 0;
  default: return strcmp(sc->id, value) == 0;
  }
}

mdb_status mdb_suite_filter(mdb_suite *s, const char *filter, mdb_err *err) {
  char buf[2048];
  if (!filter || strlen(filter) >= sizeof buf)
    return mdb_err_set(err, MDB_EINPUT,
                       "--filter needs key=value[,key=value...] (keys: system, atoms, protocol, "
                       "calculator, device, id)");
  mdb_str_copy(buf, sizeof buf, filter);
  enum { MAXT = 64 };
  int tkey[MAXT], nt = 0;
  const char *tval[MAXT];
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq || eq == tok || !eq[1])
      return mdb_err_set(err, MDB_EINPUT,
                         "--filter: '%s' is not key=value (keys: system, atoms, protocol, "
                         "calculator, device, id; several values of one key match either)",
                         tok);
    *eq = 0;
    int k = -1;
    for (int i = 0; i < NFK; i++)
      if (strcmp(filter_keys[i], tok) == 0) k = i;
    if (k < 0) {
      char hint[128];
      mdb_suggest(hint, sizeof hint, tok, filter_keys, NFK);
      return mdb_err_set(err, MDB_EINPUT,
                         "--filter: unknown key '%s' (valid: system, atoms, protocol, calculator, "
                         "device, id)%s",
                         tok, hint);
    }
    if (k == FK_ATOMS) {
      char *end;
      long v = strtol(eq + 1, &end, 10);
      if (*end || v < 1 || v > INT_MAX)
        return mdb_err_set(err, MDB_EINPUT, "--filter: atoms=%s is not a positive integer", eq + 1);
    }
    if (nt == MAXT) return mdb_err_set(err, MDB_EINPUT, "--filter: more than %d terms", MAXT);
    tkey[nt] = k;
    tval[nt++] = eq + 1;
  }
  if (nt == 0)
    return mdb_err_set(err, MDB_EINPUT,
                       "--filter needs key=value[,key=value...] (keys: system, atoms, protocol, "
                       "calculator, device, id)");
  int kept = 0;
  char *keep = calloc((size_t)(s->n_cases ? s->n_cases : 1), 1);
  if (!keep) return mdb_err_nomem(err, "filter flags", (double)s->n_cases);
  for (int i = 0; i < s->n_cases; i++) {
    int all = 1;
    for (int k = 0; k < NFK && all; k++) {
      int used = 0, any = 0;
      for (int t = 0; t < nt; t++)
        if (tkey[t] == k) used = 1, any |= filter_match(&s->cases[i], k, tval[t]);
      if (used) all = any;
    }
    keep[i] = (char)all;
    kept += all;
  }
  if (kept == 0) { /* name the values there are, for each key the filter used */
    char have[1024] = "";
    for (int k = 0; k < NFK; k++) {
      int used = 0;
      for (int t = 0; t < nt; t++) used |= tkey[t] == k;
      if (!used || k == FK_ID) continue;
      size_t len = strlen(have);
      snprintf(have + len, sizeof have - len, "%s%s:", len ? "; " : "", filter_keys[k]);
      for (int i = 0, shown = 0; i < s->n_cases && shown < 16; i++) {
        char v[MDB_SPEC_TEXT_MAX], w[MDB_SPEC_TEXT_MAX];
        case_value(&s->cases[i].c, k, v, sizeof v);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) {
          case_value(&s->cases[j].c, k, w, sizeof w);
          seen = strcmp(v, w) == 0;
        }
        if (seen) continue;
        len = strlen(have);
        snprintf(have + len, sizeof have - len, " %s", v);
        shown++;
      }
    }
    free(keep);
    return mdb_err_set(err, MDB_EINPUT, "--filter %s matches none of the %d cases of suite %s (%s)", filter, s->n_cases,
                       s->name, have[0] ? have : "see --dry-run for the ids");
  }
  int j = 0;
  for (int i = 0; i < s->n_cases; i++)
    if (keep[i]) s->cases[j++] = s->cases[i];
  s->n_cases = j;
  free(keep);
  return MDB_OK;
}

/* ------------------------------------------------------------ printing */

/* ------------------------------------------------------ device folding */

const char *mdb_suite_fold_target(const char *device, int gpus_ready) {
  if (strcmp(device, "auto") != 0) return device;
  return gpus_ready ? NULL : "cpu";
}

/* The case on device `to`: id suffix and device replaced, double precision
 * on the cpu; 0 when it does not resolve there (no backend for its calculator). */
static int twin_of(const mdb_suite_case *sc, const char *to, mdb_suite_case *tw) {
  *tw = *sc;
  size_t len = strlen(tw->id), dl = strlen(tw->c.device);
  if (len > dl + 1 && strcmp(tw->id + len - dl, tw->c.device) == 0)
    snprintf(tw->id + len - dl, sizeof tw->id - (len - dl), "%s", to);
  mdb_str_copy(tw->c.device, sizeof tw->c.device, to);
  if (strcmp(to, "cpu") == 0) mdb_str_copy(tw->c.precision, sizeof tw->c.precision, "double");
  mdb_err e;
  if (mdb_case_resolve(&tw->c, &e)) return 0; /* e.g. an i-PI client has no cuda twin */
  tw->hash = mdb_suite_case_hash(&tw->c);
  snprintf(tw->hash_hex, sizeof tw->hash_hex, "%016llx", (unsigned long long)tw->hash);
  return 1;
}

void mdb_suite_to_device(mdb_suite *s, const char *to, mdb_suite_fold *out, unsigned char *moved_flags) {
  memset(out, 0, sizeof *out);
  int w = 0;
  for (int i = 0; i < s->n_cases; i++) {
    mdb_suite_case sc = s->cases[i], tw;
    int moved = 0;
    if (strcmp(sc.c.device, to) != 0) {
      if (!twin_of(&sc, to, &tw)) {
        out->kept++;
      } else {
        int twin = 0;
        for (int j = 0; j < s->n_cases && !twin; j++) twin = j != i && strcmp(s->cases[j].id, tw.id) == 0;
        for (int j = 0; j < w && !twin; j++) twin = strcmp(s->cases[j].id, tw.id) == 0;
        if (twin) {
          out->dropped++;
          continue;
        }
        out->moved++;
        sc = tw;
        moved = 1;
      }
    }
    if (moved_flags) moved_flags[w] = (unsigned char)moved;
    s->cases[w++] = sc;
  }
  s->n_cases = w;
}
