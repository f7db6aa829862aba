/*
 * system.h — the state of one periodic atomic system.
 *
 * Positions, velocities and forces are stored as xyz triplets per atom
 * (x[3*i+0..2]): a neighbour gather then touches one cache line, which is
 * what the CPU pair loops are bound by. Ghost atoms (periodic images that the
 * neighbour module creates, see neigh/neigh.h) live after the n local atoms
 * in x, f, type and mol; everything else has n entries.
 *
 * The box is a general triclinic cell: rows of h are the lattice vectors
 * a, b, c in Å. Fractional coordinates s satisfy x = s · h.
 */
#ifndef MDB_SYSTEM_H
#define MDB_SYSTEM_H

#include <stdint.h>

#include "core/error.h"

#define MDB_MAX_TYPES 16
#define MDB_SYSTEM_NAME_MAX 256

typedef struct mdb_box {
  double h[3][3];    /* rows: lattice vectors a, b, c (Å) */
  double hinv[3][3]; /* inverse of h: s = x · hinv */
  double volume;     /* Å³ */
  double width[3];   /* distance between opposite faces along each lattice direction (Å) */
} mdb_box;

typedef struct mdb_system {
  int n;      /* local (real) atoms */
  int nghost; /* ghost images after the locals, managed by neigh/ */
  int cap;    /* capacity of the per-atom arrays, in atoms */

  double *x;  /* [cap*3] positions (Å); ghosts are images of locals */
  double *v;  /* [cap*3] velocities (Å/fs); locals only are meaningful */
  double *f;  /* [cap*3] forces (eV/Å) */
  int *type;  /* [cap] species index into species[]/mass[] */
  int *mol;   /* [cap] molecule id (-1: none); ghosts copy their owner's */
  int *id;    /* [cap] original atom index: atoms are reordered for locality */
  int *image; /* [cap*3] lattice vectors crossed when wrapping (unwrapped = x + image·h) */

  int ntypes;
  char species[MDB_MAX_TYPES][4]; /* element symbols, e.g. "Cu" */
  double mass[MDB_MAX_TYPES];     /* amu */

  mdb_box box;
  char name[MDB_SYSTEM_NAME_MAX]; /* "copper", or the file it came from */
} mdb_system;

/* Allocates a system of n atoms with all per-atom arrays zeroed and mol = -1,
 * id[i] = i. The caller fills x, type, species, mass, box (then calls
 * mdb_box_set). Free with mdb_system_free. */
mdb_status mdb_system_alloc(mdb_system *sys, int n, mdb_err *err);
void mdb_system_free(mdb_system *sys);

/* Grows the per-atom arrays to hold at least cap atoms (locals + ghosts),
 * keeping contents. */
mdb_status mdb_system_reserve(mdb_system *sys, int cap, mdb_err *err);

/* Adds a species (or finds it) and returns its type index, or -1 when
 * MDB_MAX_TYPES are in use. mass in amu. */
int mdb_system_add_species(mdb_system *sys, const char *symbol, double mass);

/* Sets the box from lattice vectors (rows of h); fails on a singular or
 * left-handed cell. */
mdb_status mdb_box_set(mdb_box *box, const double h[3][3], mdb_err *err);

/* Cartesian <-> fractional. */
void mdb_box_to_frac(const mdb_box *box, const double x[3], double s[3]);
void mdb_box_to_cart(const mdb_box *box, const double s[3], double x[3]);

/* Total mass (amu). */
double mdb_system_total_mass(const mdb_system *sys);

/* Copies sys into out (deep copy of the n local atoms, no ghosts). */
mdb_status mdb_system_copy(mdb_system *out, const mdb_system *sys, mdb_err *err);

#endif
