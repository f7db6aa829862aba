/*
 * kern_eam.h — placeholder: the eam kernels of the GPU backend.
 */
#ifndef MDB_KERN_EAM_H
#define MDB_KERN_EAM_H

#include "gpu/kern_common.h"

#define MDB_KERNELS_EAM(X)

#endif
