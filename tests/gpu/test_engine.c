/*
 * The case runner's engine interface (bench/engine.h) and the device
 * binding, on the host backend (MDBENCH_GPU_BACKEND=host):
 *
 *   test_engine binding    the GPU a case runs on is the argument
 *                          (mdb_run_hooks.device): its MPI CUDA-awareness
 *                          lands in the result; without one, none; a CPU
 *                          case has no GPU record
 *   test_engine lookup     --device cuda accepts exactly the calculators
 *                          whose ops have a GPU half (mdb_calc_ops.gpu), and
 *                          the refusal lists them
 *   test_engine same       the CPU and the GPU engine give the same
 *                          samples of one NVE and one NVT trajectory (same
 *                          steps, total energy within 1e-7 eV/atom, the
 *                          extended energy within 1e-7 eV/atom)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "calc/calc.h"
#include "gpu/gmd.h"
#include "../check.h"

static void small_case(mdb_case *c, const char *device, const char *protocol) {
  mdb_case_defaults(c);
  snprintf(c->device, sizeof c->device, "%s", device);
  snprintf(c->protocol, sizeof c->protocol, "%s", protocol);
  c->n_atoms = 256;
  c->n_steps = 40;
  c->warmup_steps = 5;
  c->energy_interval = 5;
}

static int test_binding(void) {
  mdb_case c;
  mdb_result r;
  mdb_err err;
  small_case(&c, "cuda", "NVE");
  const mdb_dev_binding bind = {0, "yes"};
  const mdb_run_hooks hooks = {.device = &bind};
  REQUIRE_OK(mdb_case_run_hooked(&c, &hooks, &r, &err), &err);
  printf("bound: used %d, backend %s, mpi_cuda_aware '%s', force_ms %s\n", r.gpu.used, r.gpu.dev.backend,
         r.gpu.mpi_cuda_aware, r.gpu.force_ms ? "recorded" : "none");
  CHECK(r.gpu.used == 1 && strcmp(r.gpu.dev.backend, "host") == 0);
  CHECK(strcmp(r.gpu.mpi_cuda_aware, "yes") == 0);
  CHECK(r.gpu.force_ms != NULL && r.gpu.kernel_launches > 0);
  mdb_result_free(&r);
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  printf("unbound: used %d, mpi_cuda_aware '%s'\n", r.gpu.used, r.gpu.mpi_cuda_aware);
  CHECK(r.gpu.used == 1 && strcmp(r.gpu.mpi_cuda_aware, "") == 0);
  mdb_result_free(&r);
  small_case(&c, "cpu", "NVE");
  REQUIRE_OK(mdb_case_run_hooked(&c, &hooks, &r, &err), &err);
  printf("cpu: used %d, force_ms %s, kernel launches %ld\n", r.gpu.used, r.gpu.force_ms ? "recorded" : "none",
         r.gpu.kernel_launches);
  CHECK(r.gpu.used == 0 && r.gpu.force_ms == NULL && r.gpu.kernel_launches == 0);
  mdb_result_free(&r);
  return check_report();
}

static int test_lookup(void) {
  const char *list = mdb_gmd_calculators();
  int with_gpu = 0;
  for (int k = 0; k < mdb_calc_registry_count(); k++) {
    const mdb_calc_ops *o = mdb_calc_registry_at(k);
    mdb_case c;
    mdb_err err = {0};
    small_case(&c, "cuda", "NVE");
    snprintf(c.calculator, sizeof c.calculator, "%s", o->name);
    const mdb_status st = mdb_case_resolve(&c, &err);
    const int named = strstr(list, o->name) != NULL;
    printf("%-8s gpu half %s: resolve on cuda %s%s%s\n", o->name, o->gpu ? "yes" : "no ", st ? "refused: " : "ok",
           st ? err.msg : "", named ? " (listed)" : "");
    with_gpu += o->gpu != NULL;
    if (o->gpu) {
      CHECK(st == MDB_OK && named && mdb_gmd_supports(o->name));
    } else {
      CHECK(st == MDB_EINPUT && strstr(err.msg, "has no CUDA backend") && strstr(err.msg, list) && !named);
      CHECK(!mdb_gmd_supports(o->name));
    }
  }
  printf("calculators with a GPU half: %s (%d)\n", list, with_gpu);
  CHECK(with_gpu == 4 && strcmp(list, "lj, eam, sw, spcfw") == 0);
  CHECK(mdb_gmd_supports("lj:rc=8.5") && !mdb_gmd_supports("ljx") && !mdb_gmd_supports("l"));
  return check_report();
}

static void same_trajectory(const char *protocol) {
  mdb_case c;
  mdb_result rc, rg;
  mdb_err err;
  small_case(&c, "cpu", protocol);
  REQUIRE_OK(mdb_case_run(&c, &rc, &err), &err);
  small_case(&c, "cuda", protocol);
  REQUIRE_OK(mdb_case_run(&c, &rg, &err), &err);
  CHECK(strcmp(rc.status, "ok") == 0 && strcmp(rg.status, "ok") == 0);
  CHECK(rc.n_samples == rg.n_samples && rc.n_samples == 10 && rc.n_timed == rg.n_timed && rc.n_timed == 40);
  double de = 0, dx = 0;
  for (int k = 0; k < rc.n_samples && k < rg.n_samples; k++) {
    CHECK(rc.th_step[k] == rg.th_step[k]);
    de = fmax(de, fabs(rc.th_total[k] - rg.th_total[k]) / rc.n_atoms);
    dx = fmax(dx, fabs((rc.th_conserved[k] - rc.th_total[k]) - (rg.th_conserved[k] - rg.th_total[k])) / rc.n_atoms);
  }
  printf("%s: %d samples, largest |E_cpu - E_gpu| %.3g eV/atom, extended %.3g eV/atom; final extended %.10g vs "
         "%.10g eV\n",
         protocol, rc.n_samples, de, dx, rc.final_extended_energy, rg.final_extended_energy);
  CHECK(de <= 1e-7 && dx <= 1e-7);
  CHECK(fabs(rc.final_extended_energy - rg.final_extended_energy) / rc.n_atoms <= 1e-7);
  mdb_result_free(&rc);
  mdb_result_free(&rg);
}

static int test_same(void) {
  same_trajectory("NVE");
  same_trajectory("NVT");
  return check_report();
}

int main(int argc, char **argv) {
  setenv("MDBENCH_GPU_BACKEND", "host", 1);
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "binding") == 0) return test_binding();
  if (strcmp(mode, "lookup") == 0) return test_lookup();
  if (strcmp(mode, "same") == 0) return test_same();
  fprintf(stderr, "usage: test_engine binding|lookup|same\n");
  return 2;
}
