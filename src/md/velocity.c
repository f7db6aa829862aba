/*
 * velocity.c — seeded Maxwell–Boltzmann velocities.
 *
 * Each Cartesian component of atom i is Gaussian with variance kB T / m;
 * in Å/fs that is kB T · FTM2V / m. Draws depend only on (seed, original
 * atom index), never on the storage order or the process that runs.
 */
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/units.h"
#include "md/md.h"

int mdb_dof(const mdb_system *sys) { return sys->n > 1 ? 3 * sys->n - 3 : 0; }

double mdb_kinetic_energy(const mdb_system *sys) {
  double ke = 0;
  for (int i = 0; i < sys->n; i++) {
    const double *v = sys->v + 3 * i;
    ke += sys->mass[sys->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  return 0.5 * ke * MDB_MVV2E;
}

void mdb_momentum(const mdb_system *sys, double p[3]) {
  p[0] = p[1] = p[2] = 0;
  for (int i = 0; i < sys->n; i++) {
    double m = sys->mass[sys->type[i]];
    for (int k = 0; k < 3; k++) p[k] += m * sys->v[3 * i + k];
  }
}

mdb_status mdb_velocity_init(mdb_system *sys, double temperature_K, uint64_t seed, mdb_err *err) {
  if (!(temperature_K >= 0) || !isfinite(temperature_K))
    return mdb_err_set(err, MDB_EINPUT, "--temperature-K must be >= 0 (got %g)", temperature_K);
  int n = sys->n;
  if (temperature_K == 0 || mdb_dof(sys) == 0) {
    for (int i = 0; i < 3 * n; i++) sys->v[i] = 0;
    return MDB_OK;
  }
  uint32_t k0, k1;
  mdb_rng_key(seed, &k0, &k1);
  for (int i = 0; i < n; i++) {
    double g[4];
    uint32_t id = (uint32_t)sys->id[i];
    mdb_gauss2(k0, k1, id, 0, MDB_STREAM_VELOCITY, &g[0], &g[1]);
    mdb_gauss2(k0, k1, id, 1, MDB_STREAM_VELOCITY, &g[2], &g[3]);
    double sd = sqrt(MDB_KB_EV * temperature_K * MDB_FTM2V / sys->mass[sys->type[i]]);
    for (int k = 0; k < 3; k++) sys->v[3 * i + k] = g[k] * sd;
  }
  /* sums run in original-index order, so the result is bit-identical
   * whatever order the atoms are stored in */
  int *at = malloc((size_t)n * sizeof *at);
  if (!at) return mdb_err_nomem(err, "velocity ordering", n * 4.0);
  for (int i = 0; i < n; i++) at[sys->id[i]] = i;
  double p[3] = {0, 0, 0}, mtot = 0;
  for (int q = 0; q < n; q++) {
    int i = at[q];
    double m = sys->mass[sys->type[i]];
    mtot += m;
    for (int k = 0; k < 3; k++) p[k] += m * sys->v[3 * i + k];
  }
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) sys->v[3 * i + k] -= p[k] / mtot;
  double mv2 = 0;
  for (int q = 0; q < n; q++) {
    const double *v = sys->v + 3 * at[q];
    mv2 += sys->mass[sys->type[at[q]]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  free(at);
  double t_now = mv2 * MDB_MVV2E / (mdb_dof(sys) * MDB_KB_EV);
  double scale = sqrt(temperature_K / t_now);
  for (int i = 0; i < 3 * n; i++) sys->v[i] *= scale;
  return MDB_OK;
}
