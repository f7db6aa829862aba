/*
 * gens.c — NVT (Nosé–Hoover chain, Langevin) and NPT (MTK) on the device:
 * the kernels of gpu/kern_ens.h around the engine's neighbour build and
 * force call, with the reductions between them. The thermostat and
 * barostat state lives in g (mdb_gstate), so steps capture as graphs.
 */
#include "core/rng.h"
#include "gpu/gmd_impl.h"

mdb_status mdb_gens_setup(mdb_gmd *g, const mdb_md *md, mdb_err *err) {
  const mdb_ensemble *e = &md->ens;
  const int nhc = e->thermostat == MDB_THERMOSTAT_NHC, lgv = e->thermostat == MDB_THERMOSTAT_LANGEVIN;
  if (!((e->protocol == MDB_PROTOCOL_NVT && (nhc || lgv)) || (e->protocol == MDB_PROTOCOL_NPT && nhc)))
    return mdb_err_set(err, MDB_EINPUT, "--protocol %s with --thermostat %s is not available on cuda",
                       mdb_protocol_name(e->protocol), mdb_thermostat_name(e->thermostat));
  mdb_gstate *s = &g->gh;
  s->nhc = md->nhc;
  s->mtk = md->mtk;
  s->ke2 = md->ke2;
  s->heat = md->heat;
  s->scale = 1.0;
  s->sp = 1.0;
  s->eps_step = 1.0;
  mdb_kp *p = &g->kp;
  p->lgv_c1 = md->lgv_c1;
  p->lgv_c2 = md->lgv_c2;
  for (int t = 0; t < MDB_MAX_TYPES; t++) p->lgv_sigma[t] = md->lgv_sigma[t];
  mdb_rng_key(e->seed, &p->key0, &p->key1);
  g->ens_flags = e->protocol == MDB_PROTOCOL_NPT ? MDB_COMPUTE_VIRIAL : 0u;
  return MDB_OK;
}

mdb_status mdb_gens_first(mdb_gmd *g, mdb_err *err) {
  mdb_dev *d = g->dev;
  const mdb_kp p = mdb_gmd_kp(g, 0);
  const long n = g->n;
  mdb_gstate *gd = g->gd;
  mdb_status st;
  if (g->ens.protocol == MDB_PROTOCOL_NPT) {
    if ((st = mdb_launch_npt_pre(d, 1, &p, err)) || (st = mdb_launch_npt_1(d, n, &p, err)) ||
        (st = mdb_launch_npt_box(d, 1, &p, err)))
      return st;
    return MDB_OK;
  }
  if (g->ens.thermostat == MDB_THERMOSTAT_LANGEVIN) {
    /* the columns MV2 (m), P (m v), MV2B (m v² before O) are contiguous,
     * as are red[MV2], red[P], red[MV2B]: one reduction of 5 columns */
    if ((st = mdb_launch_lgv_1(d, n, &p, err)) ||
        (st = d->ops->reduce_sum(d, g->kp.scr, n, MDB_SCR_N, gd->red + MDB_RED_MV2, err)) ||
        (st = mdb_launch_lgv_2(d, n, &p, err)) ||
        (st = d->ops->reduce_sum(d, g->kp.scr + MDB_SCR_MV2 * n, n, 1, gd->red + MDB_RED_MV2, err)) ||
        (st = mdb_launch_lgv_heat(d, 1, &p, err)))
      return st;
    return MDB_OK;
  }
  if ((st = mdb_launch_nhc_pre(d, 1, &p, err)) || (st = mdb_launch_nhc_1(d, n, &p, err))) return st;
  return MDB_OK;
}

mdb_status mdb_gens_second(mdb_gmd *g, unsigned flags, mdb_err *err) {
  mdb_dev *d = g->dev;
  const mdb_kp p = mdb_gmd_kp(g, flags);
  const long n = g->n;
  double *mv2 = g->gd->red + MDB_RED_MV2;
  const double *col = g->kp.scr + MDB_SCR_MV2 * n;
  mdb_status st;
  if (g->ens.protocol == MDB_PROTOCOL_NPT) {
    if ((st = mdb_launch_npt_2(d, n, &p, err)) || (st = d->ops->reduce_sum(d, col, n, 1, mv2, err)) ||
        (st = mdb_launch_npt_post(d, 1, &p, err)) || (st = mdb_launch_scale_v(d, n, &p, err)))
      return st;
    return MDB_OK;
  }
  if (g->ens.thermostat == MDB_THERMOSTAT_LANGEVIN) return mdb_launch_nve_2(d, n, &p, err);
  if ((st = mdb_launch_nhc_2(d, n, &p, err)) || (st = d->ops->reduce_sum(d, col, n, 1, mv2, err)) ||
      (st = mdb_launch_nhc_post(d, 1, &p, err)) || (st = mdb_launch_scale_v(d, n, &p, err)))
    return st;
  return MDB_OK;
}

double mdb_gens_extended(const mdb_gmd *g, const mdb_gstate *s) {
  switch (g->ens.protocol) {
  case MDB_PROTOCOL_NVE: return 0.0;
  case MDB_PROTOCOL_NVT:
    return g->ens.thermostat == MDB_THERMOSTAT_LANGEVIN ? -s->heat : mdb_nhc_energy_hd(&s->nhc);
  case MDB_PROTOCOL_NPT:
    return mdb_nhc_energy_hd(&s->nhc) + 1.5 * s->mtk.w * s->mtk.veps * s->mtk.veps + s->mtk.p_ext * s->volume +
           mdb_nhc_energy_hd(&s->mtk.chain);
  }
  return 0.0;
}
