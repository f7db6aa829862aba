/*
 * fuzz_suite.c — suite files (suite/suite.c, mdb_suite_parse): JSON text
 * parsed, validated and expanded into cases, then the plan printed and a
 * filter applied, as `mdbench-suite --dry-run` does.
 *
 * Validation creates every calculator a suite names. An input whose JSON
 * holds a string (value or key) mentioning "ipi" or "plugin", or holding a
 * '/', is skipped: an i-PI calculator listens on a socket and can launch a
 * shell command, a plugin is dlopen'ed, and a path could name a device or
 * FIFO that blocks. Relative .xyz paths resolve in the target's own empty
 * directory; bare potential file names in LAMMPS's potentials directory.
 */
#include <cjson/cJSON.h>
#include <strings.h>

#include "fuzz_util.h"
#include "suite/suite.h"

static int unsafe_string(const char *s) {
  if (!s) return 0;
  if (strchr(s, '/')) return 1;
  for (const char *p = s; *p; p++)
    if (!strncasecmp(p, "ipi", 3) || !strncasecmp(p, "plugin", 6)) return 1;
  return 0;
}

static int unsafe(const cJSON *node) {
  for (; node; node = node->next) {
    if (unsafe_string(node->string) || (cJSON_IsString(node) && unsafe_string(node->valuestring))) return 1;
    if (unsafe(node->child)) return 1;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_cstr(data, size);
  cJSON *root = cJSON_Parse(text);
  int skip = root && unsafe(root);
  cJSON_Delete(root);
  if (skip) {
    free(text);
    return 0;
  }
  mdb_suite s;
  mdb_suite_errors errs;
  memset(&s, 0, sizeof s);
  memset(&errs, 0, sizeof errs);
  if (mdb_suite_parse(text, "fuzz.json", fuzz_dir(), &s, &errs) == MDB_OK) {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
      mdb_suite_print_plan(&s, sink);
      fclose(sink);
    }
    int *order = malloc(((size_t)s.n_cases + 1) * sizeof *order);
    if (order) mdb_suite_order_by_cost(&s, order);
    free(order);
    mdb_err err = {0};
    (void)mdb_suite_filter(&s, "protocol=NVE,atoms=32", &err);
  } else {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
      mdb_suite_errors_print(&errs, "fuzz: ", sink);
      fclose(sink);
    }
  }
  mdb_suite_free(&s);
  mdb_suite_errors_free(&errs);
  free(text);
  return 0;
}
