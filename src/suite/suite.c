/*
 * suite.c — suite files: load, parse, validate the whole file, expand the
 * matrix (the steps live in suite_parse.c and suite_expand.c; suite_impl.h
 * says which file holds what).
 *
 * Validation does not stop at the first problem: every value is checked
 * (type, range, name, lattice size), then every combination is checked
 * (calculator coverage, mdb_case_resolve), and all problems are reported
 * together (suite_ctx.c collects them).
 */
#include "suite/suite.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strutil.h"
#include "suite/suite_impl.h"

static const char *const suite_names[] = {"quick", "baseline", "comprehensive"};

/* ---------------------------------------------------------- public API */

mdb_status mdb_suite_parse(const char *text, const char *label, const char *base_dir, mdb_suite *out,
                           mdb_suite_errors *errs) {
  memset(out, 0, sizeof *out);
  memset(errs, 0, sizeof *errs);
  ctx x;
  memset(&x, 0, sizeof x);
  x.label = label ? label : "suite";
  x.base_dir = base_dir;
  x.errs = errs;
  x.s = out;
  const char *name = mdb_str_basename(x.label);
  size_t nlen = strlen(name);
  if (mdb_str_ends_with(name, ".json")) nlen -= 5;
  snprintf(out->name, sizeof out->name, "%.*s", (int)(nlen < sizeof out->name ? nlen : sizeof out->name - 1), name);

  const char *start = text;
  if ((unsigned char)start[0] == 0xEF && (unsigned char)start[1] == 0xBB && (unsigned char)start[2] == 0xBF) start += 3;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithOpts(start, &end, 1);
  if (!root) {
    if (!*start)
      suite_add_error(&x, "", "the file is empty (a suite is a JSON object with a \"matrix\")");
    else
      suite_json_error(&x, text, end ? end : start);
    return errs->code;
  }
  suite_parse_top(&x, root);
  if (x.has_matrix && !x.oom) {
    suite_expand(&x);
  }
  if (!x.oom && errs->code == MDB_OK && out->n_cases == 0) {
    int excluded = 0, dropped = 0;
    const char *why = "";
    for (int i = 0; i < x.ncombo; i++) excluded += x.combos[i].dead;
    for (int i = 0; i < x.npair; i++) {
      const pairinfo *p = x.pairs[i];
      if (p->dropped) {
        if (!dropped) why = p->msg;
        dropped += p->dropped;
      }
    }
    suite_add_error(&x, "matrix",
                    "expands to no cases (%d excluded, %d dropped because the calculator does not apply%s%s)", excluded,
                    dropped, *why ? ": " : "", why);
  }
  if (x.oom) {
    suite_add_msg(&x, MDB_ENOMEM, "out of memory while expanding the suite");
    errs->code = MDB_ENOMEM;
  }
  suite_ctx_free(&x);
  cJSON_Delete(root);
  if (errs->code != MDB_OK) {
    mdb_status st = errs->code;
    mdb_suite_free(out);
    return st;
  }
  return MDB_OK;
}

/* Reads a whole suite file into *text (caller frees); msg says why not. */
static mdb_status read_text(const char *path, char **text, char *msg, size_t len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(msg, len, "%s: cannot read the suite file: %s", path, strerror(errno));
    return MDB_EIO;
  }
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  mdb_status st = MDB_OK;
  if (size > SUITE_FILE_MAX) {
    snprintf(msg, len, "%s: the file is larger than %d MB; a suite file is a few kB", path, SUITE_FILE_MAX >> 20);
    st = MDB_EINPUT;
  } else if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
    snprintf(msg, len, "%s: cannot read the suite file (not a regular file?)", path);
    st = MDB_EIO;
  } else if (!(*text = malloc((size_t)size + 1))) {
    snprintf(msg, len, "%s: out of memory reading %ld bytes", path, size);
    st = MDB_ENOMEM;
  } else if (fread(*text, 1, (size_t)size, f) != (size_t)size) {
    snprintf(msg, len, "%s: cannot read the suite file: %s", path, strerror(errno));
    st = MDB_EIO;
  } else {
    (*text)[size] = 0;
    if (strlen(*text) != (size_t)size) {
      snprintf(msg, len, "%s: contains a NUL byte; a suite file is JSON text", path);
      st = MDB_EINPUT;
    }
  }
  fclose(f);
  if (st) {
    free(*text);
    *text = NULL;
  }
  return st;
}

static mdb_status load_fail(mdb_suite_errors *errs, mdb_status code, const char *msg) {
  errs->code = code;
  if (!mdb_strs_push(&errs->msg, &errs->n, msg)) errs->n_more++;
  return code;
}

mdb_status mdb_suite_load(const char *name_or_path, const char *suites_dir, mdb_suite *out, mdb_suite_errors *errs) {
  memset(out, 0, sizeof *out);
  memset(errs, 0, sizeof *errs);
  char path[4096], label[4096], msg[4400];
  if (strchr(name_or_path, '/') || mdb_str_ends_with(name_or_path, ".json")) {
    snprintf(path, sizeof path, "%s", name_or_path);
    snprintf(label, sizeof label, "%s", name_or_path);
  } else {
    int known = 0;
    for (int i = 0; i < 3; i++) known |= strcmp(name_or_path, suite_names[i]) == 0;
    if (!known) {
      char hint[128];
      mdb_suggest(hint, sizeof hint, name_or_path, suite_names, 3);
      snprintf(msg, sizeof msg, "unknown suite '%s' (valid: " MDB_SUITE_NAMES ", or a path to a .json suite file)%s",
               name_or_path, hint);
      return load_fail(errs, MDB_EINPUT, msg);
    }
    if (!suites_dir || !*suites_dir) {
      snprintf(msg, sizeof msg, "suite '%s': no suites directory was given to look in", name_or_path);
      return load_fail(errs, MDB_EIO, msg);
    }
    snprintf(path, sizeof path, "%s/%s.json", suites_dir, name_or_path);
    snprintf(label, sizeof label, "%s.json", name_or_path);
  }
  char *text = NULL;
  mdb_status st = read_text(path, &text, msg, sizeof msg);
  if (st) return load_fail(errs, st, msg);
  char dir[4096]; /* relative .xyz paths start from the suite file's folder */
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
  st = mdb_suite_parse(text, label, dir, out, errs);
  free(text);
  if (st == MDB_OK) snprintf(out->path, sizeof out->path, "%s", path);
  return st;
}

void mdb_suite_free(mdb_suite *s) {
  if (!s) return;
  free(s->cases);
  mdb_strs_free(s->notes, s->n_notes);
  memset(s, 0, sizeof *s);
}

void mdb_suite_errors_free(mdb_suite_errors *errs) {
  if (!errs) return;
  mdb_strs_free(errs->msg, errs->n);
  memset(errs, 0, sizeof *errs);
}

void mdb_suite_errors_print(const mdb_suite_errors *errs, const char *prefix, FILE *to) {
  for (int i = 0; i < errs->n; i++) fprintf(to, "%s%s\n", prefix ? prefix : "", errs->msg[i]);
  if (errs->n_more) fprintf(to, "%s... and %d more\n", prefix ? prefix : "", errs->n_more);
}

const char *mdb_suite_dir(const char *given, const char *source_dir, char *buf, size_t len) {
  if (given) return given;
  const char *env = getenv("MDBENCH_SUITES");
  if (env && *env) return env;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      snprintf(buf, len, "%s/../share/mdbench/suites", exe);
      if (access(buf, R_OK) == 0) return buf;
    }
  }
  return source_dir;
}
