/*
 * spcfw.c — flexible SPC/Fw water with damped-shifted-force Coulomb, CPU
 * backend (half list, Newton's third law). Formulas: calc/spcfw.h.
 *
 * Model (Wu, Tepper & Voth, J. Chem. Phys. 124, 024503 (2006)):
 *   q_O = −0.82 e, q_H = +0.41 e
 *   O–O Lennard-Jones σ = 3.165492 Å, ε = 0.1554253 kcal/mol; none on H
 *   bond  (k_b/2)(r − r0)²,  k_b = 1059.162 kcal mol⁻¹ Å⁻², r0 = 1.012 Å
 *   angle (k_θ/2)(θ − θ0)²,  k_θ = 75.90 kcal mol⁻¹ rad⁻², θ0 = 113.24°
 * The paper used Ewald sums; here Coulomb is the damped shifted force of
 * Fennell & Gezelter, J. Chem. Phys. 124, 234104 (2006), exactly as LAMMPS's
 * pair lj/cut/coul/dsf (pair term, shifts, per-atom self energy, and its
 * treatment of excluded pairs, below).
 *
 * Spec: spcfw[:alpha=Å⁻¹][,rc=Å]
 *   alpha  DSF damping, default 0.2 Å⁻¹, any value >= 0 (0: undamped shifted
 *          force). Fennell & Gezelter's tests favour moderate damping of
 *          about 0.2 Å⁻¹ for cutoffs of 9–12 Å.
 *   rc     cutoff of both LJ and Coulomb, default 10 Å (> 3 Å). With α = 0.2
 *          and rc = 10, erfc(α rc) = 0.005: the shift is a small correction.
 *   LJ is truncated at rc and shifted to zero there (LAMMPS: pair_modify
 *   shift yes); DSF goes to zero with its first derivative by construction.
 *
 * Differences from LAMMPS (lj/cut/coul/dsf, Debian's 2021 build): LAMMPS
 * evaluates erfc(αr) in the pair loop with the Abramowitz & Stegun 7.1.26
 * polynomial (absolute error up to 1.5e-7), while its shifts use libm's
 * erfc; here every erfc is libm's, so the forces are exactly −∇E. LAMMPS's
 * metal-units Coulomb constant is 14.399645 eV·Å; here it is CODATA 2018's
 * 14.399645478 (3e-8 relative apart). On water boxes the two codes then
 * differ by < 5e-7 eV/atom in energy (the polynomial's error, which the peer
 * test computes and removes, leaving 2e-8 relative), < 1e-6 eV/Å in forces.
 *
 * Exclusions: every pair within a molecule (O–H, O–H, H–H) is excluded as
 * LAMMPS excludes 1-2 and 1-3 pairs with special_bonds lj/coul 0.0 0.0 0.0
 * under lj/cut/coul/dsf: no LJ, and the bare Coulomb q_i q_j C/r removed
 * from the DSF pair term, which leaves V_ex(r) = −q_i q_j C [erf(αr)/r + e_s
 * + f_s r] (calc/spcfw.h). LAMMPS's neighbor.cpp keeps such pairs in the
 * list for coul/dsf and coul/wolf styles because "the exclusion needs to
 * remove the full coulomb and not the damped interaction"; the pair style
 * then subtracts (1 − factor_coul) q_i q_j C/r. This is the counterpart of
 * the self term: for a rigid molecule at the SPC/Fw geometry with the
 * defaults, self (−1.676 eV) and excluded pairs (+1.664 eV) nearly cancel,
 * where skipping the pairs would leave a constant −1.676 eV per molecule and
 * change the forces (by up to 0.07 eV/Å in the tests).
 * Only the bonded image is excluded: in a small cell an atom also
 * meets other periodic images of its own molecule, and those interact like
 * any other pair (LAMMPS flags only the minimum image of a bonded partner,
 * which in a cell wider than 6 Å is the image closer than 3 Å). The
 * bonded image of a partner is the one closer than MOL_SPAN = 3 Å; the cell
 * must be wider than 2·MOL_SPAN so that exactly one image can be that close,
 * and every call checks that each molecule's three pairs were found exactly
 * once (a molecule stretched past 3 Å is a blown-up run: MDB_ERUN).
 *
 * Bonded forces go on the atoms (local or ghost) of the excluded pairs found
 * in the half list: bond k uses the vector d_k = x_H − x_O of the pair found
 * for it, and the angle term, a function of d_1 and d_2 only, puts f_k on
 * that pair's H and −f_k on that pair's O. Each such pair of forces sums to
 * zero and acts across the vector that was used, so the Σ x⊗f virial is
 * exact for molecules straddling the cell boundary.
 *
 * Molecules: atoms O,H,H grouped by sys->mol (the water builder); a system
 * without molecule ids (an .xyz file) is read as consecutive O,H,H triples
 * in file order (original ids 3m, 3m+1, 3m+2), the builder's own order.
 * Only O and H are accepted.
 *
 * Units: kcal/mol → eV by 4184 J / (N_A e) with CODATA 2018's exact N_A and
 * e; C = e / (4π ε₀ · 1 Å) with CODATA 2018's ε₀.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "calc/spcfw.h"
#include "calc/spcfw_kern.h"

#define KCALMOL_EV 0.043364104241800934 /* eV per kcal/mol: 4184 / (6.02214076e23 · 1.602176634e-19) */
#define COULOMB_EV_A 14.39964547842567  /* e²/(4πε₀) in eV·Å, ε₀ = 8.8541878128e-12 F/m */
#define DEG_RAD 0.017453292519943295    /* π/180 */

#define Q_O (-0.82)
#define Q_H 0.41
#define SIGMA_OO 3.165492               /* Å */
#define EPS_OO (0.1554253 * KCALMOL_EV) /* eV */
#define K_BOND (1059.162 * KCALMOL_EV)  /* eV/Å² */
#define R0_BOND 1.012                   /* Å */
#define K_ANGLE (75.90 * KCALMOL_EV)    /* eV/rad² */
#define THETA0 (113.24 * DEG_RAD)       /* rad */
#define MOL_SPAN 3.0                    /* Å: intramolecular distances stay below */

#define ALPHA_DEFAULT 0.2 /* Å⁻¹ */
#define RC_DEFAULT 10.0   /* Å */

typedef struct spcfw_ctx {
  double alpha, rc;
  mdb_dsf dsf;
  int t_o, t_h;
  mdb_spcfw_pair pair[MDB_MAX_TYPES * MDB_MAX_TYPES];
  double e_self; /* Σ_i E_self,i (eV) */
  int n, nmol;
  int *mol_of_id; /* [n] molecule (0..nmol-1) of each original atom id */
  int *o_id;      /* [nmol] original id of each molecule's O */
  int *h_id;      /* [2 nmol] original ids of its two H, ascending */
  /* per call */
  int *molx; /* [n + nghost] molecule of every local and ghost atom */
  int molx_cap;
  int *bond_o, *bond_h; /* [2 nmol] atoms (local or ghost) of the O–H_k pair found */
  unsigned char *seen;  /* [3 nmol] times O–H_0, O–H_1, H–H were found */
  int odd;              /* an excluded pair that is not O–H or H–H (molecule + 1), 0: none */
  mdb_spcfw_params prm; /* what ops->params shows the GPU backend, filled by prepare */
  int computed;         /* a compute succeeded since prepare: a torn molecule is now a blow-up, not the input's */
} spcfw_ctx;

static void free_arrays(spcfw_ctx *c) {
  free(c->mol_of_id);
  free(c->o_id);
  free(c->h_id);
  free(c->bond_o);
  free(c->bond_h);
  free(c->seen);
  c->mol_of_id = c->o_id = c->h_id = c->bond_o = c->bond_h = NULL;
  c->seen = NULL;
  c->n = c->nmol = 0;
  memset(&c->prm, 0, sizeof c->prm);
}

static const mdb_calc_key spcfw_keys[] = {
    {"alpha", MDB_STR(ALPHA_DEFAULT), "damped shifted force Coulomb damping (1/Å); 0: undamped"},
    {"rc", MDB_STR(RC_DEFAULT), "cutoff of LJ and Coulomb (Å)"},
    {NULL, NULL, NULL}};

static mdb_status spcfw_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  mdb_status st = mdb_calc_check_keys(spec, spcfw_keys, err);
  if (st) return st;
  double alpha = ALPHA_DEFAULT, rc = RC_DEFAULT;
  int found;
  if ((st = mdb_spec_double(spec, "alpha", &alpha, &found, err))) return st;
  if (!(alpha >= 0))
    return mdb_err_set(err, MDB_EINPUT, "spcfw: alpha must be >= 0 Å⁻¹ (got %g; default %g)", alpha, ALPHA_DEFAULT);
  if ((st = mdb_spec_double(spec, "rc", &rc, &found, err))) return st;
  if (!(rc > MOL_SPAN))
    return mdb_err_set(err, MDB_EINPUT,
                       "spcfw: rc must be > %g Å, the largest intramolecular distance (got %g; "
                       "default %g)",
                       MOL_SPAN, rc, RC_DEFAULT);
  spcfw_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "spcfw parameters", sizeof *c);
  c->alpha = alpha;
  c->rc = rc;
  mdb_dsf_setup(&c->dsf, alpha, rc);
  c->t_o = c->t_h = -1;
  *out = c;
  return MDB_OK;
}

static double min_width(const mdb_box *b) { return fmin(b->width[0], fmin(b->width[1], b->width[2])); }

static mdb_status check_width(const mdb_box *b, mdb_err *err) {
  if (min_width(b) > 2 * MOL_SPAN) return MDB_OK;
  return mdb_err_set(err, MDB_EINPUT,
                     "spcfw: the cell is %.3g Å wide; it must be wider than %g Å so that each "
                     "atom has one image of its molecule partners within %g Å (use more molecules)",
                     min_width(b), 2 * MOL_SPAN, MOL_SPAN);
}

typedef struct mol_key {
  int mol, not_o, id;
} mol_key;

static int mol_key_cmp(const void *pa, const void *pb) {
  const mol_key *a = pa, *b = pb;
  if (a->mol != b->mol) return a->mol < b->mol ? -1 : 1;
  if (a->not_o != b->not_o) return a->not_o < b->not_o ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Groups the atoms into molecules: by sys->mol, or as consecutive O,H,H
 * triples of original ids when no atom has a molecule id. */
static mdb_status find_molecules(spcfw_ctx *c, const mdb_system *sys, mdb_err *err) {
  const int n = sys->n;
  mol_key *keys = malloc((size_t)n * sizeof *keys);
  if (!keys) return mdb_err_nomem(err, "spcfw molecule table", n * (double)sizeof *keys);
  int with_mol = 0;
  mdb_status st = MDB_OK;
  for (int i = 0; i < n && !st; i++) {
    int id = sys->id[i];
    if (id < 0 || id >= n) st = mdb_err_set(err, MDB_ERUN, "spcfw: atom id %d is outside 0..%d", id, n - 1);
    keys[i].id = id;
    keys[i].mol = sys->mol[i];
    keys[i].not_o = sys->type[i] != c->t_o;
    with_mol += sys->mol[i] >= 0;
  }
  if (!st && with_mol && with_mol != n) {
    int i = 0;
    while (sys->mol[i] >= 0) i++;
    st = mdb_err_set(err, MDB_EINPUT,
                     "spcfw: atom %d has no molecule id while %d atoms have one; every atom "
                     "must belong to an O,H,H molecule",
                     sys->id[i] + 1, with_mol);
  }
  if (!st && !with_mol) /* consecutive triples: molecule id/3, and the O must be first */
    for (int i = 0; i < n; i++) {
      keys[i].mol = keys[i].id / 3;
      if ((keys[i].id % 3 == 0) != !keys[i].not_o && !st)
        st = mdb_err_set(err, MDB_EINPUT,
                         "spcfw: the system has no molecule ids, so its atoms are read as "
                         "consecutive O,H,H molecules, but atom %d is %s",
                         keys[i].id + 1, sys->species[sys->type[i]]);
    }
  if (st) {
    free(keys);
    return st;
  }
  qsort(keys, (size_t)n, sizeof *keys, mol_key_cmp);
  const int nmol = n / 3;
  c->mol_of_id = malloc((size_t)n * sizeof *c->mol_of_id);
  c->o_id = malloc((size_t)nmol * sizeof *c->o_id);
  c->h_id = malloc((size_t)nmol * 2 * sizeof *c->h_id);
  c->bond_o = malloc((size_t)nmol * 2 * sizeof *c->bond_o);
  c->bond_h = malloc((size_t)nmol * 2 * sizeof *c->bond_h);
  c->seen = malloc((size_t)nmol * 3);
  if (!c->mol_of_id || !c->o_id || !c->h_id || !c->bond_o || !c->bond_h || !c->seen) {
    free(keys);
    free_arrays(c);
    return mdb_err_nomem(err, "spcfw molecule table", n * 40.0);
  }
  c->n = n;
  c->nmol = nmol;
  for (int k = 0, m = 0; k < n; m++) {
    int e = k;
    while (e < n && keys[e].mol == keys[k].mol) e++;
    int no = 0;
    for (int q = k; q < e; q++) no += !keys[q].not_o;
    if (e - k != 3 || no != 1) {
      st = mdb_err_set(err, MDB_EINPUT,
                       "spcfw: molecule id %d has %d atoms (%d O, %d H); every molecule must be "
                       "O,H,H",
                       keys[k].mol, e - k, no, e - k - no);
      break;
    }
    c->o_id[m] = keys[k].id;
    c->h_id[2 * m] = keys[k + 1].id;
    c->h_id[2 * m + 1] = keys[k + 2].id;
    for (int q = k; q < e; q++) c->mol_of_id[keys[q].id] = m;
    k = e;
  }
  free(keys);
  if (st) free_arrays(c);
  return st;
}

static mdb_status spcfw_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  spcfw_ctx *c = ctx;
  free_arrays(c);
  c->computed = 0;
  c->t_o = c->t_h = -1;
  int count[MDB_MAX_TYPES] = {0};
  for (int i = 0; i < sys->n; i++) count[sys->type[i]]++;
  for (int t = 0; t < sys->ntypes; t++) {
    if (strcmp(sys->species[t], "O") == 0)
      c->t_o = t;
    else if (strcmp(sys->species[t], "H") == 0)
      c->t_h = t;
    else if (count[t])
      return mdb_err_set(err, MDB_EINPUT, "spcfw models water: the system has %d %s atoms (valid species: O, H)",
                         count[t], sys->species[t]);
  }
  if (sys->n == 0 || sys->n % 3 || c->t_o < 0 || c->t_h < 0 || 2 * count[c->t_o] != count[c->t_h])
    return mdb_err_set(err, MDB_EINPUT,
                       "spcfw models water: the system must be O,H,H molecules (it has %d O and "
                       "%d H atoms)",
                       c->t_o < 0 ? 0 : count[c->t_o], c->t_h < 0 ? 0 : count[c->t_h]);
  mdb_status st = check_width(&sys->box, err);
  if (!st) st = find_molecules(c, sys, err);
  if (st) return st;
  const int tt[2] = {c->t_o, c->t_h};
  const double q[2] = {Q_O, Q_H};
  const double s6 = pow(SIGMA_OO, 6);
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      mdb_spcfw_pair *p = &c->pair[tt[a] * MDB_MAX_TYPES + tt[b]];
      memset(p, 0, sizeof *p);
      p->qqc = q[a] * q[b] * COULOMB_EV_A;
      if (a == 0 && b == 0) {
        p->lj.c12 = 4.0 * EPS_OO * s6 * s6;
        p->lj.c6 = 4.0 * EPS_OO * s6;
        p->lj.rc2 = c->rc * c->rc;
        double unused;
        p->lj.eshift = mdb_lj_eval(p->lj.rc2, &p->lj, &unused);
      }
    }
  c->e_self =
      c->nmol * (mdb_dsf_self(Q_O * Q_O * COULOMB_EV_A, &c->dsf) + 2 * mdb_dsf_self(Q_H * Q_H * COULOMB_EV_A, &c->dsf));
  mdb_spcfw_params *prm = &c->prm;
  prm->rc = c->rc;
  prm->dsf = c->dsf;
  prm->t_o = c->t_o;
  prm->t_h = c->t_h;
  memcpy(prm->pair, c->pair, sizeof prm->pair);
  prm->k_bond = K_BOND;
  prm->r0_bond = R0_BOND;
  prm->k_angle = K_ANGLE;
  prm->theta0 = THETA0;
  prm->mol_span = MOL_SPAN;
  prm->n = c->n;
  prm->nmol = c->nmol;
  prm->mol_of_id = c->mol_of_id;
  prm->o_id = c->o_id;
  prm->h_id = c->h_id;
  return MDB_OK;
}

static double spcfw_cutoff(const void *ctx) { return ((const spcfw_ctx *)ctx)->rc; }

static unsigned spcfw_kinds(const void *ctx) {
  (void)ctx;
  return MDB_NEIGH_HALF;
}

/* Records an excluded (same molecule, same image) pair i–j, i local. */
static void note_excluded(spcfw_ctx *c, const mdb_system *sys, const mdb_neigh *nl, int i, int j) {
  const int m = c->molx[i], ti = sys->type[i], tj = sys->type[j];
  if (ti == c->t_h && tj == c->t_h) {
    c->seen[3 * m + 2]++;
    return;
  }
  if ((ti == c->t_o) == (tj == c->t_o)) { /* cannot happen in a cell wider than 2·MOL_SPAN */
    c->odd = m + 1;
    return;
  }
  const int o = ti == c->t_o ? i : j, h = ti == c->t_o ? j : i;
  const int hid = sys->id[h < sys->n ? h : nl->owner[h - sys->n]];
  const int k = hid == c->h_id[2 * m] ? 0 : 1;
  c->bond_o[2 * m + k] = o;
  c->bond_h[2 * m + k] = h;
  c->seen[3 * m + k]++;
}

#define SPCFW_CHUNK 64

/* The pair loop, in passes over chunks of i's neighbours: distances and a
 * branch-free selection of the pairs inside rc that are not bonded partners
 * (the ~25 % of list entries in the skin are dropped before the costly
 * erfc/exp), then the formula on the selected pairs, then the scattered
 * force writes (Newton's third law); last the few bonded partners: their
 * excluded-pair Coulomb term, and a record for the bonds and angles. */
static inline double spcfw_pairs(spcfw_ctx *c, mdb_system *sys, const mdb_neigh *nl, const int eflag) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  const int *restrict type = sys->type;
  const int *restrict molx = c->molx;
  const int *restrict list = nl->half;
  const mdb_dsf dsf = c->dsf;
  const double rc2 = dsf.rc2, span2 = MOL_SPAN * MOL_SPAN;
  double energy = 0;
  double dxs[SPCFW_CHUNK], dys[SPCFW_CHUNK], dzs[SPCFW_CHUNK], r2s[SPCFW_CHUNK], fps[SPCFW_CHUNK];
  int sel[SPCFW_CHUNK], exl[SPCFW_CHUNK];
  for (int i = 0; i < sys->n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const int mi = molx[i];
    const mdb_spcfw_pair *pi = c->pair + type[i] * MDB_MAX_TYPES;
    double fxi = 0, fyi = 0, fzi = 0;
    const int kend = nl->half_start[i + 1];
    for (int k0 = nl->half_start[i]; k0 < kend; k0 += SPCFW_CHUNK) {
      const int cnt = kend - k0 < SPCFW_CHUNK ? kend - k0 : SPCFW_CHUNK;
      const int *restrict js = list + k0;
      int ns = 0, ne = 0;
      for (int k = 0; k < cnt; k++) {
        const int j = js[k];
        const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
        const double r2 = dx * dx + dy * dy + dz * dz;
        const int bonded = (molx[j] == mi) & (r2 < span2);
        dxs[k] = dx;
        dys[k] = dy;
        dzs[k] = dz;
        r2s[k] = r2;
        sel[ns] = k;
        ns += (r2 < rc2) & !bonded;
        exl[ne] = k;
        ne += bonded;
      }
      for (int s = 0; s < ns; s++) {
        const int k = sel[s];
        double fpair;
        const double e = mdb_spcfw_pair_eval(r2s[k], &pi[type[js[k]]], &dsf, &fpair);
        fps[s] = fpair;
        if (eflag) energy += e;
      }
      for (int s = 0; s < ns; s++) {
        const int k = sel[s], j = js[k];
        const double fx = fps[s] * dxs[k], fy = fps[s] * dys[k], fz = fps[s] * dzs[k];
        fxi -= fx;
        fyi -= fy;
        fzi -= fz;
        f[3 * j] += fx;
        f[3 * j + 1] += fy;
        f[3 * j + 2] += fz;
      }
      for (int s = 0; s < ne; s++) { /* 3 per molecule: scalar */
        const int k = exl[s], j = js[k];
        double fpair;
        const double e = mdb_dsf_excluded(r2s[k], pi[type[j]].qqc, &dsf, &fpair);
        if (eflag) energy += e;
        fxi -= fpair * dxs[k];
        fyi -= fpair * dys[k];
        fzi -= fpair * dzs[k];
        f[3 * j] += fpair * dxs[k];
        f[3 * j + 1] += fpair * dys[k];
        f[3 * j + 2] += fpair * dzs[k];
        note_excluded(c, sys, nl, i, j);
      }
    }
    f[3 * i] += fxi;
    f[3 * i + 1] += fyi;
    f[3 * i + 2] += fzi;
  }
  return energy;
}

static mdb_status torn(const spcfw_ctx *c, int m, int kind, mdb_err *err) {
  const int a = kind == 2 ? c->h_id[2 * m] : c->o_id[m], b = kind == 2 ? c->h_id[2 * m + 1] : c->h_id[2 * m + kind];
  return mdb_err_set(err, c->computed ? MDB_ERUN : MDB_EINPUT,
                     "spcfw: atoms %d and %d, of one molecule, are %s within %g Å of each other: "
                     "the molecule is torn apart%s or its atoms are not an O,H,H molecule",
                     a + 1, b + 1, c->seen[3 * m + kind] ? "more than once" : "not", MOL_SPAN,
                     c->computed ? " (a blown-up run)" : " in the input");
}

/* Bonds and angles from the O–H pairs the pair loop found. */
static mdb_status spcfw_bonded(const spcfw_ctx *c, mdb_system *sys, double *energy, mdb_err *err) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  double e = 0;
  for (int m = 0; m < c->nmol; m++) {
    for (int kind = 0; kind < 3; kind++)
      if (c->seen[3 * m + kind] != 1) return torn(c, m, kind, err);
    double d[2][3], fb[2][3];
    for (int k = 0; k < 2; k++) {
      const int o = c->bond_o[2 * m + k], h = c->bond_h[2 * m + k];
      for (int q = 0; q < 3; q++) d[k][q] = x[3 * h + q] - x[3 * o + q];
      double fpair;
      e += mdb_harmonic_bond(d[k][0] * d[k][0] + d[k][1] * d[k][1] + d[k][2] * d[k][2], K_BOND, R0_BOND, &fpair);
      for (int q = 0; q < 3; q++) fb[k][q] = fpair * d[k][q];
    }
    double fa[2][3];
    e += mdb_harmonic_angle(d[0], d[1], K_ANGLE, THETA0, fa[0], fa[1]);
    for (int k = 0; k < 2; k++) {
      const int o = c->bond_o[2 * m + k], h = c->bond_h[2 * m + k];
      for (int q = 0; q < 3; q++) {
        const double fq = fb[k][q] + fa[k][q];
        f[3 * h + q] += fq;
        f[3 * o + q] -= fq;
      }
    }
  }
  *energy = e;
  return MDB_OK;
}

static mdb_status spcfw_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                                mdb_err *err) {
  spcfw_ctx *c = ctx;
  if (sys->n != c->n)
    return mdb_err_set(err, MDB_ERUN, "spcfw was prepared for %d atoms but the system has %d", c->n, sys->n);
  mdb_status st = check_width(&sys->box, err);
  if (st) return st;
  const int n = sys->n, nall = n + sys->nghost;
  if (nall > c->molx_cap) {
    int *p = realloc(c->molx, (size_t)nall * sizeof *p);
    if (!p) return mdb_err_nomem(err, "spcfw molecule indices", nall * 4.0);
    c->molx = p;
    c->molx_cap = nall;
  }
  for (int i = 0; i < n; i++) c->molx[i] = c->mol_of_id[sys->id[i]];
  for (int g = 0; g < sys->nghost; g++) c->molx[n + g] = c->molx[nl->owner[g]];
  memset(c->seen, 0, (size_t)c->nmol * 3);
  c->odd = 0;
  const int eflag = (flags & MDB_COMPUTE_ENERGY) != 0;
  double e_pair = eflag ? spcfw_pairs(c, sys, nl, 1) : spcfw_pairs(c, sys, nl, 0);
  if (c->odd)
    return mdb_err_set(err, c->computed ? MDB_ERUN : MDB_EINPUT,
                       "spcfw: molecule %d has an O–O pair closer than %g Å (an atom met its own "
                       "image: the cell is too narrow)",
                       c->odd, MOL_SPAN);
  double e_bonded = 0;
  if ((st = spcfw_bonded(c, sys, &e_bonded, err))) return st;
  out->energy = eflag ? e_pair + e_bonded + c->e_self : 0.0;
  c->computed = 1;
  return MDB_OK;
}

static const void *spcfw_params(const void *ctx) { return &((const spcfw_ctx *)ctx)->prm; }

static void spcfw_fini(void *ctx) {
  spcfw_ctx *c = ctx;
  if (!c) return;
  free_arrays(c);
  free(c->molx);
  free(c);
}

/* Scheduling cost relative to lj argon: 8.1 µs per atom-step at 2048 atoms
 * of water on one core (Release), against lj's 0.34. */
static double spcfw_cost(const mdb_calc_spec *spec) {
  (void)spec;
  return 24.0;
}

/* ---------------------------------------------------------- GPU half
 * The device half of the spcfw calculator: uploads the
 * prepared pair table and DSF constants (calc/spcfw.h mdb_spcfw_params) and
 * the molecule table in device order, and launches calc/spcfw_kern.h.
 */

typedef struct gspcfw {
  mdb_spcfw_pair *pair; /* device [ntypes*ntypes] */
  int *mol;             /* device [3 natoms] */
  mdb_dsf dsf;
  double k_bond, r0_bond, k_angle, theta0, span2;
} gspcfw;

/* mol[3i..3i+2]: device indices of the O, H_0, H_1 of atom i's molecule,
 * from the CPU calculator's table by original id (the device order is the
 * host system's order at setup, g->sys). */
static mdb_status molecule_table(const mdb_gcalc_env *g, const mdb_spcfw_params *prm, int *mol, mdb_err *err) {
  const int n = g->n;
  const int *id = g->sys->id;
  int *dev_of_id = malloc((size_t)n * sizeof *dev_of_id);
  if (!dev_of_id) return mdb_err_nomem(err, "spcfw molecule table", n * 4.0);
  mdb_status st = MDB_OK;
  for (int i = 0; i < n; i++) dev_of_id[i] = -1;
  for (int i = 0; i < n && !st; i++) {
    if (id[i] < 0 || id[i] >= n || dev_of_id[id[i]] >= 0)
      st = mdb_err_set(err, MDB_EINPUT, "spcfw on cuda: atom ids must be 0..%d, each once (atom %d has id %d)", n - 1,
                       i, id[i]);
    else
      dev_of_id[id[i]] = i;
  }
  for (int i = 0; i < n && !st; i++) {
    const int m = prm->mol_of_id[id[i]];
    mol[3 * i] = dev_of_id[prm->o_id[m]];
    mol[3 * i + 1] = dev_of_id[prm->h_id[2 * m]];
    mol[3 * i + 2] = dev_of_id[prm->h_id[2 * m + 1]];
  }
  free(dev_of_id);
  return st;
}

static mdb_status gspcfw_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_spcfw_params *prm = (const mdb_spcfw_params *)cpu->ops->params(cpu->ctx);
  const int n = g->n, nt = g->kp->ntypes;
  if (!prm || prm->n != n || !prm->mol_of_id)
    return mdb_err_set(err, MDB_EINPUT, "spcfw on cuda: the calculator was prepared for %d atoms, the engine has %d",
                       prm ? prm->n : 0, n);
  gspcfw *c = (gspcfw *)calloc(1, sizeof *c);
  mdb_spcfw_pair *h = (mdb_spcfw_pair *)calloc((size_t)nt * nt, sizeof *h);
  int *mol = (int *)malloc((size_t)n * 3 * sizeof *mol);
  mdb_status st = MDB_OK;
  if (!c || !h || !mol) st = mdb_err_nomem(err, "spcfw tables", 40.0 * nt * nt + 12.0 * n);
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) h[a * nt + b] = prm->pair[a * MDB_MAX_TYPES + b];
  if (!st) st = molecule_table(g, prm, mol, err);
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, (size_t)nt * nt * sizeof *h, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->mol, (size_t)n * 3 * sizeof *mol, err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, h, (size_t)nt * nt * sizeof *h, err)))
    st = g->dev->ops->h2d(g->dev, c->mol, mol, (size_t)n * 3 * sizeof *mol, err);
  free(h);
  free(mol);
  if (st) {
    free(c);
    return st;
  }
  c->dsf = prm->dsf;
  c->k_bond = prm->k_bond;
  c->r0_bond = prm->r0_bond;
  c->k_angle = prm->k_angle;
  c->theta0 = prm->theta0;
  c->span2 = prm->mol_span * prm->mol_span;
  *ctx = c;
  return MDB_OK;
}

static mdb_status gspcfw_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const gspcfw *c = (const gspcfw *)ctx;
  mdb_kp_spcfw q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.mol = c->mol;
  q.dsf = c->dsf;
  q.k_bond = c->k_bond;
  q.r0_bond = c->r0_bond;
  q.k_angle = c->k_angle;
  q.theta0 = c->theta0;
  q.span2 = c->span2;
  return mdb_launch_spcfw(g->dev, g->n, &q, err);
}

MDB_KERNELS_SPCFW(MDB_KERNEL_DEFINE)

/* fixed_order: the molecule table holds device indices, so no re-sort */
static const mdb_gcalc_ops mdb_spcfw_gpu = {0, gspcfw_setup, gspcfw_forces, NULL, 1};

const mdb_calc_ops mdb_spcfw_cpu_ops = {
    .name = "spcfw",
    .device = "cpu",
    .summary = "flexible SPC/Fw water, damped shifted force Coulomb (keys: alpha, rc)",
    .init = spcfw_init,
    .prepare = spcfw_prepare,
    .cutoff = spcfw_cutoff,
    .neigh_kinds = spcfw_kinds,
    .compute = spcfw_compute,
    .fini = spcfw_fini,
    .cost = spcfw_cost,
    .params = spcfw_params,
    .keys = spcfw_keys,
    .gpu = &mdb_spcfw_gpu,
};
