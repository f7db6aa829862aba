/*
 * eam_impl.h — what eam.c (setup and loops) and eam_file.c (the LAMMPS
 * file readers) share: the calculator's context and its table layouts.
 * Private to those two files.
 */
#ifndef MDB_EAM_IMPL_H
#define MDB_EAM_IMPL_H

#include <stddef.h>

#include "calc/calc.h"
#include "calc/eam.h"
#include "core/system.h"

#define EAM_MAX_ELEMENTS 32
#define EAM_MAX_GRID 10000000

/* One interval of every function a pair of one type needs, for both passes
 * (128 bytes, two cache lines): f's value, f', z = r·φ and z'. */
typedef struct eam_knot1 {
  double f[4], df[3], z[4], dz[3], pad[2];
} eam_knot1;

/* The same for a type pair (i of type a, j of type b), 192 bytes: f_a
 * (deposited on j), f_b (deposited on i), their derivatives, z_ab, z'_ab. */
typedef struct eam_knotn {
  double fi[4], fj[4], dfi[3], dfj[3], z[4], dz[3], pad[3];
} eam_knotn;

typedef struct eam_ctx {
  int builtin;                  /* no file: analytic Zhou */
  char path[MDB_SPEC_TEXT_MAX]; /* the file as opened */

  /* the potential, per element (LAMMPS's arrays after file2array) */
  int nel;
  char el[EAM_MAX_ELEMENTS][16];
  int nrho, nr;
  double drho, dr, rhomax, cut;
  mdb_eam_knot *frho; /* [nel][nrho] */
  mdb_eam_knot *rhor; /* [nel][nr] */
  mdb_eam_knot *z2r;  /* [nel(nel+1)/2][nr], pair (a ≥ b) at a(a+1)/2 + b */

  /* per system (prepare) */
  int ntypes;
  int map[MDB_MAX_TYPES]; /* type -> element */
  double rc, rc2;
  eam_knotn *knotn; /* [ntypes²][nr], 64-byte aligned */
  eam_knot1 *knot1; /* [nr], 64-byte aligned */
  mdb_zhou zhou[MDB_MAX_TYPES];
  mdb_eam_params prm; /* the above, for the GPU backend (eam_params) */
  int avx2;           /* the CPU has AVX2: eam_locate_avx2 */

  /* per-atom scratch, locals + ghosts */
  double *rho, *fp;
  int cap;
  /* the half list cut to the pairs within rc by the density pass (CSR over
   * locals), with what the force pass needs of each pair:
   *   fpair = −(F'(ρ_i) pa + F'(ρ_j) pc + pb)   (one type: pc = pa)
   * pa = f'_b(r)/r, pc = f'_a(r)/r, pb = φ'(r)/r; and the density pass's
   * scratch: pv, pw the densities deposited on i and j, pe = φ(r). */
  int *pk, *pk_start;
  double *pa, *pb, *pc, *pv, *pw, *pe;
  size_t pk_cap;
  int pk_ncap;
} eam_ctx;

static inline int tri(int a, int b) { return mdb_eam_tri(a, b); }

/* Reads the funcfl or setfl file name (as given, else in $LAMMPS_POTENTIALS
 * and /usr/share/lammps/potentials) into c's per-element tables; c->path is
 * the file opened. MDB_EINPUT naming the file and the line for anything a
 * reader refuses. */
mdb_status mdb_eam_file_load(eam_ctx *c, const char *name, mdb_err *err);

#endif
