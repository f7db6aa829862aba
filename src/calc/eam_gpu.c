/*
 * eam_gpu.c — the device half of the eam calculator: uploads what the
 * prepared CPU calculator holds (calc/eam.h mdb_eam_params) per type of the
 * system — the Zhou parameters, or the F and f tables of each type's
 * element and one interleaved table per type pair (r·φ, f'_a, f'_b) — plus
 * a per-atom F'(ρ) array, and launches calc/eam_kern.h's two kernels.
 */
#include <stdlib.h>
#include <string.h>

#include "calc/eam_kern.h"

typedef struct geam {
  mdb_kp_eam q; /* everything but q.k, filled at setup */
} geam;

static mdb_status geam_upload(const mdb_gcalc_env *g, void **dst, const void *src, size_t bytes, mdb_err *err) {
  mdb_status st = mdb_gcalc_alloc(g, dst, bytes, err);
  return st ? st : g->dev->ops->h2d(g->dev, *dst, src, bytes, err);
}

static mdb_status geam_tables(const mdb_gcalc_env *g, const mdb_eam_params *prm, mdb_kp_eam *q, mdb_err *err) {
  const int nt = prm->ntypes, nr = prm->nr, nrho = prm->nrho;
  const size_t nf = (size_t)nt * nrho, nd = (size_t)nt * nr, np = (size_t)nt * nt * nr;
  mdb_eam_knot *frho = malloc(nf * sizeof *frho), *rhor = malloc(nd * sizeof *rhor);
  mdb_eam_gknot *pair = calloc(np, sizeof *pair);
  mdb_status st = MDB_OK;
  if (!frho || !rhor || !pair)
    st = mdb_err_nomem(err, "eam device tables", (double)(nf + nd) * sizeof *frho + (double)np * sizeof *pair);
  for (int a = 0; !st && a < nt; a++) {
    memcpy(frho + (size_t)a * nrho, prm->frho + (size_t)prm->map[a] * nrho, (size_t)nrho * sizeof *frho);
    memcpy(rhor + (size_t)a * nr, prm->rhor + (size_t)prm->map[a] * nr, (size_t)nr * sizeof *rhor);
    for (int b = 0; b < nt; b++) {
      const mdb_eam_knot *fa = prm->rhor + (size_t)prm->map[a] * nr, *fb = prm->rhor + (size_t)prm->map[b] * nr;
      const mdb_eam_knot *z = prm->z2r + (size_t)mdb_eam_tri(prm->map[a], prm->map[b]) * nr;
      mdb_eam_gknot *k = pair + (size_t)(a * nt + b) * nr;
      for (int m = 0; m < nr; m++) {
        memcpy(k[m].z, z[m].c, sizeof k[m].z);
        memcpy(k[m].dz, z[m].d, sizeof k[m].dz);
        memcpy(k[m].dfi, fa[m].d, sizeof k[m].dfi);
        memcpy(k[m].dfj, fb[m].d, sizeof k[m].dfj);
      }
    }
  }
  void *df = NULL, *dd = NULL, *dp = NULL;
  if (!st && !(st = geam_upload(g, &df, frho, nf * sizeof *frho, err)) &&
      !(st = geam_upload(g, &dd, rhor, nd * sizeof *rhor, err)))
    st = geam_upload(g, &dp, pair, np * sizeof *pair, err);
  free(frho);
  free(rhor);
  free(pair);
  if (st) return st;
  q->frho = (const mdb_eam_knot *)df;
  q->rhor = (const mdb_eam_knot *)dd;
  q->pair = (const mdb_eam_gknot *)dp;
  q->nrho = nrho;
  q->nr = nr;
  q->rdrho = 1.0 / prm->drho; /* as calc/eam.c forms them */
  q->rdr = 1.0 / prm->dr;
  q->rhomax = prm->rhomax;
  return MDB_OK;
}

static mdb_status geam_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_eam_params *prm = (const mdb_eam_params *)cpu->ops->params(cpu->ctx);
  if (!prm || prm->ntypes != g->kp->ntypes || prm->ntypes < 1)
    return mdb_err_set(err, MDB_ERUN, "eam on cuda: the calculator is not prepared for this system (%d species)",
                       g->kp->ntypes);
  geam *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "eam device state", sizeof *c);
  mdb_kp_eam *q = &c->q;
  q->analytic = prm->analytic;
  q->one_type = prm->ntypes == 1;
  q->rc2 = prm->rc2;
  void *fp = NULL, *zhou = NULL;
  mdb_status st = mdb_gcalc_alloc(g, &fp, (size_t)g->n * sizeof(double), err);
  if (!st && prm->analytic) st = geam_upload(g, &zhou, prm->zhou, (size_t)prm->ntypes * sizeof prm->zhou[0], err);
  if (!st && !prm->analytic) st = geam_tables(g, prm, q, err);
  if (st) {
    free(c);
    return st;
  }
  q->fp = (double *)fp;
  q->zhou = (const mdb_zhou *)zhou;
  *ctx = c;
  return MDB_OK;
}

static mdb_status geam_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  mdb_kp_eam q = ((const geam *)ctx)->q;
  q.k = mdb_gcalc_kp(g, flags); /* the list may have grown since setup */
  mdb_status st = mdb_launch_eam_rho(g->dev, g->n, &q, err);
  return st ? st : mdb_launch_eam_force(g->dev, g->n, &q, err);
}

MDB_KERNELS_EAM(MDB_KERNEL_DEFINE)

const mdb_gcalc_ops mdb_eam_gpu = {0, geam_setup, geam_forces, NULL};
