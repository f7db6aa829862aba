/*
 * xyz.c — reads the first frame of an extended-XYZ file and writes one frame.
 *
 * The comment line is split the way ase.io.extxyz splits it (whitespace
 * separates pairs; "..." '...' {...} [...] group; a backslash escapes), so
 * any file ASE writes is understood. Writing goes through a temporary file
 * and rename(), so nobody ever sees half a file.
 */
#include "build/xyz.h"
#include "core/atomic.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "core/elements.h"
#include "core/text.h"

/* ase.units.fs: ASE time units per fs (ASE's CODATA 2014 constants). ASE
 * momenta are amu·Å per ASE time unit, so v [Å/fs] = p / m * ASE_FS, the same
 * number as ASE's atoms.get_velocities() * ase.units.fs. */
#define ASE_FS 0.09822694788464063

/* Per-atom properties mdbench reads; every other column is skipped. */
enum { COL_SPECIES, COL_POS, COL_VELO, COL_MOMENTA, NCOL };
static const struct {
  const char *name;
  char type;
  int ncols;
} known[NCOL] = {{"species", 'S', 1}, {"pos", 'R', 3}, {"velo", 'R', 3}, {"momenta", 'R', 3}};

#define MAX_COLUMNS 100000    /* per atom line; keeps the column arithmetic in range */
#define MDB_XYZ_MAX_CELLS 1e6 /* positions beyond this many cells from the cell are refused (neigh.c: the same) */

typedef struct reader {
  const char *path;
  FILE *f;
  mdb_err *err;
  char *line; /* current line, without its line ending */
  size_t cap;
  long lineno;
  char *kv;      /* decoded keys and values of the comment line */
  char **tok;    /* [ncols] columns of the current atom line */
  int col[NCOL]; /* first column of each known property, -1 when absent */
  int ncols;     /* columns per atom line */
} reader;

/* Sets an MDB_EINPUT error "PATH:LINE: message". */
static mdb_status fail(reader *r, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static mdb_status fail(reader *r, long line, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return mdb_err_set(r->err, MDB_EINPUT, "%s:%ld: %s", r->path, line, msg);
}

/* Reads the next line into r->line without "\n" or "\r\n"; 0 at the end of
 * the file or on a read error (see ended). */
static int next_line(reader *r) {
  ssize_t len = getline(&r->line, &r->cap, r->f);
  if (len < 0) return 0;
  r->lineno++;
  if (len > 0 && r->line[len - 1] == '\n') r->line[--len] = 0;
  if (len > 0 && r->line[len - 1] == '\r') r->line[--len] = 0;
  return 1;
}

/* The error for a line next_line could not read. */
static mdb_status ended(reader *r, const char *what) {
  if (ferror(r->f)) return mdb_err_set(r->err, MDB_EIO, "error reading %s: %s", r->path, strerror(errno));
  return fail(r, r->lineno + 1, "the file ends %s", what);
}

/* Parses a whole token as a finite double. */
static int parse_real(const char *s, double *out) {
  char *end;
  *out = strtod(s, &end);
  return end != s && *end == 0 && isfinite(*out);
}

/* Parses numbers separated by whitespace or commas; returns how many, or -1
 * when one is not a number or there are more than max. */
static int parse_numbers(const char *s, double *out, int max) {
  static const char sep[] = " \t,";
  int k = 0;
  for (s += strspn(s, sep); *s; s += strspn(s, sep)) {
    char *end;
    if (k == max) return -1;
    out[k] = strtod(s, &end);
    if (end == s || !isfinite(out[k]) || (*end && !strchr(sep, *end))) return -1;
    k++;
    s = end;
  }
  return k;
}

static void skip_space(const char **s) {
  while (isspace((unsigned char)**s)) (*s)++;
}

/* Copies one word of the comment line from *src to *dst as ASE reads it:
 * quotes and brackets group (and are dropped), a backslash escapes the next
 * character, and the word ends at unquoted whitespace (or '=' for a key).
 * Returns 0 when a quote or bracket is left open. */
static int word(const char **src, char **dst, int is_key) {
  static const char open[] = "\"'{[", shut[] = "\"'}]";
  const char *s = *src, *o;
  char *d = *dst, close = 0;
  for (; *s; s++) {
    if (*s == '\\') {
      if (s[1]) *d++ = *++s;
    } else if (close) {
      if (*s == close)
        close = 0;
      else
        *d++ = *s;
    } else if ((o = strchr(open, *s))) {
      close = shut[o - open];
    } else if (isspace((unsigned char)*s) || (is_key && *s == '=')) {
      break;
    } else {
      *d++ = *s;
    }
  }
  *d++ = 0;
  *src = s;
  *dst = d;
  return !close;
}

/* Points the Lattice, Properties and pbc values (left alone when absent) into
 * the decoded comment line; a bare key is the flag "T", as in ASE. */
static mdb_status split_comment(reader *r, const char **lattice, const char **props, const char **pbc) {
  const char *s = r->line;
  /* every terminating NUL takes the place of a consumed separator, bar the last */
  char *d = r->kv = malloc(strlen(s) + 2);
  if (!d) return mdb_err_nomem(r->err, "the comment line", (double)strlen(s));
  for (skip_space(&s); *s; skip_space(&s)) {
    const char *key = d, *value = "T", *t;
    if (!word(&s, &d, 1)) return fail(r, 2, "unterminated quote or bracket in the comment line");
    t = s;
    skip_space(&t);
    if (*t == '=') {
      s = t + 1;
      skip_space(&s);
      value = d;
      if (!word(&s, &d, 0)) return fail(r, 2, "unterminated quote or bracket in the value of %s=", mdb_text_q(key, 40));
    }
    if (strcasecmp(key, "lattice") == 0)
      *lattice = value;
    else if (strcasecmp(key, "properties") == 0)
      *props = value;
    else if (strcasecmp(key, "pbc") == 0)
      *pbc = value;
  }
  return MDB_OK;
}

/* Lays out the atom-line columns from Properties=name:type:ncols:... */
static mdb_status parse_properties(reader *r, const char *props) {
  for (int k = 0; k < NCOL; k++) r->col[k] = -1;
  r->ncols = 0;
  for (const char *p = props; *p;) {
    const char *f[3]; /* name, type, ncols */
    size_t len[3];
    for (int k = 0; k < 3; k++) {
      f[k] = p;
      len[k] = strcspn(p, ":");
      p += len[k];
      if (*p == ':') p++; /* a triple cut short leaves empty fields, rejected below */
    }
    char *end;
    long n = strtol(f[2], &end, 10);
    if (len[0] == 0 || len[1] != 1 || !strchr("SRIL", *f[1]) || end != f[2] + len[2] || n < 1 ||
        n > MAX_COLUMNS - r->ncols)
      return fail(r, 2,
                  "malformed Properties=%s: expected name:type:ncols triples with type S, R, "
                  "I or L",
                  mdb_text_q(props, 200));
    for (int k = 0; k < NCOL; k++) {
      if (strlen(known[k].name) != len[0] || strncmp(f[0], known[k].name, len[0]) != 0) continue;
      if (*f[1] != known[k].type || n != known[k].ncols)
        return fail(r, 2, "Properties declares %s:%c:%ld; mdbench reads %s:%c:%d", known[k].name, *f[1], n,
                    known[k].name, known[k].type, known[k].ncols);
      r->col[k] = r->ncols;
    }
    r->ncols += (int)n;
  }
  if (r->col[COL_SPECIES] < 0 || r->col[COL_POS] < 0)
    return fail(r, 2, "Properties=%s lacks species:S:1 or pos:R:3", mdb_text_q(props, 200));
  return MDB_OK;
}

/* Accepts pbc="T T T" (or a single T); anything not periodic is an error. */
static mdb_status check_pbc(reader *r, const char *pbc) {
  static const char sep[] = " \t,";
  int n = 0, valid = 1, periodic = 1;
  for (const char *s = pbc + strspn(pbc, sep); *s; s += strspn(s, sep)) {
    size_t len = strcspn(s, sep);
    int t = (len == 1 && *s == 'T') || (len == 4 && strncmp(s, "True", 4) == 0);
    int f = (len == 1 && *s == 'F') || (len == 5 && strncmp(s, "False", 5) == 0);
    valid &= t || f;
    periodic &= t;
    n++;
    s += len;
  }
  if (!valid || (n != 1 && n != 3))
    return fail(r, 2, "pbc=\"%s\" is not T or F for each of the three directions", mdb_text_q(pbc, 40));
  if (!periodic)
    return fail(r, 2, "pbc=\"%s\": mdbench needs a cell periodic in all three directions", mdb_text_q(pbc, 40));
  return MDB_OK;
}

/* Parses the three numbers starting at column col of the current atom line. */
static mdb_status read_vec(reader *r, int col, double out[3]) {
  for (int k = 0; k < 3; k++)
    if (!parse_real(r->tok[col + k], &out[k]))
      return fail(r, r->lineno, "column %d ('%s') is not a number", col + k + 1, mdb_text_q(r->tok[col + k], 40));
  return MDB_OK;
}

static mdb_status read_atom(reader *r, mdb_system *sys, int i) {
  static const char sep[] = " \t\r\f\v";
  int nt = 0;
  char *save;
  for (char *t = strtok_r(r->line, sep, &save); t && nt < r->ncols; t = strtok_r(NULL, sep, &save)) r->tok[nt++] = t;
  if (nt < r->ncols) return fail(r, r->lineno, "expected %d columns per atom line, found %d", r->ncols, nt);

  const char *symbol = r->tok[r->col[COL_SPECIES]];
  double mass;
  if (!mdb_element_mass(symbol, &mass))
    return fail(r, r->lineno, "unknown element symbol '%s' (symbols are case-sensitive: Cu)", mdb_text_q(symbol, 20));
  int t = mdb_system_add_species(sys, symbol, mass);
  if (t < 0) return fail(r, r->lineno, "more than %d species ('%s' is one too many)", MDB_MAX_TYPES, symbol);
  sys->type[i] = t;

  double *v = &sys->v[3 * i];
  mdb_status st = read_vec(r, r->col[COL_POS], &sys->x[3 * i]);
  if (st) return st;
  if (r->col[COL_VELO] >= 0) return read_vec(r, r->col[COL_VELO], v);
  if (r->col[COL_MOMENTA] < 0) return MDB_OK;
  if ((st = read_vec(r, r->col[COL_MOMENTA], v))) return st;
  for (int k = 0; k < 3; k++) v[k] = v[k] / mass * ASE_FS;
  return MDB_OK;
}

static mdb_status read_frame(reader *r, mdb_system *sys) {
  if (!next_line(r)) return ended(r, "before the atom count");
  char *end;
  errno = 0;
  long n = strtol(r->line, &end, 10);
  while (isspace((unsigned char)*end)) end++;
  if (*end || errno || n < 1 || n > INT_MAX / 3)
    return fail(r, 1, "the atom count '%s' is not a positive integer", mdb_text_q(r->line, 40));

  if (!next_line(r)) return ended(r, "before the comment line");
  const char *lattice = NULL, *props = NULL, *pbc = NULL;
  mdb_status st = split_comment(r, &lattice, &props, &pbc);
  if (st) return st;
  if (!lattice) return fail(r, 2, "no Lattice= in the comment line; mdbench needs a periodic cell");
  double h9[9], h[3][3];
  if (parse_numbers(lattice, h9, 9) != 9)
    return fail(r, 2, "Lattice=\"%s\" is not 9 numbers (ax ay az bx by bz cx cy cz)", mdb_text_q(lattice, 200));
  memcpy(h, h9, sizeof h);
  mdb_box box;
  mdb_err box_err;
  if (mdb_box_set(&box, h, &box_err)) return fail(r, 2, "%s", box_err.msg);
  if (pbc && (st = check_pbc(r, pbc))) return st;
  if ((st = parse_properties(r, props ? props : "species:S:1:pos:R:3"))) return st;

  /* an atom line takes at least 8 bytes ("H 0 0 0" and its line end): a
     large count the rest of the file cannot hold is refused before the
     system is allocated for it (a 100-byte file saying 88848832 atoms asked
     for GB); a small one reads on to say which atom line is missing */
  struct stat st_f;
  const long here = ftell(r->f);
  if (here >= 0 && fstat(fileno(r->f), &st_f) == 0 && S_ISREG(st_f.st_mode) && n > 1024 &&
      (double)n * 8 - 1 > (double)st_f.st_size - (double)here)
    return fail(r, 1, "the atom count %ld needs at least %.0f more bytes of atom lines; the file has %.0f", n,
                (double)n * 8 - 1, (double)st_f.st_size - (double)here);
  r->tok = malloc((size_t)r->ncols * sizeof *r->tok);
  if (!r->tok) return mdb_err_nomem(r->err, "the columns of an atom line", r->ncols * 8.0);
  if ((st = mdb_system_alloc(sys, (int)n, r->err))) return st;
  sys->box = box;
  snprintf(sys->name, sizeof sys->name, "%s", r->path);
  for (int i = 0; i < n; i++) {
    if (!next_line(r)) {
      char what[64];
      snprintf(what, sizeof what, "after %d of %ld atom lines", i, n);
      return ended(r, what);
    }
    if ((st = read_atom(r, sys, i))) return st;
    /* an atom absurdly far from the cell is a broken file, not a run to try */
    double s[3];
    mdb_box_to_frac(&box, &sys->x[3 * i], s);
    if (!(fabs(s[0]) < MDB_XYZ_MAX_CELLS && fabs(s[1]) < MDB_XYZ_MAX_CELLS && fabs(s[2]) < MDB_XYZ_MAX_CELLS))
      return fail(r, r->lineno, "the position (%g, %g, %g Å) lies more than %g cells away from the cell", sys->x[3 * i],
                  sys->x[3 * i + 1], sys->x[3 * i + 2], MDB_XYZ_MAX_CELLS);
  }
  return MDB_OK;
}

mdb_status mdb_xyz_read(const char *path, mdb_system *sys, mdb_err *err) {
  memset(sys, 0, sizeof *sys);
  const char *why = "";
  reader r = {.path = path, .err = err, .f = mdb_input_open(path, &why)};
  /* a file the user named that is not there (or is a directory or a device)
   * is bad input, not an I/O fault */
  if (!r.f) return mdb_err_set(err, MDB_EINPUT, "cannot open %s: %s", mdb_text_q(path, 256), why);
  mdb_status st = read_frame(&r, sys);
  fclose(r.f);
  free(r.line);
  free(r.kv);
  free(r.tok);
  if (st) mdb_system_free(sys);
  return st;
}

/* An output file that remembers the errno of its first failed write. */
typedef struct sink {
  FILE *f;
  int err;
} sink;

static void put(sink *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sink *o, const char *fmt, ...) {
  if (o->err) return;
  va_list ap;
  va_start(ap, fmt);
  if (vfprintf(o->f, fmt, ap) < 0) o->err = errno ? errno : EIO;
  va_end(ap);
}

/* Writes key="9 numbers" (key carries the separator before it). Lattice is
 * a, b, c one after the other; ASE writes stress and virial column by column
 * (Fortran order), which for them is the transpose. */
static void put_matrix(sink *o, const char *key, const double m[3][3], int fortran) {
  put(o, "%s=\"", key);
  for (int k = 0; k < 9; k++) put(o, "%s%.17g", k ? " " : "", fortran ? m[k % 3][k / 3] : m[k / 3][k % 3]);
  put(o, "\"");
}

/* Writes and syncs the frame; returns 0 or the errno of the first failure. */
static int write_frame(FILE *f, const mdb_system *sys, const mdb_xyz_extra *x, const int *atom_at) {
  sink o = {f, 0};
  const double *forces = x->has_forces ? x->forces : NULL;
  put(&o, "%d\n", sys->n);
  put_matrix(&o, "Lattice", sys->box.h, 0);
  put(&o, " Properties=species:S:1:pos:R:3%s%s", x->write_velocities ? ":velo:R:3" : "", forces ? ":forces:R:3" : "");
  if (x->has_energy) put(&o, " energy=%.17g", x->energy);
  if (x->has_stress) put_matrix(&o, " stress", x->stress, 1);
  if (x->has_virial) put_matrix(&o, " virial", x->virial, 1);
  put(&o, " pbc=\"T T T\"\n");
  for (int row = 0; row < sys->n; row++) {
    int i = atom_at[row];
    const double *p = &sys->x[3 * i], *v = &sys->v[3 * i];
    put(&o, "%s %.17g %.17g %.17g", sys->species[sys->type[i]], p[0], p[1], p[2]);
    if (x->write_velocities) put(&o, " %.17g %.17g %.17g", v[0], v[1], v[2]);
    if (forces) put(&o, " %.17g %.17g %.17g", forces[3 * i], forces[3 * i + 1], forces[3 * i + 2]);
    put(&o, "\n");
  }
  return o.err;
}

mdb_status mdb_xyz_write(const char *path, const mdb_system *sys, const mdb_xyz_extra *extra, mdb_err *err) {
  static const mdb_xyz_extra none;
  int n = sys->n;
  int *atom_at = malloc((size_t)n * sizeof *atom_at); /* row -> atom: the inverse of sys->id */
  if (!atom_at) return mdb_err_nomem(err, "the atom order for writing", n * 4.0);
  for (int row = 0; row < n; row++) atom_at[row] = -1;
  for (int i = 0; i < n; i++) {
    int row = sys->id[i];
    if (row < 0 || row >= n || atom_at[row] >= 0) {
      free(atom_at);
      return mdb_err_set(err, MDB_ERUN,
                         "cannot write %s: the atom ids are not a permutation of 0..%d (atom %d "
                         "has id %d)",
                         path, n - 1, i, row);
    }
    atom_at[row] = i;
  }

  mdb_atomic_file af;
  mdb_status st = mdb_atomic_open(&af, path, err);
  if (st) {
    free(atom_at);
    return st;
  }
  int e = write_frame(af.fp, sys, extra ? extra : &none, atom_at);
  free(atom_at);
  if (e) {
    mdb_atomic_abort(&af);
    return mdb_err_set(err, MDB_EIO, "cannot write %s: %s", path, strerror(e));
  }
  return mdb_atomic_commit(&af, err);
}
