/*
 * calc_gpu.c — host-side helpers of the calculators' GPU halves
 * (calc/calc_gpu.h): the number of threads per atom of a many-body kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "calc/calc_gpu.h"

mdb_status mdb_gcalc_lanes(const mdb_gcalc_env *e, double min_entries, int *lanes, mdb_err *err) {
  const char *env = getenv("MDBENCH_GPU_LANES");
  if (env && *env) {
    static const char *const choices[] = {"1", "2", "4", "8", "16", "32"};
    for (int k = 0; k < 6; k++)
      if (strcmp(env, choices[k]) == 0) {
        *lanes = 1 << k;
        return MDB_OK;
      }
    return mdb_err_set(err, MDB_EINPUT, "MDBENCH_GPU_LANES=%s: threads per atom must be 1, 2, 4, 8, 16 or 32", env);
  }
  const double r = e->kp->rlist, vol = e->sys->box.volume;
  const double entries = vol > 0 ? e->n / vol * (4.0 / 3.0) * 3.14159265358979323846 * r * r * r : 0;
  int l = 1;
  while (l < MDB_LANES_MAX && entries / (2 * l) >= min_entries && (long)e->n * 2 * l <= (1L << 17)) l *= 2;
  *lanes = l;
  return MDB_OK;
}
