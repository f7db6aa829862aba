/*
 * ipi.c — an external force code over the i-PI socket protocol; mdbench is
 * the server (the "wrapper" in i-PI's words), the force code the client.
 *
 * Spec: ipi:unix=NAME[,timeout=s]        listens on the Unix socket /tmp/ipi_NAME
 *       ipi:host=H,port=P[,timeout=s]    listens on TCP H:P (H: "localhost", an address)
 *       ipi:launch=COMMAND[,log=FILE]    also starts the client: COMMAND runs
 *            under /bin/sh once the socket listens, with {socket} replaced by
 *            the socket name (NAME; without unix=/port= a unique name is
 *            made up), {host} and {port} by the TCP address; its output goes
 *            to FILE (default $MDBENCH_CLIENT_LOG, which mdbench-suite sets
 *            to DIR/cases/<id>.client.log, else /dev/null). The client is
 *            stopped at the end (EXIT, then SIGTERM, then SIGKILL to its
 *            process group; after a failure or a stop, SIGTERM at once);
 *            if it dies before connecting, the error says so.
 *   timeout  seconds (default 60) bounding the wait for the client to connect
 *            and every single wait for bytes from (or room to write to) it.
 *
 * Setup (prepare) listens and accepts one client. Each force call then runs
 *   -> STATUS   <- NEEDINIT: -> INIT (int32 bead 0, int32 1, one 0 byte), -> STATUS
 *               <- READY
 *   -> POSDATA, cell h (3x3 f64), inverse cell (3x3 f64), int32 N, positions (N*3 f64)
 *   -> STATUS   <- HAVEDATA (READY while the client is busy: asked again)
 *   -> GETFORCE <- FORCEREADY, energy (f64), int32 N, forces (N*3 f64),
 *                  virial (3x3 f64), int32 nextra, nextra bytes (the first
 *                  64 KB kept: calc/ipi.h mdb_ipi_extra)
 * and the calculator's end sends EXIT. Positions are continuous (unwrapped:
 * x + image·h), as i-PI sends them, whatever the neighbour build wrapped.
 *
 * mdbench's own client (calc/ase.c, through calc/ipi.h) gets three
 * additions: INIT carries a payload (the system as JSON); the client may
 * answer STATUS with ERROR, int32 length, text (why it cannot go on), which
 * becomes the error word for word; and after the handshake a step's STATUS,
 * POSDATA, STATUS, GETFORCE go in one write and the answers come back
 * together (the client is always READY between steps), so each side wakes
 * once per step. A foreign client never sees any of it. Headers are 12 bytes, ASCII, padded
 * with spaces; numbers are native-endian (both ends are on this machine).
 *
 * Layout, as i-PI and ASE (ase/calculators/socketio.py) write it: i-PI's cell
 * h has the lattice vectors as COLUMNS and is sent in C order, i.e. mdbench's
 * box.h (rows a, b, c) transposed; the inverse cell is inv(h) in C order
 * (= box.hinv transposed; ASE's own server sends box.hinv untransposed, which
 * differs for non-orthogonal cells only; neither ASE's client nor LAMMPS fix
 * ipi reads it). The virial arrives transposed the same way (ASE sends
 * virial.T); it is transposed back. Client atom k is mdbench atom id k
 * (sys->id): atoms are reordered by the neighbour build, the client is not.
 *
 * Units: atomic units on the wire (Bohr, Hartree, Hartree/Bohr); converted
 * here only, with ASE 3.22's constants (ase.units, CODATA 2014) so that a
 * round trip through an ASE client is exact up to one rounding each way:
 *   Bohr = 0.5291772105638411 Å, Hartree = 27.211386024367243 eV.
 * The virial W_ab = Σ x_a f_b (eV; = -V σ, ASE's convention too) comes from
 * the client: it sees no ghosts, so out->virial_set = 1. Forces go on locals.
 *
 * Failures: a client that does not connect, disconnects, stalls past the
 * timeout, sends a malformed header, an unexpected message or the wrong atom
 * count gives MDB_ERUN naming what happened. At setup (the first force call
 * is in mdb_md_init) that makes mdb_case_run return MDB_ERUN (CLI exit 3);
 * mid-run the case ends with status "failed" at that step (CLI exit 1).
 * After a failure the connection is dropped and later calls fail at once.
 *
 * Stops: every wait for the client (to connect, to send or take bytes,
 * READY while it computes) polls in slices of at most 0.1 s and, when the
 * client is not ready, gives up at once if a stop was requested
 * (core/stop.h; a signal also cuts a poll short): MDB_ERUN "stopped by ...
 * while waiting ...", which mdb_case_run records as an interruption, not a
 * failure. A client that is ready is still served, so a stop does not
 * break an exchange that needs no waiting.
 * Writes use MSG_NOSIGNAL, so a vanished client is an error, not SIGPIPE.
 *
 * Timing: the wall time of each exchange (STATUS to the last FORCEREADY
 * byte: the socket round trip plus the client's own computation) adds to a
 * running total, read through the external_wait_s op: the runner records it
 * per timed step (client_wait_ms).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calc/calc.h"
#include "core/stop.h"
#include "core/text.h"
#include "calc/ipi.h"

extern char **environ;

#define IPI_BOHR_A 0.5291772105638411     /* Å per Bohr (ase.units.Bohr, ASE 3.22) */
#define IPI_HARTREE_EV 27.211386024367243 /* eV per Hartree (ase.units.Ha, ASE 3.22) */
#define IPI_HDR MDB_IPI_HDR
#define IPI_DEFAULT_TIMEOUT 60.0
#define IPI_DEFAULT_SPIN_US 0 /* ipi_fill: spin this long (at least) before the expected reply; 0: sleep */
#define IPI_SLICE_S 0.1       /* longest single poll: how soon a stop request is seen */

typedef struct ipi_ctx {
  char unix_path[108]; /* "" for TCP */
  char host[256];
  char port[32];
  double timeout;    /* s */
  int listen_fd, fd; /* -1 when closed */
  int broken;        /* a failure dropped the connection */
  int natoms;
  double *buf;                    /* [3*natoms] positions out (atomic units), forces in (eV/Å), client order */
  unsigned char *wire;            /* [mdb_ipi_forces_bytes(natoms)] a FORCEREADY body as received */
  double wait_s;                  /* running total of exchange wall time */
  char launch[MDB_SPEC_TEXT_MAX]; /* client command template, "" for none */
  char log[MDB_SPEC_TEXT_MAX];    /* where its output goes, "" for the default */
  pid_t child;                    /* the launched client (a process group), 0 for none */
  /* set through calc/ipi.h by calculators built on this one (the ase worker) */
  char *init;          /* INIT payload; NULL: the usual single 0 byte */
  char **argv, **envp; /* exec these instead of launch under /bin/sh; NULL: none */
  int own_client;      /* the client is mdbench's own: its ERROR text is passed on as it is */
  int client_error;    /* the client sent ERROR (it refused; it did not crash or stall) */
  char extra[65536];   /* the last FORCEREADY extra data, NUL-terminated (truncated) */
  int pipelined;       /* the own client's steps go as one write (ipi_exchange) */
  char *msg;           /* a step's outgoing messages */
  size_t msgcap;
  /* what the client sent and ipi_recv has not handed out yet: a step's
   * replies (READY, HAVEDATA, FORCEREADY and its body) usually arrive in
   * one segment and are taken with one recv instead of one per field */
  unsigned char rbuf[1 << 16];
  size_t rpos, rlen;
  /* waiting for a step's reply (ipi_fill): the client answers after about
   * as long as last time (expect_s, from sending the positions to the
   * first byte back); mdbench sleeps until shortly before that and polls
   * the socket without sleeping from then, since waking a process that
   * slept through a long force call costs 0.1-0.3 ms on a VM's idle core
   * (docs/ml-results.md); spin_s: how long before (MDBENCH_IPI_SPIN_US,
   * default 0: never spin, since a spinning mdbench takes CPU time a
   * model on the same cores may need) */
  double sent_at, expect_s, spin_s;
} ipi_ctx;

static double ipi_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *ipi_where(const ipi_ctx *c, char *buf, size_t n) {
  if (c->unix_path[0])
    snprintf(buf, n, "unix socket %s", c->unix_path);
  else
    snprintf(buf, n, "%s:%s", c->host, c->port);
  return buf;
}

static void ipi_drop(ipi_ctx *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->rpos = c->rlen = 0;
  c->broken = 1;
}

/* MDB_ERUN when a stop was requested, naming what was being waited for. */
static mdb_status ipi_stopped(const char *what, mdb_err *err) {
  const int sig = mdb_stop_requested();
  if (!sig) return MDB_OK;
  return mdb_err_set(err, MDB_ERUN, "ipi: stopped by %s while %s", mdb_stop_signal_name(sig), what);
}

/* Waits until fd is ready for events, the deadline passes, or a stop is
 * requested while the client is not ready. */
static mdb_status ipi_wait(ipi_ctx *c, short events, double deadline, const char *what, mdb_err *err) {
  for (;;) {
    double left = deadline - ipi_now();
    if (left <= 0)
      return mdb_err_set(err, MDB_ERUN, "ipi: the client did not respond within %g s (timeout=) while %s", c->timeout,
                         what);
    struct pollfd p = {.fd = c->fd, .events = events};
    int ms = (int)ceil((left < IPI_SLICE_S ? left : IPI_SLICE_S) * 1e3);
    int r = poll(&p, 1, ms);
    if (r < 0 && errno != EINTR)
      return mdb_err_set(err, MDB_ERUN, "ipi: poll failed while %s: %s", what, strerror(errno));
    if (r > 0) return MDB_OK; /* readable, or hung up/error: recv/send say which */
    mdb_status st = ipi_stopped(what, err);
    if (st) return st;
  }
}

/* Refills the receive buffer with what the client has sent: a recv that
 * does not block first, and a (stop-aware) wait only when nothing is there
 * yet, so a reply that has arrived costs one system call. */
static mdb_status ipi_fill(ipi_ctx *c, double deadline, const char *what, mdb_err *err) {
  /* the window around the expected reply in which to spin rather than
   * sleep: from spin_s (at least 2 % of the wait) before it to 1 ms (at
   * least 2 %) after it; outside it, the stop-aware sleeping wait */
  const int spin = c->sent_at > 0 && c->expect_s > 0 && c->spin_s > 0;
  const double lead = spin ? fmax(c->spin_s, 0.02 * c->expect_s) : 0;
  const double spin_from = c->sent_at + c->expect_s - lead,
               spin_to = c->sent_at + c->expect_s + fmax(1e-3, 0.02 * c->expect_s);
  for (unsigned tries = 0;; tries++) {
    ssize_t got = recv(c->fd, c->rbuf, sizeof c->rbuf, MSG_DONTWAIT);
    if (got > 0) {
      c->rpos = 0;
      c->rlen = (size_t)got;
      if (c->sent_at > 0) { /* the first bytes of this step's reply */
        c->expect_s = ipi_now() - c->sent_at;
        c->sent_at = 0;
      }
      return MDB_OK;
    }
    if (got == 0) return mdb_err_set(err, MDB_ERUN, "ipi: the client closed the connection while %s", what);
    if (errno == EINTR) continue;
    if (errno == ECONNRESET) return mdb_err_set(err, MDB_ERUN, "ipi: the client closed the connection while %s", what);
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return mdb_err_set(err, MDB_ERUN, "ipi: reading from the client failed while %s: %s", what, strerror(errno));
    const double now = spin ? ipi_now() : 0;
    if (spin && now < spin_to && now < deadline) {
      if (now < spin_from) { /* sleep (whole ms) until the window opens, or the reply comes */
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        (void)poll(&p, 1, (int)((spin_from - now) * 1e3));
      }
      if ((tries & 1023) == 0) {
        mdb_status st = ipi_stopped(what, err);
        if (st) return st;
      }
      continue;
    }
    mdb_status st = ipi_wait(c, POLLIN, deadline, what, err);
    if (st) return st;
  }
}

static mdb_status ipi_recv(ipi_ctx *c, void *dst, size_t n, const char *what, mdb_err *err) {
  unsigned char *p = dst;
  double deadline = ipi_now() + c->timeout;
  while (n > 0) {
    if (c->rpos == c->rlen) {
      mdb_status st = ipi_fill(c, deadline, what, err);
      if (st) return st;
    }
    size_t take = c->rlen - c->rpos < n ? c->rlen - c->rpos : n;
    memcpy(p, c->rbuf + c->rpos, take);
    c->rpos += take;
    p += take;
    n -= take;
  }
  return MDB_OK;
}

/* Sends all of src: a send that does not block first, a (stop-aware) wait
 * for room only when the socket is full. */
static mdb_status ipi_send(ipi_ctx *c, const void *src, size_t n, const char *what, mdb_err *err) {
  const char *p = src;
  double deadline = ipi_now() + c->timeout;
  while (n > 0) {
    ssize_t put = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      mdb_status st = ipi_wait(c, POLLOUT, deadline, what, err);
      if (st) return st;
      continue;
    }
    if (put < 0 && (errno == EPIPE || errno == ECONNRESET))
      return mdb_err_set(err, MDB_ERUN, "ipi: the client closed the connection while %s", what);
    if (put < 0)
      return mdb_err_set(err, MDB_ERUN, "ipi: writing to the client failed while %s: %s", what, strerror(errno));
    p += put;
    n -= (size_t)put;
  }
  return MDB_OK;
}

static mdb_status ipi_send_hdr(ipi_ctx *c, const char *msg, mdb_err *err) {
  char h[IPI_HDR];
  memset(h, ' ', sizeof h);
  memcpy(h, msg, strlen(msg));
  char what[64];
  snprintf(what, sizeof what, "sending %s", msg);
  return ipi_send(c, h, sizeof h, what, err);
}

/* An ERROR header (an extension mdbench's own ase worker uses in place of
 * READY/HAVEDATA): int32 length, then that many bytes of UTF-8 text saying
 * what went wrong; the text becomes the error. */
static mdb_status ipi_recv_error(ipi_ctx *c, const char *what, mdb_err *err) {
  int32_t len = 0;
  char text[900];
  mdb_status st = ipi_recv(c, &len, sizeof len, what, err);
  if (st) return st;
  if (len < 0 || len > (1 << 20))
    return mdb_err_set(err, MDB_ERUN, "ipi: the client sent ERROR with a bad length (%d)", (int)len);
  size_t keep = (size_t)len < sizeof text - 1 ? (size_t)len : sizeof text - 1;
  if ((st = ipi_recv(c, text, keep, what, err))) return st;
  text[keep] = '\0';
  for (int32_t left = len - (int32_t)keep; left > 0;) {
    char sink[256];
    int32_t take = left < (int32_t)sizeof sink ? left : (int32_t)sizeof sink;
    if ((st = ipi_recv(c, sink, (size_t)take, what, err))) return st;
    left -= take;
  }
  /* the client's text is one line in mdbench's messages and results */
  char clean[4 * sizeof text];
  mdb_text_escape(text, sizeof text, clean, sizeof clean);
  c->client_error = 1;
  if (c->own_client) return mdb_err_set(err, MDB_ERUN, "%s", clean);
  return mdb_err_set(err, MDB_ERUN, "ipi: the client reported an error while %s: %s", what, clean);
}

/* Reads a header into msg (trailing spaces removed); fails on non-ASCII. */
static mdb_status ipi_recv_hdr(ipi_ctx *c, char msg[IPI_HDR + 1], const char *what, mdb_err *err) {
  unsigned char h[IPI_HDR];
  mdb_status st = ipi_recv(c, h, sizeof h, what, err);
  if (st) return st;
  if (mdb_ipi_header(h, msg) < 0) {
    char hex[3 * IPI_HDR + 1];
    for (int k = 0; k < IPI_HDR; k++) snprintf(hex + 3 * k, 4, "%02x ", h[k]);
    hex[3 * IPI_HDR - 1] = '\0';
    return mdb_err_set(err, MDB_ERUN,
                       "ipi: malformed message header from the client while %s (bytes: %s); expected a 12-byte "
                       "space-padded word such as READY",
                       what, hex);
  }
  if (!strcmp(msg, "ERROR")) return ipi_recv_error(c, what, err);
  return MDB_OK;
}

int mdb_ipi_header(const unsigned char h[MDB_IPI_HDR], char msg[MDB_IPI_HDR + 1]) {
  int len = MDB_IPI_HDR;
  while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\0')) len--;
  int ok = len > 0;
  for (int k = 0; k < len; k++)
    if (h[k] < 'A' || h[k] > 'Z') ok = 0;
  msg[0] = '\0';
  if (!ok) return -1;
  memcpy(msg, h, (size_t)len);
  msg[len] = '\0';
  return 0;
}

size_t mdb_ipi_forces_bytes(int n) {
  return sizeof(double) + sizeof(int32_t) + (size_t)n * 3 * sizeof(double) + 9 * sizeof(double) + sizeof(int32_t);
}

mdb_status mdb_ipi_decode_forces(const void *body, size_t len, int n, double *energy, double *f, double w[3][3],
                                 int32_t *nextra, mdb_err *err) {
  const unsigned char *p = body;
  const size_t need = mdb_ipi_forces_bytes(n);
  if (len < MDB_IPI_FORCES_HEAD || (len != MDB_IPI_FORCES_HEAD && len != need))
    return mdb_err_set(err, MDB_ERUN, "ipi: a FORCEREADY body of %zu bytes; %zu expected for %d atoms", len, need, n);
  double e;
  int32_t nc;
  memcpy(&e, p, sizeof e);
  memcpy(&nc, p + sizeof e, sizeof nc);
  if (nc != n)
    return mdb_err_set(err, MDB_ERUN, "ipi: the client sent forces for %d atoms; the system has %d", (int)nc, n);
  if (len == MDB_IPI_FORCES_HEAD) return MDB_OK;
  const unsigned char *pf = p + MDB_IPI_FORCES_HEAD, *pw = pf + (size_t)n * 3 * sizeof(double);
  double v[9];
  int32_t ne;
  memcpy(v, pw, sizeof v);
  memcpy(&ne, pw + sizeof v, sizeof ne);
  if (ne < 0 || ne > MDB_IPI_MAX_EXTRA)
    return mdb_err_set(err, MDB_ERUN, "ipi: the client announced %d bytes of extra data (valid: 0..%d)", (int)ne,
                       MDB_IPI_MAX_EXTRA);
  /* checked after the conversion: a finite number near DBL_MAX in atomic units is infinite in eV */
  if (!isfinite(e * IPI_HARTREE_EV))
    return mdb_err_set(err, MDB_ERUN, "ipi: the client sent a non-finite energy (%g Hartree)", e);
  for (int k = 0; k < 9; k++)
    if (!isfinite(v[k] * IPI_HARTREE_EV)) return mdb_err_set(err, MDB_ERUN, "ipi: the client sent a non-finite virial");
  const double fconv = IPI_HARTREE_EV / IPI_BOHR_A;
  for (size_t k = 0; k < (size_t)n * 3; k++) {
    double fk;
    memcpy(&fk, pf + k * sizeof fk, sizeof fk);
    if (!isfinite(fk * fconv))
      return mdb_err_set(err, MDB_ERUN, "ipi: the client sent a non-finite force on atom %d", (int)(k / 3));
    f[k] = fk * fconv;
  }
  *energy = e * IPI_HARTREE_EV;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) w[a][b] = v[3 * b + a] * IPI_HARTREE_EV;
  *nextra = ne;
  return MDB_OK;
}

static const mdb_calc_key ipi_keys[] = {
    {"unix", "none (give unix, host+port, or launch)", "listen on the Unix socket /tmp/ipi_NAME"},
    {"host", "none", "listen on TCP host H (with port)"},
    {"port", "none", "TCP port P"},
    {"timeout", MDB_STR(IPI_DEFAULT_TIMEOUT), "seconds to wait for the client and for each message"},
    {"launch", "none", "command that starts the client ({socket}, {host}, {port} filled in)"},
    {"log", "$MDBENCH_CLIENT_LOG, else /dev/null", "where the launched client's output goes"},
    {NULL, NULL, NULL}};

static mdb_status ipi_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  mdb_status st = mdb_calc_check_keys(spec, ipi_keys, err);
  if (st) return st;
  const char *uname = NULL, *host = NULL, *port = NULL, *launch = NULL, *log = NULL;
  for (int k = 0; k < spec->nparams; k++) {
    if (!strcmp(spec->params[k].key, "unix")) uname = spec->params[k].value;
    if (!strcmp(spec->params[k].key, "host")) host = spec->params[k].value;
    if (!strcmp(spec->params[k].key, "port")) port = spec->params[k].value;
    if (!strcmp(spec->params[k].key, "launch")) launch = spec->params[k].value;
    if (!strcmp(spec->params[k].key, "log")) log = spec->params[k].value;
  }
  char made_up[64];
  if (launch && !uname && !port) { /* a private socket per calculator: ranks never collide */
    static int serial;
    snprintf(made_up, sizeof made_up, "mdbench_%ld_%d", (long)getpid(), serial++);
    uname = made_up;
  }
  if (log && !launch) return mdb_err_set(err, MDB_EINPUT, "ipi: log= goes with launch=COMMAND");
  if (uname && (host || port))
    return mdb_err_set(err, MDB_EINPUT, "ipi: give either unix=NAME or host=H,port=P, not both");
  if (!uname && !port)
    return mdb_err_set(err, MDB_EINPUT,
                       "ipi: say where to listen: ipi:unix=NAME (socket /tmp/ipi_NAME), "
                       "ipi:host=H,port=P, or ipi:launch=COMMAND");
  ipi_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "ipi state", sizeof *c);
  c->listen_fd = c->fd = -1;
  if (launch) snprintf(c->launch, sizeof c->launch, "%s", launch);
  if (log) snprintf(c->log, sizeof c->log, "%s", log);
  c->timeout = IPI_DEFAULT_TIMEOUT;
  const char *spin_us = getenv("MDBENCH_IPI_SPIN_US");
  c->spin_s = (spin_us && *spin_us ? fmax(0, fmin(atof(spin_us), 1e5)) : IPI_DEFAULT_SPIN_US) * 1e-6;
  int found;
  double t;
  st = mdb_spec_double(spec, "timeout", &t, &found, err);
  if (!st && found) {
    if (!(t > 0) || t > 1e6)
      st = mdb_err_set(err, MDB_EINPUT, "ipi: timeout must be > 0 and at most 1e6 s (got %g)", t);
    else
      c->timeout = t;
  }
  if (!st && uname) {
    if (!uname[0] || strchr(uname, '/'))
      st = mdb_err_set(err, MDB_EINPUT, "ipi: unix=NAME must be a non-empty name without '/' (got '%s')", uname);
    else if (strlen(uname) + strlen("/tmp/ipi_") >= sizeof c->unix_path)
      st = mdb_err_set(err, MDB_EINPUT, "ipi: unix socket name '%s' is too long (at most %zu characters)", uname,
                       sizeof c->unix_path - 1 - strlen("/tmp/ipi_"));
    else {
      memcpy(c->unix_path, "/tmp/ipi_", strlen("/tmp/ipi_"));
      memcpy(c->unix_path + strlen("/tmp/ipi_"), uname, strlen(uname) + 1);
    }
  }
  if (!st && !uname) {
    char *end;
    long p = strtol(port, &end, 10);
    if (!port[0] || *end || p < 1 || p > 65535)
      st = mdb_err_set(err, MDB_EINPUT, "ipi: port must be an integer in 1..65535 (got '%s')", port);
    const char *h = host ? host : "localhost";
    if (!st && (!h[0] || strlen(h) >= sizeof c->host))
      st = mdb_err_set(err, MDB_EINPUT, "ipi: host must be a name or address of 1..%zu characters", sizeof c->host - 1);
    if (!st) {
      memcpy(c->host, h, strlen(h) + 1);
      snprintf(c->port, sizeof c->port, "%ld", p);
    }
  }
  if (st) {
    free(c);
    return st;
  }
  *out = c;
  return MDB_OK;
}

static mdb_status ipi_listen_unix(ipi_ctx *c, mdb_err *err) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", c->unix_path);
  for (int attempt = 0;; attempt++) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); /* not inherited by a launched client */
    if (fd < 0) return mdb_err_set(err, MDB_ERUN, "ipi: cannot create a unix socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0) {
      c->listen_fd = fd;
      return MDB_OK;
    }
    int e = errno;
    if (e != EADDRINUSE || attempt > 0) {
      close(fd);
      return mdb_err_set(err, MDB_ERUN, "ipi: cannot listen on %s: %s", c->unix_path, strerror(e));
    }
    /* a stale socket file from a run that died is removed; a live server is not */
    struct stat sb;
    int live = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    if (live || lstat(c->unix_path, &sb) != 0 || !S_ISSOCK(sb.st_mode))
      return mdb_err_set(err, MDB_ERUN, "ipi: %s is in use (another server is listening there, or it is not a socket)",
                         c->unix_path);
    unlink(c->unix_path);
  }
}

static mdb_status ipi_listen_tcp(ipi_ctx *c, mdb_err *err) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int g = getaddrinfo(c->host, c->port, &hints, &res);
  /* a name that does not resolve is the user's (exit 2); a resolver that
   * cannot answer now (EAI_AGAIN, out of memory, a system error) is not */
  if (g != 0)
    return mdb_err_set(err, g == EAI_AGAIN || g == EAI_MEMORY || g == EAI_SYSTEM ? MDB_ERUN : MDB_EINPUT,
                       "ipi: cannot resolve host '%s': %s", c->host, gai_strerror(g));
  int e = 0;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      e = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
      c->listen_fd = fd;
      break;
    }
    e = errno;
    close(fd);
  }
  freeaddrinfo(res);
  if (c->listen_fd < 0)
    return mdb_err_set(err, MDB_ERUN, "ipi: cannot listen on %s:%s: %s", c->host, c->port, strerror(e));
  return MDB_OK;
}

/* The launch command with {socket}, {host} and {port} filled in. */
static void ipi_command(const ipi_ctx *c, char *out, size_t len) {
  const char *name = c->unix_path[0] ? c->unix_path + strlen("/tmp/ipi_") : "";
  size_t o = 0;
  for (const char *p = c->launch; *p && o + 1 < len; p++) {
    const char *sub = NULL;
    size_t skip = 0;
    if (!strncmp(p, "{socket}", 8))
      sub = name, skip = 8;
    else if (!strncmp(p, "{host}", 6))
      sub = c->host, skip = 6;
    else if (!strncmp(p, "{port}", 6))
      sub = c->port, skip = 6;
    if (sub) {
      o += (size_t)snprintf(out + o, len - o, "%s", sub);
      if (o >= len) o = len - 1;
      p += skip - 1;
    } else {
      out[o++] = *p;
    }
  }
  out[o] = '\0';
}

/* Starts the client in its own process group, output to its log. */
static mdb_status ipi_spawn(ipi_ctx *c, mdb_err *err) {
  char cmd[2 * MDB_SPEC_TEXT_MAX];
  ipi_command(c, cmd, sizeof cmd);
  const char *log = c->log[0] ? c->log : getenv("MDBENCH_CLIENT_LOG");
  if (!log || !log[0]) log = "/dev/null";
  int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return mdb_err_set(err, MDB_EINPUT, "ipi: cannot open the client log %s: %s", log, strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(out);
    return mdb_err_set(err, MDB_ERUN, "ipi: cannot start the client: %s", strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (c->argv) {
      for (char **a = c->argv; *a; a++)
        if (!strcmp(*a, "{socket}")) *a = c->unix_path + strlen("/tmp/ipi_");
      execve(c->argv[0], c->argv, c->envp ? c->envp : environ);
    } else
      execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid);
  close(out);
  c->child = pid;
  return MDB_OK;
}

/* Stops the launched client: a moment to leave after EXIT (none when no
 * EXIT was sent: a client that failed or stalled gets no grace), then
 * SIGTERM, then SIGKILL, to its whole process group. */
static void ipi_reap(ipi_ctx *c, int sent_exit) {
  if (c->child <= 0) return;
  for (int sig = sent_exit ? 0 : 1; sig < 3; sig++) {
    if (sig == 1) kill(-c->child, SIGTERM);
    if (sig == 2) kill(-c->child, SIGKILL);
    for (int i = 0; i < 100; i++) { /* up to 2 s each */
      if (waitpid(c->child, NULL, WNOHANG) == c->child) {
        c->child = 0;
        return;
      }
      struct timespec ts = {0, 20000000};
      nanosleep(&ts, NULL);
    }
  }
  c->child = 0;
}

static mdb_status ipi_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  ipi_ctx *c = ctx;
  char where[400];
  if (c->natoms != sys->n) {
    free(c->buf);
    free(c->wire);
    c->natoms = 0;
    c->buf = malloc((size_t)sys->n * 3 * sizeof *c->buf);
    c->wire = malloc(mdb_ipi_forces_bytes(sys->n));
    if (!c->buf || !c->wire) return mdb_err_nomem(err, "ipi positions", sys->n * 48.0);
    c->natoms = sys->n;
  }
  if (c->fd >= 0) return MDB_OK;
  if (c->listen_fd < 0) {
    mdb_status st = c->unix_path[0] ? ipi_listen_unix(c, err) : ipi_listen_tcp(c, err);
    if (st) return st;
  }
  if (c->launch[0] && c->child == 0) {
    mdb_status st = ipi_spawn(c, err);
    if (st) return st;
  }
  double deadline = ipi_now() + c->timeout;
  for (;;) {
    double left = deadline - ipi_now();
    int status;
    if (c->child > 0 && waitpid(c->child, &status, WNOHANG) == c->child) {
      c->child = 0;
      char cmd[2 * MDB_SPEC_TEXT_MAX];
      ipi_command(c, cmd, sizeof cmd);
      return mdb_err_set(err, MDB_ERUN, "ipi: the launched client exited (%s %d) before connecting: %s",
                         WIFEXITED(status) ? "status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), cmd);
    }
    struct pollfd p = {.fd = c->listen_fd, .events = POLLIN};
    /* in slices, to notice a launched client that died, and a stop */
    double slice = left > IPI_SLICE_S ? IPI_SLICE_S : left;
    int r = left > 0 ? poll(&p, 1, (int)ceil(slice * 1e3)) : 0;
    const int e = r < 0 ? errno : 0;
    if (r == 0 || e == EINTR) {
      char what[480];
      snprintf(what, sizeof what, "waiting for a client to connect to %s", ipi_where(c, where, sizeof where));
      mdb_status st = ipi_stopped(what, err);
      if (st) return st;
    }
    if (e == EINTR) continue;
    if (r == 0 && left > slice) continue;
    if (r < 0) return mdb_err_set(err, MDB_ERUN, "ipi: poll on the listening socket failed: %s", strerror(e));
    if (r == 0)
      return mdb_err_set(err, MDB_ERUN, "ipi: no client connected to %s within %g s (timeout=)",
                         ipi_where(c, where, sizeof where), c->timeout);
    int fd = accept(c->listen_fd, NULL, NULL);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC); /* not inherited by a client launched later (shadow mode) */
    if (fd < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;
    if (fd < 0)
      return mdb_err_set(err, MDB_ERUN, "ipi: accept on %s failed: %s", ipi_where(c, where, sizeof where),
                         strerror(errno));
    c->fd = fd;
    c->rpos = c->rlen = 0;
    c->broken = 0;
    return MDB_OK;
  }
}

/* No neighbours are needed; the neighbour module wants a positive cutoff,
 * and a short one keeps its ghosts few. */
static double ipi_cutoff(const void *ctx) { return 0.5; }

static unsigned ipi_kinds(const void *ctx) { return MDB_NEIGH_HALF; }

/* INIT (bead 0, the payload or one 0 byte), then STATUS; the answer in msg. */
static mdb_status ipi_send_init(ipi_ctx *c, char msg[IPI_HDR + 1], mdb_err *err) {
  const char zero = 0;
  const size_t len = c->init ? strlen(c->init) : 1;
  const int32_t head[2] = {0, (int32_t)len};
  mdb_status st;
  if ((st = ipi_send_hdr(c, "INIT", err))) return st;
  if ((st = ipi_send(c, head, sizeof head, "sending INIT", err))) return st;
  if ((st = ipi_send(c, c->init ? c->init : &zero, len, "sending INIT", err))) return st;
  if ((st = ipi_send_hdr(c, "STATUS", err))) return st;
  return ipi_recv_hdr(c, msg, "waiting for the answer to STATUS after INIT", err);
}

static void ipi_put(char **p, const void *src, size_t n) {
  memcpy(*p, src, n);
  *p += n;
}

static void ipi_put_hdr(char **p, const char *msg) {
  memset(*p, ' ', IPI_HDR);
  memcpy(*p, msg, strlen(msg));
  *p += IPI_HDR;
}

static mdb_status ipi_exchange(ipi_ctx *c, mdb_system *sys, mdb_calc_out *out, mdb_err *err) {
  char msg[IPI_HDR + 1];
  mdb_status st;
  /* mdbench's own worker (pipelined, set by mdb_ipi_handshake) is always
   * READY between steps and computes on POSDATA: the step's four messages
   * go in one write and the three answers come back without a wait in
   * between. A foreign client gets the protocol in lock step. */
  const int pipe = c->pipelined;
  if (!pipe) {
    if ((st = ipi_send_hdr(c, "STATUS", err))) return st;
    if ((st = ipi_recv_hdr(c, msg, "waiting for the answer to STATUS", err))) return st;
    if (!strcmp(msg, "NEEDINIT") && (st = ipi_send_init(c, msg, err))) return st;
    if (strcmp(msg, "READY"))
      return mdb_err_set(err, MDB_ERUN, "ipi: the client answered STATUS with '%s' where READY was expected", msg);
  }

  /* cell as i-PI has it: h = box.h transposed (columns a, b, c), C order */
  double h[9], ih[9];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      h[3 * a + b] = sys->box.h[b][a] / IPI_BOHR_A;
      ih[3 * a + b] = sys->box.hinv[b][a] * IPI_BOHR_A;
    }
  const int n = sys->n;
  /* continuous (unwrapped) positions, as i-PI sends them: the neighbour
   * build's wrapping into the cell is invisible to the client */
  for (int i = 0; i < n; i++) {
    const int *im = sys->image + 3 * i;
    for (int k = 0; k < 3; k++)
      c->buf[3 * sys->id[i] + k] =
          (sys->x[3 * i + k] + im[0] * sys->box.h[0][k] + im[1] * sys->box.h[1][k] + im[2] * sys->box.h[2][k]) /
          IPI_BOHR_A;
  }
  const int32_t n32 = n;
  /* POSDATA as one write (and, pipelined, STATUS before and STATUS, GETFORCE after) */
  const size_t len = 4 * IPI_HDR + sizeof h + sizeof ih + sizeof n32 + (size_t)n * 3 * sizeof *c->buf;
  if (len > c->msgcap) {
    char *m = realloc(c->msg, len);
    if (!m) return mdb_err_nomem(err, "ipi message", (double)len);
    c->msg = m;
    c->msgcap = len;
  }
  char *p = c->msg;
  if (pipe) ipi_put_hdr(&p, "STATUS");
  ipi_put_hdr(&p, "POSDATA");
  ipi_put(&p, h, sizeof h);
  ipi_put(&p, ih, sizeof ih);
  ipi_put(&p, &n32, sizeof n32);
  ipi_put(&p, c->buf, (size_t)n * 3 * sizeof *c->buf);
  if (pipe) {
    ipi_put_hdr(&p, "STATUS");
    ipi_put_hdr(&p, "GETFORCE");
  }
  if ((st = ipi_send(c, c->msg, (size_t)(p - c->msg), "sending positions", err))) return st;
  c->sent_at = pipe ? ipi_now() : 0; /* the pipelined client answers all at once: time it (ipi_fill) */

  if (pipe) {
    if ((st = ipi_recv_hdr(c, msg, "waiting for the answer to STATUS", err))) return st;
    if (strcmp(msg, "READY"))
      return mdb_err_set(err, MDB_ERUN, "ipi: the client answered STATUS with '%s' where READY was expected", msg);
    if ((st = ipi_recv_hdr(c, msg, "waiting for HAVEDATA (the client computing)", err))) return st;
    if (strcmp(msg, "HAVEDATA"))
      return mdb_err_set(err, MDB_ERUN,
                         "ipi: the client answered STATUS with '%s' after POSDATA where HAVEDATA "
                         "was expected",
                         msg);
  } else {
    /* READY while busy is allowed (i-PI polls); the overall wait is bounded */
    double deadline = ipi_now() + c->timeout;
    for (;;) {
      if ((st = ipi_send_hdr(c, "STATUS", err))) return st;
      if ((st = ipi_recv_hdr(c, msg, "waiting for HAVEDATA (the client computing)", err))) return st;
      if (!strcmp(msg, "HAVEDATA")) break;
      if (strcmp(msg, "READY"))
        return mdb_err_set(err, MDB_ERUN,
                           "ipi: the client answered STATUS with '%s' after POSDATA where HAVEDATA "
                           "was expected",
                           msg);
      if (ipi_now() > deadline)
        return mdb_err_set(err, MDB_ERUN, "ipi: the client did not have forces ready within %g s (timeout=)",
                           c->timeout);
      if ((st = ipi_stopped("waiting for HAVEDATA (the client computing)", err))) return st;
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
    if ((st = ipi_send_hdr(c, "GETFORCE", err))) return st;
  }
  if ((st = ipi_recv_hdr(c, msg, "waiting for FORCEREADY", err))) return st;
  if (strcmp(msg, "FORCEREADY"))
    return mdb_err_set(err, MDB_ERUN, "ipi: the client answered GETFORCE with '%s' where FORCEREADY was expected", msg);
  const size_t body = mdb_ipi_forces_bytes(n), head = MDB_IPI_FORCES_HEAD;
  double e, w[3][3];
  int32_t nextra;
  if ((st = ipi_recv(c, c->wire, head, "reading the energy and atom count", err))) return st;
  if ((st = mdb_ipi_decode_forces(c->wire, head, n, &e, c->buf, w, &nextra, err))) return st;
  if ((st = ipi_recv(c, c->wire + head, body - head, "reading forces and virial", err))) return st;
  if ((st = mdb_ipi_decode_forces(c->wire, body, n, &e, c->buf, w, &nextra, err))) return st;
  /* the first bytes are kept (calc/ipi.h mdb_ipi_extra), the rest dropped */
  int32_t keep = nextra < (int32_t)sizeof c->extra - 1 ? nextra : (int32_t)sizeof c->extra - 1;
  if ((st = ipi_recv(c, c->extra, (size_t)keep, "reading extra data", err))) return st;
  c->extra[keep] = '\0';
  char sink[4096];
  for (int32_t left = nextra - keep; left > 0;) {
    int32_t take = left < (int32_t)sizeof sink ? left : (int32_t)sizeof sink;
    if ((st = ipi_recv(c, sink, (size_t)take, "reading extra data", err))) return st;
    left -= take;
  }

  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) sys->f[3 * i + k] = c->buf[3 * sys->id[i] + k];
  out->energy = e;
  memcpy(out->virial, w, sizeof w);
  out->virial_set = 1;
  return MDB_OK;
}

static mdb_status ipi_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                              mdb_err *err) {
  ipi_ctx *c = ctx;
  if (c->fd < 0 || c->broken)
    return mdb_err_set(err, MDB_ERUN, "ipi: no client connected (an earlier exchange failed)");
  if (sys->n != c->natoms)
    return mdb_err_set(err, MDB_ERUN, "ipi: the system has %d atoms but was prepared for %d", sys->n, c->natoms);
  double t0 = ipi_now();
  mdb_status st = ipi_exchange(c, sys, out, err);
  c->wait_s += ipi_now() - t0;
  if (st) ipi_drop(c);
  return st;
}

static void ipi_free_strv(char **v) {
  for (char **p = v; p && *p; p++) free(*p);
  free(v);
}

static char **ipi_copy_strv(char *const *v) {
  size_t n = 0;
  while (v[n]) n++;
  char **out = calloc(n + 1, sizeof *out);
  for (size_t k = 0; out && k < n; k++)
    if (!(out[k] = strdup(v[k]))) {
      ipi_free_strv(out);
      return NULL;
    }
  return out;
}

static void ipi_fini(void *ctx) {
  ipi_ctx *c = ctx;
  if (!c) return;
  const int sent_exit = c->fd >= 0 && !c->broken;
  if (sent_exit) {
    char h[IPI_HDR];
    memset(h, ' ', sizeof h);
    memcpy(h, "EXIT", 4);
    (void)!send(c->fd, h, sizeof h, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  if (c->fd >= 0) close(c->fd);
  if (c->listen_fd >= 0) {
    close(c->listen_fd);
    if (c->unix_path[0]) unlink(c->unix_path);
  }
  ipi_reap(c, sent_exit);
  free(c->buf);
  free(c->msg);
  free(c->init);
  ipi_free_strv(c->argv);
  ipi_free_strv(c->envp);
  free(c->wire);
  free(c);
}

static double ipi_wait_total(const void *ctx) { return ((const ipi_ctx *)ctx)->wait_s; }

static int ipi_child_pid(const void *ctx) { return (int)((const ipi_ctx *)ctx)->child; }

/* ---- calc/ipi.h: for calculators that drive their own client over this path */

mdb_status mdb_ipi_set_client(void *ctx, char *const argv[], char *const envp[], const char *init, mdb_err *err) {
  ipi_ctx *c = ctx;
  ipi_free_strv(c->argv);
  ipi_free_strv(c->envp);
  free(c->init);
  c->argv = argv ? ipi_copy_strv(argv) : NULL;
  c->envp = envp ? ipi_copy_strv(envp) : NULL;
  c->init = init ? strdup(init) : NULL;
  c->own_client = 1;
  if ((argv && !c->argv) || (envp && !c->envp) || (init && !c->init))
    return mdb_err_nomem(err, "ipi client command", (double)(init ? strlen(init) : 0));
  return MDB_OK;
}

mdb_status mdb_ipi_handshake(void *ctx, mdb_err *err) {
  ipi_ctx *c = ctx;
  char msg[IPI_HDR + 1];
  mdb_status st = ipi_send_hdr(c, "STATUS", err);
  if (!st) st = ipi_recv_hdr(c, msg, "waiting for the answer to STATUS", err);
  if (!st && !strcmp(msg, "NEEDINIT")) st = ipi_send_init(c, msg, err);
  if (!st && strcmp(msg, "READY"))
    st = mdb_err_set(err, MDB_ERUN, "ipi: the client answered STATUS with '%s' where READY was expected", msg);
  if (st)
    ipi_drop(c);
  else
    c->pipelined = c->own_client;
  return st;
}

const char *mdb_ipi_extra(const void *ctx) { return ((const ipi_ctx *)ctx)->extra; }

int mdb_ipi_client_error(const void *ctx) { return ((const ipi_ctx *)ctx)->client_error; }

const mdb_calc_ops mdb_ipi_cpu_ops = {
    .name = "ipi",
    .device = "cpu",
    .summary = "external force code over the i-PI socket protocol (ipi:unix=NAME or ipi:host=H,port=P[,timeout=s])",
    .init = ipi_init,
    .prepare = ipi_prepare,
    .cutoff = ipi_cutoff,
    .neigh_kinds = ipi_kinds,
    .compute = ipi_compute,
    .fini = ipi_fini,
    .external_wait_s = ipi_wait_total,
    .keys = ipi_keys,
    .external_pid = ipi_child_pid,
};
