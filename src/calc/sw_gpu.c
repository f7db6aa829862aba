/*
 * sw_gpu.c — the device half of the sw calculator: uploads the prepared
 * pair and angle tables (calc/sw.h mdb_sw_params, compacted to the system's
 * types) and launches calc/sw_kern.h. Double precision only.
 */
#include <stdlib.h>

#include "calc/sw_kern.h"

typedef struct gsw {
  mdb_sw_pair *pair;
  mdb_sw_angle *angle;
} gsw;

static mdb_status gsw_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_sw_params *prm = (const mdb_sw_params *)cpu->ops->params(cpu->ctx);
  const int nt = prm->ntypes;
  const size_t np = (size_t)nt * nt, na = (size_t)nt * nt * nt;
  gsw *c = (gsw *)calloc(1, sizeof *c);
  mdb_sw_pair *hp = (mdb_sw_pair *)calloc(np, sizeof *hp);
  mdb_status st = MDB_OK;
  if (!c || !hp) st = mdb_err_nomem(err, "sw tables", (double)(np * sizeof *hp));
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) hp[a * nt + b] = prm->pair[a * MDB_MAX_TYPES + b];
  /* the angle table is already [(a*nt + b)*nt + d] for the system's nt */
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, np * sizeof *hp, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->angle, na * sizeof(mdb_sw_angle), err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, hp, np * sizeof *hp, err)))
    st = g->dev->ops->h2d(g->dev, c->angle, prm->angle, na * sizeof(mdb_sw_angle), err);
  free(hp);
  if (st) {
    free(c);
    return st;
  }
  *ctx = c;
  return MDB_OK;
}

static mdb_status gsw_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const gsw *c = (const gsw *)ctx;
  mdb_kp_sw q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.angle = c->angle;
  return mdb_launch_sw(g->dev, g->n, &q, err);
}

MDB_KERNELS_SW(MDB_KERNEL_DEFINE)

const mdb_gcalc_ops mdb_sw_gpu = {0, gsw_setup, gsw_forces, NULL};
