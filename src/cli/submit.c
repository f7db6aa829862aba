/*
 * submit.c — filling a job-script template and handing it to sbatch (see
 * submit.h and docs/slurm.md).
 *
 * A template is a bash script with placeholders @NAME@ (capital letters,
 * digits, underscores between two @). Every placeholder must be one this
 * file knows; an #SBATCH line whose placeholder is empty (no --time, no
 * --partition) is commented out (##SBATCH), so the cluster's default
 * applies.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/submit.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic.h"

#define PFX "mdbench-suite: error: "

extern char **environ;

/* The environment before MPI_Init: sbatch hands its environment to the job,
 * and a singleton MPI_Init adds variables (OMPI_*, PMIX_*) that would make
 * the job's own mpirun fail. */
static char **saved_env;

static void free_env(void) {
  for (size_t i = 0; saved_env && saved_env[i]; i++) free(saved_env[i]);
  free(saved_env);
  saved_env = NULL;
}

void mdb_submit_save_env(void) {
  if (saved_env) return;
  size_t n = 0;
  while (environ && environ[n]) n++;
  saved_env = calloc(n + 1, sizeof *saved_env);
  if (!saved_env) return;
  atexit(free_env);
  for (size_t i = 0; i < n; i++)
    if (!(saved_env[i] = strdup(environ[i]))) {
      saved_env[i] = NULL; /* a shorter environment rather than none */
      break;
    }
}

int mdb_submit_parse_count(const char *text, int min) {
  if (!text || !*text) return -1;
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (*end || errno || v < min || v > 1000000) return -1;
  return (int)v;
}

/* Reads up to 3 colon-separated unsigned numbers; returns how many, -1 when malformed. */
static int colon_fields(const char *s, long *f) {
  int n = 0;
  for (;;) {
    if (!isdigit((unsigned char)*s) || n == 3) return -1;
    char *end;
    f[n++] = strtol(s, &end, 10);
    if (end - s > 6) return -1;
    s = end;
    if (!*s) return n;
    if (*s != ':') return -1;
    s++;
  }
}

long mdb_submit_time_seconds(const char *text) {
  if (!text || !*text) return -1;
  long days = 0, f[3] = {0, 0, 0};
  const char *rest = text, *dash = strchr(text, '-');
  if (dash) {
    long d[3];
    char head[16];
    if (dash - text >= (long)sizeof head) return -1;
    memcpy(head, text, (size_t)(dash - text));
    head[dash - text] = '\0';
    if (colon_fields(head, d) != 1) return -1;
    days = d[0];
    rest = dash + 1;
    int n = colon_fields(rest, f); /* DAYS-HOURS[:MINUTES[:SECONDS]] */
    if (n < 1) return -1;
    if (f[1] > 59 || f[2] > 59) return -1;
    return ((days * 24 + f[0]) * 60 + f[1]) * 60 + f[2];
  }
  int n = colon_fields(rest, f);
  if (n == 1) return f[0] * 60;                                                    /* MINUTES */
  if (n == 2) return f[1] > 59 ? -1 : f[0] * 60 + f[1];                            /* MINUTES:SECONDS */
  if (n == 3) return f[1] > 59 || f[2] > 59 ? -1 : (f[0] * 60 + f[1]) * 60 + f[2]; /* HOURS:MINUTES:SECONDS */
  return -1;
}

/* A value a job script can carry inside "..." (and, with spaces = 0, on an
 * #SBATCH line): no quotes, $, backquote, backslash, newline. */
static int script_safe(const char *v, int spaces) {
  for (const char *c = v; *c; c++) {
    if (strchr("\"'$`\\\n\r", *c)) return 0;
    if (!spaces && isspace((unsigned char)*c)) return 0;
  }
  return 1;
}

static int is_template_name(const char *t) {
  return strcmp(t, "cpu") == 0 || strcmp(t, "gpu-node") == 0 || strcmp(t, "gpu-nodes") == 0;
}

mdb_status mdb_submit_check(const mdb_submit_opts *o, mdb_err *err) {
  if (!o->scheduler || strcmp(o->scheduler, "slurm") != 0)
    return mdb_err_set(err, MDB_EINPUT, "unknown scheduler '%s' for --submit (valid: " MDB_SUBMIT_SCHEDULERS ")",
                       o->scheduler ? o->scheduler : "");
  const char *t = o->template_name;
  if (t && !strchr(t, '/') && !is_template_name(t))
    return mdb_err_set(err, MDB_EINPUT,
                       "unknown template '%s' (valid: " MDB_SUBMIT_TEMPLATES ", or the path of a template file)", t);
  if (o->launcher && strcmp(o->launcher, "srun") != 0 && strcmp(o->launcher, "mpirun") != 0)
    return mdb_err_set(err, MDB_EINPUT, "unknown launcher '%s' (valid: " MDB_SUBMIT_LAUNCHERS ")", o->launcher);
  long limit = -1;
  if (o->time && (limit = mdb_submit_time_seconds(o->time)) <= 0)
    return mdb_err_set(err, MDB_EINPUT,
                       "bad --time '%s' (valid: Slurm's MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, "
                       "DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS; e.g. 90, 01:30:00, 2-00:00:00)",
                       o->time);
  int before = o->signal_before > 0 ? o->signal_before : 120;
  if (limit > 0 && before >= limit)
    return mdb_err_set(err, MDB_EINPUT,
                       "--signal-before %d s is not shorter than --time %s (%ld s): the stop would be asked for before "
                       "the job had run; give a longer --time or a smaller --signal-before",
                       before, o->time, limit);
  if (before > 65535) return mdb_err_set(err, MDB_EINPUT, "--signal-before %d s: Slurm allows at most 65535 s", before);
  if (t && strcmp(t, "cpu") == 0 && o->gpus_per_node > 0)
    return mdb_err_set(err, MDB_EINPUT,
                       "--gpus-per-node %d with --template cpu: the cpu template asks for no GPU (GPU templates: "
                       "gpu-node, gpu-nodes)",
                       o->gpus_per_node);
  if (t && strcmp(t, "gpu-node") == 0 && o->nodes > 1)
    return mdb_err_set(err, MDB_EINPUT, "--template gpu-node is one node: use --template gpu-nodes for --nodes %d",
                       o->nodes);
  if (t && strcmp(t, "gpu-nodes") == 0 && o->nodes < 2)
    return mdb_err_set(err, MDB_EINPUT, "--template gpu-nodes needs --nodes N with N >= 2 (one node: gpu-node)");
  if (o->gpus_per_node > 0 && o->ntasks_per_node > 0 && o->ntasks_per_node != o->gpus_per_node)
    return mdb_err_set(err, MDB_EINPUT,
                       "--ntasks-per-node %d with --gpus-per-node %d: the GPU templates run one rank per GPU (leave "
                       "--ntasks-per-node out)",
                       o->ntasks_per_node, o->gpus_per_node);
  const struct {
    const char *flag, *v;
    int spaces;
  } vals[] = {{"--partition", o->partition, 0},
              {"--account", o->account, 0},
              {"--job-name", o->job_name, 0},
              {"--module", o->modules, 1},
              {"--launcher-args", o->launcher_args, 1}};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
    if (vals[i].v && !script_safe(vals[i].v, vals[i].spaces))
      return mdb_err_set(err, MDB_EINPUT, "%s '%s': a job script cannot carry quotes, $, `, \\ or line breaks%s in it",
                         vals[i].flag, vals[i].v, vals[i].spaces ? "" : " (nor spaces)");
  for (int i = 0; i < o->n_sbatch_args; i++) {
    const char *a = o->sbatch_args[i];
    if (a[0] != '-' || !script_safe(a, 1))
      return mdb_err_set(err, MDB_EINPUT,
                         "--sbatch-arg '%s': give one sbatch option per --sbatch-arg, starting with '-' and without "
                         "quotes, $, `, \\ or line breaks (e.g. --sbatch-arg=--qos=long)",
                         a);
  }
  return MDB_OK;
}

/* ------------------------------------------------------------ templates */

/* The directory this binary lives in ("" when unknown). */
static void exe_dir(char *buf, size_t len) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  buf[0] = '\0';
  if (n <= 0) return;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash) *slash = '\0';
  snprintf(buf, len, "%s", exe);
}

/* Finds NAME.sbatch in $MDBENCH_JOBSCRIPTS, the installed
 * share/mdbench/jobscripts beside the binary, then the source tree. */
static int find_template(const char *name, char *path, size_t len, char *looked, size_t llen) {
  if (strchr(name, '/')) {
    snprintf(path, len, "%s", name);
    snprintf(looked, llen, "%s", name);
    return access(path, R_OK) == 0;
  }
  char dirs[3][PATH_MAX + 64];
  int nd = 0;
  const char *env = getenv("MDBENCH_JOBSCRIPTS");
  if (env && *env) snprintf(dirs[nd++], sizeof dirs[0], "%s", env);
  char exe[PATH_MAX];
  exe_dir(exe, sizeof exe);
  if (exe[0]) snprintf(dirs[nd++], sizeof dirs[0], "%s/../share/mdbench/jobscripts", exe);
  snprintf(dirs[nd++], sizeof dirs[0], "%s", MDB_SOURCE_JOBSCRIPTS_DIR);
  looked[0] = '\0';
  for (int i = 0; i < nd; i++) {
    int w = snprintf(path, len, "%s/%s.sbatch", dirs[i], name);
    if (w > 0 && (size_t)w < len && access(path, R_OK) == 0) return 1;
    size_t l = strlen(looked);
    if (snprintf(looked + l, llen - l, "%s%s", i ? ", " : "", dirs[i]) < 0) looked[l] = '\0';
  }
  return 0;
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 8192, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (n + 1 < cap) break;
    char *nb = realloc(buf, cap *= 2);
    if (!nb) free(buf);
    buf = nb;
  }
  if (buf) buf[n] = '\0';
  if (ferror(f)) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

typedef struct sbuf {
  char *s;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t len) {
  if (b->oom) return;
  if (b->n + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + len + 1) cap *= 2;
    char *ns = realloc(b->s, cap);
    if (!ns) {
      b->oom = 1;
      return;
    }
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, len);
  b->n += len;
  b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

typedef struct ph {
  const char *name;
  const char *value;
} ph;

/* Length of the placeholder name at s (just after an '@'), when a closing
 * '@' follows; 0 otherwise. */
static size_t ph_len(const char *s) {
  size_t k = 0;
  while (isupper((unsigned char)s[k]) || isdigit((unsigned char)s[k]) || s[k] == '_') k++;
  return k > 0 && s[k] == '@' ? k : 0;
}

static const ph *ph_find(const ph *v, int n, const char *name, size_t len) {
  for (int i = 0; i < n; i++)
    if (strlen(v[i].name) == len && strncmp(v[i].name, name, len) == 0) return &v[i];
  return NULL;
}

/* Fills text into out; MDB_EINPUT naming an unknown placeholder. */
static mdb_status fill(const char *text, const ph *v, int nv, const char *label, sbuf *out, mdb_err *err) {
  const char *line = text;
  while (*line) {
    const char *eol = strchr(line, '\n');
    size_t llen = eol ? (size_t)(eol - line + 1) : strlen(line);
    /* an #SBATCH line with an empty value is left to the cluster's default */
    int empty = 0;
    if (strncmp(line, "#SBATCH", 7) == 0)
      for (size_t i = 0; i < llen; i++) {
        size_t k = line[i] == '@' ? ph_len(line + i + 1) : 0;
        const ph *p = k ? ph_find(v, nv, line + i + 1, k) : NULL;
        if (p && !p->value[0]) empty = 1;
        if (k) i += k + 1;
      }
    if (empty) sb_str(out, "#");
    for (size_t i = 0; i < llen; i++) {
      size_t k = line[i] == '@' ? ph_len(line + i + 1) : 0;
      if (!k) {
        sb_add(out, line + i, 1);
        continue;
      }
      const ph *p = ph_find(v, nv, line + i + 1, k);
      if (!p) {
        char known[512] = "";
        for (int j = 0; j < nv; j++) {
          size_t l = strlen(known);
          snprintf(known + l, sizeof known - l, "%s@%s@", j ? ", " : "", v[j].name);
        }
        return mdb_err_set(err, MDB_EINPUT, "template %s has an unknown placeholder @%.*s@ (known: %s)", label, (int)k,
                           line + i + 1, known);
      }
      sb_str(out, p->value);
      i += k + 1;
    }
    line += llen;
  }
  return out->oom ? mdb_err_nomem(err, "the job script", (double)out->cap) : MDB_OK;
}

/* Absolute path of an existing file or directory (path itself when it cannot be resolved). */
static void absolute(const char *path, char *out, size_t len) {
  char buf[PATH_MAX];
  if (realpath(path, buf))
    snprintf(out, len, "%s", buf);
  else
    snprintf(out, len, "%s", path);
}

/* Finds prog in $PATH; 1 when found (path in out). */
static int find_in_path(const char *prog, char *out, size_t len) {
  const char *p = getenv("PATH");
  if (!p) return 0;
  while (*p) {
    size_t n = strcspn(p, ":");
    snprintf(out, len, "%.*s%s%s", (int)n, p, n ? "/" : "", prog);
    if (access(out, X_OK) == 0) return 1;
    p += n + (p[n] == ':');
  }
  return 0;
}

/* Runs sbatch --parsable SCRIPT, its stdout into out; returns its exit status (127: could not run). */
static int run_sbatch(const char *sbatch, const char *script, char *out, size_t len) {
  int fd[2];
  out[0] = '\0';
  if (pipe(fd) != 0) return 127;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return 127;
  }
  if (pid == 0) {
    dup2(fd[1], STDOUT_FILENO);
    close(fd[0]);
    close(fd[1]);
    char *const argv[] = {(char *)"sbatch", (char *)"--parsable", (char *)script, NULL};
    execve(sbatch, argv, saved_env ? saved_env : environ);
    _exit(127);
  }
  close(fd[1]);
  size_t n = 0;
  ssize_t got;
  while ((got = read(fd[0], out + n, len - 1 - n)) > 0 || (got < 0 && errno == EINTR)) {
    if (got > 0) n += (size_t)got;
    if (n + 1 >= len) break;
  }
  out[n] = '\0';
  close(fd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* What one submission writes and runs: the template, the absolute paths
 * that go into the script, and the resources asked for. */
typedef struct job_plan {
  const char *tname; /* template name, or a path (custom) */
  int custom, gpu;
  char outdir[PATH_MAX], suite[PATH_MAX + 64], exe[PATH_MAX + 32], script[PATH_MAX + 32], sdir[PATH_MAX];
  char tpath[PATH_MAX + 64]; /* the template file found */
  int nodes, gpus, ntasks, before;
  const char *launcher;
} job_plan;

/* The template (given, or chosen from the GPUs the run wants) and the
 * absolute paths the script names, each checked to be safe in a shell
 * script. -1 when the submission goes on, else the exit code (printed). */
static int plan_paths(const mdb_submit_opts *o, const mdb_submit_job *j, job_plan *p) {
  const int gpu_wanted = o->gpus_per_node > 0 || j->gpu_cases > 0;
  p->tname = o->template_name;
  if (!p->tname) p->tname = !gpu_wanted ? "cpu" : o->nodes > 1 ? "gpu-nodes" : "gpu-node";
  p->custom = strchr(p->tname, '/') != NULL;
  p->gpu = p->custom ? gpu_wanted : strcmp(p->tname, "cpu") != 0;
  if (!p->custom && strcmp(p->tname, "cpu") == 0 && j->gpu_cases > 0)
    printf("mdbench-suite: notice: --template cpu: the %d GPU case(s) of the suite will find no GPU\n", j->gpu_cases);

  absolute(j->outdir, p->outdir, sizeof p->outdir);
  const int suite_is_file = strchr(j->suite_arg, '/') || strstr(j->suite_arg, ".json");
  if (suite_is_file)
    absolute(j->suite_arg, p->suite, sizeof p->suite);
  else
    snprintf(p->suite, sizeof p->suite, "%s", j->suite_arg);
  exe_dir(p->exe, PATH_MAX);
  size_t el = strlen(p->exe);
  snprintf(p->exe + el, sizeof p->exe - el, "/mdbench-suite");
  p->sdir[0] = '\0';
  if (!suite_is_file && j->suites_dir) absolute(j->suites_dir, p->sdir, sizeof p->sdir);
  struct {
    const char *what, *v;
  } paths[] = {{"results directory", p->outdir},
               {"suite file", p->suite},
               {"mdbench-suite binary", p->exe},
               {"suites directory", p->sdir},
               {"--filter", j->filter ? j->filter : ""}};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (!script_safe(paths[i].v, i != 0)) {
      fprintf(stderr,
              PFX "the %s '%s' cannot go into a job script (no quotes, $, `, \\, line breaks%s): pick "
                  "another name\n",
              paths[i].what, paths[i].v, i == 0 ? ", spaces" : "");
      return 2;
    }
  p->nodes = o->nodes > 0 ? o->nodes : 1;
  p->gpus = !p->gpu ? 0 : o->gpus_per_node > 0 ? o->gpus_per_node : o->ntasks_per_node > 0 ? o->ntasks_per_node : 1;
  p->ntasks = p->gpu ? p->gpus : o->ntasks_per_node > 0 ? o->ntasks_per_node : 1;
  p->before = o->signal_before > 0 ? o->signal_before : 120;
  p->launcher = o->launcher ? o->launcher : "srun";
  return -1;
}

/* OUTDIR/job.sbatch: the template with its placeholders filled, written
 * atomically and made executable. -1 or the exit code (printed). */
static int write_script(const mdb_submit_opts *o, const mdb_submit_job *j, job_plan *p) {
  mdb_err err = {0};
  char looked[3 * PATH_MAX + 256];
  if (!find_template(p->tname, p->tpath, sizeof p->tpath, looked, sizeof looked)) {
    fprintf(stderr,
            PFX "job-script template '%s' not found (looked in %s; set MDBENCH_JOBSCRIPTS to the "
                "jobscripts/ directory)\n",
            p->tname, looked);
    return 3;
  }
  char *text = read_all(p->tpath);
  if (!text) {
    fprintf(stderr, PFX "cannot read the template %s: %s\n", p->tpath, strerror(errno));
    return 3;
  }

  /* the values */
  char s_nodes[16], s_gpus[16], s_ntasks[16], s_cpt[16] = "", s_before[16], job_name[128];
  snprintf(s_nodes, sizeof s_nodes, "%d", p->nodes);
  snprintf(s_gpus, sizeof s_gpus, "%d", p->gpus);
  snprintf(s_ntasks, sizeof s_ntasks, "%d", p->ntasks);
  if (o->cpus_per_task > 0) snprintf(s_cpt, sizeof s_cpt, "%d", o->cpus_per_task);
  snprintf(s_before, sizeof s_before, "%d", p->before);
  if (o->job_name)
    snprintf(job_name, sizeof job_name, "%s", o->job_name);
  else
    snprintf(job_name, sizeof job_name, "mdbench-%s", j->suite_name);
  for (char *c = job_name; *c; c++)
    if (!script_safe((char[2]){*c, 0}, 0)) *c = '_';
  sbuf extra = {0}, sargs = {0};
  sb_str(&extra, "");
  for (int i = 0; i < o->n_sbatch_args; i++) {
    sb_str(&extra, "\n#SBATCH ");
    sb_str(&extra, o->sbatch_args[i]);
  }
  const char *pass[8];
  int np = 0;
  if (p->sdir[0]) pass[np++] = "--suites-dir", pass[np++] = p->sdir;
  if (j->filter) pass[np++] = "--filter", pass[np++] = j->filter;
  if (j->device) pass[np++] = "--device", pass[np++] = j->device;
  if (j->quiet) pass[np++] = "--quiet";
  sb_str(&sargs, "");
  for (int i = 0; i < np; i++) {
    sb_str(&sargs, i ? " '" : "'");
    sb_str(&sargs, pass[i]);
    sb_str(&sargs, "'");
  }
  const ph v[] = {
      {"JOB_NAME", job_name},
      {"NODES", s_nodes},
      {"NTASKS_PER_NODE", s_ntasks},
      {"GPUS_PER_NODE", p->gpu ? s_gpus : ""},
      {"CPUS_PER_TASK", s_cpt},
      {"TIME", o->time ? o->time : ""},
      {"PARTITION", o->partition ? o->partition : ""},
      {"ACCOUNT", o->account ? o->account : ""},
      {"SIGNAL_BEFORE", s_before},
      {"REQUEUE", o->requeue ? "requeue" : "no-requeue"},
      {"OUTDIR", p->outdir},
      {"SBATCH_EXTRA", extra.s ? extra.s : ""},
      {"MODULES", o->modules ? o->modules : ""},
      {"LAUNCHER", p->launcher},
      {"LAUNCHER_ARGS", o->launcher_args ? o->launcher_args : ""},
      {"MDBENCH_SUITE", p->exe},
      {"SUITE", p->suite},
      {"SUITE_ARGS", sargs.s ? sargs.s : ""},
  };
  sbuf out = {0};
  mdb_status st = (extra.oom || sargs.oom) ? mdb_err_nomem(&err, "the job script", 0)
                                           : fill(text, v, (int)(sizeof v / sizeof v[0]), p->tpath, &out, &err);
  free(text);
  free(extra.s);
  free(sargs.s);
  snprintf(p->script, sizeof p->script, "%s/job.sbatch", p->outdir);
  if (!st) st = mdb_atomic_write(p->script, out.s, out.n, &err);
  free(out.s);
  if (st) {
    fprintf(stderr, PFX "%s\n", err.msg);
    return mdb_exit_code(st);
  }
  chmod(p->script, 0755);
  return -1;
}

/* One line: the script, what it asks for, the suite. */
static void print_plan(const mdb_submit_opts *o, const mdb_submit_job *j, const job_plan *p) {
  char what[512], timebuf[64] = "the partition's default";
  long limit = mdb_submit_time_seconds(o->time);
  if (limit > 0 && limit >= 86400)
    snprintf(timebuf, sizeof timebuf, "%ld-%02ld:%02ld:%02ld", limit / 86400, limit / 3600 % 24, limit / 60 % 60,
             limit % 60);
  else if (limit > 0)
    snprintf(timebuf, sizeof timebuf, "%02ld:%02ld:%02ld", limit / 3600, limit / 60 % 60, limit % 60);
  if (p->gpu)
    snprintf(what, sizeof what, "%d node%s x %d GPU%s (one rank each)", p->nodes, p->nodes > 1 ? "s" : "", p->gpus,
             p->gpus > 1 ? "s" : "");
  else
    snprintf(what, sizeof what, "%d node%s x %d task%s", p->nodes, p->nodes > 1 ? "s" : "", p->ntasks,
             p->ntasks > 1 ? "s" : "");
  printf("mdbench-suite: job script %s: template %s, %s, launcher %s, time %s, SIGUSR1 %d s before the limit, "
         "%s; suite %s, %d case%s (%d to run)\n",
         p->script, p->custom ? p->tpath : p->tname, what, p->launcher, timebuf, p->before,
         o->requeue ? "requeues itself after a clean stop" : "no requeue", j->suite_name, j->n_cases,
         j->n_cases == 1 ? "" : "s", j->n_todo);
}

/* sbatch --parsable the script; the job id into OUTDIR/slurm_job_id. */
static int submit_script(const job_plan *p) {
  mdb_err err = {0};
  char sbatch[PATH_MAX + 16], reply[256];
  if (!find_in_path("sbatch", sbatch, sizeof sbatch)) {
    fprintf(stderr,
            PFX "sbatch not found on PATH (is Slurm installed here?): the job script is written; submit it "
                "where Slurm is with: sbatch %s\n",
            p->script);
    return 3;
  }
  int rc = run_sbatch(sbatch, p->script, reply, sizeof reply);
  char jobid[64];
  size_t idlen = strspn(reply, "0123456789");
  snprintf(jobid, sizeof jobid, "%.*s", (int)(idlen < sizeof jobid ? idlen : sizeof jobid - 1), reply);
  if (rc != 0 || !jobid[0]) {
    reply[strcspn(reply, "\n")] = '\0';
    fprintf(stderr, PFX "sbatch %s (its message is above%s%s); the job script is %s\n",
            rc == 127 ? "could not be run"
            : rc      ? "failed"
                      : "gave no job id",
            reply[0] ? "; it said: " : "", reply, p->script);
    return 3;
  }
  char idpath[PATH_MAX + 32], idline[80];
  snprintf(idpath, sizeof idpath, "%s/slurm_job_id", p->outdir);
  snprintf(idline, sizeof idline, "%s\n", jobid);
  if (mdb_atomic_write(idpath, idline, strlen(idline), &err)) fprintf(stderr, "mdbench-suite: warning: %s\n", err.msg);
  printf("submitted: Slurm job %s (id in %s/slurm_job_id); its output: %s/slurm-%s.out\n", jobid, p->outdir, p->outdir,
         jobid);
  return 0;
}

int mdb_submit(const mdb_submit_opts *o, const mdb_submit_job *j) {
  job_plan p = {0};
  int code = plan_paths(o, j, &p);
  if (code < 0) code = write_script(o, j, &p);
  if (code >= 0) return code;
  print_plan(o, j, &p);
  if (o->dry_run) {
    printf("dry run: not submitted; submit with: sbatch %s\n", p.script);
    return 0;
  }
  return submit_script(&p);
}
