/*
 * suite_parse.c — reads a suite document and checks every key and value
 * (type, range, name, lattice size) without stopping at the first problem:
 * the run settings through the key table (suite_keys.h), the matrix values
 * (system, atoms, protocol, calculator, device), the include and exclude
 * entries. Each problem names the file and the JSON path of the bad key;
 * an unknown name comes with the valid ones and a "did you mean".
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "core/strutil.h"
#include "md/md.h"
#include "suite/suite_impl.h"

const char *const suite_dim_names[ND] = {"system", "atoms", "protocol", "calculator", "device"};

int suite_is_device(const char *s) { return strcmp(s, "cpu") == 0 || strcmp(s, "cuda") == 0; }

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

static void path_idx(char *out, size_t n, const char *parent, int i) {
  if (snprintf(out, n, "%s[%d]", parent, i) < 0) out[0] = 0;
}

static int want_string(ctx *x, const cJSON *node, const char *path, const char *what) {
  if (cJSON_IsString(node) && node->valuestring[0]) return 1;
  char got[128];
  describe(node, got, sizeof got);
  suite_add_error(x, path, "must be %s, got %s", what, got);
  return 0;
}

static int parse_system(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a system name (silicon, copper, aluminum, argon, water) or an .xyz path")) return 0;
  const char *s = node->valuestring;
  mdb_str_copy(out->raw, sizeof out->raw, s);
  if (mdb_build_known(s)) {
    mdb_str_copy(out->v, sizeof out->v, s);
    return 1;
  }
  if (mdb_str_ends_with(s, ".xyz")) {
    char full[MDB_SPEC_TEXT_MAX];
    if (s[0] == '/' || !x->base_dir || !x->base_dir[0])
      snprintf(full, sizeof full, "%s", s);
    else
      snprintf(full, sizeof full, "%s/%s", x->base_dir, s);
    if (strlen(full) >= sizeof((mdb_case *)0)->system) {
      suite_add_error(x, path, "the path %s is longer than %zu characters", s, sizeof((mdb_case *)0)->system - 1);
      return 0;
    }
    sysinfo *si = suite_sysinfo(x, full);
    if (si && !si->ok) {
      suite_add_error(x, path, "%s", si->msg);
      return 0;
    }
    mdb_str_copy(out->v, sizeof out->v, full);
    return 1;
  }
  static const char *const builtin[] = {"silicon", "copper", "aluminum", "argon", "water"};
  char hint[128];
  mdb_suggest(hint, sizeof hint, s, builtin, 5);
  suite_add_error(x, path, "unknown system '%s' (valid: %s, or a path ending in .xyz)%s", s, mdb_build_names(), hint);
  return 0;
}

static int parse_protocol(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a protocol (" MDB_PROTOCOL_NAMES ")")) return 0;
  mdb_protocol p;
  mdb_err err = {0};
  if (mdb_protocol_parse(node->valuestring, &p, &err)) {
    static const char *const names[] = {"NVE", "NVT", "NPT"};
    char hint[128];
    mdb_suggest(hint, sizeof hint, node->valuestring, names, 3);
    suite_add_error(x, path, "%s%s", err.msg, hint);
    return 0;
  }
  mdb_str_copy(out->raw, sizeof out->raw, node->valuestring);
  mdb_str_copy(out->v, sizeof out->v, mdb_protocol_name(p));
  return 1;
}

static int parse_device(ctx *x, const cJSON *node, const char *path, val *out) {
  if (!want_string(x, node, path, "a device (" MDB_SUITE_DEVICES ")")) return 0;
  char msg[256];
  const mdb_suite_key *dev = &mdb_suite_keys[mdb_suite_key_index("device", MDB_SK_MATRIX)];
  if (!dev->check(node->valuestring, msg, sizeof msg)) {
    suite_add_error(x, path, "%s", msg);
    return 0;
  }
  mdb_str_copy(out->raw, sizeof out->raw, node->valuestring);
  mdb_str_copy(out->v, sizeof out->v, node->valuestring);
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
      suite_add_error(x, path,
                      "a calculator object needs \"name\" (one of %s), e.g. {\"name\": \"eam\", \"file\": "
                      "\"Cu_u3.eam\"}",
                      mdb_calc_names());
      return 0;
    }
    if (!want_string(x, name, npath, "a calculator name")) return 0;
    int ok = 1, np = 0;
    size_t len = (size_t)snprintf(text, sizeof text, "%s", name->valuestring);
    if (strpbrk(name->valuestring, ":,= ")) {
      suite_add_error(x, npath, "a calculator name cannot contain ':', ',', '=' or spaces, got \"%s\"",
                      name->valuestring);
      ok = 0;
    }
    for (const cJSON *kv = node->child; kv; kv = kv->next) {
      if (strcmp(kv->string, "name") == 0) continue;
      char kpath[PATH_MAX_LEN], value[MDB_SPEC_TEXT_MAX] = "";
      path_key(kpath, sizeof kpath, path, kv->string);
      if (cJSON_IsString(kv)) {
        mdb_str_copy(value, sizeof value, kv->valuestring);
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
        suite_add_error(x, kpath, "a calculator parameter must be a string or a number, got %s", got);
        ok = 0;
        continue;
      }
      if (!value[0] || (strchr(value, '"') && strchr(value, '\'') && strchr(value, ',')) ||
          strpbrk(kv->string, ":,= ")) {
        suite_add_error(x, kpath,
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
      suite_add_error(x, path, "the calculator spec is longer than %d characters", MDB_SPEC_TEXT_MAX - 1);
      return 0;
    }
  } else {
    if (!want_string(x, node, path, "a calculator spec (NAME[:key=value,...]) or an object {\"name\": ...}")) return 0;
    mdb_str_copy(text, sizeof text, node->valuestring);
  }
  mdb_str_copy(out->raw, sizeof out->raw, text);
  if (strcmp(text, "default") == 0) { /* the system's own calculator */
    out->v[0] = 0;
    return 1;
  }
  calcinfo *ci = suite_calcinfo(x, text);
  if (!ci) return 0;
  if (ci->st) {
    suite_add_error(x, path, "%s", ci->msg);
    return 0;
  }
  mdb_str_copy(out->v, sizeof out->v, ci->canon);
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
  suite_add_error(x, path, "must be a positive integer, got %s", got);
  return 0;
}

static int parse_dim_value(ctx *x, int d, const cJSON *node, const char *path, val *out) {
  memset(out, 0, sizeof *out);
  mdb_str_copy(out->path, sizeof out->path, path);
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
    suite_add_error(x, path, "must list at least one %s", suite_dim_names[d]);
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
      mdb_str_copy(ipath, sizeof ipath, path);
    i++;
    val v;
    if (!parse_dim_value(x, d, it, ipath, &v)) continue;
    int dup = -1;
    for (int j = 0; j < l->n && dup < 0; j++)
      if (strcmp(l->items[j].v, v.v) == 0) dup = j;
    if (dup >= 0) {
      suite_add_error(x, ipath, "'%s' is already listed at %s", v.raw, l->items[dup].path);
      continue;
    }
    l->items[l->n++] = v;
  }
}

/* ---------------------------------------------------------- atoms */

enum { AK_SYSTEM = 1, AK_DEVICE = 2 };

/* The kind of an atoms-object key: a device, or a system of matrix.system. */
static int atoms_key_kind(ctx *x, const char *key, int *sys_index) {
  if (suite_is_device(key)) return AK_DEVICE;
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
    if (cJSON_GetArraySize(node) == 0) suite_add_error(x, path, "must list at least one size");
    if (cJSON_GetArraySize(node) > MAX_SIZES)
      suite_add_error(x, path, "lists %d sizes; at most %d per list", cJSON_GetArraySize(node), MAX_SIZES);
    int i = 0;
    for (const cJSON *it = node->child; it; it = it->next, i++) {
      char ipath[PATH_MAX_LEN];
      path_idx(ipath, sizeof ipath, path, i);
      int n;
      if (!parse_atoms_value(x, it, ipath, &n)) continue;
      int j = 0;
      for (const cJSON *prev = node->child; prev != it; prev = prev->next, j++)
        if (cJSON_IsNumber(prev) && prev->valuedouble == n) {
          suite_add_error(x, ipath, "%d is already listed at %s[%d]", n, path, j);
          break;
        }
    }
  } else if (cJSON_IsObject(node)) {
    if (!node->child) suite_add_error(x, path, "is empty: give sizes per system or per device");
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
        suite_add_error(x, kpath,
                        "unknown key: atoms are given per device (" MDB_SUITE_DEVICES
                        ") or per system of matrix.system (%s)",
                        systems[0] ? systems : "none");
        continue;
      }
      if (kind & used) {
        suite_add_error(x, kpath,
                        "sizes are already given per %s above this level; nest systems and devices at most "
                        "once each",
                        kind == AK_DEVICE ? "device" : "system");
        continue;
      }
      kinds |= kind;
      check_atoms(x, kv, kpath, used | kind);
    }
    if (kinds == (AK_SYSTEM | AK_DEVICE))
      suite_add_error(x, path,
                      "mixes systems and devices as keys; nest one inside the other, e.g. {\"silicon\": "
                      "{\"cpu\": [64], \"cuda\": [64, 110592]}}");
  } else {
    describe(node, got, sizeof got);
    suite_add_error(x, path,
                    "must be a positive integer, a list of them, or an object keyed by system or device, got %s", got);
  }
}

void suite_alist_add(alist *l, int n, const char *path) {
  for (int i = 0; i < l->n; i++)
    if (l->v[i].n == n) return;
  if (l->n == (int)(sizeof l->v / sizeof l->v[0])) return;
  l->v[l->n].n = n;
  mdb_str_copy(l->v[l->n].path, sizeof l->v[l->n].path, path);
  l->n++;
}

/* The sizes matrix.atoms gives system (index si) on device; valid entries only. */
void suite_atoms_for(ctx *x, const cJSON *node, const char *path, int si, const char *device, alist *out) {
  if (!node) {
    suite_alist_add(out, 0, "matrix");
    return;
  }
  if (cJSON_IsNumber(node)) {
    if (node->valuedouble >= 1 && node->valuedouble <= INT_MAX && node->valuedouble == floor(node->valuedouble))
      suite_alist_add(out, (int)node->valuedouble, path);
  } else if (cJSON_IsArray(node)) {
    int i = 0;
    for (const cJSON *it = node->child; it; it = it->next, i++) {
      char ipath[PATH_MAX_LEN];
      path_idx(ipath, sizeof ipath, path, i);
      suite_atoms_for(x, it, ipath, si, device, out);
    }
  } else if (cJSON_IsObject(node)) {
    for (const cJSON *kv = node->child; kv; kv = kv->next) {
      int idx = -1, kind = atoms_key_kind(x, kv->string, &idx);
      if ((kind == AK_DEVICE && strcmp(kv->string, device) == 0) || (kind == AK_SYSTEM && idx == si)) {
        char kpath[PATH_MAX_LEN];
        path_key(kpath, sizeof kpath, path, kv->string);
        suite_atoms_for(x, kv, kpath, si, device, out);
        return;
      }
    }
    suite_alist_add(out, 0, path); /* not named here: the default size */
  }
}

/* ---------------------------------------------------------- settings */

static int dim_index(const char *key) {
  for (int d = 0; d < ND; d++)
    if (strcmp(suite_dim_names[d], key) == 0) return d;
  return -1;
}

static void parse_setting(ctx *x, int k, const cJSON *node, const char *path, settings *s) {
  const mdb_suite_key *kd = &mdb_suite_keys[k];
  char got[128];
  describe(node, got, sizeof got);
  void *field = (char *)&s->v + kd->off;
  double v = cJSON_IsNumber(node) ? node->valuedouble : NAN;
  switch (kd->type) {
  case MDB_SK_INT:
    if (!cJSON_IsNumber(node) || v != floor(v) || v < kd->lo || v > INT_MAX) {
      suite_add_error(x, path, "must be an integer >= %g, got %s", kd->lo, got);
      return;
    }
    *(int *)field = (int)v;
    break;
  case MDB_SK_SEED:
    if (!cJSON_IsNumber(node) || v != floor(v) || v < 0 || v > 9007199254740992.0) {
      suite_add_error(x, path, "must be an integer from 0 to 2^53, got %s", got);
      return;
    }
    *(uint64_t *)field = (uint64_t)v;
    break;
  case MDB_SK_DBL:
    if (!cJSON_IsNumber(node) || !isfinite(v) || (kd->lo_open ? !(v > kd->lo) : !(v >= kd->lo))) {
      if (isinf(kd->lo))
        suite_add_error(x, path, "must be a number, got %s", got);
      else
        suite_add_error(x, path, "must be a number %s %g, got %s", kd->lo_open ? ">" : ">=", kd->lo, got);
      return;
    }
    *(double *)field = v;
    break;
  case MDB_SK_STR: {
    if (!want_string(x, node, path, kd->what)) return;
    const char *str = node->valuestring;
    char msg[512];
    if (kd->check && !kd->check(str, msg, sizeof msg)) {
      suite_add_error(x, path, "%s", msg);
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
  const char *names[64];
  int m = 0;
  for (int i = 0; i < nextra && m < 64; i++) names[m++] = extra[i];
  for (int k = 0; k < mdb_suite_n_keys && m < 64; k++)
    if (mdb_suite_keys[k].where & where) names[m++] = mdb_suite_keys[k].name;
  char list[1024], hint[128];
  mdb_join(list, sizeof list, names, m);
  mdb_suggest(hint, sizeof hint, key, names, m);
  suite_add_error(x, path, "unknown key (valid: %s)%s", list, hint);
}

/* ---------------------------------------------------- include/exclude */

static void parse_entry(ctx *x, const cJSON *obj, const char *path, int is_include, entry *e) {
  mdb_str_copy(e->path, sizeof e->path, path);
  long before = x->problems;
  char got[128];
  if (!cJSON_IsObject(obj)) {
    describe(obj, got, sizeof got);
    suite_add_error(x, path, "must be an object of matrix keys%s, got %s", is_include ? " and run settings" : "", got);
    return;
  }
  if (!obj->child) suite_add_error(x, path, "is empty");
  for (const cJSON *kv = obj->child; kv; kv = kv->next) {
    char kpath[PATH_MAX_LEN];
    path_key(kpath, sizeof kpath, path, kv->string);
    int d = dim_index(kv->string), k;
    if (d >= 0) {
      if (!is_include && !x->has_dim[d]) {
        const char *have[ND];
        int m = 0;
        for (int i = 0; i < ND; i++)
          if (x->has_dim[i]) have[m++] = suite_dim_names[i];
        char list[256];
        mdb_join(list, sizeof list, have, m);
        suite_add_error(x, kpath, "exclude keys must be keys of the matrix (this matrix has: %s)", m ? list : "none");
        continue;
      }
      if (cJSON_IsArray(kv)) {
        suite_add_error(x, kpath, "must be one value (an %s entry is one combination), got an array",
                        is_include ? "include" : "exclude");
        continue;
      }
      if (d == D_ATOMS && cJSON_IsObject(kv)) {
        suite_add_error(x, kpath,
                        "must be a positive integer (per-system or per-device sizes belong in matrix.atoms), "
                        "got an object");
        continue;
      }
      if (parse_dim_value(x, d, kv, kpath, &e->d[d])) e->has[d] = 1;
    } else if (is_include && (k = mdb_suite_key_index(kv->string, MDB_SK_INCLUDE)) >= 0) {
      parse_setting(x, k, kv, kpath, &e->set);
    } else if (is_include) {
      unknown_key(x, kpath, kv->string, MDB_SK_INCLUDE, suite_dim_names, ND);
    } else {
      const char *have[ND];
      int m = 0;
      for (int i = 0; i < ND; i++)
        if (x->has_dim[i]) have[m++] = suite_dim_names[i];
      char list[256], hint[128];
      mdb_join(list, sizeof list, have, m);
      mdb_suggest(hint, sizeof hint, kv->string, have, m);
      suite_add_error(x, kpath, "unknown key (an exclude entry names matrix keys: %s)%s", m ? list : "none", hint);
    }
  }
  e->valid = x->problems == before;
}

static void parse_entries(ctx *x, const cJSON *node, const char *path, int is_include) {
  char got[128];
  if (!cJSON_IsArray(node)) {
    describe(node, got, sizeof got);
    suite_add_error(x, path, "must be a list of objects, got %s", got);
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
    suite_add_error(x, "matrix",
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
      mdb_join(list, sizeof list, valid, 7);
      mdb_suggest(hint, sizeof hint, kv->string, valid, 7);
      if (mdb_suite_key_index(kv->string, MDB_SK_SETTING) >= 0)
        suite_add_error(x, path,
                        "run settings go at the top of the file (for all cases) or in an include entry (for "
                        "some), not in the matrix");
      else
        suite_add_error(x, path, "unknown key (valid: %s)%s", list, hint);
    }
  }
  /* values first (atoms keys refer to the systems), then the entries */
  for (int d = 0; d < ND; d++) {
    if (d == D_ATOMS) continue;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(m, suite_dim_names[d]);
    char path[PATH_MAX_LEN];
    path_key(path, sizeof path, "matrix", suite_dim_names[d]);
    if (node) parse_dim_list(x, d, node, path);
  }
  x->atoms = cJSON_GetObjectItemCaseSensitive(m, "atoms");
  if (x->atoms) check_atoms(x, x->atoms, "matrix.atoms", 0);
  if (x->has_dim[D_DEVICE] && (x->top.set & (1u << mdb_suite_key_index("device", MDB_SK_TOP))))
    suite_add_error(x, "device", "is also a matrix key; give devices in one place (matrix.device)");
  const cJSON *node;
  if ((node = cJSON_GetObjectItemCaseSensitive(m, "exclude"))) parse_entries(x, node, "matrix.exclude", 0);
  if ((node = cJSON_GetObjectItemCaseSensitive(m, "include"))) parse_entries(x, node, "matrix.include", 1);
  int any = 0;
  for (int d = 0; d < ND; d++) any |= x->has_dim[d];
  if (any && !x->has_dim[D_SYSTEM])
    suite_add_error(x, "matrix", "has no \"system\" key (every case needs a system; valid: %s)", mdb_build_names());
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
          suite_add_error(x, cpath, "is given twice in the same object");
          break;
        }
    } else {
      path_idx(cpath, sizeof cpath, path, i);
    }
    if (cJSON_IsObject(it) || cJSON_IsArray(it)) check_duplicates(x, it, cpath);
  }
}

void suite_parse_top(ctx *x, const cJSON *root) {
  char got[128];
  if (!cJSON_IsObject(root)) {
    describe(root, got, sizeof got);
    suite_add_error(x, "", "the top level must be an object {\"matrix\": {...}, run settings...}, got %s", got);
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
        mdb_str_copy(x->s->description, sizeof x->s->description, kv->valuestring);
      else {
        describe(kv, got, sizeof got);
        suite_add_error(x, path, "must be a string, got %s", got);
      }
    } else if (strcmp(kv->string, "matrix") == 0) {
      continue;
    } else if ((k = mdb_suite_key_index(kv->string, MDB_SK_TOP)) >= 0) {
      parse_setting(x, k, kv, path, &x->top);
    } else if (dim_index(kv->string) >= 0 || strcmp(kv->string, "include") == 0 || strcmp(kv->string, "exclude") == 0) {
      suite_add_error(x, path, "belongs inside \"matrix\"");
    } else if (mdb_suite_key_index(kv->string, MDB_SK_INCLUDE) >= 0) {
      suite_add_error(x, path,
                      "applies to one system: set it in an include entry, e.g. {\"system\": \"copper\", \"%s\": "
                      "...}",
                      kv->string);
    } else {
      unknown_key(x, path, kv->string, MDB_SK_TOP, extra, 2);
    }
  }
  if (x->top.set & (1u << mdb_suite_key_index("device", MDB_SK_TOP)))
    mdb_str_copy(x->top_device, sizeof x->top_device, x->top.v.device);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "matrix");
  if (!m)
    suite_add_error(x, "matrix", "missing: a suite needs a \"matrix\" with at least \"system\" (see suites/README.md)");
  else
    parse_matrix(x, m);
}

/* --------------------------------------------------------- JSON errors */

void suite_json_error(ctx *x, const char *text, const char *at) {
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
    suite_add_error(x, where, "invalid JSON: the file ends early (an unclosed bracket, brace or string?)");
  else
    suite_add_error(x, where, "invalid JSON near '%s'%s", near, hint);
}
