/*
 * sw.h — the Stillinger–Weber two- and three-body formulas, shared by every
 * backend (Stillinger & Weber, Phys. Rev. B 31, 5262 (1985); the
 * multi-element form and parameter indexing of LAMMPS pair_sw,
 * src/MANYBODY/pair_sw.cpp).
 *
 *   E  = Σ_{i<j} φ2(r_ij) + Σ_i Σ_{j<k, j,k≠i} φ3(r_ij, r_ik, θ_jik)
 *   φ2(r)  = A ε [B (σ/r)^p − (σ/r)^q] exp(σ / (r − aσ))                r < aσ
 *   φ3     = λε (cos θ_jik − cos θ0)² exp(γ_ij σ_ij / (r_ij − a_ij σ_ij))
 *                                      · exp(γ_ik σ_ik / (r_ik − a_ik σ_ik))
 *
 * Units: ε eV, σ Å; a, λ, γ, A, B, p, q dimensionless. The pair term and the
 * i–j leg of a triplet centred on i use the i-j-j entry of a .sw file
 * (mdb_sw_pair), λε and cos θ0 the i-j-k entry (mdb_sw_angle).
 *
 * The three-body term is split the way the loops use it: a leg (one per
 * neighbour j of the centre i: exp factor and its radial derivative) and a
 * triplet (two legs and the angle). mdb_sw_three_body composes them.
 */
#ifndef MDB_SW_H
#define MDB_SW_H

#include <math.h>

#include "core/hd.h"
#include "core/system.h"

typedef struct mdb_sw_pair {
  double cut;         /* aσ (Å): the pair term and the leg vanish there */
  double cutsq;       /* (Å²) neighbours closer than this take part; cut² unless tol > 0 (LAMMPS) */
  double sigma;       /* σ (Å) */
  double sigma_gamma; /* γσ (Å) */
  double c5, c6;      /* A ε B σ^p, A ε σ^q (eV·Å^p, eV·Å^q) */
  double p, q;
  int ip, iq; /* p, q as integers 0..64, or -1: use pow() */
} mdb_sw_pair;

typedef struct mdb_sw_angle {
  double lambda_epsilon; /* λε (eV) */
  double costheta0;      /* cos θ0 */
} mdb_sw_angle;

/* The parameters a prepared sw calculator uses (calc/sw.c), for the GPU
 * backend: pair[a*MDB_MAX_TYPES + b] from entry a-b-b (its φ2 constants
 * equal those of b-a-a; γσ and, with tol > 0, cutsq may differ), angle
 * [(a*ntypes + b)*ntypes + d] for triplet b–a–d (the mean of a-b-d and
 * a-d-b, so symmetric in b, d). cutoff = max √cutsq. */
typedef struct mdb_sw_params {
  int ntypes;
  double cutoff;
  mdb_sw_pair pair[MDB_MAX_TYPES * MDB_MAX_TYPES];
  mdb_sw_angle angle[MDB_MAX_TYPES * MDB_MAX_TYPES * MDB_MAX_TYPES];
} mdb_sw_params;

/* x^n for a small non-negative integer n. */
MDB_HD static inline double mdb_sw_ipow(double x, int n) {
  double r = 1.0;
  while (n) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/* φ2 at distance r (rinv = 1/r, r < cut); sets *fpair = −(dφ2/dr)/r (eV/Å²)
 * so that the force on j from i is fpair·(x_j − x_i). */
MDB_HD static inline double mdb_sw_two_body_r(double r, double rinv, const mdb_sw_pair *p, double *fpair) {
  const double rp = p->ip >= 0 ? mdb_sw_ipow(rinv, p->ip) : pow(r, -p->p);
  const double rq = p->iq >= 0 ? mdb_sw_ipow(rinv, p->iq) : pow(r, -p->q);
  const double rainv = 1.0 / (r - p->cut);
  const double s = p->sigma * rainv;
  const double ex = exp(s);
  const double bp = p->c5 * rp, bq = p->c6 * rq;
  *fpair = ((p->p * bp - p->q * bq) * rinv + (bp - bq) * s * rainv) * ex * rinv;
  return (bp - bq) * ex;
}

/* φ2 from r² (r² < cutsq). */
MDB_HD static inline double mdb_sw_two_body(double r2, const mdb_sw_pair *p, double *fpair) {
  const double r = sqrt(r2);
  return mdb_sw_two_body_r(r, 1.0 / r, p, fpair);
}

/* One leg of a triplet at distance r (r < cut): *ex = exp(γσ/(r − aσ)) and
 * *g = γσ/(r − aσ)², so that d ex/dr = −ex·g (g in 1/Å). */
MDB_HD static inline void mdb_sw_leg(double r, const mdb_sw_pair *p, double *ex, double *g) {
  const double rainv = 1.0 / (r - p->cut);
  const double s = p->sigma_gamma * rainv;
  *ex = exp(s);
  *g = s * rainv;
}

/* φ3 of the triplet j–i–k from the unit bond vectors u1 = (x_j − x_i)/r_ij,
 * u2 = (x_k − x_i)/r_ik, the inverse lengths and the legs. Sets the forces
 * on j and on k; the force on i is −(fj + fk).
 *   fj = [φ3 g1 + f_c cos θ / r_ij] u1 − (f_c / r_ij) u2,  f_c = ∂φ3/∂cos θ
 * (and fk likewise with 1 ↔ 2). */
MDB_HD static inline double mdb_sw_triplet(double u1x, double u1y, double u1z, double rinv1, double ex1, double g1,
                                           double u2x, double u2y, double u2z, double rinv2, double ex2, double g2,
                                           const mdb_sw_angle *t, double fj[3], double fk[3]) {
  const double cs = u1x * u2x + u1y * u2y + u1z * u2z;
  const double dc = cs - t->costheta0;
  const double fed = t->lambda_epsilon * ex1 * ex2 * dc;
  const double e = fed * dc;
  const double fc = fed + fed; /* ∂φ3/∂cos θ */
  const double a1 = fc * rinv1, a2 = fc * rinv2;
  const double c1 = e * g1 + a1 * cs, c2 = e * g2 + a2 * cs;
  fj[0] = u1x * c1 - u2x * a1;
  fj[1] = u1y * c1 - u2y * a1;
  fj[2] = u1z * c1 - u2z * a1;
  fk[0] = u2x * c2 - u1x * a2;
  fk[1] = u2y * c2 - u1y * a2;
  fk[2] = u2z * c2 - u1z * a2;
  return e;
}

/* φ3 of the triplet j–i–k from the bond vectors d1 = x_j − x_i, d2 = x_k − x_i
 * (|d1|² < pij->cutsq, |d2|² < pik->cutsq): what a loop that does not share
 * legs between triplets calls. */
MDB_HD static inline double mdb_sw_three_body(const double d1[3], const double d2[3], const mdb_sw_pair *pij,
                                              const mdb_sw_pair *pik, const mdb_sw_angle *t, double fj[3],
                                              double fk[3]) {
  const double r1 = sqrt(d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2]);
  const double r2 = sqrt(d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2]);
  const double ri1 = 1.0 / r1, ri2 = 1.0 / r2;
  double ex1, g1, ex2, g2;
  mdb_sw_leg(r1, pij, &ex1, &g1);
  mdb_sw_leg(r2, pik, &ex2, &g2);
  return mdb_sw_triplet(d1[0] * ri1, d1[1] * ri1, d1[2] * ri1, ri1, ex1, g1, d2[0] * ri2, d2[1] * ri2, d2[2] * ri2, ri2,
                        ex2, g2, t, fj, fk);
}

#endif
