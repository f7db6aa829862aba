/*
 * metrics.h — the scalar metrics of a case, declared once in io/metrics.def.
 *
 * Every writer and reader iterates the one table: the case JSON
 * (io/json_result.c), the HDF5 /summary (io/h5_summary.c), a suite's
 * summary.jsonc (suite/runner.c), the results readers (analysis/results.c),
 * `mdbench analyze` and `mdbench regress`, and the Python report (through
 * analysis/mdbench_analysis/metrics.py, generated from this table and
 * checked against it by a test). Adding a metric is one line in metrics.def
 * (plus its documentation row): the structs that hold metrics
 * (mdb_h5_summary_row, mdb_rcase) take their fields from the table.
 *
 * Names: a metric has one name (its id). The case JSON keeps the guide's
 * keys in the guide's four blocks; the /summary column is the id. Names
 * written before 0.3.0 are the table's "old" names: every reader accepts
 * them (docs/metric-names.md).
 */
#ifndef MDB_METRICS_H
#define MDB_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct mdb_result;

/* The case JSON's schema; the readers also accept the one before 0.3.0,
 * whose metric names are the table's old names. */
#define MDB_JSON_CASE_SCHEMA "mdbench-case/2"
#define MDB_JSON_CASE_SCHEMA_OLD "mdbench-case/1"

typedef enum mdb_metric_type { MDB_MT_F64, MDB_MT_I64, MDB_MT_BOOL } mdb_metric_type;
typedef enum mdb_metric_dir { MDB_DIR_NONE, MDB_DIR_LOWER, MDB_DIR_HIGHER, MDB_DIR_SMALLER_MAG } mdb_metric_dir;
typedef enum mdb_metric_have { MDB_HAVE_ALWAYS, MDB_HAVE_TIMED, MDB_HAVE_SAMPLES, MDB_HAVE_CLIENT } mdb_metric_have;

enum { MDB_MF_CONTRACT = 1, MDB_MF_TABLE = 2 };

/* The C type of a metric's field, by its type token. */
#define MDB_CTYPE_F64 double
#define MDB_CTYPE_I64 int64_t
#define MDB_CTYPE_BOOL int64_t

/* Field declarations: every metric (MDB_METRIC_FIELD), or the /summary
 * ones (MDB_METRIC_SUM_FIELD). Use as
 *   #define MDB_METRIC MDB_METRIC_FIELD
 *   #include "io/metrics.def"
 *   #undef MDB_METRIC
 * inside a struct. */
#define MDB_METRIC_FIELD(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_CTYPE_##type id;
#define MDB_SUM_FIELD_1(type, id) MDB_CTYPE_##type id;
#define MDB_SUM_FIELD_0(type, id)
#define MDB_METRIC_SUM_FIELD(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_SUM_FIELD_##sum(type, id)

/* MDB_M_<id>: a metric's index in mdb_metrics; MDB_M_N of them. */
enum {
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_M_##id,
#include "io/metrics.def"
#undef MDB_METRIC
  MDB_M_N
};

/* How many are /summary columns. */
enum {
  MDB_M_NSUM = 0
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) +sum
#include "io/metrics.def"
#undef MDB_METRIC
};

typedef struct mdb_metric {
  const char *name; /* the id: /summary column, summary.jsonc key, analyze column, regress metric */
  mdb_metric_type type;
  const char *json; /* "section.key" in the case JSON */
  const char *unit;
  int sum; /* a /summary column */
  unsigned flags;
  const char *fmt;
  mdb_metric_dir dir;
  mdb_metric_have have;
  const char *old; /* earlier names, "|"-separated; "" when none */
} mdb_metric;

extern const mdb_metric mdb_metrics[MDB_M_N];

/* The metric's value in a result, as a double (counts are exact below 2^53);
 * NaN when the result does not have it (mdb_metric_present). */
double mdb_metric_value(int m, const struct mdb_result *r);

/* Whether the result has metric m: 0 for a TIMED metric without a timed step
 * (null in JSON, NaN in HDF5), a SAMPLES metric without thermo samples, a
 * CLIENT metric without an external process (both: the JSON key is absent). */
int mdb_metric_present(int m, const struct mdb_result *r);

/* The JSON section ("performance") of a metric into buf; returns the key. */
const char *mdb_metric_json_split(int m, char *section, size_t len);

/* The index of the metric named name (its id or one of its old names); -1. */
int mdb_metric_find(const char *name);

/* The next old name of metric m after *pos (start with *pos = 0), copied into
 * buf; 0 when there is none left. */
int mdb_metric_next_old(int m, size_t *pos, char *buf, size_t len);

/* "lower", "higher", "smaller_magnitude"; "" for NONE. */
const char *mdb_metric_dir_name(mdb_metric_dir d);

#endif
