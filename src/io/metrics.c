/*
 * metrics.c — the metrics table of io/metrics.def as data, and each
 * metric's value taken from a result.
 */
#include "io/metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/result.h"

const mdb_metric mdb_metrics[MDB_M_N] = {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) \
  {#id, MDB_MT_##type, json, unit, sum, flags, fmt, MDB_DIR_##dir, MDB_HAVE_##have, old},
#include "io/metrics.def"
#undef MDB_METRIC
};

double mdb_metric_value(int m, const mdb_result *r) {
  if (!mdb_metric_present(m, r)) return NAN;
  switch (m) {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) \
  case MDB_M_##id:                                                               \
    return (double)(value);
#include "io/metrics.def"
#undef MDB_METRIC
  default: return 0;
  }
}

int mdb_metric_present(int m, const mdb_result *r) {
  if (m < 0 || m >= MDB_M_N) return 0;
  switch (mdb_metrics[m].have) {
  case MDB_HAVE_TIMED: return r->n_timed > 0;
  case MDB_HAVE_SAMPLES: return r->n_samples > 0 && r->th_total != NULL;
  case MDB_HAVE_CLIENT: return r->client_wait_ms != NULL;
  default: return 1;
  }
}

const char *mdb_metric_json_split(int m, char *section, size_t len) {
  const char *j = mdb_metrics[m].json, *dot = strchr(j, '.');
  snprintf(section, len, "%.*s", dot ? (int)(dot - j) : 0, j);
  return dot ? dot + 1 : j;
}

int mdb_metric_next_old(int m, size_t *pos, char *buf, size_t len) {
  const char *s = mdb_metrics[m].old + *pos;
  if (!*s) return 0;
  const char *bar = strchr(s, '|');
  size_t n = bar ? (size_t)(bar - s) : strlen(s);
  snprintf(buf, len, "%.*s", (int)n, s);
  *pos += n + (bar ? 1 : 0);
  return 1;
}

int mdb_metric_find(const char *name) {
  if (!name) return -1;
  for (int m = 0; m < MDB_M_N; m++)
    if (strcmp(mdb_metrics[m].name, name) == 0) return m;
  for (int m = 0; m < MDB_M_N; m++) {
    char old[128];
    size_t pos = 0;
    while (mdb_metric_next_old(m, &pos, old, sizeof old))
      if (strcmp(old, name) == 0) return m;
  }
  return -1;
}

const char *mdb_metric_dir_name(mdb_metric_dir d) {
  switch (d) {
  case MDB_DIR_LOWER: return "lower";
  case MDB_DIR_HIGHER: return "higher";
  case MDB_DIR_SMALLER_MAG: return "smaller_magnitude";
  default: return "";
  }
}
