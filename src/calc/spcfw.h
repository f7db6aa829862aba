/*
 * spcfw.h — the SPC/Fw water formulas, shared by every backend.
 *
 * Flexible SPC/Fw water (Wu, Tepper & Voth, J. Chem. Phys. 124, 024503
 * (2006)): three charged sites per molecule, harmonic O–H bonds, a harmonic
 * H–O–H angle, Lennard-Jones between oxygens of different molecules.
 * Coulomb by the damped shifted force (DSF) of Fennell & Gezelter, J. Chem.
 * Phys. 124, 234104 (2006), in the form of LAMMPS's lj/cut/coul/dsf.
 * Units: Å, eV, e; C = e²/(4πε₀) in eV·Å; α in Å⁻¹.
 *
 *   bond    V(r) = (k_b/2)(r − r0)²
 *   angle   V(θ) = (k_θ/2)(θ − θ0)²
 *   LJ      V(r) = 4ε[(σ/r)^12 − (σ/r)^6] − V(rc)          (calc/lj.h)
 *   DSF     V(r) = q_i q_j C [erfc(αr)/r − erfc(αRc)/Rc − f_s (r − Rc)]   r < Rc
 *           f_s  = −[erfc(αRc)/Rc² + (2α/√π) exp(−α²Rc²)/Rc]
 *           so V(Rc) = 0 and dV/dr(Rc) = 0.
 *   self    E_self,i = −(e_s/2 + α/√π) q_i² C,  e_s = erfc(αRc)/Rc − f_s Rc,
 *           one constant term per atom (no force), as LAMMPS adds it.
 *   excluded pairs (same molecule, bonded image): the bare Coulomb removed
 *           from the DSF term, V_ex(r) = −q_i q_j C [erf(αr)/r + e_s + f_s r].
 *
 * Pair functions return the energy and set *fpair = −(dV/dr)/r (eV/Å²): the
 * force on j from i is fpair·(x_j − x_i), the force on i its negative.
 */
#ifndef MDB_SPCFW_H
#define MDB_SPCFW_H

#include <math.h>

#include "calc/lj.h"
#include "core/hd.h"

#define MDB_SQRT_PI 1.7724538509055160273 /* √π */

/* Cutoff-dependent DSF constants, from mdb_dsf_setup. */
typedef struct mdb_dsf {
  double alpha;     /* damping α (Å⁻¹) */
  double rc2;       /* Rc² (Å²) */
  double two_a_spi; /* 2α/√π (Å⁻¹) */
  double f_shift;   /* f_s (Å⁻²), LAMMPS's f_shift */
  double e_shift;   /* e_s (Å⁻¹), LAMMPS's e_shift */
} mdb_dsf;

MDB_HD static inline void mdb_dsf_setup(mdb_dsf *p, double alpha, double rc) {
  const double erfcc = erfc(alpha * rc), erfcd = exp(-alpha * alpha * rc * rc);
  p->alpha = alpha;
  p->rc2 = rc * rc;
  p->two_a_spi = 2.0 * alpha / MDB_SQRT_PI;
  p->f_shift = -(erfcc / (rc * rc) + p->two_a_spi * erfcd / rc);
  p->e_shift = erfcc / rc - p->f_shift * rc;
}

/* DSF pair, r < Rc; qqc = q_i q_j C (eV·Å). */
MDB_HD static inline double mdb_dsf_eval(double r2, double qqc, const mdb_dsf *p, double *fpair) {
  const double r = sqrt(r2), rinv = 1.0 / r, ar = p->alpha * r;
  const double erfcc = erfc(ar), erfcd = exp(-ar * ar);
  *fpair = qqc * (erfcc * rinv * rinv + p->two_a_spi * erfcd * rinv + p->f_shift) * rinv;
  return qqc * (erfcc * rinv - p->e_shift - r * p->f_shift);
}

/* DSF term of an excluded (intramolecular) pair, any r: LAMMPS keeps such
 * pairs in its list for coul/dsf and subtracts the bare Coulomb q_i q_j C/r
 * from the pair term, leaving
 *   V_ex(r) = −q_i q_j C [erf(αr)/r + e_s + f_s r]
 * (the part that the damping and the shifts added; with the self term it
 * makes a neutral molecule's own electrostatic energy nearly zero, as the
 * self and excluded-pair terms of an Ewald sum do). */
MDB_HD static inline double mdb_dsf_excluded(double r2, double qqc, const mdb_dsf *p, double *fpair) {
  const double r = sqrt(r2), rinv = 1.0 / r, ar = p->alpha * r;
  const double erfv = erf(ar), erfcd = exp(-ar * ar);
  *fpair = qqc * (-erfv * rinv * rinv + p->two_a_spi * erfcd * rinv + p->f_shift) * rinv;
  return -qqc * (erfv * rinv + p->e_shift + r * p->f_shift);
}

/* DSF self energy of one atom; qqc = q_i² C. */
MDB_HD static inline double mdb_dsf_self(double qqc, const mdb_dsf *p) {
  return -(0.5 * p->e_shift + 0.5 * p->two_a_spi) * qqc;
}

/* Intermolecular pair parameters of one type pair: LJ (zero for pairs with
 * H) and the charge product. */
typedef struct mdb_spcfw_pair {
  mdb_lj_pair lj; /* c12 = c6 = eshift = 0 when the pair has no LJ */
  double qqc;     /* q_i q_j C (eV·Å) */
} mdb_spcfw_pair;

/* LJ + DSF of one intermolecular pair, r < Rc. */
MDB_HD static inline double mdb_spcfw_pair_eval(double r2, const mdb_spcfw_pair *p, const mdb_dsf *d, double *fpair) {
  double flj, fc;
  const double e = mdb_lj_eval(r2, &p->lj, &flj) + mdb_dsf_eval(r2, p->qqc, d, &fc);
  *fpair = flj + fc;
  return e;
}

/* Harmonic bond on r2 = |x_H − x_O|²: V = (k/2)(r − r0)². */
MDB_HD static inline double mdb_harmonic_bond(double r2, double k, double r0, double *fpair) {
  const double r = sqrt(r2), dr = r - r0;
  *fpair = -k * dr / r;
  return 0.5 * k * dr * dr;
}

/* Harmonic angle between the bond vectors d1 = x_1 − x_O and d2 = x_2 − x_O:
 * V = (k/2)(θ − θ0)². Sets the forces on atoms 1 and 2; the force on O is
 * −(f1 + f2). As LAMMPS's angle_harmonic, cos θ is clamped to [−1, 1] and
 * sin θ to at least 0.001 (a straight molecule has no defined bending plane). */
MDB_HD static inline double mdb_harmonic_angle(const double d1[3], const double d2[3], double k, double theta0,
                                               double f1[3], double f2[3]) {
  const double r1s = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
  const double r2s = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
  const double r12 = sqrt(r1s * r2s);
  double c = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / r12;
  c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
  double s = sqrt(1.0 - c * c);
  s = s < 0.001 ? 0.001 : s;
  const double dtheta = acos(c) - theta0;
  /* f1 = −dV/dθ ∂θ/∂d1 = (k dθ / sin θ)(d2/(r1 r2) − cos θ d1/r1²) */
  const double a = k * dtheta / s;
  const double a11 = -a * c / r1s, a22 = -a * c / r2s, a12 = a / r12;
  for (int q = 0; q < 3; q++) {
    f1[q] = a11 * d1[q] + a12 * d2[q];
    f2[q] = a22 * d2[q] + a12 * d1[q];
  }
  return 0.5 * k * dtheta * dtheta;
}

/* The parameters and molecule table of a prepared spcfw calculator
 * (calc/spcfw.c, its ops->params), for the GPU backend. The molecule table
 * is by original atom id and stays valid until the next prepare. */
typedef struct mdb_spcfw_params {
  double rc;                                          /* cutoff of LJ and DSF (Å) */
  mdb_dsf dsf;                                        /* DSF constants */
  int t_o, t_h;                                       /* types of O and H */
  mdb_spcfw_pair pair[MDB_MAX_TYPES * MDB_MAX_TYPES]; /* row a: pair[a*MDB_MAX_TYPES + b] */
  double k_bond, r0_bond;                             /* eV/Å², Å */
  double k_angle, theta0;                             /* eV/rad², rad */
  double mol_span; /* Å: a molecule partner's bonded image is the one closer than this */
  int n, nmol;
  const int *mol_of_id; /* [n] molecule of each original atom id */
  const int *o_id;      /* [nmol] original id of each molecule's O */
  const int *h_id;      /* [2 nmol] original ids of its two H, ascending */
} mdb_spcfw_params;

#endif
