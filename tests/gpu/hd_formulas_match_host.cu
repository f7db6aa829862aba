/*
 * The host+device formulas give the same numbers on the GPU as on the CPU:
 * the LJ pair function for 4096 distances (1e-14 relative; built with
 * --fmad=false like the engine, so no a*b+c is contracted into an FMA and
 * the bits should agree: docs/gpu-numerics.md), Philox4x32-10 and the
 * Gaussian pairs of the Langevin noise (mdb_gauss2), bit for bit.
 * Prints the device's name, so a log shows which GPU ran it.
 * Exits 77 (skipped) when no GPU is usable; without a driver
 * cudaGetDeviceCount returns an error rather than zero devices.
 */
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>

#include "calc/lj.h"
#include "core/rng.h"

__global__ void lj_kernel(const double *r2, mdb_lj_pair p, double *e, double *f, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) e[i] = mdb_lj_eval(r2[i], &p, &f[i]);
}

__global__ void gauss_kernel(double *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) mdb_gauss2(0x12345678u, 0x9abcdef0u, (uint32_t)i, 3u, 4u, &out[2 * i], &out[2 * i + 1]);
}

__global__ void philox_kernel(mdb_u32x4 *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    mdb_u32x4 c = {{(uint32_t)i, 7u, 11u, 13u}};
    out[i] = mdb_philox4x32(c, 0xa4093822u, 0x299f31d0u);
  }
}

#define CUDA_OK(call)                                                                        \
  do {                                                                                       \
    cudaError_t e_ = (call);                                                                 \
    if (e_ != cudaSuccess) {                                                                 \
      fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      return 1;                                                                              \
    }                                                                                        \
  } while (0)

int main(void) {
  int ndev = 0;
  cudaError_t st = cudaGetDeviceCount(&ndev);
  if (st != cudaSuccess || ndev == 0) {
    printf("no usable GPU (%s): skipped\n", st != cudaSuccess ? cudaGetErrorString(st) : "0 devices");
    return 77;
  }
  cudaDeviceProp prop;
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
  printf("device: %s (compute capability %d.%d)\n", prop.name, prop.major, prop.minor);
  const int n = 4096;
  double r2[n], e[n], f[n];
  mdb_lj_pair p = {0, 0, 0, 8.5 * 8.5};
  double eps = 0.0103, sig = 3.405, s6 = pow(sig, 6);
  p.c12 = 4 * eps * s6 * s6;
  p.c6 = 4 * eps * s6;
  double unused;
  p.eshift = 0;
  p.eshift = mdb_lj_eval(p.rc2, &p, &unused);
  for (int i = 0; i < n; i++) r2[i] = pow(3.0 + 5.5 * i / n, 2);
  double *d_r2, *d_e, *d_f;
  CUDA_OK(cudaMalloc(&d_r2, sizeof r2));
  CUDA_OK(cudaMalloc(&d_e, sizeof e));
  CUDA_OK(cudaMalloc(&d_f, sizeof f));
  CUDA_OK(cudaMemcpy(d_r2, r2, sizeof r2, cudaMemcpyHostToDevice));
  lj_kernel<<<(n + 127) / 128, 128>>>(d_r2, p, d_e, d_f, n);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaMemcpy(e, d_e, sizeof e, cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(f, d_f, sizeof f, cudaMemcpyDeviceToHost));
  int fails = 0, passes = 0;
  double worst = 0;
  for (int i = 0; i < n; i++) {
    double fh, eh = mdb_lj_eval(r2[i], &p, &fh);
    double de = fabs(e[i] - eh) / fmax(fabs(eh), 1e-6), df = fabs(f[i] - fh) / fmax(fabs(fh), 1e-6);
    worst = fmax(worst, fmax(de, df));
    (de < 1e-14 && df < 1e-14) ? passes++ : fails++;
  }
  printf("LJ pair on device vs host: worst relative difference %.2e\n", worst);

  mdb_u32x4 out[n], *d_out;
  CUDA_OK(cudaMalloc(&d_out, sizeof out));
  philox_kernel<<<(n + 127) / 128, 128>>>(d_out, n);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaMemcpy(out, d_out, sizeof out, cudaMemcpyDeviceToHost));
  int same = 1;
  for (int i = 0; i < n; i++) {
    mdb_u32x4 c = {{(uint32_t)i, 7u, 11u, 13u}};
    mdb_u32x4 h = mdb_philox4x32(c, 0xa4093822u, 0x299f31d0u);
    for (int k = 0; k < 4; k++) same &= h.v[k] == out[i].v[k];
  }
  same ? passes++ : fails++;
  printf("Philox on device vs host: %s\n", same ? "bit-identical" : "DIFFERENT");

  static double gd[2 * n];
  double *d_g;
  CUDA_OK(cudaMalloc(&d_g, sizeof gd));
  gauss_kernel<<<(n + 127) / 128, 128>>>(d_g, n);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaMemcpy(gd, d_g, sizeof gd, cudaMemcpyDeviceToHost));
  int gsame = 0;
  for (int i = 0; i < n; i++) {
    double a, b;
    mdb_gauss2(0x12345678u, 0x9abcdef0u, (uint32_t)i, 3u, 4u, &a, &b);
    gsame += a == gd[2 * i] && b == gd[2 * i + 1];
  }
  gsame == n ? passes++ : fails++;
  printf("Gaussian pairs on device vs host: %d of %d bit-identical\n", gsame, n);
  cudaFree(d_g);
  cudaFree(d_r2);
  cudaFree(d_e);
  cudaFree(d_f);
  cudaFree(d_out);
  printf("%d passed, %d failed\n", passes, fails);
  return fails ? 1 : 0;
}
