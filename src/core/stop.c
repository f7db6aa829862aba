/* stop.c — see stop.h. */
#include "core/stop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) {
  if (stop_signal && (sig == SIGINT || sig == SIGTERM)) {
    /* second request: leave now, the default way */
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  stop_signal = sig;
}

void mdb_stop_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
}

int mdb_stop_requested(void) { return (int)stop_signal; }

void mdb_stop_request(int sig) { stop_signal = sig; }

const char *mdb_stop_signal_name(int sig) {
  static char buf[32];
  switch (sig) {
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  case SIGUSR1: return "SIGUSR1";
  default: snprintf(buf, sizeof buf, "signal %d", sig); return buf;
  }
}
