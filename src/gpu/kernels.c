/*
 * kernels.c — the engine's own kernels (neighbour list, NVE, samples,
 * ensembles, the re-sort) for the host backend, and their descriptors (dev/kernel.h);
 * a calculator's kernels are defined in its NAME.c.
 */
#include "gpu/kern_ens.h"
#include "gpu/kern_md.h"
#include "gpu/kern_neigh.h"
#include "gpu/kern_sort.h"

MDB_KERNELS_NEIGH(MDB_KERNEL_DEFINE)
MDB_KERNELS_MD(MDB_KERNEL_DEFINE)
MDB_KERNELS_ENS(MDB_KERNEL_DEFINE)
MDB_KERNELS_SORT(MDB_KERNEL_DEFINE)
