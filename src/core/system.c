#include "core/system.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t old_bytes, size_t new_bytes) {
  void *q = realloc(p, new_bytes);
  if (q && new_bytes > old_bytes) memset((char *)q + old_bytes, 0, new_bytes - old_bytes);
  return q;
}

mdb_status mdb_system_reserve(mdb_system *sys, int cap, mdb_err *err) {
  if (cap <= sys->cap) return MDB_OK;
  size_t oc = (size_t)sys->cap, nc = (size_t)cap;
  double *x = grow(sys->x, oc * 3 * sizeof *x, nc * 3 * sizeof *x);
  if (x) sys->x = x;
  double *v = grow(sys->v, oc * 3 * sizeof *v, nc * 3 * sizeof *v);
  if (v) sys->v = v;
  double *f = grow(sys->f, oc * 3 * sizeof *f, nc * 3 * sizeof *f);
  if (f) sys->f = f;
  int *type = grow(sys->type, oc * sizeof *type, nc * sizeof *type);
  if (type) sys->type = type;
  int *mol = grow(sys->mol, oc * sizeof *mol, nc * sizeof *mol);
  if (mol) sys->mol = mol;
  int *id = grow(sys->id, oc * sizeof *id, nc * sizeof *id);
  if (id) sys->id = id;
  int *image = grow(sys->image, oc * 3 * sizeof *image, nc * 3 * sizeof *image);
  if (image) sys->image = image;
  if (!x || !v || !f || !type || !mol || !id || !image)
    return mdb_err_nomem(err, "per-atom arrays", (double)nc * (9 * sizeof(double) + 6 * sizeof(int)));
  for (size_t i = oc; i < nc; i++) sys->mol[i] = -1;
  sys->cap = cap;
  return MDB_OK;
}

mdb_status mdb_system_alloc(mdb_system *sys, int n, mdb_err *err) {
  memset(sys, 0, sizeof *sys);
  if (n <= 0) return mdb_err_set(err, MDB_EINPUT, "a system needs at least one atom (got %d)", n);
  mdb_status st = mdb_system_reserve(sys, n, err);
  if (st) {
    mdb_system_free(sys);
    return st;
  }
  sys->n = n;
  for (int i = 0; i < n; i++) sys->id[i] = i;
  return MDB_OK;
}

void mdb_system_free(mdb_system *sys) {
  if (!sys) return;
  free(sys->x);
  free(sys->v);
  free(sys->f);
  free(sys->type);
  free(sys->mol);
  free(sys->id);
  free(sys->image);
  memset(sys, 0, sizeof *sys);
}

int mdb_system_add_species(mdb_system *sys, const char *symbol, double mass) {
  for (int t = 0; t < sys->ntypes; t++)
    if (strcmp(sys->species[t], symbol) == 0) return t;
  if (sys->ntypes >= MDB_MAX_TYPES) return -1;
  int t = sys->ntypes++;
  snprintf(sys->species[t], sizeof sys->species[t], "%s", symbol);
  sys->mass[t] = mass;
  return t;
}

static double det3(const double m[3][3]) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

static void cross(const double a[3], const double b[3], double c[3]) {
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

mdb_status mdb_box_set(mdb_box *box, const double h[3][3], mdb_err *err) {
  double d = det3(h);
  if (!(d > 1e-9))
    return mdb_err_set(err, MDB_EINPUT,
                       "the cell is singular or left-handed (det = %g Å³); lattice vectors must "
                       "be a right-handed set with positive volume",
                       d);
  memcpy(box->h, h, sizeof box->h);
  /* inverse = adjugate / det; hinv[i][j] such that sum_k h[i][k]*hinv[k][j] = delta */
  double(*m)[3] = box->hinv;
  m[0][0] = (h[1][1] * h[2][2] - h[1][2] * h[2][1]) / d;
  m[0][1] = (h[0][2] * h[2][1] - h[0][1] * h[2][2]) / d;
  m[0][2] = (h[0][1] * h[1][2] - h[0][2] * h[1][1]) / d;
  m[1][0] = (h[1][2] * h[2][0] - h[1][0] * h[2][2]) / d;
  m[1][1] = (h[0][0] * h[2][2] - h[0][2] * h[2][0]) / d;
  m[1][2] = (h[0][2] * h[1][0] - h[0][0] * h[1][2]) / d;
  m[2][0] = (h[1][0] * h[2][1] - h[1][1] * h[2][0]) / d;
  m[2][1] = (h[0][1] * h[2][0] - h[0][0] * h[2][1]) / d;
  m[2][2] = (h[0][0] * h[1][1] - h[0][1] * h[1][0]) / d;
  box->volume = d;
  for (int k = 0; k < 3; k++) {
    double c[3];
    cross(h[(k + 1) % 3], h[(k + 2) % 3], c);
    box->width[k] = d / sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
  }
  return MDB_OK;
}

void mdb_box_to_frac(const mdb_box *box, const double x[3], double s[3]) {
  for (int j = 0; j < 3; j++) s[j] = x[0] * box->hinv[0][j] + x[1] * box->hinv[1][j] + x[2] * box->hinv[2][j];
}

void mdb_box_to_cart(const mdb_box *box, const double s[3], double x[3]) {
  for (int j = 0; j < 3; j++) x[j] = s[0] * box->h[0][j] + s[1] * box->h[1][j] + s[2] * box->h[2][j];
}

double mdb_system_total_mass(const mdb_system *sys) {
  double m = 0;
  for (int i = 0; i < sys->n; i++) m += sys->mass[sys->type[i]];
  return m;
}

mdb_status mdb_system_copy(mdb_system *out, const mdb_system *sys, mdb_err *err) {
  mdb_status st = mdb_system_alloc(out, sys->n, err);
  if (st) return st;
  size_t n = (size_t)sys->n;
  memcpy(out->x, sys->x, n * 3 * sizeof(double));
  memcpy(out->v, sys->v, n * 3 * sizeof(double));
  memcpy(out->f, sys->f, n * 3 * sizeof(double));
  memcpy(out->type, sys->type, n * sizeof(int));
  memcpy(out->mol, sys->mol, n * sizeof(int));
  memcpy(out->id, sys->id, n * sizeof(int));
  memcpy(out->image, sys->image, n * 3 * sizeof(int));
  out->ntypes = sys->ntypes;
  memcpy(out->species, sys->species, sizeof out->species);
  memcpy(out->mass, sys->mass, sizeof out->mass);
  out->box = sys->box;
  memcpy(out->name, sys->name, sizeof out->name);
  return MDB_OK;
}
