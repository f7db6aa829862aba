/*
 * dev_host.c — the host backend of dev/dev.h: the device kernels run
 * serially on the CPU (dev/kernel.h). Tests use it to check the GPU
 * algorithms and the engine on machines without a GPU.
 *
 * Graphs record each operation with a copy of its parameters, as CUDA
 * copies kernel arguments at capture, and replay them: a value the engine
 * should have kept in device memory but passed as a parameter shows up as
 * a wrong trajectory here too. The capture rules of CUDA that the engine
 * relies on are enforced (dev/dev.h): what CUDA refuses during a capture
 * is an error here, and invalidates the capture as it does there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "dev/kernel.h"

typedef enum { OP_LAUNCH, OP_REDUCE, OP_EVENT, OP_COPY, OP_ZERO } op_kind;

typedef struct host_op {
  op_kind kind;
  const mdb_kernel *kernel; /* OP_LAUNCH */
  int event;                /* OP_EVENT */
  long n;
  int m;
  const double *src;
  double *dst;
  const void *csrc; /* OP_COPY, OP_ZERO */
  void *cdst;
  size_t bytes;
  unsigned char params[4096]; /* CUDA's classic kernel-argument limit */
} host_op;

typedef struct host_graph {
  host_op *ops;
  int nops, cap;
} host_graph;

/* What an event slot holds: CUDA's states as far as timing goes. */
enum { EV_NONE = 0, EV_DONE, EV_CAPTURED_INTERNAL, EV_PENDING_IN_GRAPH };

typedef struct host_impl {
  int capturing;
  int capture_broken; /* an illegal call during the capture: graph_end fails (CUDA invalidates it) */
  char broken_why[160];
  host_graph cap;
  host_graph graphs[MDB_DEV_MAX_GRAPHS];
  double ev[MDB_DEV_MAX_EVENTS];
  int ev_state[MDB_DEV_MAX_EVENTS];
} host_impl;

static host_impl *impl(mdb_dev *d) { return (host_impl *)d->impl; }

/* A call CUDA refuses during a stream capture: an error, and the capture
 * is invalidated (cudaErrorStreamCaptureUnsupported / ...Invalidated). */
static mdb_status refuse_in_capture(mdb_dev *d, const char *what, mdb_err *err) {
  host_impl *h = impl(d);
  if (!h->capture_broken) {
    h->capture_broken = 1;
    snprintf(h->broken_why, sizeof h->broken_why, "%s", what);
  }
  return mdb_err_set(err, MDB_EDEV,
                     "host backend (strict as CUDA): %s during a graph capture is not allowed "
                     "(cudaErrorStreamCaptureUnsupported); the capture is invalidated",
                     what);
}

static mdb_status h_alloc(mdb_dev *d, void **p, size_t bytes, mdb_err *err) {
  *p = NULL;
  if (impl(d)->capturing) return refuse_in_capture(d, "a device allocation (cudaMalloc)", err);
  *p = calloc(1, bytes ? bytes : 1);
  if (!*p) return mdb_err_nomem(err, "device (host backend) memory", (double)bytes);
  return MDB_OK;
}

/* cudaFree during a capture is refused too; a release cannot fail, so it
 * breaks the capture (graph_end reports it) and still frees. */
static void h_release(mdb_dev *d, void *p) {
  if (impl(d)->capturing) refuse_in_capture(d, "a device release (cudaFree)", NULL);
  free(p);
}

static mdb_status h_alloc_mapped(mdb_dev *d, void **host, void **dev, size_t bytes, mdb_err *err) {
  mdb_status st = h_alloc(d, host, bytes, err);
  if (!st) *dev = *host;
  return st;
}

static mdb_status record(mdb_dev *d, const host_op *op, mdb_err *err);

/* h2d and d2h synchronise (cudaMemcpyAsync + cudaStreamSynchronize): not
 * in a capture. */
static mdb_status h_sync_copy(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err) {
  if (impl(d)->capturing) return refuse_in_capture(d, "a synchronous copy between host and device", err);
  if (bytes) memmove(dst, src, bytes);
  return MDB_OK;
}

/* d2d and zero are asynchronous on the stream: captured as graph nodes. */
static mdb_status h_d2d(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err) {
  if (impl(d)->capturing) {
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_COPY;
    op.cdst = dst;
    op.csrc = src;
    op.bytes = bytes;
    return record(d, &op, err);
  }
  if (bytes) memmove(dst, src, bytes);
  return MDB_OK;
}

static mdb_status h_zero(mdb_dev *d, void *dst, size_t bytes, mdb_err *err) {
  if (impl(d)->capturing) {
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_ZERO;
    op.cdst = dst;
    op.bytes = bytes;
    return record(d, &op, err);
  }
  if (bytes) memset(dst, 0, bytes);
  return MDB_OK;
}

static void run_kernel(mdb_dev *d, const mdb_kernel *kernel, long n, const void *params) {
  d->launches++;
  kernel->host(n, params);
}

static void run_reduce(mdb_dev *d, const double *src, long n, int m, double *dst) {
  d->launches += 2; /* CUDA's two passes */
  for (int k = 0; k < m; k++) {
    double s = 0;
    for (long i = 0; i < n; i++) s += src[(long)k * n + i];
    dst[k] = s;
  }
}

static mdb_status record(mdb_dev *d, const host_op *op, mdb_err *err) {
  host_graph *g = &impl(d)->cap;
  if (g->nops == g->cap) {
    int cap = g->cap ? 2 * g->cap : 64;
    host_op *o = realloc(g->ops, (size_t)cap * sizeof *o);
    if (!o) return mdb_err_nomem(err, "graph capture", (double)cap * sizeof *o);
    g->ops = o;
    g->cap = cap;
  }
  g->ops[g->nops++] = *op;
  return MDB_OK;
}

static mdb_status h_launch(mdb_dev *d, const mdb_kernel *kernel, long n, const void *params, size_t psize,
                           mdb_err *err) {
  if (psize > sizeof(((host_op *)0)->params))
    return mdb_err_set(err, MDB_ERUN, "kernel %s: parameter block of %zu bytes is too large", kernel->name, psize);
  if (n <= 0)
    return mdb_err_set(err, MDB_EDEV,
                       "host backend (strict as CUDA): kernel %s launched over %ld threads, a grid of zero blocks "
                       "(cudaErrorInvalidConfiguration)",
                       kernel->name, n);
  if ((n - 1) / MDB_CUDA_BLOCK + 1 > MDB_CUDA_MAX_GRID)
    return mdb_err_set(err, MDB_EDEV,
                       "host backend (strict as CUDA): kernel %s launched over %ld threads, more than %ld blocks of %d "
                       "(cudaErrorInvalidConfiguration)",
                       kernel->name, n, MDB_CUDA_MAX_GRID, MDB_CUDA_BLOCK);
  if (impl(d)->capturing) {
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_LAUNCH;
    op.kernel = kernel;
    op.n = n;
    memcpy(op.params, params, psize);
    return record(d, &op, err);
  }
  run_kernel(d, kernel, n, params);
  return MDB_OK;
}

static mdb_status h_reduce_sum(mdb_dev *d, const double *src, long n, int m, double *dst, mdb_err *err) {
  if (impl(d)->capturing) {
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_REDUCE;
    op.src = src;
    op.n = n;
    op.m = m;
    op.dst = dst;
    return record(d, &op, err);
  }
  run_reduce(d, src, n, m, dst);
  return MDB_OK;
}

static mdb_status h_sync(mdb_dev *d, mdb_err *err) {
  if (impl(d)->capturing) return refuse_in_capture(d, "a stream synchronisation", err);
  return MDB_OK;
}

static mdb_status h_event_record(mdb_dev *d, int e, int external, mdb_err *err) {
  if (e < 0 || e >= MDB_DEV_MAX_EVENTS) return mdb_err_set(err, MDB_ERUN, "event slot %d out of range", e);
  host_impl *h = impl(d);
  if (h->capturing) {
    if (!external) { /* cudaEventRecord in a capture: an internal dependency, no node, no time */
      h->ev_state[e] = EV_CAPTURED_INTERNAL;
      return MDB_OK;
    }
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_EVENT;
    op.event = e;
    h->ev_state[e] = EV_PENDING_IN_GRAPH;
    return record(d, &op, err);
  }
  h->ev[e] = mdb_now();
  h->ev_state[e] = EV_DONE;
  return MDB_OK;
}

static mdb_status h_event_ms(mdb_dev *d, int a, int b, double *ms, mdb_err *err) {
  if (a < 0 || b < 0 || a >= MDB_DEV_MAX_EVENTS || b >= MDB_DEV_MAX_EVENTS)
    return mdb_err_set(err, MDB_ERUN, "event slot out of range");
  host_impl *h = impl(d);
  for (int k = 0; k < 2; k++) {
    const int e = k ? b : a;
    if (h->ev_state[e] == EV_DONE) continue;
    if (h->ev_state[e] == EV_CAPTURED_INTERNAL)
      return mdb_err_set(err, MDB_EDEV,
                         "host backend (strict as CUDA): event %d was recorded during a graph capture without "
                         "cudaEventRecordExternal, so it is no node of the graph and cannot be timed "
                         "(cudaErrorInvalidResourceHandle)",
                         e);
    return mdb_err_set(
        err, MDB_EDEV,
        "host backend (strict as CUDA): event %d has not completed a record (cudaErrorInvalidResourceHandle)", e);
  }
  *ms = (h->ev[b] - h->ev[a]) * 1e3;
  return MDB_OK;
}

static mdb_status h_graph_begin(mdb_dev *d, mdb_err *err) {
  host_impl *h = impl(d);
  if (h->capturing) return mdb_err_set(err, MDB_ERUN, "graph capture already in progress");
  h->capturing = 1;
  h->capture_broken = 0;
  h->cap.nops = 0;
  return MDB_OK;
}

static mdb_status h_graph_end(mdb_dev *d, int id, mdb_err *err) {
  host_impl *h = impl(d);
  if (!h->capturing) return mdb_err_set(err, MDB_ERUN, "no graph capture in progress");
  h->capturing = 0;
  if (h->capture_broken) {
    h->cap.nops = 0;
    return mdb_err_set(err, MDB_EDEV,
                       "host backend (strict as CUDA): the graph capture was invalidated by %s "
                       "(cudaErrorStreamCaptureInvalidated)",
                       h->broken_why);
  }
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS) return mdb_err_set(err, MDB_ERUN, "graph slot %d out of range", id);
  host_graph *g = &h->graphs[id];
  free(g->ops);
  *g = h->cap; /* the capture buffer becomes the graph */
  memset(&h->cap, 0, sizeof h->cap);
  return MDB_OK;
}

static mdb_status h_graph_launch(mdb_dev *d, int id, mdb_err *err) {
  host_impl *h = impl(d);
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS || !h->graphs[id].ops)
    return mdb_err_set(err, MDB_ERUN, "graph slot %d is empty", id);
  const host_graph *g = &h->graphs[id];
  d->graph_launches++;
  for (int k = 0; k < g->nops; k++) {
    const host_op *op = &g->ops[k];
    switch (op->kind) {
    case OP_LAUNCH: run_kernel(d, op->kernel, op->n, op->params); break;
    case OP_REDUCE: run_reduce(d, op->src, op->n, op->m, op->dst); break;
    case OP_EVENT:
      h->ev[op->event] = mdb_now();
      h->ev_state[op->event] = EV_DONE;
      break;
    case OP_COPY:
      if (op->bytes) memmove(op->cdst, op->csrc, op->bytes);
      break;
    case OP_ZERO:
      if (op->bytes) memset(op->cdst, 0, op->bytes);
      break;
    }
  }
  return MDB_OK;
}

static void h_graph_drop(mdb_dev *d, int id) {
  host_impl *h = impl(d);
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS) return;
  free(h->graphs[id].ops);
  memset(&h->graphs[id], 0, sizeof h->graphs[id]);
}

static mdb_status h_mem_info(mdb_dev *d, double *free_b, double *total_b, mdb_err *err) {
  (void)d;
  (void)err;
  *free_b = 0;
  *total_b = 0;
  return MDB_OK;
}

static void h_close(mdb_dev *d) {
  host_impl *h = impl(d);
  for (int k = 0; k < MDB_DEV_MAX_GRAPHS; k++) free(h->graphs[k].ops);
  free(h->cap.ops);
  free(h);
  free(d);
}

static const mdb_dev_ops host_ops = {
    "host",        h_alloc,     h_release,      h_alloc_mapped, h_release,  h_sync_copy,    h_sync_copy,
    h_d2d,         h_zero,      h_launch,       h_reduce_sum,   h_sync,     h_event_record, h_event_ms,
    h_graph_begin, h_graph_end, h_graph_launch, h_graph_drop,   h_mem_info, h_close,
};

mdb_status mdb_dev_host_open(mdb_dev **out, mdb_err *err) {
  mdb_dev *d = calloc(1, sizeof *d);
  host_impl *h = calloc(1, sizeof *h);
  if (!d || !h) {
    free(d);
    free(h);
    return mdb_err_nomem(err, "host backend", sizeof *d + sizeof *h);
  }
  d->ops = &host_ops;
  d->impl = h;
  snprintf(d->info.backend, sizeof d->info.backend, "host");
  snprintf(d->info.name, sizeof d->info.name, "host emulation (GPU kernels run serially on the CPU)");
  d->info.ordinal = -1;
  *out = d;
  return MDB_OK;
}
