/*
 * eam.c — embedded-atom method, CPU backend (half list, Newton's third law).
 *
 *   E = Σ_i F_a(ρ_i) + Σ_{pairs} φ_ab(r_ij),   ρ_i = Σ_j f_b(r_ij)
 *
 * (formulas, units and the two sources of F, f, φ: calc/eam.h). Daw &
 * Baskes, Phys. Rev. B 29, 6443 (1984); Foiles, Baskes & Daw, Phys. Rev. B
 * 33, 7983 (1986).
 *
 * Spec: eam[:file=PATH]
 *   file  a LAMMPS/DYNAMO potential: funcfl (one element, "*.eam": comment;
 *         "Z mass a lattice"; "nrho drho nr dr cutoff"; F(ρ), Z(r), ρ(r)) or
 *         setfl (any number of elements, "*.eam.alloy": 3 comments;
 *         "N el1 .. elN"; the grid line; per element "Z mass a lattice",
 *         F(ρ), ρ(r); then r·φ(r) for every pair i ≥ j). Other names are
 *         recognised by their third line (five grid numbers: funcfl).
 *         Finnis–Sinclair (*.eam.fs), eam/he and eam/cd files are refused
         (their extra columns and functions would be misread). A bare name
 *         that is not found is also looked for in $LAMMPS_POTENTIALS and
 *         /usr/share/lammps/potentials, as LAMMPS does. Masses in the file
 *         are not used: the system's masses are.
 *   (none) the analytic Cu and Al of Zhou, Johnson & Wadley, Phys. Rev. B
 *         69, 144113 (2004), Table III, evaluated directly (no tables);
 *         Cu–Al alloys mix pair terms by their eq. (6).
 *
 * Tables follow LAMMPS (src/MANYBODY/pair_eam.cpp, pair_eam_alloy.cpp,
 * version 29 Sep 2021) exactly, so both codes give the same numbers to
 * round-off: a funcfl file is resampled the way PairEAM::file2array does
 * (4-point Lagrange onto nr−1, nrho−1 points of the same spacing; r·φ =
 * 27.2·0.529·Z_i(r)·Z_j(r), Hartree·Bohr → eV·Å), every function is splined
 * by PairEAM::interpolate, and lookups clamp like PairEAM::compute. The
 * cutoff is the file's.
 *
 * Built-in cutoff: 2.5 a with a = √2 r_e the fcc lattice constant (Cu
 * 9.0374 Å, Al 10.1255 Å; the largest over the elements present), the rule
 * of the Zhou tables LAMMPS ships (their headers: Cu_zhou.eam.alloy 9.0375
 * Å = 2.5 × 3.615, Al_zhou.eam.alloy 10.1025 Å = 2.5 × 4.041). Every Zhou
 * function is below 3e-13 (eV, or density units) there, so the hard cutoff
 * leaves no visible step in energy or force. Those two files tabulate the
 * older parameters of Zhou et al., Acta Mater. 49, 4005 (2001), as their
 * headers say, not the 2004 Table III used here: they differ by 0.02 eV/atom
 * and up to 1 eV/Å, so they are no reference for the built-in form
 * (tests/peers/eam_vs_lammps.py tabulates the 2004 functions instead).
 *
 * The loops: a density pass over the half list (contributions to ghosts
 * folded onto their owners), F'(ρ) for locals copied to ghosts, then a force
 * pass (every force on the image atom involved, so the wrapper's Σ x⊗f is
 * the virial). The density pass runs in chunks of a neighbour row, in three
 * loops: pack the neighbours within the cutoff (stores unconditional, the
 * count advanced by the comparison: no branch, and the ~40 % of list pairs
 * that sit in the skin cost no sqrt, table lookup or division), evaluate
 * them (no stores to shared atoms), scatter (Newton's third law). It keeps
 * the packed pairs, and the force pass runs over them alone, in the same
 * evaluate-then-scatter chunks. On LAMMPS's bench/in.eam configuration
 * (32,000 Cu, Cu_u3.eam, skin 1 Å) this takes about half the time of
 * LAMMPS's pair_style eam/opt on one core.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "calc/eam.h"
#include "core/elements.h"

#define EAM_MAX_ELEMENTS 32
#define EAM_MAX_GRID 10000000
#define EAM_CHUNK 64

/* ---------------------------------------------------- built-in Zhou */

typedef struct eam_builtin {
  const char *symbol;
  mdb_zhou p;
} eam_builtin;

/* Zhou, Johnson & Wadley, Phys. Rev. B 69, 144113 (2004), Table III:
 * r_e (Å), f_e, ρ_e, ρ_s, α, β, A (eV), B (eV), κ, λ, F_n0..F_n3 (eV),
 * F_0..F_3 (eV), η, F_e (eV). */
/* clang-format off */
static const eam_builtin eam_zhou_table[] = {
    {"Cu",
     {2.556162, 1.554485, 21.175871, 21.175395, 8.127620, 4.334731, 0.396620, 0.548085, 0.308782, 0.756515,
      {-2.170269, -0.263788, 1.088878, -0.817603},
      {-2.19, 0.0, 0.561830, -2.100595},
      0.310490,
      -2.186568}},
    {"Al",
     {2.863924, 1.403115, 20.418205, 23.195740, 6.613165, 3.527021, 0.314873, 0.365551, 0.379846, 0.759692,
      {-2.807602, -0.301435, 1.258562, -1.247604},
      {-2.83, 0.0, 0.622245, -2.488244},
      0.785902,
      -2.824528}},
};
/* clang-format on */
static const int eam_nzhou = (int)(sizeof eam_zhou_table / sizeof eam_zhou_table[0]);

/* cutoff of the built-in form: 2.5 fcc lattice constants */
static double eam_zhou_cutoff(const mdb_zhou *p) { return 2.5 * sqrt(2.0) * p->re; }

/* ------------------------------------------------------------ tables */

/* density-pass knot of a type pair (i of type a, j of type b): value
 * coefficients of f_a (deposited on j) and f_b (deposited on i) */
typedef struct eam_dens {
  double fi[4], fj[4];
} eam_dens;

/* force-pass knot of a type pair: f'_a, f'_b, z = r·φ_ab and z' */
typedef struct eam_force {
  double dfi[3], dfj[3], z[4], dz[3], pad[3];
} eam_force;

/* one-type variants (f_a = f_b) */
typedef struct eam_dens1 {
  double c[4];
} eam_dens1;

typedef struct eam_force1 {
  double df[3], z[4], dz[3];
} eam_force1;

typedef struct eam_ctx {
  int builtin;                  /* no file: analytic Zhou */
  char path[MDB_SPEC_TEXT_MAX]; /* the file as opened */

  /* the potential, per element (LAMMPS's arrays after file2array) */
  int nel;
  char el[EAM_MAX_ELEMENTS][16];
  int nrho, nr;
  double drho, dr, rhomax, cut;
  mdb_eam_knot *frho; /* [nel][nrho] */
  mdb_eam_knot *rhor; /* [nel][nr] */
  mdb_eam_knot *z2r;  /* [nel(nel+1)/2][nr], pair (a ≥ b) at a(a+1)/2 + b */

  /* per system (prepare) */
  int ntypes;
  int map[MDB_MAX_TYPES]; /* type -> element */
  double rc, rc2;
  eam_dens *dens;     /* [ntypes²][nr] */
  eam_force *force;   /* [ntypes²][nr] */
  eam_dens1 *dens1;   /* [nr] */
  eam_force1 *force1; /* [nr] */
  mdb_zhou zhou[MDB_MAX_TYPES];

  /* per-atom scratch, locals + ghosts */
  double *rho, *fp;
  int cap;
  /* the half list cut to the pairs within rc by the density pass, for the
   * force pass: CSR over locals */
  int *pk, *pk_start;
  size_t pk_cap;
  int pk_ncap;
} eam_ctx;

static int tri(int a, int b) { return a >= b ? a * (a + 1) / 2 + b : b * (b + 1) / 2 + a; }

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
        return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: '%.40s' is not a finite number (reading %s)", r->path,
                           r->line, tok, what);
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
      return mdb_err_set(r->err, MDB_EINPUT, "eam: %s line %d: element name '%.20s' is too long", r->path, r->line,
                         tok[e + 1]);
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
static FILE *eam_open(eam_ctx *c, const char *name) {
  snprintf(c->path, sizeof c->path, "%s", name);
  FILE *f = fopen(name, "r");
  if (f || strchr(name, '/')) return f;
  const char *dirs[] = {getenv("LAMMPS_POTENTIALS"), "/usr/share/lammps/potentials"};
  for (int k = 0; k < 2 && !f; k++) {
    if (!dirs[k] || !*dirs[k]) continue;
    int len = snprintf(c->path, sizeof c->path, "%s/%s", dirs[k], name);
    if (len > 0 && (size_t)len < sizeof c->path) f = fopen(c->path, "r");
  }
  if (!f) snprintf(c->path, sizeof c->path, "%s", name);
  return f;
}

static mdb_status eam_load(eam_ctx *c, const char *name, mdb_err *err) {
  static const char *const other[][2] = {
      {".fs", "a Finnis-Sinclair (eam/fs)"}, {".he", "an eam/he"}, {".cdeam", "a concentration-dependent (eam/cd)"}};
  for (int k = 0; k < 3; k++)
    if (ends_with(name, other[k][0]))
      return mdb_err_set(err, MDB_EINPUT,
                         "eam: %s is %s file, not supported (supported: funcfl *.eam, setfl *.eam.alloy)", name,
                         other[k][1]);
  FILE *f = eam_open(c, name);
  if (!f)
    return mdb_err_set(
        err, MDB_EIO, "eam: cannot open potential file '%s'%s", name,
        strchr(name, '/') ? "" : " (looked here, in $LAMMPS_POTENTIALS and /usr/share/lammps/potentials)");
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

/* ------------------------------------------------------------- setup */

static void eam_free_system(eam_ctx *c) {
  free(c->dens);
  free(c->force);
  free(c->dens1);
  free(c->force1);
  c->dens = NULL;
  c->force = NULL;
  c->dens1 = NULL;
  c->force1 = NULL;
  c->ntypes = 0;
}

static void eam_fini(void *ctx) {
  eam_ctx *c = ctx;
  if (!c) return;
  eam_free_system(c);
  free(c->frho);
  free(c->rhor);
  free(c->z2r);
  free(c->rho);
  free(c->fp);
  free(c->pk);
  free(c->pk_start);
  free(c);
}

static mdb_status eam_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  static const char *const keys[] = {"file", NULL};
  mdb_status st = mdb_spec_check_keys(spec, keys, err);
  if (st) return st;
  eam_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "eam parameters", sizeof *c);
  const char *file = NULL;
  for (int k = 0; k < spec->nparams; k++)
    if (strcmp(spec->params[k].key, "file") == 0) file = spec->params[k].value;
  if (file) {
    st = eam_load(c, file, err);
  } else {
    c->builtin = 1;
    c->nel = eam_nzhou;
    for (int e = 0; e < eam_nzhou; e++) {
      snprintf(c->el[e], sizeof c->el[e], "%s", eam_zhou_table[e].symbol);
      double rc = eam_zhou_cutoff(&eam_zhou_table[e].p);
      if (rc > c->cut) c->cut = rc;
    }
  }
  if (st) {
    eam_fini(c);
    return st;
  }
  c->rc = c->cut;
  c->rc2 = c->cut * c->cut;
  *out = c;
  return MDB_OK;
}

static mdb_status eam_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  eam_ctx *c = ctx;
  int map[MDB_MAX_TYPES];
  for (int t = 0; t < sys->ntypes; t++) {
    int e = 0;
    while (e < c->nel && strcmp(c->el[e], sys->species[t]) != 0) e++;
    if (e < c->nel) {
      map[t] = e;
      continue;
    }
    char list[EAM_MAX_ELEMENTS * 18] = "";
    for (int k = 0; k < c->nel; k++) {
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", c->el[k]);
    }
    if (c->builtin)
      return mdb_err_set(err, MDB_EINPUT, "eam (built-in Zhou 2004) has no element %s (covered: %s; others: file=PATH)",
                         sys->species[t], list);
    return mdb_err_set(err, MDB_EINPUT, "eam: element %s is not in %s (it covers: %s)", sys->species[t], c->path, list);
  }
  if (sys->ntypes == c->ntypes && memcmp(map, c->map, (size_t)sys->ntypes * sizeof map[0]) == 0) return MDB_OK;
  eam_free_system(c);
  const int nt = sys->ntypes, nr = c->nr;
  memcpy(c->map, map, (size_t)nt * sizeof map[0]);
  if (c->builtin) {
    c->rc = 0;
    for (int t = 0; t < nt; t++) {
      c->zhou[t] = eam_zhou_table[map[t]].p;
      double rc = eam_zhou_cutoff(&c->zhou[t]);
      if (rc > c->rc) c->rc = rc;
    }
    c->rc2 = c->rc * c->rc;
    c->ntypes = nt;
    return MDB_OK;
  }
  if (nt == 1) {
    c->dens1 = malloc((size_t)nr * sizeof *c->dens1);
    c->force1 = malloc((size_t)nr * sizeof *c->force1);
    if (!c->dens1 || !c->force1) {
      eam_free_system(c);
      return mdb_err_nomem(err, "eam pair tables", (double)nr * (sizeof *c->dens1 + sizeof *c->force1));
    }
    const mdb_eam_knot *f = c->rhor + (size_t)map[0] * nr, *z = c->z2r + (size_t)tri(map[0], map[0]) * nr;
    for (int k = 0; k < nr; k++) {
      memcpy(c->dens1[k].c, f[k].c, sizeof f[k].c);
      memcpy(c->force1[k].df, f[k].d, sizeof f[k].d);
      memcpy(c->force1[k].z, z[k].c, sizeof z[k].c);
      memcpy(c->force1[k].dz, z[k].d, sizeof z[k].d);
    }
  } else {
    size_t n = (size_t)nt * nt * nr;
    c->dens = malloc(n * sizeof *c->dens);
    c->force = calloc(n, sizeof *c->force);
    if (!c->dens || !c->force) {
      eam_free_system(c);
      return mdb_err_nomem(err, "eam pair tables", (double)n * (sizeof *c->dens + sizeof *c->force));
    }
    for (int a = 0; a < nt; a++)
      for (int b = 0; b < nt; b++) {
        const mdb_eam_knot *fa = c->rhor + (size_t)map[a] * nr, *fb = c->rhor + (size_t)map[b] * nr;
        const mdb_eam_knot *z = c->z2r + (size_t)tri(map[a], map[b]) * nr;
        eam_dens *d = c->dens + (size_t)(a * nt + b) * nr;
        eam_force *g = c->force + (size_t)(a * nt + b) * nr;
        for (int k = 0; k < nr; k++) {
          memcpy(d[k].fi, fa[k].c, sizeof d[k].fi);
          memcpy(d[k].fj, fb[k].c, sizeof d[k].fj);
          memcpy(g[k].dfi, fa[k].d, sizeof g[k].dfi);
          memcpy(g[k].dfj, fb[k].d, sizeof g[k].dfj);
          memcpy(g[k].z, z[k].c, sizeof g[k].z);
          memcpy(g[k].dz, z[k].d, sizeof g[k].dz);
        }
      }
  }
  c->ntypes = nt;
  c->rc = c->cut;
  c->rc2 = c->cut * c->cut;
  return MDB_OK;
}

static double eam_cutoff(const void *ctx) { return ((const eam_ctx *)ctx)->rc; }

static unsigned eam_kinds(const void *ctx) {
  (void)ctx;
  return MDB_NEIGH_HALF;
}

/* ------------------------------------------------------------- loops */

/* Packs the neighbours of i in js[0..m) that lie within the cutoff: their
 * indices and squared distances (the store is unconditional and the count
 * advances by the comparison: no branch). Returns how many. */
static inline int eam_within(const double *restrict x, const double xi, const double yi, const double zi,
                             const int *restrict js, const int m, const double rc2, int *restrict jn,
                             double *restrict r2s) {
  int cnt = 0;
  for (int k = 0; k < m; k++) {
    const int j = js[k];
    const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
    const double r2 = dx * dx + dy * dy + dz * dz;
    jn[cnt] = j;
    r2s[cnt] = r2;
    cnt += r2 < rc2;
  }
  return cnt;
}

/* Density pass: rho[0..n+nghost) from the half list, which it cuts to the
 * pairs within rc into pk/pk_start (CSR) for the force pass. Which
 * functions are compile-time choices at each call site (analytic,
 * one_type). */
static inline void eam_density(const eam_ctx *c, const mdb_system *sys, const mdb_neigh *nl, double *restrict rho,
                               int *restrict pk, int *restrict pk_start, const int analytic, const int one_type) {
  const double *restrict x = sys->x;
  const int *restrict type = sys->type;
  const int *restrict list = nl->half;
  const double rc2 = c->rc2, rdr = 1.0 / c->dr;
  const int nr = c->nr, nt = c->ntypes;
  int jn[EAM_CHUNK];
  double r2s[EAM_CHUNK], vi[EAM_CHUNK], vj[EAM_CHUNK];
  memset(rho, 0, (size_t)(sys->n + sys->nghost) * sizeof *rho);
  int npk = 0;
  for (int i = 0; i < sys->n; i++) {
    pk_start[i] = npk;
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const int ti = type[i];
    const eam_dens *restrict di = analytic || one_type ? NULL : c->dens + (size_t)ti * nt * nr;
    double rhoi = 0;
    const int kend = nl->half_start[i + 1];
    for (int k0 = nl->half_start[i]; k0 < kend; k0 += EAM_CHUNK) {
      const int m = kend - k0 < EAM_CHUNK ? kend - k0 : EAM_CHUNK;
      const int cnt = eam_within(x, xi, yi, zi, list + k0, m, rc2, jn, r2s);
      memcpy(pk + npk, jn, (size_t)cnt * sizeof *jn);
      npk += cnt;
      for (int k = 0; k < cnt; k++) {
        const double r = sqrt(r2s[k]);
        double a, b;
        if (analytic) {
          double d;
          if (one_type) {
            a = b = mdb_zhou_density(&c->zhou[0], r, &d);
          } else {
            b = mdb_zhou_density(&c->zhou[ti], r, &d);
            a = mdb_zhou_density(&c->zhou[type[jn[k]]], r, &d);
          }
        } else {
          double p;
          const int q = mdb_eam_locate(r, rdr, nr, &p);
          if (one_type) {
            a = b = mdb_eam_cubic(c->dens1[q].c, p);
          } else {
            const eam_dens *e = di + (size_t)type[jn[k]] * nr + q;
            a = mdb_eam_cubic(e->fj, p);
            b = mdb_eam_cubic(e->fi, p);
          }
        }
        vi[k] = a;
        vj[k] = b;
      }
      for (int k = 0; k < cnt; k++) {
        rhoi += vi[k];
        rho[jn[k]] += vj[k];
      }
    }
    rho[i] += rhoi;
  }
  pk_start[sys->n] = npk;
}

/* Force pass over the pairs within rc (list/start from the density pass);
 * returns the pair energy when eflag. */
static inline double eam_force_loop(const eam_ctx *c, mdb_system *sys, const int *restrict list,
                                    const int *restrict start, const double *restrict fp, const int eflag,
                                    const int analytic, const int one_type) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  const int *restrict type = sys->type;
  const double rdr = 1.0 / c->dr;
  const int nr = c->nr, nt = c->ntypes;
  double energy = 0;
  double dxs[EAM_CHUNK], dys[EAM_CHUNK], dzs[EAM_CHUNK], fps[EAM_CHUNK], es[EAM_CHUNK];
  for (int i = 0; i < sys->n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const int ti = type[i];
    const double fpi = fp[i];
    const eam_force *restrict gi = analytic || one_type ? NULL : c->force + (size_t)ti * nt * nr;
    double fxi = 0, fyi = 0, fzi = 0;
    const int kend = start[i + 1];
    for (int k0 = start[i]; k0 < kend; k0 += EAM_CHUNK) {
      const int cnt = kend - k0 < EAM_CHUNK ? kend - k0 : EAM_CHUNK;
      const int *restrict jn = list + k0;
      for (int k = 0; k < cnt; k++) {
        const int j = jn[k];
        const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
        dxs[k] = dx;
        dys[k] = dy;
        dzs[k] = dz;
        const double r = sqrt(dx * dx + dy * dy + dz * dz);
        double fpair, phi;
        if (analytic) {
          double fa, dfa, dphi;
          if (one_type) {
            const mdb_zhou *p = &c->zhou[0];
            fa = mdb_zhou_density(p, r, &dfa);
            phi = mdb_zhou_pair(p, r, fa, dfa, &dphi);
            fpair = -((fpi + fp[j]) * dfa + dphi) / r;
          } else {
            const mdb_zhou *pa = &c->zhou[ti], *pb = &c->zhou[type[j]];
            double fb, dfb, phia, dphia, phib, dphib;
            fa = mdb_zhou_density(pa, r, &dfa);
            fb = mdb_zhou_density(pb, r, &dfb);
            phia = mdb_zhou_pair(pa, r, fa, dfa, &dphia);
            phib = mdb_zhou_pair(pb, r, fb, dfb, &dphib);
            phi = mdb_zhou_mix(fa, dfa, phia, dphia, fb, dfb, phib, dphib, &dphi);
            fpair = -(fpi * dfb + fp[j] * dfa + dphi) / r;
          }
        } else {
          double p;
          const int q = mdb_eam_locate(r, rdr, nr, &p);
          if (one_type) {
            const eam_force1 *e = c->force1 + q;
            const double df = mdb_eam_dcubic(e->df, p);
            phi = mdb_eam_pair_force_z(r, mdb_eam_cubic(e->z, p), mdb_eam_dcubic(e->dz, p), df, df, fpi, fp[j], &fpair);
          } else {
            const eam_force *e = gi + (size_t)type[j] * nr + q;
            phi = mdb_eam_pair_force_z(r, mdb_eam_cubic(e->z, p), mdb_eam_dcubic(e->dz, p), mdb_eam_dcubic(e->dfi, p),
                                       mdb_eam_dcubic(e->dfj, p), fpi, fp[j], &fpair);
          }
        }
        fps[k] = fpair;
        if (eflag) es[k] = phi;
      }
      for (int k = 0; k < cnt; k++) {
        const int j = jn[k];
        const double fx = fps[k] * dxs[k], fy = fps[k] * dys[k], fz = fps[k] * dzs[k];
        fxi -= fx;
        fyi -= fy;
        fzi -= fz;
        f[3 * j] += fx;
        f[3 * j + 1] += fy;
        f[3 * j + 2] += fz;
        if (eflag) energy += es[k];
      }
    }
    f[3 * i] += fxi;
    f[3 * i + 1] += fyi;
    f[3 * i + 2] += fzi;
  }
  return energy;
}

/* F(ρ_i), F'(ρ_i) for locals (ghost densities folded in first), F' copied
 * to ghosts; returns the embedding energy when eflag. */
static double eam_embed(const eam_ctx *c, const mdb_system *sys, const mdb_neigh *nl, double *restrict rho,
                        double *restrict fp, const int eflag) {
  const int n = sys->n;
  for (int g = 0; g < sys->nghost; g++) rho[nl->owner[g]] += rho[n + g];
  double energy = 0;
  const double rdrho = 1.0 / c->drho;
  for (int i = 0; i < n; i++) {
    const int t = sys->type[i];
    double e;
    if (c->builtin)
      e = mdb_zhou_embed(&c->zhou[t], rho[i], &fp[i]);
    else
      e = mdb_eam_embed_table(c->frho + (size_t)c->map[t] * c->nrho, c->nrho, rdrho, c->rhomax, rho[i], &fp[i]);
    if (eflag) energy += e;
  }
  for (int g = 0; g < sys->nghost; g++) fp[n + g] = fp[nl->owner[g]];
  return energy;
}

static mdb_status eam_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                              mdb_err *err) {
  eam_ctx *c = ctx;
  if (c->ntypes != sys->ntypes)
    return mdb_err_set(err, MDB_ERUN, "eam: compute on a system with %d species, prepared for %d (call prepare first)",
                       sys->ntypes, c->ntypes);
  const int nall = sys->n + sys->nghost;
  if (nall > c->cap) {
    int cap = nall + nall / 4 + 64;
    double *rho = realloc(c->rho, (size_t)cap * sizeof *rho);
    if (rho) c->rho = rho;
    double *fp = rho ? realloc(c->fp, (size_t)cap * sizeof *fp) : NULL;
    if (!rho || !fp) return mdb_err_nomem(err, "eam per-atom density", 16.0 * cap);
    c->fp = fp;
    c->cap = cap;
  }
  const size_t npairs = (size_t)nl->half_start[sys->n];
  if (npairs > c->pk_cap || sys->n + 1 > c->pk_ncap) {
    size_t cap = npairs + npairs / 4 + 64;
    int ncap = sys->n + sys->n / 4 + 64;
    int *pk = realloc(c->pk, cap * sizeof *pk);
    if (pk) c->pk = pk;
    int *ps = pk ? realloc(c->pk_start, (size_t)ncap * sizeof *ps) : NULL;
    if (!pk || !ps) return mdb_err_nomem(err, "eam pair list", 4.0 * (double)cap);
    c->pk_start = ps;
    c->pk_cap = cap;
    c->pk_ncap = ncap;
  }
  const int eflag = (flags & MDB_COMPUTE_ENERGY) != 0;
  int *pk = c->pk, *ps = c->pk_start;
  /* one instance of each loop per (eflag, analytic, one type) */
  switch (2 * c->builtin + (c->ntypes == 1)) {
    case 0: eam_density(c, sys, nl, c->rho, pk, ps, 0, 0); break;
    case 1: eam_density(c, sys, nl, c->rho, pk, ps, 0, 1); break;
    case 2: eam_density(c, sys, nl, c->rho, pk, ps, 1, 0); break;
    default: eam_density(c, sys, nl, c->rho, pk, ps, 1, 1); break;
  }
  double energy = eam_embed(c, sys, nl, c->rho, c->fp, eflag);
  const double *fp = c->fp;
  switch (4 * eflag + 2 * c->builtin + (c->ntypes == 1)) {
    case 0: eam_force_loop(c, sys, pk, ps, fp, 0, 0, 0); break;
    case 1: eam_force_loop(c, sys, pk, ps, fp, 0, 0, 1); break;
    case 2: eam_force_loop(c, sys, pk, ps, fp, 0, 1, 0); break;
    case 3: eam_force_loop(c, sys, pk, ps, fp, 0, 1, 1); break;
    case 4: energy += eam_force_loop(c, sys, pk, ps, fp, 1, 0, 0); break;
    case 5: energy += eam_force_loop(c, sys, pk, ps, fp, 1, 0, 1); break;
    case 6: energy += eam_force_loop(c, sys, pk, ps, fp, 1, 1, 0); break;
    default: energy += eam_force_loop(c, sys, pk, ps, fp, 1, 1, 1); break;
  }
  out->energy = eflag ? energy : 0;
  return MDB_OK;
}

const mdb_calc_ops mdb_eam_cpu_ops = {
    .name = "eam",
    .device = "cpu",
    .summary = "embedded-atom method: LAMMPS funcfl/setfl file, or built-in Zhou 2004 Cu/Al (keys: file)",
    .init = eam_init,
    .prepare = eam_prepare,
    .cutoff = eam_cutoff,
    .neigh_kinds = eam_kinds,
    .compute = eam_compute,
    .fini = eam_fini,
};
