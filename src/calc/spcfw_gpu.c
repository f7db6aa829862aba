/*
 * spcfw_gpu.c — the device half of the spcfw calculator: uploads the
 * prepared pair table and DSF constants (calc/spcfw.h mdb_spcfw_params) and
 * the molecule table in device order, and launches calc/spcfw_kern.h.
 */
#include <stdlib.h>

#include "calc/spcfw_kern.h"

typedef struct gspcfw {
  mdb_spcfw_pair *pair; /* device [ntypes*ntypes] */
  int *mol;             /* device [3 natoms] */
  mdb_dsf dsf;
  double k_bond, r0_bond, k_angle, theta0, span2;
} gspcfw;

/* mol[3i..3i+2]: device indices of the O, H_0, H_1 of atom i's molecule,
 * from the CPU calculator's table by original id (the device order is the
 * host system's order at setup, g->sys). */
static mdb_status molecule_table(const mdb_gcalc_env *g, const mdb_spcfw_params *prm, int *mol, mdb_err *err) {
  const int n = g->n;
  const int *id = g->sys->id;
  int *dev_of_id = malloc((size_t)n * sizeof *dev_of_id);
  if (!dev_of_id) return mdb_err_nomem(err, "spcfw molecule table", n * 4.0);
  mdb_status st = MDB_OK;
  for (int i = 0; i < n; i++) dev_of_id[i] = -1;
  for (int i = 0; i < n && !st; i++) {
    if (id[i] < 0 || id[i] >= n || dev_of_id[id[i]] >= 0)
      st = mdb_err_set(err, MDB_EINPUT, "spcfw on cuda: atom ids must be 0..%d, each once (atom %d has id %d)", n - 1,
                       i, id[i]);
    else
      dev_of_id[id[i]] = i;
  }
  for (int i = 0; i < n && !st; i++) {
    const int m = prm->mol_of_id[id[i]];
    mol[3 * i] = dev_of_id[prm->o_id[m]];
    mol[3 * i + 1] = dev_of_id[prm->h_id[2 * m]];
    mol[3 * i + 2] = dev_of_id[prm->h_id[2 * m + 1]];
  }
  free(dev_of_id);
  return st;
}

static mdb_status gspcfw_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_spcfw_params *prm = (const mdb_spcfw_params *)cpu->ops->params(cpu->ctx);
  const int n = g->n, nt = g->kp->ntypes;
  if (!prm || prm->n != n || !prm->mol_of_id)
    return mdb_err_set(err, MDB_EINPUT, "spcfw on cuda: the calculator was prepared for %d atoms, the engine has %d",
                       prm ? prm->n : 0, n);
  gspcfw *c = (gspcfw *)calloc(1, sizeof *c);
  mdb_spcfw_pair *h = (mdb_spcfw_pair *)calloc((size_t)nt * nt, sizeof *h);
  int *mol = (int *)malloc((size_t)n * 3 * sizeof *mol);
  mdb_status st = MDB_OK;
  if (!c || !h || !mol) st = mdb_err_nomem(err, "spcfw tables", 40.0 * nt * nt + 12.0 * n);
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) h[a * nt + b] = prm->pair[a * MDB_MAX_TYPES + b];
  if (!st) st = molecule_table(g, prm, mol, err);
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, (size_t)nt * nt * sizeof *h, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->mol, (size_t)n * 3 * sizeof *mol, err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, h, (size_t)nt * nt * sizeof *h, err)))
    st = g->dev->ops->h2d(g->dev, c->mol, mol, (size_t)n * 3 * sizeof *mol, err);
  free(h);
  free(mol);
  if (st) {
    free(c);
    return st;
  }
  c->dsf = prm->dsf;
  c->k_bond = prm->k_bond;
  c->r0_bond = prm->r0_bond;
  c->k_angle = prm->k_angle;
  c->theta0 = prm->theta0;
  c->span2 = prm->mol_span * prm->mol_span;
  *ctx = c;
  return MDB_OK;
}

static mdb_status gspcfw_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const gspcfw *c = (const gspcfw *)ctx;
  mdb_kp_spcfw q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.mol = c->mol;
  q.dsf = c->dsf;
  q.k_bond = c->k_bond;
  q.r0_bond = c->r0_bond;
  q.k_angle = c->k_angle;
  q.theta0 = c->theta0;
  q.span2 = c->span2;
  return mdb_launch_spcfw(g->dev, g->n, &q, err);
}

MDB_KERNELS_SPCFW(MDB_KERNEL_DEFINE)

const mdb_gcalc_ops mdb_spcfw_gpu = {0, gspcfw_setup, gspcfw_forces, NULL};
