/*
 * dev_cuda.cu — the CUDA backend of dev/dev.h: one non-blocking stream per
 * engine; a kernel is launched through its descriptor's __global__ wrapper
 * (dev/kernel.h; the build generates the wrappers), one thread per index; deterministic two-pass reductions (a fixed number of
 * blocks for a given n, so the same input gives the same bits); CUDA events
 * for the GPU time of a region; CUDA Graphs captured from the stream.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/kernel.h"

#define MDB_RED_BLOCK 256
#define MDB_RED_MAX_BLOCKS 512

/* ------------------------------------------------------- reductions */

/* Pass 1: block b of column k sums src[k*n + i] for i ≡ b·B+t (mod B·nb). */
__global__ void __launch_bounds__(MDB_RED_BLOCK) mdb_reduce_pass1(const double *src, long n, double *part) {
  __shared__ double s[MDB_RED_BLOCK];
  const int k = blockIdx.y, nb = gridDim.x;
  const double *col = src + (long)k * n;
  double acc = 0;
  for (long i = (long)blockIdx.x * MDB_RED_BLOCK + threadIdx.x; i < n; i += (long)nb * MDB_RED_BLOCK) acc += col[i];
  s[threadIdx.x] = acc;
  __syncthreads();
  for (int w = MDB_RED_BLOCK / 2; w > 0; w >>= 1) {
    if ((int)threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) part[(long)k * nb + blockIdx.x] = s[0];
}

/* Pass 2: one block per column sums its nb partials. */
__global__ void __launch_bounds__(MDB_RED_BLOCK) mdb_reduce_pass2(const double *part, int nb, double *dst) {
  __shared__ double s[MDB_RED_BLOCK];
  const int k = blockIdx.x;
  double acc = 0;
  for (int b = threadIdx.x; b < nb; b += MDB_RED_BLOCK) acc += part[(long)k * nb + b];
  s[threadIdx.x] = acc;
  __syncthreads();
  for (int w = MDB_RED_BLOCK / 2; w > 0; w >>= 1) {
    if ((int)threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) dst[k] = s[0];
}

/* ------------------------------------------------------------ backend */

typedef struct cuda_impl {
  cudaStream_t stream;
  cudaEvent_t ev[MDB_DEV_MAX_EVENTS];
  cudaGraphExec_t graphs[MDB_DEV_MAX_GRAPHS];
  double *part; /* reduction partials: MDB_DEV_MAX_REDUCE × MDB_RED_MAX_BLOCKS */
  int capturing;
  long cap_kernels;                       /* kernels issued into the capture in progress */
  long graph_kernels[MDB_DEV_MAX_GRAPHS]; /* kernels in each graph (d->launches counts them per launch) */
} cuda_impl;

/* d->launches counts kernels as they run: at once outside a capture, per
 * graph launch inside one (the same count as the host backend's). */
static void count_kernels(mdb_dev *d, long k) {
  if (((cuda_impl *)d->impl)->capturing)
    ((cuda_impl *)d->impl)->cap_kernels += k;
  else
    d->launches += k;
}

static cuda_impl *impl(mdb_dev *d) { return (cuda_impl *)d->impl; }

/* A failing CUDA call is a device error (MDB_EDEV), never physics: the
 * message carries CUDA's own string and name. */
static mdb_status cerr(mdb_err *err, cudaError_t e, const char *what) {
  return mdb_err_set(err, MDB_EDEV, "CUDA: %s: %s (%s)", what, cudaGetErrorString(e), cudaGetErrorName(e));
}

#define CU(call, what)                                 \
  do {                                                 \
    cudaError_t e_ = (call);                           \
    if (e_ != cudaSuccess) return cerr(err, e_, what); \
  } while (0)

static mdb_status c_alloc(mdb_dev *d, void **p, size_t bytes, mdb_err *err) {
  (void)d;
  cudaError_t e = cudaMalloc(p, bytes ? bytes : 1);
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    return mdb_err_nomem(err, "GPU memory", (double)bytes);
  }
  CU(e, "cudaMalloc");
  return MDB_OK;
}

static void c_release(mdb_dev *d, void *p) {
  (void)d;
  if (p) cudaFree(p);
}

static mdb_status c_alloc_mapped(mdb_dev *d, void **host, void **dev, size_t bytes, mdb_err *err) {
  (void)d;
  CU(cudaHostAlloc(host, bytes ? bytes : 1, cudaHostAllocMapped), "cudaHostAlloc (mapped)");
  memset(*host, 0, bytes);
  cudaError_t e = cudaHostGetDevicePointer(dev, *host, 0);
  if (e != cudaSuccess) {
    cudaFreeHost(*host);
    return cerr(err, e, "cudaHostGetDevicePointer");
  }
  return MDB_OK;
}

static void c_release_mapped(mdb_dev *d, void *host) {
  (void)d;
  if (host) cudaFreeHost(host);
}

static mdb_status c_copy(mdb_dev *d, void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, mdb_err *err) {
  if (!bytes) return MDB_OK;
  CU(cudaMemcpyAsync(dst, src, bytes, kind, impl(d)->stream), "cudaMemcpyAsync");
  if (kind != cudaMemcpyDeviceToDevice) CU(cudaStreamSynchronize(impl(d)->stream), "cudaStreamSynchronize");
  return MDB_OK;
}

static mdb_status c_h2d(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err) {
  return c_copy(d, dst, src, bytes, cudaMemcpyHostToDevice, err);
}
static mdb_status c_d2h(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err) {
  return c_copy(d, dst, src, bytes, cudaMemcpyDeviceToHost, err);
}
static mdb_status c_d2d(mdb_dev *d, void *dst, const void *src, size_t bytes, mdb_err *err) {
  return c_copy(d, dst, src, bytes, cudaMemcpyDeviceToDevice, err);
}

static mdb_status c_zero(mdb_dev *d, void *dst, size_t bytes, mdb_err *err) {
  if (bytes) CU(cudaMemsetAsync(dst, 0, bytes, impl(d)->stream), "cudaMemsetAsync");
  return MDB_OK;
}

static mdb_status c_launch(mdb_dev *d, const mdb_kernel *kernel, long n, const void *params, size_t psize,
                           mdb_err *err) {
  (void)psize;
  if (n <= 0)
    return mdb_err_set(err, MDB_EDEV, "kernel %s launched over %ld threads: a grid of zero blocks is invalid",
                       kernel->name, n);
  if ((n - 1) / MDB_CUDA_BLOCK + 1 > MDB_CUDA_MAX_GRID)
    return mdb_err_set(err, MDB_EDEV, "kernel %s launched over %ld threads: more than %ld blocks of %d", kernel->name,
                       n, MDB_CUDA_MAX_GRID, MDB_CUDA_BLOCK);
  if (!kernel->cuda) return mdb_err_set(err, MDB_ERUN, "kernel %s has no CUDA wrapper in this build", kernel->name);
  const unsigned grid = (unsigned)((n + MDB_CUDA_BLOCK - 1) / MDB_CUDA_BLOCK);
  void *args[2] = {const_cast<void *>(params), &n}; /* the wrapper's (const P p, long n) */
  CU(cudaLaunchKernel(*kernel->cuda, dim3(grid), dim3(MDB_CUDA_BLOCK), args, 0, impl(d)->stream), "kernel launch");
  count_kernels(d, 1);
  return MDB_OK;
}

static mdb_status c_reduce_sum(mdb_dev *d, const double *src, long n, int m, double *dst, mdb_err *err) {
  if (m <= 0) return MDB_OK;
  if (m > MDB_DEV_MAX_REDUCE)
    return mdb_err_set(err, MDB_ERUN, "reduction of %d columns (at most %d)", m, MDB_DEV_MAX_REDUCE);
  long nb = (n + 4L * MDB_RED_BLOCK - 1) / (4L * MDB_RED_BLOCK);
  if (nb > MDB_RED_MAX_BLOCKS) nb = MDB_RED_MAX_BLOCKS;
  if (nb < 1) nb = 1;
  cudaStream_t s = impl(d)->stream;
  dim3 g1((unsigned)nb, (unsigned)m);
  mdb_reduce_pass1<<<g1, MDB_RED_BLOCK, 0, s>>>(src, n, impl(d)->part);
  CU(cudaGetLastError(), "reduction pass 1");
  mdb_reduce_pass2<<<(unsigned)m, MDB_RED_BLOCK, 0, s>>>(impl(d)->part, (int)nb, dst);
  CU(cudaGetLastError(), "reduction pass 2");
  count_kernels(d, 2);
  return MDB_OK;
}

static mdb_status c_sync(mdb_dev *d, mdb_err *err) {
  CU(cudaStreamSynchronize(impl(d)->stream), "cudaStreamSynchronize");
  return MDB_OK;
}

/* In a capture, a plain cudaEventRecord adds no node (the event only
 * orders streams inside the capture) and timing it afterwards fails;
 * cudaEventRecordExternal makes it a node that records when the graph
 * runs. Outside a capture that flag is invalid: it is passed only while
 * capturing. */
static mdb_status c_event_record(mdb_dev *d, int e, int external, mdb_err *err) {
  if (e < 0 || e >= MDB_DEV_MAX_EVENTS) return mdb_err_set(err, MDB_ERUN, "event slot %d out of range", e);
  const unsigned flags = external && impl(d)->capturing ? cudaEventRecordExternal : cudaEventRecordDefault;
  CU(cudaEventRecordWithFlags(impl(d)->ev[e], impl(d)->stream, flags), "cudaEventRecordWithFlags");
  return MDB_OK;
}

static mdb_status c_event_ms(mdb_dev *d, int a, int b, double *ms, mdb_err *err) {
  if (a < 0 || b < 0 || a >= MDB_DEV_MAX_EVENTS || b >= MDB_DEV_MAX_EVENTS)
    return mdb_err_set(err, MDB_ERUN, "event slot out of range");
  float f = 0;
  CU(cudaEventElapsedTime(&f, impl(d)->ev[a], impl(d)->ev[b]), "cudaEventElapsedTime");
  *ms = f;
  return MDB_OK;
}

static mdb_status c_graph_begin(mdb_dev *d, mdb_err *err) {
  if (impl(d)->capturing) return mdb_err_set(err, MDB_ERUN, "graph capture already in progress");
  CU(cudaStreamBeginCapture(impl(d)->stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  impl(d)->capturing = 1;
  impl(d)->cap_kernels = 0;
  return MDB_OK;
}

static void c_graph_drop(mdb_dev *d, int id) {
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS || !impl(d)->graphs[id]) return;
  cudaGraphExecDestroy(impl(d)->graphs[id]);
  impl(d)->graphs[id] = NULL;
}

static mdb_status c_graph_end(mdb_dev *d, int id, mdb_err *err) {
  cuda_impl *c = impl(d);
  if (!c->capturing) return mdb_err_set(err, MDB_ERUN, "no graph capture in progress");
  c->capturing = 0;
  cudaGraph_t g = NULL;
  CU(cudaStreamEndCapture(c->stream, &g), "cudaStreamEndCapture");
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS) {
    cudaGraphDestroy(g);
    return mdb_err_set(err, MDB_ERUN, "graph slot %d out of range", id);
  }
  c_graph_drop(d, id);
  cudaError_t e = cudaGraphInstantiate(&c->graphs[id], g, 0);
  cudaGraphDestroy(g);
  if (e != cudaSuccess) {
    c->graphs[id] = NULL;
    return cerr(err, e, "cudaGraphInstantiate");
  }
  c->graph_kernels[id] = c->cap_kernels;
  return MDB_OK;
}

static mdb_status c_graph_launch(mdb_dev *d, int id, mdb_err *err) {
  if (id < 0 || id >= MDB_DEV_MAX_GRAPHS || !impl(d)->graphs[id])
    return mdb_err_set(err, MDB_ERUN, "graph slot %d is empty", id);
  CU(cudaGraphLaunch(impl(d)->graphs[id], impl(d)->stream), "cudaGraphLaunch");
  d->launches += impl(d)->graph_kernels[id];
  d->graph_launches++;
  return MDB_OK;
}

static mdb_status c_mem_info(mdb_dev *d, double *free_b, double *total_b, mdb_err *err) {
  (void)d;
  size_t f = 0, t = 0;
  CU(cudaMemGetInfo(&f, &t), "cudaMemGetInfo");
  *free_b = (double)f;
  *total_b = (double)t;
  return MDB_OK;
}

static void c_close(mdb_dev *d) {
  cuda_impl *c = impl(d);
  if (c) {
    for (int k = 0; k < MDB_DEV_MAX_GRAPHS; k++) c_graph_drop(d, k);
    for (int k = 0; k < MDB_DEV_MAX_EVENTS; k++)
      if (c->ev[k]) cudaEventDestroy(c->ev[k]);
    if (c->part) cudaFree(c->part);
    if (c->stream) cudaStreamDestroy(c->stream);
    free(c);
  }
  free(d);
}

static const mdb_dev_ops cuda_ops = {
    "cuda",        c_alloc,     c_release,      c_alloc_mapped, c_release_mapped, c_h2d,          c_d2h,
    c_d2d,         c_zero,      c_launch,       c_reduce_sum,   c_sync,           c_event_record, c_event_ms,
    c_graph_begin, c_graph_end, c_graph_launch, c_graph_drop,   c_mem_info,       c_close,
};

/* ---------------------------------------------------------- discovery */

extern "C" int mdb_cuda_built(void) { return 1; }

extern "C" int mdb_cuda_device_count(char *why, size_t whylen) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    /* without a driver the runtime says "driver version is insufficient",
     * which sends users to upgrade a driver they do not have: the driver
     * version is 0 exactly when none is installed */
    int driver = -1;
    if (cudaDriverGetVersion(&driver) == cudaSuccess && driver == 0) {
      if (why) snprintf(why, whylen, "no NVIDIA driver found");
    } else if (why) {
      snprintf(why, whylen, "%s (%s)", cudaGetErrorString(e), cudaGetErrorName(e));
    }
    return 0;
  }
  if (n == 0 && why) snprintf(why, whylen, "the CUDA runtime reports no devices");
  return n;
}

extern "C" mdb_status mdb_cuda_device_info(int ordinal, mdb_dev_info *info, mdb_err *err) {
  memset(info, 0, sizeof *info);
  char why[256] = "";
  int n = mdb_cuda_device_count(why, sizeof why);
  if (n == 0) return mdb_err_set(err, MDB_ERUN, "no usable CUDA device: %s", why);
  if (ordinal < 0 || ordinal >= n)
    return mdb_err_set(err, MDB_ERUN, "CUDA device %d does not exist (valid: 0..%d)", ordinal, n - 1);
  cudaDeviceProp prop;
  CU(cudaGetDeviceProperties(&prop, ordinal), "cudaGetDeviceProperties");
  snprintf(info->backend, sizeof info->backend, "cuda");
  snprintf(info->name, sizeof info->name, "%.127s", prop.name);
  const unsigned char *u = (const unsigned char *)prop.uuid.bytes;
  snprintf(info->uuid, sizeof info->uuid, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  snprintf(info->pci_bus_id, sizeof info->pci_bus_id, "%04x:%02x:%02x.0", prop.pciDomainID, prop.pciBusID,
           prop.pciDeviceID);
  info->ordinal = ordinal;
  info->cc_major = prop.major;
  info->cc_minor = prop.minor;
  info->total_bytes = (double)prop.totalGlobalMem;
  info->multiprocessors = prop.multiProcessorCount;
  cudaDriverGetVersion(&info->driver_version);
  cudaRuntimeGetVersion(&info->runtime_version);
  return MDB_OK;
}

extern "C" mdb_status mdb_dev_cuda_open(mdb_dev **out, int ordinal, mdb_err *err) {
  if (ordinal < 0) CU(cudaGetDevice(&ordinal), "cudaGetDevice");
  mdb_dev_info info;
  mdb_status st = mdb_cuda_device_info(ordinal, &info, err);
  if (st) return st;
  CU(cudaSetDevice(ordinal), "cudaSetDevice");
  mdb_dev *d = (mdb_dev *)calloc(1, sizeof *d);
  cuda_impl *c = (cuda_impl *)calloc(1, sizeof *c);
  if (!d || !c) {
    free(d);
    free(c);
    return mdb_err_nomem(err, "CUDA backend", sizeof *d + sizeof *c);
  }
  d->ops = &cuda_ops;
  d->impl = c;
  d->info = info;
  cudaError_t e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking);
  for (int k = 0; e == cudaSuccess && k < MDB_DEV_MAX_EVENTS; k++) e = cudaEventCreate(&c->ev[k]);
  if (e == cudaSuccess) e = cudaMalloc((void **)&c->part, sizeof(double) * MDB_DEV_MAX_REDUCE * MDB_RED_MAX_BLOCKS);
  if (e != cudaSuccess) {
    c_close(d);
    return cerr(err, e, "creating the stream, events and reduction buffer");
  }
  *out = d;
  return MDB_OK;
}
