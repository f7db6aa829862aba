/*
 * fuzz_potential.h — the body of the potential-file targets (fuzz_eam.c,
 * fuzz_sw.c): the input becomes a potential file, the calculator reads it,
 * prepares for a small crystal of the element the seeds use and, when the
 * file's cutoff is one a crystal can have (0 < rc <= FUZZ_MAX_CUTOFF Å),
 * computes energy, forces and virial once, so that the tables or
 * parameters read are also evaluated.
 *
 * FUZZ_MAX_CUTOFF keeps out the neighbour-bin overflow of issue 15 item 6
 * (a huge cutoff from a file sizes the bins of src/neigh/neigh.c past int);
 * that bug belongs to the neighbour code and has its own tests, and without
 * this bound every run of these targets would stop on it at once.
 *
 * FUZZ_NO_PAIRS: a configuration without a pair inside the cutoff is not
 * evaluated either: eam_compute and sw_loop then offset their never-allocated
 * pair buffers (NULL + 0, undefined behaviour that clang's UBSan reports at
 * calc/eam.c:979 and calc/sw.c:342; harmless in practice, left to the
 * owner of those files). The read and the preparation of such a file are
 * still fuzzed.
 */
#ifndef MDB_FUZZ_POTENTIAL_H
#define MDB_FUZZ_POTENTIAL_H

#include <math.h>

#include "build/build.h"
#include "calc/calc.h"
#include "fuzz_util.h"
#include "neigh/neigh.h"

#define FUZZ_MAX_CUTOFF 12.0

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
  if (!(rc > 0 && rc <= FUZZ_MAX_CUTOFF)) goto out;
  if (mdb_system_copy(&sys, &base, &err)) goto out;
  have_sys = 1;
  if (mdb_neigh_init(&nl, rc, 0.5, mdb_calc_neigh_kinds(&calc), &err)) goto out;
  have_nl = 1;
  if (mdb_neigh_build(&nl, &sys, &err)) goto out;
  if ((nl.half_start ? nl.half_start[sys.n] : 0) + (nl.full_start ? nl.full_start[sys.n] : 0) == 0)
    goto out; /* no pair: see FUZZ_NO_PAIRS above */
  mdb_calc_out res;
  memset(&res, 0, sizeof res);
  (void)mdb_calc_compute(&calc, &sys, &nl, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, &res, &err);
out:
  if (have_nl) mdb_neigh_free(&nl);
  if (have_sys) mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

#endif
