/*
 * plugin_timed.c — a test calculator plugin (ABI 3) that reports its
 * model's time (mdb_plugin_result.model_ms). The "model" is a sleep of
 * sleep_ms per call; the forces are zero and the energy 0 (atoms drift,
 * which is all a timing test needs). Keys:
 *
 *   sleep_ms   the model's sleep per call, ms               default 5
 *   report_ms  the model time to report: a number (ms, reported as is
 *              every call), or "measured" (the plugin's own clock around
 *              the sleep), or "none" (leave model_ms as mdbench set it)
 *                                                            default measured
 *
 * Built a second time with MDB_TIMED_DECLARE_V2 as libtimed_v2.so: the same
 * code declaring ABI 2, which still writes model_ms; mdbench must not read
 * it from a plugin of ABI < 3 (its result struct has no such field).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mdbench/calculator.h"

typedef struct timed {
  double sleep_ms;
  int mode; /* 0 measured, 1 fixed, 2 none */
  double fixed_ms;
} timed;

static void timed_fini(void *ctx) { free(ctx); }

static void *timed_init(const char *const *keys, const char *const *values, int n, char *err, size_t errlen) {
  timed *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errlen, "timed: out of memory");
    return NULL;
  }
  t->sleep_ms = 5;
  for (int i = 0; i < n; i++) {
    char *end;
    if (strcmp(keys[i], "sleep_ms") == 0) {
      t->sleep_ms = strtod(values[i], &end);
      if (end == values[i] || *end || t->sleep_ms < 0) {
        snprintf(err, errlen, "timed: sleep_ms=%s is not a number >= 0", values[i]);
        timed_fini(t);
        return NULL;
      }
    } else if (strcmp(keys[i], "report_ms") == 0) {
      if (strcmp(values[i], "measured") == 0) {
        t->mode = 0;
      } else if (strcmp(values[i], "none") == 0) {
        t->mode = 2;
      } else {
        t->mode = 1;
        t->fixed_ms = strtod(values[i], &end);
        if (end == values[i] || *end) {
          snprintf(err, errlen, "timed: report_ms=%s (valid: a number, measured, none)", values[i]);
          timed_fini(t);
          return NULL;
        }
      }
    } else {
      snprintf(err, errlen, "timed: unknown key '%s' (valid: sleep_ms, report_ms)", keys[i]);
      timed_fini(t);
      return NULL;
    }
  }
  return t;
}

static double timed_cutoff(const void *ctx) {
  (void)ctx;
  return 1.0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int timed_compute(void *ctx, const mdb_plugin_frame *in, mdb_plugin_result *out, char *err, size_t errlen) {
  const timed *t = ctx;
  (void)in;
  const double t0 = now_ms();
  const long ns = (long)(t->sleep_ms * 1e6);
  struct timespec req = {ns / 1000000000L, ns % 1000000000L}, rem;
  while (nanosleep(&req, &rem) != 0) {
    if (errno != EINTR) {
      snprintf(err, errlen, "timed: nanosleep failed");
      return -1;
    }
    req = rem;
  }
  const double t1 = now_ms();
  out->energy = 0;
  if (t->mode == 0)
    out->model_ms = t1 - t0;
  else if (t->mode == 1)
    out->model_ms = t->fixed_ms;
  return 0;
}

static const mdb_plugin_v1 timed_api = {
#ifdef MDB_TIMED_DECLARE_V2
    .abi_version = 2,
#else
    .abi_version = MDB_PLUGIN_ABI_VERSION,
#endif
    .name = "timed",
    .init = timed_init,
    .cutoff = timed_cutoff,
    .compute = timed_compute,
    .fini = timed_fini,
};

const mdb_plugin_v1 *mdb_plugin_entry_v1(void) { return &timed_api; }
