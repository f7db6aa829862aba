/*
 * kern_state.h — the GPU engine's device state: everything about the
 * trajectory that changes on the device (mdb_gstate, one block of device
 * memory that the engine's kernels read and write, behind mdb_kp.g), the
 * reduction slots and the per-atom scratch columns. The parameter block
 * and the abort flags a calculator's kernels see too are calc/calc_gpu.h.
 *
 * Compiled as C (host) and as C++ (nvcc).
 */
#ifndef MDB_GPU_KERN_STATE_H
#define MDB_GPU_KERN_STATE_H

#include "calc/calc_gpu.h"
#include "md/md.h"

/* Indices into mdb_gstate.red: what the reductions write. */
enum {
  MDB_RED_ENERGY = 0, /* Σ per-atom energy (eV) */
  MDB_RED_VIRIAL = 1, /* 9 components W_ab, a-major (eV) */
  MDB_RED_MV2 = 10,   /* Σ m v² (amu Å²/fs²) */
  MDB_RED_P = 11,     /* 3: Σ m v (amu Å/fs) */
  MDB_RED_HEAT = 14,  /* Langevin: Σ over atoms and steps of m v² after O − before (amu Å²/fs²) */
  MDB_RED_N = 16
};

/* Per-atom scratch columns (the engine's scratch array is [MDB_SCR_N][natoms]);
 * MV2, P and HEAT are contiguous, as are red[MV2], red[P], red[HEAT]: a
 * sample reduces them in one go. */
enum { MDB_SCR_MV2 = 0, MDB_SCR_P = 1, MDB_SCR_HEAT = 4, MDB_SCR_MV2B = 5, MDB_SCR_N = 6 };

/* Everything about the trajectory that changes on the device, in one block
 * of device memory: kernels read and write it, graphs capture only its
 * address, and the host copies it back at samples. */
typedef struct mdb_gstate {
  double h[3][3], hinv[3][3]; /* current cell (rows are lattice vectors) */
  double volume;
  double hs[3][3], vols;          /* the cell and volume of the last completed step (NPT commits the next
                                 cell at the end of a step; samples and downloads use these) */
  double shiftvec[MDB_NSHIFT][3]; /* s·h for every shift code, for the current cell */
  double h0[3][3], h0inv[3][3];   /* cell at the last neighbour build */
  double M[3][3];                 /* h0⁻¹ h: the affine map since the build (neigh/neigh.h) */
  double budget;                  /* displacement allowed before a rebuild (Å); < 0: rebuild */
  double vmax2;                   /* largest |v|² at the last sample (Å²/fs²) */
  double red[MDB_RED_N];          /* reduction results */
  int rebuild;                    /* a build was started (NB_START) */
  int nb_needed;                  /* most neighbours any atom had at the last build */
  int cell_needed;                /* most atoms any bin had */
  int vmax_atom;                  /* original id of the fastest atom at the last sample */
  long builds;                    /* neighbour builds so far */
  /* the host copies these three back after every launch, in one copy */
  int abort; /* MDB_ABORT_* raised since the host last cleared it (sticky: every
                                     kernel after a step's first half returns at once while it is set) */
  int halt;  /* a step ended aborted: the first halves of later steps (in a
                                     multi-step graph) return at once too */
  long step; /* MD steps completed */
  /* ensembles */
  double ke2;       /* 2 KE after the last thermostat scaling (eV) */
  double scale;     /* the last thermostat velocity factor */
  double heat;      /* Langevin: heat put in before the engine started (eV); the rest is red[HEAT] */
  mdb_nhc nhc;      /* the particles' chain at the end of the last step */
  mdb_mtk mtk;      /* the barostat (its own chain inside) at the end of the last step */
  mdb_nhc nhc_mid;  /* the chain between the step's two half-steps */
  mdb_nhc nhc_next; /* NPT: nhc_mid of the next step, until its NPT_1 */
  mdb_mtk mtk_mid;
  int box_blown;   /* NPT: the next half-step would blow the barostat up */
  double sp;       /* NPT: exp(−h (v_ε + mtk2)) of this step */
  double eps_step; /* NPT: exp(h v_ε) of this step */
  long sorts;      /* re-sorts of the atoms along the Z-order curve (gpu/kern_sort.h) */
} mdb_gstate;

#endif
