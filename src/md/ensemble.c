/*
 * ensemble.c — choosing and checking an ensemble, and its conserved
 * quantity (the formulas: md/md.h).
 *
 * Thermostat and barostat parameters follow LAMMPS's fix nvt/npt (fix_nh.cpp):
 *   particles' chain  Q_1 = N_f kB T τ_T²,  Q_k = kB T τ_T²  (k ≥ 2)
 *   barostat          W = (N + 1) kB T τ_P² per dimension (3 equal copies
 *                     for iso, so the barostat's 2 KE is 3 W v_ε²)
 *   barostat's chain  Q_k = kB T τ_P², acting on 1 degree of freedom
 *   Langevin          γ = 1/τ_T, c1 = exp(−γ dt), c2 = √(1 − c1²)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "md/ensemble_hd.h"
#include "md/md.h"

void mdb_ensemble_defaults(mdb_ensemble *e) {
  memset(e, 0, sizeof *e);
  e->protocol = MDB_PROTOCOL_NVE;
  e->thermostat = MDB_THERMOSTAT_NONE;
  e->temperature_K = 300.0;
  e->tdamp_fs = MDB_DEFAULT_TDAMP_FS;
  e->pdamp_fs = MDB_DEFAULT_PDAMP_FS;
  e->pressure_bar = MDB_DEFAULT_PRESSURE_BAR;
  e->chain = MDB_DEFAULT_CHAIN;
  e->seed = 42;
}

static const char *const protocol_names[] = {"NVE", "NVT", "NPT"};
static const char *const thermostat_names[] = {"none", "nhc", "langevin"};

mdb_status mdb_protocol_parse(const char *name, mdb_protocol *p, mdb_err *err) {
  for (int k = 0; k < 3; k++)
    if (strcmp(name, protocol_names[k]) == 0) {
      *p = (mdb_protocol)k;
      return MDB_OK;
    }
  return mdb_err_set(err, MDB_EINPUT, "unknown protocol '%s' (valid: " MDB_PROTOCOL_NAMES ")", name);
}

mdb_status mdb_thermostat_parse(const char *name, mdb_thermostat *t, mdb_err *err) {
  for (int k = 1; k < 3; k++)
    if (strcmp(name, thermostat_names[k]) == 0) {
      *t = (mdb_thermostat)k;
      return MDB_OK;
    }
  return mdb_err_set(err, MDB_EINPUT, "unknown thermostat '%s' (valid: " MDB_THERMOSTAT_NAMES ")", name);
}

const char *mdb_protocol_name(mdb_protocol p) { return (unsigned)p < 3 ? protocol_names[p] : "?"; }

const char *mdb_thermostat_name(mdb_thermostat t) { return (unsigned)t < 3 ? thermostat_names[t] : "?"; }

mdb_status mdb_ensemble_check(const mdb_ensemble *e, mdb_err *err) {
  if ((unsigned)e->protocol > MDB_PROTOCOL_NPT)
    return mdb_err_set(err, MDB_EINPUT, "unknown protocol %d (valid: " MDB_PROTOCOL_NAMES ")", (int)e->protocol);
  if ((unsigned)e->thermostat > MDB_THERMOSTAT_LANGEVIN)
    return mdb_err_set(err, MDB_EINPUT, "unknown thermostat %d (valid: " MDB_THERMOSTAT_NAMES ")", (int)e->thermostat);
  if (e->protocol == MDB_PROTOCOL_NVE) {
    if (e->thermostat != MDB_THERMOSTAT_NONE)
      return mdb_err_set(err, MDB_EINPUT, "--thermostat %s needs --protocol NVT or NPT (NVE has no thermostat)",
                         mdb_thermostat_name(e->thermostat));
    return MDB_OK;
  }
  if (e->thermostat == MDB_THERMOSTAT_NONE)
    return mdb_err_set(err, MDB_EINPUT, "--protocol %s needs a thermostat (valid: " MDB_THERMOSTAT_NAMES ")",
                       mdb_protocol_name(e->protocol));
  if (e->protocol == MDB_PROTOCOL_NPT && e->thermostat != MDB_THERMOSTAT_NHC)
    return mdb_err_set(err, MDB_EINPUT,
                       "--protocol NPT couples the MTK barostat to a Nosé–Hoover chain: --thermostat must be nhc "
                       "(got %s)",
                       mdb_thermostat_name(e->thermostat));
  if (!(e->temperature_K > 0) || !isfinite(e->temperature_K))
    return mdb_err_set(err, MDB_EINPUT, "--protocol %s needs a target --temperature-K > 0 (got %g)",
                       mdb_protocol_name(e->protocol), e->temperature_K);
  if (!(e->tdamp_fs > 0) || !isfinite(e->tdamp_fs))
    return mdb_err_set(err, MDB_EINPUT, "--tdamp-fs must be > 0 (got %g)", e->tdamp_fs);
  if (e->thermostat == MDB_THERMOSTAT_NHC && (e->chain < 1 || e->chain > MDB_NHC_MAX_CHAIN))
    return mdb_err_set(err, MDB_EINPUT, "the Nosé–Hoover chain length must be 1..%d (got %d)", MDB_NHC_MAX_CHAIN,
                       e->chain);
  if (e->protocol == MDB_PROTOCOL_NPT) {
    if (!(e->pdamp_fs > 0) || !isfinite(e->pdamp_fs))
      return mdb_err_set(err, MDB_EINPUT, "--pdamp-fs must be > 0 (got %g)", e->pdamp_fs);
    if (!isfinite(e->pressure_bar))
      return mdb_err_set(err, MDB_EINPUT, "--pressure-bar must be a finite number (got %g)", e->pressure_bar);
  }
  return MDB_OK;
}

mdb_status mdb_ensemble_check_system(const mdb_ensemble *e, const mdb_system *sys, const mdb_calc_out *out,
                                     const char *calc_name, mdb_err *err) {
  if (e->protocol == MDB_PROTOCOL_NVE) return MDB_OK;
  if (mdb_dof(sys) < 1)
    return mdb_err_set(err, MDB_EINPUT, "--protocol %s needs at least 2 atoms to thermostat (%s has %d)",
                       mdb_protocol_name(e->protocol), sys->name, sys->n);
  if (e->protocol != MDB_PROTOCOL_NPT) return MDB_OK;
  const double(*h)[3] = sys->box.h;
  if (h[0][1] != 0 || h[0][2] != 0 || h[1][0] != 0 || h[1][2] != 0 || h[2][0] != 0 || h[2][1] != 0)
    return mdb_err_set(err, MDB_EINPUT,
                       "--protocol NPT scales an orthorhombic box, but the cell of %s is triclinic (a = %g %g %g, "
                       "b = %g %g %g, c = %g %g %g Å); use NVT or NVE",
                       sys->name, h[0][0], h[0][1], h[0][2], h[1][0], h[1][1], h[1][2], h[2][0], h[2][1], h[2][2]);
  int finite = 1;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) finite &= isfinite(out->virial[a][b]) != 0;
  if (!finite)
    return mdb_err_set(err, MDB_EINPUT,
                       "--protocol NPT needs the pressure, but calculator '%s' gives no virial; use NVT or NVE with it",
                       calc_name);
  return MDB_OK;
}

mdb_status mdb_md_set_ensemble(mdb_md *md, const mdb_ensemble *e, mdb_err *err) {
  mdb_status st = mdb_ensemble_check(e, err);
  if (st) return st;
  if (e->protocol == MDB_PROTOCOL_NPT && !(md->last_flags & MDB_COMPUTE_VIRIAL))
    if ((st = mdb_md_forces(md, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, err))) return st;
  if ((st = mdb_ensemble_check_system(e, md->sys, &md->out, md->calc->spec.name, err))) return st;
  mdb_system *sys = md->sys;
  md->ens = *e;
  md->kt = e->protocol == MDB_PROTOCOL_NVE ? 0.0 : MDB_KB_EV * e->temperature_K;
  md->ke2 = 2.0 * mdb_kinetic_energy(sys);
  md->heat = 0;
  memset(&md->nhc, 0, sizeof md->nhc);
  memset(&md->mtk, 0, sizeof md->mtk);
  if (e->thermostat == MDB_THERMOSTAT_NHC) mdb_nhc_init(&md->nhc, e->chain, mdb_dof(sys), md->kt, e->tdamp_fs);
  if (e->protocol == MDB_PROTOCOL_NPT) {
    md->mtk.w = (sys->n + 1.0) * md->kt * e->pdamp_fs * e->pdamp_fs;
    md->mtk.p_ext = e->pressure_bar / MDB_EVA3_TO_BAR;
    mdb_nhc_init(&md->mtk.chain, e->chain, 1.0, md->kt, e->pdamp_fs);
  }
  if (e->thermostat == MDB_THERMOSTAT_LANGEVIN) {
    double x = md->dt / e->tdamp_fs;
    md->lgv_c1 = exp(-x);
    md->lgv_c2 = sqrt(-expm1(-2.0 * x));
    for (int t = 0; t < sys->ntypes; t++) md->lgv_sigma[t] = sqrt(md->kt * MDB_FTM2V / sys->mass[t]);
  }
  return MDB_OK;
}

double mdb_md_extended_energy(const mdb_md *md) {
  return mdb_ens_extended_hd(md->ens.protocol, md->ens.thermostat, &md->nhc, &md->mtk, md->heat, md->sys->box.volume);
}

void mdb_md_thermo(const mdb_md *md, mdb_thermo *th) {
  mdb_thermo_compute(md->sys, &md->out, th);
  if (md->ens.protocol != MDB_PROTOCOL_NVE) th->conserved = th->total + mdb_md_extended_energy(md);
}
