/*
 * build.h — benchmark systems by name, or from an extended-XYZ file.
 *
 *   silicon   diamond, a = 5.431 Å, 8 atoms per conventional cell
 *   copper    fcc, a = 3.615 Å, 4 atoms per cell
 *   aluminum  fcc, a = 4.05 Å
 *   argon     fcc, a = 5.26 Å (solid argon near 0 K)
 *   water     flexible 3-site molecules at 1.0 g/cm³ in a cubic box, random
 *             positions and orientations (seeded), no overlaps
 *
 * A lattice of N atoms is an nx×ny×nz replication of the conventional cell
 * with exactly N atoms, as close to cubic as possible.
 */
#ifndef MDB_BUILD_H
#define MDB_BUILD_H

#include <stdint.h>

#include "core/system.h"

typedef struct mdb_build_info {
  int reps[3];       /* replication of the conventional cell (lattices) */
  double lattice_A;  /* lattice constant used (lattices) */
  int default_atoms; /* the size used when none was asked for */
} mdb_build_info;

/* One built-in system, for `mdbench list systems`. */
typedef struct mdb_build_entry {
  const char *name; /* "copper" */
  const char *what; /* "fcc Cu, a = 3.615 Å" (static storage) */
  int unit_atoms;   /* sizes are multiples of this (cell or molecule) */
  int default_atoms;
  const char *calculator; /* mdb_build_default_calculator(name) */
  double timestep_fs;     /* mdb_build_default_timestep(name) */
} mdb_build_entry;

/* The built-in systems: i in [0, mdb_build_count()); 1 when i is valid. */
int mdb_build_count(void);
int mdb_build_entry_at(int i, mdb_build_entry *out);

/* Comma-separated built-in system names (static storage). */
const char *mdb_build_names(void);

/* 1 when name is a built-in system. */
int mdb_build_known(const char *name);

/* Builds a named system (n_atoms 0: its default size; lattice_A 0: its
 * default constant; seed only matters for water) or reads an .xyz file
 * (n_atoms must then be 0 or the file's count). info may be NULL. */
mdb_status mdb_build_system(mdb_system *sys, const char *name, int n_atoms, double lattice_A, uint64_t seed,
                            mdb_build_info *info, mdb_err *err);

/* The natural calculator for a built-in system: silicon sw, copper and
 * aluminum eam, water spcfw, argon lj; for a file, lj. */
const char *mdb_build_default_calculator(const char *name);

/* The default timestep for a system (fs). */
double mdb_build_default_timestep(const char *name);

#endif
