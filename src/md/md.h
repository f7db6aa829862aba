/*
 * md.h — initial velocities, thermodynamic observables and the integrator.
 *
 * Velocity Verlet (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637
 * (1982)), split at the force call as LAMMPS's fix nve is:
 *   v += ½ dt F/m;  x += dt v;  [neighbours, forces];  v += ½ dt F/m
 * Units: Å, fs, eV, amu (core/units.h).
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
  double potential; /* eV */
  double kinetic;   /* eV */
  double total;     /* eV */
  double conserved; /* eV: total energy for NVE */
  double temperature; /* K */
  double pressure;  /* bar, virial + kinetic */
  double volume;    /* Å³ */
  double momentum[3]; /* amu·Å/fs */
} mdb_thermo;

/* Observables from the state and the last force call (which must have had
 * energy and virial). */
void mdb_thermo_compute(const mdb_system *sys, const mdb_calc_out *out, mdb_thermo *th);

typedef struct mdb_md {
  mdb_system *sys;   /* not owned */
  mdb_calc *calc;    /* not owned */
  mdb_neigh nl;
  double dt;         /* fs */
  double dtf[MDB_MAX_TYPES]; /* ½ dt FTM2V / m per type */
  mdb_calc_out out;  /* the last force call */
  unsigned last_flags; /* what the last force call computed */
  long step;
} mdb_md;

/* Prepares the calculator for sys, builds the neighbour list (cutoff from
 * the calculator, skin in Å) and computes the first forces, energy and
 * virial. */
mdb_status mdb_md_init(mdb_md *md, mdb_system *sys, mdb_calc *calc, double dt_fs, double skin_A, mdb_err *err);
void mdb_md_free(mdb_md *md);

/* One NVE step; flags (MDB_COMPUTE_ENERGY/VIRIAL) say what the force call at
 * the end of the step must also give. */
mdb_status mdb_md_step(mdb_md *md, unsigned flags, mdb_err *err);

/* Neighbour-list update plus a force call at the current positions. */
mdb_status mdb_md_forces(mdb_md *md, unsigned flags, mdb_err *err);

#endif
