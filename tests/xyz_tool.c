/*
 * xyz_tool.c — the C side of tests/peers/xyz_roundtrip_ase.py.
 *
 * xyz_tool IN.xyz OUT.xyz reads IN with mdb_xyz_read and writes OUT with
 * mdb_xyz_write, adding velocities, forces = -positions, energy = 1.5 and the
 * identity as stress, for ASE to check. Exit 0; on an error the message goes
 * to stderr and the exit code is 2.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build/xyz.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: xyz_tool IN.xyz OUT.xyz\n");
    return 2;
  }
  mdb_err err;
  mdb_system sys;
  if (mdb_xyz_read(argv[1], &sys, &err)) {
    fprintf(stderr, "xyz_tool: %s\n", err.msg);
    return 2;
  }
  double *forces = malloc((size_t)sys.n * 3 * sizeof *forces);
  if (!forces) {
    fprintf(stderr, "xyz_tool: out of memory\n");
    return 2;
  }
  for (int j = 0; j < 3 * sys.n; j++) forces[j] = -sys.x[j];
  mdb_xyz_extra extra = {.has_energy = 1,
                         .energy = 1.5,
                         .has_forces = 1,
                         .forces = forces,
                         .has_stress = 1,
                         .stress = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
                         .write_velocities = 1};
  mdb_status st = mdb_xyz_write(argv[2], &sys, &extra, &err);
  if (st) fprintf(stderr, "xyz_tool: %s\n", err.msg);
  free(forces);
  mdb_system_free(&sys);
  return st ? 2 : 0;
}
