/*
 * fuzz_xyz.c — the extended-XYZ reader (build/xyz.c, mdb_xyz_read) on
 * arbitrary file contents. A good file must give a system, a bad one an
 * error; neither may crash or trip ASan/UBSan.
 * A first line declaring more atoms than the file can hold is refused by
 * the reader before it allocates (a 100-byte file saying 88848832 atoms
 * once asked for gigabytes: found by this target).
 */
#include "build/xyz.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file("in.xyz", data, size);
  mdb_system sys;
  mdb_err err = {0};
  if (mdb_xyz_read(path, &sys, &err) == MDB_OK && (sys.n < 1 || !sys.x || sys.ntypes < 1)) abort();
  mdb_system_free(&sys);
  return 0;
}
