/*
 * eam.h — embedded-atom method formulas, shared by every backend.
 *
 *   E = Σ_i F_a(ρ_i) + ½ Σ_i Σ_{j≠i} φ_ab(r_ij),    ρ_i = Σ_{j≠i} f_b(r_ij)
 *
 * a, b the elements of i, j; F (eV) the embedding energy of an atom in the
 * host electron density ρ (dimensionless: arbitrary units fixed by f), f the
 * density one atom gives at distance r (Å), φ (eV) the pair repulsion.
 * Daw & Baskes, Phys. Rev. B 29, 6443 (1984). The force on j from the pair
 * (i, j), with d = x_j − x_i, r = |d|, is fpair·d with
 *
 *   fpair = −[F'_a(ρ_i) f'_b(r) + F'_b(ρ_j) f'_a(r) + φ'_ab(r)] / r.
 *
 * Two sources of F, f, φ:
 *
 * 1. LAMMPS/DYNAMO tables (funcfl .eam, setfl .eam.alloy) evaluated by the
 *    exact scheme of LAMMPS's PairEAM (src/MANYBODY/pair_eam.cpp,
 *    interpolate() and compute()): on a grid x_m = (m−1)Δ, m = 1..n, each
 *    interval holds the cubic  v(p) = ((c3 p + c2) p + c1) p + c0  in the
 *    fraction p ∈ [0,1], with slopes from the 4th-order finite difference
 *    (f[m−2] − f[m+2] + 8(f[m+1] − f[m−1]))/12 (one-sided at the ends), and
 *    its derivative dv/dx = ((d2 p + d1) p + d0). The pair function is
 *    stored as z(r) = r·φ(r) (eV·Å): φ = z/r, φ' = (z' − φ)/r. Lookups clamp
 *    to the last interval (p ≤ 1); above the table's top density ρ_max the
 *    embedding energy continues linearly, F(ρ_max) + F'(ρ_max)(ρ − ρ_max).
 *
 * 2. The analytic functions of Zhou, Johnson & Wadley, Phys. Rev. B 69,
 *    144113 (2004), eqs. (2)–(6), parameters in their Table III:
 *      f(r) = f_e exp[−β(r/r_e − 1)] / (1 + (r/r_e − λ)^20)
 *      φ(r) = A exp[−α(r/r_e − 1)] / (1 + (r/r_e − κ)^20)
 *             − B exp[−β(r/r_e − 1)] / (1 + (r/r_e − λ)^20)
 *      F(ρ) = Σ_{i=0..3} F_ni (ρ/ρ_n − 1)^i,       ρ < ρ_n = 0.85 ρ_e
 *           = Σ_{i=0..3} F_i (ρ/ρ_e − 1)^i,        ρ_n ≤ ρ < ρ_0 = 1.15 ρ_e
 *           = F_e [1 − ln (ρ/ρ_s)^η] (ρ/ρ_s)^η,    ρ_0 ≤ ρ
 *    and between elements  φ_ab = ½ [(f_b/f_a) φ_aa + (f_a/f_b) φ_bb].
 *
 * Everything here is MDB_HD static inline so that a CUDA backend calls the
 * same code as the CPU loops.
 */
#ifndef MDB_EAM_H
#define MDB_EAM_H

#include <math.h>

#include "core/hd.h"
#include "core/system.h"

/* ------------------------------------------------------------ tables */

/* Interval of x on a LAMMPS grid of n points with spacing 1/rdx: returns the
 * 0-based interval k (LAMMPS's m − 1, clamped to 0..n−2) and sets the
 * fraction *p (≤ 1; below the grid it is negative, as in LAMMPS). */
MDB_HD static inline int mdb_eam_locate(double x, double rdx, int n, double *p) {
  const double q = x * rdx + 1.0;
  const double top = (double)(n - 1);
  double qc = q < top ? q : top; /* clamped before the cast: no overflow; minsd/maxsd, no branch */
  qc = qc > 1.0 ? qc : 1.0;
  const int m = (int)qc;
  const double t = q - (double)m;
  *p = t < 1.0 ? t : 1.0;
  return m - 1;
}

/* Cubic value ((c[0] p + c[1]) p + c[2]) p + c[3]. */
MDB_HD static inline double mdb_eam_cubic(const double *c, double p) {
  return ((c[0] * p + c[1]) * p + c[2]) * p + c[3];
}

/* Its derivative with respect to x: (d[0] p + d[1]) p + d[2]. */
MDB_HD static inline double mdb_eam_dcubic(const double *d, double p) { return (d[0] * p + d[1]) * p + d[2]; }

/* One interval of a tabulated function: value and derivative coefficients. */
typedef struct mdb_eam_knot {
  double c[4]; /* value: c3, c2, c1, c0 */
  double d[3]; /* derivative d/dx: 3c3/Δ, 2c2/Δ, c1/Δ */
  double pad;
} mdb_eam_knot;

/* Embedding energy from a table of n knots (rdrho = 1/Δρ, rhomax = (n−1)Δρ)
 * and its derivative *fp; linear continuation above rhomax (LAMMPS). */
MDB_HD static inline double mdb_eam_embed_table(const mdb_eam_knot *tab, int n, double rdrho, double rhomax, double rho,
                                                double *fp) {
  double p;
  const mdb_eam_knot *k = tab + mdb_eam_locate(rho, rdrho, n, &p);
  double d = mdb_eam_dcubic(k->d, p);
  double e = mdb_eam_cubic(k->c, p);
  if (rho > rhomax) e += d * (rho - rhomax);
  *fp = d;
  return e;
}

/* Pair part of the force from tabulated z = r·φ and its derivative z', the
 * density derivatives dfi = f'_a(r) (i's function, felt by j) and
 * dfj = f'_b(r), and the embedding derivatives F'(ρ_i), F'(ρ_j). Returns φ(r)
 * and sets *fpair = −(dE/dr)/r. */
/* The pair's fpair = −[F'(ρ_i) f'_b(r) + F'(ρ_j) f'_a(r) + φ'(r)]/r from
 * its parts (dfi = f'_a, i's function; dfj = f'_b; rinv = 1/r). */
MDB_HD static inline double mdb_eam_fpair(double dfi, double dfj, double fpi, double fpj, double dphi, double rinv) {
  return -(fpi * dfj + fpj * dfi + dphi) * rinv;
}

MDB_HD static inline double mdb_eam_pair_force_z(double r, double z, double dz, double dfi, double dfj, double fpi,
                                                 double fpj, double *fpair) {
  double rinv = 1.0 / r;
  double phi = z * rinv;
  double dphi = dz * rinv - phi * rinv;
  *fpair = mdb_eam_fpair(dfi, dfj, fpi, fpj, dphi, rinv);
  return phi;
}

/* Index of the pair table of elements (a, b) among nel(nel+1)/2: the larger
 * index a ≥ b at a(a+1)/2 + b (LAMMPS's setfl order). */
MDB_HD static inline int mdb_eam_tri(int a, int b) { return a >= b ? a * (a + 1) / 2 + b : b * (b + 1) / 2 + a; }

/* ------------------------------------------------- Zhou et al. (2004) */

typedef struct mdb_zhou {
  double re, fe, rhoe, rhos, alpha, beta, A, B, kappa, lambda;
  double Fn[4], F[4], eta, Fe;
} mdb_zhou;

/* C exp[−k(r/re − 1)] / (1 + (r/re − s)^20) and its derivative *d. */
MDB_HD static inline double mdb_zhou_term(double r, double re, double C, double k, double s, double *d) {
  double x = r / re, t = x - s;
  double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4, t16 = t8 * t8;
  double den = 1.0 + t16 * t4;
  double v = C * exp(-k * (x - 1.0)) / den;
  *d = v * (-k - 20.0 * t16 * t2 * t / den) / re;
  return v;
}

/* Electron density f(r) and f'(r). */
MDB_HD static inline double mdb_zhou_density(const mdb_zhou *z, double r, double *df) {
  return mdb_zhou_term(r, z->re, z->fe, z->beta, z->lambda, df);
}

/* Pair potential φ_aa(r), φ'_aa(r), given this element's f(r), f'(r): the
 * attractive term is (B/f_e)·f(r), so only the repulsive one needs exp. */
MDB_HD static inline double mdb_zhou_pair(const mdb_zhou *z, double r, double f, double df, double *dphi) {
  double drep;
  double rep = mdb_zhou_term(r, z->re, z->A, z->alpha, z->kappa, &drep);
  double c = z->B / z->fe;
  *dphi = drep - c * df;
  return rep - c * f;
}

/* Cross pair φ_ab = ½[(f_b/f_a) φ_aa + (f_a/f_b) φ_bb] and its derivative,
 * from both elements' f, f', φ, φ'. */
MDB_HD static inline double mdb_zhou_mix(double fa, double dfa, double phia, double dphia, double fb, double dfb,
                                         double phib, double dphib, double *dphi) {
  double ba = fb / fa, ab = fa / fb;
  double la = dfa / fa, lb = dfb / fb; /* logarithmic derivatives */
  *dphi = 0.5 * (ba * (dphia + (lb - la) * phia) + ab * (dphib + (la - lb) * phib));
  return 0.5 * (ba * phia + ab * phib);
}

/* Embedding energy F(ρ) and F'(ρ). */
MDB_HD static inline double mdb_zhou_embed(const mdb_zhou *z, double rho, double *dF) {
  double rn = 0.85 * z->rhoe, r0 = 1.15 * z->rhoe;
  if (rho < r0) {
    const double *c = rho < rn ? z->Fn : z->F;
    double s = rho < rn ? rn : z->rhoe;
    double x = rho / s - 1.0;
    *dF = (c[1] + x * (2.0 * c[2] + x * 3.0 * c[3])) / s;
    return c[0] + x * (c[1] + x * (c[2] + x * c[3]));
  }
  double l = log(rho / z->rhos), t = exp(z->eta * l);
  *dF = -z->Fe * z->eta * z->eta * l * t / rho;
  return z->Fe * (1.0 - z->eta * l) * t;
}

/* ------------------------------------------- prepared, for the GPU */

/* What the prepared calculator holds (calc.h's params op), valid after
 * prepare for the system's species, so that another backend evaluates
 * exactly what the CPU does: the same cutoff test (r² < rc2), the same
 * functions of the types of i and j.
 *
 * analytic (no file): type t is zhou[t]; a pair of one type uses
 *   mdb_zhou_density and mdb_zhou_pair, of two types both elements' and
 *   mdb_zhou_mix; F is mdb_zhou_embed.
 * tables: type t is element map[t]; with rdr = 1.0/dr and rdrho = 1.0/drho
 *   (as the CPU forms them) the density j gives i is rhor[map[t_j]] at r,
 *   F is mdb_eam_embed_table on frho[map[t_i]], and r·φ is
 *   z2r[mdb_eam_tri(map[t_i], map[t_j])], all located with mdb_eam_locate
 *   (nr knots per r table, nrho per density table). */
typedef struct mdb_eam_params {
  int analytic;
  int ntypes;
  double rc, rc2; /* Å, Å²: pairs with r² < rc2 interact */
  mdb_zhou zhou[MDB_MAX_TYPES];
  int nel, nrho, nr;
  double drho, dr, rhomax;
  const mdb_eam_knot *frho; /* [nel][nrho] */
  const mdb_eam_knot *rhor; /* [nel][nr] */
  const mdb_eam_knot *z2r;  /* [nel(nel+1)/2][nr] */
  int map[MDB_MAX_TYPES];   /* type -> element */
} mdb_eam_params;

#endif
