/*
 * fuzz_spec.c — calculator spec strings (calc/registry.c): parsing, key
 * checks, numbers, and creating the calculators that need nothing outside
 * the process (lj, spcfw, and eam and sw with their built-in parameters).
 * Specs naming files, plugins or sockets are parsed only: creating those
 * would read arbitrary paths, dlopen or listen (their own targets cover
 * the file formats).
 */
#include "calc/calc.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_cstr(data, size);
  mdb_calc_spec spec;
  mdb_err err = {0};
  if (mdb_calc_spec_parse(text, &spec, &err) == MDB_OK) {
    static const char *const keys[] = {"rc", "epsilon", "sigma", "label", NULL};
    (void)mdb_spec_check_keys(&spec, keys, &err);
    for (int k = 0; k < spec.nparams; k++) {
      double v;
      int found;
      (void)mdb_spec_double(&spec, spec.params[k].key, &v, &found, &err);
    }
    int local = !strcmp(spec.name, "lj") || !strcmp(spec.name, "spcfw") || !strcmp(spec.name, "eam") ||
                !strcmp(spec.name, "sw");
    for (int k = 0; k < spec.nparams; k++)
      if (!strcmp(spec.params[k].key, "file")) local = 0;
    if (local) {
      mdb_calc calc;
      if (mdb_calc_create(&calc, text, "cpu", &err) == MDB_OK) {
        double rc = mdb_calc_cutoff(&calc);
        (void)rc;
        mdb_calc_free(&calc);
      }
    }
  }
  free(text);
  return 0;
}
