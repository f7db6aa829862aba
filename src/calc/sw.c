/*
 * sw.c — Stillinger–Weber three-body potential, CPU backend (full list).
 *
 *   E = Σ_{i<j} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)     (formulas: sw.h)
 *
 * Spec: sw[:file=PATH]
 *   file  a LAMMPS .sw file: entries "el1 el2 el3 ε σ a λ γ cosθ0 A B p q tol"
 *         (ε eV, σ Å, the rest dimensionless), '#' comments, an entry may
 *         span lines. Every ordered triplet of the system's elements must be
 *         present. Pair terms and the i–j leg of a triplet centred on i come
 *         from entry i-j-j, λε and cos θ0 of triplet j–i–k from i-j-k, as in
 *         LAMMPS pair_sw (src/MANYBODY/pair_sw.cpp, A. Thompson), including
 *         its tol shortening of the neighbour cutoff.
 *   none  the silicon parameters of Stillinger & Weber, Phys. Rev. B 31, 5262
 *         (1985) in LAMMPS's metal-unit form (Si.sw): ε = 2.1683 eV,
 *         σ = 2.0951 Å, a = 1.80, λ = 21.0, γ = 1.20, cos θ0 = −1/3,
 *         A = 7.049556277, B = 0.6022245584, p = 4, q = 0.
 *
 * Two choices where LAMMPS's answer depends on atom numbering: a file whose
 * i-j-j and j-i-i entries give different pair terms is rejected (LAMMPS
 * would use one or the other by atom-ID parity), and triplet j–i–k uses the
 * mean of the i-j-k and i-k-j values of λε and cos θ0 (LAMMPS takes the one
 * its neighbour order happens to give). Files with symmetric entries — Si,
 * GaN, CdTe in Debian's lammps-data — give exactly LAMMPS's numbers;
 * CdTeZnSeHgS0.sw differs between i-j-k and i-k-j in the 7th digit.
 *
 * Loop (as LAMMPS): per local atom i, a short list of the full-list
 * neighbours within the pair cutoff; the pair term for the neighbours i owns
 * (the half-list rule of neigh.h, so each pair once); one leg per short
 * neighbour; φ3 over the pairs of the short list. Forces go on the image
 * atoms involved (ghosts included): the wrapper's Σ x⊗f is then the virial.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "calc/sw.h"
#include "core/text.h"
#include "calc/sw_kern.h"

enum { SW_NFIELDS = 14, SW_NPARAMS = 11, SW_NAME_MAX = 8 };

/* parameter columns of an entry, after the three elements */
enum { P_EPS, P_SIGMA, P_A, P_LAMBDA, P_GAMMA, P_COS, P_BIGA, P_BIGB, P_P, P_Q, P_TOL };

static const char *const sw_field_names[SW_NFIELDS] = {"element1", "element2", "element3", "epsilon",   "sigma",
                                                       "a",        "lambda",   "gamma",    "costheta0", "A",
                                                       "B",        "p",        "q",        "tol"};

#define SW_FORM "element1 element2 element3 epsilon sigma a lambda gamma costheta0 A B p q tol"

typedef struct sw_entry {
  char el[3][SW_NAME_MAX];
  double v[SW_NPARAMS];
  int line; /* where it starts in the file; 0: built in */
} sw_entry;

static const sw_entry sw_builtin_si = {
    {"Si", "Si", "Si"}, {2.1683, 2.0951, 1.80, 21.0, 1.20, -1.0 / 3.0, 7.049556277, 0.6022245584, 4.0, 0.0, 0.0}, 0};

typedef struct sw_ctx {
  char file[MDB_SPEC_TEXT_MAX]; /* "" : built-in silicon */
  sw_entry *ent;
  int nent;

  /* after prepare: ntypes, cutoff, pair [ti*MDB_MAX_TYPES + tj] from i-j-j,
   * angle [(ti*nt + tj)*nt + tk] (calc/sw.h; what the GPU backend uploads) */
  mdb_sw_params prm;

  /* per-atom scratch of the compute loop, sized to the longest full list */
  int cap;
  double *dbuf;
  int *ibuf;
} sw_ctx;

/* ------------------------------------------------------------ file reading */

static int sw_find(const sw_entry *ent, int nent, const char *a, const char *b, const char *c) {
  for (int m = 0; m < nent; m++)
    if (!strcmp(ent[m].el[0], a) && !strcmp(ent[m].el[1], b) && !strcmp(ent[m].el[2], c)) return m;
  return -1;
}

/* Takes one token of the entry being read (field *nf); checks it. */
static mdb_status sw_field(sw_ctx *c, sw_entry *e, int *nf, const char *tok, int line, mdb_err *err) {
  const char *path = c->file;
  int k = *nf;
  if (k < 3) {
    int name_ok = strlen(tok) < SW_NAME_MAX && isalpha((unsigned char)tok[0]);
    for (const char *q = tok; *q && name_ok; q++) name_ok = isalnum((unsigned char)*q) || *q == '_';
    if (!name_ok)
      return mdb_err_set(err, MDB_EINPUT, "sw: %s line %d: '%s' is not an element name (an entry is: " SW_FORM ")",
                         path, line, mdb_text_q(tok, 40));
    snprintf(e->el[k], SW_NAME_MAX, "%s", tok);
  } else {
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (end == tok || *end || !isfinite(v) || errno == ERANGE)
      return mdb_err_set(err, MDB_EINPUT,
                         "sw: %s line %d: %s of entry %s %s %s is '%s', not a number (an entry is: " SW_FORM ")", path,
                         line, sw_field_names[k], e->el[0], e->el[1], e->el[2], mdb_text_q(tok, 40));
    if (k - 3 != P_COS && v < 0)
      return mdb_err_set(err, MDB_EINPUT, "sw: %s line %d: %s of entry %s %s %s is %g; it must be >= 0", path, line,
                         sw_field_names[k], e->el[0], e->el[1], e->el[2], v);
    e->v[k - 3] = v;
  }
  *nf = k + 1;
  return MDB_OK;
}

/* Reads every entry of c->file into c->ent. An entry starts on a new line
 * and takes following lines until it has its 14 fields (LAMMPS's
 * PotentialFileReader); a line that overruns an entry is an error. */
static mdb_status sw_read_file(sw_ctx *c, mdb_err *err) {
  const char *why = "";
  FILE *fp = mdb_input_open(c->file, &why);
  if (!fp)
    return mdb_err_set(err, MDB_EINPUT, "sw: cannot open potential file '%s': %s", mdb_text_q(c->file, 256), why);
  mdb_status st = MDB_OK;
  char *buf = NULL;
  size_t bufcap = 0;
  int line = 0, nf = 0, cap = 0;
  sw_entry cur;
  memset(&cur, 0, sizeof cur);
  while (!st && getline(&buf, &bufcap, fp) >= 0) {
    line++;
    char *hash = strchr(buf, '#');
    if (hash) *hash = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t\r\n\v\f", &save); tok && !st; tok = strtok_r(NULL, " \t\r\n\v\f", &save)) {
      if (nf == SW_NFIELDS) {
        st = mdb_err_set(err, MDB_EINPUT,
                         "sw: %s line %d: entry %s %s %s has more than %d fields ('%s'; an entry is: " SW_FORM ")",
                         c->file, line, cur.el[0], cur.el[1], cur.el[2], SW_NFIELDS, mdb_text_q(tok, 40));
        break;
      }
      if (nf == 0) cur.line = line;
      st = sw_field(c, &cur, &nf, tok, line, err);
    }
    if (st || nf < SW_NFIELDS) continue;
    int dup = sw_find(c->ent, c->nent, cur.el[0], cur.el[1], cur.el[2]);
    if (dup >= 0) {
      st = mdb_err_set(err, MDB_EINPUT, "sw: %s line %d: duplicate entry %s %s %s (first at line %d)", c->file,
                       cur.line, cur.el[0], cur.el[1], cur.el[2], c->ent[dup].line);
      break;
    }
    if (c->nent == cap) {
      int ncap = cap ? 2 * cap : 16;
      sw_entry *ne = realloc(c->ent, (size_t)ncap * sizeof *ne);
      if (!ne) {
        st = mdb_err_nomem(err, "sw entries", (double)ncap * sizeof *ne);
        break;
      }
      c->ent = ne;
      cap = ncap;
    }
    c->ent[c->nent++] = cur;
    memset(&cur, 0, sizeof cur);
    nf = 0;
  }
  if (!st && ferror(fp)) st = mdb_err_set(err, MDB_EIO, "sw: error reading %s after line %d", c->file, line);
  if (!st && nf > 0) {
    if (nf < 3)
      st = mdb_err_set(err, MDB_EINPUT, "sw: %s line %d: the file ends inside the entry of line %d (%d of %d fields)",
                       c->file, line, cur.line, nf, SW_NFIELDS);
    else
      st = mdb_err_set(err, MDB_EINPUT,
                       "sw: %s line %d: the file ends inside entry %s %s %s of line %d (%d of %d fields; next: %s)",
                       c->file, line, cur.el[0], cur.el[1], cur.el[2], cur.line, nf, SW_NFIELDS, sw_field_names[nf]);
  }
  if (!st && c->nent == 0)
    st = mdb_err_set(err, MDB_EINPUT, "sw: %s has no entries (an entry is: " SW_FORM ")", c->file);
  free(buf);
  fclose(fp);
  return st;
}

/* ------------------------------------------------------------------- setup */

static void sw_ctx_free(sw_ctx *c) {
  if (!c) return;
  free(c->ent);
  free(c->dbuf);
  free(c->ibuf);
  free(c);
}

static const mdb_calc_key sw_keys[] = {{"file", "built-in Si (Stillinger & Weber 1985)", "LAMMPS .sw potential file"},
                                       {NULL, NULL, NULL}};

static mdb_status sw_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  mdb_status st = mdb_calc_check_keys(spec, sw_keys, err);
  if (st) return st;
  sw_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "sw parameters", sizeof *c);
  for (int i = 0; i < spec->nparams; i++)
    if (!strcmp(spec->params[i].key, "file")) snprintf(c->file, sizeof c->file, "%s", spec->params[i].value);
  if (c->file[0]) {
    st = sw_read_file(c, err);
  } else if (!(c->ent = malloc(sizeof *c->ent))) {
    st = mdb_err_nomem(err, "sw entries", sizeof *c->ent);
  } else {
    c->ent[0] = sw_builtin_si;
    c->nent = 1;
  }
  if (st) {
    sw_ctx_free(c);
    return st;
  }
  *out = c;
  return MDB_OK;
}

static int sw_small_int(double x) { return x == floor(x) && x >= 0 && x <= 64 ? (int)x : -1; }

/* The derived pair constants of an i-j-j entry (LAMMPS PairSW::setup_params). */
static mdb_sw_pair sw_make_pair(const sw_entry *e) {
  const double *v = e->v;
  mdb_sw_pair p;
  p.sigma = v[P_SIGMA];
  p.cut = v[P_SIGMA] * v[P_A];
  double rc = p.cut;
  if (v[P_TOL] > 0) { /* LAMMPS: drop neighbours whose exp factor is below tol */
    double tol = v[P_TOL] > 0.01 ? 0.01 : v[P_TOL];
    rc += (v[P_GAMMA] < 1.0 ? v[P_GAMMA] * v[P_SIGMA] : v[P_SIGMA]) / log(tol);
    if (rc < 0) rc = 0;
  }
  p.cutsq = rc * rc;
  p.sigma_gamma = v[P_SIGMA] * v[P_GAMMA];
  p.c5 = v[P_BIGA] * v[P_EPS] * v[P_BIGB] * pow(v[P_SIGMA], v[P_P]);
  p.c6 = v[P_BIGA] * v[P_EPS] * pow(v[P_SIGMA], v[P_Q]);
  p.p = v[P_P];
  p.q = v[P_Q];
  p.ip = sw_small_int(p.p);
  p.iq = sw_small_int(p.q);
  return p;
}

static mdb_status sw_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  sw_ctx *c = ctx;
  const int nt = sys->ntypes;
  char covered[256] = "";
  for (int m = 0; m < c->nent; m++) {
    int seen = 0;
    for (int q = 0; q < m && !seen; q++) seen = !strcmp(c->ent[q].el[0], c->ent[m].el[0]);
    size_t len = strlen(covered);
    if (!seen) snprintf(covered + len, sizeof covered - len, "%s%s", len ? ", " : "", c->ent[m].el[0]);
  }
  for (int t = 0; t < nt; t++) {
    int found = 0;
    for (int m = 0; m < c->nent && !found; m++) found = !strcmp(c->ent[m].el[0], sys->species[t]);
    if (found) continue;
    if (!c->file[0])
      return mdb_err_set(err, MDB_EINPUT,
                         "sw: the built-in parameters (Stillinger & Weber 1985) cover Si only, not %s; give "
                         "sw:file=PATH.sw for other elements",
                         sys->species[t]);
    return mdb_err_set(err, MDB_EINPUT, "sw: %s has no entries for element %s (covered: %s)", c->file, sys->species[t],
                       covered);
  }
  int idx[MDB_MAX_TYPES][MDB_MAX_TYPES][MDB_MAX_TYPES];
  for (int a = 0; a < nt; a++)
    for (int b = 0; b < nt; b++)
      for (int d = 0; d < nt; d++) {
        idx[a][b][d] = sw_find(c->ent, c->nent, sys->species[a], sys->species[b], sys->species[d]);
        if (idx[a][b][d] < 0)
          return mdb_err_set(err, MDB_EINPUT,
                             "sw: %s has no entry %s %s %s (every ordered triplet of the system's elements is needed)",
                             c->file, sys->species[a], sys->species[b], sys->species[d]);
      }
  static const int pair_cols[] = {P_EPS, P_SIGMA, P_A, P_BIGA, P_BIGB, P_P, P_Q, P_TOL};
  for (int a = 0; a < nt; a++)
    for (int b = a + 1; b < nt; b++) {
      const sw_entry *ab = &c->ent[idx[a][b][b]], *ba = &c->ent[idx[b][a][a]];
      for (size_t q = 0; q < sizeof pair_cols / sizeof pair_cols[0]; q++)
        if (ab->v[pair_cols[q]] != ba->v[pair_cols[q]])
          return mdb_err_set(err, MDB_EINPUT,
                             "sw: %s: entries %s %s %s (line %d) and %s %s %s (line %d) differ in %s (%.10g vs %.10g); "
                             "the pair term of %s-%s must not depend on which atom comes first",
                             c->file, ab->el[0], ab->el[1], ab->el[2], ab->line, ba->el[0], ba->el[1], ba->el[2],
                             ba->line, sw_field_names[3 + pair_cols[q]], ab->v[pair_cols[q]], ba->v[pair_cols[q]],
                             ab->el[0], ab->el[1]);
    }
  c->prm.ntypes = nt;
  c->prm.cutoff = 0;
  for (int a = 0; a < nt; a++)
    for (int b = 0; b < nt; b++) {
      mdb_sw_pair p = sw_make_pair(&c->ent[idx[a][b][b]]);
      c->prm.pair[a * MDB_MAX_TYPES + b] = p;
      if (sqrt(p.cutsq) > c->prm.cutoff) c->prm.cutoff = sqrt(p.cutsq);
      for (int d = 0; d < nt; d++) {
        const double *u = c->ent[idx[a][b][d]].v, *w = c->ent[idx[a][d][b]].v;
        mdb_sw_angle *t = &c->prm.angle[(a * nt + b) * nt + d];
        t->lambda_epsilon = 0.5 * (u[P_LAMBDA] * u[P_EPS] + w[P_LAMBDA] * w[P_EPS]);
        t->costheta0 = 0.5 * (u[P_COS] + w[P_COS]);
      }
    }
  if (!(c->prm.cutoff > 0))
    return mdb_err_set(err, MDB_EINPUT, "sw: %s: every pair cutoff a·sigma of the system's elements is 0",
                       c->file[0] ? c->file : "built-in parameters");
  return MDB_OK;
}

static double sw_cutoff(const void *ctx) { return ((const sw_ctx *)ctx)->prm.cutoff; }

static const void *sw_params(const void *ctx) { return &((const sw_ctx *)ctx)->prm; }

static unsigned sw_kinds(const void *ctx) {
  (void)ctx;
  return MDB_NEIGH_FULL;
}

/* ----------------------------------------------------------------- compute */

static mdb_status sw_reserve(sw_ctx *c, int need, mdb_err *err) {
  if (need <= c->cap && c->dbuf) return MDB_OK; /* allocated even with no pair: the loop offsets into it */
  int cap = c->cap ? c->cap : 32;
  while (cap < need) cap *= 2;
  double *d = realloc(c->dbuf, (size_t)cap * 11 * sizeof *d);
  if (d) c->dbuf = d;
  int *ib = d ? realloc(c->ibuf, (size_t)cap * 3 * sizeof *ib) : NULL;
  if (ib) c->ibuf = ib;
  if (!d || !ib) return mdb_err_nomem(err, "sw neighbour scratch", cap * (11.0 * sizeof(double) + 3.0 * sizeof(int)));
  c->cap = cap;
  return MDB_OK;
}

static inline int sw_shift_positive(const int *s) {
  return (s[0] > 0) | ((s[0] == 0) & ((s[1] > 0) | ((s[1] == 0) & (s[2] > 0))));
}

/* The force loop; one_type is a compile-time constant at each call site
 * (parameters then live in registers). Every force computed for centre i
 * acts between i and a short-list neighbour and they sum to zero, so i's own
 * force is taken at the end as minus their sum. Returns the energy. */
static inline double sw_loop(sw_ctx *c, mdb_system *sys, const mdb_neigh *nl, const int one_type) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  const int *restrict type = sys->type;
  const int n = sys->n, nt = c->prm.ntypes;
  static const int no_ghost[3] = {0, 0, 0}; /* read (not used) when there are no ghosts */
  const int *restrict owner = nl->nghost ? nl->owner : no_ghost;
  const int *restrict shift = nl->nghost ? nl->shift : no_ghost;
  const int cap = c->cap;
  double *restrict sr2 = c->dbuf, *restrict sr = sr2 + cap, *restrict sri = sr + cap;
  double *restrict sux = sri + cap, *restrict suy = sux + cap, *restrict suz = suy + cap;
  double *restrict sex = suz + cap, *restrict sg = sex + cap;
  double *restrict sfx = sg + cap, *restrict sfy = sfx + cap, *restrict sfz = sfy + cap;
  int *restrict sj = c->ibuf, *restrict st = sj + cap, *restrict own = st + cap;
  const mdb_sw_pair p0 = c->prm.pair[0];
  const mdb_sw_angle t0 = c->prm.angle[0];
  double energy = 0;
  for (int i = 0; i < n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const int ti = one_type ? 0 : type[i];
    const mdb_sw_pair *prow = c->prm.pair + ti * MDB_MAX_TYPES;
    const mdb_sw_angle *arow = c->prm.angle + ti * nt * nt;
    /* short list: the full-list neighbours within the pair cutoff (branch-free append) */
    int m = 0;
    for (int k = nl->full_start[i]; k < nl->full_start[i + 1]; k++) {
      const int j = nl->full[k];
      const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
      const double r2 = dx * dx + dy * dy + dz * dz;
      sj[m] = j;
      sr2[m] = r2;
      if (one_type) {
        m += r2 < p0.cutsq;
      } else {
        const int tj = type[j];
        st[m] = tj;
        m += r2 < prow[tj].cutsq;
      }
    }
    /* legs; which pairs i owns: key 2j for a local j, 2·owner + (shift
     * positive) for a ghost, kept when > 2i (neigh.h's half-list rule) */
    int np = 0;
    for (int a = 0; a < m; a++) {
      const mdb_sw_pair *p = one_type ? &p0 : prow + st[a];
      const int j = sj[a];
      const double r = sqrt(sr2[a]), ri = 1.0 / r;
      sr[a] = r;
      sri[a] = ri;
      sux[a] = (x[3 * j] - xi) * ri;
      suy[a] = (x[3 * j + 1] - yi) * ri;
      suz[a] = (x[3 * j + 2] - zi) * ri;
      mdb_sw_leg(r, p, sex + a, sg + a);
      sfx[a] = sfy[a] = sfz[a] = 0;
      const int ghost = j >= n, g = ghost ? j - n : 0;
      const int key = ghost ? 2 * owner[g] + sw_shift_positive(shift + 3 * g) : 2 * j;
      own[np] = a;
      np += key > 2 * i;
    }
    double ei = 0;
    for (int b = 0; b < np; b++) {
      const int a = own[b];
      const mdb_sw_pair *p = one_type ? &p0 : prow + st[a];
      double fpair;
      ei += mdb_sw_two_body_r(sr[a], sri[a], p, &fpair);
      const double fr = fpair * sr[a];
      sfx[a] += fr * sux[a];
      sfy[a] += fr * suy[a];
      sfz[a] += fr * suz[a];
    }
    for (int a = 0; a < m - 1; a++) {
      const mdb_sw_angle *trow = one_type ? &t0 : arow + st[a] * nt;
      const double u1x = sux[a], u1y = suy[a], u1z = suz[a], ri1 = sri[a], ex1 = sex[a], g1 = sg[a];
      double fjx = 0, fjy = 0, fjz = 0;
      for (int b = a + 1; b < m; b++) {
        double fj[3], fk[3];
        ei += mdb_sw_triplet(u1x, u1y, u1z, ri1, ex1, g1, sux[b], suy[b], suz[b], sri[b], sex[b], sg[b],
                             one_type ? &t0 : trow + st[b], fj, fk);
        fjx += fj[0];
        fjy += fj[1];
        fjz += fj[2];
        sfx[b] += fk[0];
        sfy[b] += fk[1];
        sfz[b] += fk[2];
      }
      sfx[a] += fjx;
      sfy[a] += fjy;
      sfz[a] += fjz;
    }
    double fxi = 0, fyi = 0, fzi = 0;
    for (int a = 0; a < m; a++) {
      double *fj = f + 3 * sj[a];
      fj[0] += sfx[a];
      fj[1] += sfy[a];
      fj[2] += sfz[a];
      fxi += sfx[a];
      fyi += sfy[a];
      fzi += sfz[a];
    }
    f[3 * i] -= fxi;
    f[3 * i + 1] -= fyi;
    f[3 * i + 2] -= fzi;
    energy += ei;
  }
  return energy;
}

static mdb_status sw_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                             mdb_err *err) {
  (void)flags; /* the energy comes with the forces at no extra cost */
  sw_ctx *c = ctx;
  int longest = 0;
  for (int i = 0; i < sys->n; i++) {
    int len = nl->full_start[i + 1] - nl->full_start[i];
    if (len > longest) longest = len;
  }
  mdb_status st = sw_reserve(c, longest, err);
  if (st) return st;
  out->energy = c->prm.ntypes == 1 ? sw_loop(c, sys, nl, 1) : sw_loop(c, sys, nl, 0);
  return MDB_OK;
}

static void sw_fini(void *ctx) { sw_ctx_free(ctx); }

static const mdb_calc_file_key sw_file_keys[] = {{"file", MDB_FILE_AS_GIVEN} /* sw_read_file */, {NULL, 0}};

/* Scheduling cost relative to lj argon: 0.26 µs per atom-step at 2048
 * silicon atoms on one core (Release), against lj's 0.34. */
static double sw_cost(const mdb_calc_spec *spec) {
  (void)spec;
  return 0.8;
}

/* ---------------------------------------------------------- GPU half
 * The device half of the sw calculator: uploads the prepared
 * pair and angle tables (calc/sw.h mdb_sw_params, compacted to the system's
 * types) and launches calc/sw_kern.h: one kernel with one thread per atom,
 * two with L > 1 threads per atom. Double precision only.
 */

typedef struct gsw {
  mdb_sw_pair *pair;
  mdb_sw_angle *angle;
  int lanes;    /* threads per atom */
  double *part; /* the lanes' partial sums (L > 1) */
} gsw;

static mdb_status gsw_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_sw_params *prm = (const mdb_sw_params *)cpu->ops->params(cpu->ctx);
  const int nt = prm->ntypes;
  const size_t np = (size_t)nt * nt, na = (size_t)nt * nt * nt;
  gsw *c = (gsw *)calloc(1, sizeof *c);
  mdb_sw_pair *hp = (mdb_sw_pair *)calloc(np, sizeof *hp);
  mdb_status st = MDB_OK;
  if (!c || !hp) st = mdb_err_nomem(err, "sw tables", (double)(np * sizeof *hp));
  /* a list entry as first neighbour costs a pass over the list: two per lane */
  if (!st) st = mdb_gcalc_lanes(g, 2.0, &c->lanes, err);
  if (!st && c->lanes > 1) /* once here: an allocation inside a captured step is refused */
    st = mdb_gcalc_alloc(g, (void **)&c->part, (size_t)MDB_LANE_COLS * c->lanes * g->n * sizeof(double), err);
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) hp[a * nt + b] = prm->pair[a * MDB_MAX_TYPES + b];
  /* the angle table is already [(a*nt + b)*nt + d] for the system's nt */
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, np * sizeof *hp, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->angle, na * sizeof(mdb_sw_angle), err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, hp, np * sizeof *hp, err)))
    st = g->dev->ops->h2d(g->dev, c->angle, prm->angle, na * sizeof(mdb_sw_angle), err);
  free(hp);
  if (st) {
    free(c);
    return st;
  }
  if (c->lanes > 1) mdb_gcalc_defer_lanes(g, c->part, c->lanes);
  *ctx = c;
  return MDB_OK;
}

static mdb_status gsw_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const gsw *c = (const gsw *)ctx;
  mdb_kp_sw q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.angle = c->angle;
  q.lanes = c->lanes;
  q.part = c->part;
  if (c->lanes == 1) return mdb_launch_sw(g->dev, g->n, &q, err);
  return mdb_launch_sw_lanes(g->dev, (long)c->lanes * g->n, &q, err); /* the engine's next kernel adds the partials */
}

MDB_KERNELS_SW(MDB_KERNEL_DEFINE)

static const mdb_gcalc_ops mdb_sw_gpu = {0, gsw_setup, gsw_forces, NULL, 0};

const mdb_calc_ops mdb_sw_cpu_ops = {
    .name = "sw",
    .device = "cpu",
    .summary = "Stillinger-Weber three-body; built-in Si (1985) or a LAMMPS .sw file (keys: file)",
    .init = sw_init,
    .prepare = sw_prepare,
    .cutoff = sw_cutoff,
    .neigh_kinds = sw_kinds,
    .compute = sw_compute,
    .fini = sw_fini,
    .cost = sw_cost,
    .params = sw_params,
    .keys = sw_keys,
    .file_keys = sw_file_keys,
    .gpu = &mdb_sw_gpu,
};
