/*
 * registry.c — the table of calculator backends, spec parsing and the
 * compute wrapper shared by all calculators.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"

extern const mdb_calc_ops mdb_lj_cpu_ops, mdb_eam_cpu_ops, mdb_sw_cpu_ops, mdb_spcfw_cpu_ops, mdb_plugin_cpu_ops;
extern const mdb_calc_ops mdb_ipi_cpu_ops, mdb_ase_cpu_ops;

static const mdb_calc_ops *const registry[] = {&mdb_lj_cpu_ops,    &mdb_eam_cpu_ops,    &mdb_sw_cpu_ops,
                                               &mdb_spcfw_cpu_ops, &mdb_plugin_cpu_ops, &mdb_ipi_cpu_ops,
                                               &mdb_ase_cpu_ops};
static const int nregistry = (int)(sizeof registry / sizeof registry[0]);

const char *mdb_calc_names(void) {
  static char names[256];
  if (!names[0]) {
    for (int i = 0; i < nregistry; i++) {
      int dup = 0;
      for (int j = 0; j < i; j++) dup |= strcmp(registry[i]->name, registry[j]->name) == 0;
      if (dup) continue;
      size_t len = strlen(names);
      snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", registry[i]->name);
    }
  }
  return names;
}

int mdb_calc_registry_count(void) { return nregistry; }

const mdb_calc_ops *mdb_calc_registry_at(int i) { return i >= 0 && i < nregistry ? registry[i] : NULL; }

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

mdb_status mdb_calc_spec_parse(const char *text, mdb_calc_spec *spec, mdb_err *err) {
  memset(spec, 0, sizeof *spec);
  if (!text || strlen(text) >= sizeof spec->text)
    return mdb_err_set(err, MDB_EINPUT, "calculator spec is empty or longer than %d characters", MDB_SPEC_TEXT_MAX - 1);
  snprintf(spec->text, sizeof spec->text, "%s", text);
  char buf[MDB_SPEC_TEXT_MAX];
  snprintf(buf, sizeof buf, "%s", text);
  char *colon = strchr(buf, ':');
  if (colon) *colon = 0;
  char *name = trim(buf);
  if (!*name || strlen(name) >= sizeof spec->name)
    return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s' has no name (form: NAME[:key=value,...]; names: %s)",
                       text, mdb_calc_names());
  snprintf(spec->name, sizeof spec->name, "%s", name);
  if (!colon) return MDB_OK;
  char *rest = colon + 1;
  if (!*trim(rest))
    return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': nothing after ':' (form: NAME:key=value,...)", text);
  for (char *tok = rest; tok;) {
    /* the next comma outside quotes ends the parameter */
    char *p = tok, quote = 0;
    for (; *p && (quote || *p != ','); p++)
      if (!quote && (*p == '"' || *p == '\''))
        quote = *p;
      else if (quote && *p == quote)
        quote = 0;
    if (quote) return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': a quote (%c) is not closed", text, quote);
    char *next = *p ? p + 1 : NULL;
    *p = 0;
    char *eq = strchr(tok, '=');
    if (!eq) return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': '%s' is not key=value", text, trim(tok));
    *eq = 0;
    char *key = trim(tok), *value = trim(eq + 1);
    size_t vl = strlen(value);
    if (vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0]) {
      value[vl - 1] = 0;
      value++;
    }
    tok = next;
    if (!*key || !*value) return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': empty key or value", text);
    if (strlen(key) >= sizeof spec->params[0].key)
      return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': key '%s' is too long", text, key);
    if (strcmp(key, "label") == 0) {
      int ok = strlen(value) < sizeof spec->label && !spec->label[0];
      for (const char *c = value; ok && *c; c++) ok = isalnum((unsigned char)*c) || strchr("._-", *c);
      if (!ok)
        return mdb_err_set(err, MDB_EINPUT,
                           "calculator spec '%s': label must be given once, 1..%zu letters, digits, "
                           "'.', '_' or '-' (got '%s')",
                           text, sizeof spec->label - 1, value);
      snprintf(spec->label, sizeof spec->label, "%s", value);
      continue;
    }
    for (int i = 0; i < spec->nparams; i++)
      if (strcmp(spec->params[i].key, key) == 0)
        return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': key '%s' given twice", text, key);
    if (spec->nparams == MDB_SPEC_MAX_PARAMS)
      return mdb_err_set(err, MDB_EINPUT, "calculator spec '%s': more than %d parameters", text, MDB_SPEC_MAX_PARAMS);
    mdb_kv *kv = &spec->params[spec->nparams++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    snprintf(kv->value, sizeof kv->value, "%s", value);
  }
  return MDB_OK;
}

void mdb_calc_spec_format(const mdb_calc_spec *spec, char *buf, size_t len) {
  if (!len) return;
  size_t o = (size_t)snprintf(buf, len, "%s", spec->name);
  for (int i = 0; i <= spec->nparams && o < len; i++) {
    const char *k = i < spec->nparams ? spec->params[i].key : "label";
    const char *v = i < spec->nparams ? spec->params[i].value : spec->label;
    if (!v[0]) continue;
    const char *q = !strchr(v, ',') ? "" : strchr(v, '"') ? "'" : "\"";
    o += (size_t)snprintf(buf + o, len - o, "%c%s=%s%s%s", o == strlen(spec->name) ? ':' : ',', k, q, v, q);
  }
}

void mdb_calc_spec_short(const char *text, char *buf, size_t len) {
  if (!len) return;
  mdb_calc_spec spec;
  if (mdb_calc_spec_parse(text, &spec, NULL) == MDB_OK && spec.label[0]) {
    snprintf(buf, len, "%s", spec.label);
    return;
  }
  if (strlen(text) <= 40) {
    snprintf(buf, len, "%s", text);
    return;
  }
  uint32_t h = 2166136261u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 16777619u;
  snprintf(buf, len, "%.31s-%08x", text, (unsigned)h);
}

mdb_status mdb_spec_check_keys(const mdb_calc_spec *spec, const char *const *valid, mdb_err *err) {
  for (int i = 0; i < spec->nparams; i++) {
    int ok = 0;
    for (const char *const *v = valid; *v; v++) ok |= strcmp(*v, spec->params[i].key) == 0;
    if (ok) continue;
    char list[256] = "";
    for (const char *const *v = valid; *v; v++) {
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", *v);
    }
    return mdb_err_set(err, MDB_EINPUT, "calculator '%s' has no parameter '%s' (valid: %s)", spec->name,
                       spec->params[i].key, list[0] ? list : "none");
  }
  return MDB_OK;
}

mdb_status mdb_calc_check_keys(const mdb_calc_spec *spec, const mdb_calc_key *keys, mdb_err *err) {
  const char *valid[MDB_SPEC_MAX_PARAMS + 1];
  int n = 0;
  for (const mdb_calc_key *k = keys; k->key && n < MDB_SPEC_MAX_PARAMS; k++) valid[n++] = k->key;
  valid[n] = NULL;
  return mdb_spec_check_keys(spec, valid, err);
}

mdb_status mdb_spec_double(const mdb_calc_spec *spec, const char *key, double *out, int *found, mdb_err *err) {
  *found = 0;
  for (int i = 0; i < spec->nparams; i++) {
    if (strcmp(spec->params[i].key, key) != 0) continue;
    char *end;
    double v = strtod(spec->params[i].value, &end);
    if (end == spec->params[i].value || *end || !isfinite(v))
      return mdb_err_set(err, MDB_EINPUT, "calculator '%s': %s=%s is not a number", spec->name, key,
                         spec->params[i].value);
    *out = v;
    *found = 1;
  }
  return MDB_OK;
}

mdb_status mdb_calc_create(mdb_calc *calc, const char *spec_text, const char *device, mdb_err *err) {
  memset(calc, 0, sizeof *calc);
  mdb_status st = mdb_calc_spec_parse(spec_text, &calc->spec, err);
  if (st) return st;
  const mdb_calc_ops *ops = NULL;
  int known = 0;
  char devices[128] = "";
  for (int i = 0; i < nregistry; i++) {
    if (strcmp(registry[i]->name, calc->spec.name) != 0) continue;
    known = 1;
    size_t len = strlen(devices);
    snprintf(devices + len, sizeof devices - len, "%s%s", len ? ", " : "", registry[i]->device);
    if (strcmp(registry[i]->device, device) == 0) ops = registry[i];
  }
  if (!known)
    return mdb_err_set(err, MDB_EINPUT, "unknown calculator '%s' (valid: %s)", calc->spec.name, mdb_calc_names());
  if (!ops)
    return mdb_err_set(err, MDB_EINPUT, "calculator '%s' has no '%s' backend (available: %s)", calc->spec.name, device,
                       devices);
  if ((st = ops->init(&calc->ctx, &calc->spec, err))) return st;
  calc->ops = ops;
  return MDB_OK;
}

void mdb_calc_free(mdb_calc *calc) {
  if (calc && calc->ops) calc->ops->fini(calc->ctx);
  if (calc) memset(calc, 0, sizeof *calc);
}

mdb_status mdb_calc_prepare(mdb_calc *calc, const mdb_system *sys, mdb_err *err) {
  return calc->ops->prepare ? calc->ops->prepare(calc->ctx, sys, err) : MDB_OK;
}

double mdb_calc_cutoff(const mdb_calc *calc) { return calc->ops->cutoff(calc->ctx); }

unsigned mdb_calc_neigh_kinds(const mdb_calc *calc) { return calc->ops->neigh_kinds(calc->ctx); }

double mdb_calc_external_wait_s(const mdb_calc *calc) {
  return calc->ops->external_wait_s ? calc->ops->external_wait_s(calc->ctx) : -1.0;
}

int mdb_calc_external_pid(const mdb_calc *calc) {
  return calc->ops->external_pid ? calc->ops->external_pid(calc->ctx) : 0;
}

double mdb_calc_external_model_s(const mdb_calc *calc) {
  return calc->ops->external_model_s ? calc->ops->external_model_s(calc->ctx) : -1.0;
}

const char *mdb_calc_external_info(const mdb_calc *calc) {
  const char *s = calc->ops->external_info ? calc->ops->external_info(calc->ctx) : NULL;
  return s ? s : "";
}

mdb_status mdb_calc_compute(mdb_calc *calc, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                            mdb_err *err) {
  int nall = sys->n + sys->nghost;
  memset(sys->f, 0, (size_t)nall * 3 * sizeof(double));
  memset(out, 0, sizeof *out);
  mdb_status st = calc->ops->compute(calc->ctx, sys, nl, flags, out, err);
  if (st) return st;
  if ((flags & MDB_COMPUTE_VIRIAL) && !out->virial_set) {
    double w[3][3] = {{0}};
    for (int p = 0; p < nall; p++) {
      const double *x = sys->x + 3 * p, *f = sys->f + 3 * p;
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) w[a][b] += x[a] * f[b];
    }
    memcpy(out->virial, w, sizeof w);
    out->virial_set = 1;
  }
  mdb_neigh_reverse(nl, sys);
  return MDB_OK;
}
