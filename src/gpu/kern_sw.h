/*
 * kern_sw.h — placeholder: the sw kernels of the GPU backend.
 */
#ifndef MDB_KERN_SW_H
#define MDB_KERN_SW_H

#include "gpu/kern_common.h"

#define MDB_KERNELS_SW(X)

#endif
