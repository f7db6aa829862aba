/*
 * fuzz_result_json.c — case result JSON as `mdbench analyze` and `mdbench
 * regress` read it (analysis/results.c, mdb_results_load on a .json file:
 * the schema check, every metric, the raw arrays). Inputs that start with
 * the HDF5 signature are skipped: the reader would take them for a results
 * .h5 file, which fuzz_h5_results covers.
 */
#include "analysis/results.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && !memcmp(data, "\x89HDF", 4)) return 0;
  const char *path = fuzz_file("case.json", data, size);
  mdb_rset set;
  mdb_err err = {0};
  if (mdb_results_load(path, &set, &err) == MDB_OK) {
    char key[1400];
    for (int i = 0; i < set.n; i++) mdb_rcase_key(&set.cases[i], key, sizeof key);
    mdb_results_free(&set);
  }
  return 0;
}
