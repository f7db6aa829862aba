/*
 * eam_file.c — the EAM calculator's LAMMPS/DYNAMO potential files: funcfl
 * (*.eam) and setfl (*.eam.alloy) read into the tables of calc/eam_impl.h,
 * resampled and splined as LAMMPS's PairEAM does (formats and sources:
 * eam.c's header).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/eam_impl.h"
#include "core/elements.h"
#include "core/text.h"

/* Cubic coefficients of f[1..n] on spacing delta into knots[0..n-1]: LAMMPS
 * PairEAM::interpolate (slopes by the 4th-order finite difference, one-sided
 * and centred 2nd-order at the two ends; the last knot is constant). */
static void eam_spline(int n, double delta, const double *f, mdb_eam_knot *knots) {
  for (int m = 1; m <= n; m++) knots[m - 1].c[3] = f[m];
  /* slope per grid step, kept in c[2] */
  knots[0].c[2] = f[2] - f[1];
  knots[1].c[2] = 0.5 * (f[3] - f[1]);
  knots[n - 2].c[2] = 0.5 * (f[n] - f[n - 2]);
  knots[n - 1].c[2] = f[n] - f[n - 1];
  for (int m = 3; m <= n - 2; m++) knots[m - 1].c[2] = ((f[m - 2] - f[m + 2]) + 8.0 * (f[m + 1] - f[m - 1])) / 12.0;
  for (int m = 1; m <= n; m++) {
    mdb_eam_knot *k = knots + (m - 1);
    double c2 = 0, c3 = 0;
    if (m < n) {
      const double s0 = k->c[2], s1 = k[1].c[2];
      c2 = 3.0 * (f[m + 1] - f[m]) - 2.0 * s0 - s1;
      c3 = s0 + s1 - 2.0 * (f[m + 1] - f[m]);
    }
    k->c[0] = c3;
    k->c[1] = c2;
    k->d[0] = 3.0 * c3 / delta;
    k->d[1] = 2.0 * c2 / delta;
    k->d[2] = k->c[2] / delta;
    k->pad = 0;
  }
}

/* ------------------------------------------------------------ reading */

typedef struct eam_reader {
  FILE *f;
  const char *path;
  int line;
  char *buf;
  size_t cap;
  mdb_err *err;
} eam_reader;

/* Next line into r->buf; at the end of the file an error naming what was
 * expected. */
static mdb_status rd_line(eam_reader *r, const char *what) {
  if (getline(&r->buf, &r->cap, r->f) < 0)
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s ends after line %d, where %s was expected (truncated file?)",
                       r->path, r->line, what);
  r->line++;
  return MDB_OK;
}

static const char *const rd_sep = " \t\r\n\v\f";

static int parse_double(const char *tok, double *v) {
  char *end;
  errno = 0;
  *v = strtod(tok, &end);
  return end != tok && !*end && isfinite(*v);
}

static int parse_int(const char *tok, long *v) {
  char *end;
  errno = 0;
  *v = strtol(tok, &end, 10);
  return end != tok && !*end && errno == 0;
}

/* n numbers starting on a new line and running over as many lines as they
 * need (blank lines skipped); more values on the last line than the section
 * needs is an error. out is 1-based: out[1..n]. */
static mdb_status rd_values(eam_reader *r, int n, double *out, const char *what) {
  int i = 0;
  while (i < n) {
    if (getline(&r->buf, &r->cap, r->f) < 0)
      return mdb_err_set(r->err, MDB_EINPUT,
                         "eam: %s ends after line %d while reading %s (%d of %d values; truncated file?)", r->path,
                         r->line, what, i, n);
    r->line++;
    char *save = NULL;
    for (char *tok = strtok_r(r->buf, rd_sep, &save); tok; tok = strtok_r(NULL, rd_sep, &save)) {
      if (i == n)
        return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: more values than %s needs (%d)", r->path, r->line,
                           what, n);
      if (!parse_double(tok, &out[1 + i]))
        return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: '%s' is not a finite number (reading %s)", r->path,
                           r->line, mdb_text_q(tok, 40), what);
      i++;
    }
  }
  return MDB_OK;
}

/* Splits r->buf into at most max tokens; returns the count. */
static int rd_tokens(eam_reader *r, char **tok, int max) {
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(r->buf, rd_sep, &save); t; t = strtok_r(NULL, rd_sep, &save)) {
    if (n < max) tok[n] = t;
    n++;
  }
  return n;
}

typedef struct eam_grid {
  long nrho, nr;
  double drho, dr, cut;
} eam_grid;

/* "nrho drho nr dr cutoff" */
static mdb_status rd_grid(eam_reader *r, eam_grid *g) {
  mdb_status st = rd_line(r, "the grid line 'nrho drho nr dr cutoff'");
  if (st) return st;
  char *tok[6];
  int nt = rd_tokens(r, tok, 6);
  if (nt < 5 || !parse_int(tok[0], &g->nrho) || !parse_double(tok[1], &g->drho) || !parse_int(tok[2], &g->nr) ||
      !parse_double(tok[3], &g->dr) || !parse_double(tok[4], &g->cut))
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: expected 'nrho drho nr dr cutoff' (2 integers, 3 numbers)",
                       r->path, r->line);
  if (g->nrho < 5 || g->nr < 5 || g->nrho > EAM_MAX_GRID || g->nr > EAM_MAX_GRID)
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: nrho = %ld and nr = %ld must be in 5..%d", r->path,
                       r->line, g->nrho, g->nr, EAM_MAX_GRID);
  if (!(g->drho > 0) || !(g->dr > 0) || !(g->cut > 0))
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: drho = %g, dr = %g and cutoff = %g must be > 0", r->path,
                       r->line, g->drho, g->dr, g->cut);
  return MDB_OK;
}

/* "Z mass [a lattice]": returns Z */
static mdb_status rd_element_line(eam_reader *r, const char *what, long *z) {
  mdb_status st = rd_line(r, what);
  if (st) return st;
  char *tok[4];
  double mass;
  int nt = rd_tokens(r, tok, 4);
  if (nt < 2 || !parse_int(tok[0], z) || !parse_double(tok[1], &mass))
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: expected %s", r->path, r->line, what);
  return MDB_OK;
}

static mdb_status eam_alloc_tables(eam_ctx *c, mdb_err *err) {
  size_t npair = (size_t)c->nel * (size_t)(c->nel + 1) / 2;
  c->frho = calloc((size_t)c->nel * (size_t)c->nrho, sizeof *c->frho);
  c->rhor = calloc((size_t)c->nel * (size_t)c->nr, sizeof *c->rhor);
  c->z2r = calloc(npair * (size_t)c->nr, sizeof *c->z2r);
  if (!c->frho || !c->rhor || !c->z2r)
    return mdb_err_nomem(err, "eam tables",
                         (double)sizeof(mdb_eam_knot) * ((double)c->nel * c->nrho + (double)(c->nel + npair) * c->nr));
  return MDB_OK;
}

/* 4-point Lagrange resampling of a 1-based file array (n points, spacing
 * dfile) at x: PairEAM::file2array. */
static double eam_resample(const double *v, int n, double dfile, double x) {
  const double sixth = 1.0 / 6.0;
  double p = x / dfile + 1.0;
  int k = (int)p;
  if (k > n - 2) k = n - 2;
  if (k < 2) k = 2;
  p -= k;
  if (p > 2.0) p = 2.0;
  double c1 = -sixth * p * (p - 1.0) * (p - 2.0);
  double c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
  double c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
  double c4 = sixth * p * (p * p - 1.0);
  return c1 * v[k - 1] + c2 * v[k] + c3 * v[k + 1] + c4 * v[k + 2];
}

static mdb_status eam_read_funcfl(eam_ctx *c, eam_reader *r) {
  long z;
  eam_grid g;
  mdb_status st = rd_line(r, "a comment line");
  if (!st) st = rd_element_line(r, "'Z mass lattice-constant lattice' on line 2", &z);
  if (st) return st;
  const char *sym = z >= 1 && z <= 96 ? mdb_element_symbol((int)z) : NULL;
  if (!sym)
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: atomic number %ld is not an element (1..96)", r->path,
                       r->line, z);
  if ((st = rd_grid(r, &g))) return st;
  double *F = malloc((size_t)(g.nrho + 1) * sizeof *F);
  double *Z = malloc((size_t)(g.nr + 1) * sizeof *Z);
  double *R = malloc((size_t)(g.nr + 1) * sizeof *R);
  double *a = malloc((size_t)((g.nrho > g.nr ? g.nrho : g.nr) + 1) * sizeof *a);
  if (!F || !Z || !R || !a) {
    st = mdb_err_nomem(r->err, "eam file arrays", 8.0 * (double)(2 * g.nrho + 5 * g.nr));
    goto cleanup;
  }
  if ((st = rd_values(r, (int)g.nrho, F, "the embedding function F(rho)"))) goto cleanup;
  if ((st = rd_values(r, (int)g.nr, Z, "the effective charge Z(r)"))) goto cleanup;
  if ((st = rd_values(r, (int)g.nr, R, "the density function rho(r)"))) goto cleanup;

  /* PairEAM::file2array for one funcfl file: same spacings, grids of
   * round((n−1)Δ/Δ) points, values resampled, r·φ = 27.2·0.529·Z·Z */
  c->nel = 1;
  snprintf(c->el[0], sizeof c->el[0], "%s", sym);
  c->dr = g.dr;
  c->drho = g.drho;
  double rmax = (double)(g.nr - 1) * g.dr;
  c->rhomax = (double)(g.nrho - 1) * g.drho;
  c->nr = (int)(rmax / c->dr + 0.5);
  c->nrho = (int)(c->rhomax / c->drho + 0.5);
  c->cut = g.cut;
  if (c->nr < 4 || c->nrho < 4) {
    st = mdb_err_set(r->err, MDB_EINPUT, "eam: %s: grids too short (nr = %ld, nrho = %ld)", r->path, g.nr, g.nrho);
    goto cleanup;
  }
  if ((st = eam_alloc_tables(c, r->err))) goto cleanup;
  for (int m = 1; m <= c->nrho; m++) a[m] = eam_resample(F, (int)g.nrho, g.drho, (m - 1) * c->drho);
  eam_spline(c->nrho, c->drho, a, c->frho);
  for (int m = 1; m <= c->nr; m++) a[m] = eam_resample(R, (int)g.nr, g.dr, (m - 1) * c->dr);
  eam_spline(c->nr, c->dr, a, c->rhor);
  for (int m = 1; m <= c->nr; m++) {
    double zr = eam_resample(Z, (int)g.nr, g.dr, (m - 1) * c->dr);
    a[m] = 27.2 * 0.529 * zr * zr;
  }
  eam_spline(c->nr, c->dr, a, c->z2r);
cleanup:
  free(F);
  free(Z);
  free(R);
  free(a);
  return st;
}

static mdb_status eam_read_setfl(eam_ctx *c, eam_reader *r) {
  mdb_status st = MDB_OK;
  for (int k = 0; k < 3 && !st; k++) st = rd_line(r, "three comment lines");
  if (!st) st = rd_line(r, "the element line 'N el1 .. elN' on line 4");
  if (st) return st;
  char *tok[EAM_MAX_ELEMENTS + 2];
  int nt = rd_tokens(r, tok, EAM_MAX_ELEMENTS + 2);
  long nel = 0;
  if (nt < 2 || !parse_int(tok[0], &nel) || nel < 1 || nel != nt - 1)
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: expected 'N el1 .. elN' (a count, then N element names)",
                       r->path, r->line);
  if (nel > EAM_MAX_ELEMENTS)
    return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: %ld elements, at most %d are supported", r->path, r->line,
                       nel, EAM_MAX_ELEMENTS);
  c->nel = (int)nel;
  for (int e = 0; e < c->nel; e++) {
    if (strlen(tok[e + 1]) >= sizeof c->el[e])
      return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: element name '%s' is too long", r->path, r->line,
                         mdb_text_q(tok[e + 1], 20));
    snprintf(c->el[e], sizeof c->el[e], "%s", tok[e + 1]);
  }
  eam_grid g;
  if ((st = rd_grid(r, &g))) return st;
  c->nrho = (int)g.nrho;
  c->nr = (int)g.nr;
  c->drho = g.drho;
  c->dr = g.dr;
  c->cut = g.cut;
  c->rhomax = (c->nrho - 1) * c->drho;
  if ((st = eam_alloc_tables(c, r->err))) return st;
  double *a = malloc((size_t)((c->nrho > c->nr ? c->nrho : c->nr) + 1) * sizeof *a);
  if (!a) return mdb_err_nomem(r->err, "eam file arrays", 8.0 * (c->nrho + c->nr));
  char what[96];
  for (int e = 0; e < c->nel && !st; e++) {
    long z;
    snprintf(what, sizeof what, "the line 'Z mass lattice-constant lattice' of element %s", c->el[e]);
    if ((st = rd_element_line(r, what, &z))) break;
    snprintf(what, sizeof what, "F(rho) of %s", c->el[e]);
    if ((st = rd_values(r, c->nrho, a, what))) break;
    eam_spline(c->nrho, c->drho, a, c->frho + (size_t)e * c->nrho);
    snprintf(what, sizeof what, "rho(r) of %s", c->el[e]);
    if ((st = rd_values(r, c->nr, a, what))) break;
    eam_spline(c->nr, c->dr, a, c->rhor + (size_t)e * c->nr);
  }
  for (int e = 0; e < c->nel && !st; e++)
    for (int f = 0; f <= e && !st; f++) {
      snprintf(what, sizeof what, "r*phi(r) of %s-%s", c->el[e], c->el[f]);
      if ((st = rd_values(r, c->nr, a, what))) break;
      eam_spline(c->nr, c->dr, a, c->z2r + (size_t)tri(e, f) * c->nr);
    }
  free(a);
  return st;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Opens name as given, else (a bare file name) in $LAMMPS_POTENTIALS and
 * Debian's /usr/share/lammps/potentials; c->path is what was opened. */
static FILE *eam_open(eam_ctx *c, const char *name, const char **why) {
  snprintf(c->path, sizeof c->path, "%s", name);
  FILE *f = mdb_input_open(name, why);
  if (f || strchr(name, '/')) return f;
  const char *dirs[] = {getenv("LAMMPS_POTENTIALS"), "/usr/share/lammps/potentials"};
  for (int k = 0; k < 2 && !f; k++) {
    if (!dirs[k] || !*dirs[k]) continue;
    int len = snprintf(c->path, sizeof c->path, "%s/%s", dirs[k], name);
    const char *ignored;
    if (len > 0 && (size_t)len < sizeof c->path) f = mdb_input_open(c->path, &ignored);
  }
  if (!f) snprintf(c->path, sizeof c->path, "%s", name);
  return f;
}

mdb_status mdb_eam_file_load(eam_ctx *c, const char *name, mdb_err *err) {
  static const char *const other[][2] = {
      {".fs", "a Finnis-Sinclair (eam/fs)"}, {".he", "an eam/he"}, {".cdeam", "a concentration-dependent (eam/cd)"}};
  for (int k = 0; k < 3; k++)
    if (ends_with(name, other[k][0]))
      return mdb_err_set(err, MDB_EINPUT,
                         "eam: %s is %s file, not supported (supported: funcfl *.eam, setfl *.eam.alloy)", name,
                         other[k][1]);
  const char *why = "";
  FILE *f = eam_open(c, name, &why);
  if (!f)
    return mdb_err_set(err, MDB_EINPUT, "eam: cannot open potential file '%s': %s%s", mdb_text_q(name, 256), why,
                       strchr(name, '/') ? ""
                                         : " (looked here, in $LAMMPS_POTENTIALS and /usr/share/lammps/potentials)");
  eam_reader r = {.f = f, .path = c->path, .err = err};
  int funcfl;
  if (ends_with(name, ".eam")) {
    funcfl = 1;
  } else if (ends_with(name, ".alloy") || ends_with(name, ".setfl")) {
    funcfl = 0;
  } else { /* by content: a funcfl file's third line is its grid */
    eam_grid g;
    mdb_err scratch;
    eam_reader probe = {.f = f, .path = c->path, .err = &scratch};
    funcfl = !rd_line(&probe, "") && !rd_line(&probe, "") && !rd_grid(&probe, &g);
    free(probe.buf);
    rewind(f);
  }
  mdb_status st = funcfl ? eam_read_funcfl(c, &r) : eam_read_setfl(c, &r);
  free(r.buf);
  fclose(f);
  return st;
}
