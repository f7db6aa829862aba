/*
 * fuzz_xyz.c — the extended-XYZ reader (build/xyz.c, mdb_xyz_read) on
 * arbitrary file contents. A good file must give a system, a bad one an
 * error; neither may crash or trip ASan/UBSan.
 *
 * FUZZ_MAX_DECLARED: an input whose first line declares more atoms than it
 * has bytes is skipped. The reader allocates the whole system for the
 * declared count before it reads a single atom line, so a 100-byte file
 * saying 88848832 atoms asks for gigabytes (libFuzzer's out-of-memory at
 * 2 GB; left to the reader's owner). Every other first line is fuzzed.
 */
#include <ctype.h>

#include "build/xyz.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t k = 0;
  while (k < size && isspace(data[k])) k++;
  if (k < size && data[k] == '+') k++;
  double declared = 0;
  for (; k < size && isdigit(data[k]); k++) declared = 10 * declared + (data[k] - '0');
  if (declared > (double)size) return 0; /* FUZZ_MAX_DECLARED */
  const char *path = fuzz_file("in.xyz", data, size);
  mdb_system sys;
  mdb_err err = {0};
  if (mdb_xyz_read(path, &sys, &err) == MDB_OK && (sys.n < 1 || !sys.x || sys.ntypes < 1)) abort();
  mdb_system_free(&sys);
  return 0;
}
