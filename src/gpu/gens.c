/*
 * gens.c — NVT (Nosé–Hoover chain, Langevin) and NPT (MTK) on the device:
 * the kernels of gpu/kern_ens.h around the engine's neighbour build and
 * force call, with the reductions between them. The thermostat and
 * barostat state lives in g (mdb_gstate), so steps capture as graphs; the
 * launches of a step are listed in kern_ens.h.
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
  s->nhc_mid = md->nhc;
  s->mtk_mid = md->mtk;
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

mdb_status mdb_gens_start(mdb_gmd *g, mdb_err *err) {
  const mdb_kp p = mdb_gmd_kp(g, 0);
  return g->ens.protocol == MDB_PROTOCOL_NPT ? mdb_launch_npt_init(g->dev, 1, &p, err) : MDB_OK;
}

mdb_status mdb_gens_first(mdb_gmd *g, mdb_err *err) {
  mdb_dev *d = g->dev;
  const mdb_kp p = mdb_gmd_kp(g, 0);
  const long n = g->n;
  mdb_status st;
  if (g->ens.protocol == MDB_PROTOCOL_NPT) return mdb_launch_npt_1(d, n, &p, err);
  if (g->ens.thermostat == MDB_THERMOSTAT_LANGEVIN) {
    /* the columns MV2 (m) and P (m v) are contiguous, as are red[MV2] and
     * red[P]: one reduction of 4 columns */
    if ((st = mdb_launch_lgv_1(d, n, &p, err)) ||
        (st = d->ops->reduce_sum(d, g->kp.scr, n, 4, g->gd->red + MDB_RED_MV2, err)) ||
        (st = mdb_launch_lgv_2(d, n, &p, err)))
      return st;
    return MDB_OK;
  }
  return mdb_launch_nhc_1(d, n, &p, err);
}

mdb_status mdb_gens_second(mdb_gmd *g, unsigned flags, mdb_err *err) {
  mdb_dev *d = g->dev;
  const mdb_kp p = mdb_gmd_kp(g, flags);
  const long n = g->n;
  const int lanes = p.lanes > 1; /* the forces are lanes' partials: the first kernel adds them */
  mdb_gstate *gd = g->gd;
  mdb_status st;
  if (g->ens.protocol == MDB_PROTOCOL_NPT) {
    /* the virial's 9 columns and m v² (column 9 of vatom) into red[VIRIAL..MV2] */
    if ((st = (lanes ? mdb_launch_npt_2_lanes : mdb_launch_npt_2)(d, n, &p, err)) ||
        (st = d->ops->reduce_sum(d, g->kp.vatom, n, 10, gd->red + MDB_RED_VIRIAL, err)) ||
        (st = mdb_launch_npt_end(d, n, &p, err)))
      return st;
    return MDB_OK;
  }
  if (g->ens.thermostat == MDB_THERMOSTAT_LANGEVIN)
    return (lanes ? mdb_launch_nve_2_lanes : mdb_launch_nve_2)(d, n, &p, err);
  if ((st = (lanes ? mdb_launch_nhc_2_lanes : mdb_launch_nhc_2)(d, n, &p, err)) ||
      (st = d->ops->reduce_sum(d, g->kp.scr + MDB_SCR_MV2 * n, n, 1, gd->red + MDB_RED_MV2, err)) ||
      (st = mdb_launch_nhc_end(d, n, &p, err)))
    return st;
  return MDB_OK;
}

double mdb_gens_extended(const mdb_gmd *g, const mdb_gstate *s) {
  const double heat = s->heat + 0.5 * s->red[MDB_RED_HEAT] * MDB_MVV2E; /* Langevin: before the engine + on it */
  return mdb_ens_extended_hd(g->ens.protocol, g->ens.thermostat, &s->nhc, &s->mtk, heat, s->vols);
}
