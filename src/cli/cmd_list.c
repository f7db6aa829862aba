/*
 * cmd_list.c — mdbench list systems|calculators|suites: what can be named
 * on the command line and in suite files, read from the tables that define
 * it (the system builders, the calculator registry and its key tables, the
 * GPU engine's calculators, the suite files themselves), so the list cannot
 * drift from what runs.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "calc/calc.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "gpu/gmd.h"
#include "suite/suite.h"

#define LIST_WHATS "systems, calculators, suites"

static void usage(FILE *to) {
  fprintf(to, "usage: mdbench list [systems|calculators|suites] [--suites-dir DIR]\n"
              "  systems       the built-in systems: sizes, default calculator and timestep\n"
              "  calculators   every calculator, its devices and its spec keys with their defaults\n"
              "  suites        the suite files found, with their case counts per device\n"
              "  (nothing)     all three\n"
              "  --suites-dir  where suites are looked up [$MDBENCH_SUITES, then the installed suites]\n"
              "exit codes: 0 ok, 1 some suite file is invalid (listed with its first problem), 2 bad input,\n"
              "            3 the suites directory cannot be read\n");
}

static void list_systems(void) {
  printf("systems (mdbench run --system NAME, or a FILE.xyz; suite key \"system\"):\n");
  printf("  %-10s %-14s %-8s %-10s %-6s %s\n", "name", "atoms", "default", "calculator", "dt fs", "what");
  mdb_build_entry e;
  for (int i = 0; mdb_build_entry_at(i, &e); i++) {
    char unit[32];
    snprintf(unit, sizeof unit, "multiple of %d", e.unit_atoms);
    printf("  %-10s %-14s %-8d %-10s %-6g %s\n", e.name, unit, e.default_atoms, e.calculator, e.timestep_fs, e.what);
  }
}

/* 1 when name is an element of the comma-separated list. */
static int in_list(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    size_t l = strcspn(p, ",");
    if (l == n && strncmp(p, name, n) == 0) return 1;
    p += l;
    while (*p == ',' || *p == ' ') p++;
  }
  return 0;
}

static void list_calculators(void) {
  printf("calculators (--calculator NAME[:key=value,...]; suite key \"calculator\"):\n");
  const char *gpu = mdb_gmd_calculators();
  const int n = mdb_calc_registry_count();
  for (int i = 0; i < n; i++) {
    const mdb_calc_ops *o = mdb_calc_registry_at(i);
    int seen = 0;
    for (int j = 0; j < i; j++) seen |= strcmp(mdb_calc_registry_at(j)->name, o->name) == 0;
    if (seen) continue;
    char devices[128] = "";
    for (int j = i; j < n; j++) {
      const mdb_calc_ops *q = mdb_calc_registry_at(j);
      size_t l = strlen(devices);
      if (strcmp(q->name, o->name) == 0) snprintf(devices + l, sizeof devices - l, "%s%s", l ? ", " : "", q->device);
    }
    if (in_list(gpu, o->name)) {
      size_t l = strlen(devices);
      snprintf(devices + l, sizeof devices - l, ", cuda");
    }
    printf("  %-7s devices: %-10s %s\n", o->name, devices, o->summary ? o->summary : "");
    if (!o->keys || !o->keys[0].key) {
      printf("          (no keys)\n");
      continue;
    }
    for (const mdb_calc_key *k = o->keys; k->key; k++)
      printf("          %-8s default: %-40s %s\n", k->key, k->def, k->meaning);
  }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every DIR/NAME.json, sorted; *names owned by the caller (each and the array). */
static int suite_files(const char *dir, char ***names) {
  *names = NULL;
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0, cap = 0;
  struct dirent *ent;
  while ((ent = readdir(d))) {
    size_t l = strlen(ent->d_name);
    if (l <= 5 || strcmp(ent->d_name + l - 5, ".json") != 0) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 8;
      char **grown = realloc(*names, (size_t)cap * sizeof *grown);
      if (!grown) break;
      *names = grown;
    }
    if (!((*names)[n] = strndup(ent->d_name, l - 5))) break;
    n++;
  }
  closedir(d);
  if (n) qsort(*names, (size_t)n, sizeof **names, cmp_str);
  return n;
}

static int list_suites(const char *dir) {
  char **names;
  int n = suite_files(dir, &names), code = 0;
  printf("suites in %s (mdbench-suite NAME; cases as written, before --device folds any):\n", dir);
  if (n < 0) {
    fprintf(stderr, "mdbench list: error: cannot read the suites directory %s (give --suites-dir DIR)\n", dir);
    return 3;
  }
  printf("  %-16s %6s %6s %6s  %s\n", "suite", "cpu", "cuda", "total", "description");
  for (int i = 0; i < n; i++) {
    mdb_suite s;
    mdb_suite_errors errs = {0};
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s.json", dir, names[i]);
    if (mdb_suite_load(path, dir, &s, &errs)) {
      printf("  %-16s %6s %6s %6s  (invalid: %s)\n", names[i], "-", "-", "-", errs.n ? errs.msg[0] : "unreadable");
      code = 1;
    } else {
      int cpu = 0, cuda = 0;
      for (int k = 0; k < s.n_cases; k++) {
        cpu += strcmp(s.cases[k].c.device, "cpu") == 0;
        cuda += strcmp(s.cases[k].c.device, "cuda") == 0;
      }
      printf("  %-16s %6d %6d %6d  %.70s%s\n", names[i], cpu, cuda, s.n_cases, s.description,
             strlen(s.description) > 70 ? "..." : "");
      mdb_suite_free(&s);
    }
    mdb_suite_errors_free(&errs);
    free(names[i]);
  }
  free(names);
  return code;
}

int mdb_cmd_list(int argc, char **argv) {
  static const struct option opts[] = {
      {"suites-dir", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *given = NULL;
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 'd': given = optarg; break;
    case 'h': usage(stdout); return 0;
    default: return mdb_cli_unknown_option("list", argv, opts);
    }
  }
  if (optind + 1 < argc)
    return mdb_cli_bad("list", "one list at a time, got '%s' and '%s'", argv[optind], argv[optind + 1]);
  const char *what = optind < argc ? argv[optind] : NULL;
  if (what && strcmp(what, "systems") && strcmp(what, "calculators") && strcmp(what, "suites"))
    return mdb_cli_bad("list", "unknown list '%s' (valid: %s)", what, LIST_WHATS);
  char buf[PATH_MAX + 64];
  const char *dir = mdb_suite_dir(given, MDB_SOURCE_SUITES_DIR, buf, sizeof buf);
  int code = 0;
  if (!what || !strcmp(what, "systems")) list_systems();
  if (!what) printf("\n");
  if (!what || !strcmp(what, "calculators")) list_calculators();
  if (!what) printf("\n");
  if (!what || !strcmp(what, "suites")) code = list_suites(dir);
  return code;
}
