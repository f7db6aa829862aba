/*
 * Several threads per atom in the many-body kernels (calc/calc_gpu.h
 * mdb_lanes_put), on the host backend:
 *
 *   test_lanes forces SYSTEM ATOMS CALC
 *     after 30 CPU steps from 300 K (atoms off their lattice sites), the
 *     GPU engine's first forces with MDBENCH_GPU_LANES = 1, 2, 4, 8, 16, 32:
 *     the energy, every force component and the nine virial components
 *     W_ab agree with L = 1 and with the CPU calculator to 1e-12 relative
 *     (forces and W against the largest |F| and |W|); prints the largest
 *     deviations and the L the engine would choose by itself;
 *   test_lanes env
 *     MDBENCH_GPU_LANES=3 is refused (MDB_EINPUT, naming the choices);
 *   test_lanes grid
 *     a launch of more than 2^31 − 1 blocks is refused as CUDA refuses it,
 *     without running a single index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "gpu/gmd.h"
#include "gpu/gmd_impl.h"
#include "md/md.h"
#include "../check.h"

#define TOL 1e-12

static void host_md(const char *system, int atoms, const char *calc_spec, mdb_system *sys, mdb_calc *calc, mdb_md *md) {
  mdb_err err;
  REQUIRE_OK(mdb_build_system(sys, system, atoms, 0, 42, NULL, &err), &err);
  REQUIRE_OK(mdb_velocity_init(sys, 300.0, 42, &err), &err);
  REQUIRE_OK(mdb_calc_create(calc, calc_spec, "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(md, sys, calc, mdb_build_default_timestep(system), 1.0, &err), &err);
}

typedef struct forces {
  double e, w[9];
  double *f; /* [3n] original atom order */
} forces;

static void gpu_forces(const mdb_md *md, const mdb_system *sys, const char *calc_spec, const char *lanes, forces *out,
                       int *chosen) {
  mdb_err err;
  mdb_gmd *g;
  mdb_gmd_opts o = {"host", -1, 0, 1, 0};
  if (lanes)
    setenv("MDBENCH_GPU_LANES", lanes, 1);
  else
    unsetenv("MDBENCH_GPU_LANES");
  REQUIRE_OK(mdb_gmd_create(&g, md, &o, &err), &err);
  /* the host backend's device memory is host memory: the per-atom sums of
   * the first force call (energy and virial) are readable in place */
  const mdb_kp *p = &g->kp;
  out->e = 0;
  for (int c = 0; c < 9; c++) out->w[c] = 0;
  for (long i = 0; i < p->natoms; i++) {
    out->e += p->eatom[i];
    for (int c = 0; c < 9; c++) out->w[c] += p->vatom[(long)c * p->natoms + i];
  }
  mdb_system cpy;
  REQUIRE_OK(mdb_system_copy(&cpy, sys, &err), &err);
  REQUIRE_OK(mdb_gmd_download(g, &cpy, &err), &err);
  out->f = malloc(sizeof(double) * 3 * cpy.n);
  for (int i = 0; i < cpy.n; i++)
    for (int k = 0; k < 3; k++) out->f[3 * cpy.id[i] + k] = cpy.f[3 * i + k];
  if (chosen) {
    unsetenv("MDBENCH_GPU_LANES");
    /* the entries per lane the GPU halves ask for (calc/eam.c 4, calc/sw.c 2) */
    REQUIRE_OK(mdb_gcalc_lanes(&g->env, strncmp(calc_spec, "eam", 3) == 0 ? 4.0 : 2.0, chosen, &err), &err);
  }
  mdb_system_free(&cpy);
  mdb_gmd_free(g);
}

/* Largest deviations of b from a: energy relative, forces against the
 * largest |F| of a, virial against the largest |W| of a. */
static void deviations(const forces *a, const forces *b, int n, double dev[3]) {
  double fmaxv = 0, wmax = 0;
  for (int k = 0; k < 3 * n; k++) fmaxv = fmax(fmaxv, fabs(a->f[k]));
  for (int c = 0; c < 9; c++) wmax = fmax(wmax, fabs(a->w[c]));
  dev[0] = fabs(b->e - a->e) / fabs(a->e);
  dev[1] = dev[2] = 0;
  for (int k = 0; k < 3 * n; k++) dev[1] = fmax(dev[1], fabs(b->f[k] - a->f[k]) / fmaxv);
  for (int c = 0; c < 9; c++) dev[2] = fmax(dev[2], fabs(b->w[c] - a->w[c]) / wmax);
}

static int lanes_forces(const char *system, int atoms, const char *calc_spec) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  host_md(system, atoms, calc_spec, &sys, &calc, &md);
  const unsigned fl = MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL;
  for (int step = 1; step <= 30; step++) REQUIRE_OK(mdb_md_step(&md, step == 30 ? fl : 0, &err), &err);
  const int n = sys.n;
  forces cpu;
  cpu.e = md.out.energy;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) cpu.w[3 * a + b] = md.out.virial[a][b];
  cpu.f = malloc(sizeof(double) * 3 * n);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) cpu.f[3 * sys.id[i] + k] = sys.f[3 * i + k];
  double fmaxv = 0;
  for (int k = 0; k < 3 * n; k++) fmaxv = fmax(fmaxv, fabs(cpu.f[k]));
  CHECK(fmaxv > 1e-2); /* off the lattice: the forces are not zero by symmetry */

  static const char *const lanes[] = {"1", "2", "4", "8", "16", "32"};
  forces one;
  int chosen = 0;
  gpu_forces(&md, &sys, calc_spec, "1", &one, &chosen);
  double worst_one[3] = {0, 0, 0}, worst_cpu[3] = {0, 0, 0};
  for (int k = 0; k < 6; k++) {
    forces gl;
    gpu_forces(&md, &sys, calc_spec, lanes[k], &gl, NULL);
    double d1[3], dc[3];
    deviations(&one, &gl, n, d1);
    deviations(&cpu, &gl, n, dc);
    printf("%s %d %s, L = %2s: vs L = 1: energy %.2g, forces %.2g, virial %.2g; vs cpu: %.2g, %.2g, %.2g\n", system, n,
           calc_spec, lanes[k], d1[0], d1[1], d1[2], dc[0], dc[1], dc[2]);
    for (int c = 0; c < 3; c++) {
      CHECK(d1[c] <= TOL);
      CHECK(dc[c] <= TOL);
      worst_one[c] = fmax(worst_one[c], d1[c]);
      worst_cpu[c] = fmax(worst_cpu[c], dc[c]);
    }
    if (k > 0) CHECK(d1[0] > 0 || d1[1] > 0 || d1[2] > 0 || n < 16); /* the lane path ran (other sum order) */
    free(gl.f);
  }
  printf("%s %d %s: largest deviation over L = 1..32 from L = 1: energy %.2g, forces %.2g, virial %.2g; from cpu: "
         "%.2g, %.2g, %.2g (tolerance %.0e); left to itself the engine takes L = %d\n",
         system, n, calc_spec, worst_one[0], worst_one[1], worst_one[2], worst_cpu[0], worst_cpu[1], worst_cpu[2], TOL,
         chosen);
  CHECK(chosen >= 1 && chosen <= 32 && (chosen & (chosen - 1)) == 0);
  free(one.f);
  free(cpu.f);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return check_report();
}

static int lanes_env(void) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  host_md("silicon", 64, "sw", &sys, &calc, &md);
  mdb_gmd *g = NULL;
  mdb_gmd_opts o = {"host", -1, 0, 1, 0};
  setenv("MDBENCH_GPU_LANES", "3", 1);
  mdb_status st = mdb_gmd_create(&g, &md, &o, &err);
  printf("MDBENCH_GPU_LANES=3: status %d (%s)\n", st, st ? err.msg : "accepted");
  CHECK(st == MDB_EINPUT && strstr(err.msg, "MDBENCH_GPU_LANES=3") && strstr(err.msg, "1, 2, 4, 8, 16 or 32"));
  if (!st) mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return check_report();
}

static long grid_calls;
static void count_host(long n, const void *p) {
  (void)p;
  grid_calls += n;
}

static int lanes_grid(void) {
  mdb_err err;
  mdb_dev *d;
  REQUIRE_OK(mdb_dev_open(&d, "host", -1, &err), &err);
  const mdb_kernel k = {"count", count_host, NULL};
  const int params = 0;
  const long most = MDB_CUDA_MAX_GRID * MDB_CUDA_BLOCK;
  mdb_status st = d->ops->launch(d, &k, most + 1, &params, sizeof params, &err);
  printf("launch over %ld threads: status %d (%s)\n", most + 1, st, st ? err.msg : "accepted");
  CHECK(st == MDB_EDEV && strstr(err.msg, "blocks") != NULL);
  CHECK(grid_calls == 0);
  CHECK(d->ops->launch(d, &k, 1000, &params, sizeof params, &err) == MDB_OK && grid_calls == 1000);
  mdb_dev_close(d);
  return check_report();
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "forces") == 0) return lanes_forces(argv[2], atoi(argv[3]), argv[4]);
  if (argc == 2 && strcmp(argv[1], "env") == 0) return lanes_env();
  if (argc == 2 && strcmp(argv[1], "grid") == 0) return lanes_grid();
  fprintf(stderr, "usage: %s forces SYSTEM ATOMS CALC | env | grid\n", argv[0]);
  return 2;
}
