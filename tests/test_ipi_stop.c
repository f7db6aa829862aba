/*
 * A stop requested without a signal (no EINTR to cut a poll short: here
 * another thread calls mdb_stop_request) still ends a wait on an i-PI
 * client within the 0.1 s poll slice (src/calc/ipi.c), not at the 30 s
 * timeout:
 *   accept   no client ever connects; the stop comes 0.3 s into
 *            mdb_calc_prepare's wait for one
 *   stalled  a client connects and never answers; the stop comes 0.3 s
 *            into the force call's wait for the answer to STATUS
 * Each wait must end with MDB_ERUN "stopped by SIGTERM while ..." within
 * 0.3 + 0.1 s of slice + 0.6 s of slack for a loaded machine (< 1.0 s).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "calc/calc.h"
#include "core/stop.h"

static char sock_path[108];
static volatile int client_done;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&ts, NULL);
}

/* Requests the stop 0.3 s from now, from this thread: no signal. */
static void *stopper(void *arg) {
  (void)arg;
  sleep_s(0.3);
  mdb_stop_request(SIGTERM);
  return NULL;
}

/* Connects and then never answers (keeps the connection open). */
static void *stalled_client(void *arg) {
  int *ok = arg;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
  int fd = -1;
  for (int i = 0; i < 200 && fd < 0; i++) {
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
      close(fd);
      fd = -1;
      sleep_s(0.02);
    }
  }
  *ok = fd >= 0;
  while (!client_done) sleep_s(0.02);
  if (fd >= 0) close(fd);
  return NULL;
}

static int check(const char *what, mdb_status st, const mdb_err *err, double took) {
  const int ok = st == MDB_ERUN && strstr(err->msg, "stopped by SIGTERM while") && took < 1.0;
  printf("%-8s status %d in %.3f s (bound 1.0 s): %s  %s\n", what, (int)st, took, st ? err->msg : "(none)",
         ok ? "ok" : "FAIL");
  return ok;
}

int main(void) {
  int failed = 0;
  mdb_err err = {0};
  mdb_system sys;
  mdb_build_info info;
  if (mdb_build_system(&sys, "copper", 32, 0, 1, &info, &err)) {
    printf("FAIL: build: %s\n", err.msg);
    return 1;
  }
  char spec[128];
  for (int pass = 0; pass < 2; pass++) {
    snprintf(spec, sizeof spec, "ipi:unix=mdbt_ipistop_%ld_%d,timeout=30", (long)getpid(), pass);
    snprintf(sock_path, sizeof sock_path, "/tmp/ipi_mdbt_ipistop_%ld_%d", (long)getpid(), pass);
    mdb_stop_request(0);
    client_done = 0;
    mdb_calc calc;
    if (mdb_calc_create(&calc, spec, "cpu", &err)) {
      printf("FAIL: %s\n", err.msg);
      return 1;
    }
    pthread_t client, stop;
    int connected = 0;
    if (pass == 1) {
      pthread_create(&client, NULL, stalled_client, &connected);
      mdb_status st = mdb_calc_prepare(&calc, &sys, &err); /* accepts the client */
      if (st) {
        printf("FAIL: prepare: %s\n", err.msg);
        failed++;
      }
    }
    pthread_create(&stop, NULL, stopper, NULL);
    double t0 = now();
    mdb_calc_out out;
    mdb_status st = pass == 0 ? mdb_calc_prepare(&calc, &sys, &err)
                              : mdb_calc_compute(&calc, &sys, NULL, MDB_COMPUTE_ENERGY, &out, &err);
    const double took = now() - t0;
    pthread_join(stop, NULL);
    failed += !check(pass == 0 ? "accept" : "stalled", st, &err, took);
    client_done = 1;
    if (pass == 1) {
      pthread_join(client, NULL);
      if (!connected) {
        printf("FAIL: the client could not connect\n");
        failed++;
      }
    }
    mdb_calc_free(&calc);
  }
  mdb_system_free(&sys);
  mdb_stop_request(0);
  printf("%s\n", failed ? "FAILED" : "all ok");
  return failed != 0;
}
