/*
 * hd.h — marks functions that compile for both host and device.
 *
 * Physics formulas are written once as `MDB_HD static inline` functions; the
 * CPU loops and the CUDA kernels call the same code (HOOMD-blue evaluators,
 * LAMMPS-KOKKOS compute_fpair).
 */
#ifndef MDB_HD_H
#define MDB_HD_H

#if defined(__CUDACC__)
#define MDB_HD __host__ __device__
#else
#define MDB_HD
#endif

#endif
