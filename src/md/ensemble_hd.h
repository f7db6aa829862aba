/*
 * ensemble_hd.h — the ensembles' formulas that the CPU integrators (md/)
 * and the GPU engine (gpu/kern_ens.h, gpu/gens.c, gpu/gmd.c) share, as
 * `MDB_HD static inline` functions (the pattern of nhc_hd.h): only the
 * loops and where the sums come from differ.
 *
 *   thermo      T = 2 KE / (N_dof kB), P = (2 KE + tr W) / (3 V) from the
 *               energies and the virial's trace (md/md.h sign convention)
 *   extended    the thermostat and barostat terms of the conserved energy:
 *               the chains' energies (nhc_hd.h), ½·3 W v_ε² + P_ext V for
 *               MTK, minus the heat the Langevin thermostat put in
 *   MTK         v_ε += h F_ε / W (Martyna–Tuckerman–Klein 1994, LAMMPS's
 *               fix nh omega_dot, isotropic; md/mtk.c); the step's order
 *               around it is md/npt_hd.h
 *   Langevin    BAOAB (Leimkuhler–Matthews 2013; md/langevin.c): B A O
 *               for one atom, then, after the centre-of-mass velocity is
 *               known, its removal and the second A
 *
 * Each accumulating function adds into a caller's sum component by
 * component, in the order the CPU loop always did, so the CPU's bits are
 * unchanged and the device reproduces them per atom.
 */
#ifndef MDB_ENSEMBLE_HD_H
#define MDB_ENSEMBLE_HD_H

#include "core/hd.h"
#include "core/units.h"
#include "md/md.h"
#include "md/nhc_hd.h"

/* Potential, kinetic and total energy, temperature, volume and pressure
 * from the potential and kinetic energy (eV), the virial's trace (eV), the
 * volume (Å³) and the degrees of freedom. conserved and momentum are the
 * caller's. */
MDB_HD static inline void mdb_thermo_fill_hd(mdb_thermo *th, double potential, double kinetic, double trw,
                                             double volume, int dof) {
  th->potential = potential;
  th->kinetic = kinetic;
  th->total = th->potential + th->kinetic;
  th->temperature = dof ? 2.0 * th->kinetic / (dof * MDB_KB_EV) : 0.0;
  th->volume = volume;
  th->pressure = (2.0 * th->kinetic + trw) / (3.0 * th->volume) * MDB_EVA3_TO_BAR;
}

/* The thermostat and barostat terms of the conserved energy (eV): heat is
 * what the Langevin thermostat put in so far (eV), volume the cell's. */
MDB_HD static inline double mdb_ens_extended_hd(mdb_protocol protocol, mdb_thermostat thermostat, const mdb_nhc *nhc,
                                                const mdb_mtk *mtk, double heat, double volume) {
  switch (protocol) {
  case MDB_PROTOCOL_NVE: return 0.0;
  case MDB_PROTOCOL_NVT: return thermostat == MDB_THERMOSTAT_LANGEVIN ? -heat : mdb_nhc_energy_hd(nhc);
  case MDB_PROTOCOL_NPT:
    return mdb_nhc_energy_hd(nhc) + 1.5 * mtk->w * mtk->veps * mtk->veps + mtk->p_ext * volume +
           mdb_nhc_energy_hd(&mtk->chain);
  }
  return 0.0;
}

/* MTK: v_ε += h F_ε/W with the volume, 2 KE (eV), the virial's trace and
 * n atoms; updates mtk2 = v_ε / n. */
MDB_HD static inline void mdb_mtk_omega_dot_hd(mdb_mtk *b, double vol, double trw, double ke2, int n, double h) {
  const double p = (ke2 + trw) / (3.0 * vol);
  b->veps += h * ((p - b->p_ext) * vol / b->w + ke2 / (3.0 * n * b->w));
  b->mtk2 = b->veps / n;
}

/* Langevin B, A and O for one atom: v += c f (c = ½dt F/m), x += h v,
 * *mv2b += m v² (before O), v = c1 v + sd g (sd = c2 σ, g three normal
 * deviates). */
MDB_HD static inline void mdb_lgv_bao_hd(double *v, double *x, const double *f, double c, double h, double m, double c1,
                                         double sd, const double *g, double *mv2b) {
  for (int k = 0; k < 3; k++) {
    v[k] += c * f[k];
    x[k] += h * v[k];
    *mv2b += m * v[k] * v[k];
    v[k] = c1 * v[k] + sd * g[k];
  }
}

/* Langevin, after O: the centre-of-mass velocity vc out, the second A
 * (x += h v), *mv2 += m v² (after O). */
MDB_HD static inline void mdb_lgv_com_a_hd(double *v, double *x, const double *vc, double h, double m, double *mv2) {
  for (int k = 0; k < 3; k++) {
    v[k] -= vc[k];
    x[k] += h * v[k];
    *mv2 += m * v[k] * v[k];
  }
}

#endif
