/*
 * kernels.h — every device kernel of the GPU backend, as one X-macro list
 * X(ID, body, params): kernel MDB_K_ID runs mdb_kb_<body>(i, const params *)
 * for i < n (gpu/kern_common.h). Each kern_*.h contributes its own list.
 *
 * mdb_launch_<body>(dev, n, &params, err) is the typed launch the engine
 * calls; the backends (dev_host.c, dev_cuda.cu) expand the same list.
 */
#ifndef MDB_GPU_KERNELS_H
#define MDB_GPU_KERNELS_H

#include "gpu/dev.h"
#include "gpu/kern_eam.h"
#include "gpu/kern_ens.h"
#include "gpu/kern_lj.h"
#include "gpu/kern_md.h"
#include "gpu/kern_neigh.h"
#include "gpu/kern_spcfw.h"
#include "gpu/kern_sw.h"

#define MDB_KERNELS(X) \
  MDB_KERNELS_NEIGH(X) \
  MDB_KERNELS_MD(X)    \
  MDB_KERNELS_ENS(X)   \
  MDB_KERNELS_LJ(X)    \
  MDB_KERNELS_EAM(X)   \
  MDB_KERNELS_SW(X)    \
  MDB_KERNELS_SPCFW(X)

enum {
#define MDB_X_ENUM(ID, body, P) MDB_K_##ID,
  MDB_KERNELS(MDB_X_ENUM)
#undef MDB_X_ENUM
      MDB_K_COUNT
};

#define MDB_X_LAUNCHER(ID, body, P)                                                          \
  static inline mdb_status mdb_launch_##body(mdb_dev *d, long n, const P *p, mdb_err *err) { \
    return n > 0 ? d->ops->launch(d, MDB_K_##ID, n, p, sizeof *p, err) : MDB_OK;             \
  }
MDB_KERNELS(MDB_X_LAUNCHER)
#undef MDB_X_LAUNCHER

#endif
