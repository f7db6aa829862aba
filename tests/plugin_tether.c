/*
 * plugin_tether.c — a test calculator plugin (ABI 2) whose energy is not
 * periodic: a harmonic tether of every atom to where it was at the first
 * call,
 *
 *   E = k/2 Σ_i |x_i − x0_i|²,   F_i = −k (x_i − x0_i),
 *
 * atoms matched by atom_ids (locals are reordered at list builds). Keys:
 *
 *   k          spring constant, eV/Å²          default 0.5
 *   positions  unwrapped (x_unwrapped, right)  default unwrapped
 *              or wrapped (the frame's positions, which jump by a lattice
 *              vector when a build wraps an atom: the energy jumps too)
 *   rc         cutoff, Å (the list is not used) default 1.0
 *
 * Built a second time with MDB_TETHER_DECLARE_V1 as libtether_v1.so, a
 * plugin that declares ABI 1: it must load, and mdbench must leave the
 * version-2 fields NULL for it (compute fails with a message otherwise);
 * without atom ids it tethers by local index, right until the first
 * reordering, which is all the test asks of it (one evaluation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdbench/calculator.h"

typedef struct tether {
  double k, rc;
  int wrapped;
  int n;      /* atoms in x0; 0 until the first call */
  double *x0; /* [n*3] by atom id */
} tether;

static void tether_fini(void *ctx) {
  tether *t = ctx;
  if (t) free(t->x0);
  free(t);
}

static void *tether_init(const char *const *keys, const char *const *values, int n, char *err, size_t errlen) {
  tether *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errlen, "tether: out of memory");
    return NULL;
  }
  t->k = 0.5;
  t->rc = 1.0;
  for (int i = 0; i < n; i++) {
    char *end;
    if (strcmp(keys[i], "positions") == 0) {
      if (strcmp(values[i], "wrapped") && strcmp(values[i], "unwrapped")) {
        snprintf(err, errlen, "tether: positions=%s (valid: unwrapped, wrapped)", values[i]);
        tether_fini(t);
        return NULL;
      }
      t->wrapped = strcmp(values[i], "wrapped") == 0;
      continue;
    }
    double *dst = strcmp(keys[i], "k") == 0 ? &t->k : strcmp(keys[i], "rc") == 0 ? &t->rc : NULL;
    if (!dst) {
      snprintf(err, errlen, "tether has no parameter '%s' (valid: k, positions, rc)", keys[i]);
      tether_fini(t);
      return NULL;
    }
    *dst = strtod(values[i], &end);
    if (end == values[i] || *end || !(*dst > 0)) {
      snprintf(err, errlen, "tether: %s=%s must be a number > 0", keys[i], values[i]);
      tether_fini(t);
      return NULL;
    }
  }
  return t;
}

static double tether_cutoff(const void *ctx) { return ((const tether *)ctx)->rc; }

static int tether_compute(void *ctx, const mdb_plugin_frame *in, mdb_plugin_result *out, char *err, size_t errlen) {
  tether *t = ctx;
  const int n = in->n_local;
#ifdef MDB_TETHER_DECLARE_V1
  if (in->atom_ids || in->x_unwrapped || in->image) {
    snprintf(err, errlen,
             "tether_v1: a version-1 plugin was given ABI-2 "
             "fields");
    return 1;
  }
  const double *x = in->positions;
#else
  if (!in->atom_ids || !in->x_unwrapped || !in->image) {
    snprintf(err, errlen, "tether: no ABI-2 fields in the frame");
    return 1;
  }
  const double *x = t->wrapped ? in->positions : in->x_unwrapped;
#endif
  if (!t->x0) {
    t->x0 = malloc((size_t)n * 3 * sizeof *t->x0);
    if (!t->x0) {
      snprintf(err, errlen, "tether: out of memory");
      return 1;
    }
  }
  if (t->n && n != t->n) {
    snprintf(err, errlen, "tether: %d atoms, the first call had %d", n, t->n);
    return 1;
  }
  const int first = t->n == 0;
  double e = 0;
  for (int i = 0; i < n; i++) {
#ifdef MDB_TETHER_DECLARE_V1
    const int id = i;
#else
    const int id = in->atom_ids[i];
#endif
    if (id < 0 || id >= n) {
      snprintf(err, errlen, "tether: atom id %d out of 0..%d", id, n - 1);
      return 1;
    }
    if (first) memcpy(t->x0 + 3 * id, x + 3 * i, 3 * sizeof *x);
    for (int k = 0; k < 3; k++) {
      double d = x[3 * i + k] - t->x0[3 * id + k];
      e += 0.5 * t->k * d * d;
      out->forces[3 * i + k] -= t->k * d;
    }
  }
  t->n = n;
  out->energy = e;
  return 0;
}

static const mdb_plugin_v1 table = {
#ifdef MDB_TETHER_DECLARE_V1
    .abi_version = 1,
    .name = "tether_v1",
#else
    .abi_version = MDB_PLUGIN_ABI_VERSION,
    .name = "tether",
#endif
    .init = tether_init,
    .cutoff = tether_cutoff,
    .compute = tether_compute,
    .fini = tether_fini,
};

const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &table; }
