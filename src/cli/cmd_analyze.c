/*
 * cmd_analyze.c — `mdbench analyze PATH [--sort COLUMN] [--reverse] [--format table|csv|json]`
 *
 * PATH is a case JSON, a results .h5 or a directory of results
 * (analysis/results.h). One case prints the summary `mdbench run` prints;
 * several print a table with one row per case, sortable by any column.
 * Cases that did not finish show their status; numbers they lack show "-".
 * Exit codes: 0 ok; 2 bad input (usage, unknown column, not a results
 * file); 3 a path that cannot be read.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/results.h"
#include "cli/commands.h"
#include "core/version.h"
#include "io/metrics.h"

enum { COL_STR, COL_I64, COL_F64 };

typedef struct column {
  const char *name;
  int kind;
  size_t off;
  const char *fmt; /* table format of a number */
  int in_table;    /* shown in the table (csv and json show every column) */
} column;

#define S(f) COL_STR, offsetof(mdb_rcase, f), NULL
#define I(f) COL_I64, offsetof(mdb_rcase, f), "%lld"
#define F(f, fmt) COL_F64, offsetof(mdb_rcase, f), fmt

/* The case's own columns; the metrics of io/metrics.def go between head and tail. */
static const column head[] = {
    {"case_id", S(label), 1},     {"system", S(system), 1},         {"n_atoms", I(n_atoms), 1},
    {"protocol", S(protocol), 1}, {"calculator", S(calculator), 1}, {"device", S(device), 1},
    {"status", S(status), 1},
};
static const column tail[] = {
    {"timestep_fs", F(timestep_fs, "%g"), 0},
    {"temperature_K", F(temperature_K, "%g"), 0},
    {"device_name", S(device_name), 0},
    {"host", S(host), 0},
    {"error", S(error), 0},
};
#define NHEAD ((int)(sizeof head / sizeof head[0]))
#define NTAIL ((int)(sizeof tail / sizeof tail[0]))
#define NCOLS (NHEAD + MDB_M_N + NTAIL)

/* Where each metric sits in a case. */
static const size_t metric_off[MDB_M_N] = {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) offsetof(mdb_rcase, id),
#include "io/metrics.def"
#undef MDB_METRIC
};

static column cols[NCOLS];

/* cols[]: head, every metric in the table's order (the text table shows those flagged MDB_MF_TABLE), tail. */
static void build_cols(void) {
  int n = 0;
  for (int j = 0; j < NHEAD; j++) cols[n++] = head[j];
  for (int m = 0; m < MDB_M_N; m++) {
    const mdb_metric *d = &mdb_metrics[m];
    column c = {d->name, d->type == MDB_MT_F64 ? COL_F64 : COL_I64, metric_off[m], d->fmt,
                (d->flags & MDB_MF_TABLE) != 0};
    cols[n++] = c;
  }
  for (int j = 0; j < NTAIL; j++) cols[n++] = tail[j];
}

static const char *str_of(const mdb_rcase *c, const column *k) { return (const char *)c + k->off; }
static double num_of(const mdb_rcase *c, const column *k) {
  if (k->kind == COL_I64) return (double)*(const int64_t *)((const char *)c + k->off);
  return *(const double *)((const char *)c + k->off);
}

static const column *sort_col;
static int sort_rev;
static const mdb_rcase *sort_cases;

static int cmp_rows(const void *pa, const void *pb) {
  int a = *(const int *)pa, b = *(const int *)pb;
  const mdb_rcase *x = &sort_cases[a], *y = &sort_cases[b];
  int r;
  if (sort_col->kind == COL_STR) {
    r = strcmp(str_of(x, sort_col), str_of(y, sort_col));
    if (sort_rev) r = -r;
  } else {
    double u = num_of(x, sort_col), v = num_of(y, sort_col);
    int nu = isnan(u), nv = isnan(v);
    if (nu || nv)
      r = nu - nv; /* missing numbers last, either way */
    else {
      r = (u > v) - (u < v);
      if (sort_rev) r = -r;
    }
  }
  return r ? r : (a > b) - (a < b); /* stable */
}

static void valid_columns(char *buf, size_t len) {
  buf[0] = '\0';
  for (int j = 0; j < NCOLS; j++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s", j ? ", " : "", cols[j].name);
  }
}

/* A table cell: strings as they are, numbers in the column's format, NaN as "-". */
static void cell(const mdb_rcase *c, const column *k, char *buf, size_t len) {
  if (k->kind == COL_STR) {
    snprintf(buf, len, "%s", str_of(c, k));
    if (!buf[0]) snprintf(buf, len, "-");
    return;
  }
  double v = num_of(c, k);
  if (isnan(v))
    snprintf(buf, len, "-");
  else if (k->kind == COL_I64)
    snprintf(buf, len, "%lld", (long long)v);
  else
    snprintf(buf, len, k->fmt, v);
}

static void print_table(const mdb_rset *set, const int *order) {
  int width[NCOLS];
  char buf[1100];
  for (int j = 0; j < NCOLS; j++) width[j] = (int)strlen(cols[j].name);
  for (int i = 0; i < set->n; i++)
    for (int j = 0; j < NCOLS; j++) {
      if (!cols[j].in_table) continue;
      cell(&set->cases[order[i]], &cols[j], buf, sizeof buf);
      int l = (int)strlen(buf);
      if (l > width[j]) width[j] = l > 60 ? 60 : l;
    }
  int first = 1;
  for (int j = 0; j < NCOLS; j++)
    if (cols[j].in_table) {
      printf(cols[j].kind == COL_STR ? "%s%-*s" : "%s%*s", first ? "" : "  ", width[j], cols[j].name);
      first = 0;
    }
  printf("\n");
  for (int i = 0; i < set->n; i++) {
    first = 1;
    for (int j = 0; j < NCOLS; j++) {
      if (!cols[j].in_table) continue;
      cell(&set->cases[order[i]], &cols[j], buf, sizeof buf);
      printf(cols[j].kind == COL_STR ? "%s%-*s" : "%s%*s", first ? "" : "  ", width[j], buf);
      first = 0;
    }
    printf("\n");
  }
}

static void csv_str(const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, stdout);
    return;
  }
  putchar('"');
  for (; *s; s++) {
    if (*s == '"') putchar('"');
    putchar(*s);
  }
  putchar('"');
}

static void print_csv(const mdb_rset *set, const int *order) {
  for (int j = 0; j < NCOLS; j++) printf("%s%s", j ? "," : "", cols[j].name);
  printf("\n");
  for (int i = 0; i < set->n; i++) {
    const mdb_rcase *c = &set->cases[order[i]];
    for (int j = 0; j < NCOLS; j++) {
      if (j) putchar(',');
      if (cols[j].kind == COL_STR)
        csv_str(str_of(c, &cols[j]));
      else if (cols[j].kind == COL_I64)
        printf("%lld", (long long)*(const int64_t *)((const char *)c + cols[j].off));
      else if (!isnan(num_of(c, &cols[j])))
        printf("%.17g", num_of(c, &cols[j]));
    }
    printf("\n");
  }
}

static int print_json(const mdb_rset *set, const int *order) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "schema", "mdbench-analyze/1");
  cJSON_AddStringToObject(root, "source", set->path);
  cJSON *arr = cJSON_AddArrayToObject(root, "cases");
  for (int i = 0; arr && i < set->n; i++) {
    const mdb_rcase *c = &set->cases[order[i]];
    cJSON *o = cJSON_CreateObject();
    for (int j = 0; o && j < NCOLS; j++) {
      if (cols[j].kind == COL_STR)
        cJSON_AddStringToObject(o, cols[j].name, str_of(c, &cols[j]));
      else if (isfinite(num_of(c, &cols[j])))
        cJSON_AddNumberToObject(o, cols[j].name, num_of(c, &cols[j]));
      else
        cJSON_AddNullToObject(o, cols[j].name);
    }
    cJSON_AddItemToArray(arr, o);
  }
  char *text = root ? cJSON_Print(root) : NULL;
  cJSON_Delete(root);
  if (!text) {
    fprintf(stderr, "mdbench analyze: error: out of memory building JSON\n");
    return 3;
  }
  printf("%s\n", text);
  free(text);
  return 0;
}

static void or_dash(char *buf, size_t len, const char *fmt, double v) {
  if (isnan(v))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, fmt, v);
}

/* One case: the layout of `mdbench run`'s closing summary (src/cli/mdbench.c print_summary). */
static void print_one(const mdb_rcase *c, const mdb_rset *set) {
  char a[7][64];
  printf("mdbench %s: %s on %s (%lld atoms), %s, %s\n", mdb_version(), c->calculator, c->system, (long long)c->n_atoms,
         c->protocol, c->device);
  printf("  case        %s  (%s)\n", c->label, set->path);
  printf("  device      %s%s%s\n", c->device_name[0] ? c->device_name : "(model not recorded)",
         c->host[0] ? "  host " : "", c->host);
  if (strcmp(c->protocol, "NVE") != 0 && c->protocol[0]) {
    printf("  ensemble    %s thermostat, T %g K, tdamp %g fs", c->thermostat[0] ? c->thermostat : "-", c->temperature_K,
           c->tdamp_fs);
    if (c->chain_length > 0) printf(", chain %lld", (long long)c->chain_length);
    if (strcmp(c->protocol, "NPT") == 0)
      printf("; MTK iso barostat, P %g bar, pdamp %g fs", c->pressure_bar, c->pdamp_fs);
    printf("\n");
  }
  printf("  steps       %lld timed (+%lld warmup), dt %g fs, start %g K, seed %llu, %lld neighbour builds\n",
         (long long)c->n_timed_steps, (long long)c->warmup_steps, c->timestep_fs, c->temperature_K,
         (unsigned long long)c->seed, (long long)c->neighbor_builds);
  or_dash(a[0], 64, "%.4g", c->mean_ms);
  or_dash(a[1], 64, "%.4g", c->median_ms);
  or_dash(a[2], 64, "%.4g", c->p95_ms);
  or_dash(a[3], 64, "%.4g", c->p99_ms);
  or_dash(a[4], 64, "%.3g", c->std_ms);
  or_dash(a[5], 64, "%.4g", c->min_ms);
  or_dash(a[6], 64, "%.4g", c->max_ms);
  printf("  latency     mean %s ms  median %s  p95 %s  p99 %s  std %s  (min %s, max %s)\n", a[0], a[1], a[2], a[3],
         a[4], a[5], a[6]);
  or_dash(a[0], 64, "%.4g", c->steps_per_second);
  or_dash(a[1], 64, "%.4g", c->atom_steps_per_second);
  or_dash(a[2], 64, "%.4g", c->ns_per_day);
  or_dash(a[3], 64, "%.4g", c->total_time_s);
  printf("  throughput  %s steps/s  %s atom-steps/s  %s ns/day  (total %s s)\n", a[0], a[1], a[2], a[3]);
  or_dash(a[0], 64, "%.4f", c->memory_before_gb);
  or_dash(a[1], 64, "%.4f", c->memory_after_gb);
  or_dash(a[2], 64, "%+.4f", c->memory_delta_gb);
  or_dash(a[3], 64, "%.4f", c->peak_memory_gb);
  printf("  memory      before %s GB  after %s GB  delta %s GB  peak %s GB  leak %s (host RSS)\n", a[0], a[1], a[2],
         a[3], c->leak_detected ? "DETECTED" : "no");
  or_dash(a[0], 64, "%.3e", c->energy_drift);
  or_dash(a[1], 64, "%.3e", c->drift_slope_eV_per_atom_per_ps);
  or_dash(a[2], 64, "%.3e", c->max_abs_deviation_eV_per_atom);
  or_dash(a[3], 64, "%.3g", c->energy_std_eV);
  printf(
      "  energy      drift %s (relative, total E)  conserved slope %s eV/atom/ps  max |E-E0| %s eV/atom  std %s eV\n",
      a[0], a[1], a[2], a[3]);
  or_dash(a[0], 64, "%.4g", c->mean_temperature_K);
  or_dash(a[1], 64, "%.3g", c->std_temperature_K);
  or_dash(a[2], 64, "%.4g", c->mean_pressure_bar);
  or_dash(a[3], 64, "%.3g", c->std_pressure_bar);
  or_dash(a[4], 64, "%.6g", c->mean_volume_A3);
  printf("  thermo      T %s ± %s K  P %s ± %s bar  V %s Å³\n", a[0], a[1], a[2], a[3], a[4]);
  if (strcmp(c->status, "ok") == 0) {
    printf("  status      ok\n");
  } else {
    char up[16];
    size_t i = 0;
    for (; c->status[i] && i < sizeof up - 1; i++)
      up[i] = (char)(c->status[i] >= 'a' && c->status[i] <= 'z' ? c->status[i] - 32 : c->status[i]);
    up[i] = '\0';
    if (c->fail_step >= 0)
      printf("  status      %s at step %lld: %s\n", up, (long long)c->fail_step, c->error);
    else
      printf("  status      %s: %s\n", up, c->error[0] ? c->error : "(no reason recorded)");
  }
}

static void usage(FILE *to) {
  fprintf(to, "usage: mdbench analyze PATH [--sort COLUMN] [--reverse] [--format table|csv|json]\n"
              "  PATH      a case JSON, a results .h5, or a directory (its results.h5, else its case JSON)\n"
              "  --sort    order the rows by a column (numbers ascending, missing last)\n"
              "  --reverse descending order\n"
              "  --format  table (default; one case: its summary), csv or json (every column)\n"
              "exit codes: 0 ok, 2 bad input, 3 unreadable path\n");
}

int mdb_cmd_analyze(int argc, char **argv) {
  static const struct option opts[] = {{"sort", required_argument, 0, 's'},
                                       {"reverse", no_argument, 0, 'r'},
                                       {"format", required_argument, 0, 'f'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *sort = NULL, *format = "table";
  int reverse = 0, opt;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 's': sort = optarg; break;
    case 'r': reverse = 1; break;
    case 'f': format = optarg; break;
    case 'h': usage(stdout); return 0;
    default:
      fprintf(stderr, "mdbench analyze: error: %s '%s' (valid: --sort COLUMN, --reverse, --format table|csv|json)\n",
              optopt ? "option needs a value:" : "unknown option", argv[optind - 1]);
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr,
            "mdbench analyze: error: %s (usage: mdbench analyze PATH [--sort COLUMN] [--reverse] "
            "[--format table|csv|json])\n",
            optind >= argc ? "no PATH given" : "more than one PATH given");
    return 2;
  }
  if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
    fprintf(stderr, "mdbench analyze: error: unknown --format '%s' (valid: table, csv, json)\n", format);
    return 2;
  }
  const column *sc = NULL;
  build_cols();
  if (sort) {
    for (int j = 0; j < NCOLS; j++)
      if (strcmp(cols[j].name, sort) == 0) sc = &cols[j];
    int m = sc ? -1 : mdb_metric_find(sort); /* a metric's old name */
    if (m >= 0) sc = &cols[NHEAD + m];
    if (!sc) {
      char valid[4096];
      valid_columns(valid, sizeof valid);
      fprintf(stderr, "mdbench analyze: error: unknown --sort column '%s' (valid: %s)\n", sort, valid);
      return 2;
    }
  }
  mdb_rset set;
  mdb_err err = {0};
  if (mdb_results_load(argv[optind], &set, &err)) {
    fprintf(stderr, "mdbench analyze: error: %s\n", err.msg);
    return mdb_exit_code(err.code);
  }
  if (set.notes[0]) fprintf(stderr, "mdbench analyze: note: %s\n", set.notes);
  int *order = malloc((size_t)set.n * sizeof *order);
  if (!order) {
    mdb_results_free(&set);
    fprintf(stderr, "mdbench analyze: error: out of memory\n");
    return 3;
  }
  for (int i = 0; i < set.n; i++) order[i] = i;
  if (sc) {
    sort_col = sc;
    sort_rev = reverse;
    sort_cases = set.cases;
    qsort(order, (size_t)set.n, sizeof *order, cmp_rows);
  } else if (reverse) {
    for (int i = 0; i < set.n / 2; i++) {
      int t = order[i];
      order[i] = order[set.n - 1 - i];
      order[set.n - 1 - i] = t;
    }
  }
  int rc = 0;
  if (strcmp(format, "csv") == 0) {
    print_csv(&set, order);
  } else if (strcmp(format, "json") == 0) {
    rc = print_json(&set, order);
  } else if (set.n == 1) {
    print_one(&set.cases[0], &set);
  } else {
    int bad = 0;
    for (int i = 0; i < set.n; i++) bad += strcmp(set.cases[i].status, "ok") != 0;
    printf("mdbench analyze: %d cases from %s", set.n, set.path);
    if (bad) printf(" (%d not ok)", bad);
    printf("\n");
    print_table(&set, order);
  }
  free(order);
  mdb_results_free(&set);
  return rc;
}
