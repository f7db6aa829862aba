/*
 * neigh.h — periodic images (ghosts), cell binning and Verlet lists.
 *
 * At each build the local atoms are wrapped into the cell, sorted by bin (so
 * that atoms close in space are close in memory), and every periodic image
 * that lies within r_list = cutoff + skin of the cell is appended to the
 * system as a ghost atom. Lists then hold plain indices into sys->x: no
 * minimum-image arithmetic in any force loop, any number of images per atom
 * (so a cutoff larger than half the box, or than the whole box, is handled),
 * and triclinic cells work the same way as orthorhombic ones. Forces that a
 * calculator puts on ghosts are folded back onto their owners
 * (mdb_neigh_reverse); the virial is the sum of x ⊗ f over locals and ghosts
 * taken before that fold (LAMMPS's virial_fdotr_compute).
 *
 * The list is rebuilt when it could miss a pair; otherwise only ghost
 * positions are refreshed from their owners. With the cell unchanged since
 * the last build: when some atom has moved more than skin/2. With a cell
 * that changed (NPT) from h0 to h: let M = h0⁻¹ h (x = s·h, so an affine
 * deformation carries x0 to x0·M), the strain bound ε = ‖M − I‖_F (≥ the
 * largest stretch of any vector), and u_i = x_i − x0_i·M each atom's motion
 * beyond the affine one. A pair (i, j + image) had separation d0 at the
 * build and now has d = d0·M + u_j − u_i, so for every pair left out of the
 * list (|d0| ≥ r_list = cutoff + skin):
 *   |d| ≥ r_list (1 − ε) − 2 max|u| = cutoff + skin − r_list ε − 2 max|u|.
 * The list is rebuilt when max|u| + r_list ε > skin/2 (the pair-distance
 * change due to the cell, bounded by r_list ε, charged to the same skin/2
 * budget as the displacement; conservative by r_list ε), or when ε ≥ 1, so
 * no left-out pair can come within the cutoff. An unchanged cell (the same
 * bits) takes the first rule exactly.
 *
 * Half list: each interacting pair once. Local j is kept for i when j > i;
 * a ghost is kept when its owner is > i, or is i itself and the image shift
 * is lexicographically positive. Full list: every neighbour of every local.
 */
#ifndef MDB_NEIGH_H
#define MDB_NEIGH_H

#include <stddef.h>

#include "core/system.h"

enum { MDB_NEIGH_HALF = 1u, MDB_NEIGH_FULL = 2u };

typedef struct mdb_neigh {
  double cutoff;  /* interaction cutoff (Å) */
  double skin;    /* Verlet skin (Å) */
  unsigned kinds; /* MDB_NEIGH_HALF and/or MDB_NEIGH_FULL */

  int nghost; /* ghosts in the last build (sys->nghost mirrors it) */
  int *owner; /* [nghost] local index each ghost is an image of */
  int *shift; /* [nghost*3] lattice-vector offsets of each ghost */
  int ghost_cap;

  int *half_start; /* [n+1] CSR offsets into half[] */
  int *half;       /* neighbours j (local or ghost index) */
  size_t half_cap;
  int *full_start; /* [n+1] */
  int *full;
  size_t full_cap;

  double *x0;         /* [n*3] local positions at the last build */
  double h0[3][3];    /* cell at the last build */
  double h0inv[3][3]; /* its inverse */
  int n;              /* locals at the last build */
  long builds;        /* number of builds so far */

  /* binning scratch, reused between builds */
  int *bin_start; /* [nbins+1] */
  int *bin_nloc;  /* [nbins] locals in each bin (they come first in it) */
  int *bin_atoms; /* [n+nghost] atom indices sorted by bin */
  double *bin_x;  /* [(n+nghost)*3] positions in bin order: the search streams through them */
  int *bin_key;   /* [n+nghost] half-list rank in bin order (see neigh.c) */
  int *atom_bin;  /* [n+nghost] */
  double *frac;   /* [(n+nghost)*3] fractional coordinates */
  int *perm;      /* [n] sort permutation */
  size_t bins_cap, atoms_cap;
} mdb_neigh;

/* Sets up an empty neighbour structure; cutoff > 0, skin >= 0. */
mdb_status mdb_neigh_init(mdb_neigh *nl, double cutoff, double skin, unsigned kinds, mdb_err *err);
void mdb_neigh_free(mdb_neigh *nl);

/* Ghost atoms a build may always make; a large system may make 8 per atom. */
#define MDB_NEIGH_MAX_GHOSTS 1e6

/* MDB_OK when a cutoff of cutoff + skin Å fits n atoms in box: the periodic
 * images it needs stay within the ghost limit above. Otherwise code and a
 * one-line message naming the cutoff, the cell and the longest cutoff that
 * fits. mdb_neigh_build checks it (MDB_EINPUT at the first build, MDB_ERUN
 * later: a cell that collapsed); a suite's validation checks it before any
 * run. */
mdb_status mdb_neigh_check_cell(double cutoff, double skin, const mdb_box *box, int n, mdb_status code, mdb_err *err);

/* Wraps, sorts, makes ghosts and builds the lists (always). */
mdb_status mdb_neigh_build(mdb_neigh *nl, mdb_system *sys, mdb_err *err);

/* Rebuilds when needed, else refreshes ghost positions. *rebuilt (may be
 * NULL) says which happened. */
mdb_status mdb_neigh_update(mdb_neigh *nl, mdb_system *sys, int *rebuilt, mdb_err *err);

/* Refreshes ghost positions from their owners (after the locals moved). */
void mdb_neigh_refresh_ghosts(const mdb_neigh *nl, mdb_system *sys);

/* Adds the forces on ghosts to their owners. */
void mdb_neigh_reverse(const mdb_neigh *nl, mdb_system *sys);

/* Largest displacement (Å) of any local atom since the last build. */
double mdb_neigh_max_displacement(const mdb_neigh *nl, const mdb_system *sys);

#endif
