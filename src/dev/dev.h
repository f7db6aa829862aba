/*
 * dev.h — the device a trajectory engine runs on, behind a small table of
 * operations: memory, copies, kernel launches (dev/kernel.h descriptors),
 * reductions, events, graphs.
 *
 * Two backends implement it:
 *   cuda  (dev/dev_cuda.cu) — an NVIDIA GPU: one stream, each kernel's
 *         __global__ wrapper (dev/kernel.h), two-pass deterministic reductions, CUDA events,
 *         CUDA Graphs captured from the stream, mapped host memory;
 *   host  (dev/dev_host.c) — the same kernel bodies run serially on the
 *         CPU. It is what tests run where there is no GPU: the engine, the
 *         kernels and the graph logic are exercised, only the CUDA calls
 *         are not. A "graph" there records the launches (parameters copied
 *         at capture, as CUDA copies kernel arguments) and replays them.
 *
 * The host backend is as strict as CUDA where the engine relies on CUDA's
 * rules (a rule CUDA enforces only on a GPU would otherwise first fail on
 * one):
 *   - during a capture, a synchronous copy (h2d, d2h), an allocation, a
 *     release or a stream synchronisation is an error, and the capture is
 *     invalidated (graph_end then fails too); d2d and zero are captured as
 *     graph nodes (cudaMemcpyAsync/cudaMemsetAsync are capturable);
 *   - an event recorded during a capture without `external` becomes no
 *     node of the graph: timing it afterwards is an error until it is
 *     recorded again outside a capture (cudaEventRecordWithFlags with
 *     cudaEventRecordExternal makes it a node);
 *   - a launch over n ≤ 0 threads (a grid of zero blocks) is an error;
 *   - a graph replays the parameters copied at capture, so a value the
 *     engine changes later on the host is stale in the graph.
 * Both backends count the kernel launches that run (d->launches; a
 * reduction is two, a graph launch adds the kernels captured in it), so
 * tests can assert the launches a step costs, on either.
 *
 * Library code: every operation returns a status and fills err. A failing
 * CUDA call is MDB_EDEV with CUDA's error string: a device fault, never
 * physics.
 */
#ifndef MDB_DEV_DEV_H
#define MDB_DEV_DEV_H

#include <stddef.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdb_dev mdb_dev;
struct mdb_kernel;

/* What the engine records about the device (also in every GPU result). */
typedef struct mdb_dev_info {
  char backend[16]; /* "cuda" or "host" */
  char name[128];   /* "NVIDIA H200", or "host emulation" */
  char uuid[64];    /* "GPU-xxxxxxxx-..." ("" for host) */
  char pci_bus_id[32];
  int ordinal;            /* device index this process uses */
  int cc_major, cc_minor; /* compute capability */
  int driver_version;     /* CUDA driver API version, e.g. 13000 */
  int runtime_version;    /* CUDA runtime version */
  double total_bytes;     /* device memory */
  int multiprocessors;
} mdb_dev_info;

/* Reduction kinds. */
enum { MDB_REDUCE_SUM = 0 };

#define MDB_DEV_MAX_GRAPHS 8
#define MDB_DEV_MAX_EVENTS 40
#define MDB_DEV_MAX_REDUCE 16 /* columns one reduce_sum may sum */

typedef struct mdb_dev_ops {
  const char *name;
  mdb_status (*alloc)(mdb_dev *d, void **p, size_t bytes, mdb_err *err);
  void (*release)(mdb_dev *d, void *p);
  /* host memory the device can write while kernels run (pinned, mapped);
   * *host and *dev address the same bytes */
  mdb_status (*alloc_mapped)(mdb_dev *d, void **host, void **dev, size_t bytes, mdb_err *err);
  void (*release_mapped)(mdb_dev *d, void *host);
  mdb_status (*h2d)(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err);
  mdb_status (*d2h)(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err);
  mdb_status (*d2d)(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err);
  mdb_status (*zero)(mdb_dev *d, void *dst, size_t bytes, mdb_err *err);
  /* kernel (dev/kernel.h) over n threads; params is the kernel's
   * parameter struct of psize bytes, copied at the call */
  mdb_status (*launch)(mdb_dev *d, const struct mdb_kernel *kernel, long n, const void *params, size_t psize,
                       mdb_err *err);
  /* dst[k] = Σ_i src[k*n + i] for k < m (dst in device memory) */
  mdb_status (*reduce_sum)(mdb_dev *d, const double *src, long n, int m, double *dst, mdb_err *err);
  mdb_status (*sync)(mdb_dev *d, mdb_err *err);
  /* events: record slot e on the stream (external: when this happens in a
   * capture, as a node of the graph, cudaEventRecordExternal — needed to
   * time it after the graph ran; outside a capture the backend records
   * plainly, CUDA refusing that flag there); after a sync, the time between
   * two slots in ms */
  mdb_status (*event_record)(mdb_dev *d, int e, int external, mdb_err *err);
  mdb_status (*event_ms)(mdb_dev *d, int a, int b, double *ms, mdb_err *err);
  /* graphs: everything issued between begin and end is captured into
   * slot id (replacing what was there), not run; launch runs it */
  mdb_status (*graph_begin)(mdb_dev *d, mdb_err *err);
  mdb_status (*graph_end)(mdb_dev *d, int id, mdb_err *err);
  mdb_status (*graph_launch)(mdb_dev *d, int id, mdb_err *err);
  void (*graph_drop)(mdb_dev *d, int id);
  /* free and total device memory (bytes); the host backend reports 0, 0 */
  mdb_status (*mem_info)(mdb_dev *d, double *free_b, double *total_b, mdb_err *err);
  void (*close)(mdb_dev *d);
} mdb_dev_ops;

struct mdb_dev {
  const mdb_dev_ops *ops;
  mdb_dev_info info;
  double allocated; /* bytes the engine holds through alloc (its own accounting) */
  double peak_allocated;
  long launches;       /* kernel launches run so far (a reduction counts 2; a graph's kernels per launch) */
  long graph_launches; /* graph launches so far */
  void *impl;
};

/* Opens a backend: "cuda" (the device of the given ordinal; -1: the
 * current one) or "host". A build without CUDA, a machine without a usable
 * GPU or a bad ordinal is an MDB_ERUN error saying which. */
mdb_status mdb_dev_open(mdb_dev **d, const char *backend, int ordinal, mdb_err *err);
void mdb_dev_close(mdb_dev *d);

/* Number of usable CUDA devices: 0 in a build without CUDA, and 0 when the
 * runtime reports any error (no driver gives error 35, not zero devices).
 * why (may be NULL) receives the reason when 0. */
int mdb_cuda_device_count(char *why, size_t whylen);

/* Whether this build has the CUDA backend. */
int mdb_cuda_built(void);

/* Fills info for device ordinal without opening a context-heavy engine
 * (name, UUID, driver/runtime versions); MDB_ERUN when unavailable. */
mdb_status mdb_cuda_device_info(int ordinal, mdb_dev_info *info, mdb_err *err);

/* Backends (dev/dev_host.c, dev/dev_cuda.cu). */
mdb_status mdb_dev_host_open(mdb_dev **d, mdb_err *err);
mdb_status mdb_dev_cuda_open(mdb_dev **d, int ordinal, mdb_err *err);

#ifdef __cplusplus
}
#endif

#endif
