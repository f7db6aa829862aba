/*
 * The host backend (dev/dev_host.c) is as strict as CUDA where the engine
 * relies on CUDA's rules, and the engine keeps them; and the kernel
 * launches a step costs, counted by the host backend.
 *
 *   test_dev_rules event     an event recorded in a capture without the
 *                            external flag cannot be timed; with it, it can
 *   test_dev_rules sync      h2d, d2h, alloc, release and sync in a capture
 *                            are errors and invalidate it; d2d and zero are
 *                            captured as nodes (they run at the launch)
 *   test_dev_rules zero      a launch over 0 threads is an error
 *   test_dev_rules params    a graph replays the parameters of the capture
 *   test_dev_rules engine    the engine, graphs on, for every protocol:
 *                            captures, replays and times its steps without
 *                            tripping any rule
 *   test_dev_rules launches BACKEND SYSTEM ATOMS CALC PROTOCOL THERMOSTAT MAX_PLAIN MAX_SAMPLED
 *                            kernel launches per step (graphs on), split
 *                            into steps with and without a neighbour
 *                            build, unsampled and sampled; asserts the
 *                            most a plain step (unsampled, no build) and a
 *                            sampled step (no build) may cost
 *   test_dev_rules batches BACKEND   several steps per graph launch (mdb_gmd_steps)
 *                            give the bits of single steps, for every
 *                            protocol, in far fewer graph launches
 *
 * Each rule is shown to fire on a deliberately wrong sequence, so a
 * lenient backend fails here. The engine modes take BACKEND host or cuda
 * (the cuda backend counts launches the same way; exit 77 without a GPU).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "gpu/gmd.h"
#include "gpu/kern_md.h"
#include "md/md.h"
#include "../check.h"

/* The backend the engine modes (launches, batches) run on: "host", or
 * "cuda" (exit 77 without a usable GPU). */
static const char *backend = "host";

/* 1 when the engine modes can run here (prints the device), 0 to skip. */
static int backend_usable(void) {
  if (strcmp(backend, "cuda") != 0) return 1;
  char why[256];
  if (mdb_cuda_device_count(why, sizeof why) == 0) {
    printf("no usable GPU (%s): skipped\n", why);
    return 0;
  }
  mdb_dev_info info;
  mdb_err err;
  if (mdb_cuda_device_info(0, &info, &err) == MDB_OK) printf("device: %s\n", info.name);
  return 1;
}

static mdb_dev *open_host(void) {
  mdb_dev *d;
  mdb_err err;
  REQUIRE_OK(mdb_dev_open(&d, "host", -1, &err), &err);
  return d;
}

/* A parameter block whose only device state is a gstate in "device"
 * memory (the host backend's memory is the host's). */
static mdb_kp kp_on(mdb_gstate *g) {
  mdb_kp p;
  memset(&p, 0, sizeof p);
  p.g = g;
  p.shiftvec = g->shiftvec;
  p.hinv = g->hinv;
  p.abort = &g->abort;
  return p;
}

static int rule_event(void) {
  mdb_dev *d = open_host();
  mdb_err err;
  mdb_gstate *g;
  REQUIRE_OK(d->ops->alloc(d, (void **)&g, sizeof *g, &err), &err);
  const mdb_kp p = kp_on(g);
  /* wrong: plain records inside the capture (the bug of issue 18, defect 1) */
  REQUIRE_OK(d->ops->graph_begin(d, &err), &err);
  REQUIRE_OK(d->ops->event_record(d, 0, 0, &err), &err);
  REQUIRE_OK(mdb_launch_vmax_clear(d, 1, &p, &err), &err);
  REQUIRE_OK(d->ops->event_record(d, 1, 0, &err), &err);
  REQUIRE_OK(d->ops->graph_end(d, 0, &err), &err);
  REQUIRE_OK(d->ops->graph_launch(d, 0, &err), &err);
  REQUIRE_OK(d->ops->sync(d, &err), &err);
  double ms = -1;
  mdb_status st = d->ops->event_ms(d, 0, 1, &ms, &err);
  printf("plain records in a capture, then timed: status %d (%s)\n", st, st ? err.msg : "accepted");
  CHECK(st == MDB_EDEV);
  CHECK(strstr(err.msg, "cudaEventRecordExternal") != NULL);
  /* right: external records are nodes, timed after the launch */
  REQUIRE_OK(d->ops->graph_begin(d, &err), &err);
  REQUIRE_OK(d->ops->event_record(d, 0, 1, &err), &err);
  REQUIRE_OK(mdb_launch_vmax_clear(d, 1, &p, &err), &err);
  REQUIRE_OK(d->ops->event_record(d, 1, 1, &err), &err);
  REQUIRE_OK(d->ops->graph_end(d, 0, &err), &err);
  /* before the graph ran, the captured events have no time either */
  CHECK(d->ops->event_ms(d, 0, 1, &ms, &err) == MDB_EDEV);
  REQUIRE_OK(d->ops->graph_launch(d, 0, &err), &err);
  REQUIRE_OK(d->ops->sync(d, &err), &err);
  ms = -1;
  st = d->ops->event_ms(d, 0, 1, &ms, &err);
  printf("external records in a capture, then timed: status %d, %.3g ms\n", st, ms);
  CHECK(st == MDB_OK && ms >= 0 && ms < 1e3);
  d->ops->release(d, g);
  mdb_dev_close(d);
  return check_report();
}

static int rule_sync(void) {
  mdb_dev *d = open_host();
  mdb_err err;
  double *a, *b, h[4] = {1, 2, 3, 4};
  REQUIRE_OK(d->ops->alloc(d, (void **)&a, sizeof h, &err), &err);
  REQUIRE_OK(d->ops->alloc(d, (void **)&b, sizeof h, &err), &err);
  struct {
    const char *what;
    int op;
  } wrong[] = {{"h2d", 0}, {"d2h", 1}, {"alloc", 2}, {"sync", 3}, {"release", 4}};
  for (int k = 0; k < (int)(sizeof wrong / sizeof wrong[0]); k++) {
    REQUIRE_OK(d->ops->graph_begin(d, &err), &err);
    mdb_status st = MDB_OK;
    void *q = NULL;
    switch (wrong[k].op) {
    case 0: st = d->ops->h2d(d, a, h, sizeof h, &err); break;
    case 1: st = d->ops->d2h(d, h, a, sizeof h, &err); break;
    case 2: st = d->ops->alloc(d, &q, 64, &err); break;
    case 3: st = d->ops->sync(d, &err); break;
    case 4: {
      /* a release cannot fail: it breaks the capture, graph_end says so */
      void *tmp = malloc(8);
      d->ops->release(d, tmp);
      st = MDB_EDEV;
      break;
    }
    }
    mdb_err end_err;
    mdb_status st_end = d->ops->graph_end(d, 1, &end_err);
    printf("%s in a capture: status %d; graph_end: status %d (%s)\n", wrong[k].what, st, st_end, end_err.msg);
    CHECK(st == MDB_EDEV);
    CHECK(st_end == MDB_EDEV && strstr(end_err.msg, "invalidated") != NULL);
    CHECK(q == NULL);
  }
  /* the same calls outside a capture are fine */
  REQUIRE_OK(d->ops->h2d(d, a, h, sizeof h, &err), &err);
  REQUIRE_OK(d->ops->sync(d, &err), &err);
  /* d2d and zero are stream operations: captured, run at the launch */
  REQUIRE_OK(d->ops->zero(d, b, sizeof h, &err), &err);
  REQUIRE_OK(d->ops->graph_begin(d, &err), &err);
  REQUIRE_OK(d->ops->d2d(d, b, a, sizeof h, &err), &err);
  REQUIRE_OK(d->ops->zero(d, a, sizeof h, &err), &err);
  REQUIRE_OK(d->ops->graph_end(d, 1, &err), &err);
  CHECK(b[3] == 0 && a[3] == 4); /* nothing ran at capture */
  REQUIRE_OK(d->ops->graph_launch(d, 1, &err), &err);
  CHECK(b[3] == 4 && a[3] == 0);
  d->ops->release(d, a);
  d->ops->release(d, b);
  mdb_dev_close(d);
  return check_report();
}

static int rule_zero(void) {
  mdb_dev *d = open_host();
  mdb_err err;
  mdb_gstate *g;
  REQUIRE_OK(d->ops->alloc(d, (void **)&g, sizeof *g, &err), &err);
  const mdb_kp p = kp_on(g);
  for (long n = 0; n >= -1; n--) {
    mdb_status st = d->ops->launch(d, &mdb_kernel_vmax_clear, n, &p, sizeof p, &err);
    printf("launch over %ld threads: status %d (%s)\n", n, st, st ? err.msg : "accepted");
    CHECK(st == MDB_EDEV && strstr(err.msg, "zero blocks") != NULL);
  }
  const long before = d->launches;
  CHECK(d->ops->launch(d, &mdb_kernel_vmax_clear, 1, &p, sizeof p, &err) == MDB_OK);
  CHECK(d->launches == before + 1);
  /* the typed launchers of the engine skip empty ranges instead of launching */
  CHECK(mdb_launch_vmax_clear(d, 0, &p, &err) == MDB_OK && d->launches == before + 1);
  d->ops->release(d, g);
  mdb_dev_close(d);
  return check_report();
}

static int rule_params(void) {
  mdb_dev *d = open_host();
  mdb_err err;
  mdb_gstate *ga, *gb;
  REQUIRE_OK(d->ops->alloc(d, (void **)&ga, sizeof *ga, &err), &err);
  REQUIRE_OK(d->ops->alloc(d, (void **)&gb, sizeof *gb, &err), &err);
  mdb_kp p = kp_on(ga);
  REQUIRE_OK(d->ops->graph_begin(d, &err), &err);
  REQUIRE_OK(mdb_launch_vmax_clear(d, 1, &p, &err), &err);
  REQUIRE_OK(d->ops->graph_end(d, 2, &err), &err);
  /* wrong: the host changes a parameter after the capture and expects the
   * graph to see it */
  p.g = gb;
  ga->vmax2 = gb->vmax2 = 5.0;
  REQUIRE_OK(d->ops->graph_launch(d, 2, &err), &err);
  printf("after replay: the captured state %g, the state the host switched to %g\n", ga->vmax2, gb->vmax2);
  CHECK(ga->vmax2 == 0.0); /* the graph ran on the captured address */
  CHECK(gb->vmax2 == 5.0); /* and never saw the new one */
  d->ops->release(d, ga);
  d->ops->release(d, gb);
  mdb_dev_close(d);
  return check_report();
}

/* ------------------------------------------------------------ engine */

typedef struct setup {
  const char *system, *calc, *protocol, *thermostat;
  int atoms;
} setup;

static void host_md(const setup *s, mdb_system *sys, mdb_calc *calc, mdb_md *md) {
  mdb_err err;
  REQUIRE_OK(mdb_build_system(sys, s->system, s->atoms, 0, 42, NULL, &err), &err);
  REQUIRE_OK(mdb_velocity_init(sys, 300.0, 42, &err), &err);
  REQUIRE_OK(mdb_calc_create(calc, s->calc, "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(md, sys, calc, mdb_build_default_timestep(s->system), 1.0, &err), &err);
  mdb_ensemble e;
  mdb_ensemble_defaults(&e);
  REQUIRE_OK(mdb_protocol_parse(s->protocol, &e.protocol, &err), &err);
  if (strcmp(s->thermostat, "-")) REQUIRE_OK(mdb_thermostat_parse(s->thermostat, &e.thermostat, &err), &err);
  e.temperature_K = 300.0;
  e.tdamp_fs = 50.0;
  e.pdamp_fs = 500.0;
  e.chain = e.thermostat == MDB_THERMOSTAT_NHC ? 3 : 0;
  e.seed = 42;
  REQUIRE_OK(mdb_md_set_ensemble(md, &e, &err), &err);
}

/* Launch counts of one kind of step: the most and the fewest seen. */
typedef struct span {
  long lo, hi, steps;
} span;

static void span_add(span *s, long v) {
  if (!s->steps || v < s->lo) s->lo = v;
  if (!s->steps || v > s->hi) s->hi = v;
  s->steps++;
}

/* Runs steps with graphs on; every 10th sampled. Fills the launch counts
 * [sampled][built]. */
static void run_engine(const setup *s, int steps, span out[2][2], double *force_ms_sum) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g;
  mdb_gmd_opts o = {backend, 0, 0, 1, 0};
  host_md(s, &sys, &calc, &md);
  REQUIRE_OK(mdb_gmd_create(&g, &md, &o, &err), &err);
  memset(out, 0, sizeof(span) * 4);
  *force_ms_sum = 0;
  for (int step = 1; step <= steps; step++) {
    const unsigned fl = step % 10 == 0 ? MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL : 0;
    const long l0 = mdb_gmd_launches(g);
    mdb_status st = mdb_gmd_step(g, fl, &err);
    if (st) {
      fprintf(stderr, "step %d: %s\n", step, err.msg);
      CHECK(st == MDB_OK);
      break;
    }
    const double ms = mdb_gmd_force_ms(g);
    CHECK(ms >= 0 && ms < 1e4);
    *force_ms_sum += ms;
    span_add(&out[fl ? 1 : 0][mdb_gmd_last_step_built(g)], mdb_gmd_launches(g) - l0);
  }
  CHECK(mdb_gmd_step_count(g) == steps);
  mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
}

static int rule_engine(void) {
  const setup cases[] = {{"argon", "lj", "NVE", "-", 256},
                         {"argon", "lj", "NVT", "nhc", 256},
                         {"argon", "lj", "NVT", "langevin", 256},
                         {"argon", "lj", "NPT", "nhc", 256}};
  for (int k = 0; k < 4; k++) {
    span sp[2][2];
    double ms;
    run_engine(&cases[k], 40, sp, &ms);
    printf("%s/%s with graphs: 40 steps captured, replayed and timed (force time %.3g ms in all)\n", cases[k].protocol,
           cases[k].thermostat, ms);
    CHECK(ms > 0);
  }
  return check_report();
}

static int launches(int argc, char **argv) {
  if (argc < 10) {
    fprintf(
        stderr,
        "usage: test_dev_rules launches BACKEND SYSTEM ATOMS CALC PROTOCOL THERMOSTAT MAX_PLAIN MAX_SAMPLED [solid]\n");
    return 2;
  }
  backend = argv[2];
  argv++;
  if (!backend_usable()) return 77;
  const setup s = {argv[2], argv[4], argv[5], argv[6], atoi(argv[3])};
  const long max_plain = atol(argv[7]), max_sampled = atol(argv[8]);
  span sp[2][2];
  double ms;
  run_engine(&s, 200, sp, &ms);
  const char *kind[2][2] = {{"unsampled", "unsampled with a neighbour build"},
                            {"sampled", "sampled with a neighbour build"}};
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      if (sp[a][b].steps)
        printf("%s %d %s %s/%s: %s step: %ld..%ld launches (%ld steps)\n", s.system, s.atoms, s.calc, s.protocol,
               s.thermostat, kind[a][b], sp[a][b].lo, sp[a][b].hi, sp[a][b].steps);
  CHECK(sp[0][0].steps > 100); /* most steps are plain ones */
  /* and the run did rebuild its list, unless the last argument says the
   * system is a solid that does not in 200 steps at 300 K */
  if (!(argc > 10 && strcmp(argv[9], "solid") == 0)) CHECK(sp[0][1].steps > 0);
  CHECK(sp[0][0].hi <= max_plain);
  CHECK(sp[1][0].steps == 0 || sp[1][0].hi <= max_sampled);
  CHECK(sp[0][0].lo > 0);
  return check_report();
}

/* Final positions and velocities (engine order) after `steps` unsampled
 * steps, one by one (k = 0) or in batches of k; the graph launches, the
 * steps, and how many step times were not positive and finite. */
static double *run_batches(const setup *s, int steps, int k, long *graph_launches, long *done, int *bad_ms) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g;
  mdb_gmd_opts o = {backend, 0, 0, 1, 0};
  host_md(s, &sys, &calc, &md);
  REQUIRE_OK(mdb_gmd_create(&g, &md, &o, &err), &err);
  const long gl0 = mdb_gmd_graph_launches(g);
  double ms[MDB_GMD_MAX_BATCH];
  *bad_ms = 0;
  for (int step = 0; step < steps;) {
    if (k == 0) {
      REQUIRE_OK(mdb_gmd_step(g, 0, &err), &err);
      step++;
      continue;
    }
    const int m = steps - step < k ? steps - step : k;
    double fms[MDB_GMD_MAX_BATCH];
    int nd = 0;
    REQUIRE_OK(mdb_gmd_steps(g, m, ms, fms, &nd, &err), &err);
    CHECK(nd == m);
    for (int q = 0; q < m; q++) *bad_ms += !(ms[q] >= 0 && ms[q] < 1e4) + !(fms[q] >= 0 && fms[q] <= ms[q] + 1e-6);
    step += m;
  }
  *graph_launches = mdb_gmd_graph_launches(g) - gl0;
  REQUIRE_OK(mdb_gmd_download(g, &sys, &err), &err);
  *done = mdb_gmd_step_count(g);
  double *xv = malloc(sizeof(double) * 6 * sys.n);
  for (int i = 0; i < 3 * sys.n; i++) {
    xv[i] = sys.x[i];
    xv[3 * sys.n + i] = sys.v[i];
  }
  mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return xv;
}

/* Multi-step graphs give the bits of single steps, with the list built
 * inside batches, in one graph launch per batch when nothing aborts. */
static int batches(const char *be) {
  backend = be;
  if (!backend_usable()) return 77;
  const setup cases[] = {{"argon", "lj", "NVE", "-", 256},
                         {"argon", "lj", "NVT", "nhc", 256},
                         {"argon", "lj", "NVT", "langevin", 256},
                         {"argon", "lj", "NPT", "nhc", 256}};
  const int steps = 200, k = 8;
  for (int c = 0; c < 4; c++) {
    long gl1, gl8, n1, n8;
    int bad1, bad8;
    double *a = run_batches(&cases[c], steps, 0, &gl1, &n1, &bad1);
    double *b = run_batches(&cases[c], steps, k, &gl8, &n8, &bad8);
    double dmax = 0;
    for (int i = 0; i < 6 * cases[c].atoms; i++) dmax = fmax(dmax, fabs(a[i] - b[i]));
    printf("%s/%s, %d steps: one by one %ld graph launches; batches of %d: %ld graph launches, "
           "max |difference| of x and v %.3g\n",
           cases[c].protocol, cases[c].thermostat, steps, gl1, k, gl8, dmax);
    /* the same kernels in the same order: the same bits (on a GPU too: no
     * atomics decide a number; allow rounding-level noise there) */
    CHECK(strcmp(backend, "host") == 0 ? dmax == 0 : dmax < 1e-9);
    CHECK(n1 == steps && n8 == steps);
    CHECK(bad8 == 0);
    CHECK(gl8 < gl1 / 4); /* 25 batches plus what the builds cost, against 200+ */
    CHECK(gl8 >= steps / k);
    free(a);
    free(b);
  }
  return check_report();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "event") == 0) return rule_event();
  if (strcmp(mode, "sync") == 0) return rule_sync();
  if (strcmp(mode, "zero") == 0) return rule_zero();
  if (strcmp(mode, "params") == 0) return rule_params();
  if (strcmp(mode, "engine") == 0) return rule_engine();
  if (strcmp(mode, "launches") == 0) return launches(argc, argv);
  if (strcmp(mode, "batches") == 0) return batches(argc > 2 ? argv[2] : "host");
  fprintf(stderr, "usage: %s event|sync|zero|params|engine|launches|batches ...\n", argv[0]);
  return 2;
}
