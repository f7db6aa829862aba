/*
 * test_run_batch.c — the case runner (bench/run.c) runs a GPU case's
 * unsampled stretches as batches of steps in one graph launch
 * (mdb_gmd_steps), on the host backend (MDBENCH_GPU_BACKEND=host), and that
 * changes nothing but the launches (a second argument `cuda` runs the same
 * on a GPU, label gpu, exit 77 without one):
 *
 *   test_run_batch bits      argon 256 lj NVE (energy every 10) and NVT
 *                            Langevin (every 7, memory every 25): batches of
 *                            12 (the default) and of 5 give the thermo
 *                            records of MDBENCH_GPU_BATCH=1 bit for bit,
 *                            the same builds and final extended energy; every
 *                            step time and force time positive and finite,
 *                            force ≤ step
 *   test_run_batch launches  argon 256 at 1 K (no neighbour build after the
 *                            first), 300 timed + 10 warmup steps: graph
 *                            launches are exactly the samples plus the
 *                            batches the stretches between them need
 *                            (energy every 10: 62 against 310 single; every
 *                            100: 32)
 *   test_run_batch stop      a stop requested after a batch (progress hook)
 *                            ends the run at that batch's last step: status
 *                            interrupted, fail_step that step, its timed
 *                            steps all recorded, the last memory sample at
 *                            that step, the thermo record the
 *                            uninterrupted run's prefix, bit for bit
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/stop.h"
#include "gpu/gmd.h"
#include "../check.h"

static void argon(mdb_case *c, const char *protocol, const char *thermostat, int steps, int ei, int mi, double t_K) {
  mdb_case_defaults(c);
  snprintf(c->device, sizeof c->device, "cuda");
  snprintf(c->protocol, sizeof c->protocol, "%s", protocol);
  snprintf(c->thermostat, sizeof c->thermostat, "%s", thermostat);
  c->n_atoms = 256;
  c->n_steps = steps;
  c->warmup_steps = 10;
  c->energy_interval = ei;
  c->memory_interval = mi;
  c->temperature_K = t_K;
}

static void run(const mdb_case *c, const char *batch, const mdb_run_hooks *h, mdb_result *r) {
  mdb_err err;
  setenv("MDBENCH_GPU_BATCH", batch, 1);
  REQUIRE_OK(mdb_case_run_hooked(c, h, r, &err), &err);
}

/* Thermo records a[0..n) and b[0..n) equal bit for bit, for every array. */
static int same_thermo(const mdb_result *a, const mdb_result *b, int n) {
  const double *x[] = {a->th_time_fs,     a->th_potential, a->th_kinetic, a->th_total,   a->th_conserved,
                       a->th_temperature, a->th_pressure,  a->th_volume,  a->th_momentum};
  const double *y[] = {b->th_time_fs,     b->th_potential, b->th_kinetic, b->th_total,   b->th_conserved,
                       b->th_temperature, b->th_pressure,  b->th_volume,  b->th_momentum};
  int same = memcmp(a->th_step, b->th_step, (size_t)n * sizeof(long)) == 0;
  for (size_t k = 0; k < sizeof x / sizeof x[0]; k++) same &= memcmp(x[k], y[k], (size_t)n * sizeof(double)) == 0;
  return same;
}

static void check_times(const mdb_result *r) {
  int bad = 0;
  for (int i = 0; i < r->n_timed; i++)
    bad += !(r->step_ms[i] > 0 && isfinite(r->step_ms[i]) && r->gpu.force_ms[i] > 0 &&
             r->gpu.force_ms[i] <= r->step_ms[i]);
  CHECK(bad == 0);
}

static int bits(void) {
  struct {
    const char *protocol, *thermostat;
    int ei, mi;
  } cases[] = {{"NVE", "", 10, 100}, {"NVT", "langevin", 7, 25}};
  for (int k = 0; k < 2; k++) {
    mdb_case c;
    argon(&c, cases[k].protocol, cases[k].thermostat, 200, cases[k].ei, cases[k].mi, 300);
    mdb_result one, twelve, five;
    run(&c, "1", NULL, &one);
    run(&c, "12", NULL, &twelve);
    run(&c, "5", NULL, &five);
    printf("%s %s: graph launches %ld (single), %ld (12), %ld (5); builds %ld; %d samples\n", cases[k].protocol,
           cases[k].thermostat, one.gpu.graph_launches, twelve.gpu.graph_launches, five.gpu.graph_launches,
           one.neighbor_builds, one.n_samples);
    CHECK(one.gpu.batch == 1 && twelve.gpu.batch == MDB_GMD_MAX_BATCH && five.gpu.batch == 5);
    CHECK(strcmp(one.status, "ok") == 0 && strcmp(twelve.status, "ok") == 0 && strcmp(five.status, "ok") == 0);
    CHECK(one.neighbor_builds > 1); /* the batches met builds */
    const mdb_result *b[] = {&twelve, &five};
    for (int q = 0; q < 2; q++) {
      CHECK(b[q]->n_samples == one.n_samples && b[q]->n_timed == one.n_timed && b[q]->n_mem == one.n_mem);
      CHECK(same_thermo(&one, b[q], one.n_samples));
      CHECK(memcmp(one.mem_step, b[q]->mem_step, (size_t)one.n_mem * sizeof(long)) == 0);
      CHECK(b[q]->neighbor_builds == one.neighbor_builds);
      CHECK(memcmp(&b[q]->final_extended_energy, &one.final_extended_energy, sizeof(double)) == 0);
      CHECK(b[q]->gpu.graph_launches < one.gpu.graph_launches);
      check_times(b[q]);
    }
    check_times(&one);
    mdb_result_free(&one);
    mdb_result_free(&twelve);
    mdb_result_free(&five);
  }
  return check_report();
}

/* The graph launches the runner's plan needs without a neighbour build:
 * each sample step one; each stretch between samples (and the memory
 * samples and the warmup/timed boundary, which end a stretch) its length
 * over the batch size, rounded up; a stretch of one step is a single step. */
static long planned_launches(const mdb_case *c, int batch) {
  const long total = (long)c->warmup_steps + c->n_steps;
  long launches = 0, run = 0;
  for (long s = 1; s <= total; s++) {
    const int sample = s % c->energy_interval == 0 || s == total;
    if (sample) {
      launches += (run + batch - 1) / batch + 1;
      run = 0;
      continue;
    }
    run++;
    const int ends = s == c->warmup_steps || (s > c->warmup_steps && (s - c->warmup_steps) % c->memory_interval == 0);
    if (ends) {
      launches += (run + batch - 1) / batch;
      run = 0;
    }
  }
  return launches;
}

static int launches(void) {
  const int eis[] = {10, 100};
  const long expect_batched[] = {62, 32};
  for (int k = 0; k < 2; k++) {
    mdb_case c;
    argon(&c, "NVE", "", 300, eis[k], 100, 1.0);
    mdb_result one, b;
    run(&c, "1", NULL, &one);
    run(&c, "12", NULL, &b);
    const long planned = planned_launches(&c, MDB_GMD_MAX_BATCH);
    printf("energy every %d: %ld graph launches single (%.3f per step), %ld batched (%.3f per step; planned %ld); "
           "kernel launches %ld, %ld; builds %ld\n",
           eis[k], one.gpu.graph_launches, one.gpu.graph_launches / 310.0, b.gpu.graph_launches,
           b.gpu.graph_launches / 310.0, planned, one.gpu.kernel_launches, b.gpu.kernel_launches, b.neighbor_builds);
    CHECK(b.neighbor_builds == 1 && one.neighbor_builds == 1); /* the initial list only: the plan is exact */
    CHECK(one.gpu.graph_launches == 310);
    CHECK(planned == expect_batched[k]);
    CHECK(b.gpu.graph_launches == planned);
    CHECK(b.gpu.kernel_launches == one.gpu.kernel_launches); /* the same kernels, fewer launches */
    CHECK(same_thermo(&one, &b, one.n_samples));
    mdb_result_free(&one);
    mdb_result_free(&b);
  }
  return check_report();
}

static long stop_seen = -1, steps_seen[64];
static int n_seen;

static void stop_progress(void *user, long step, long total, double elapsed_s, int done) {
  (void)user, (void)total, (void)elapsed_s;
  if (done || stop_seen >= 0) return;
  if (n_seen < 64) steps_seen[n_seen++] = step;
  if (step >= 30) {
    stop_seen = step;
    mdb_stop_request(SIGTERM);
  }
}

static int stop(void) {
  mdb_case c;
  argon(&c, "NVE", "", 200, 100, 100, 300);
  mdb_result full, r;
  run(&c, "12", NULL, &full);
  mdb_run_hooks h = {.progress = stop_progress, .progress_period_s = 0};
  run(&c, "12", &h, &r);
  mdb_stop_request(0);
  printf("progress saw steps");
  for (int i = 0; i < n_seen; i++) printf(" %ld", steps_seen[i]);
  printf("; stopped: status %s, fail_step %ld, %d timed steps, %d samples (last at step %ld): %s\n", r.status,
         r.fail_step, r.n_timed, r.n_samples, r.th_step[r.n_samples - 1], r.fail_reason);
  /* stretches of 10 warmup steps, then 12, 12, ...: the batch 23..34 is the first to end at or after 30 */
  CHECK(n_seen >= 2 && steps_seen[0] == 10 && steps_seen[1] == 22);
  CHECK(stop_seen == 34);
  CHECK(strcmp(r.status, "interrupted") == 0);
  CHECK(r.fail_step == stop_seen);
  CHECK(r.n_timed == stop_seen - c.warmup_steps);
  CHECK(strstr(r.fail_reason, "after step 34 of 210") != NULL);
  check_times(&r);
  CHECK(r.n_mem >= 2 && r.mem_step[r.n_mem - 1] == stop_seen); /* the last memory sample is the stop's step */
  CHECK(r.n_samples == 1 && r.th_step[0] == 0);                /* no sample before 100: the record is step 0's */
  CHECK(same_thermo(&full, &r, r.n_samples));
  mdb_result_free(&full);
  mdb_result_free(&r);
  return check_report();
}

int main(int argc, char **argv) {
  const char *backend = argc == 3 ? argv[2] : "host";
  if (strcmp(backend, "cuda") == 0) {
    char why[256] = "";
    unsetenv("MDBENCH_GPU_BACKEND");
    if (!mdb_case_gpu_usable(why, sizeof why)) {
      printf("no usable GPU (%s): skipped\n", why);
      return 77;
    }
  } else {
    setenv("MDBENCH_GPU_BACKEND", "host", 1);
  }
  if (argc >= 2 && strcmp(argv[1], "bits") == 0) return bits();
  if (argc >= 2 && strcmp(argv[1], "launches") == 0) return launches();
  if (argc >= 2 && strcmp(argv[1], "stop") == 0) return stop();
  fprintf(stderr, "usage: test_run_batch bits|launches|stop [host|cuda]\n");
  return 2;
}
