/*
 * suite_keys.c — the table of suite keys (suite_keys.h) and what is built
 * from it: run settings applied to a case, the case key and its --resume
 * hash; and the other names a case goes by: the file-safe slugs in case ids
 * and the relative cost a scheduler orders cases by.
 *
 * The case key is "mdbench-case-v1" and one "field=value" line per hashed
 * row, in hash_seq order (numbers with 17 significant digits). Its text is
 * the same as before the table existed, so results stored by earlier
 * versions keep their hashes and --resume still finds them.
 */
#include "suite/suite_keys.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "calc/calc.h"
#include "core/strutil.h"
#include "md/md.h"
#include "suite/suite_impl.h"

/* ------------------------------------------------------------ the table */

static const char *device_hint(const char *name) {
  if (strcasecmp(name, "gpu") == 0 || strcasecmp(name, "nvidia") == 0) return "; NVIDIA GPUs are 'cuda'";
  if (strcasecmp(name, "cpu") == 0 || strcasecmp(name, "cuda") == 0) return "; names are lower case";
  return "";
}

static int check_device(const char *s, char *msg, size_t len) {
  if (suite_is_device(s)) return 1;
  snprintf(msg, len, "unknown device '%s' (valid: " MDB_SUITE_DEVICES ")%s", s, device_hint(s));
  return 0;
}

static int check_thermostat(const char *s, char *msg, size_t len) {
  mdb_thermostat t;
  mdb_err err = {0};
  if (mdb_thermostat_parse(s, &t, &err) == MDB_OK) return 1;
  snprintf(msg, len, "%s", err.msg);
  return 0;
}

static int check_precision(const char *s, char *msg, size_t len) {
  if (strcmp(s, "double") == 0 || strcmp(s, "mixed") == 0) return 1;
  snprintf(msg, len, "unknown precision '%s' (valid: double, mixed)", s);
  return 0;
}

enum { P_NVE = MDB_SK_NVE, P_NVT = MDB_SK_NVT, P_NPT = MDB_SK_NPT, P_ALL = MDB_SK_ALL };
enum { TOP = MDB_SK_TOP, INC = MDB_SK_INCLUDE, BOTH = MDB_SK_SETTING, MAT = MDB_SK_MATRIX };

#define F(field) #field, offsetof(mdb_case, field), sizeof(((mdb_case *)0)->field)
#define INT(name, field, lo, scope, where, seq) \
  { name, F(field), MDB_SK_INT, where, scope, lo, 0, NULL, NULL, seq, NULL }
#define DBL(name, field, lo, open, scope, where, seq) \
  { name, F(field), MDB_SK_DBL, where, scope, lo, open, NULL, NULL, seq, NULL }
#define STR(name, field, scope, where, what, check, seq, omit) \
  { name, F(field), MDB_SK_STR, where, scope, 0, 0, what, check, seq, omit }
/* Settings first, in the order messages list them; the matrix keys and
 * derived fields after. hash_seq numbers are the case key's line order. */
const mdb_suite_key mdb_suite_keys[] = {
    INT("steps", n_steps, 1, P_ALL, BOTH, 13),
    INT("warmup", warmup_steps, 0, P_ALL, BOTH, 14),
    DBL("timestep_fs", timestep_fs, 0, 1, P_ALL, BOTH, 15),
    DBL("temperature_K", temperature_K, 0, 0, P_ALL, BOTH, 16),
    DBL("pressure_bar", pressure_bar, -INFINITY, 0, P_NPT, BOTH, 8),
    INT("energy_interval", energy_interval, 1, P_ALL, BOTH, 18),
    INT("memory_interval", memory_interval, 1, P_ALL, BOTH, 19),
    {"seed", F(seed), MDB_SK_SEED, BOTH, P_ALL, 0, 0, NULL, NULL, 17, NULL},
    DBL("skin_A", skin_A, 0, 0, P_ALL, BOTH, 20),
    STR("thermostat", thermostat, P_NVT | P_NPT, BOTH, "a thermostat (" MDB_THERMOSTAT_NAMES ")", check_thermostat, 5,
        NULL),
    DBL("tdamp_fs", tdamp_fs, 0, 1, P_NVT | P_NPT, BOTH, 6),
    DBL("pdamp_fs", pdamp_fs, 0, 1, P_NPT, BOTH, 7),
    INT("chain", chain, 1, P_NVT | P_NPT, BOTH, 10),
    DBL("lattice_A", lattice_A, 0, 1, P_ALL, INC, 3),
    STR("device", device, P_ALL, TOP | MAT, "a device (" MDB_SUITE_DEVICES ")", check_device, 12, NULL),
    /* only "mixed" (cuda) is written, so every double-precision case keeps its hash */
    STR("precision", precision, P_ALL, BOTH, "a precision (double, mixed)", check_precision, 21, "double"),
    /* matrix keys (suite_parse.c reads them) */
    STR("system", system, P_ALL, MAT, NULL, NULL, 1, NULL),
    INT("atoms", n_atoms, 1, P_ALL, MAT, 2),
    STR("protocol", protocol, P_ALL, MAT, NULL, NULL, 4, NULL),
    STR("calculator", calculator, P_ALL, MAT, NULL, NULL, 11, NULL),
    /* set with pressure_bar */
    INT("pressure_set", pressure_set, 0, P_ALL, 0, 9),
};
#undef STR
#undef DBL
#undef INT
#undef F
const int mdb_suite_n_keys = (int)(sizeof mdb_suite_keys / sizeof mdb_suite_keys[0]);

int mdb_suite_key_index(const char *name, int where) {
  for (int k = 0; k < mdb_suite_n_keys; k++)
    if ((mdb_suite_keys[k].where & where) && strcmp(mdb_suite_keys[k].name, name) == 0) return k;
  return -1;
}

/* ------------------------------------------------------- run settings */

void suite_settings_copy_key(mdb_case *dst, const mdb_case *src, int k) {
  const mdb_suite_key *kd = &mdb_suite_keys[k];
  memcpy((char *)dst + kd->off, (const char *)src + kd->off, kd->size);
  if (strcmp(kd->name, "pressure_bar") == 0) dst->pressure_set = 1;
}

void suite_settings_merge(settings *dst, const settings *src) {
  for (int k = 0; k < mdb_suite_n_keys; k++)
    if (src->set & (1u << k)) {
      suite_settings_copy_key(&dst->v, &src->v, k);
      dst->set |= 1u << k;
    }
}

static unsigned protocol_bit(const char *p) {
  return strcmp(p, "NVT") == 0 ? P_NVT : strcmp(p, "NPT") == 0 ? P_NPT : P_NVE;
}

/* A top-level chain length applies only where the case's thermostat is a
 * Nosé–Hoover chain; a top-level device is the matrix's default device. */
void suite_settings_apply(mdb_case *c, const settings *top, const settings *own) {
  unsigned pbit = protocol_bit(c->protocol);
  int chain = mdb_suite_key_index("chain", BOTH), device = mdb_suite_key_index("device", TOP);
  for (int k = 0; k < mdb_suite_n_keys; k++)
    if ((top->set & (1u << k)) && (mdb_suite_keys[k].scope & pbit) && k != chain && k != device)
      suite_settings_copy_key(c, &top->v, k);
  for (int k = 0; k < mdb_suite_n_keys; k++)
    if (own->set & (1u << k)) suite_settings_copy_key(c, &own->v, k);
  if ((top->set & (1u << chain)) && !(own->set & (1u << chain)) && (mdb_suite_keys[chain].scope & pbit) &&
      (!c->thermostat[0] || strcmp(c->thermostat, "nhc") == 0))
    c->chain = top->v.chain;
  /* a chain length means a Nosé–Hoover chain, the default thermostat anyway */
  if (c->chain && !c->thermostat[0] && pbit != P_NVE) memcpy(c->thermostat, "nhc", 4);
}

/* --------------------------------------------------- case key and hash */

/* snprintf at buf + *o that keeps counting past the end (snprintf convention). */
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(*o < len ? buf + *o : NULL, *o < len ? len - *o : 0, fmt, ap);
  va_end(ap);
  if (n > 0) *o += (size_t)n;
}

/* "field=value\n", or nothing when the value is the row's hash_omit (or an
 * empty string in a row that has one). */
static void key_line(const mdb_case *c, const mdb_suite_key *kd, char *buf, size_t len, size_t *o) {
  const char *p = (const char *)c + kd->off;
  char v[MDB_SPEC_TEXT_MAX];
  switch (kd->type) {
  case MDB_SK_INT: snprintf(v, sizeof v, "%d", *(const int *)(const void *)p); break;
  case MDB_SK_SEED: snprintf(v, sizeof v, "%llu", (unsigned long long)*(const uint64_t *)(const void *)p); break;
  case MDB_SK_DBL: snprintf(v, sizeof v, "%.17g", *(const double *)(const void *)p); break;
  case MDB_SK_STR: mdb_str_copy(v, sizeof v, p); break;
  }
  if (kd->hash_omit && (strcmp(v, kd->hash_omit) == 0 || (kd->type == MDB_SK_STR && !v[0]))) return;
  put(buf, len, o, "%s=%s\n", kd->field, v);
}

int mdb_suite_case_key(const mdb_case *c, char *buf, size_t len) {
  size_t o = 0;
  if (len) buf[0] = 0;
  put(buf, len, &o, "mdbench-case-v1\n");
  for (int seq = 1;; seq++) {
    int k = 0;
    while (k < mdb_suite_n_keys && mdb_suite_keys[k].hash_seq != seq) k++;
    if (k == mdb_suite_n_keys) break;
    key_line(c, &mdb_suite_keys[k], buf, len, &o);
  }
  return (int)o;
}

uint64_t mdb_suite_case_hash(const mdb_case *c) {
  char buf[4096];
  int n = mdb_suite_case_key(c, buf, sizeof buf);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  return mdb_fnv1a(buf, (size_t)n);
}

/* -------------------------------------------------------------- slugs */

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
    mdb_str_copy(buf, len, parsed.label);
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
    uint64_t h = mdb_fnv1a(spec, strlen(spec));
    snprintf(tmp + cap - 9, sizeof tmp - (cap - 9), "-%08x", (unsigned)(h >> 32));
  }
  mdb_str_copy(buf, len, tmp);
}

void suite_system_slug(const char *system, char *out, size_t n) {
  mdb_suite_calc_slug(mdb_str_basename(system), out, n);
  if (strlen(out) > SYSTEM_SLUG_MAX) {
    uint64_t h = mdb_fnv1a(system, strlen(system));
    snprintf(out + SYSTEM_SLUG_MAX - 9, n - (SYSTEM_SLUG_MAX - 9), "-%08x", (unsigned)(h >> 32));
  }
}

/* -------------------------------------------------------------- costs */

/* The calculator's own estimate (mdb_calc_ops.cost); 1 for a calculator
 * without one or a spec that does not parse. */
double mdb_suite_calc_cost_factor(const char *spec) {
  mdb_calc_spec parsed;
  if (mdb_calc_spec_parse(spec, &parsed, NULL) != MDB_OK) return 1.0;
  for (int i = 0; i < mdb_calc_registry_count(); i++) {
    const mdb_calc_ops *ops = mdb_calc_registry_at(i);
    if (strcmp(ops->name, parsed.name) == 0) return ops->cost ? ops->cost(&parsed) : 1.0;
  }
  return 1.0;
}
