/*
 * plugin_faults.c — a calculator plugin that misbehaves on request, for
 * tests/cli_input_faults.sh. Spec: plugin:lib=libfaulty.so,fault=F[,where=W]
 *   fault=nan_force   every force is NaN, the energy finite (0)
 *   fault=nan_energy  the energy is NaN, forces 0
 *   fault=cutoff      cutoff 1e9 Å
 *   fault=message     fails in W (init, prepare, compute; default init) with an
 *                     error message that fills the whole buffer without a
 *                     terminating NUL and holds control bytes
 * A pair-free model otherwise: energy 0, forces 0, cutoff 3 Å.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdbench/calculator.h"

typedef struct faulty {
  char fault[32];
  char where[32];
} faulty;

/* Fills all errlen bytes: printable text with an escape sequence and a
 * newline inside, and no NUL anywhere. */
static void unterminated(char *err, size_t errlen) {
  static const char pattern[] = "faulty plugin \x1b[31mred\x1b[0m\nline two ";
  for (size_t i = 0; i < errlen; i++) err[i] = pattern[i % (sizeof pattern - 1)];
}

static void *f_init(const char *const *keys, const char *const *values, int n, char *err, size_t errlen) {
  faulty *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  strcpy(f->where, "init");
  for (int i = 0; i < n; i++) {
    char *dst = strcmp(keys[i], "fault") == 0 ? f->fault : strcmp(keys[i], "where") == 0 ? f->where : NULL;
    if (dst && strlen(values[i]) < sizeof f->fault) strcpy(dst, values[i]);
  }
  if (strcmp(f->fault, "message") == 0 && strcmp(f->where, "init") == 0) {
    unterminated(err, errlen);
    free(f);
    return NULL;
  }
  return f;
}

static int f_prepare(void *ctx, int n_species, const char *const *symbols, const int *z, char *err, size_t errlen) {
  const faulty *f = ctx;
  (void)n_species, (void)symbols, (void)z;
  if (strcmp(f->fault, "message") == 0 && strcmp(f->where, "prepare") == 0) {
    unterminated(err, errlen);
    return 1;
  }
  return 0;
}

static double f_cutoff(const void *ctx) {
  const faulty *f = ctx;
  return strcmp(f->fault, "cutoff") == 0 ? 1e9 : 3.0;
}

static int f_compute(void *ctx, const mdb_plugin_frame *in, mdb_plugin_result *out, char *err, size_t errlen) {
  const faulty *f = ctx;
  if (strcmp(f->fault, "message") == 0 && strcmp(f->where, "compute") == 0) {
    unterminated(err, errlen);
    return 1;
  }
  out->energy = strcmp(f->fault, "nan_energy") == 0 ? NAN : 0.0;
  if (strcmp(f->fault, "nan_force") == 0)
    for (int i = 0; i < 3 * in->n_total; i++) out->forces[i] = NAN;
  return 0;
}

static void f_fini(void *ctx) { free(ctx); }

static const mdb_plugin_v1 api = {
    MDB_PLUGIN_ABI_VERSION, "faulty", f_init, f_prepare, f_cutoff, NULL, f_compute, f_fini};

const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &api; }
