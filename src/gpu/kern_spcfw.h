/*
 * kern_spcfw.h — placeholder: the spcfw kernels of the GPU backend.
 */
#ifndef MDB_KERN_SPCFW_H
#define MDB_KERN_SPCFW_H

#include "gpu/kern_common.h"

#define MDB_KERNELS_SPCFW(X)

#endif
