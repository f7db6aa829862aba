/*
 * suite.c — suite files: parse, validate the whole file, expand the matrix.
 *
 * Expansion follows GitHub Actions' matrix rules. The cross product of the
 * matrix keys (system, atoms, protocol, calculator, device; atoms may depend
 * on the system and the device) loses every combination that matches all the
 * keys of an exclude entry. Then each include entry, in order, extends every
 * original combination whose matrix values it leaves unchanged, setting its
 * other keys (run settings, or a key the matrix does not have); an entry that
 * extends none becomes a combination of its own. Run settings at the top of
 * the file apply to the protocols they mean something to (tdamp_fs to NVT
 * and NPT, pressure_bar to NPT); in an include entry they always apply.
 *
 * Validation does not stop at the first problem: every value is checked
 * (type, range, name, lattice size), then every combination is checked
 * (calculator coverage, mdb_case_resolve), and all problems are reported
 * together. A calculator that cannot model a system at its default size is
 * incompatible: those cases are dropped with a note, not reported as errors.
 */
#include "suite/suite.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "build/build.h"
#include "calc/calc.h"
#include "core/text.h"
#include "md/md.h"

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
static const char *const dim_names[ND] = {"system", "atoms", "protocol", "calculator", "device"};
static const char *const suite_names[] = {"quick", "baseline", "comprehensive"};

/* ------------------------------------------------------------ helpers */

static void scopy(char *dst, size_t n, const char *src) {
  size_t len = strlen(src);
  if (len >= n) len = n - 1;
  memcpy(dst, src, len);
  dst[len] = 0;
}

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static int is_device(const char *s) { return strcmp(s, "cpu") == 0 || strcmp(s, "cuda") == 0; }

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* A JSON value as a message shows it: -5, "abc" (a string), an array. */
static void describe(const cJSON *v, char *buf, size_t n) {
  if (!v)
    snprintf(buf, n, "nothing");
  else if (cJSON_IsNumber(v))
    snprintf(buf, n, "%.15g", v->valuedouble);
  else if (cJSON_IsString(v))
    snprintf(buf, n, "\"%.60s\"%s (a string)", v->valuestring, strlen(v->valuestring) > 60 ? "..." : "");
  else if (cJSON_IsBool(v))
    snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNull(v))
    snprintf(buf, n, "null");
  else if (cJSON_IsArray(v))
    snprintf(buf, n, "an array");
  else
    snprintf(buf, n, "an object");
}

/* parent.key, or parent["key"] for keys that are not plain words. */
static void path_key(char *out, size_t n, const char *parent, const char *key) {
  int plain = *key != 0;
  for (const char *p = key; *p; p++) plain &= isalnum((unsigned char)*p) || *p == '_';
  if (plain)
    snprintf(out, n, "%s%s%s", parent, *parent ? "." : "", key);
  else
    snprintf(out, n, "%s[\"%s\"]", parent, key);
}

static void path_idx(char *out, size_t n, const char *parent, int i) { snprintf(out, n, "%s[%d]", parent, i); }

static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int row[64];
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = row[j];
      int sub = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
      row[j] = sub < best ? sub : best;
      diag = up;
    }
  }
  return row[lb];
}

/* "; did you mean 'x'?" for the one closest candidate within a few edits (or
 * one the word is a prefix of), or "" when none or several fit as well. */
static void suggest(char *out, size_t n, const char *word, const char *const *cands, int ncands) {
  int best = -1, bestd = 99, ties = 0;
  size_t wl = strlen(word);
  for (int i = 0; i < ncands; i++) {
    int d = edit_distance(word, cands[i]);
    if (wl >= 4 && strncasecmp(word, cands[i], wl) == 0) d = 1;
    if (d < bestd)
      bestd = d, best = i, ties = 0;
    else if (d == bestd)
      ties++;
  }
  int limit = wl > 6 ? 2 : 1;
  if (best >= 0 && bestd <= limit && !ties)
    snprintf(out, n, "; did you mean '%s'?", cands[best]);
  else
    out[0] = 0;
}

static void join(char *out, size_t n, const char *const *items, int nitems) {
  out[0] = 0;
  for (int i = 0; i < nitems; i++) {
    size_t len = strlen(out);
    snprintf(out + len, n - len, "%s%s", i ? ", " : "", items[i]);
  }
}

/* Appends a copy of s to a growable array of strings; 0 when out of memory. */
static int strs_push(char ***v, int *n, const char *s) {
  if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
    int cap = *n < 8 ? 8 : 2 * *n;
    char **nv = realloc(*v, (size_t)cap * sizeof *nv);
    if (!nv) return 0;
    *v = nv;
  }
  char *copy = malloc(strlen(s) + 1);
  if (!copy) return 0;
  strcpy(copy, s);
  (*v)[(*n)++] = copy;
  return 1;
}

static void strs_free(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* ----------------------------------------------------- the run settings */

typedef enum { KT_INT, KT_SEED, KT_DBL, KT_STR } key_type;
enum { P_NVE = 1, P_NVT = 2, P_NPT = 4, P_ALL = 7 };
enum { W_TOP = 1, W_INCLUDE = 2, W_BOTH = 3 };

typedef struct key_def {
  const char *name;
  key_type type;
  size_t off, size; /* the field of mdb_case it sets */
  double lo;        /* smallest value (KT_INT, KT_DBL) */
  int lo_open;      /* 1: value must be > lo */
  unsigned scope;   /* protocols a top-level value applies to */
  int where;        /* top level, include entries, or both */
} key_def;

#define F(field) offsetof(mdb_case, field), sizeof(((mdb_case *)0)->field)
static const key_def keys[] = {
    {"steps", KT_INT, F(n_steps), 1, 0, P_ALL, W_BOTH},
    {"warmup", KT_INT, F(warmup_steps), 0, 0, P_ALL, W_BOTH},
    {"timestep_fs", KT_DBL, F(timestep_fs), 0, 1, P_ALL, W_BOTH},
    {"temperature_K", KT_DBL, F(temperature_K), 0, 0, P_ALL, W_BOTH},
    {"pressure_bar", KT_DBL, F(pressure_bar), -INFINITY, 0, P_NPT, W_BOTH},
    {"energy_interval", KT_INT, F(energy_interval), 1, 0, P_ALL, W_BOTH},
    {"memory_interval", KT_INT, F(memory_interval), 1, 0, P_ALL, W_BOTH},
    {"seed", KT_SEED, F(seed), 0, 0, P_ALL, W_BOTH},
    {"skin_A", KT_DBL, F(skin_A), 0, 0, P_ALL, W_BOTH},
    {"thermostat", KT_STR, F(thermostat), 0, 0, P_NVT | P_NPT, W_BOTH},
    {"tdamp_fs", KT_DBL, F(tdamp_fs), 0, 1, P_NVT | P_NPT, W_BOTH},
    {"pdamp_fs", KT_DBL, F(pdamp_fs), 0, 1, P_NPT, W_BOTH},
    {"chain", KT_INT, F(chain), 1, 0, P_NVT | P_NPT, W_BOTH},
    {"lattice_A", KT_DBL, F(lattice_A), 0, 1, P_ALL, W_INCLUDE},
    {"device", KT_STR, F(device), 0, 0, P_ALL, W_TOP},
    {"precision", KT_STR, F(precision), 0, 0, P_ALL, W_BOTH},
};
#undef F
enum { NKEYS = (int)(sizeof keys / sizeof keys[0]) };

typedef struct settings {
  unsigned set; /* bit k: keys[k] was given */
  mdb_case v;   /* the values given */
} settings;

static int key_index(const char *name, int where) {
  for (int k = 0; k < NKEYS; k++)
    if ((keys[k].where & where) && strcmp(keys[k].name, name) == 0) return k;
  return -1;
}

static void settings_copy_key(mdb_case *dst, const mdb_case *src, int k) {
  memcpy((char *)dst + keys[k].off, (const char *)src + keys[k].off, keys[k].size);
  if (strcmp(keys[k].name, "pressure_bar") == 0) dst->pressure_set = 1;
}

static void settings_merge(settings *dst, const settings *src) {
  for (int k = 0; k < NKEYS; k++)
    if (src->set & (1u << k)) {
      settings_copy_key(&dst->v, &src->v, k);
      dst->set |= 1u << k;
    }
}

static unsigned protocol_bit(const char *p) {
  return strcmp(p, "NVT") == 0 ? P_NVT : strcmp(p, "NPT") == 0 ? P_NPT : P_NVE;
}

/* Top-level settings where their protocol scope says so, then the case's
 * own (include) settings; a top-level chain length only where the case's
 * thermostat is a Nosé–Hoover chain. */
static void settings_apply(mdb_case *c, const settings *top, const settings *own) {
  unsigned pbit = protocol_bit(c->protocol);
  int chain = key_index("chain", W_BOTH), device = key_index("device", W_TOP);
  for (int k = 0; k < NKEYS; k++)
    if ((top->set & (1u << k)) && (keys[k].scope & pbit) && k != chain && k != device) settings_copy_key(c, &top->v, k);
  for (int k = 0; k < NKEYS; k++)
    if (own->set & (1u << k)) settings_copy_key(c, &own->v, k);
  if ((top->set & (1u << chain)) && !(own->set & (1u << chain)) && (keys[chain].scope & pbit) &&
      (!c->thermostat[0] || strcmp(c->thermostat, "nhc") == 0))
    c->chain = top->v.chain;
  /* a chain length means a Nosé–Hoover chain, the default thermostat anyway */
  if (c->chain && !c->thermostat[0] && pbit != P_NVE) memcpy(c->thermostat, "nhc", 4);
}

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

static void add_msg(ctx *x, mdb_status code, const char *raw) {
  char text[2048]; /* a suite file's strings may hold control bytes: one line, escaped */
  mdb_text_escape(raw, (size_t)-1, text, sizeof text);
  mdb_suite_errors *e = x->errs;
  x->problems++;
  if (e->code == MDB_OK) e->code = code;
  for (int i = 0; i < e->n; i++)
    if (strcmp(e->msg[i], text) == 0) return;
  if (e->n >= MDB_SUITE_MAX_ERRORS || !strs_push(&e->msg, &e->n, text)) e->n_more++;
}

/* "LABEL: PATH: problem" (no PATH part when path is ""). */
static void add_error(ctx *x, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_error(ctx *x, const char *path, const char *fmt, ...) {
  char text[1536], msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (*path)
    snprintf(msg, sizeof msg, "%s: %s: %s", x->label, path, text);
  else
    snprintf(msg, sizeof msg, "%s: %s", x->label, text);
  add_msg(x, MDB_EINPUT, msg);
}

static void add_note(ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(ctx *x, const char *fmt, ...) {
  char raw[2048], text[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  mdb_text_escape(raw, sizeof raw, text, sizeof text);
  for (int i = 0; i < x->s->n_notes; i++)
    if (strcmp(x->s->notes[i], text) == 0) return;
  if (!strs_push(&x->s->notes, &x->s->n_notes, text)) x->oom = 1;
}

/* Adds a zeroed element to an array of pointers; elements never move, so a
 * pointer to one stays valid while others are added. NULL when out of memory. */
static void *add_item(ctx *x, void ***arr, int *n, size_t size) {
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

static sysinfo *sysinfo_get(ctx *x, const char *name) {
  for (int i = 0; i < x->nsys; i++)
    if (strcmp(((sysinfo *)x->sys[i])->name, name) == 0) return x->sys[i];
  sysinfo *si = add_item(x, &x->sys, &x->nsys, sizeof *si);
  if (!si) return NULL;
  scopy(si->name, sizeof si->name, name);
  si->is_file = !mdb_build_known(name);
  mdb_err err = {0};
  mdb_build_info info;
  if (mdb_build_system(&si->sys, name, 0, 0, 42, &info, &err)) {
    scopy(si->msg, sizeof si->msg, err.msg);
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
  sized *z = add_item(x, &x->sz, &x->nsized, sizeof *z);
  if (!z) return NULL;
  scopy(z->name, sizeof z->name, name);
  z->n = n;
  mdb_err err = {0};
  z->st = mdb_build_system(&z->sys, name, n, 0, 42, NULL, &err);
  if (z->st) scopy(z->msg, sizeof z->msg, err.msg);
  return z;
}

/* 1 when system si can have n atoms; otherwise msg says why. */
static int size_ok(ctx *x, sysinfo *si, int n, char *msg, size_t len) {
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
static calcinfo *calcinfo_get(ctx *x, const char *text) {
  for (int i = 0; i < x->ncalc; i++)
    if (strcmp(((calcinfo *)x->calcs[i])->text, text) == 0) return x->calcs[i];
  calcinfo *ci = add_item(x, &x->calcs, &x->ncalc, sizeof *ci);
  if (!ci) return NULL;
  scopy(ci->text, sizeof ci->text, text);
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
      scopy(ci->canon, sizeof ci->canon, canon);
      mdb_calc calc;
      ci->st = mdb_calc_create(&calc, canon, "cpu", &err);
      if (ci->st == MDB_OK) mdb_calc_free(&calc);
    }
  }
  if (ci->st) scopy(ci->msg, sizeof ci->msg, err.msg);
  return ci;
}

/* Whether calc can model system (n atoms, 0: default size); cached. */
static pairinfo *pair_get(ctx *x, sysinfo *si, int n, const char *calc_spec) {
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
  pairinfo *p = add_item(x, &x->pairs, &x->npair, sizeof *p);
  if (!p) return NULL;
  scopy(p->system, sizeof p->system, si->name);
  p->n = n;
  scopy(p->calc, sizeof p->calc, calc_spec);
  mdb_err err = {0};
  mdb_calc calc;
  p->st = mdb_calc_create(&calc, calc_spec, "cpu", &err);
  if (p->st == MDB_OK) {
    p->st = mdb_calc_prepare(&calc, sys, &err);
    /* skin 0: the case's skin is not known here, and a cutoff refused
     * without it is refused with any */
    if (!p->st) p->cut_st = mdb_neigh_check_cell(mdb_calc_cutoff(&calc), 0.0, &sys->box, sys->n, MDB_EINPUT, &err);
    mdb_calc_free(&calc);
  }
  if (p->st || p->cut_st) scopy(p->msg, sizeof p->msg, err.msg);
  return p;
}

static const char *default_calc(ctx *x, const char *system) {
  calcinfo *ci = calcinfo_get(x, mdb_build_default_calculator(system));
  return ci && ci->st == MDB_OK ? ci->canon : mdb_build_default_calculator(system);
}

/* ------------------------------------------------------ matrix values */

static int want_string(ctx *x, const cJSON *node, const char *path, const char *what) {
  if (cJSON_IsString(node) && node->valuestring[0]) return 1;
  char got[128];
  describe(node, got, sizeof got);
  add_error(x, path, "must be %s, got %s", what, got);
  return 0;
}

static int parse_system(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a system name (silicon, copper, aluminum, argon, water) or an .xyz path")) return 0;
  const char *s = node->valuestring;
  scopy(out->raw, sizeof out->raw, s);
  if (mdb_build_known(s)) {
    scopy(out->v, sizeof out->v, s);
    return 1;
  }
  if (ends_with(s, ".xyz")) {
    char full[MDB_SPEC_TEXT_MAX];
    if (s[0] == '/' || !x->base_dir || !x->base_dir[0])
      snprintf(full, sizeof full, "%s", s);
    else
      snprintf(full, sizeof full, "%s/%s", x->base_dir, s);
    if (strlen(full) >= sizeof((mdb_case *)0)->system) {
      add_error(x, path, "the path %s is longer than %zu characters", s, sizeof((mdb_case *)0)->system - 1);
      return 0;
    }
    sysinfo *si = sysinfo_get(x, full);
    if (si && !si->ok) {
      add_error(x, path, "%s", si->msg);
      return 0;
    }
    scopy(out->v, sizeof out->v, full);
    return 1;
  }
  static const char *const builtin[] = {"silicon", "copper", "aluminum", "argon", "water"};
  char hint[128];
  suggest(hint, sizeof hint, s, builtin, 5);
  add_error(x, path, "unknown system '%s' (valid: %s, or a path ending in .xyz)%s", s, mdb_build_names(), hint);
  return 0;
}

static int parse_protocol(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a protocol (" MDB_PROTOCOL_NAMES ")")) return 0;
  mdb_protocol p;
  mdb_err err = {0};
  if (mdb_protocol_parse(node->valuestring, &p, &err)) {
    static const char *const names[] = {"NVE", "NVT", "NPT"};
    char hint[128];
    suggest(hint, sizeof hint, node->valuestring, names, 3);
    add_error(x, path, "%s%s", err.msg, hint);
    return 0;
  }
  scopy(out->raw, sizeof out->raw, node->valuestring);
  scopy(out->v, sizeof out->v, mdb_protocol_name(p));
  return 1;
}

static const char *device_hint(const char *name) {
  if (strcasecmp(name, "gpu") == 0 || strcasecmp(name, "nvidia") == 0) return "; NVIDIA GPUs are 'cuda'";
  if (strcasecmp(name, "cpu") == 0 || strcasecmp(name, "cuda") == 0) return "; names are lower case";
  return "";
}

static int parse_device(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a device (" MDB_SUITE_DEVICES ")")) return 0;
  if (!is_device(node->valuestring)) {
    add_error(x, path, "unknown device '%s' (valid: " MDB_SUITE_DEVICES ")%s", node->valuestring,
              device_hint(node->valuestring));
    return 0;
  }
  scopy(out->raw, sizeof out->raw, node->valuestring);
  scopy(out->v, sizeof out->v, node->valuestring);
  return 1;
}

/* A spec string, or an object {"name": "eam", "file": "..."} turned into one. */
static int parse_calc(ctx *x, const cJSON *node, const char *path, val *out) {
  char text[MDB_SPEC_TEXT_MAX + 64];
  if (cJSON_IsObject(node)) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(node, "name");
    char npath[PATH_MAX_LEN];
    path_key(npath, sizeof npath, path, "name");
    if (!name) {
      add_error(x, path,
                "a calculator object needs \"name\" (one of %s), e.g. {\"name\": \"eam\", \"file\": "
                "\"Cu_u3.eam\"}",
                mdb_calc_names());
      return 0;
    }
    if (!want_string(x, name, npath, "a calculator name")) return 0;
    int ok = 1, np = 0;
    size_t len = (size_t)snprintf(text, sizeof text, "%s", name->valuestring);
    if (strpbrk(name->valuestring, ":,= ")) {
      add_error(x, npath, "a calculator name cannot contain ':', ',', '=' or spaces, got \"%s\"", name->valuestring);
      ok = 0;
    }
    for (const cJSON *kv = node->child; kv; kv = kv->next) {
      if (strcmp(kv->string, "name") == 0) continue;
      char kpath[PATH_MAX_LEN], value[MDB_SPEC_TEXT_MAX] = "";
      path_key(kpath, sizeof kpath, path, kv->string);
      if (cJSON_IsString(kv)) {
        scopy(value, sizeof value, kv->valuestring);
      } else if (cJSON_IsNumber(kv) && isfinite(kv->valuedouble)) {
        if (kv->valuedouble == floor(kv->valuedouble) && fabs(kv->valuedouble) < 1e15) /* 300, not 3e+02 */
          snprintf(value, sizeof value, "%.0f", kv->valuedouble);
        else
          for (int prec = 1; prec <= 17; prec++) { /* the shortest text that reads back the same */
            snprintf(value, sizeof value, "%.*g", prec, kv->valuedouble);
            if (strtod(value, NULL) == kv->valuedouble) break;
          }
      } else {
        char got[128];
        describe(kv, got, sizeof got);
        add_error(x, kpath, "a calculator parameter must be a string or a number, got %s", got);
        ok = 0;
        continue;
      }
      if (!value[0] || (strchr(value, '"') && strchr(value, '\'') && strchr(value, ',')) ||
          strpbrk(kv->string, ":,= ")) {
        add_error(x, kpath,
                  "a calculator parameter needs a key without ':', ',', '=' or spaces and a non-empty "
                  "value (a value with commas cannot hold both quote characters)");
        ok = 0;
        continue;
      }
      /* a value with commas (a launch command) goes in quotes */
      const char *q = !strchr(value, ',') ? "" : strchr(value, '"') ? "'" : "\"";
      if (len < sizeof text)
        len +=
            (size_t)snprintf(text + len, sizeof text - len, "%c%s=%s%s%s", np++ ? ',' : ':', kv->string, q, value, q);
    }
    if (!ok) return 0;
    if (len >= MDB_SPEC_TEXT_MAX) {
      add_error(x, path, "the calculator spec is longer than %d characters", MDB_SPEC_TEXT_MAX - 1);
      return 0;
    }
  } else {
    if (!want_string(x, node, path, "a calculator spec (NAME[:key=value,...]) or an object {\"name\": ...}")) return 0;
    scopy(text, sizeof text, node->valuestring);
  }
  scopy(out->raw, sizeof out->raw, text);
  if (strcmp(text, "default") == 0) { /* the system's own calculator */
    out->v[0] = 0;
    return 1;
  }
  calcinfo *ci = calcinfo_get(x, text);
  if (!ci) return 0;
  if (ci->st) {
    add_error(x, path, "%s", ci->msg);
    return 0;
  }
  scopy(out->v, sizeof out->v, ci->canon);
  return 1;
}

static int parse_atoms_value(ctx *x, const cJSON *node, const char *path, int *out) {
  if (cJSON_IsNumber(node) && node->valuedouble >= 1 && node->valuedouble <= INT_MAX &&
      node->valuedouble == floor(node->valuedouble)) {
    *out = (int)node->valuedouble;
    return 1;
  }
  char got[128];
  describe(node, got, sizeof got);
  add_error(x, path, "must be a positive integer, got %s", got);
  return 0;
}

static int parse_dim_value(ctx *x, int d, const cJSON *node, const char *path, val *out) {
  memset(out, 0, sizeof *out);
  scopy(out->path, sizeof out->path, path);
  switch (d) {
  case D_SYSTEM: return parse_system(x, node, path, out);
  case D_PROTOCOL: return parse_protocol(x, node, path, out);
  case D_CALC: return parse_calc(x, node, path, out);
  case D_DEVICE: return parse_device(x, node, path, out);
  default:
    if (!parse_atoms_value(x, node, path, &out->atoms)) return 0;
    snprintf(out->v, sizeof out->v, "%d", out->atoms);
    return 1;
  }
}

/* A matrix key: one value or a list; keeps the valid ones. */
static void parse_dim_list(ctx *x, int d, const cJSON *node, const char *path) {
  vlist *l = &x->dims[d];
  int count = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 1;
  if (cJSON_IsArray(node) && count == 0) {
    add_error(x, path, "must list at least one %s", dim_names[d]);
    return;
  }
  l->items = calloc((size_t)count, sizeof *l->items);
  if (!l->items) {
    x->oom = 1;
    return;
  }
  int i = 0;
  for (const cJSON *it = cJSON_IsArray(node) ? node->child : node; it; it = cJSON_IsArray(node) ? it->next : NULL) {
    char ipath[PATH_MAX_LEN];
    if (cJSON_IsArray(node))
      path_idx(ipath, sizeof ipath, path, i);
    else
      scopy(ipath, sizeof ipath, path);
    i++;
    val v;
    if (!parse_dim_value(x, d, it, ipath, &v)) continue;
    int dup = -1;
    for (int j = 0; j < l->n && dup < 0; j++)
      if (strcmp(l->items[j].v, v.v) == 0) dup = j;
    if (dup >= 0) {
      add_error(x, ipath, "'%s' is already listed at %s", v.raw, l->items[dup].path);
      continue;
    }
    l->items[l->n++] = v;
  }
}

/* ---------------------------------------------------------- atoms */

enum { AK_SYSTEM = 1, AK_DEVICE = 2 };

/* The kind of an atoms-object key: a device, or a system of matrix.system. */
static int atoms_key_kind(ctx *x, const char *key, int *sys_index) {
  if (is_device(key)) return AK_DEVICE;
  const vlist *sl = &x->dims[D_SYSTEM];
  for (int i = 0; i < sl->n; i++)
    if (strcmp(sl->items[i].raw, key) == 0 || strcmp(sl->items[i].v, key) == 0) {
      if (sys_index) *sys_index = i;
      return AK_SYSTEM;
    }
  return 0;
}

/* Validates matrix.atoms: an integer, a list of them, or an object keyed by
 * system or by device (one kind per level, each kind at most once). */
static void check_atoms(ctx *x, const cJSON *node, const char *path, int used) {
  char got[128];
  if (cJSON_IsNumber(node)) {
    int n;
    parse_atoms_value(x, node, path, &n);
  } else if (cJSON_IsArray(node)) {
    if (cJSON_GetArraySize(node) == 0) add_error(x, path, "must list at least one size");
    if (cJSON_GetArraySize(node) > MAX_SIZES)
      add_error(x, path, "lists %d sizes; at most %d per list", cJSON_GetArraySize(node), MAX_SIZES);
    int i = 0;
    for (const cJSON *it = node->child; it; it = it->next, i++) {
      char ipath[PATH_MAX_LEN];
      path_idx(ipath, sizeof ipath, path, i);
      int n;
      if (!parse_atoms_value(x, it, ipath, &n)) continue;
      int j = 0;
      for (const cJSON *prev = node->child; prev != it; prev = prev->next, j++)
        if (cJSON_IsNumber(prev) && prev->valuedouble == n) {
          add_error(x, ipath, "%d is already listed at %s[%d]", n, path, j);
          break;
        }
    }
  } else if (cJSON_IsObject(node)) {
    if (!node->child) add_error(x, path, "is empty: give sizes per system or per device");
    int kinds = 0;
    for (const cJSON *kv = node->child; kv; kv = kv->next) {
      char kpath[PATH_MAX_LEN];
      path_key(kpath, sizeof kpath, path, kv->string);
      int kind = atoms_key_kind(x, kv->string, NULL);
      if (!kind) {
        char systems[512] = "";
        for (int i = 0; i < x->dims[D_SYSTEM].n; i++) {
          size_t len = strlen(systems);
          snprintf(systems + len, sizeof systems - len, "%s%s", i ? ", " : "", x->dims[D_SYSTEM].items[i].raw);
        }
        add_error(x, kpath,
                  "unknown key: atoms are given per device (" MDB_SUITE_DEVICES ") or per system of matrix.system (%s)",
                  systems[0] ? systems : "none");
        continue;
      }
      if (kind & used) {
        add_error(x, kpath,
                  "sizes are already given per %s above this level; nest systems and devices at most "
                  "once each",
                  kind == AK_DEVICE ? "device" : "system");
        continue;
      }
      kinds |= kind;
      check_atoms(x, kv, kpath, used | kind);
    }
    if (kinds == (AK_SYSTEM | AK_DEVICE))
      add_error(x, path,
                "mixes systems and devices as keys; nest one inside the other, e.g. {\"silicon\": "
                "{\"cpu\": [64], \"cuda\": [64, 110592]}}");
  } else {
    describe(node, got, sizeof got);
    add_error(x, path, "must be a positive integer, a list of them, or an object keyed by system or device, got %s",
              got);
  }
}

typedef struct asize {
  int n; /* 0: the system's default size */
  char path[PATH_MAX_LEN];
} asize;

typedef struct alist {
  int n;
  asize v[2 * MAX_SIZES];
} alist;

static void alist_add(alist *l, int n, const char *path) {
  for (int i = 0; i < l->n; i++)
    if (l->v[i].n == n) return;
  if (l->n == (int)(sizeof l->v / sizeof l->v[0])) return;
  l->v[l->n].n = n;
  scopy(l->v[l->n].path, sizeof l->v[l->n].path, path);
  l->n++;
}

/* The sizes matrix.atoms gives system (index si) on device; valid entries only. */
static void atoms_for(ctx *x, const cJSON *node, const char *path, int si, const char *device, alist *out) {
  if (!node) {
    alist_add(out, 0, "matrix");
    return;
  }
  if (cJSON_IsNumber(node)) {
    if (node->valuedouble >= 1 && node->valuedouble <= INT_MAX && node->valuedouble == floor(node->valuedouble))
      alist_add(out, (int)node->valuedouble, path);
  } else if (cJSON_IsArray(node)) {
    int i = 0;
    for (const cJSON *it = node->child; it; it = it->next, i++) {
      char ipath[PATH_MAX_LEN];
      path_idx(ipath, sizeof ipath, path, i);
      atoms_for(x, it, ipath, si, device, out);
    }
  } else if (cJSON_IsObject(node)) {
    for (const cJSON *kv = node->child; kv; kv = kv->next) {
      int idx = -1, kind = atoms_key_kind(x, kv->string, &idx);
      if ((kind == AK_DEVICE && strcmp(kv->string, device) == 0) || (kind == AK_SYSTEM && idx == si)) {
        char kpath[PATH_MAX_LEN];
        path_key(kpath, sizeof kpath, path, kv->string);
        atoms_for(x, kv, kpath, si, device, out);
        return;
      }
    }
    alist_add(out, 0, path); /* not named here: the default size */
  }
}

/* ---------------------------------------------------------- settings */

static int dim_index(const char *key) {
  for (int d = 0; d < ND; d++)
    if (strcmp(dim_names[d], key) == 0) return d;
  return -1;
}

static void parse_setting(ctx *x, int k, const cJSON *node, const char *path, settings *s) {
  const key_def *kd = &keys[k];
  char got[128];
  describe(node, got, sizeof got);
  void *field = (char *)&s->v + kd->off;
  double v = cJSON_IsNumber(node) ? node->valuedouble : NAN;
  switch (kd->type) {
  case KT_INT:
    if (!cJSON_IsNumber(node) || v != floor(v) || v < kd->lo || v > INT_MAX) {
      add_error(x, path, "must be an integer >= %g, got %s", kd->lo, got);
      return;
    }
    *(int *)field = (int)v;
    break;
  case KT_SEED:
    if (!cJSON_IsNumber(node) || v != floor(v) || v < 0 || v > 9007199254740992.0) {
      add_error(x, path, "must be an integer from 0 to 2^53, got %s", got);
      return;
    }
    *(uint64_t *)field = (uint64_t)v;
    break;
  case KT_DBL:
    if (!cJSON_IsNumber(node) || !isfinite(v) || (kd->lo_open ? !(v > kd->lo) : !(v >= kd->lo))) {
      if (isinf(kd->lo))
        add_error(x, path, "must be a number, got %s", got);
      else
        add_error(x, path, "must be a number %s %g, got %s", kd->lo_open ? ">" : ">=", kd->lo, got);
      return;
    }
    *(double *)field = v;
    break;
  case KT_STR: {
    int is_thermostat = strcmp(kd->name, "thermostat") == 0;
    if (!want_string(x, node, path,
                     is_thermostat ? "a thermostat (" MDB_THERMOSTAT_NAMES ")" : "a device (" MDB_SUITE_DEVICES ")"))
      return;
    const char *str = node->valuestring;
    if (is_thermostat) {
      mdb_thermostat t;
      mdb_err err = {0};
      if (mdb_thermostat_parse(str, &t, &err)) {
        add_error(x, path, "%s", err.msg);
        return;
      }
    } else if (!is_device(str)) {
      add_error(x, path, "unknown device '%s' (valid: " MDB_SUITE_DEVICES ")%s", str, device_hint(str));
      return;
    }
    if (strlen(str) >= kd->size) return;
    memcpy(field, str, strlen(str) + 1);
    break;
  }
  }
  s->set |= 1u << k;
}

static void unknown_key(ctx *x, const char *path, const char *key, int where, const char *const *extra, int nextra) {
  const char *names[NKEYS + 16];
  int m = 0;
  for (int i = 0; i < nextra; i++) names[m++] = extra[i];
  for (int k = 0; k < NKEYS; k++)
    if (keys[k].where & where) names[m++] = keys[k].name;
  char list[1024], hint[128];
  join(list, sizeof list, names, m);
  suggest(hint, sizeof hint, key, names, m);
  add_error(x, path, "unknown key (valid: %s)%s", list, hint);
}

/* ---------------------------------------------------- include/exclude */

static void parse_entry(ctx *x, const cJSON *obj, const char *path, int is_include, entry *e) {
  scopy(e->path, sizeof e->path, path);
  long before = x->problems;
  char got[128];
  if (!cJSON_IsObject(obj)) {
    describe(obj, got, sizeof got);
    add_error(x, path, "must be an object of matrix keys%s, got %s", is_include ? " and run settings" : "", got);
    return;
  }
  if (!obj->child) add_error(x, path, "is empty");
  for (const cJSON *kv = obj->child; kv; kv = kv->next) {
    char kpath[PATH_MAX_LEN];
    path_key(kpath, sizeof kpath, path, kv->string);
    int d = dim_index(kv->string), k;
    if (d >= 0) {
      if (!is_include && !x->has_dim[d]) {
        const char *have[ND];
        int m = 0;
        for (int i = 0; i < ND; i++)
          if (x->has_dim[i]) have[m++] = dim_names[i];
        char list[256];
        join(list, sizeof list, have, m);
        add_error(x, kpath, "exclude keys must be keys of the matrix (this matrix has: %s)", m ? list : "none");
        continue;
      }
      if (cJSON_IsArray(kv)) {
        add_error(x, kpath, "must be one value (an %s entry is one combination), got an array",
                  is_include ? "include" : "exclude");
        continue;
      }
      if (d == D_ATOMS && cJSON_IsObject(kv)) {
        add_error(x, kpath,
                  "must be a positive integer (per-system or per-device sizes belong in matrix.atoms), "
                  "got an object");
        continue;
      }
      if (parse_dim_value(x, d, kv, kpath, &e->d[d])) e->has[d] = 1;
    } else if (is_include && (k = key_index(kv->string, W_INCLUDE)) >= 0) {
      parse_setting(x, k, kv, kpath, &e->set);
    } else if (is_include) {
      unknown_key(x, kpath, kv->string, W_INCLUDE, dim_names, ND);
    } else {
      const char *have[ND];
      int m = 0;
      for (int i = 0; i < ND; i++)
        if (x->has_dim[i]) have[m++] = dim_names[i];
      char list[256], hint[128];
      join(list, sizeof list, have, m);
      suggest(hint, sizeof hint, kv->string, have, m);
      add_error(x, kpath, "unknown key (an exclude entry names matrix keys: %s)%s", m ? list : "none", hint);
    }
  }
  e->valid = x->problems == before;
}

static void parse_entries(ctx *x, const cJSON *node, const char *path, int is_include) {
  char got[128];
  if (!cJSON_IsArray(node)) {
    describe(node, got, sizeof got);
    add_error(x, path, "must be a list of objects, got %s", got);
    return;
  }
  int n = cJSON_GetArraySize(node);
  entry *arr = calloc((size_t)(n ? n : 1), sizeof *arr);
  if (!arr) {
    x->oom = 1;
    return;
  }
  int i = 0;
  for (const cJSON *it = node->child; it; it = it->next, i++) {
    char ipath[PATH_MAX_LEN];
    path_idx(ipath, sizeof ipath, path, i);
    parse_entry(x, it, ipath, is_include, &arr[i]);
  }
  if (is_include) {
    x->inc = arr;
    x->n_inc = n;
  } else {
    x->exc = arr;
    x->n_exc = n;
  }
}

/* ------------------------------------------------------- the document */

static void parse_matrix(ctx *x, const cJSON *m) {
  char got[128];
  if (!cJSON_IsObject(m)) {
    describe(m, got, sizeof got);
    add_error(x, "matrix",
              "must be an object with system, atoms, protocol, calculator, device, include, exclude; "
              "got %s",
              got);
    return;
  }
  x->has_matrix = 1;
  static const char *const valid[] = {"system", "atoms", "protocol", "calculator", "device", "include", "exclude"};
  for (const cJSON *kv = m->child; kv; kv = kv->next) {
    int d = dim_index(kv->string);
    if (d >= 0)
      x->has_dim[d] = 1;
    else if (strcmp(kv->string, "include") != 0 && strcmp(kv->string, "exclude") != 0) {
      char path[PATH_MAX_LEN], list[256], hint[128];
      path_key(path, sizeof path, "matrix", kv->string);
      join(list, sizeof list, valid, 7);
      suggest(hint, sizeof hint, kv->string, valid, 7);
      if (key_index(kv->string, W_BOTH) >= 0)
        add_error(x, path,
                  "run settings go at the top of the file (for all cases) or in an include entry (for "
                  "some), not in the matrix");
      else
        add_error(x, path, "unknown key (valid: %s)%s", list, hint);
    }
  }
  /* values first (atoms keys refer to the systems), then the entries */
  for (int d = 0; d < ND; d++) {
    if (d == D_ATOMS) continue;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(m, dim_names[d]);
    char path[PATH_MAX_LEN];
    path_key(path, sizeof path, "matrix", dim_names[d]);
    if (node) parse_dim_list(x, d, node, path);
  }
  x->atoms = cJSON_GetObjectItemCaseSensitive(m, "atoms");
  if (x->atoms) check_atoms(x, x->atoms, "matrix.atoms", 0);
  if (x->has_dim[D_DEVICE] && (x->top.set & (1u << key_index("device", W_TOP))))
    add_error(x, "device", "is also a matrix key; give devices in one place (matrix.device)");
  const cJSON *node;
  if ((node = cJSON_GetObjectItemCaseSensitive(m, "exclude"))) parse_entries(x, node, "matrix.exclude", 0);
  if ((node = cJSON_GetObjectItemCaseSensitive(m, "include"))) parse_entries(x, node, "matrix.include", 1);
  int any = 0;
  for (int d = 0; d < ND; d++) any |= x->has_dim[d];
  if (any && !x->has_dim[D_SYSTEM])
    add_error(x, "matrix", "has no \"system\" key (every case needs a system; valid: %s)", mdb_build_names());
}

/* Reports keys given twice in any object (JSON parsers keep one silently). */
static void check_duplicates(ctx *x, const cJSON *node, const char *path) {
  int i = 0;
  for (const cJSON *it = node->child; it; it = it->next, i++) {
    char cpath[PATH_MAX_LEN];
    if (cJSON_IsObject(node)) {
      path_key(cpath, sizeof cpath, path, it->string);
      for (const cJSON *prev = node->child; prev != it; prev = prev->next)
        if (strcmp(prev->string, it->string) == 0) {
          add_error(x, cpath, "is given twice in the same object");
          break;
        }
    } else {
      path_idx(cpath, sizeof cpath, path, i);
    }
    if (cJSON_IsObject(it) || cJSON_IsArray(it)) check_duplicates(x, it, cpath);
  }
}

static void parse_top(ctx *x, const cJSON *root) {
  char got[128];
  if (!cJSON_IsObject(root)) {
    describe(root, got, sizeof got);
    add_error(x, "", "the top level must be an object {\"matrix\": {...}, run settings...}, got %s", got);
    return;
  }
  check_duplicates(x, root, "");
  static const char *const extra[] = {"description", "matrix"};
  for (const cJSON *kv = root->child; kv; kv = kv->next) {
    char path[PATH_MAX_LEN];
    path_key(path, sizeof path, "", kv->string);
    int k;
    if (strcmp(kv->string, "description") == 0) {
      if (cJSON_IsString(kv))
        scopy(x->s->description, sizeof x->s->description, kv->valuestring);
      else {
        describe(kv, got, sizeof got);
        add_error(x, path, "must be a string, got %s", got);
      }
    } else if (strcmp(kv->string, "matrix") == 0) {
      continue;
    } else if ((k = key_index(kv->string, W_TOP)) >= 0) {
      parse_setting(x, k, kv, path, &x->top);
    } else if (dim_index(kv->string) >= 0 || strcmp(kv->string, "include") == 0 || strcmp(kv->string, "exclude") == 0) {
      add_error(x, path, "belongs inside \"matrix\"");
    } else if (key_index(kv->string, W_INCLUDE) >= 0) {
      add_error(x, path,
                "applies to one system: set it in an include entry, e.g. {\"system\": \"copper\", \"%s\": "
                "...}",
                kv->string);
    } else {
      unknown_key(x, path, kv->string, W_TOP, extra, 2);
    }
  }
  if (x->top.set & (1u << key_index("device", W_TOP))) scopy(x->top_device, sizeof x->top_device, x->top.v.device);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "matrix");
  if (!m)
    add_error(x, "matrix", "missing: a suite needs a \"matrix\" with at least \"system\" (see suites/README.md)");
  else
    parse_matrix(x, m);
}

/* ---------------------------------------------------------- expansion */

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
  case D_SYSTEM: scopy(c->system, sizeof c->system, v->v); break;
  case D_ATOMS: c->atoms = v->atoms; break;
  case D_PROTOCOL: scopy(c->protocol, sizeof c->protocol, v->v); break;
  case D_CALC: scopy(c->calc, sizeof c->calc, v->v[0] ? v->v : default_calc(x, c->system)); break;
  default: scopy(c->device, sizeof c->device, v->v); break;
  }
  scopy(c->path[d], sizeof c->path[d], v->path);
}

/* Whether combination c has value v for key d ("default" calculator: the system's). */
static int combo_has(ctx *x, const combo *c, int d, const val *v) {
  switch (d) {
  case D_SYSTEM: return strcmp(c->system, v->v) == 0;
  case D_ATOMS: return c->atoms == v->atoms;
  case D_PROTOCOL: return strcmp(c->protocol, v->v) == 0;
  case D_CALC: return strcmp(c->calc, v->v[0] ? v->v : default_calc(x, c->system)) == 0;
  default: return strcmp(c->device, v->v) == 0;
  }
}

static const char *default_device(ctx *x) { return x->top_device[0] ? x->top_device : "cpu"; }

/* The cross product, in the order system, atoms, protocol, calculator,
 * device; a size listed for one device only makes cases for that device. */
static void base_combos(ctx *x) {
  const vlist *S = &x->dims[D_SYSTEM], *P = &x->dims[D_PROTOCOL], *C = &x->dims[D_CALC], *D = &x->dims[D_DEVICE];
  val pdef = {.v = "NVE", .path = "matrix"}, cdef = {.v = "", .path = "matrix"}, ddef = {.path = "matrix"};
  scopy(ddef.v, sizeof ddef.v, default_device(x));
  int np = x->has_dim[D_PROTOCOL] ? P->n : 1, nc = x->has_dim[D_CALC] ? C->n : 1, nd = x->has_dim[D_DEVICE] ? D->n : 1;
  if (nd > 2) nd = 2;                                  /* values are unique and there are two devices */
  alist *all = calloc(3, sizeof *all), *per = all + 1; /* per[d]: the sizes for device d */
  if (!all) {
    x->oom = 1;
    return;
  }
  for (int s = 0; s < S->n && !x->oom; s++) {
    sysinfo *si = sysinfo_get(x, S->items[s].v);
    if (!si || !si->ok) continue;
    all->n = 0;
    for (int d = 0; d < nd; d++) {
      per[d].n = 0;
      atoms_for(x, x->atoms, "matrix.atoms", s, x->has_dim[D_DEVICE] ? D->items[d].v : ddef.v, &per[d]);
      for (int i = 0; i < per[d].n; i++) {
        if (per[d].v[i].n == 0) per[d].v[i].n = si->default_atoms;
        alist_add(all, per[d].v[i].n, per[d].v[i].path);
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
            scopy(cb->path[D_ATOMS], sizeof cb->path[D_ATOMS], here->path);
            combo_set(cb, D_PROTOCOL, x->has_dim[D_PROTOCOL] ? &P->items[p] : &pdef, x);
            combo_set(cb, D_CALC, x->has_dim[D_CALC] ? &C->items[c] : &cdef, x);
            combo_set(cb, D_DEVICE, x->has_dim[D_DEVICE] ? &D->items[d] : &ddef, x);
            scopy(cb->origin, sizeof cb->origin, "matrix");
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
    if (!ex->matched) add_note(x, "%s matches no combination of the matrix", ex->path);
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
      settings_merge(&c->own, &in->set);
      char tag[32];
      snprintf(tag, sizeof tag, "+include[%d]", e);
      if (strlen(c->origin) + strlen(tag) < sizeof c->origin) strcat(c->origin, tag);
    }
    if (in->matched) continue;
    if (!in->has[D_SYSTEM]) {
      add_error(x, in->path,
                "extends no combination of the matrix and cannot be a case of its own without "
                "\"system\"");
      continue;
    }
    combo *c = combo_new(x);
    if (!c) return;
    val pdef = {.v = "NVE", .path = ""}, cdef = {.v = "", .path = ""}, ddef = {.path = ""};
    scopy(ddef.v, sizeof ddef.v, default_device(x));
    scopy(pdef.path, sizeof pdef.path, in->path);
    scopy(cdef.path, sizeof cdef.path, in->path);
    scopy(ddef.path, sizeof ddef.path, in->path);
    combo_set(c, D_SYSTEM, &in->d[D_SYSTEM], x);
    combo_set(c, D_PROTOCOL, in->has[D_PROTOCOL] ? &in->d[D_PROTOCOL] : &pdef, x);
    combo_set(c, D_CALC, in->has[D_CALC] ? &in->d[D_CALC] : &cdef, x);
    combo_set(c, D_DEVICE, in->has[D_DEVICE] ? &in->d[D_DEVICE] : &ddef, x);
    if (in->has[D_ATOMS]) {
      combo_set(c, D_ATOMS, &in->d[D_ATOMS], x);
    } else {
      sysinfo *si = sysinfo_get(x, c->system);
      c->atoms = si && si->ok ? si->default_atoms : 0;
      scopy(c->path[D_ATOMS], sizeof c->path[D_ATOMS], in->path);
    }
    c->own = in->set;
    scopy(c->origin, sizeof c->origin, in->path);
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

static void system_slug(const char *system, char *out, size_t n) {
  mdb_suite_calc_slug(base_name(system), out, n);
  if (strlen(out) > SYSTEM_SLUG_MAX) {
    uint64_t h = fnv1a(system, strlen(system));
    snprintf(out + SYSTEM_SLUG_MAX - 9, n - (SYSTEM_SLUG_MAX - 9), "-%08x", (unsigned)(h >> 32));
  }
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
    add_note(x, "%s with %s: dropped %d case%s, the calculator does not apply: %s", base_name(p->system), slug,
             p->dropped, p->dropped == 1 ? "" : "s", p->msg);
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
  badcase *b = add_item(x, &x->bad, &x->nbad, sizeof *b);
  if (!b) return;
  scopy(b->origin, sizeof b->origin, origin);
  scopy(b->first_id, sizeof b->first_id, id);
  scopy(b->msg, sizeof b->msg, msg);
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
    sysinfo *si = sysinfo_get(x, cb->system);
    if (!si || !si->ok) continue;
    char why[1024];
    if (!size_ok(x, si, cb->atoms, why, sizeof why)) {
      int shared = x->has_dim[D_SYSTEM] && x->dims[D_SYSTEM].n > 1 && x->atoms &&
                   (cJSON_IsArray(x->atoms) || cJSON_IsNumber(x->atoms)) &&
                   strncmp(cb->path[D_ATOMS], "matrix.atoms", 12) == 0;
      add_error(x, cb->path[D_ATOMS], "%s%s", why,
                shared ? " (a plain list applies to every system: give sizes per system, e.g. "
                         "{\"silicon\": [64, 128], \"copper\": [108]})"
                       : "");
      continue;
    }
    calcinfo *ci = calcinfo_get(x, cb->calc);
    if (!ci) continue;
    if (ci->st) {
      add_error(x, cb->path[D_CALC], "%s", ci->msg);
      continue;
    }
    pairinfo *pi = pair_get(x, si, 0, ci->canon);
    if (!pi) continue;
    if (pi->st && strncmp(ci->canon, "ase:", 4) == 0) { /* the worker models any species: its failure is an error */
      add_error(x, cb->path[D_CALC], "%s", pi->msg);
      continue;
    }
    if (pi->st) {
      pi->dropped++;
      continue;
    }
    if (pi->cut_st && cb->atoms == si->default_atoms) { /* other sizes: their own cell, checked below */
      if (!pi->cut_reported++) add_error(x, cb->path[D_CALC], "%s on %s: %s", ci->canon, base_name(si->name), pi->msg);
      continue;
    }
    if (cb->atoms != si->default_atoms && cb->atoms <= PROBE_ATOMS && !si->is_file) {
      pairinfo *ps = pair_get(x, si, cb->atoms, ci->canon);
      if (ps && (ps->st || ps->cut_st)) {
        add_error(x, cb->path[D_ATOMS], "%s with %d atoms cannot run %s: %s", base_name(si->name), cb->atoms, ci->canon,
                  ps->msg);
        continue;
      }
    }
    mdb_suite_case *sc = &s->cases[s->n_cases];
    memset(sc, 0, sizeof *sc);
    mdb_case *c = &sc->c;
    mdb_case_defaults(c);
    scopy(c->system, sizeof c->system, cb->system);
    c->n_atoms = cb->atoms;
    scopy(c->protocol, sizeof c->protocol, cb->protocol);
    scopy(c->calculator, sizeof c->calculator, ci->canon);
    settings_apply(c, &x->top, &cb->own);
    char sys_slug[SYSTEM_SLUG_MAX + 1], calc_slug[CALC_SLUG_MAX + 1];
    system_slug(cb->system, sys_slug, sizeof sys_slug);
    mdb_suite_calc_slug(ci->canon, calc_slug, sizeof calc_slug);
    snprintf(sc->id, sizeof sc->id, "%s_%d_%s_%s_%s", sys_slug, cb->atoms, cb->protocol, calc_slug, cb->device);
    /* resolve as the cpu twin: this build's registry knows cpu backends only */
    scopy(c->device, sizeof c->device, "cpu");
    mdb_err err = {0};
    if (mdb_case_resolve(c, &err)) {
      char msg[1024];
      flags_to_keys(err.msg, msg, sizeof msg);
      bad_case(x, cb->origin, sc->id, msg);
      continue;
    }
    scopy(c->device, sizeof c->device, cb->device);
    sc->hash = mdb_suite_case_hash(c);
    snprintf(sc->hash_hex, sizeof sc->hash_hex, "%016llx", (unsigned long long)sc->hash);
    sc->cost = (double)c->n_atoms * ((double)c->n_steps + c->warmup_steps) * mdb_suite_calc_cost_factor(c->calculator);
    scopy(sc->origin, sizeof sc->origin, cb->origin);
    int dup = -1;
    for (int j = 0; j < s->n_cases && dup < 0; j++)
      if (s->cases[j].hash == sc->hash && strcmp(s->cases[j].id, sc->id) == 0) dup = j;
    if (dup >= 0) {
      add_note(x, "%s repeats case %s (from %s): kept once", cb->origin, sc->id, s->cases[dup].origin);
      continue;
    }
    if (id_taken(s, sc->id)) {
      char base[MDB_CASE_ID_MAX];
      scopy(base, sizeof base, sc->id);
      for (int k = 2;; k++) {
        char cand[MDB_CASE_ID_MAX + 16];
        snprintf(cand, sizeof cand, "%.*s-%d", MDB_CASE_ID_MAX - 12, base, k);
        if (!id_taken(s, cand)) {
          scopy(sc->id, sizeof sc->id, cand);
          break;
        }
      }
      add_note(x, "case %s (from %s) differs from %s in settings the id does not show: renamed %s", base, cb->origin,
               base, sc->id);
    }
    s->n_cases++;
  }
  note_dropped(x);
  for (int i = 0; i < x->nbad; i++) {
    badcase *b = x->bad[i];
    if (b->count == 1)
      add_error(x, b->origin, "case %s: %s", b->first_id, b->msg);
    else
      add_error(x, b->origin, "cases %s and %d more: %s", b->first_id, b->count - 1, b->msg);
  }
}

static void ctx_free(ctx *x) {
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

/* --------------------------------------------------------- JSON errors */

static void json_error(ctx *x, const char *text, const char *at) {
  size_t pos = (size_t)(at - text);
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos; i++)
    if (text[i] == '\n') line++, line_start = i + 1;
  int col = (int)(pos - line_start) + 1;
  char near[48] = "";
  size_t k = 0;
  for (const char *p = at; *p && *p != '\n' && k < 24; p++) near[k++] = *p == '\t' ? ' ' : *p;
  near[k] = 0;
  const char *prev = at;
  while (prev > text && isspace((unsigned char)prev[-1])) prev--;
  char before = prev > text ? prev[-1] : 0;
  const char *hint = "";
  if ((*at == '}' || *at == ']') && before == ',')
    hint = " (a comma before a closing bracket is not JSON)";
  else if (*at == '/' || *at == '#')
    hint = " (JSON has no comments; a \"description\" key can hold text)";
  else if (*at == '\'')
    hint = " (JSON strings take double quotes)";
  else if (*at == '"' && before && strchr("\"0123456789el}]", before))
    hint = " (a missing comma?)";
  char where[64];
  snprintf(where, sizeof where, "line %d, column %d", line, col);
  if (!*at)
    add_error(x, where, "invalid JSON: the file ends early (an unclosed bracket, brace or string?)");
  else
    add_error(x, where, "invalid JSON near '%s'%s", near, hint);
}

/* ---------------------------------------------------------- public API */

mdb_status mdb_suite_parse(const char *text, const char *label, const char *base_dir, mdb_suite *out,
                           mdb_suite_errors *errs) {
  memset(out, 0, sizeof *out);
  memset(errs, 0, sizeof *errs);
  ctx x;
  memset(&x, 0, sizeof x);
  x.label = label ? label : "suite";
  x.base_dir = base_dir;
  x.errs = errs;
  x.s = out;
  const char *name = base_name(x.label);
  size_t nlen = strlen(name);
  if (ends_with(name, ".json")) nlen -= 5;
  snprintf(out->name, sizeof out->name, "%.*s", (int)(nlen < sizeof out->name ? nlen : sizeof out->name - 1), name);

  const char *start = text;
  if ((unsigned char)start[0] == 0xEF && (unsigned char)start[1] == 0xBB && (unsigned char)start[2] == 0xBF) start += 3;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithOpts(start, &end, 1);
  if (!root) {
    if (!*start)
      add_error(&x, "", "the file is empty (a suite is a JSON object with a \"matrix\")");
    else
      json_error(&x, text, end ? end : start);
    return errs->code;
  }
  parse_top(&x, root);
  if (x.has_matrix && !x.oom) {
    base_combos(&x);
    apply_excludes(&x);
    apply_includes(&x);
    build_cases(&x);
  }
  if (!x.oom && errs->code == MDB_OK && out->n_cases == 0) {
    int excluded = 0, dropped = 0;
    const char *why = "";
    for (int i = 0; i < x.ncombo; i++) excluded += x.combos[i].dead;
    for (int i = 0; i < x.npair; i++) {
      const pairinfo *p = x.pairs[i];
      if (p->dropped) {
        if (!dropped) why = p->msg;
        dropped += p->dropped;
      }
    }
    add_error(&x, "matrix", "expands to no cases (%d excluded, %d dropped because the calculator does not apply%s%s)",
              excluded, dropped, *why ? ": " : "", why);
  }
  if (x.oom) {
    add_msg(&x, MDB_ENOMEM, "out of memory while expanding the suite");
    errs->code = MDB_ENOMEM;
  }
  ctx_free(&x);
  cJSON_Delete(root);
  if (errs->code != MDB_OK) {
    mdb_status st = errs->code;
    mdb_suite_free(out);
    return st;
  }
  return MDB_OK;
}

/* Reads a whole suite file into *text (caller frees); msg says why not. */
static mdb_status read_text(const char *path, char **text, char *msg, size_t len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(msg, len, "%s: cannot read the suite file: %s", path, strerror(errno));
    return MDB_EIO;
  }
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  mdb_status st = MDB_OK;
  if (size > SUITE_FILE_MAX) {
    snprintf(msg, len, "%s: the file is larger than %d MB; a suite file is a few kB", path, SUITE_FILE_MAX >> 20);
    st = MDB_EINPUT;
  } else if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
    snprintf(msg, len, "%s: cannot read the suite file (not a regular file?)", path);
    st = MDB_EIO;
  } else if (!(*text = malloc((size_t)size + 1))) {
    snprintf(msg, len, "%s: out of memory reading %ld bytes", path, size);
    st = MDB_ENOMEM;
  } else if (fread(*text, 1, (size_t)size, f) != (size_t)size) {
    snprintf(msg, len, "%s: cannot read the suite file: %s", path, strerror(errno));
    st = MDB_EIO;
  } else {
    (*text)[size] = 0;
    if (strlen(*text) != (size_t)size) {
      snprintf(msg, len, "%s: contains a NUL byte; a suite file is JSON text", path);
      st = MDB_EINPUT;
    }
  }
  fclose(f);
  if (st) {
    free(*text);
    *text = NULL;
  }
  return st;
}

static mdb_status load_fail(mdb_suite_errors *errs, mdb_status code, const char *msg) {
  errs->code = code;
  if (!strs_push(&errs->msg, &errs->n, msg)) errs->n_more++;
  return code;
}

mdb_status mdb_suite_load(const char *name_or_path, const char *suites_dir, mdb_suite *out, mdb_suite_errors *errs) {
  memset(out, 0, sizeof *out);
  memset(errs, 0, sizeof *errs);
  char path[4096], label[4096], msg[4400];
  if (strchr(name_or_path, '/') || ends_with(name_or_path, ".json")) {
    snprintf(path, sizeof path, "%s", name_or_path);
    snprintf(label, sizeof label, "%s", name_or_path);
  } else {
    int known = 0;
    for (int i = 0; i < 3; i++) known |= strcmp(name_or_path, suite_names[i]) == 0;
    if (!known) {
      char hint[128];
      suggest(hint, sizeof hint, name_or_path, suite_names, 3);
      snprintf(msg, sizeof msg, "unknown suite '%s' (valid: " MDB_SUITE_NAMES ", or a path to a .json suite file)%s",
               name_or_path, hint);
      return load_fail(errs, MDB_EINPUT, msg);
    }
    if (!suites_dir || !*suites_dir) {
      snprintf(msg, sizeof msg, "suite '%s': no suites directory was given to look in", name_or_path);
      return load_fail(errs, MDB_EIO, msg);
    }
    snprintf(path, sizeof path, "%s/%s.json", suites_dir, name_or_path);
    snprintf(label, sizeof label, "%s.json", name_or_path);
  }
  char *text = NULL;
  mdb_status st = read_text(path, &text, msg, sizeof msg);
  if (st) return load_fail(errs, st, msg);
  char dir[4096]; /* relative .xyz paths start from the suite file's folder */
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
  st = mdb_suite_parse(text, label, dir, out, errs);
  free(text);
  if (st == MDB_OK) snprintf(out->path, sizeof out->path, "%s", path);
  return st;
}

void mdb_suite_free(mdb_suite *s) {
  if (!s) return;
  free(s->cases);
  strs_free(s->notes, s->n_notes);
  memset(s, 0, sizeof *s);
}

void mdb_suite_errors_free(mdb_suite_errors *errs) {
  if (!errs) return;
  strs_free(errs->msg, errs->n);
  memset(errs, 0, sizeof *errs);
}

void mdb_suite_errors_print(const mdb_suite_errors *errs, const char *prefix, FILE *to) {
  for (int i = 0; i < errs->n; i++) fprintf(to, "%s%s\n", prefix ? prefix : "", errs->msg[i]);
  if (errs->n_more) fprintf(to, "%s... and %d more\n", prefix ? prefix : "", errs->n_more);
}

/* ------------------------------------------------------------- filter */

enum { FK_SYSTEM, FK_ATOMS, FK_PROTOCOL, FK_CALC, FK_DEVICE, FK_ID, NFK };
static const char *const filter_keys[NFK] = {"system", "atoms", "protocol", "calculator", "device", "id"};

/* A case's value for a filter key as ids show it (system, calculator) or as is. */
static void case_value(const mdb_case *c, int key, char *buf, size_t n) {
  switch (key) {
  case FK_SYSTEM: system_slug(c->system, buf, n); break;
  case FK_ATOMS: snprintf(buf, n, "%d", c->n_atoms); break;
  case FK_PROTOCOL: scopy(buf, n, c->protocol); break;
  case FK_CALC: mdb_suite_calc_slug(c->calculator, buf, n); break;
  default: scopy(buf, n, c->device); break;
  }
}

static int filter_match(const mdb_suite_case *sc, int key, const char *value) {
  const mdb_case *c = &sc->c;
  char buf[MDB_SPEC_TEXT_MAX];
  switch (key) {
  case FK_SYSTEM:
    system_slug(c->system, buf, sizeof buf);
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
  scopy(buf, sizeof buf, filter);
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
      suggest(hint, sizeof hint, tok, filter_keys, NFK);
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

void mdb_suite_print_plan(const mdb_suite *s, FILE *to) {
  int w = 4;
  for (int i = 0; i < s->n_cases; i++) {
    int len = (int)strlen(s->cases[i].id);
    if (len > w) w = len;
  }
  fprintf(to, "suite %s: %d case%s\n", s->name, s->n_cases, s->n_cases == 1 ? "" : "s");
  fprintf(to, "%5s  %-*s  %12s  %s\n", "#", w, "case", "cost", "hash");
  for (int i = 0; i < s->n_cases; i++)
    fprintf(to, "%5d  %-*s  %12.4g  %s\n", i + 1, w, s->cases[i].id, s->cases[i].cost, s->cases[i].hash_hex);
  for (int i = 0; i < s->n_notes; i++) fprintf(to, "note: %s\n", s->notes[i]);
}

typedef struct ranked {
  double cost;
  int index;
} ranked;

static int ranked_cmp(const void *pa, const void *pb) {
  const ranked *a = pa, *b = pb;
  if (a->cost != b->cost) return a->cost > b->cost ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

void mdb_suite_order_by_cost(const mdb_suite *s, int *order) {
  ranked *r = malloc((size_t)(s->n_cases ? s->n_cases : 1) * sizeof *r);
  if (!r) { /* stable fallback: insertion sort in place */
    for (int i = 0; i < s->n_cases; i++) {
      int j = i;
      for (; j > 0 && s->cases[order[j - 1]].cost < s->cases[i].cost; j--) order[j] = order[j - 1];
      order[j] = i;
    }
    return;
  }
  for (int i = 0; i < s->n_cases; i++) r[i] = (ranked){s->cases[i].cost, i};
  qsort(r, (size_t)s->n_cases, sizeof *r, ranked_cmp);
  for (int i = 0; i < s->n_cases; i++) order[i] = r[i].index;
  free(r);
}

/* ------------------------------------------------- keys, slugs, costs */

int mdb_suite_case_key(const mdb_case *c, char *buf, size_t len) {
  /* precision joins the key only when it is not the default, so the keys
   * (and hashes, and --resume) of every double-precision case stay as they were */
  const int mixed = strcmp(c->precision, "mixed") == 0;
  return snprintf(buf, len,
                  "mdbench-case-v1\n"
                  "system=%s\nn_atoms=%d\nlattice_A=%.17g\n"
                  "protocol=%s\nthermostat=%s\ntdamp_fs=%.17g\npdamp_fs=%.17g\npressure_bar=%.17g\npressure_set=%d\n"
                  "chain=%d\ncalculator=%s\ndevice=%s\n"
                  "n_steps=%d\nwarmup_steps=%d\ntimestep_fs=%.17g\ntemperature_K=%.17g\nseed=%llu\n"
                  "energy_interval=%d\nmemory_interval=%d\nskin_A=%.17g\n%s",
                  c->system, c->n_atoms, c->lattice_A, c->protocol, c->thermostat, c->tdamp_fs, c->pdamp_fs,
                  c->pressure_bar, c->pressure_set, c->chain, c->calculator, c->device, c->n_steps, c->warmup_steps,
                  c->timestep_fs, c->temperature_K, (unsigned long long)c->seed, c->energy_interval, c->memory_interval,
                  c->skin_A, mixed ? "precision=mixed\n" : "");
}

uint64_t mdb_suite_case_hash(const mdb_case *c) {
  char buf[4096];
  int n = mdb_suite_case_key(c, buf, sizeof buf);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  return fnv1a(buf, (size_t)n);
}

static void slug_append(char *out, size_t n, size_t *o, const char *s, size_t len) {
  for (size_t i = 0; i < len && *o + 1 < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    out[(*o)++] = isalnum(ch) || ch == '.' || ch == '_' || ch == '-' ? (char)ch : '-';
  }
  out[*o] = 0;
}

void mdb_suite_calc_slug(const char *spec, char *buf, size_t len) {
  if (!len) return;
  mdb_calc_spec parsed;
  if (mdb_calc_spec_parse(spec, &parsed, NULL) == MDB_OK && parsed.label[0]) { /* label=NAME names it */
    scopy(buf, len, parsed.label);
    return;
  }
  char tmp[MDB_SPEC_TEXT_MAX * 2];
  size_t o = 0;
  tmp[0] = 0;
  size_t nl = strcspn(spec, ":");
  slug_append(tmp, sizeof tmp, &o, spec, nl);
  const char *p = spec[nl] ? spec + nl + 1 : spec + nl;
  while (*p) {
    size_t tl = strcspn(p, ",");
    const char *eq = memchr(p, '=', tl);
    slug_append(tmp, sizeof tmp, &o, "-", 1);
    if (eq) {
      size_t kl = (size_t)(eq - p), vl = tl - kl - 1;
      const char *v = eq + 1;
      const char *slash = NULL;
      for (size_t i = 0; i < vl; i++)
        if (v[i] == '/') slash = v + i;
      if (slash || (kl == 4 && strncmp(p, "file", 4) == 0)) { /* a file: its name says enough */
        const char *b = slash ? slash + 1 : v;
        slug_append(tmp, sizeof tmp, &o, b, (size_t)(v + vl - b));
      } else {
        slug_append(tmp, sizeof tmp, &o, p, kl);
        slug_append(tmp, sizeof tmp, &o, "-", 1);
        slug_append(tmp, sizeof tmp, &o, v, vl);
      }
    } else {
      slug_append(tmp, sizeof tmp, &o, p, tl);
    }
    p += tl;
    if (*p == ',') p++;
  }
  size_t cap = len - 1 < CALC_SLUG_MAX ? len - 1 : CALC_SLUG_MAX;
  if (o > cap && cap > 9) {
    uint64_t h = fnv1a(spec, strlen(spec));
    snprintf(tmp + cap - 9, sizeof tmp - (cap - 9), "-%08x", (unsigned)(h >> 32));
  }
  scopy(buf, len, tmp);
}

/* µs per atom-step on one core at 2048 atoms (Release build): lj argon 0.34,
 * sw silicon 0.26, eam built-in Zhou copper 3.7, eam Cu_u3.eam 0.24, spcfw
 * water 8.1. Only the ratios matter: they order cases largest first. */
double mdb_suite_calc_cost_factor(const char *spec) {
  size_t nl = strcspn(spec, ":");
  int has_file = strstr(spec, "file=") != NULL;
  if (nl == 3 && strncmp(spec, "eam", 3) == 0) return has_file ? 0.7 : 11.0;
  if (nl == 5 && strncmp(spec, "spcfw", 5) == 0) return 24.0;
  if (nl == 2 && strncmp(spec, "sw", 2) == 0) return 0.8;
  return 1.0;
}

const char *mdb_suite_dir(const char *given, const char *source_dir, char *buf, size_t len) {
  if (given) return given;
  const char *env = getenv("MDBENCH_SUITES");
  if (env && *env) return env;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      snprintf(buf, len, "%s/../share/mdbench/suites", exe);
      if (access(buf, R_OK) == 0) return buf;
    }
  }
  return source_dir;
}
