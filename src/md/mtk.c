/*
 * mtk.c — isotropic NPT: the Martyna–Tobias–Klein barostat (J. Chem. Phys.
 * 101, 4177 (1994)) with Nosé–Hoover chains on the particles and on the
 * barostat, integrated as LAMMPS's fix npt … iso (fix_nh.cpp, mtk yes,
 * tchain = pchain = 3, one chain loop).
 *
 * Equations (per dimension d of an orthorhombic box, all three equal for
 * iso; v_ε is LAMMPS's omega_dot, W = (N+1) kB T τ_P² its omega_mass):
 *   dx/dt   = v + v_ε x
 *   dv/dt   = F/m − (1 + 1/N) v_ε v − v_ξ1 v
 *   W dv_ε/dt = (P − P_ext) V + 2 KE/(3N) − W v_η1 v_ε
 *   dL/dt   = v_ε L       (so dV/dt = 3 v_ε V)
 * with P = (2 KE + tr W_vir)/(3V). Conserved: KE + U + particle chain
 * + 3·½ W v_ε² + P_ext V + barostat chain (md/md.h).
 *
 * One step (h = dt/2):
 *   barostat chain (h) on 2 KE_baro = 3 W v_ε², scaling v_ε
 *   particle chain (h) on 2 KE, scaling v
 *   v_ε += h [(P − P_ext) V/W + 2 KE/(3N W)]     (P from the last virial)
 *   v *= exp(−h (1 + 1/N) v_ε);  v += h F/m
 *   x, L *= exp(h v_ε);  x += dt v;  x, L *= exp(h v_ε)
 *   [neighbours, forces, virial]
 *   v += h F/m;  v *= exp(−h (1 + 1/N) v_ε)
 *   v_ε += h [(P − P_ext) V/W + 2 KE/(3N W)]     (P from the new virial)
 *   particle chain (h); barostat chain (h)
 * Positions scale about the origin of the cell (LAMMPS scales about its
 * centre: the two differ by a uniform translation). The velocity scalings
 * are folded into the kicks, the two position scalings into the drift. The
 * scalar part (chains, v_ε, the factors) is md/npt_hd.h, which the device's
 * kernels (gpu/kern_ens.h) call too; the loops over atoms are here.
 */
#include <math.h>
#include <stdio.h>

#include "core/units.h"
#include "md/md.h"
#include "md/npt_hd.h"

/* the virial's trace (eV) from the last force call */
static double trace(const mdb_md *md) { return md->out.virial[0][0] + md->out.virial[1][1] + md->out.virial[2][2]; }

static mdb_status scale_box(mdb_system *sys, double f, mdb_err *err) {
  double h[3][3];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) h[a][b] = sys->box.h[a][b] * f;
  return mdb_box_set(&sys->box, h, err);
}

mdb_status mdb_md_step_npt(mdb_md *md, unsigned flags, mdb_err *err) {
  mdb_system *sys = md->sys;
  mdb_mtk *b = &md->mtk;
  const int n = sys->n;
  const double dt = md->dt, h = 0.5 * dt;

  /* the scalars (md/npt_hd.h, shared with the device); the loops are ours */
  const mdb_npt_half sc = mdb_npt_begin_hd(b, &md->nhc, &md->ke2, sys->box.volume, trace(md), n, h);
  for (int i = 0; i < n; i++) {
    double c = md->dtf[sys->type[i]];
    double *v = sys->v + 3 * i;
    const double *f = sys->f + 3 * i;
    v[0] = sc.sv * v[0] + c * f[0];
    v[1] = sc.sv * v[1] + c * f[1];
    v[2] = sc.sv * v[2] + c * f[2];
  }
  if (sc.blown)
    return mdb_err_set(err, MDB_ERUN, "the barostat blew up: the box would scale by %g in half a step (limit %g)", sc.e,
                       exp(MDB_MTK_MAX_HALF_STRAIN));
  const double e = sc.e;
  for (int i = 0; i < 3 * n; i++) sys->x[i] = (sys->x[i] * e + dt * sys->v[i]) * e;
  mdb_status s = scale_box(sys, sc.cell, err);
  if (s) return s;

  /* a box that shrank below what the cutoff allows is a run that blew up,
   * not bad input */
  if ((s = mdb_md_forces(md, flags | MDB_COMPUTE_VIRIAL, err))) {
    if (s != MDB_EINPUT) return s;
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err ? err->msg : "neighbour build failed");
    return mdb_err_set(err, MDB_ERUN, "the box collapsed under the barostat: %s", why);
  }

  double mv2 = 0;
  for (int i = 0; i < n; i++) {
    double c = md->dtf[sys->type[i]];
    double *v = sys->v + 3 * i;
    const double *f = sys->f + 3 * i;
    v[0] = (v[0] + c * f[0]) * sc.sp;
    v[1] = (v[1] + c * f[1]) * sc.sp;
    v[2] = (v[2] + c * f[2]) * sc.sp;
    mv2 += sys->mass[sys->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  md->ke2 = mv2 * MDB_MVV2E;
  const double st = mdb_npt_end_hd(b, &md->nhc, &md->ke2, sys->box.volume, trace(md), n, h);
  for (int i = 0; i < 3 * n; i++) sys->v[i] *= st;
  md->step++;
  return MDB_OK;
}
