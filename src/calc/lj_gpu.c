/*
 * lj_gpu.c — the device half of the lj calculator: uploads the prepared
 * pair table (calc/lj.h mdb_lj_params, in double and float) and launches
 * calc/lj_kern.h.
 */
#include <stdlib.h>

#include "calc/lj_kern.h"

typedef struct glj {
  mdb_lj_pair *pair;
  mdb_lj_pair_f *pairf;
} glj;

static mdb_status glj_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_lj_params *prm = (const mdb_lj_params *)cpu->ops->params(cpu->ctx);
  const int nt = prm->ntypes;
  glj *c = calloc(1, sizeof *c);
  mdb_lj_pair *h = calloc((size_t)nt * nt, sizeof *h);
  mdb_lj_pair_f *hf = calloc((size_t)nt * nt, sizeof *hf);
  mdb_status st = MDB_OK;
  if (!c || !h || !hf) st = mdb_err_nomem(err, "lj tables", 64.0 * nt * nt);
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) {
      const mdb_lj_pair *q = &prm->pair[a * MDB_MAX_TYPES + b];
      h[a * nt + b] = *q;
      hf[a * nt + b].c12 = (float)q->c12;
      hf[a * nt + b].c6 = (float)q->c6;
      hf[a * nt + b].eshift = (float)q->eshift;
      hf[a * nt + b].rc2 = (float)q->rc2;
    }
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, (size_t)nt * nt * sizeof *h, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->pairf, (size_t)nt * nt * sizeof *hf, err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, h, (size_t)nt * nt * sizeof *h, err)))
    st = g->dev->ops->h2d(g->dev, c->pairf, hf, (size_t)nt * nt * sizeof *hf, err);
  free(h);
  free(hf);
  if (st) {
    free(c);
    return st;
  }
  *ctx = c;
  return MDB_OK;
}

static mdb_status glj_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const glj *c = (const glj *)ctx;
  mdb_kp_lj q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.pairf = c->pairf;
  q.mixed = g->mixed;
  return mdb_launch_lj(g->dev, g->n, &q, err);
}

MDB_KERNELS_LJ(MDB_KERNEL_DEFINE)

const mdb_gcalc_ops mdb_lj_gpu = {1, glj_setup, glj_forces, NULL};
