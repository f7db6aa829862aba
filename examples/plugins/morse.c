/*
 * morse.c — a Morse pair potential as an mdbench calculator plugin, the
 * example for include/mdbench/calculator.h. It uses nothing from mdbench
 * but that header.
 *
 *   φ(r) = D [(1 − e^{−a(r−r0)})² − 1] − φ_0(rc)   for r < rc, 0 beyond,
 *
 * the unshifted form φ_0 evaluated at rc subtracted so that φ(rc) = 0; the
 * force is not shifted (a jump of 2Da(1 − e)e at rc, 0.003 eV/Å with the
 * defaults). Every pair of atoms, whatever their species, uses one set:
 *
 *   D   well depth, eV          default 0.3429
 *   a   inverse width, 1/Å      default 1.3588
 *   r0  equilibrium distance, Å default 2.866
 *   rc  cutoff, Å               default 7.0 (φ_0(rc) = −0.7 % of D)
 *
 * The defaults are copper, L. A. Girifalco and V. G. Weizer, "Application
 * of the Morse potential function to cubic metals", Phys. Rev. 114, 687
 * (1959).
 *
 * Use: mdbench --calculator plugin:lib=morse,rc=8 (or the path of libmorse.so)
 * Half list, Newton's third law; forces on ghosts, so mdbench's Σ x ⊗ f
 * virial is right and the plugin leaves the virial to it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdbench/calculator.h"

typedef struct morse {
  double D, a, r0, rc, shift;
} morse;

static double morse_phi(const morse *m, double r, double *dphi_dr) {
  double e = exp(-m->a * (r - m->r0));
  *dphi_dr = 2.0 * m->D * m->a * (1.0 - e) * e;
  return m->D * ((1.0 - e) * (1.0 - e) - 1.0);
}

static void *morse_init(const char *const *keys, const char *const *values,
                        int n, char *err, size_t errlen) {
  morse m = {.D = 0.3429, .a = 1.3588, .r0 = 2.866, .rc = 7.0};
  static const char *const names[] = {"D", "a", "r0", "rc"};
  double *slot[] = {&m.D, &m.a, &m.r0, &m.rc};
  for (int i = 0; i < n; i++) {
    int k = 0;
    while (k < 4 && strcmp(keys[i], names[k]) != 0)
      k++;
    if (k == 4) {
      snprintf(err, errlen, "morse has no parameter '%s' (valid: D, a, r0, rc)",
               keys[i]);
      return NULL;
    }
    char *end;
    double v = strtod(values[i], &end);
    if (end == values[i] || *end || !isfinite(v) || !(v > 0)) {
      snprintf(err, errlen, "morse: %s=%s must be a number > 0", keys[i],
               values[i]);
      return NULL;
    }
    *slot[k] = v;
  }
  double unused;
  m.shift = morse_phi(&m, m.rc, &unused);
  morse *out = malloc(sizeof *out);
  if (!out) {
    snprintf(err, errlen, "morse: out of memory (%zu bytes)", sizeof *out);
    return NULL;
  }
  *out = m;
  return out;
}

static double morse_cutoff(const void *ctx) { return ((const morse *)ctx)->rc; }

static int morse_compute(void *ctx, const mdb_plugin_frame *in,
                         mdb_plugin_result *out, char *err, size_t errlen) {
  const morse *m = ctx;
  if (in->full_list) {
    snprintf(err, errlen, "morse needs a half list, got a full one");
    return 1;
  }
  const double *x = in->positions, rc2 = m->rc * m->rc;
  double *f = out->forces, energy = 0;
  for (int i = 0; i < in->n_local; i++)
    for (int k = in->neigh_offsets[i]; k < in->neigh_offsets[i + 1]; k++) {
      int j = in->neigh_indices[k];
      double d[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1],
                     x[3 * j + 2] - x[3 * i + 2]};
      double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      if (r2 >= rc2)
        continue;
      double r = sqrt(r2), dphi;
      energy += morse_phi(m, r, &dphi) - m->shift;
      for (int c = 0; c < 3; c++) { /* F_j = −φ'(r) d/r, F_i = −F_j */
        double fc = dphi * d[c] / r;
        f[3 * i + c] += fc;
        f[3 * j + c] -= fc;
      }
    }
  out->energy = energy;
  return 0;
}

static void morse_fini(void *ctx) { free(ctx); }

static const mdb_plugin_v1 morse_plugin = {
    .abi_version = MDB_PLUGIN_ABI_VERSION,
    .name = "morse",
    .init = morse_init,
    .cutoff = morse_cutoff,
    .compute = morse_compute,
    .fini = morse_fini,
};

const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &morse_plugin; }
