/*
 * xyz.h — extended-XYZ files, as ASE reads and writes them.
 *
 * Line 1 is the atom count, line 2 a comment of key=value pairs (Lattice,
 * Properties, pbc; keys are case-insensitive), then one line per atom with
 * the columns Properties declares. mdbench needs species:S:1 and pos:R:3 and
 * a periodic Lattice; velocities come from velo:R:3 (Å/fs, what mdbench
 * writes) or momenta:R:3 (what ASE writes); every other column is skipped.
 */
#ifndef MDB_XYZ_H
#define MDB_XYZ_H

#include "core/error.h"
#include "core/system.h"

/* Reads the first frame of path into sys (which need not be initialised):
 * species with masses from the element table, positions, velocities (zero
 * when the file has none), box, and sys->name = path. On failure sys is left
 * empty (safe to mdb_system_free) and err says "FILE:LINE: problem". */
mdb_status mdb_xyz_read(const char *path, mdb_system *sys, mdb_err *err);

/* Per-frame results to store alongside the atoms; ASE loads energy, forces
 * and stress into a SinglePointCalculator and virial into atoms.info. */
typedef struct mdb_xyz_extra {
  int has_energy;
  double energy; /* eV */
  int has_forces;
  const double *forces; /* [n*3] eV/Å, indexed like sys->x (current atom order) */
  int has_stress;
  double stress[3][3]; /* eV/Å³, ASE's sign convention (positive under tension) */
  int has_virial;
  double virial[3][3];  /* eV */
  int write_velocities; /* adds a velo:R:3 column (Å/fs) */
} mdb_xyz_extra;

/* Writes one frame of the n local atoms of sys (extra may be NULL), in their
 * original order: atom i goes to row sys->id[i]. Numbers use %.17g, so reading
 * the file back gives the same doubles. The file is replaced whole or not at
 * all (written to PATH.tmp.PID, synced, then renamed). */
mdb_status mdb_xyz_write(const char *path, const mdb_system *sys, const mdb_xyz_extra *extra, mdb_err *err);

#endif
