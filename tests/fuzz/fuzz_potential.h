/*
 * fuzz_potential.h — the body of the potential-file targets (fuzz_eam.c,
 * fuzz_sw.c): the input becomes a potential file, the calculator reads it,
 * prepares for a small crystal of the element the seeds use and computes
 * energy, forces and virial once, so that the tables or parameters read are
 * also evaluated. Every cutoff is tried: the neighbour code refuses one the
 * cell cannot hold (issue 15 item 6), and a file whose cutoff holds no pair
 * is evaluated too (the pair buffers of eam and sw were once never allocated
 * then: NULL + 0, found by this target).
 */
#ifndef MDB_FUZZ_POTENTIAL_H
#define MDB_FUZZ_POTENTIAL_H

#include <math.h>

#include "build/build.h"
#include "calc/calc.h"
#include "fuzz_util.h"
#include "neigh/neigh.h"

static inline void fuzz_potential(const char *calc_name, const char *file_name, const char *system, int n_atoms,
                                  const uint8_t *data, size_t size) {
  static mdb_system base;
  static int have_base;
  mdb_err err = {0};
  if (!have_base) {
    if (mdb_build_system(&base, system, n_atoms, 0, 1, NULL, &err)) {
      fprintf(stderr, "fuzz: cannot build %s: %s\n", system, err.msg);
      abort();
    }
    have_base = 1;
  }
  const char *path = fuzz_file(file_name, data, size);
  char spec[600];
  snprintf(spec, sizeof spec, "%s:file=%s", calc_name, path);
  mdb_calc calc;
  if (mdb_calc_create(&calc, spec, "cpu", &err)) return;
  mdb_system sys;
  mdb_neigh nl;
  int have_sys = 0, have_nl = 0;
  if (mdb_calc_prepare(&calc, &base, &err)) goto out;
  double rc = mdb_calc_cutoff(&calc);
  if (mdb_system_copy(&sys, &base, &err)) goto out;
  have_sys = 1;
  if (mdb_neigh_init(&nl, rc, 0.5, mdb_calc_neigh_kinds(&calc), &err)) goto out;
  have_nl = 1;
  if (mdb_neigh_build(&nl, &sys, &err)) goto out;
  /* the force call's cost grows with the neighbours (three-body: their
   * square); a cutoff the cell allows (up to 1e6 ghosts) but of 100 Å makes
   * one input take seconds under ASan, a libFuzzer timeout that is not a
   * fault: such inputs are checked up to the neighbour list only */
  const unsigned kinds = mdb_calc_neigh_kinds(&calc);
  const long pairs = (kinds & MDB_NEIGH_FULL) ? nl.full_start[nl.n] : 2L * nl.half_start[nl.n];
  if (pairs > 200L * nl.n) goto out;
  mdb_calc_out res;
  memset(&res, 0, sizeof res);
  (void)mdb_calc_compute(&calc, &sys, &nl, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, &res, &err);
out:
  if (have_nl) mdb_neigh_free(&nl);
  if (have_sys) mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

#endif
