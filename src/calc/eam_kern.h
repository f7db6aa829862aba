/*
 * eam_kern.h — embedded-atom method forces on the device, in two kernels
 * over the full list (one thread per atom, each writing only its own atom):
 *
 *   EAM_RHO    ρ_i = Σ_j f_{t_j}(r_ij) over the neighbours within the
 *              cutoff, then F(ρ_i) (into eatom[i] when the energy is asked
 *              for) and F'(ρ_i) (into fp[i]);
 *   EAM_FORCE  the force on i from every j with F'(ρ_i), F'(ρ_j) and the
 *              pair term (fpair of calc/eam.h), eatom[i] += ½ Σ φ, and the
 *              virial share ½ Σ fpair d⊗d (d = x_j − x_i).
 *
 * The formulas are calc/eam.h's (the ones the CPU loops of calc/eam.c call),
 * with the CPU's choices: the cutoff test r² < rc2, r = √r², r⁻¹ = 1/r; for
 * tables the interval and fraction of mdb_eam_locate on the grid of nr
 * knots, the cubics of the density of j's element, of r·φ of the element
 * pair and of both densities' derivatives (one interleaved knot per type
 * pair, 128 bytes), F by mdb_eam_embed_table (linear above ρ_max); for the
 * built-in Zhou form the analytic functions, mixed by mdb_zhou_mix in a
 * system of several types (as the CPU's loop for several types does, also
 * for two atoms of one type). fpair is mdb_eam_fpair's
 * −[F'_i f'_b + F'_j f'_a + φ']/r (the CPU's one-type loop groups it as
 * −[(F'_i + F'_j) f'/r + φ'/r]: the same to round-off). Every pair is
 * evaluated by both of its atoms (twice the CPU's half-list work, no
 * atomics): sums differ from the CPU's in order and round-off only.
 *
 * Several threads per atom (calc/calc_gpu.h mdb_lanes_put): with L > 1
 * lanes the density pass is EAM_RHO_LANES (partial ρ per lane) then
 * EAM_EMBED_LANES (ρ_i summed in lane order, F and F'), and the force pass
 * EAM_FORCE_LANES (partial force, energy, virial per lane; lane 0 starts
 * its energy from F(ρ_i)), whose partials the engine's next kernel adds
 * (mdb_kp_gather: no kernel of its own); L = 1 keeps the two kernels above. A neighbour's position
 * and type come in one 32-byte load (p->xt).
 *
 * Double precision only (the calculator reports no mixed support).
 */
#ifndef MDB_CALC_EAM_KERN_H
#define MDB_CALC_EAM_KERN_H

#include "calc/eam.h"
#include "calc/calc_gpu.h"

/* One interval of every r function a pair of types (a, b) needs in the
 * force pass: r·φ_ab and its derivative, f'_a (i's density, felt at j) and
 * f'_b (j's, felt at i), as calc/eam.h mdb_eam_knot coefficients. */
typedef struct mdb_eam_gknot {
  double z[4], dz[3];
  double dfi[3], dfj[3];
  double pad[3];
} mdb_eam_gknot;

typedef struct mdb_kp_eam {
  mdb_kp k;
  int analytic; /* built-in Zhou (zhou), else tables */
  int one_type; /* the system has one type: no mixing, one density per pair */
  int nrho, nr; /* knots per density / r table */
  int lanes;    /* threads per atom L (calc/calc_gpu.h mdb_lanes_put) */
  double rc2;   /* Å²: pairs with r² < rc2 interact */
  double rdrho, rdr, rhomax;
  const mdb_zhou *zhou;      /* [ntypes] */
  const mdb_eam_knot *frho;  /* [ntypes][nrho]: F of each type */
  const mdb_eam_knot *rhor;  /* [ntypes][nr]: f of each type */
  const mdb_eam_gknot *pair; /* [ntypes²][nr]: (a, b) at (a·ntypes + b)·nr */
  double *fp;                /* [natoms] F'(ρ_i), written by EAM_RHO / EAM_EMBED_LANES */
  double *part;              /* when L > 1: [MDB_LANE_COLS][L][natoms] the lanes' partial sums (ρ in the
                                first column during the density pass) */
} mdb_kp_eam;

/* ρ_i over list entries k0, k0 + step, ... of atom i. */
MDB_HD static inline double mdb_eam_rho_part(const mdb_kp_eam *q, long i, int k0, int step) {
  const mdb_kp *p = &q->k;
  const long n = p->natoms;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int m = p->nn[i];
  const double rc2 = q->rc2;
  double rho = 0;
  for (int k = k0; k < m; k += step) {
    const long idx = (long)k * n + i;
    double d[3];
    const int tj = mdb_kp_delta_xt(p, xi, idx, d);
    const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if (!(r2 < rc2)) continue;
    const double r = sqrt(r2);
    if (q->analytic) {
      double df;
      rho += mdb_zhou_density(q->zhou + tj, r, &df);
    } else {
      double pp;
      const int kk = mdb_eam_locate(r, q->rdr, q->nr, &pp);
      rho += mdb_eam_cubic(q->rhor[(long)tj * q->nr + kk].c, pp);
    }
  }
  return rho;
}

/* F(ρ_i) into eatom[i] (when the energy is asked for) and F'(ρ_i) into fp[i]. */
MDB_HD static inline void mdb_eam_embed_store(const mdb_kp_eam *q, long i, double rho) {
  const mdb_kp *p = &q->k;
  const int ti = p->type[i];
  double fpi, e;
  if (q->analytic)
    e = mdb_zhou_embed(q->zhou + ti, rho, &fpi);
  else
    e = mdb_eam_embed_table(q->frho + (long)ti * q->nrho, q->nrho, q->rdrho, q->rhomax, rho, &fpi);
  q->fp[i] = fpi;
  if (p->flags & MDB_COMPUTE_ENERGY) p->eatom[i] = e;
}

/* The force pass of atom i over list entries k0, k0 + step, ..., into acc. */
MDB_HD static inline void mdb_eam_force_part(const mdb_kp_eam *q, long i, int k0, int step, mdb_acc *acc) {
  const mdb_kp *p = &q->k;
  const long n = p->natoms;
  const double xi[3] = {p->x[3 * i], p->x[3 * i + 1], p->x[3 * i + 2]};
  const int ti = p->type[i], nt = p->ntypes;
  const double fpi = q->fp[i];
  const double rc2 = q->rc2;
  const int m = p->nn[i];
  for (int k = k0; k < m; k += step) {
    const long idx = (long)k * n + i;
    double d[3];
    const int tj = mdb_kp_delta_xt(p, xi, idx, d);
    const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if (!(r2 < rc2)) continue;
    const double fpj = q->fp[p->nl[idx]];
    const double r = sqrt(r2), rinv = 1.0 / r;
    double phi, fpair;
    if (q->analytic) {
      if (q->one_type) {
        const mdb_zhou *z = q->zhou;
        double df, dphi;
        const double f = mdb_zhou_density(z, r, &df);
        phi = mdb_zhou_pair(z, r, f, df, &dphi);
        fpair = mdb_eam_fpair(df, df, fpi, fpj, dphi, rinv);
      } else {
        const mdb_zhou *za = q->zhou + ti, *zb = q->zhou + tj;
        double dfi, dfj, dphia, dphib, dphi;
        const double fa = mdb_zhou_density(za, r, &dfi);
        const double fb = mdb_zhou_density(zb, r, &dfj);
        const double phia = mdb_zhou_pair(za, r, fa, dfi, &dphia);
        const double phib = mdb_zhou_pair(zb, r, fb, dfj, &dphib);
        phi = mdb_zhou_mix(fa, dfi, phia, dphia, fb, dfj, phib, dphib, &dphi);
        fpair = mdb_eam_fpair(dfi, dfj, fpi, fpj, dphi, rinv);
      }
    } else {
      double pp;
      const int kk = mdb_eam_locate(r, q->rdr, q->nr, &pp);
      const mdb_eam_gknot *g = q->pair + ((long)ti * nt + tj) * q->nr + kk;
      const double zr = mdb_eam_cubic(g->z, pp), dzr = mdb_eam_dcubic(g->dz, pp);
      const double dfj = mdb_eam_dcubic(g->dfj, pp);
      const double dfi = q->one_type ? dfj : mdb_eam_dcubic(g->dfi, pp);
      phi = mdb_eam_pair_force_z(r, zr, dzr, dfi, dfj, fpi, fpj, &fpair);
    }
    mdb_acc_pair(acc, fpair, d, phi, p->flags);
  }
}

/* L = 1: one thread per atom, two kernels. */
MDB_HD static inline void mdb_kb_eam_rho(long i, const mdb_kp_eam *q) {
  if (*q->k.abort) return;
  mdb_eam_embed_store(q, i, mdb_eam_rho_part(q, i, 0, 1));
}

MDB_HD static inline void mdb_kb_eam_force(long i, const mdb_kp_eam *q) {
  if (*q->k.abort) return;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  mdb_eam_force_part(q, i, 0, 1, &acc);
  mdb_acc_store(&q->k, i, &acc, 1); /* F(ρ_i) from EAM_RHO is already in eatom */
}

/* L > 1: three kernels, over L·n, n and L·n indices; the engine's next
 * kernel adds the lanes' partials (mdb_kp_gather). */
MDB_HD static inline void mdb_kb_eam_rho_lanes(long t, const mdb_kp_eam *q) {
  if (*q->k.abort) return;
  const long n = q->k.natoms, l = t / n;
  q->part[t] = mdb_eam_rho_part(q, t - l * n, (int)l, q->lanes);
}

MDB_HD static inline void mdb_kb_eam_embed_lanes(long i, const mdb_kp_eam *q) {
  if (*q->k.abort) return;
  const long n = q->k.natoms;
  double rho = 0;
  for (int l = 0; l < q->lanes; l++) rho += q->part[(long)l * n + i];
  mdb_eam_embed_store(q, i, rho);
}

MDB_HD static inline void mdb_kb_eam_force_lanes(long t, const mdb_kp_eam *q) {
  if (*q->k.abort) return;
  const long n = q->k.natoms, l = t / n, i = t - l * n;
  mdb_acc acc = {{0, 0, 0}, 0, {0, 0, 0, 0, 0, 0, 0, 0, 0}};
  if (l == 0 && (q->k.flags & MDB_COMPUTE_ENERGY)) acc.e = q->k.eatom[i]; /* F(ρ_i), from EAM_EMBED_LANES */
  mdb_eam_force_part(q, i, (int)l, q->lanes, &acc);
  mdb_lanes_put(q->part, q->lanes * n, t, &acc, q->k.flags);
}

#define MDB_KERNELS_EAM(X)                        \
  X(EAM_RHO, eam_rho, mdb_kp_eam)                 \
  X(EAM_FORCE, eam_force, mdb_kp_eam)             \
  X(EAM_RHO_LANES, eam_rho_lanes, mdb_kp_eam)     \
  X(EAM_EMBED_LANES, eam_embed_lanes, mdb_kp_eam) \
  X(EAM_FORCE_LANES, eam_force_lanes, mdb_kp_eam)
MDB_KERNELS_EAM(MDB_KERNEL_DECLARE)

#endif
