/*
 * kern_ens.h — placeholder: the ens kernels of the GPU backend.
 */
#ifndef MDB_KERN_ENS_H
#define MDB_KERN_ENS_H

#include "gpu/kern_common.h"

#define MDB_KERNELS_ENS(X)

#endif
