/*
 * gens.c — NVT (Nosé–Hoover chain, Langevin) and NPT (MTK) on the device.
 * Placeholder until the ensembles are ported.
 */
#include "gpu/gmd_impl.h"

mdb_status mdb_gens_setup(mdb_gmd *g, const mdb_md *md, mdb_err *err) {
  (void)g;
  return mdb_err_set(err, MDB_EINPUT, "--protocol %s is not available on cuda yet (valid: NVE)",
                     mdb_protocol_name(md->ens.protocol));
}
mdb_status mdb_gens_first(mdb_gmd *g, mdb_err *err) {
  (void)g;
  return mdb_err_set(err, MDB_ERUN, "ensemble not available on cuda");
}
mdb_status mdb_gens_second(mdb_gmd *g, unsigned flags, mdb_err *err) {
  (void)g;
  (void)flags;
  return mdb_err_set(err, MDB_ERUN, "ensemble not available on cuda");
}
double mdb_gens_extended(const mdb_gmd *g, const mdb_gstate *s) {
  (void)g;
  (void)s;
  return 0.0;
}
