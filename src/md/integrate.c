/*
 * integrate.c — velocity Verlet (NVE), the step dispatch over ensembles
 * (md/nhc.c, md/langevin.c, md/mtk.c) and the thermodynamic observables.
 *
 * Pressure: P = (2 KE + tr W) / (3 V), W_ab = Σ x_a f_b over locals and
 * ghosts (calc/calc.h), converted from eV/Å³ to bar.
 */
#include <math.h>
#include <string.h>

#include "core/units.h"
#include "md/ensemble_hd.h"
#include "md/md.h"

void mdb_thermo_compute(const mdb_system *sys, const mdb_calc_out *out, mdb_thermo *th) {
  memset(th, 0, sizeof *th);
  const double trw = out->virial[0][0] + out->virial[1][1] + out->virial[2][2];
  mdb_thermo_fill_hd(th, out->energy, mdb_kinetic_energy(sys), trw, sys->box.volume, mdb_dof(sys));
  th->conserved = th->total;
  mdb_momentum(sys, th->momentum);
}

mdb_status mdb_md_forces(mdb_md *md, unsigned flags, mdb_err *err) {
  mdb_status st = mdb_neigh_update(&md->nl, md->sys, NULL, err);
  if (st) return st;
  st = mdb_calc_compute(md->calc, md->sys, &md->nl, flags, &md->out, err);
  md->last_flags = st ? 0 : flags;
  return st;
}

mdb_status mdb_md_init(mdb_md *md, mdb_system *sys, mdb_calc *calc, double dt_fs, double skin_A, mdb_err *err) {
  memset(md, 0, sizeof *md);
  if (!(dt_fs > 0) || !isfinite(dt_fs))
    return mdb_err_set(err, MDB_EINPUT, "--timestep-fs must be > 0 (got %g)", dt_fs);
  md->sys = sys;
  md->calc = calc;
  md->dt = dt_fs;
  for (int t = 0; t < sys->ntypes; t++) md->dtf[t] = 0.5 * dt_fs * MDB_FTM2V / sys->mass[t];
  mdb_status st = mdb_calc_prepare(calc, sys, err);
  if (!st) st = mdb_neigh_init(&md->nl, mdb_calc_cutoff(calc), skin_A, mdb_calc_neigh_kinds(calc), err);
  if (!st) st = mdb_md_forces(md, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, err);
  if (st) mdb_md_free(md);
  return st;
}

void mdb_md_free(mdb_md *md) {
  if (!md) return;
  mdb_neigh_free(&md->nl);
  md->sys = NULL;
  md->calc = NULL;
}

static void half_kick(mdb_md *md) {
  mdb_system *sys = md->sys;
  for (int i = 0; i < sys->n; i++) {
    double c = md->dtf[sys->type[i]];
    sys->v[3 * i] += c * sys->f[3 * i];
    sys->v[3 * i + 1] += c * sys->f[3 * i + 1];
    sys->v[3 * i + 2] += c * sys->f[3 * i + 2];
  }
}

mdb_status mdb_md_step(mdb_md *md, unsigned flags, mdb_err *err) {
  if (md->ens.protocol == MDB_PROTOCOL_NPT) return mdb_md_step_npt(md, flags, err);
  if (md->ens.protocol == MDB_PROTOCOL_NVT)
    return md->ens.thermostat == MDB_THERMOSTAT_LANGEVIN ? mdb_md_step_langevin(md, flags, err)
                                                         : mdb_md_step_nhc(md, flags, err);
  mdb_system *sys = md->sys;
  half_kick(md);
  const double dt = md->dt;
  for (int i = 0; i < 3 * sys->n; i++) sys->x[i] += dt * sys->v[i];
  mdb_status st = mdb_md_forces(md, flags, err);
  if (st) return st;
  half_kick(md);
  md->step++;
  return MDB_OK;
}
