/*
 * langevin.c — Langevin dynamics by BAOAB (Leimkuhler & Matthews, Appl.
 * Math. Res. Express 2013, 34; J. Chem. Phys. 138, 174102 (2013)).
 *
 *   dv = F/m dt − γ v dt + √(2 γ kB T / m) dW,   γ = 1/tdamp
 *
 * One step: B v += ½dt F/m;  A x += ½dt v;  O v = c1 v + c2 σ R;
 * A x += ½dt v;  [forces];  B v += ½dt F/m,  with c1 = exp(−γ dt),
 * c2 = √(1 − c1²), σ = √(kB T FTM2V / m) in Å/fs, R standard normal. The O
 * step is the exact solution of the Ornstein–Uhlenbeck part, so the
 * velocity distribution it leaves is exactly Maxwell–Boltzmann whatever γ dt.
 *
 * Noise: R for component k of the atom with original index id, at step s,
 * is Philox under the key of the seed with counter (id, s mod 2³², stream
 * MDB_STREAM_THERMOSTAT + 16·(k/2), attempt), first or second deviate of
 * the Marsaglia pair: independent of storage order and of how the atoms are
 * split, so a seed repeats bit for bit.
 *
 * Total momentum: the noise's centre-of-mass part is removed after each O
 * step (v_i −= Σ m_j v_j / M). In mass-weighted coordinates this projects
 * the Ornstein–Uhlenbeck step onto the zero-momentum subspace, which it
 * commutes with (γ is the same for every atom), so the 3N − 3 remaining
 * degrees of freedom are sampled exactly and mdb_dof stays right.
 *
 * Conserved quantity: the heat Q = Σ over O steps of (KE after − KE before)
 * is accumulated; E − Q changes only by the discretisation error of the
 * deterministic B and A parts (Bussi & Parrinello, Phys. Rev. E 75, 056707
 * (2007), the "effective energy").
 */
#include <math.h>

#include "core/rng.h"
#include "core/units.h"
#include "md/ensemble_hd.h"
#include "md/md.h"

mdb_status mdb_md_step_langevin(mdb_md *md, unsigned flags, mdb_err *err) {
  mdb_system *sys = md->sys;
  const int n = sys->n;
  const double dt = md->dt, h = 0.5 * dt, c1 = md->lgv_c1, c2 = md->lgv_c2;
  uint32_t k0, k1;
  mdb_rng_key(md->ens.seed, &k0, &k1);
  const uint32_t step = (uint32_t)(md->step + 1);
  double mv2_before = 0, mv2_after = 0, p[3] = {0, 0, 0}, mtot = 0;
  for (int i = 0; i < n; i++) {
    const int t = sys->type[i];
    const double c = md->dtf[t], m = sys->mass[t], sd = c2 * md->lgv_sigma[t];
    double *v = sys->v + 3 * i, *x = sys->x + 3 * i;
    const double *f = sys->f + 3 * i;
    double g[4];
    mdb_gauss2(k0, k1, (uint32_t)sys->id[i], step, MDB_STREAM_THERMOSTAT, &g[0], &g[1]);
    mdb_gauss2(k0, k1, (uint32_t)sys->id[i], step, MDB_STREAM_THERMOSTAT + 16, &g[2], &g[3]);
    mdb_lgv_bao_hd(v, x, f, c, h, m, c1, sd, g, &mv2_before);
    for (int k = 0; k < 3; k++) p[k] += m * v[k];
    mtot += m;
  }
  const double vc[3] = {p[0] / mtot, p[1] / mtot, p[2] / mtot};
  for (int i = 0; i < n; i++) {
    const double m = sys->mass[sys->type[i]];
    double *v = sys->v + 3 * i, *x = sys->x + 3 * i;
    mdb_lgv_com_a_hd(v, x, vc, h, m, &mv2_after);
  }
  md->heat += 0.5 * (mv2_after - mv2_before) * MDB_MVV2E;
  mdb_status st = mdb_md_forces(md, flags, err);
  if (st) return st;
  for (int i = 0; i < n; i++) {
    double c = md->dtf[sys->type[i]];
    double *v = sys->v + 3 * i;
    const double *f = sys->f + 3 * i;
    v[0] += c * f[0];
    v[1] += c * f[1];
    v[2] += c * f[2];
  }
  md->step++;
  return MDB_OK;
}
