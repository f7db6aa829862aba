/*
 * kernel.h — a device kernel as a descriptor the device layer launches
 * (dev.h: launch), so whoever owns a kernel (the engine, a calculator's GPU
 * half) defines it where its body is and nothing else lists it.
 *
 * A header of kernel bodies ends with an X-macro list X(ID, body, params):
 * the kernel runs mdb_kb_<body>(i, const params *) for i < n. Expanded
 *   with MDB_KERNEL_DECLARE (in the header itself): the descriptor
 *     mdb_kernel_<body> and the typed launch mdb_launch_<body>(dev, n,
 *     &params, err) the owner calls;
 *   with MDB_KERNEL_DEFINE (in exactly one .c of the owner): the host
 *     backend's serial loop and the descriptor;
 *   with MDB_KERNEL_GLOBAL (in a .cu the build generates from each header
 *     of kernels, CMakeLists.txt): the __global__ wrapper, one thread per
 *     i, and its address for the descriptor.
 */
#ifndef MDB_DEV_KERNEL_H
#define MDB_DEV_KERNEL_H

#include "dev/dev.h"

#define MDB_CUDA_BLOCK 128            /* threads per block of every kernel */
#define MDB_CUDA_MAX_GRID 2147483647L /* blocks of a launch, at most (gridDim.x, 2^31 − 1) */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdb_kernel {
  const char *name;
  void (*host)(long n, const void *params); /* the body for i = 0..n−1, in order */
  const void *const *cuda;                  /* the __global__ wrapper (NULL in a build without CUDA) */
} mdb_kernel;

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus /* the generated .cu: no launchers there */
#define MDB_KERNEL_DECLARE(ID, body, P)
#else
#define MDB_KERNEL_DECLARE(ID, body, P)                                                      \
  extern const mdb_kernel mdb_kernel_##body;                                                 \
  static inline mdb_status mdb_launch_##body(mdb_dev *d, long n, const P *p, mdb_err *err) { \
    return n > 0 ? d->ops->launch(d, &mdb_kernel_##body, n, p, sizeof *p, err) : MDB_OK;     \
  }
#endif

#ifdef MDB_HAVE_CUDA
#define MDB_KERNEL_CUDA_DECL_(body) extern const void *const mdb_kcuda_##body;
#define MDB_KERNEL_CUDA_REF_(body) &mdb_kcuda_##body
#else
#define MDB_KERNEL_CUDA_DECL_(body)
#define MDB_KERNEL_CUDA_REF_(body) NULL
#endif

#define MDB_KERNEL_DEFINE(ID, body, P)                           \
  static void mdb_kh_##body(long n, const void *p) {             \
    for (long i = 0; i < n; i++) mdb_kb_##body(i, (const P *)p); \
  }                                                              \
  MDB_KERNEL_CUDA_DECL_(body)                                    \
  const mdb_kernel mdb_kernel_##body = {#body, mdb_kh_##body, MDB_KERNEL_CUDA_REF_(body)};

#ifdef __CUDACC__
#define MDB_KERNEL_GLOBAL(ID, body, P)                                                            \
  extern "C" __global__ void __launch_bounds__(MDB_CUDA_BLOCK) mdb_kg_##body(const P p, long n) { \
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;                                   \
    if (i < n) mdb_kb_##body(i, &p);                                                              \
  }                                                                                               \
  extern "C" const void *const mdb_kcuda_##body = (const void *)mdb_kg_##body;
#endif

#endif
