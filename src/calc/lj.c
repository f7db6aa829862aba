/*
 * lj.c — Lennard-Jones 12-6, CPU backend (half list, Newton's third law).
 *
 * Spec: lj[:rc=Å][,epsilon=eV,sigma=Å]
 *   rc       cutoff, default 2.5 σ_max over the species present; the energy
 *            is shifted to zero at rc (LAMMPS pair_modify shift yes, ASE's
 *            LennardJones with smooth=False).
 *   epsilon, sigma  override the element table; only for one-species systems.
 * Unlike pairs mix by Lorentz–Berthelot: σ_ij = (σ_i+σ_j)/2, ε_ij = √(ε_i ε_j).
 *
 * Element parameters (ε in eV, σ in Å):
 *   Ar  ε/kB = 119.8 K, σ = 3.405 Å — Rahman, Phys. Rev. 136, A405 (1964).
 *   Cu  ε = 0.4093, σ = 2.338 — Halicioğlu & Pound, Phys. Status Solidi A
 *       30, 619 (1975), fitted to the fcc lattice constant and cohesive energy.
 *   Al  ε = 0.3922, σ = 2.620 — same source.
 *   Si  ε = 2.315, σ = 2.0951 — no published 12-6 set describes diamond Si;
 *       these follow the same recipe for the diamond cell: σ = r_nn/2^(1/6)
 *       with r_nn = √3/4 · 5.431 Å, ε = E_coh/2 with E_coh = 4.63 eV (Kittel)
 *       shared over 4 nearest-neighbour bonds per 2 atoms. LJ cannot hold the
 *       diamond structure for long: use it to time a pair potential, not to
 *       study silicon (the sw calculator is the physical model).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "calc/lj.h"
#include "core/units.h"
#include "calc/lj_kern.h"

typedef struct lj_element {
  const char *symbol;
  double epsilon, sigma;
} lj_element;

static const lj_element lj_table[] = {
    {"Ar", 119.8 * MDB_KB_EV, 3.405},
    {"Cu", 0.4093, 2.338},
    {"Al", 0.3922, 2.620},
    {"Si", 2.315, 2.0951},
};
static const int lj_ntable = (int)(sizeof lj_table / sizeof lj_table[0]);

typedef struct lj_ctx {
  double rc_user; /* 0: default */
  double eps_user, sigma_user;
  int has_eps, has_sigma;
  mdb_lj_params prm; /* rc, ntypes, pair table: what the GPU backend uploads */
} lj_ctx;

static const mdb_calc_key lj_keys[] = {
    {"rc", "2.5 sigma_max of the species present", "cutoff (Å); the energy is shifted to zero there"},
    {"epsilon", "the element table", "well depth (eV); one-species systems only"},
    {"sigma", "the element table", "zero-crossing distance (Å); one-species systems only"},
    {NULL, NULL, NULL}};

static mdb_status lj_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  mdb_status st = mdb_calc_check_keys(spec, lj_keys, err);
  if (st) return st;
  lj_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "lj parameters", sizeof *c);
  int found;
  st = mdb_spec_double(spec, "rc", &c->rc_user, &found, err);
  if (!st && found && !(c->rc_user > 0)) st = mdb_err_set(err, MDB_EINPUT, "lj: rc must be > 0 Å (got %g)", c->rc_user);
  if (!st) st = mdb_spec_double(spec, "epsilon", &c->eps_user, &c->has_eps, err);
  if (!st && c->has_eps && !(c->eps_user > 0))
    st = mdb_err_set(err, MDB_EINPUT, "lj: epsilon must be > 0 eV (got %g)", c->eps_user);
  if (!st) st = mdb_spec_double(spec, "sigma", &c->sigma_user, &c->has_sigma, err);
  if (!st && c->has_sigma && !(c->sigma_user > 0))
    st = mdb_err_set(err, MDB_EINPUT, "lj: sigma must be > 0 Å (got %g)", c->sigma_user);
  if (st) {
    free(c);
    return st;
  }
  *out = c;
  return MDB_OK;
}

static mdb_status lj_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  lj_ctx *c = ctx;
  if ((c->has_eps || c->has_sigma) && sys->ntypes != 1)
    return mdb_err_set(err, MDB_EINPUT, "lj: epsilon/sigma overrides need a one-species system (this one has %d)",
                       sys->ntypes);
  double eps[MDB_MAX_TYPES], sig[MDB_MAX_TYPES], sigmax = 0;
  for (int t = 0; t < sys->ntypes; t++) {
    int k = 0;
    while (k < lj_ntable && strcmp(lj_table[k].symbol, sys->species[t]) != 0) k++;
    if (k == lj_ntable && !(c->has_eps && c->has_sigma))
      return mdb_err_set(err, MDB_EINPUT,
                         "lj has no parameters for element %s (covered: Ar, Cu, Al, Si; or give "
                         "lj:epsilon=...,sigma=...)",
                         sys->species[t]);
    eps[t] = c->has_eps ? c->eps_user : lj_table[k].epsilon;
    sig[t] = c->has_sigma ? c->sigma_user : lj_table[k].sigma;
    if (sig[t] > sigmax) sigmax = sig[t];
  }
  c->prm.rc = c->rc_user > 0 ? c->rc_user : 2.5 * sigmax;
  c->prm.ntypes = sys->ntypes;
  for (int a = 0; a < sys->ntypes; a++)
    for (int b = 0; b < sys->ntypes; b++) {
      double e = sqrt(eps[a] * eps[b]), s = 0.5 * (sig[a] + sig[b]);
      double s6 = s * s * s * s * s * s;
      mdb_lj_pair *p = &c->prm.pair[a * MDB_MAX_TYPES + b];
      p->c12 = 4.0 * e * s6 * s6;
      p->c6 = 4.0 * e * s6;
      p->rc2 = c->prm.rc * c->prm.rc;
      p->eshift = 0;
      double unused;
      p->eshift = mdb_lj_eval(p->rc2, p, &unused);
    }
  return MDB_OK;
}

static double lj_cutoff(const void *ctx) { return ((const lj_ctx *)ctx)->prm.rc; }

static unsigned lj_kinds(const void *ctx) {
  (void)ctx;
  return MDB_NEIGH_HALF;
}

#define LJ_CHUNK 64

/* The pair loop, in two passes over chunks of i's neighbours: the first
 * gathers positions and evaluates the formula for every pair (no stores to
 * shared atoms, so the compiler vectorises it with gathers where the ISA has
 * them), the second adds the forces (Newton's third law: scattered writes,
 * kept scalar). Pairs in the skin are evaluated and zeroed by a mask, which
 * beats a mispredicted branch on ~30 % of the list. eflag and one_type are
 * compile-time constants at each call site. */
static inline double lj_loop(const lj_ctx *c, mdb_system *sys, const mdb_neigh *nl, const int eflag,
                             const int one_type) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  const int *restrict type = sys->type;
  const int *restrict list = nl->half;
  const mdb_lj_pair p0 = c->prm.pair[0];
  double energy = 0;
  double dxs[LJ_CHUNK], dys[LJ_CHUNK], dzs[LJ_CHUNK], fps[LJ_CHUNK], es[LJ_CHUNK];
  for (int i = 0; i < sys->n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const mdb_lj_pair *pi = c->prm.pair + type[i] * MDB_MAX_TYPES;
    double fxi = 0, fyi = 0, fzi = 0;
    const int kend = nl->half_start[i + 1];
    for (int k0 = nl->half_start[i]; k0 < kend; k0 += LJ_CHUNK) {
      const int m = kend - k0 < LJ_CHUNK ? kend - k0 : LJ_CHUNK;
      const int *restrict js = list + k0;
      for (int k = 0; k < m; k++) {
        const int j = js[k];
        const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
        const double r2 = dx * dx + dy * dy + dz * dz;
        const mdb_lj_pair p = one_type ? p0 : pi[type[j]];
        const double in = r2 < p.rc2 ? 1.0 : 0.0;
        double fpair;
        const double e = mdb_lj_eval(r2, &p, &fpair);
        dxs[k] = dx;
        dys[k] = dy;
        dzs[k] = dz;
        fps[k] = fpair * in;
        if (eflag) es[k] = e * in;
      }
      for (int k = 0; k < m; k++) {
        const int j = js[k];
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

static mdb_status lj_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                             mdb_err *err) {
  (void)err;
  const lj_ctx *c = ctx;
  const int eflag = (flags & MDB_COMPUTE_ENERGY) != 0;
  if (c->prm.ntypes == 1)
    out->energy = eflag ? lj_loop(c, sys, nl, 1, 1) : lj_loop(c, sys, nl, 0, 1);
  else
    out->energy = eflag ? lj_loop(c, sys, nl, 1, 0) : lj_loop(c, sys, nl, 0, 0);
  return MDB_OK;
}

static void lj_fini(void *ctx) { free(ctx); }

static const void *lj_params(const void *ctx) { return &((const lj_ctx *)ctx)->prm; }

/* Scheduling cost, the unit of the others: 0.34 µs per atom-step at 2048
 * argon atoms on one core (Release). */
static double lj_cost(const mdb_calc_spec *spec) {
  (void)spec;
  return 1.0;
}

/* ---------------------------------------------------------- GPU half
 * The device half of the lj calculator: uploads the prepared
 * pair table (calc/lj.h mdb_lj_params, in double and float) and launches
 * calc/lj_kern.h.
 */

typedef struct glj {
  mdb_lj_pair *pair;
  mdb_lj_pair_f *pairf;
} glj;

static mdb_status glj_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_lj_params *prm = (const mdb_lj_params *)cpu->ops->params(cpu->ctx);
  const int nt = prm->ntypes;
  glj *c = calloc(1, sizeof *c);
  mdb_lj_pair *h = calloc((size_t)nt * nt, sizeof *h);
  mdb_lj_pair_f *hf = calloc((size_t)nt * nt, sizeof *hf);
  mdb_status st = MDB_OK;
  if (!c || !h || !hf) st = mdb_err_nomem(err, "lj tables", 64.0 * nt * nt);
  for (int a = 0; !st && a < nt; a++)
    for (int b = 0; b < nt; b++) {
      const mdb_lj_pair *q = &prm->pair[a * MDB_MAX_TYPES + b];
      h[a * nt + b] = *q;
      hf[a * nt + b].c12 = (float)q->c12;
      hf[a * nt + b].c6 = (float)q->c6;
      hf[a * nt + b].eshift = (float)q->eshift;
      hf[a * nt + b].rc2 = (float)q->rc2;
    }
  if (!st && !(st = mdb_gcalc_alloc(g, (void **)&c->pair, (size_t)nt * nt * sizeof *h, err)) &&
      !(st = mdb_gcalc_alloc(g, (void **)&c->pairf, (size_t)nt * nt * sizeof *hf, err)) &&
      !(st = g->dev->ops->h2d(g->dev, c->pair, h, (size_t)nt * nt * sizeof *h, err)))
    st = g->dev->ops->h2d(g->dev, c->pairf, hf, (size_t)nt * nt * sizeof *hf, err);
  free(h);
  free(hf);
  if (st) {
    free(c);
    return st;
  }
  *ctx = c;
  return MDB_OK;
}

static mdb_status glj_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  const glj *c = (const glj *)ctx;
  mdb_kp_lj q;
  q.k = mdb_gcalc_kp(g, flags);
  q.pair = c->pair;
  q.pairf = c->pairf;
  q.mixed = g->mixed;
  return mdb_launch_lj(g->dev, g->n, &q, err);
}

MDB_KERNELS_LJ(MDB_KERNEL_DEFINE)

static const mdb_gcalc_ops mdb_lj_gpu = {1, glj_setup, glj_forces, NULL, 0};

const mdb_calc_ops mdb_lj_cpu_ops = {
    .name = "lj",
    .device = "cpu",
    .summary = "Lennard-Jones 12-6, shifted to zero at rc (keys: rc, epsilon, sigma)",
    .init = lj_init,
    .prepare = lj_prepare,
    .cutoff = lj_cutoff,
    .neigh_kinds = lj_kinds,
    .compute = lj_compute,
    .fini = lj_fini,
    .cost = lj_cost,
    .params = lj_params,
    .keys = lj_keys,
    .gpu = &mdb_lj_gpu,
};
