/*
 * gmd_impl.h — the engine's insides, shared by gmd.c and the ensembles
 * (gens.c). Not public: a calculator's GPU half sees the engine only
 * through calc/calc_gpu.h (mdb_gcalc_env).
 */
#ifndef MDB_GPU_GMD_IMPL_H
#define MDB_GPU_GMD_IMPL_H

#include "gpu/gmd.h"
#include "gpu/kern_ens.h"
#include "gpu/kern_md.h"
#include "gpu/kern_neigh.h"
#include "gpu/kern_sort.h"

/* gd->abort, gd->halt and gd->step, in their order in mdb_gstate: what the
 * host copies back after a launch. */
typedef struct mdb_gflags {
  int abort, halt;
  long step;
} mdb_gflags;

struct mdb_gmd {
  mdb_dev *dev;
  mdb_kp kp;                 /* device arrays and constants; kp.flags is set per launch */
  mdb_gstate *gd;            /* device state */
  mdb_gstate gh;             /* host copy, from the last sample */
  mdb_gflags *flags_h;       /* pinned host copy of gd->abort, halt, step: copied back once per launch */
  const mdb_gcalc_ops *calc; /* the calculator's GPU half (its mdb_calc_ops.gpu) */
  void *calc_ctx;
  mdb_gcalc_env env; /* what the half sees of the engine */
  mdb_ensemble ens;
  unsigned ens_flags; /* what the ensemble needs from every force call (NPT: the virial) */
  int n;
  long nbins;
  mdb_gmd_opts opt;
  int graph_ok[6]; /* graph slot captured for [sampled + 2·with a neighbour build]; 4, 5: batches */
  int batch_k[2];  /* steps in the batch graphs of slots 4 and 5 (a run's full and remainder batches) */
  int batch_next;  /* which of them a batch of a new size replaces */
  int ev_force;    /* first of the two event slots part b records around the forces (0; batches: per step) */
  int built;       /* the last step built the neighbour list */
  double force_ms;
  double engine_bytes, engine_peak;
  double regrown_bytes; /* net bytes the list and bin regrowths added (dregrow): expected growth, not a leak */
  void *allocs[64];     /* everything the engine allocated on the device, for free */
  size_t alloc_bytes[64];
  int nallocs;
  mdb_kp_sort sort;      /* the re-sort's arrays and period (sort.every 0: never); its k is set per launch */
  const mdb_system *sys; /* the host system it started from (species, masses) */
};

/* Device allocation counted in the engine's accounting and freed with it. */
mdb_status mdb_gmd_alloc(mdb_gmd *g, void **p, size_t bytes, mdb_err *err);
void mdb_gmd_release(mdb_gmd *g, void *p);

/* The parameter block for one launch with the given force flags. */
static inline mdb_kp mdb_gmd_kp(const mdb_gmd *g, unsigned flags) {
  mdb_kp p = g->kp;
  p.flags = flags;
  p.lflags = flags | g->ens_flags; /* those of the force call that an engine kernel follows */
  return p;
}

/* Ensembles other than NVE (gens.c): setup copies the host md's thermostat
 * and barostat state into g->gh (uploaded by the engine) and sets
 * g->ens_flags; first issues everything before the forces (the first
 * half-kick and the drift, with their thermostat and barostat parts; its
 * last kernel checks the neighbour list); second everything after the
 * forces, its last kernel counting the step (flags: the sample asked for). */
mdb_status mdb_gens_setup(mdb_gmd *g, const mdb_md *md, mdb_err *err);
/* After the first forces and sample, before the first step (NPT: the
 * first half-step's scalars and cell, kern_ens.h). */
mdb_status mdb_gens_start(mdb_gmd *g, mdb_err *err);
mdb_status mdb_gens_first(mdb_gmd *g, mdb_err *err);
mdb_status mdb_gens_second(mdb_gmd *g, unsigned flags, mdb_err *err);
/* The thermostat and barostat energy from a host copy of the state. */
double mdb_gens_extended(const mdb_gmd *g, const mdb_gstate *s);

#endif
