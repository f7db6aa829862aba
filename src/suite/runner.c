/*
 * runner.c — the MPI side of a suite run (see runner.h): broadcast, dynamic
 * scheduling through a one-sided counter, per-case persistence, the final
 * merge. No other file in mdbench calls MPI.
 */
#include "suite/runner.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <stdarg.h>
/* MPI extensions (Open MPI's MPIX_Query_cuda_support) when the MPI has the
 * header: detected at compile time, not assumed from the vendor */
#if defined(__has_include)
#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "core/sha256.h"
#include "core/stop.h"
#include "dev/dev.h"
#include "core/version.h"
#include "core/atomic.h"
#include "io/h5_results.h"
#include "io/json_result.h"

mdb_status mdb_par_init(int *argc, char ***argv, mdb_par *p, mdb_err *err) {
  memset(p, 0, sizeof *p);
  if (MPI_Init(argc, argv) != MPI_SUCCESS) return mdb_err_set(err, MDB_ERUN, "MPI_Init failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &p->size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, p->rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &p->local_rank);
  MPI_Comm_size(node, &p->local_size);
  MPI_Comm_free(&node);
  char lr[16]; /* for the ase worker (calc/ase.c): the rank's GPU among the node's */
  snprintf(lr, sizeof lr, "%d", p->local_rank);
  setenv("MDBENCH_LOCAL_RANK", lr, 1);
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(lib, &len);
  lib[len < MPI_MAX_LIBRARY_VERSION_STRING ? len : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
  /* the first line, cut to fit: MPICH's version text (up to
   * MPI_MAX_LIBRARY_VERSION_STRING = 8192) is far longer than Open MPI's */
  size_t n = strcspn(lib, "\n,");
  if (n >= sizeof p->mpi_library) n = sizeof p->mpi_library - 1;
  memcpy(p->mpi_library, lib, n);
  p->mpi_library[n] = '\0';
  return MDB_OK;
}

void mdb_par_finalize(void) {
  /* mpirun sent the stop: it is tearing the job down and SIGKILLs the ranks
     a second after its SIGTERM, while MPI_Finalize would wait on daemons that
     are leaving. Everything is written by now: leave without it. */
  if (mdb_stop_launcher_aborting()) return;
  MPI_Finalize();
}

const char *mdb_par_mpi_cuda_aware(void) {
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
  /* Open MPI built with CUDA: ask the library that is loaded */
  return MPIX_Query_cuda_support() ? "yes" : "no";
#elif defined(MPIX_CUDA_AWARE_SUPPORT)
  return "no"; /* Open MPI built without CUDA */
#elif defined(MPICH_NUMVERSION) && MPICH_NUMVERSION >= 40000000 && defined(MPIX_GPU_SUPPORT_CUDA)
  /* MPICH 4 (and its descendants): the GPU support query of the library */
  int yes = 0;
  return MPIX_GPU_query_support(MPIX_GPU_SUPPORT_CUDA, &yes) == MPI_SUCCESS ? (yes ? "yes" : "no") : "unknown";
#else
  return "unknown";
#endif
}

int mdb_par_setup_gpu(mdb_par *p, char *why, size_t len) {
  char mine[256] = "";
  int usable = mdb_case_gpu_usable(mine, sizeof mine);
  int n = usable ? mdb_cuda_device_count(NULL, 0) : 0;
  /* one GPU per rank by node-local rank; under the host emulation (no device) ordinal 0 */
  p->gpu.ordinal = n > 0 ? p->local_rank % n : 0;
  snprintf(p->gpu.mpi_cuda_aware, sizeof p->gpu.mpi_cuda_aware, "%s", mdb_par_mpi_cuda_aware());
  int all = -mdb_par_max_int(-usable); /* the smallest: every rank must have one */
  /* the reason of the first rank without a GPU */
  int first = mdb_par_max_int(usable ? INT_MIN : -p->rank);
  if (!all && why) {
    int src = -first;
    if (p->rank == src) snprintf(why, len, "rank %d: %s", p->rank, mine);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", p->rank == src ? why : "");
    MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, src, MPI_COMM_WORLD);
    snprintf(why, len, "%s", buf);
  }
  return all;
}

void mdb_par_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void mdb_par_bcast_int(int *v) { MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD); }

int mdb_par_max_int(int v) {
  int out = v;
  MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return out;
}

/* Rank 0's status and message on every rank. */
static mdb_status bcast_status(mdb_status st, mdb_err *err) {
  int code = (int)st;
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (code) MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (code) err->code = (mdb_status)code;
  return (mdb_status)code;
}

mdb_status mdb_par_bcast_suite(mdb_suite *s, mdb_err *err) {
  int rank, n;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  n = rank == 0 ? s->n_cases : 0;
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(s->name, (int)sizeof s->name, MPI_CHAR, 0, MPI_COMM_WORLD);
  int ok = 1;
  if (rank != 0) {
    s->n_cases = n;
    s->cases = calloc(n > 0 ? (size_t)n : 1, sizeof *s->cases);
    ok = s->cases != NULL;
  }
  if (mdb_par_max_int(!ok)) return mdb_err_nomem(err, "the case list", (double)n * sizeof *s->cases);
  /* in slices: a suite can outgrow an int count of bytes */
  const int per = (int)(((size_t)1 << 30) / sizeof *s->cases);
  for (int i0 = 0; i0 < n; i0 += per) {
    int m = n - i0 < per ? n - i0 : per;
    MPI_Bcast(s->cases + i0, (int)(m * sizeof *s->cases), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
  return MDB_OK;
}

/* ------------------------------------------------------------ files */

static void case_path(char *buf, size_t len, const char *dir, const char *id, const char *ext) {
  snprintf(buf, len, "%s/cases/%s.%s", dir, id, ext);
}

/* A case's marker (DIR/cases/<id>.json) is sealed: its last member,
 * "marker_sha256", is the SHA-256 of every byte before it, so an edit
 * anywhere in the marker (a number changed by hand, a flipped bit, a torn
 * write) is seen. The text is exactly
 *   PREFIX ,\n\t"marker_sha256":\t"<64 hex>"\n}\n
 * where PREFIX is cJSON's formatted object without its closing "\n}".
 * The marker also records the case file it vouches for ("case_file": name,
 * bytes, sha256) and the suite's name ("suite"). Markers of older mdbench
 * versions have none of these: they are still read (their .h5 must open and
 * hold the case). */
#define SEAL_KEY ",\n\t\"marker_sha256\":\t\""
#define SEAL_TAIL "\"\n}\n"
#define SEAL_LEN (sizeof SEAL_KEY - 1 + 64 + sizeof SEAL_TAIL - 1)
#define MARKER_MAX ((long)1 << 30) /* a larger marker is not one of ours */

/* The sealed text of a formatted cJSON object (malloc'ed; NULL: out of memory). */
static char *seal_marker(const char *text) {
  size_t n = strlen(text);
  if (n < 2 || strcmp(text + n - 2, "\n}") != 0) return NULL;
  n -= 2;
  char *out = malloc(n + SEAL_LEN + 1);
  if (!out) return NULL;
  memcpy(out, text, n);
  mdb_sha256 h;
  unsigned char d[32];
  char hex[65];
  mdb_sha256_init(&h);
  mdb_sha256_update(&h, text, n);
  mdb_sha256_final(&h, d);
  mdb_sha256_hex(d, hex);
  snprintf(out + n, SEAL_LEN + 1, "%s%s%s", SEAL_KEY, hex, SEAL_TAIL);
  return out;
}

enum { MK_OK, MK_MISSING, MK_CORRUPT };

typedef struct case_marker {
  int state;  /* MK_OK, MK_MISSING (no file), MK_CORRUPT (why says how) */
  int sealed; /* 0: an older marker without seal and case_file */
  char why[200];
  char case_id[MDB_CASE_ID_MAX];
  char case_hash[64];
  char suite[64];       /* "" when the marker does not say */
  long long file_bytes; /* the case file as written: size and digest (sealed markers) */
  char file_sha256[65];
} case_marker;

static void json_str(const cJSON *o, const char *key, char *buf, size_t len) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  buf[0] = '\0';
  if (cJSON_IsString(v) && strlen(v->valuestring) < len) snprintf(buf, len, "%s", v->valuestring);
}

static void read_marker(const char *path, case_marker *m) {
  memset(m, 0, sizeof *m);
  m->file_bytes = -1;
  FILE *f = fopen(path, "rb");
  if (!f) {
    m->state = errno == ENOENT ? MK_MISSING : MK_CORRUPT;
    snprintf(m->why, sizeof m->why, "cannot be read (%s)", strerror(errno));
    return;
  }
  char *text = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n < 0 || n > MARKER_MAX || fseek(f, 0, SEEK_SET) != 0) {
    snprintf(m->why, sizeof m->why, "cannot be read (size %ld bytes)", n);
  } else if (!(text = malloc((size_t)n + 1)) || fread(text, 1, (size_t)n, f) != (size_t)n) {
    snprintf(m->why, sizeof m->why, "cannot be read");
  }
  fclose(f);
  if (m->why[0]) {
    free(text);
    m->state = MK_CORRUPT;
    return;
  }
  text[n] = '\0';
  size_t len = (size_t)n, kl = sizeof SEAL_KEY - 1;
  if (len >= SEAL_LEN && memcmp(text + len - SEAL_LEN, SEAL_KEY, kl) == 0 &&
      strcmp(text + len - (sizeof SEAL_TAIL - 1), SEAL_TAIL) == 0) {
    mdb_sha256 h;
    unsigned char d[32];
    char hex[65];
    mdb_sha256_init(&h);
    mdb_sha256_update(&h, text, len - SEAL_LEN);
    mdb_sha256_final(&h, d);
    mdb_sha256_hex(d, hex);
    if (memcmp(hex, text + len - SEAL_LEN + kl, 64) != 0) {
      snprintf(m->why, sizeof m->why, "is damaged (its content does not match its marker_sha256)");
      m->state = MK_CORRUPT;
      free(text);
      return;
    }
    m->sealed = 1;
  } else if (strstr(text, "\"marker_sha256\"")) {
    snprintf(m->why, sizeof m->why, "is damaged (its seal is not intact)");
    m->state = MK_CORRUPT;
    free(text);
    return;
  }
  cJSON *j = cJSON_Parse(text);
  free(text);
  json_str(j, "case_id", m->case_id, sizeof m->case_id);
  json_str(j, "case_hash", m->case_hash, sizeof m->case_hash);
  json_str(j, "suite", m->suite, sizeof m->suite);
  const cJSON *cf = cJSON_GetObjectItemCaseSensitive(j, "case_file");
  const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(cf, "bytes");
  if (cJSON_IsNumber(bytes) && bytes->valuedouble >= 0 && bytes->valuedouble < 9e15)
    m->file_bytes = (long long)bytes->valuedouble;
  json_str(cf, "sha256", m->file_sha256, sizeof m->file_sha256);
  if (!j)
    snprintf(m->why, sizeof m->why, "is not valid JSON");
  else if (!m->case_id[0] || !m->case_hash[0])
    snprintf(m->why, sizeof m->why, "has no case_id or case_hash");
  else if (m->sealed && (m->file_bytes < 0 || strlen(m->file_sha256) != 64))
    snprintf(m->why, sizeof m->why, "has no valid case_file record");
  m->state = m->why[0] ? MK_CORRUPT : MK_OK;
  cJSON_Delete(j);
}

/* Whether the case file at h5 is the one marker m vouches for: 1 yes; 0
 * no, why says what is wrong. An older marker (no digest): the file must
 * open as a results file holding exactly this case. */
static int case_file_ok(const char *h5, const case_marker *m, char *why, size_t len) {
  struct stat sb;
  if (stat(h5, &sb) != 0) {
    snprintf(why, len, "%s", errno == ENOENT ? "is missing" : strerror(errno));
    return 0;
  }
  if (!m->sealed) {
    mdb_h5_summary_row *rows = NULL;
    int n = 0;
    mdb_err e = {0};
    int ok = !mdb_h5_read_summary(h5, &rows, &n, &e) && n == 1 && strcmp(rows[0].case_id, m->case_id) == 0;
    if (!ok) snprintf(why, len, "does not open as this case's results (%.150s)", e.msg[0] ? e.msg : "another case");
    free(rows);
    return ok;
  }
  if ((long long)sb.st_size != m->file_bytes) {
    snprintf(why, len, "has %lld bytes, its marker says %lld", (long long)sb.st_size, m->file_bytes);
    return 0;
  }
  char hex[65];
  mdb_err e = {0};
  if (mdb_sha256_file(h5, hex, &e)) {
    snprintf(why, len, "cannot be read (%.150s)", e.msg);
    return 0;
  }
  if (strcmp(hex, m->file_sha256) != 0) {
    snprintf(why, len, "does not match the SHA-256 in its marker (damaged)");
    return 0;
  }
  return 1;
}

static void notice(const mdb_run_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(const mdb_run_opts *o, const char *fmt, ...) {
  if (!o->notice) return;
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  o->notice(o->notice_user, line);
}

static int path_exists(const char *dir, const char *name) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return access(p, F_OK) == 0;
}

static int dir_has_entries(const char *dir) {
  /* summary.json: the name before 0.1 (docs/output-names.md) */
  return path_exists(dir, "results.h5") || path_exists(dir, "summary.jsonc") || path_exists(dir, "summary.json");
}

/* The suite name a results file's "suite" label stands for: a suite file's
 * path without its folders and .json (as mdb_suite_load names it). */
static void label_to_name(const char *label, char *name, size_t len) {
  const char *b = strrchr(label, '/');
  b = b ? b + 1 : label;
  size_t n = strlen(b);
  if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
  snprintf(name, len, "%.*s", (int)n, b);
}

static int suite_has_case(const mdb_suite *s, const char *id) {
  for (int i = 0; i < s->n_cases; i++)
    if (strcmp(s->cases[i].id, id) == 0) return 1;
  return 0;
}

/* Whose directory dir is: MDB_OK when it is new, empty or this suite's;
 * MDB_EINPUT naming the directory's maker and the requested suite when it
 * holds results of `mdbench compare`, of another suite, or of this suite
 * with other cases (another --filter or --device) that a merge would drop.
 * Reads only. */
static mdb_status check_owner(const mdb_suite *s, const char *dir, mdb_err *err) {
  char owner[300] = "", h5[4400];
  snprintf(h5, sizeof h5, "%s/results.h5", dir);
  if (path_exists(dir, "comparison.jsonc") || path_exists(dir, "comparison.json")) /* old name too */
    snprintf(owner, sizeof owner, "mdbench compare");
  if (!owner[0] && access(h5, F_OK) == 0) {
    char label[4096];
    mdb_err e = {0};
    if (!mdb_h5_read_root_str(h5, "suite", label, sizeof label, &e)) {
      char name[256];
      label_to_name(label, name, sizeof name);
      if (strcmp(label, "compare") == 0 || strncmp(label, "compare:", 8) == 0) /* cmd_compare.c's labels */
        snprintf(owner, sizeof owner, "mdbench compare");
      else if (strcmp(name, s->name) != 0)
        snprintf(owner, sizeof owner, "suite '%s'", name);
    }
  }
  char cases_dir[4300];
  snprintf(cases_dir, sizeof cases_dir, "%s/cases", dir);
  DIR *d = owner[0] ? NULL : opendir(cases_dir);
  char stray[MDB_CASE_ID_MAX] = "";
  int stray_named = 0; /* the stray case's marker names this suite */
  for (struct dirent *de; d && !owner[0] && (de = readdir(d));) {
    size_t n = strlen(de->d_name);
    if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0) continue;
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", cases_dir, de->d_name);
    case_marker m;
    read_marker(path, &m);
    if (m.state != MK_OK) continue; /* a damaged marker of this suite is rerun; another's changes nothing */
    if (m.suite[0] && strcmp(m.suite, s->name) != 0)
      snprintf(owner, sizeof owner, "suite '%s'", m.suite);
    else if (!stray[0] && !suite_has_case(s, m.case_id)) {
      snprintf(stray, sizeof stray, "%s", m.case_id);
      stray_named = m.suite[0] != 0;
    }
  }
  if (d) closedir(d);
  if (owner[0])
    return mdb_err_set(err, MDB_EINPUT,
                       "%s holds results of %s, not of suite '%s': not touching it; use another --output directory",
                       dir, owner, s->name);
  if (stray[0])
    return mdb_err_set(err, MDB_EINPUT,
                       "%s holds case %s, which this run of suite '%s' does not have (made %swith another --filter "
                       "or --device?): not touching it; use the options that made it, or another --output directory",
                       dir, stray, s->name, stray_named ? "" : "by another suite, or ");
  return MDB_OK;
}

/* Removes what an interrupted write left: NAME.tmp.PID files (core/atomic.h)
 * in dir, nothing else. Called before any rank writes. */
static void remove_stale_temporaries(const char *dir, const mdb_run_opts *o) {
  DIR *d = opendir(dir);
  for (struct dirent *de; d && (de = readdir(d));) {
    const char *t = strstr(de->d_name, ".tmp.");
    while (t && strstr(t + 1, ".tmp.")) t = strstr(t + 1, ".tmp.");
    if (!t || t == de->d_name || !t[5] || strspn(t + 5, "0123456789") != strlen(t + 5)) continue;
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (remove(path) == 0) notice(o, "removed %s, left by an interrupted write", path);
  }
  if (d) closedir(d);
}

mdb_status mdb_run_prepare(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, int resume, int *todo,
                           mdb_err *err) {
  mdb_status st = MDB_OK;
  if (p->rank == 0) {
    char cases_dir[4200];
    snprintf(cases_dir, sizeof cases_dir, "%s/cases", o->outdir);
    int existed = access(o->outdir, F_OK) == 0;
    if (resume && !existed)
      st = mdb_err_set(err, MDB_EINPUT, "--resume %s: no such directory (nothing to resume)", o->outdir);
    else if (existed && (st = check_owner(s, o->outdir, err)))
      ;
    else if (!resume && existed && dir_has_entries(o->outdir))
      st = mdb_err_set(err, MDB_EINPUT,
                       "%s already holds results: use --resume %s to finish them, or another --output directory",
                       o->outdir, o->outdir);
    else if (mdb_mkdir_p(cases_dir) != 0)
      st = mdb_err_set(err, MDB_EIO, "cannot create %s: %s", cases_dir, strerror(errno));
    if (!st) { /* both directories writable before any case runs */
      char probe[4400];
      snprintf(probe, sizeof probe, "%s/results.h5", o->outdir);
      st = mdb_atomic_check_writable(probe, err);
      snprintf(probe, sizeof probe, "%s/.probe", cases_dir);
      if (!st) st = mdb_atomic_check_writable(probe, err);
    }
    if (!st) {
      remove_stale_temporaries(o->outdir, o);
      remove_stale_temporaries(cases_dir, o);
    }
    for (int i = 0; i < s->n_cases && !st; i++) {
      const mdb_suite_case *sc = &s->cases[i];
      char path[4400], h5[4400], why[300];
      case_path(path, sizeof path, o->outdir, sc->id, "json");
      case_path(h5, sizeof h5, o->outdir, sc->id, "h5");
      case_marker m;
      read_marker(path, &m);
      todo[i] = m.state == MK_MISSING;
      if (todo[i]) {
        /* an unmarked case file (an interrupted case) is merged as it is
           until the case runs again: it must be readable */
        case_marker unmarked = {.sealed = 0};
        snprintf(unmarked.case_id, sizeof unmarked.case_id, "%s", sc->id);
        if (access(h5, F_OK) == 0 && !case_file_ok(h5, &unmarked, why, sizeof why)) {
          if (remove(h5) != 0 && errno != ENOENT)
            st = mdb_err_set(err, MDB_EIO, "cannot remove %s: %s", h5, strerror(errno));
          else
            notice(o, "case %s: %s %s: removed (the case has no marker and runs again)", sc->id, h5, why);
        }
        continue;
      }
      if (!resume) {
        st = mdb_err_set(err, MDB_EINPUT, "%s already holds case %s: use --resume %s", o->outdir, sc->id, o->outdir);
        break;
      }
      if (m.state == MK_CORRUPT) {
        notice(o, "case %s: its marker %s %s: running the case again", sc->id, path, m.why);
      } else if (strcmp(m.case_hash, sc->hash_hex) != 0) {
        st = mdb_err_set(err, MDB_EINPUT,
                         "%s was measured with other parameters (hash %s, this suite has %s): not overwriting it; "
                         "resume with the suite that made it, or use another --output directory",
                         path, m.case_hash, sc->hash_hex);
        break;
      } else if (!case_file_ok(h5, &m, why, sizeof why)) {
        notice(o, "case %s: %s %s: running the case again", sc->id, h5, why);
      } else {
        continue; /* done and intact */
      }
      /* not done after all: neither the marker nor a broken file may outlive the rerun's start */
      if ((remove(path) != 0 && errno != ENOENT) || (remove(h5) != 0 && errno != ENOENT)) {
        st = mdb_err_set(err, MDB_EIO, "cannot remove the damaged files of case %s in %s: %s", sc->id, cases_dir,
                         strerror(errno));
        break;
      }
      todo[i] = 1;
    }
  }
  if ((st = bcast_status(st, err))) return st;
  MPI_Bcast(todo, s->n_cases, MPI_INT, 0, MPI_COMM_WORLD);
  return MDB_OK;
}

/* ------------------------------------------------------------ one case */

static void cpu_model(char *buf, size_t len) {
  snprintf(buf, len, "cpu");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "model name", 10) == 0) {
      char *c = strchr(line, ':');
      if (c) {
        c += 1 + strspn(c + 1, " \t");
        c[strcspn(c, "\n")] = '\0';
        snprintf(buf, len, "%s", c);
      }
      break;
    }
  fclose(f);
}

/* The case's JSON marker: the guide's schema plus the case's identity. */
static mdb_status write_marker(const char *path, const char *h5, const char *suite, const mdb_suite_case *sc,
                               const mdb_result *r, const mdb_case *c, const mdb_par *p, const char *error,
                               mdb_err *err) {
  /* the case file it vouches for, as it is on disk now */
  char sha[65];
  struct stat sb;
  mdb_status st = mdb_sha256_file(h5, sha, err);
  if (st) return st;
  if (stat(h5, &sb) != 0) return mdb_err_set(err, MDB_EIO, "cannot read %s: %s", h5, strerror(errno));
  const char *base = strrchr(h5, '/');
  cJSON *j = r ? mdb_result_to_json(r) : cJSON_CreateObject();
  if (!j) return mdb_err_nomem(err, "case JSON", 0);
  cJSON_AddStringToObject(j, "case_id", sc->id);
  cJSON_AddStringToObject(j, "case_hash", sc->hash_hex);
  cJSON_AddStringToObject(j, "suite", suite);
  cJSON *cf = cJSON_AddObjectToObject(j, "case_file");
  cJSON_AddStringToObject(cf, "name", base ? base + 1 : h5);
  cJSON_AddNumberToObject(cf, "bytes", (double)sb.st_size);
  cJSON_AddStringToObject(cf, "sha256", sha);
  cJSON_AddNumberToObject(j, "rank", p->rank);
  cJSON_AddStringToObject(j, "mpi_library", p->mpi_library);
  if (!r) {
    cJSON_AddStringToObject(j, "status", "error");
    cJSON *f = cJSON_AddObjectToObject(j, "failure");
    cJSON_AddNumberToObject(f, "step", -1);
    cJSON_AddStringToObject(f, "reason", error);
    cJSON *m = cJSON_AddObjectToObject(j, "metadata");
    cJSON_AddStringToObject(m, "system_type", c->system);
    cJSON_AddNumberToObject(m, "n_atoms", c->n_atoms);
    cJSON_AddStringToObject(m, "protocol", c->protocol);
    cJSON_AddStringToObject(m, "calculator", c->calculator);
    cJSON_AddStringToObject(m, "device", c->device);
  }
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  char *sealed = text ? seal_marker(text) : NULL;
  free(text);
  if (!sealed) return mdb_err_nomem(err, "case JSON", 0);
  st = mdb_atomic_write(path, sealed, strlen(sealed), err);
  free(sealed);
  return st;
}

/* Runs one case and persists it; *ok says whether its status is "ok",
 * *stopped whether a stop request ended it early (its .h5 is written with
 * status "interrupted" but no marker, so --resume runs it again); the time
 * spent running and persisting is added to *run_s and *io_s. */
static mdb_status run_one(const mdb_par *p, const char *s_name, const mdb_suite_case *sc, const mdb_run_opts *o,
                          const char *cpu, int *ok, int *stopped, double *run_s, double *io_s, mdb_err *err) {
  mdb_case c = sc->c;
  mdb_result r;
  mdb_err cerr = {0};
  /* a client a calculator launches (ipi:launch=...) writes its output here */
  char client_log[4400];
  case_path(client_log, sizeof client_log, o->outdir, sc->id, "client.log");
  setenv("MDBENCH_CLIENT_LOG", client_log, 1);
  double t0 = MPI_Wtime();
  const mdb_run_hooks hooks = {.device = &p->gpu};
  mdb_status cst = mdb_case_run_hooked(&c, &hooks, &r, &cerr);
  double t1 = MPI_Wtime();
  unsetenv("MDBENCH_CLIENT_LOG");
  if (cst && mdb_stop_requested()) { /* stopped before its first step: as if never started */
    *stopped = 1;
    *ok = 0;
    *run_s += t1 - t0;
    return MDB_OK;
  }
  char host[128] = "";
  gethostname(host, sizeof host - 1);
  mdb_h5_meta meta = {
      .suite = o->suite_label, .command = o->command, .mpi_ranks = p->size, .mpi_library = p->mpi_library};
  mdb_h5_case k = {.case_id = sc->id, .result = cst ? NULL : &r, .spec = &c};
  k.prov.rank = p->rank;
  k.prov.host = host;
  k.prov.device_name = strcmp(c.device, "cpu") == 0 ? cpu : (!cst ? r.gpu.dev.name : "");
  k.prov.error = cst ? cerr.msg : NULL;
  char h5[4400], js[4400];
  case_path(h5, sizeof h5, o->outdir, sc->id, "h5");
  case_path(js, sizeof js, o->outdir, sc->id, "json");
  *stopped = !cst && strcmp(r.status, "interrupted") == 0;
  mdb_status st = mdb_h5_write(h5, &meta, &k, 1, err);
  if (!st && !*stopped) st = write_marker(js, h5, s_name, sc, cst ? NULL : &r, &c, p, cerr.msg, err);
  *run_s += t1 - t0;
  *io_s += MPI_Wtime() - t1;
  *ok = !cst && strcmp(r.status, "ok") == 0;
  if (!cst) mdb_result_free(&r);
  return st;
}

/* ------------------------------------------------------------ the run */

/* CNT_STOP: the largest stop request any rank has seen: a signal that
 * reached only some ranks (a launcher that forwards it to the ranks it has
 * started so far, a library handler that swallowed it on one) still stops
 * the others at their next case */
enum { CNT_NEXT, CNT_DONE, CNT_FAILED, CNT_STOP, CNT_N };

static int fetch_add(MPI_Win win, int which, int add) {
  int old = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
  MPI_Fetch_and_op(&add, &old, MPI_INT, 0, which, add ? MPI_SUM : MPI_NO_OP, win);
  MPI_Win_unlock(0, win);
  return old;
}

/* This rank's stop request shared with the others (MPI_MAX into CNT_STOP),
 * and theirs taken over; the request in force, 0 when none. */
static int shared_stop(MPI_Win win) {
  int mine = mdb_stop_requested(), old = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
  MPI_Fetch_and_op(&mine, &old, MPI_INT, 0, CNT_STOP, mine ? MPI_MAX : MPI_NO_OP, win);
  MPI_Win_unlock(0, win);
  if (!mine && old) mdb_stop_request(old);
  return mine ? mine : old;
}

static mdb_status write_summary_json(const char *path, const mdb_suite *s, const mdb_run_opts *o, const mdb_par *p,
                                     const mdb_h5_summary_row *rows, int n, const mdb_run_report *rep, mdb_err *err) {
  cJSON *j = cJSON_CreateObject();
  char now[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cJSON_AddStringToObject(j, "schema", "mdbench-suite/1");
  cJSON_AddStringToObject(j, "suite", o->suite_label);
  cJSON_AddStringToObject(j, "created_utc", now);
  cJSON_AddStringToObject(j, "mdbench_version", mdb_version());
  cJSON_AddStringToObject(j, "git_commit", mdb_git_commit());
  cJSON_AddNumberToObject(j, "mpi_ranks", p->size);
  cJSON_AddStringToObject(j, "mpi_library", p->mpi_library);
  cJSON_AddStringToObject(j, "command", o->command);
  cJSON_AddNumberToObject(j, "n_cases", s->n_cases);
  cJSON_AddNumberToObject(j, "n_failed", rep->failed);
  cJSON_AddBoolToObject(j, "complete", rep->unfinished == 0);
  cJSON_AddNumberToObject(j, "n_unfinished", rep->unfinished);
  cJSON_AddStringToObject(j, "stop_signal", rep->stop_signal ? mdb_stop_signal_name(rep->stop_signal) : "");
  cJSON_AddNumberToObject(j, "makespan_s", rep->makespan_s);
  cJSON_AddNumberToObject(j, "case_run_s", rep->run_s);
  cJSON_AddNumberToObject(j, "persist_s", rep->io_s);
  cJSON_AddNumberToObject(j, "load_balance", rep->makespan_s > 0 ? rep->run_s / (p->size * rep->makespan_s) : 0);
  cJSON *arr = cJSON_AddArrayToObject(j, "cases");
  for (int i = 0; i < n; i++) {
    const mdb_h5_summary_row *r = &rows[i];
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "case_id", r->case_id);
    cJSON_AddStringToObject(c, "system", r->system);
    cJSON_AddNumberToObject(c, "n_atoms", (double)r->n_atoms);
    cJSON_AddStringToObject(c, "protocol", r->protocol);
    cJSON_AddStringToObject(c, "calculator", r->calculator);
    cJSON_AddStringToObject(c, "device", r->device);
    cJSON_AddStringToObject(c, "status", r->status);
    /* every /summary metric, named as in the table (io/metrics.def); NaN is null */
#define MDB_METRIC(id, type, json, unit, sum, flags, fmt, dir, have, value, old) MDB_SUMMARY_JSON_##sum(id)
#define MDB_SUMMARY_JSON_1(id) cJSON_AddNumberToObject(c, #id, (double)r->id);
#define MDB_SUMMARY_JSON_0(id)
#include "io/metrics.def"
#undef MDB_METRIC
    cJSON_AddNumberToObject(c, "rank", (double)r->rank);
    cJSON_AddStringToObject(c, "host", r->host);
    cJSON_AddItemToArray(arr, c);
  }
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return mdb_err_nomem(err, "summary JSON", 0);
  mdb_status st = mdb_atomic_write(path, text, strlen(text), err);
  free(text);
  return st;
}

mdb_status mdb_run_suite(const mdb_par *p, const mdb_suite *s, const mdb_run_opts *o, const int *todo,
                         mdb_progress_fn progress, void *user, mdb_run_report *rep, mdb_err *err) {
  memset(rep, 0, sizeof *rep);
  rep->total = s->n_cases;
  int *order = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *order);
  int ok_alloc = order != NULL;
  if (mdb_par_max_int(!ok_alloc)) {
    free(order);
    return mdb_err_nomem(err, "the schedule", (double)s->n_cases * sizeof(int));
  }
  mdb_suite_order_by_cost(s, order);
  int ntodo = 0;
  for (int k = 0; k < s->n_cases; k++)
    if (todo[order[k]]) order[ntodo++] = order[k];
  rep->skipped = s->n_cases - ntodo;

  int *counters = NULL;
  MPI_Win win;
  MPI_Win_allocate(p->rank == 0 ? CNT_N * (MPI_Aint)sizeof(int) : 0, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
                   &counters, &win);
  if (p->rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
    for (int k = 0; k < CNT_N; k++) counters[k] = 0;
    MPI_Win_unlock(0, win);
  }
  char cpu[256];
  cpu_model(cpu, sizeof cpu);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime(), times[2] = {0, 0}; /* run, io */
  mdb_status st = MDB_OK;
  for (;;) {
    if (shared_stop(win)) break; /* take no new case */
    int k = fetch_add(win, CNT_NEXT, 1);
    if (k >= ntodo) break;
    int ok = 0, stopped = 0;
    st = run_one(p, s->name, &s->cases[order[k]], o, cpu, &ok, &stopped, &times[0], &times[1], err);
    if (stopped) break;
    fetch_add(win, CNT_DONE, 1);
    if (!ok) fetch_add(win, CNT_FAILED, 1);
    if (st) break; /* cannot persist results: stop taking cases */
    if (p->rank == 0 && progress)
      progress(user, fetch_add(win, CNT_DONE, 0), fetch_add(win, CNT_FAILED, 0), ntodo, MPI_Wtime() - t0);
  }
  /* rank 0 keeps reporting while the others finish */
  int failed_io = mdb_par_max_int(st != MDB_OK);
  rep->stop_signal = mdb_par_max_int(mdb_stop_requested());
  rep->interrupted = rep->stop_signal != 0;
  MPI_Barrier(MPI_COMM_WORLD);
  rep->makespan_s = MPI_Wtime() - t0;
  double sums[2] = {0, 0};
  MPI_Reduce(times, sums, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  rep->run_s = sums[0];
  rep->io_s = sums[1];
  rep->ran = fetch_add(win, CNT_DONE, 0);
  if (p->rank == 0 && progress) progress(user, rep->ran, fetch_add(win, CNT_FAILED, 0), ntodo, rep->makespan_s);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Win_free(&win);
  free(order);
  if (failed_io) { /* every rank reports the first failing rank's message: the CLI prints it once */
    int first = -mdb_par_max_int(st ? -p->rank : INT_MIN);
    int code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, first, MPI_COMM_WORLD);
    err->code = (mdb_status)code;
    return err->code;
  }

  mdb_status fst = MDB_OK;
  double m0 = MPI_Wtime();
  if (p->rank == 0) {
    const char **parts = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *parts);
    char(*paths)[4400] = malloc((s->n_cases > 0 ? (size_t)s->n_cases : 1) * sizeof *paths);
    if (!parts || !paths) fst = mdb_err_nomem(err, "case file list", (double)s->n_cases * 4400);
    /* an interrupted run merges what it has: the finished cases and the
       interrupted ones (status "interrupted"); cases never started are absent */
    int nparts = 0;
    for (int i = 0; i < s->n_cases && !fst; i++) {
      char marker[4400];
      case_path(marker, sizeof marker, o->outdir, s->cases[i].id, "json");
      rep->unfinished += access(marker, F_OK) != 0;
      case_path(paths[nparts], sizeof paths[nparts], o->outdir, s->cases[i].id, "h5");
      if (access(paths[nparts], F_OK) == 0) {
        parts[nparts] = paths[nparts];
        nparts++;
      }
    }
    char out[4200];
    snprintf(out, sizeof out, "%s/results.h5", o->outdir);
    mdb_h5_meta meta = {.suite = o->suite_label,
                        .command = o->command,
                        .mpi_ranks = p->size,
                        .mpi_library = p->mpi_library,
                        .incomplete = rep->unfinished > 0,
                        .suite_cases = s->n_cases,
                        .stop_signal = rep->stop_signal ? mdb_stop_signal_name(rep->stop_signal) : ""};
    if (!fst) fst = mdb_h5_merge(out, &meta, parts, nparts, err);
    mdb_h5_summary_row *rows = NULL;
    int nrows = 0;
    if (!fst) fst = mdb_h5_read_summary(out, &rows, &nrows, err);
    for (int i = 0; i < nrows; i++)
      rep->failed += strcmp(rows[i].status, "ok") != 0 && strcmp(rows[i].status, "interrupted") != 0;
    /* .jsonc, not .json: the Python framework's --analyze DIR reads every *.json under DIR as a case
     * (docs/output-names.md); a summary.json of an older run resumed here is replaced */
    snprintf(out, sizeof out, "%s/summary.jsonc", o->outdir);
    if (!fst) fst = write_summary_json(out, s, o, p, rows, nrows, rep, err);
    snprintf(out, sizeof out, "%s/summary.json", o->outdir);
    if (!fst && access(out, F_OK) == 0) unlink(out);
    free(rows);
    free(parts);
    free(paths);
  }
  rep->merge_s = MPI_Wtime() - m0;
  MPI_Bcast(&rep->failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(&rep->unfinished, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return bcast_status(fst, err);
}
