/*
 * md.h — initial velocities, thermodynamic observables and the integrators
 * of the three ensembles.
 *
 * NVE: velocity Verlet (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76,
 * 637 (1982)), split at the force call as LAMMPS's fix nve is:
 *   v += ½ dt F/m;  x += dt v;  [neighbours, forces];  v += ½ dt F/m
 *
 * NVT, thermostat "nhc": Nosé–Hoover chains (Martyna, Klein & Tuckerman,
 * J. Chem. Phys. 97, 2635 (1992)), integrated as LAMMPS's fix nvt: a
 * half-step of the chain (md/nhc.c) before and after the velocity-Verlet
 * step, Q_1 = N_f kB T τ², Q_k = kB T τ² (k ≥ 2), τ = tdamp.
 *
 * NVT, thermostat "langevin": BAOAB (Leimkuhler & Matthews, Appl. Math. Res.
 * Express 2013, 34): v += ½dt F/m; x += ½dt v; v = c1 v + c2 σ R;
 * x += ½dt v; [forces]; v += ½dt F/m, with γ = 1/tdamp, c1 = exp(−γ dt),
 * c2 = √(1 − c1²), σ² = kB T/m (md/langevin.c). R is Philox noise keyed by
 * (seed, step, original atom id, component): runs repeat bit for bit.
 *
 * NPT: the isotropic Martyna–Tobias–Klein barostat (J. Chem. Phys. 101,
 * 4177 (1994)) with a Nosé–Hoover chain on the particles and one on the
 * barostat, integrated as LAMMPS's fix npt … iso (md/mtk.c). Orthorhombic
 * boxes only; all three lattice vectors scale together.
 *
 * Conserved quantity (mdb_md_thermo): E = KE + U for NVE; for NHC
 *   E + ½ Σ_k Q_k v_ξk² + N_f kB T ξ_1 + Σ_{k≥2} kB T ξ_k;
 * for NPT additionally ½ W_eff v_ε² + P_ext V + the barostat chain's terms;
 * for Langevin E − (the heat the thermostat put in: the kinetic-energy
 * change of every O step, summed).
 *
 * Units: Å, fs, eV, amu, K (core/units.h); thermostat velocities 1/fs,
 * masses Q, W in eV·fs²; pressures in bar at the interface, eV/Å³ inside.
 */
#ifndef MDB_MD_H
#define MDB_MD_H

#include <stdint.h>

#include "calc/calc.h"
#include "core/system.h"
#include "neigh/neigh.h"

/* Maxwell–Boltzmann velocities at T (K) from the counter-based RNG keyed by
 * seed: atom i draws from counter (id[i], ...), the total momentum is
 * removed, and velocities are scaled so the temperature is exactly T with
 * 3N−3 degrees of freedom. Bit-identical for a given seed on any machine. */
mdb_status mdb_velocity_init(mdb_system *sys, double temperature_K, uint64_t seed, mdb_err *err);

/* Degrees of freedom (3N − 3: total momentum is conserved and zero). */
int mdb_dof(const mdb_system *sys);

/* Kinetic energy (eV) and total momentum (amu·Å/fs). */
double mdb_kinetic_energy(const mdb_system *sys);
void mdb_momentum(const mdb_system *sys, double p[3]);

typedef struct mdb_thermo {
  double potential;   /* eV */
  double kinetic;     /* eV */
  double total;       /* eV */
  double conserved;   /* eV: total energy (NVE) or the ensemble's extended energy */
  double temperature; /* K */
  double pressure;    /* bar, virial + kinetic */
  double volume;      /* Å³ */
  double momentum[3]; /* amu·Å/fs */
} mdb_thermo;

/* Observables from the state and the last force call (which must have had
 * energy and virial); conserved = total (use mdb_md_thermo for the
 * ensemble's conserved quantity). */
void mdb_thermo_compute(const mdb_system *sys, const mdb_calc_out *out, mdb_thermo *th);

/* ------------------------------------------------------------ ensembles */

typedef enum mdb_protocol { MDB_PROTOCOL_NVE = 0, MDB_PROTOCOL_NVT, MDB_PROTOCOL_NPT } mdb_protocol;
typedef enum mdb_thermostat { MDB_THERMOSTAT_NONE = 0, MDB_THERMOSTAT_NHC, MDB_THERMOSTAT_LANGEVIN } mdb_thermostat;

#define MDB_PROTOCOL_NAMES "NVE, NVT, NPT"
#define MDB_THERMOSTAT_NAMES "nhc, langevin"
#define MDB_NHC_MAX_CHAIN 10
#define MDB_DEFAULT_TDAMP_FS 100.0
#define MDB_DEFAULT_PDAMP_FS 1000.0
#define MDB_DEFAULT_PRESSURE_BAR 1.01325
#define MDB_DEFAULT_CHAIN 3

typedef struct mdb_ensemble {
  mdb_protocol protocol;
  mdb_thermostat thermostat; /* NONE for NVE; NHC for NPT */
  double temperature_K;      /* target (NVT, NPT) */
  double tdamp_fs;           /* τ of the thermostat; Langevin γ = 1/τ */
  double pdamp_fs;           /* τ of the barostat (NPT) */
  double pressure_bar;       /* target (NPT) */
  int chain;                 /* NHC length, particles and barostat (1..MDB_NHC_MAX_CHAIN) */
  uint64_t seed;             /* Langevin noise */
} mdb_ensemble;

/* NVE, no thermostat, the defaults above for everything else. */
void mdb_ensemble_defaults(mdb_ensemble *e);

/* Name <-> enum; unknown names are errors listing the valid ones. */
mdb_status mdb_protocol_parse(const char *name, mdb_protocol *p, mdb_err *err);
mdb_status mdb_thermostat_parse(const char *name, mdb_thermostat *t, mdb_err *err);
const char *mdb_protocol_name(mdb_protocol p);
const char *mdb_thermostat_name(mdb_thermostat t); /* "none" for NONE */

/* Checks the settings against each other (positive finite dampings and
 * temperature for a thermostat, chain length, NPT with nhc only). */
mdb_status mdb_ensemble_check(const mdb_ensemble *e, mdb_err *err);

/* Checks an ensemble against a system and the calculator's first force
 * call: a thermostat needs at least 2 atoms; NPT needs an orthorhombic cell
 * and a virial. A calculator that cannot give a virial says so by setting
 * out->virial_set and leaving NaN in the virial (calc/calc.h forms the
 * virial from x ⊗ f for every calculator that sets nothing). */
mdb_status mdb_ensemble_check_system(const mdb_ensemble *e, const mdb_system *sys, const mdb_calc_out *out,
                                     const char *calc_name, mdb_err *err);

/* A Nosé–Hoover chain of m links acting on nf degrees of freedom at kT
 * (md/nhc.c). v[m] is a zero sentinel. */
typedef struct mdb_nhc {
  int m;
  double nf, kt;                   /* degrees of freedom, eV */
  double q[MDB_NHC_MAX_CHAIN];     /* masses, eV·fs² */
  double xi[MDB_NHC_MAX_CHAIN];    /* positions (dimensionless) */
  double v[MDB_NHC_MAX_CHAIN + 1]; /* velocities, 1/fs */
} mdb_nhc;

/* Q_1 = nf kT τ², Q_k = kT τ²; positions and velocities zero. */
void mdb_nhc_init(mdb_nhc *c, int m, double nf, double kt, double tau_fs);

/* Advances the chain by h = dt/2 against the kinetic energy ke2 = 2 KE of
 * what it thermostats (eV), as LAMMPS's FixNH::nhc_temp_integrate; returns
 * the factor exp(−h v_ξ1) by which those velocities must be scaled. The
 * arithmetic of this and mdb_nhc_energy is in md/nhc_hd.h (MDB_HD, shared
 * with the device kernels of gpu/kern_ens.h). */
double mdb_nhc_half_step(mdb_nhc *c, double ke2, double h);

/* ½ Σ Q_k v_k² + nf kT ξ_1 + Σ_{k≥2} kT ξ_k (eV). */
double mdb_nhc_energy(const mdb_nhc *c);

/* Isotropic MTK barostat state (md/mtk.c). */
/* |ln(L'/L)| allowed in one half-step: beyond it the barostat has blown up
 * (md/mtk.c, and the GPU's gpu/kern_ens.h) */
#define MDB_MTK_MAX_HALF_STRAIN 0.05

typedef struct mdb_mtk {
  double w;      /* mass per dimension, eV·fs² = (N+1) kT τ_p² (LAMMPS omega_mass) */
  double veps;   /* strain rate per dimension, 1/fs (LAMMPS omega_dot) */
  double mtk2;   /* v_ε / N: the extra velocity damping of MTK (LAMMPS mtk_term2) */
  double p_ext;  /* target pressure, eV/Å³ */
  mdb_nhc chain; /* on the barostat: 1 degree of freedom */
} mdb_mtk;

typedef struct mdb_md {
  mdb_system *sys; /* not owned */
  mdb_calc *calc;  /* not owned */
  mdb_neigh nl;
  double dt;                 /* fs */
  double dtf[MDB_MAX_TYPES]; /* ½ dt FTM2V / m per type */
  mdb_calc_out out;          /* the last force call */
  unsigned last_flags;       /* what the last force call computed */
  long step;

  mdb_ensemble ens;                /* NVE unless mdb_md_set_ensemble said otherwise */
  double kt;                       /* kB T of the target, eV */
  double ke2;                      /* 2 KE (eV) after the last step's thermostat (LAMMPS t_current) */
  mdb_nhc nhc;                     /* the particles' chain (NVT nhc, NPT) */
  mdb_mtk mtk;                     /* NPT */
  double heat;                     /* eV put in by the Langevin thermostat so far */
  double lgv_c1, lgv_c2;           /* exp(−γ dt), √(1 − c1²) */
  double lgv_sigma[MDB_MAX_TYPES]; /* √(kB T FTM2V / m), Å/fs */
} mdb_md;

/* Prepares the calculator for sys, builds the neighbour list (cutoff from
 * the calculator, skin in Å) and computes the first forces, energy and
 * virial. The ensemble is NVE. */
mdb_status mdb_md_init(mdb_md *md, mdb_system *sys, mdb_calc *calc, double dt_fs, double skin_A, mdb_err *err);
void mdb_md_free(mdb_md *md);

/* Switches to ensemble e (checked with mdb_ensemble_check and
 * mdb_ensemble_check_system) with every thermostat and barostat variable
 * at zero, and records 2 KE of the current velocities: call it after the
 * velocities are set and before the first step. */
mdb_status mdb_md_set_ensemble(mdb_md *md, const mdb_ensemble *e, mdb_err *err);

/* One step of the ensemble; flags (MDB_COMPUTE_ENERGY/VIRIAL) say what the
 * force call at the end of the step must also give (NPT always computes
 * the virial). */
mdb_status mdb_md_step(mdb_md *md, unsigned flags, mdb_err *err);

/* Neighbour-list update plus a force call at the current positions. */
mdb_status mdb_md_forces(mdb_md *md, unsigned flags, mdb_err *err);

/* The thermostat and barostat terms of the conserved quantity (eV): 0 for
 * NVE, −heat for Langevin. */
double mdb_md_extended_energy(const mdb_md *md);

/* mdb_thermo_compute plus the ensemble's conserved quantity. */
void mdb_md_thermo(const mdb_md *md, mdb_thermo *th);

/* Ensemble steps (md/nhc.c, md/langevin.c, md/mtk.c), called by mdb_md_step. */
mdb_status mdb_md_step_nhc(mdb_md *md, unsigned flags, mdb_err *err);
mdb_status mdb_md_step_langevin(mdb_md *md, unsigned flags, mdb_err *err);
mdb_status mdb_md_step_npt(mdb_md *md, unsigned flags, mdb_err *err);

#endif
