/*
 * nhc.c — Nosé–Hoover chains (Martyna, Klein & Tuckerman, J. Chem. Phys. 97,
 * 2635 (1992)) and the NVT step that uses them.
 *
 * A chain of m thermostats with positions ξ_k, velocities v_k (1/fs) and
 * masses Q_k (eV·fs²) acts on nf degrees of freedom of kinetic energy KE:
 *   dv_1/dt = (2 KE − nf kT)/Q_1 − v_1 v_2
 *   dv_k/dt = (Q_{k−1} v_{k−1}² − kT)/Q_k − v_k v_{k+1}     (v_{m+1} = 0)
 *   dξ_k/dt = v_k,   and the particles' velocities feel −v_1 p.
 * Its energy ½ Σ Q_k v_k² + nf kT ξ_1 + Σ_{k≥2} kT ξ_k plus the particles'
 * is conserved. A half-step (h = dt/2) is the Trotter sweep of LAMMPS's
 * FixNH::nhc_temp_integrate (one loop, no Suzuki–Yoshida weights): the
 * chain top-down by h/2, the particle velocities scaled by exp(−h v_1),
 * ξ advanced by h, the chain bottom-up by h/2; every v_k update is wrapped
 * in exp(−h/4 v_{k+1}) factors.
 *
 * The NVT step (LAMMPS fix nvt): chain half-step; v += ½dt F/m; x += dt v;
 * forces; v += ½dt F/m; chain half-step. The chain scale is folded into the
 * velocity loops, and 2 KE after the last scale is kept for the next step
 * (as LAMMPS keeps t_current), so the thermostat adds no pass over the atoms
 * but the final scaling.
 */
#include <math.h>
#include <string.h>

#include "core/units.h"
#include "md/md.h"
#include "md/nhc_hd.h"

void mdb_nhc_init(mdb_nhc *c, int m, double nf, double kt, double tau_fs) {
  memset(c, 0, sizeof *c);
  c->m = m;
  c->nf = nf;
  c->kt = kt;
  for (int k = 0; k < m; k++) c->q[k] = kt * tau_fs * tau_fs;
  c->q[0] *= nf;
}

/* the chain's arithmetic lives in md/nhc_hd.h, shared with the device */
double mdb_nhc_half_step(mdb_nhc *c, double ke2, double h) { return mdb_nhc_half_step_hd(c, ke2, h); }

double mdb_nhc_energy(const mdb_nhc *c) { return mdb_nhc_energy_hd(c); }

mdb_status mdb_md_step_nhc(mdb_md *md, unsigned flags, mdb_err *err) {
  mdb_system *sys = md->sys;
  const int n = sys->n;
  const double dt = md->dt, h = 0.5 * dt;
  double s = mdb_nhc_half_step(&md->nhc, md->ke2, h);
  for (int i = 0; i < n; i++) {
    double c = md->dtf[sys->type[i]];
    double *v = sys->v + 3 * i;
    const double *f = sys->f + 3 * i;
    v[0] = s * v[0] + c * f[0];
    v[1] = s * v[1] + c * f[1];
    v[2] = s * v[2] + c * f[2];
  }
  for (int i = 0; i < 3 * n; i++) sys->x[i] += dt * sys->v[i];
  mdb_status st = mdb_md_forces(md, flags, err);
  if (st) return st;
  double mv2 = 0;
  for (int i = 0; i < n; i++) {
    double c = md->dtf[sys->type[i]];
    double *v = sys->v + 3 * i;
    const double *f = sys->f + 3 * i;
    v[0] += c * f[0];
    v[1] += c * f[1];
    v[2] += c * f[2];
    mv2 += sys->mass[sys->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  md->ke2 = mv2 * MDB_MVV2E;
  s = mdb_nhc_nvt_end_hd(&md->nhc, &md->ke2, h);
  for (int i = 0; i < 3 * n; i++) sys->v[i] *= s;
  md->step++;
  return MDB_OK;
}
