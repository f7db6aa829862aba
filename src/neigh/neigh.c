#include "neigh/neigh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mdb_status mdb_neigh_init(mdb_neigh *nl, double cutoff, double skin, unsigned kinds, mdb_err *err) {
  memset(nl, 0, sizeof *nl);
  if (!(cutoff > 0) || !isfinite(cutoff))
    return mdb_err_set(err, MDB_EINPUT, "the interaction cutoff must be a positive length in Å (got %g)", cutoff);
  if (!(skin >= 0) || !isfinite(skin))
    return mdb_err_set(err, MDB_EINPUT, "--skin-A must be zero or a positive length in Å (got %g)", skin);
  if (!(kinds & (MDB_NEIGH_HALF | MDB_NEIGH_FULL)))
    return mdb_err_set(err, MDB_EINPUT, "a neighbour list must be half, full or both");
  nl->cutoff = cutoff;
  nl->skin = skin;
  nl->kinds = kinds;
  return MDB_OK;
}

void mdb_neigh_free(mdb_neigh *nl) {
  if (!nl) return;
  free(nl->owner);
  free(nl->shift);
  free(nl->half_start);
  free(nl->half);
  free(nl->full_start);
  free(nl->full);
  free(nl->x0);
  free(nl->bin_start);
  free(nl->bin_nloc);
  free(nl->bin_atoms);
  free(nl->bin_x);
  free(nl->bin_key);
  free(nl->atom_bin);
  free(nl->frac);
  free(nl->perm);
  memset(nl, 0, sizeof *nl);
}

/* realloc that reports failure through err and leaves *p valid on failure */
static mdb_status regrow(void **p, size_t bytes, const char *what, mdb_err *err) {
  void *q = realloc(*p, bytes ? bytes : 1);
  if (!q) return mdb_err_nomem(err, what, (double)bytes);
  *p = q;
  return MDB_OK;
}

static void ghost_offset(const mdb_box *box, const int o[3], double d[3]) {
  for (int j = 0; j < 3; j++) d[j] = o[0] * box->h[0][j] + o[1] * box->h[1][j] + o[2] * box->h[2][j];
}

/* Moves every local atom into the cell and records the crossing in image;
 * atoms already inside are not touched (no round-trip through fractions).
 * Fails (with code) for a non-finite position or one absurdly far outside
 * the cell. */
static mdb_status wrap_locals(mdb_system *sys, double *frac, mdb_status code, mdb_err *err) {
  for (int i = 0; i < sys->n; i++) {
    double *x = sys->x + 3 * i, *s = frac + 3 * i;
    mdb_box_to_frac(&sys->box, x, s);
    if (!(fabs(s[0]) < 1e6 && fabs(s[1]) < 1e6 && fabs(s[2]) < 1e6))
      return mdb_err_set(err, code, "atom %d has a %s position (%g, %g, %g Å)", sys->id[i] + 1,
                         isfinite(s[0] + s[1] + s[2]) ? "runaway" : "non-finite", x[0], x[1], x[2]);
    int o[3] = {(int)floor(s[0]), (int)floor(s[1]), (int)floor(s[2])};
    if (o[0] | o[1] | o[2]) {
      double d[3];
      ghost_offset(&sys->box, o, d);
      for (int k = 0; k < 3; k++) {
        x[k] -= d[k];
        sys->image[3 * i + k] += o[k];
      }
      mdb_box_to_frac(&sys->box, x, s);
    }
    for (int k = 0; k < 3; k++) {
      /* rounding can leave s a hair outside [0,1): bin it at the edge */
      if (s[k] < 0.0) s[k] = 0.0;
      if (s[k] >= 1.0) s[k] = nextafter(1.0, 0.0);
    }
  }
  return MDB_OK;
}

typedef struct bin_grid {
  int m[3];        /* bins across the cell */
  int lo[3];       /* index of the first bin (negative: ghost margin) */
  int nb[3];       /* bins along each direction, margins included */
  int reach[3];    /* stencil half-width in bins */
  double delta[3]; /* ghost margin in fractional units */
} bin_grid;

/* Periodic images of the cell that an atom within r of it needs, about
 * ∏(1 + 2 r / width_k) (itself included); inf or NaN for a degenerate cell. */
static double images_per_atom(const mdb_box *box, double r) {
  double p = 1.0;
  for (int k = 0; k < 3; k++) p *= 1.0 + 2.0 * r / box->width[k];
  return p;
}

/* Ghost atoms a build may make: beyond it the cutoff spans more than about
 * half the cell in every direction of a large system, or more than a few
 * cells of a small one, which no short-range potential means. */
static double ghost_limit(int n) { return fmax(MDB_NEIGH_MAX_GHOSTS, 8.0 * n); }

mdb_status mdb_neigh_check_cell(double cutoff, double skin, const mdb_box *box, int n, mdb_status code, mdb_err *err) {
  const double r = cutoff + skin, lim = ghost_limit(n);
  const double ghosts = n * (images_per_atom(box, r) - 1.0);
  if (ghosts <= lim) return MDB_OK; /* NaN (a degenerate cell) is refused too */
  /* the longest cutoff + skin the cell allows: 1 + 2 r / width ≤ lim / n + 1 in every direction */
  double wmin = fmin(box->width[0], fmin(box->width[1], box->width[2]));
  double lo = 0.0, hi = fmin(isfinite(r) ? r : 1e300, 0.5 * wmin * (lim / (n > 0 ? n : 1) + 1.0));
  for (int it = 0; it < 200 && hi > 0; it++) {
    double mid = 0.5 * (lo + hi);
    if (n * (images_per_atom(box, mid) - 1.0) <= lim)
      lo = mid;
    else
      hi = mid;
  }
  char valid[96];
  if (lo - skin > 0)
    snprintf(valid, sizeof valid, "valid here: a cutoff below %.3g Å with skin %g Å", lo - skin, skin);
  else
    snprintf(valid, sizeof valid, "no cutoff fits this cell with skin %g Å", skin);
  return mdb_err_set(err, code,
                     "cutoff %g Å is far longer than the cell (widths %.3g × %.3g × %.3g Å, %d atoms): it would need "
                     "about %.3g periodic images (limit %.3g); %s",
                     cutoff, box->width[0], box->width[1], box->width[2], n, ghosts, lim, valid);
}

/* The bin grid: bins about r/2 wide, at most about 8 per atom, ghosts and
 * margins included, so the grid is bounded by the atom count whatever the
 * cutoff (mdb_neigh_check_cell has bounded the ghosts). */
static mdb_status grid_setup(bin_grid *g, const mdb_box *box, double r, int n, size_t *nbins, mdb_err *err) {
  for (int k = 0; k < 3; k++) {
    double m = floor(box->width[k] / (0.5 * r));
    g->m[k] = m < 1 ? 1 : (m > 4096 ? 4096 : (int)m);
  }
  /* keep the bin count proportional to the atom count when r is tiny */
  while ((double)g->m[0] * g->m[1] * g->m[2] > 8.0 * n + 64) {
    int k = g->m[0] >= g->m[1] ? (g->m[0] >= g->m[2] ? 0 : 2) : (g->m[1] >= g->m[2] ? 1 : 2);
    g->m[k] = (g->m[k] + 1) / 2;
  }
  const double target = 8.0 * n * images_per_atom(box, r) + 64;
  for (;;) {
    double total = 1.0;
    for (int k = 0; k < 3; k++) {
      g->delta[k] = r / box->width[k];
      double lo = floor(-g->delta[k] * g->m[k]), hi = floor((1.0 + g->delta[k]) * g->m[k]);
      total *= hi - lo + 1;
    }
    int k = g->m[0] >= g->m[1] ? (g->m[0] >= g->m[2] ? 0 : 2) : (g->m[1] >= g->m[2] ? 1 : 2);
    if (total <= target || g->m[k] == 1) {
      if (!(total <= 1e9))
        return mdb_err_set(err, MDB_ERUN,
                           "the neighbour bins would number %.3g (cutoff + skin %.3g Å, cell widths "
                           "%.3g %.3g %.3g Å)",
                           total, r, box->width[0], box->width[1], box->width[2]);
      *nbins = (size_t)total;
      break;
    }
    g->m[k] = (g->m[k] + 1) / 2; /* ghost margins dominate: fewer, wider bins */
  }
  for (int k = 0; k < 3; k++) {
    g->lo[k] = (int)floor(-g->delta[k] * g->m[k]);
    int hi = (int)floor((1.0 + g->delta[k]) * g->m[k]);
    g->nb[k] = hi - g->lo[k] + 1;
    g->reach[k] = (int)ceil(g->delta[k] * g->m[k]);
  }
  return MDB_OK;
}

static int bin_coord(const bin_grid *g, int k, double s) {
  int b = (int)floor(s * g->m[k]) - g->lo[k];
  return b < 0 ? 0 : (b >= g->nb[k] ? g->nb[k] - 1 : b);
}

static int bin_index(const bin_grid *g, const double s[3]) {
  return (bin_coord(g, 2, s[2]) * g->nb[1] + bin_coord(g, 1, s[1])) * g->nb[0] + bin_coord(g, 0, s[0]);
}

/* Counting sort of atoms [0, count) by atom_bin into bin_start/bin_atoms. */
static void bin_sort(mdb_neigh *nl, int count, int nbins) {
  memset(nl->bin_start, 0, (size_t)(nbins + 1) * sizeof *nl->bin_start);
  for (int p = 0; p < count; p++) nl->bin_start[nl->atom_bin[p] + 1]++;
  for (int b = 0; b < nbins; b++) nl->bin_start[b + 1] += nl->bin_start[b];
  for (int p = 0; p < count; p++) nl->bin_atoms[nl->bin_start[nl->atom_bin[p]]++] = p;
  for (int b = nbins; b > 0; b--) nl->bin_start[b] = nl->bin_start[b - 1];
  nl->bin_start[0] = 0;
}

/* Reorders the local atoms by bin so that neighbours sit close in memory. */
static mdb_status sort_locals(mdb_neigh *nl, mdb_system *sys, mdb_err *err) {
  int n = sys->n;
  /* bin_atoms holds the permutation: new position q takes old atom bin_atoms[q] */
  double *dtmp = NULL;
  int *itmp = NULL;
  dtmp = malloc((size_t)n * 3 * sizeof *dtmp);
  itmp = malloc((size_t)n * 3 * sizeof *itmp);
  if (!dtmp || !itmp) {
    free(dtmp);
    free(itmp);
    return mdb_err_nomem(err, "atom sort buffers", (double)n * 36);
  }
  const int *perm = nl->bin_atoms;
  double *darrays[4] = {sys->x, sys->v, sys->f, nl->frac};
  for (int a = 0; a < 4; a++) {
    for (int q = 0; q < n; q++) memcpy(dtmp + 3 * q, darrays[a] + 3 * perm[q], 3 * sizeof(double));
    memcpy(darrays[a], dtmp, (size_t)n * 3 * sizeof(double));
  }
  for (int q = 0; q < n; q++) memcpy(itmp + 3 * q, sys->image + 3 * perm[q], 3 * sizeof(int));
  memcpy(sys->image, itmp, (size_t)n * 3 * sizeof(int));
  int *iarrays[3] = {sys->type, sys->mol, sys->id};
  for (int a = 0; a < 3; a++) {
    for (int q = 0; q < n; q++) itmp[q] = iarrays[a][perm[q]];
    memcpy(iarrays[a], itmp, (size_t)n * sizeof(int));
  }
  free(dtmp);
  free(itmp);
  return MDB_OK;
}

/* Offsets o along direction k for which s + o lies in [-delta, 1 + delta). */
static int image_offsets(double s, double delta, int *out) {
  int cnt = 0;
  int reach = (int)ceil(delta) + 1;
  for (int o = -reach; o <= reach; o++)
    if (s + o >= -delta && s + o < 1.0 + delta) out[cnt++] = o;
  return cnt;
}

static mdb_status make_ghosts(mdb_neigh *nl, mdb_system *sys, const bin_grid *g, mdb_err *err) {
  int n = sys->n;
  int maxo = 2 * ((int)ceil(fmax(g->delta[0], fmax(g->delta[1], g->delta[2]))) + 1) + 1;
  int *ob = malloc((size_t)3 * maxo * sizeof *ob);
  if (!ob) return mdb_err_nomem(err, "image offsets", 3.0 * maxo * sizeof(int));
  int *oo[3] = {ob, ob + maxo, ob + 2 * maxo};
  /* pass 1: count */
  long count = 0;
  for (int i = 0; i < n; i++) {
    int c[3];
    for (int k = 0; k < 3; k++) c[k] = image_offsets(nl->frac[3 * i + k], g->delta[k], oo[k]);
    count += (long)c[0] * c[1] * c[2] - 1;
  }
  if ((double)n + (double)count > 2.0e9) {
    free(ob);
    return mdb_err_set(err, MDB_EINPUT,
                       "the cell is too small for the cutoff: %ld periodic images would be needed "
                       "(cutoff + skin %.3g Å, cell widths %.3g %.3g %.3g Å)",
                       count, nl->cutoff + nl->skin, sys->box.width[0], sys->box.width[1], sys->box.width[2]);
  }
  int ng = (int)count, nall = n + ng;
  mdb_status st = mdb_system_reserve(sys, nall, err);
  if (!st && ng > nl->ghost_cap) {
    st = regrow((void **)&nl->owner, (size_t)ng * sizeof *nl->owner, "ghost owners", err);
    if (!st) st = regrow((void **)&nl->shift, (size_t)ng * 3 * sizeof *nl->shift, "ghost shifts", err);
    if (!st) nl->ghost_cap = ng;
  }
  if (!st && (size_t)nall > nl->atoms_cap) {
    st = regrow((void **)&nl->frac, (size_t)nall * 3 * sizeof *nl->frac, "fractional coordinates", err);
    if (!st) st = regrow((void **)&nl->atom_bin, (size_t)nall * sizeof *nl->atom_bin, "bin indices", err);
    if (!st) st = regrow((void **)&nl->bin_atoms, (size_t)nall * sizeof *nl->bin_atoms, "bin lists", err);
    if (!st) st = regrow((void **)&nl->bin_x, (size_t)nall * 3 * sizeof *nl->bin_x, "bin positions", err);
    if (!st) st = regrow((void **)&nl->bin_key, (size_t)nall * sizeof *nl->bin_key, "bin keys", err);
    if (!st) nl->atoms_cap = (size_t)nall;
  }
  if (st) {
    free(ob);
    return st;
  }
  /* pass 2: fill */
  int gi = 0;
  for (int i = 0; i < n; i++) {
    int c[3];
    const double *s = nl->frac + 3 * i;
    for (int k = 0; k < 3; k++) c[k] = image_offsets(s[k], g->delta[k], oo[k]);
    for (int a = 0; a < c[0]; a++)
      for (int b = 0; b < c[1]; b++)
        for (int cc = 0; cc < c[2]; cc++) {
          int o[3] = {oo[0][a], oo[1][b], oo[2][cc]};
          if (!(o[0] | o[1] | o[2])) continue;
          int p = n + gi;
          double d[3];
          ghost_offset(&sys->box, o, d);
          for (int k = 0; k < 3; k++) {
            sys->x[3 * p + k] = sys->x[3 * i + k] + d[k];
            nl->frac[3 * p + k] = s[k] + o[k];
            nl->shift[3 * gi + k] = o[k];
          }
          sys->type[p] = sys->type[i];
          sys->mol[p] = sys->mol[i];
          nl->owner[gi] = i;
          gi++;
        }
  }
  free(ob);
  nl->nghost = ng;
  sys->nghost = ng;
  return MDB_OK;
}

static int shift_positive(const int *s) { return s[0] > 0 || (s[0] == 0 && (s[1] > 0 || (s[1] == 0 && s[2] > 0))); }

/* Fills the bin-ordered copies the search streams through: positions, and
 * the half-list key. The half rule (neigh.h) becomes one comparison: local p
 * has key 2p, a ghost 2·owner + (shift positive), and p is kept for i when
 * key > 2i — which also drops i itself. Counts the locals of each bin. */
static void fill_bin_data(mdb_neigh *nl, const mdb_system *sys, int nall, int nbins) {
  int n = sys->n;
  memset(nl->bin_nloc, 0, (size_t)nbins * sizeof *nl->bin_nloc);
  for (int q = 0; q < nall; q++) {
    int p = nl->bin_atoms[q];
    memcpy(nl->bin_x + 3 * q, sys->x + 3 * p, 3 * sizeof(double));
    if (p < n) {
      nl->bin_key[q] = 2 * p;
      nl->bin_nloc[nl->atom_bin[p]]++;
    } else {
      int g = p - n;
      nl->bin_key[q] = 2 * nl->owner[g] + shift_positive(nl->shift + 3 * g);
    }
  }
}

static mdb_status ensure(int **list, size_t *cap, size_t need, mdb_err *err) {
  if (need <= *cap) return MDB_OK;
  size_t nc = *cap ? *cap : 1024;
  while (nc < need) nc *= 2;
  mdb_status st = regrow((void **)list, nc * sizeof **list, "neighbour list", err);
  if (!st) *cap = nc;
  return st;
}

/* Candidates come from the stencil of bins around i's bin. Locals are sorted
 * by bin, so every local in a bin below i's has a smaller index and cannot
 * be kept: the half search reads only the ghosts of those bins. Appends are
 * branch-free (write, then advance by the test), so capacity is ensured for
 * the worst case of each atom first. */
static mdb_status build_lists(mdb_neigh *nl, mdb_system *sys, const bin_grid *g, int nall, mdb_err *err) {
  int n = sys->n;
  const double rmax2 = (nl->cutoff + nl->skin) * (nl->cutoff + nl->skin);
  const int want_half = (nl->kinds & MDB_NEIGH_HALF) != 0, want_full = (nl->kinds & MDB_NEIGH_FULL) != 0;
  int nbins = g->nb[0] * g->nb[1] * g->nb[2];
  fill_bin_data(nl, sys, nall, nbins);
  int maxbin = 0;
  for (int b = 0; b < nbins; b++)
    if (nl->bin_start[b + 1] - nl->bin_start[b] > maxbin) maxbin = nl->bin_start[b + 1] - nl->bin_start[b];
  /* the stencil as linear bin offsets, ascending; locals never sit in the
   * margin bins, so their stencils stay inside the grid */
  int ns = (2 * g->reach[0] + 1) * (2 * g->reach[1] + 1) * (2 * g->reach[2] + 1), k = 0;
  int *stencil = malloc((size_t)ns * sizeof *stencil);
  if (!stencil) return mdb_err_nomem(err, "bin stencil", ns * 4.0);
  for (int dz = -g->reach[2]; dz <= g->reach[2]; dz++)
    for (int dy = -g->reach[1]; dy <= g->reach[1]; dy++)
      for (int dx = -g->reach[0]; dx <= g->reach[0]; dx++) stencil[k++] = (dz * g->nb[1] + dy) * g->nb[0] + dx;
  mdb_status st = MDB_OK;
  if (want_half) st = regrow((void **)&nl->half_start, (size_t)(n + 1) * sizeof(int), "list offsets", err);
  if (!st && want_full) st = regrow((void **)&nl->full_start, (size_t)(n + 1) * sizeof(int), "list offsets", err);
  size_t nh = 0, nf = 0, worst = (size_t)ns * (size_t)maxbin;
  const double *bx = nl->bin_x;
  const int *key = nl->bin_key, *atoms = nl->bin_atoms;
  for (int i = 0; i < n && !st; i++) {
    const double xi = sys->x[3 * i], yi = sys->x[3 * i + 1], zi = sys->x[3 * i + 2];
    const int b = nl->atom_bin[i], twoi = 2 * i;
    if (want_half) {
      if ((st = ensure(&nl->half, &nl->half_cap, nh + worst, err))) break;
      nl->half_start[i] = (int)nh;
      int *out = nl->half;
      for (int s = 0; s < ns; s++) {
        int bb = b + stencil[s];
        int q0 = nl->bin_start[bb] + (stencil[s] < 0 ? nl->bin_nloc[bb] : 0), q1 = nl->bin_start[bb + 1];
        for (int q = q0; q < q1; q++) {
          double dx = bx[3 * q] - xi, dy = bx[3 * q + 1] - yi, dz = bx[3 * q + 2] - zi;
          out[nh] = atoms[q];
          nh += (dx * dx + dy * dy + dz * dz < rmax2) & (key[q] > twoi);
        }
      }
    }
    if (want_full) {
      if ((st = ensure(&nl->full, &nl->full_cap, nf + worst, err))) break;
      nl->full_start[i] = (int)nf;
      int *out = nl->full;
      for (int s = 0; s < ns; s++) {
        int bb = b + stencil[s];
        for (int q = nl->bin_start[bb]; q < nl->bin_start[bb + 1]; q++) {
          double dx = bx[3 * q] - xi, dy = bx[3 * q + 1] - yi, dz = bx[3 * q + 2] - zi;
          out[nf] = atoms[q];
          nf += (dx * dx + dy * dy + dz * dz < rmax2) & (atoms[q] != i);
        }
      }
    }
    if (nh > 2000000000u || nf > 2000000000u)
      st = mdb_err_set(err, MDB_EINPUT,
                       "the neighbour list would exceed 2^31 entries: cutoff %.3g Å is too "
                       "large for %d atoms",
                       nl->cutoff, n);
  }
  free(stencil);
  if (st) return st;
  if (want_half) nl->half_start[n] = (int)nh;
  if (want_full) nl->full_start[n] = (int)nf;
  return MDB_OK;
}

mdb_status mdb_neigh_build(mdb_neigh *nl, mdb_system *sys, mdb_err *err) {
  int n = sys->n;
  double r = nl->cutoff + nl->skin;
  mdb_status st = MDB_OK;
  if ((size_t)n > nl->atoms_cap) {
    st = regrow((void **)&nl->frac, (size_t)n * 3 * sizeof *nl->frac, "fractional coordinates", err);
    if (!st) st = regrow((void **)&nl->atom_bin, (size_t)n * sizeof *nl->atom_bin, "bin indices", err);
    if (!st) st = regrow((void **)&nl->bin_atoms, (size_t)n * sizeof *nl->bin_atoms, "bin lists", err);
    if (!st) st = regrow((void **)&nl->bin_x, (size_t)n * 3 * sizeof *nl->bin_x, "bin positions", err);
    if (!st) st = regrow((void **)&nl->bin_key, (size_t)n * sizeof *nl->bin_key, "bin keys", err);
    if (st) return st;
    nl->atoms_cap = (size_t)n;
  }
  /* a cutoff far beyond the cell: bad input at the first build, a collapsed
   * cell (a run that blew up) later */
  if ((st = mdb_neigh_check_cell(nl->cutoff, nl->skin, &sys->box, n, nl->builds ? MDB_ERUN : MDB_EINPUT, err)))
    return st;
  bin_grid g;
  size_t nbins_z = 0;
  if ((st = grid_setup(&g, &sys->box, r, n, &nbins_z, err))) return st;
  int nbins = (int)nbins_z;
  if ((size_t)nbins + 1 > nl->bins_cap) {
    if ((st = regrow((void **)&nl->bin_start, (size_t)(nbins + 1) * sizeof(int), "bins", err))) return st;
    if ((st = regrow((void **)&nl->bin_nloc, (size_t)(nbins + 1) * sizeof(int), "bins", err))) return st;
    nl->bins_cap = (size_t)nbins + 1;
  }
  /* at the first build the positions are the input's: bad input; later a
   * blown-up run */
  if ((st = wrap_locals(sys, nl->frac, nl->builds ? MDB_ERUN : MDB_EINPUT, err))) return st;
  for (int i = 0; i < n; i++) nl->atom_bin[i] = bin_index(&g, nl->frac + 3 * i);
  bin_sort(nl, n, nbins);
  if ((st = sort_locals(nl, sys, err))) return st;
  if ((st = make_ghosts(nl, sys, &g, err))) return st;
  int nall = n + nl->nghost;
  for (int p = 0; p < nall; p++) nl->atom_bin[p] = bin_index(&g, nl->frac + 3 * p);
  bin_sort(nl, nall, nbins);
  if ((st = build_lists(nl, sys, &g, nall, err))) return st;
  if (n > nl->n || !nl->x0) {
    if ((st = regrow((void **)&nl->x0, (size_t)n * 3 * sizeof(double), "reference positions", err))) return st;
  }
  memcpy(nl->x0, sys->x, (size_t)n * 3 * sizeof(double));
  memcpy(nl->h0, sys->box.h, sizeof nl->h0);
  memcpy(nl->h0inv, sys->box.hinv, sizeof nl->h0inv);
  nl->n = n;
  nl->builds++;
  return MDB_OK;
}

double mdb_neigh_max_displacement(const mdb_neigh *nl, const mdb_system *sys) {
  double m2 = 0;
  for (int i = 0; i < sys->n; i++) {
    double dx = sys->x[3 * i] - nl->x0[3 * i], dy = sys->x[3 * i + 1] - nl->x0[3 * i + 1],
           dz = sys->x[3 * i + 2] - nl->x0[3 * i + 2];
    double d2 = dx * dx + dy * dy + dz * dz;
    if (d2 > m2 || d2 != d2) m2 = d2;
  }
  return sqrt(m2);
}

void mdb_neigh_refresh_ghosts(const mdb_neigh *nl, mdb_system *sys) {
  int n = sys->n;
  for (int g = 0; g < nl->nghost; g++) {
    double d[3];
    ghost_offset(&sys->box, nl->shift + 3 * g, d);
    const double *xo = sys->x + 3 * nl->owner[g];
    double *xg = sys->x + 3 * (n + g);
    xg[0] = xo[0] + d[0];
    xg[1] = xo[1] + d[1];
    xg[2] = xo[2] + d[2];
  }
}

/* The rule for a changed cell (neigh.h): 1 when the list still holds every
 * pair within the cutoff. */
static int list_survives_cell_change(const mdb_neigh *nl, const mdb_system *sys) {
  double m[3][3], eps2 = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      m[a][b] =
          nl->h0inv[a][0] * sys->box.h[0][b] + nl->h0inv[a][1] * sys->box.h[1][b] + nl->h0inv[a][2] * sys->box.h[2][b];
      double d = m[a][b] - (a == b);
      eps2 += d * d;
    }
  double eps = sqrt(eps2);
  double budget = 0.5 * nl->skin - (nl->cutoff + nl->skin) * eps;
  if (!(eps < 1.0) || !(budget >= 0)) return 0;
  double lim2 = budget * budget;
  for (int i = 0; i < sys->n; i++) {
    const double *x = sys->x + 3 * i, *x0 = nl->x0 + 3 * i;
    double u2 = 0;
    for (int b = 0; b < 3; b++) {
      double u = x[b] - (x0[0] * m[0][b] + x0[1] * m[1][b] + x0[2] * m[2][b]);
      u2 += u * u;
    }
    if (!(u2 <= lim2)) return 0; /* NaN rebuilds too, and is caught by the caller */
  }
  return 1;
}

mdb_status mdb_neigh_update(mdb_neigh *nl, mdb_system *sys, int *rebuilt, mdb_err *err) {
  int need = nl->builds == 0 || nl->n != sys->n;
  if (!need && memcmp(nl->h0, sys->box.h, sizeof nl->h0) != 0) {
    need = !list_survives_cell_change(nl, sys);
  } else if (!need) {
    double half = 0.5 * nl->skin, lim2 = half * half;
    for (int i = 0; i < sys->n && !need; i++) {
      double dx = sys->x[3 * i] - nl->x0[3 * i], dy = sys->x[3 * i + 1] - nl->x0[3 * i + 1],
             dz = sys->x[3 * i + 2] - nl->x0[3 * i + 2];
      double d2 = dx * dx + dy * dy + dz * dz;
      need = !(d2 <= lim2); /* NaN rebuilds too, and is caught by the caller */
    }
  }
  if (rebuilt) *rebuilt = need;
  if (need) return mdb_neigh_build(nl, sys, err);
  mdb_neigh_refresh_ghosts(nl, sys);
  return MDB_OK;
}

void mdb_neigh_reverse(const mdb_neigh *nl, mdb_system *sys) {
  int n = sys->n;
  for (int g = 0; g < nl->nghost; g++) {
    const double *fg = sys->f + 3 * (n + g);
    double *fo = sys->f + 3 * nl->owner[g];
    fo[0] += fg[0];
    fo[1] += fg[1];
    fo[2] += fg[2];
  }
}
