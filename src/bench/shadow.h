/*
 * shadow.h — a second calculator evaluated along the reference's trajectory.
 *
 * `mdbench compare --reference A --shadow B` integrates with A; after every
 * step (step 0 included, outside A's timed region) B computes energy and
 * forces on the very same positions and cell. The shadow keeps its own copy
 * of the atoms (in its own order, matched by atom id) and its own neighbour
 * list with B's cutoff and the case's skin, so its list is maintained the
 * way a trajectory of its own would maintain it. Recorded per step:
 *   energy_diff_eV_per_atom  (E_B − E_A) / N
 *   force_mae_eV_per_A       mean over atoms and components of |F_B − F_A|
 *   force_rmse_eV_per_A      root mean square of the same N·3 differences
 *   force_max_eV_per_A       max over atoms of the vector norm |F_B,i − F_A,i|
 * and, per timed step, the wall time of B's evaluation (list update plus
 * the energy+force call). With a shadow the reference computes its energy
 * at every step (it needs it for the difference), so its step times
 * include that; `mdbench compare` says so.
 */
#ifndef MDB_SHADOW_H
#define MDB_SHADOW_H

#include "bench/bench.h"
#include "calc/calc.h"
#include "core/system.h"
#include "neigh/neigh.h"

typedef struct mdb_shadow {
  char spec[512]; /* the shadow calculator */
  char device[16];
  double skin_A;
  /* working state */
  mdb_calc calc;
  mdb_system sys;
  mdb_neigh nl;
  int have_calc, have_sys, have_nl;
  int *ref_index; /* [n] atom id -> index in the reference system */
  /* per step (step 0 and every MD step) */
  int n, cap;
  long *step;
  double *time_fs, *reference_energy, *shadow_energy, *energy_diff_pa, *force_mae, *force_rmse, *force_max;
  /* per timed step */
  int n_timed, cap_timed;
  double *step_ms;
  int n_atoms;
} mdb_shadow;

/* Creates the shadow calculator (an unknown spec is MDB_EINPUT naming the
 * valid ones). The system is set up at the first step. */
mdb_status mdb_shadow_init(mdb_shadow *s, const char *spec, const char *device, double skin_A, mdb_err *err);
void mdb_shadow_free(mdb_shadow *s);

/* The hooks for mdb_case_run_hooked, with user = s. */
mdb_run_hooks mdb_shadow_hooks(mdb_shadow *s);

/* Summary of the recorded errors (over every recorded step). */
typedef struct mdb_shadow_summary {
  double force_mae_mean, force_rmse_mean, force_rmse_max, force_max; /* eV/Å */
  double energy_diff_mean, energy_diff_max_abs;                      /* eV/atom, raw */
  /* the headline energy error, offset removed: ΔE − mean ΔE over the trajectory (two models'
   * energy zeros differ by a constant that says nothing about the dynamics), eV/atom */
  double energy_diff_centered_max_abs, energy_diff_centered_rms;
  double median_ms, mean_ms; /* shadow evaluation */
} mdb_shadow_summary;
void mdb_shadow_summarize(const mdb_shadow *s, mdb_shadow_summary *out);

#endif
