/*
 * cli.h — what the subcommands of `mdbench` share (defined in mdbench.c):
 * the options that describe a case, their parsing, and error printing.
 * Only the command-line layer includes this.
 */
#ifndef MDB_CLI_H
#define MDB_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/bench.h"
#include "core/error.h"

enum {
  OPT_CALCULATOR = 256,
  OPT_SYSTEM,
  OPT_ATOMS,
  OPT_STEPS,
  OPT_PROTOCOL,
  OPT_DEVICE,
  OPT_OUTPUT,
  OPT_TIMESTEP,
  OPT_TEMPERATURE,
  OPT_WARMUP,
  OPT_SEED,
  OPT_EINTERVAL,
  OPT_MINTERVAL,
  OPT_SKIN,
  OPT_QUIET,
  OPT_LATTICE,
  OPT_HELP,
  OPT_THERMOSTAT,
  OPT_TDAMP,
  OPT_PDAMP,
  OPT_PRESSURE,
  OPT_PRECISION,
  OPT_THREADS,
  OPT_CLI_FIRST_FREE = 512 /* subcommands number their own options from here */
};

/* The getopt_long entries of the options that describe a case, for an
 * option table: {MDB_CLI_CASE_OPTIONS, {"output", ...}, ..., {0, 0, 0, 0}}. */
#define MDB_CLI_CASE_OPTIONS                                                                                         \
  {"calculator", required_argument, 0, OPT_CALCULATOR}, {"system", required_argument, 0, OPT_SYSTEM},                \
      {"atoms", required_argument, 0, OPT_ATOMS}, {"steps", required_argument, 0, OPT_STEPS},                        \
      {"protocol", required_argument, 0, OPT_PROTOCOL}, {"device", required_argument, 0, OPT_DEVICE},                \
      {"timestep-fs", required_argument, 0, OPT_TIMESTEP}, {"temperature-K", required_argument, 0, OPT_TEMPERATURE}, \
      {"warmup", required_argument, 0, OPT_WARMUP}, {"seed", required_argument, 0, OPT_SEED},                        \
      {"energy-interval", required_argument, 0, OPT_EINTERVAL},                                                      \
      {"memory-interval", required_argument, 0, OPT_MINTERVAL}, {"skin-A", required_argument, 0, OPT_SKIN},          \
      {"lattice-A", required_argument, 0, OPT_LATTICE}, {"thermostat", required_argument, 0, OPT_THERMOSTAT},        \
      {"tdamp-fs", required_argument, 0, OPT_TDAMP}, {"pdamp-fs", required_argument, 0, OPT_PDAMP},                  \
      {"pressure-bar", required_argument, 0, OPT_PRESSURE}, {"precision", required_argument, 0, OPT_PRECISION}, {    \
    "threads", required_argument, 0, OPT_THREADS                                                                     \
  }

/* One case option (getopt's opt and optarg) into c: -1 when opt is not a
 * case option, 0 when taken, else the exit code after printing the error. */
int mdb_cli_case_option(const char *cmd, int opt, const char *arg, mdb_case *c);

/* Prints "mdbench CMD: error: MSG" and returns the exit code of err. */
int mdb_cli_die(const char *cmd, const mdb_err *err);
/* Prints "mdbench CMD: error: " and fmt with its arguments, a newline, and
 * returns 2 (bad input). */
int mdb_cli_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long returned '?' or ':': names the valid options; returns 2. */
int mdb_cli_unknown_option(const char *cmd, char **argv, const struct option *opts);
int mdb_cli_parse_int(const char *flag, const char *s, int lo, int *out, mdb_err *err);
int mdb_cli_parse_double(const char *flag, const char *s, double *out, mdb_err *err);
int mdb_cli_parse_positive(const char *flag, const char *s, double *out, mdb_err *err);
int mdb_cli_parse_u64(const char *flag, const char *s, uint64_t *out, mdb_err *err);
/* "--a --b ..." of an option table, for error messages. */
void mdb_cli_list_options(const struct option *opts, char *buf, size_t len);
/* --device auto: "cuda" when a GPU case can run here, else "cpu" with a
 * notice on stderr (unless quiet); --device cuda without a usable GPU: the
 * error printed, exit code 3 returned. 0 when the case may go on. */
int mdb_cli_resolve_device(const char *cmd, mdb_case *c, int quiet);
/* The guide's summary of one result, as `mdbench run` prints it. */
void mdb_cli_print_summary(const mdb_result *r, const char *output);

#endif
