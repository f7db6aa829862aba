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
 * The files are read in eam_file.c (the context both share: eam_impl.h).
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
 * the virial). The density pass works on blocks of whole rows of the list
 * (about EAM_BLOCK pairs, so its scratch stays in L1), in three loops: pack
 * the neighbours within the cutoff (stores unconditional, the count advanced
 * by the comparison: no branch, and the ~40 % of list pairs that sit in the
 * skin cost no sqrt, table lookup or division), evaluate them (no stores to
 * shared atoms), scatter the densities (Newton's third law). The evaluation
 * does everything a pair needs that does not depend on the densities, in
 * one visit to one interleaved table knot (f, f', r·φ, (r·φ)': 128 bytes):
 * r, r⁻¹ and the interval first (no table access, vectorised), then the
 * cubics, leaving per pair f'/r, φ'/r and φ. The force pass then runs over
 * the packed pairs alone: fpair = −[(F'_i + F'_j) f'/r + φ'/r] (its terms
 * summed in another order than LAMMPS's −[F'_i f' + F'_j f' + φ']/r: the
 * same to round-off), with no sqrt, division or table. On x86-64 the pack,
 * locate and cubic loops have AVX2 versions chosen at run time, four pairs
 * at a time with the same IEEE operations in the same order, so the same
 * bits as the portable ones (they enable AVX2 only, not FMA). On
 * LAMMPS's bench/in.eam configuration (32,000 Cu, Cu_u3.eam, skin 1 Å) this
 * takes about a third of the time of LAMMPS's pair_style eam/opt on one
 * core, and on copper 108 (Cu_u3.eam) under half.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "calc/eam.h"
#include "calc/eam_impl.h"
#include "core/elements.h"
#include "core/text.h"
#include "calc/eam_kern.h"

/* The loops are instantiated per (eflag, analytic, one type): each
 * instance must get the constants folded in. */
#if defined(__GNUC__)
#define EAM_INLINE static inline __attribute__((always_inline))
#else
#define EAM_INLINE static inline
#endif

/* √x for x ≥ 0 without the errno branch that sqrt() carries under the
 * default -fmath-errno (same IEEE result: sqrtsd). */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MDB_EAM_NO_DISPATCH)
#define EAM_X86_DISPATCH 1
#include <immintrin.h>
#else
#define EAM_X86_DISPATCH 0
#endif
#if defined(__SSE2__)
static inline double eam_sqrt(double x) { return _mm_cvtsd_f64(_mm_sqrt_sd(_mm_set_sd(x), _mm_set_sd(x))); }
#else
static inline double eam_sqrt(double x) { return sqrt(x); }
#endif

#define EAM_BLOCK 256 /* pairs evaluated together in the density pass */
#define EAM_CHUNK 64  /* pairs located together */

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

/* ------------------------------------------------------------- setup */

/* The prepared potential in its public form (calc/eam.h mdb_eam_params). */
static void eam_fill_params(eam_ctx *c) {
  mdb_eam_params *q = &c->prm;
  memset(q, 0, sizeof *q);
  q->analytic = c->builtin;
  q->ntypes = c->ntypes;
  q->rc = c->rc;
  q->rc2 = c->rc2;
  memcpy(q->zhou, c->zhou, sizeof q->zhou);
  q->nel = c->nel;
  q->nrho = c->nrho;
  q->nr = c->nr;
  q->drho = c->drho;
  q->dr = c->dr;
  q->rhomax = c->rhomax;
  q->frho = c->frho;
  q->rhor = c->rhor;
  q->z2r = c->z2r;
  memcpy(q->map, c->map, sizeof q->map);
}

static const void *eam_params(const void *ctx) { return &((const eam_ctx *)ctx)->prm; }

static void eam_free_system(eam_ctx *c) {
  free(c->knotn);
  free(c->knot1);
  c->knotn = NULL;
  c->knot1 = NULL;
  c->ntypes = 0;
  c->prm.ntypes = 0;
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
  free(c->pa);
  free(c->pb);
  free(c->pc);
  free(c->pv);
  free(c->pw);
  free(c->pe);
  free(c);
}

static const mdb_calc_key eam_keys[] = {
    {"file", "built-in Zhou 2004 Cu and Al", "LAMMPS funcfl (.eam) or setfl (.eam.alloy) potential file"},
    {NULL, NULL, NULL}};

static mdb_status eam_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  mdb_status st = mdb_calc_check_keys(spec, eam_keys, err);
  if (st) return st;
  eam_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "eam parameters", sizeof *c);
  const char *file = NULL;
  for (int k = 0; k < spec->nparams; k++)
    if (strcmp(spec->params[k].key, "file") == 0) file = spec->params[k].value;
  if (file) {
    st = mdb_eam_file_load(c, file, err);
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
#if EAM_X86_DISPATCH
  __builtin_cpu_init();
  c->avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
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
      snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", mdb_text_q(c->el[k], 16));
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
    eam_fill_params(c);
    return MDB_OK;
  }
  if (nt == 1) {
    c->knot1 = aligned_alloc(64, (size_t)nr * sizeof *c->knot1); /* 128-byte knots: a multiple of 64 */
    if (!c->knot1) {
      eam_free_system(c);
      return mdb_err_nomem(err, "eam pair tables", (double)nr * sizeof *c->knot1);
    }
    const mdb_eam_knot *f = c->rhor + (size_t)map[0] * nr, *z = c->z2r + (size_t)tri(map[0], map[0]) * nr;
    for (int k = 0; k < nr; k++) {
      eam_knot1 *g = c->knot1 + k;
      memset(g, 0, sizeof *g);
      memcpy(g->f, f[k].c, sizeof g->f);
      memcpy(g->df, f[k].d, sizeof g->df);
      memcpy(g->z, z[k].c, sizeof g->z);
      memcpy(g->dz, z[k].d, sizeof g->dz);
    }
  } else {
    size_t n = (size_t)nt * nt * nr;
    c->knotn = aligned_alloc(64, n * sizeof *c->knotn); /* 192-byte knots: a multiple of 64 */
    if (!c->knotn) {
      eam_free_system(c);
      return mdb_err_nomem(err, "eam pair tables", (double)n * sizeof *c->knotn);
    }
    for (int a = 0; a < nt; a++)
      for (int b = 0; b < nt; b++) {
        const mdb_eam_knot *fa = c->rhor + (size_t)map[a] * nr, *fb = c->rhor + (size_t)map[b] * nr;
        const mdb_eam_knot *z = c->z2r + (size_t)tri(map[a], map[b]) * nr;
        eam_knotn *g = c->knotn + (size_t)(a * nt + b) * nr;
        for (int k = 0; k < nr; k++) {
          memset(g + k, 0, sizeof g[k]);
          memcpy(g[k].fi, fa[k].c, sizeof g[k].fi);
          memcpy(g[k].fj, fb[k].c, sizeof g[k].fj);
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
  eam_fill_params(c);
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
 * advances by the comparison: no branch). Returns how many. jn and r2s need
 * room for m. */
EAM_INLINE int eam_within(const double *restrict x, const double xi, const double yi, const double zi,
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

#if EAM_X86_DISPATCH
/* Compaction of four lanes by the mask of those kept: 32-bit lane indices
 * that move the kept doubles (r2) or ints (j) to the front. */
static const int eam_lut_r2[16][8] = {
    {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {2, 3, 0, 1, 0, 1, 0, 1}, {0, 1, 2, 3, 0, 1, 0, 1},
    {4, 5, 0, 1, 0, 1, 0, 1}, {0, 1, 4, 5, 0, 1, 0, 1}, {2, 3, 4, 5, 0, 1, 0, 1}, {0, 1, 2, 3, 4, 5, 0, 1},
    {6, 7, 0, 1, 0, 1, 0, 1}, {0, 1, 6, 7, 0, 1, 0, 1}, {2, 3, 6, 7, 0, 1, 0, 1}, {0, 1, 2, 3, 6, 7, 0, 1},
    {4, 5, 6, 7, 0, 1, 0, 1}, {0, 1, 4, 5, 6, 7, 0, 1}, {2, 3, 4, 5, 6, 7, 0, 1}, {0, 1, 2, 3, 4, 5, 6, 7}};
static const int eam_lut_j[16][8] = {{0}, {0},    {1},    {0, 1},    {2},    {0, 2},    {1, 2},    {0, 1, 2},
                                     {3}, {0, 3}, {1, 3}, {0, 1, 3}, {2, 3}, {0, 2, 3}, {1, 2, 3}, {0, 1, 2, 3}};
static const unsigned char eam_popc4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

/* eam_within four neighbours at a time (AVX2): positions loaded as (x, y)
 * pairs and z and transposed, r² the same IEEE operations in the same order
 * (so the same bits), the kept ones moved to the front by a permutation and
 * stored whole (the count advances by those kept). */
__attribute__((target("avx2"))) static int eam_within_avx2(const double *restrict x, const double xi, const double yi,
                                                           const double zi, const int *restrict js, const int m,
                                                           const double rc2, int *restrict jn, double *restrict r2s) {
  const __m256d vxi = _mm256_set1_pd(xi), vyi = _mm256_set1_pd(yi), vzi = _mm256_set1_pd(zi);
  const __m256d vrc2 = _mm256_set1_pd(rc2);
  int cnt = 0, k = 0;
  for (; k + 4 <= m; k += 4) {
    const __m128i jv = _mm_loadu_si128((const __m128i *)(const void *)(js + k));
    const double *a0 = x + 3 * js[k], *a1 = x + 3 * js[k + 1], *a2 = x + 3 * js[k + 2], *a3 = x + 3 * js[k + 3];
    const __m256d xy02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(a0)), _mm_loadu_pd(a2), 1);
    const __m256d xy13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(a1)), _mm_loadu_pd(a3), 1);
    const __m256d z02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_sd(a0 + 2)), _mm_load_sd(a2 + 2), 1);
    const __m256d z13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_sd(a1 + 2)), _mm_load_sd(a3 + 2), 1);
    const __m256d dx = _mm256_sub_pd(_mm256_unpacklo_pd(xy02, xy13), vxi);
    const __m256d dy = _mm256_sub_pd(_mm256_unpackhi_pd(xy02, xy13), vyi);
    const __m256d dz = _mm256_sub_pd(_mm256_unpacklo_pd(z02, z13), vzi);
    const __m256d r2 =
        _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)), _mm256_mul_pd(dz, dz));
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(r2, vrc2, _CMP_LT_OQ));
    const __m256i pr = _mm256_loadu_si256((const __m256i *)(const void *)eam_lut_r2[mask]);
    const __m256i pj = _mm256_loadu_si256((const __m256i *)(const void *)eam_lut_j[mask]);
    _mm256_storeu_pd(r2s + cnt, _mm256_castsi256_pd(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(r2), pr)));
    _mm_storeu_si128((__m128i *)(void *)(jn + cnt),
                     _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castsi128_si256(jv), pj)));
    cnt += eam_popc4[mask];
  }
  return cnt + eam_within(x, xi, yi, zi, js + k, m - k, rc2, jn + cnt, r2s + cnt);
}
#endif

/* r⁻¹ and the table interval q and fraction p of r = √(r²) for m pairs
 * (mdb_eam_locate; two at a time where SSE2 is there, with the same IEEE
 * operations, so the same bits). */
EAM_INLINE void eam_locate_all(const double *restrict r2, const int m, const double rdr, const int nr,
                               double *restrict rinv, double *restrict pp, int *restrict qq) {
  int k = 0;
#if defined(__SSE2__)
  const __m128d one = _mm_set1_pd(1.0), vrdr = _mm_set1_pd(rdr), top = _mm_set1_pd((double)(nr - 1));
  const __m128i ione = _mm_set1_epi32(1);
  for (; k + 2 <= m; k += 2) {
    const __m128d r = _mm_sqrt_pd(_mm_loadu_pd(r2 + k));
    _mm_storeu_pd(rinv + k, _mm_div_pd(one, r));
    const __m128d q = _mm_add_pd(_mm_mul_pd(r, vrdr), one);
    const __m128d qc = _mm_max_pd(_mm_min_pd(q, top), one); /* q < top ? q : top, then > 1 ? : 1 */
    const __m128i mi = _mm_cvttpd_epi32(qc);
    _mm_storeu_pd(pp + k, _mm_min_pd(_mm_sub_pd(q, _mm_cvtepi32_pd(mi)), one));
    _mm_storel_epi64((__m128i *)(void *)(qq + k), _mm_sub_epi32(mi, ione));
  }
#endif
  for (; k < m; k++) {
    const double r = eam_sqrt(r2[k]);
    rinv[k] = 1.0 / r;
    qq[k] = mdb_eam_locate(r, rdr, nr, &pp[k]);
  }
}

#if EAM_X86_DISPATCH
/* The same four at a time (AVX2: same IEEE operations, so the same bits;
 * chosen at run time where the CPU has it, see eam_prepare). */
__attribute__((target("avx2"))) static void eam_locate_avx2(const double *restrict r2, const int m, const double rdr,
                                                            const int nr, double *restrict rinv, double *restrict pp,
                                                            int *restrict qq) {
  const __m256d one = _mm256_set1_pd(1.0), vrdr = _mm256_set1_pd(rdr), top = _mm256_set1_pd((double)(nr - 1));
  const __m128i ione = _mm_set1_epi32(1);
  int k = 0;
  for (; k + 4 <= m; k += 4) {
    const __m256d r = _mm256_sqrt_pd(_mm256_loadu_pd(r2 + k));
    _mm256_storeu_pd(rinv + k, _mm256_div_pd(one, r));
    const __m256d q = _mm256_add_pd(_mm256_mul_pd(r, vrdr), one);
    const __m256d qc = _mm256_max_pd(_mm256_min_pd(q, top), one);
    const __m128i mi = _mm256_cvttpd_epi32(qc);
    _mm256_storeu_pd(pp + k, _mm256_min_pd(_mm256_sub_pd(q, _mm256_cvtepi32_pd(mi)), one));
    _mm_storeu_si128((__m128i *)(void *)(qq + k), _mm_sub_epi32(mi, ione));
  }
  for (; k < m; k++) {
    const double r = eam_sqrt(r2[k]);
    rinv[k] = 1.0 / r;
    qq[k] = mdb_eam_locate(r, rdr, nr, &pp[k]);
  }
}
#endif

/* The table part of eam_eval for one type: m pairs with interval qs,
 * fraction ps and r⁻¹ rinvs. */
EAM_INLINE void eam_lookup1(const eam_knot1 *restrict t1, const double *restrict ps, const double *restrict rinvs,
                            const int *restrict qs, const int l0, const int m, double *restrict pv, double *restrict pa,
                            double *restrict pb, double *restrict pe) {
  for (int l = l0; l < m; l++) {
    const eam_knot1 *e = t1 + qs[l];
    const double p = ps[l], rinv = rinvs[l];
    const double z = mdb_eam_cubic(e->z, p), dz = mdb_eam_dcubic(e->dz, p);
    const double phi = z * rinv; /* mdb_eam_pair_force_z */
    const double dphi = dz * rinv - phi * rinv;
    pv[l] = mdb_eam_cubic(e->f, p);
    pa[l] = mdb_eam_dcubic(e->df, p) * rinv;
    pb[l] = dphi * rinv;
    pe[l] = phi;
  }
}

#if EAM_X86_DISPATCH
/* The same four pairs at a time (AVX2): the four knots, 16 doubles each,
 * transposed 4×4 so that each coefficient of the four pairs sits in one
 * register; the same IEEE operations in the same order, so the same bits. */
__attribute__((target("avx2"))) static void eam_lookup1_avx2(const eam_knot1 *restrict t1, const double *restrict ps,
                                                             const double *restrict rinvs, const int *restrict qs,
                                                             const int m, double *restrict pv, double *restrict pa,
                                                             double *restrict pb, double *restrict pe) {
  int l = 0;
  for (; l + 4 <= m; l += 4) {
    const double *k0 = (const double *)(t1 + qs[l]), *k1 = (const double *)(t1 + qs[l + 1]);
    const double *k2 = (const double *)(t1 + qs[l + 2]), *k3 = (const double *)(t1 + qs[l + 3]);
    __m256d c[16];
    for (int o = 0; o < 16; o += 4) {
      const __m256d a0 = _mm256_load_pd(k0 + o), a1 = _mm256_load_pd(k1 + o);
      const __m256d a2 = _mm256_load_pd(k2 + o), a3 = _mm256_load_pd(k3 + o);
      const __m256d u0 = _mm256_unpacklo_pd(a0, a1), u1 = _mm256_unpackhi_pd(a0, a1);
      const __m256d u2 = _mm256_unpacklo_pd(a2, a3), u3 = _mm256_unpackhi_pd(a2, a3);
      c[o] = _mm256_permute2f128_pd(u0, u2, 0x20);
      c[o + 1] = _mm256_permute2f128_pd(u1, u3, 0x20);
      c[o + 2] = _mm256_permute2f128_pd(u0, u2, 0x31);
      c[o + 3] = _mm256_permute2f128_pd(u1, u3, 0x31);
    }
    /* c: f[0..3] 0..3, df[0..2] 4..6, z[0..3] 7..10, dz[0..2] 11..13 */
    const __m256d p = _mm256_loadu_pd(ps + l), ri = _mm256_loadu_pd(rinvs + l);
#define EAM_MA(a, b) _mm256_add_pd(_mm256_mul_pd(a, p), b)
    const __m256d v = EAM_MA(EAM_MA(EAM_MA(c[0], c[1]), c[2]), c[3]);
    const __m256d df = EAM_MA(EAM_MA(c[4], c[5]), c[6]);
    const __m256d z = EAM_MA(EAM_MA(EAM_MA(c[7], c[8]), c[9]), c[10]);
    const __m256d dz = EAM_MA(EAM_MA(c[11], c[12]), c[13]);
#undef EAM_MA
    const __m256d phi = _mm256_mul_pd(z, ri);
    const __m256d dphi = _mm256_sub_pd(_mm256_mul_pd(dz, ri), _mm256_mul_pd(phi, ri));
    _mm256_storeu_pd(pv + l, v);
    _mm256_storeu_pd(pa + l, _mm256_mul_pd(df, ri));
    _mm256_storeu_pd(pb + l, _mm256_mul_pd(dphi, ri));
    _mm256_storeu_pd(pe + l, phi);
  }
  eam_lookup1(t1, ps, rinvs, qs, l, m, pv, pa, pb, pe);
}
#endif

/* Everything about the packed pairs [k0, k1) that does not depend on the
 * densities, in one visit to the tables: r from r² (in pa), the densities
 * each side receives (pv on i, pw on j), and for the force pass pa, pc, pb
 * (see eam_ctx) and φ (pe). ti is i's type (multi-type tables). No stores
 * to atoms. Tables: first r⁻¹, q, p for a chunk (no table access:
 * vectorised), then the lookups. */
EAM_INLINE void eam_eval(const eam_ctx *c, const int *restrict type, const int ti, const int *restrict pk,
                         double *restrict pa, double *restrict pb, double *restrict pc, double *restrict pv,
                         double *restrict pw, double *restrict pe, const int k0, const int k1, const int analytic,
                         const int one_type) {
  if (analytic) {
    for (int k = k0; k < k1; k++) {
      const double r = eam_sqrt(pa[k]), rinv = 1.0 / r;
      double vi, vj, dfi, dfj, phi, dphi;
      if (one_type) {
        const mdb_zhou *z = &c->zhou[0];
        vi = vj = mdb_zhou_density(z, r, &dfi);
        dfj = dfi;
        phi = mdb_zhou_pair(z, r, vi, dfi, &dphi);
      } else {
        const mdb_zhou *za = &c->zhou[ti], *zb = &c->zhou[type[pk[k]]];
        double fa, fb, phia, dphia, phib, dphib;
        fa = mdb_zhou_density(za, r, &dfi);
        fb = mdb_zhou_density(zb, r, &dfj);
        phia = mdb_zhou_pair(za, r, fa, dfi, &dphia);
        phib = mdb_zhou_pair(zb, r, fb, dfj, &dphib);
        phi = mdb_zhou_mix(fa, dfi, phia, dphia, fb, dfj, phib, dphib, &dphi);
        vi = fb;
        vj = fa;
      }
      pv[k] = vi;
      if (!one_type) pw[k] = vj;
      pa[k] = dfj * rinv;
      if (!one_type) pc[k] = dfi * rinv;
      pb[k] = dphi * rinv;
      pe[k] = phi;
    }
    return;
  }
  const double rdr = 1.0 / c->dr;
  const int nr = c->nr;
  const eam_knot1 *restrict t1 = c->knot1;
  const eam_knotn *restrict tn = one_type ? NULL : c->knotn + (size_t)ti * c->ntypes * nr;
  double rinvs[EAM_CHUNK], ps[EAM_CHUNK];
  int qs[EAM_CHUNK];
  for (int c0 = k0; c0 < k1; c0 += EAM_CHUNK) {
    const int m = k1 - c0 < EAM_CHUNK ? k1 - c0 : EAM_CHUNK;
#if EAM_X86_DISPATCH
    if (c->avx2)
      eam_locate_avx2(pa + c0, m, rdr, nr, rinvs, ps, qs);
    else
#endif
      eam_locate_all(pa + c0, m, rdr, nr, rinvs, ps, qs);
    if (one_type) {
#if EAM_X86_DISPATCH
      if (c->avx2)
        eam_lookup1_avx2(t1, ps, rinvs, qs, m, pv + c0, pa + c0, pb + c0, pe + c0);
      else
#endif
        eam_lookup1(t1, ps, rinvs, qs, 0, m, pv + c0, pa + c0, pb + c0, pe + c0);
      continue;
    }
    for (int l = 0; l < m; l++) {
      const int k = c0 + l;
      const double p = ps[l], rinv = rinvs[l];
      const eam_knotn *e = tn + (size_t)type[pk[k]] * nr + qs[l];
      const double z = mdb_eam_cubic(e->z, p), dz = mdb_eam_dcubic(e->dz, p);
      const double phi = z * rinv; /* mdb_eam_pair_force_z */
      const double dphi = dz * rinv - phi * rinv;
      pv[k] = mdb_eam_cubic(e->fj, p);
      pw[k] = mdb_eam_cubic(e->fi, p);
      pa[k] = mdb_eam_dcubic(e->dfj, p) * rinv;
      pc[k] = mdb_eam_dcubic(e->dfi, p) * rinv;
      pb[k] = dphi * rinv;
      pe[k] = phi;
    }
  }
}

/* Density pass: rho[0..n+nghost) from the half list, which it cuts to the
 * pairs within rc (pk/ps, CSR) and evaluates for the force pass (eam_eval),
 * in blocks of about EAM_BLOCK pairs (whole rows) that stay in L1 between
 * the three loops: pack, evaluate, scatter. Returns Σ φ when eflag. Which
 * functions are compile-time choices at each call site (analytic,
 * one_type). */
EAM_INLINE double eam_density(const eam_ctx *c, const mdb_system *sys, const mdb_neigh *nl, double *restrict rho,
                              int *restrict pk, int *restrict ps, double *restrict pa, double *restrict pb,
                              double *restrict pc, double *restrict pv, double *restrict pw, double *restrict pe,
                              const int eflag, const int analytic, const int one_type) {
  const double *restrict x = sys->x;
  const int *restrict type = sys->type;
  const int *restrict list = nl->half;
  const int *restrict start = nl->half_start;
  const double rc2 = c->rc2;
  const int n = sys->n;
  double energy = 0;
  memset(rho, 0, (size_t)(n + sys->nghost) * sizeof *rho);
  int npk = 0, kb = 0, ib = 0;
  for (int i = 0; i < n; i++) {
    ps[i] = npk;
#if EAM_X86_DISPATCH
    if (c->avx2)
      npk += eam_within_avx2(x, x[3 * i], x[3 * i + 1], x[3 * i + 2], list + start[i], start[i + 1] - start[i], rc2,
                             pk + npk, pa + npk);
    else
#endif
      npk += eam_within(x, x[3 * i], x[3 * i + 1], x[3 * i + 2], list + start[i], start[i + 1] - start[i], rc2,
                        pk + npk, pa + npk);
    if (npk - kb < EAM_BLOCK && i + 1 < n) continue;
    ps[i + 1] = npk;
    if (one_type)
      eam_eval(c, type, 0, pk, pa, pb, pc, pv, pw, pe, kb, npk, analytic, 1);
    else
      for (int a = ib; a <= i; a++)
        eam_eval(c, type, type[a], pk, pa, pb, pc, pv, pw, pe, ps[a], ps[a + 1], analytic, 0);
    for (int a = ib; a <= i; a++) {
      double r0 = 0, r1 = 0; /* two chains */
      const int k1 = ps[a + 1];
      int k = ps[a];
      for (; k + 1 < k1; k += 2) {
        r0 += pv[k];
        r1 += pv[k + 1];
        rho[pk[k]] += one_type ? pv[k] : pw[k];
        rho[pk[k + 1]] += one_type ? pv[k + 1] : pw[k + 1];
      }
      if (k < k1) {
        r0 += pv[k];
        rho[pk[k]] += one_type ? pv[k] : pw[k];
      }
      rho[a] += r0 + r1;
    }
    if (eflag)
      for (int k = kb; k < npk; k++) energy += pe[k];
    kb = npk;
    ib = i + 1;
  }
  ps[n] = npk;
  return energy;
}

/* Force pass over the pairs within rc (pk/ps and pa, pb, pc from the
 * density pass). */
EAM_INLINE void eam_force_loop(mdb_system *sys, const int *restrict pk, const int *restrict ps,
                               const double *restrict pa, const double *restrict pb, const double *restrict pc,
                               const double *restrict fp, const int one_type) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  for (int i = 0; i < sys->n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const double fpi = fp[i];
    double fxi = 0, fyi = 0, fzi = 0;
    const int kend = ps[i + 1];
    for (int k = ps[i]; k < kend; k++) {
      const int j = pk[k];
      const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
      const double fpair = one_type ? -((fpi + fp[j]) * pa[k] + pb[k]) : -(fpi * pa[k] + fp[j] * pc[k] + pb[k]);
      const double fx = fpair * dx, fy = fpair * dy, fz = fpair * dz;
      fxi -= fx;
      fyi -= fy;
      fzi -= fz;
      f[3 * j] += fx;
      f[3 * j + 1] += fy;
      f[3 * j + 2] += fz;
    }
    f[3 * i] += fxi;
    f[3 * i + 1] += fyi;
    f[3 * i + 2] += fzi;
  }
}

#if EAM_X86_DISPATCH
/* eam_force_loop for one type, four pairs at a time (AVX2): positions and
 * F'(ρ_j) gathered as in eam_within_avx2, the force on each j added in list
 * order (the same bits as the portable loop), the forces on i summed in
 * four lanes (another order: the same to round-off). */
__attribute__((target("avx2"))) static void eam_force1_avx2(mdb_system *sys, const int *restrict pk,
                                                            const int *restrict ps, const double *restrict pa,
                                                            const double *restrict pb, const double *restrict fp) {
  const double *restrict x = sys->x;
  double *restrict f = sys->f;
  for (int i = 0; i < sys->n; i++) {
    const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    const double fpi = fp[i];
    const __m256d vxi = _mm256_set1_pd(xi), vyi = _mm256_set1_pd(yi), vzi = _mm256_set1_pd(zi);
    const __m256d vfpi = _mm256_set1_pd(fpi), zero = _mm256_setzero_pd(), sign = _mm256_set1_pd(-0.0);
    __m256d fxv = zero, fyv = zero, fzv = zero;
    const int kend = ps[i + 1];
    int k = ps[i];
    for (; k + 4 <= kend; k += 4) {
      const int j0 = pk[k], j1 = pk[k + 1], j2 = pk[k + 2], j3 = pk[k + 3];
      const double *a0 = x + 3 * j0, *a1 = x + 3 * j1, *a2 = x + 3 * j2, *a3 = x + 3 * j3;
      const __m256d xy02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(a0)), _mm_loadu_pd(a2), 1);
      const __m256d xy13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(a1)), _mm_loadu_pd(a3), 1);
      const __m256d z02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_sd(a0 + 2)), _mm_load_sd(a2 + 2), 1);
      const __m256d z13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_load_sd(a1 + 2)), _mm_load_sd(a3 + 2), 1);
      const __m256d dx = _mm256_sub_pd(_mm256_unpacklo_pd(xy02, xy13), vxi);
      const __m256d dy = _mm256_sub_pd(_mm256_unpackhi_pd(xy02, xy13), vyi);
      const __m256d dz = _mm256_sub_pd(_mm256_unpacklo_pd(z02, z13), vzi);
      const __m256d fpj = _mm256_set_pd(fp[j3], fp[j2], fp[j1], fp[j0]);
      /* −((F'_i + F'_j) pa + pb) */
      const __m256d fpair = _mm256_xor_pd(
          _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(vfpi, fpj), _mm256_loadu_pd(pa + k)), _mm256_loadu_pd(pb + k)),
          sign);
      const __m256d fx = _mm256_mul_pd(fpair, dx), fy = _mm256_mul_pd(fpair, dy), fz = _mm256_mul_pd(fpair, dz);
      fxv = _mm256_sub_pd(fxv, fx);
      fyv = _mm256_sub_pd(fyv, fy);
      fzv = _mm256_sub_pd(fzv, fz);
      const __m256d lo = _mm256_unpacklo_pd(fx, fy), hi = _mm256_unpackhi_pd(fx, fy); /* (fx, fy) of 0,2 / 1,3 */
      double fzs[4];
      _mm256_storeu_pd(fzs, fz);
      double *b0 = f + 3 * j0, *b1 = f + 3 * j1, *b2 = f + 3 * j2, *b3 = f + 3 * j3;
      _mm_storeu_pd(b0, _mm_add_pd(_mm_loadu_pd(b0), _mm256_castpd256_pd128(lo)));
      b0[2] += fzs[0];
      _mm_storeu_pd(b1, _mm_add_pd(_mm_loadu_pd(b1), _mm256_castpd256_pd128(hi)));
      b1[2] += fzs[1];
      _mm_storeu_pd(b2, _mm_add_pd(_mm_loadu_pd(b2), _mm256_extractf128_pd(lo, 1)));
      b2[2] += fzs[2];
      _mm_storeu_pd(b3, _mm_add_pd(_mm_loadu_pd(b3), _mm256_extractf128_pd(hi, 1)));
      b3[2] += fzs[3];
    }
    double t[4];
    _mm256_storeu_pd(t, fxv);
    double fxi = (t[0] + t[1]) + (t[2] + t[3]);
    _mm256_storeu_pd(t, fyv);
    double fyi = (t[0] + t[1]) + (t[2] + t[3]);
    _mm256_storeu_pd(t, fzv);
    double fzi = (t[0] + t[1]) + (t[2] + t[3]);
    for (; k < kend; k++) {
      const int j = pk[k];
      const double dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
      const double fpair = -((fpi + fp[j]) * pa[k] + pb[k]);
      const double fx = fpair * dx, fy = fpair * dy, fz = fpair * dz;
      fxi -= fx;
      fyi -= fy;
      fzi -= fz;
      f[3 * j] += fx;
      f[3 * j + 1] += fy;
      f[3 * j + 2] += fz;
    }
    f[3 * i] += fxi;
    f[3 * i + 1] += fyi;
    f[3 * i + 2] += fzi;
  }
}
#endif

/* F(ρ_i), F'(ρ_i) for locals (ghost densities folded in first), F' copied
 * to ghosts; returns the embedding energy when eflag. */
static double eam_embed(const eam_ctx *c, const mdb_system *sys, const mdb_neigh *nl, double *restrict rho,
                        double *restrict fp, const int eflag) {
  const int n = sys->n, ng = sys->nghost;
  const int *restrict owner = nl->owner;
  for (int g = 0; g < ng; g++) rho[owner[g]] += rho[n + g];
  double energy = 0;
  if (c->builtin) {
    for (int i = 0; i < n; i++) {
      const double e = mdb_zhou_embed(&c->zhou[sys->type[i]], rho[i], &fp[i]);
      if (eflag) energy += e;
    }
  } else {
    const double rdrho = 1.0 / c->drho, rhomax = c->rhomax;
    const int nrho = c->nrho;
    const mdb_eam_knot *tab0 = c->frho + (size_t)c->map[0] * nrho;
    for (int i = 0; i < n; i++) {
      const mdb_eam_knot *tab = c->ntypes == 1 ? tab0 : c->frho + (size_t)c->map[sys->type[i]] * nrho;
      const double e = mdb_eam_embed_table(tab, nrho, rdrho, rhomax, rho[i], &fp[i]);
      if (eflag) energy += e;
    }
  }
  for (int g = 0; g < ng; g++) fp[n + g] = fp[owner[g]];
  return energy;
}

/* Grows the per-pair arrays to cap. */
static int eam_grow_pairs(eam_ctx *c, size_t cap) {
  int *pk = realloc(c->pk, cap * sizeof *pk);
  if (!pk) return 0;
  c->pk = pk;
  double **arr[6] = {&c->pa, &c->pb, &c->pc, &c->pv, &c->pw, &c->pe};
  for (int a = 0; a < 6; a++) {
    double *p = realloc(*arr[a], cap * sizeof *p);
    if (!p) return 0;
    *arr[a] = p;
  }
  c->pk_cap = cap;
  return 1;
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
  if (npairs > c->pk_cap || !c->pk) { /* allocated even with no pair: the loops offset into it */
    size_t cap = npairs + npairs / 4 + 64;
    if (!eam_grow_pairs(c, cap)) return mdb_err_nomem(err, "eam pair list", 52.0 * (double)cap);
  }
  if (sys->n + 1 > c->pk_ncap) {
    int ncap = sys->n + sys->n / 4 + 64;
    int *ps = realloc(c->pk_start, (size_t)ncap * sizeof *ps);
    if (!ps) return mdb_err_nomem(err, "eam pair list", 4.0 * ncap);
    c->pk_start = ps;
    c->pk_ncap = ncap;
  }
  const int eflag = (flags & MDB_COMPUTE_ENERGY) != 0;
  int *pk = c->pk, *ps = c->pk_start;
  double *pa = c->pa, *pb = c->pb, *pc = c->pc, *pv = c->pv, *pw = c->pw, *pe = c->pe;
  double energy = 0;
  /* one instance of the density loop per (eflag, analytic, one type) */
#define EAM_DENSITY(e, a, o) eam_density(c, sys, nl, c->rho, pk, ps, pa, pb, pc, pv, pw, pe, e, a, o)
  switch (4 * eflag + 2 * c->builtin + (c->ntypes == 1)) {
  case 0: EAM_DENSITY(0, 0, 0); break;
  case 1: EAM_DENSITY(0, 0, 1); break;
  case 2: EAM_DENSITY(0, 1, 0); break;
  case 3: EAM_DENSITY(0, 1, 1); break;
  case 4: energy = EAM_DENSITY(1, 0, 0); break;
  case 5: energy = EAM_DENSITY(1, 0, 1); break;
  case 6: energy = EAM_DENSITY(1, 1, 0); break;
  default: energy = EAM_DENSITY(1, 1, 1); break;
  }
#undef EAM_DENSITY
  energy += eam_embed(c, sys, nl, c->rho, c->fp, eflag);
  if (c->ntypes > 1) eam_force_loop(sys, pk, ps, pa, pb, pc, c->fp, 0);
#if EAM_X86_DISPATCH
  else if (c->avx2)
    eam_force1_avx2(sys, pk, ps, pa, pb, c->fp);
#endif
  else
    eam_force_loop(sys, pk, ps, pa, pb, pc, c->fp, 1);
  out->energy = eflag ? energy : 0;
  return MDB_OK;
}

static const mdb_calc_file_key eam_file_keys[] = {{"file", MDB_FILE_POTENTIAL_SEARCH} /* eam_open */, {NULL, 0}};

/* Scheduling cost relative to lj argon (0.34 µs per atom-step at 2048 atoms
 * on one core, Release): a tabulated file 0.24 µs, the built-in Zhou
 * functions (analytic, with exp and pow) 3.7 µs. */
static double eam_cost(const mdb_calc_spec *spec) {
  for (int i = 0; i < spec->nparams; i++)
    if (strcmp(spec->params[i].key, "file") == 0) return 0.7;
  return 11.0;
}

/* ---------------------------------------------------------- GPU half
 * The device half of the eam calculator: uploads what the
 * prepared CPU calculator holds (calc/eam.h mdb_eam_params) per type of the
 * system — the Zhou parameters, or the F and f tables of each type's
 * element and one interleaved table per type pair (r·φ, f'_a, f'_b) — plus
 * a per-atom F'(ρ) array (and, with several threads per atom, the lanes'
 * partial sums), and launches calc/eam_kern.h's kernels: two with one
 * thread per atom, four with L > 1.
 */

typedef struct geam {
  mdb_kp_eam q; /* everything but q.k, filled at setup */
} geam;

static mdb_status geam_upload(const mdb_gcalc_env *g, void **dst, const void *src, size_t bytes, mdb_err *err) {
  mdb_status st = mdb_gcalc_alloc(g, dst, bytes, err);
  return st ? st : g->dev->ops->h2d(g->dev, *dst, src, bytes, err);
}

static mdb_status geam_tables(const mdb_gcalc_env *g, const mdb_eam_params *prm, mdb_kp_eam *q, mdb_err *err) {
  const int nt = prm->ntypes, nr = prm->nr, nrho = prm->nrho;
  const size_t nf = (size_t)nt * nrho, nd = (size_t)nt * nr, np = (size_t)nt * nt * nr;
  mdb_eam_knot *frho = malloc(nf * sizeof *frho), *rhor = malloc(nd * sizeof *rhor);
  mdb_eam_gknot *pair = calloc(np, sizeof *pair);
  mdb_status st = MDB_OK;
  if (!frho || !rhor || !pair)
    st = mdb_err_nomem(err, "eam device tables", (double)(nf + nd) * sizeof *frho + (double)np * sizeof *pair);
  for (int a = 0; !st && a < nt; a++) {
    memcpy(frho + (size_t)a * nrho, prm->frho + (size_t)prm->map[a] * nrho, (size_t)nrho * sizeof *frho);
    memcpy(rhor + (size_t)a * nr, prm->rhor + (size_t)prm->map[a] * nr, (size_t)nr * sizeof *rhor);
    for (int b = 0; b < nt; b++) {
      const mdb_eam_knot *fa = prm->rhor + (size_t)prm->map[a] * nr, *fb = prm->rhor + (size_t)prm->map[b] * nr;
      const mdb_eam_knot *z = prm->z2r + (size_t)mdb_eam_tri(prm->map[a], prm->map[b]) * nr;
      mdb_eam_gknot *k = pair + (size_t)(a * nt + b) * nr;
      for (int m = 0; m < nr; m++) {
        memcpy(k[m].z, z[m].c, sizeof k[m].z);
        memcpy(k[m].dz, z[m].d, sizeof k[m].dz);
        memcpy(k[m].dfi, fa[m].d, sizeof k[m].dfi);
        memcpy(k[m].dfj, fb[m].d, sizeof k[m].dfj);
      }
    }
  }
  void *df = NULL, *dd = NULL, *dp = NULL;
  if (!st && !(st = geam_upload(g, &df, frho, nf * sizeof *frho, err)) &&
      !(st = geam_upload(g, &dd, rhor, nd * sizeof *rhor, err)))
    st = geam_upload(g, &dp, pair, np * sizeof *pair, err);
  free(frho);
  free(rhor);
  free(pair);
  if (st) return st;
  q->frho = (const mdb_eam_knot *)df;
  q->rhor = (const mdb_eam_knot *)dd;
  q->pair = (const mdb_eam_gknot *)dp;
  q->nrho = nrho;
  q->nr = nr;
  q->rdrho = 1.0 / prm->drho; /* as calc/eam.c forms them */
  q->rdr = 1.0 / prm->dr;
  q->rhomax = prm->rhomax;
  return MDB_OK;
}

static mdb_status geam_setup(const mdb_gcalc_env *g, const mdb_calc *cpu, void **ctx, mdb_err *err) {
  const mdb_eam_params *prm = (const mdb_eam_params *)cpu->ops->params(cpu->ctx);
  if (!prm || prm->ntypes != g->kp->ntypes || prm->ntypes < 1)
    return mdb_err_set(err, MDB_ERUN, "eam on cuda: the calculator is not prepared for this system (%d species)",
                       g->kp->ntypes);
  geam *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "eam device state", sizeof *c);
  mdb_kp_eam *q = &c->q;
  q->analytic = prm->analytic;
  q->one_type = prm->ntypes == 1;
  q->rc2 = prm->rc2;
  void *fp = NULL, *zhou = NULL, *part = NULL;
  mdb_status st = mdb_gcalc_lanes(g, 4.0, &q->lanes, err); /* a list entry costs a cubic or two exp */
  if (!st) st = mdb_gcalc_alloc(g, &fp, (size_t)g->n * sizeof(double), err);
  if (!st && q->lanes > 1) /* once here: an allocation inside a captured step is refused */
    st = mdb_gcalc_alloc(g, &part, (size_t)MDB_LANE_COLS * q->lanes * g->n * sizeof(double), err);
  if (!st && prm->analytic) st = geam_upload(g, &zhou, prm->zhou, (size_t)prm->ntypes * sizeof prm->zhou[0], err);
  if (!st && !prm->analytic) st = geam_tables(g, prm, q, err);
  if (st) {
    free(c);
    return st;
  }
  q->fp = (double *)fp;
  q->part = (double *)part;
  if (q->lanes > 1) mdb_gcalc_defer_lanes(g, q->part, q->lanes);
  q->zhou = (const mdb_zhou *)zhou;
  *ctx = c;
  return MDB_OK;
}

static mdb_status geam_forces(const mdb_gcalc_env *g, void *ctx, unsigned flags, mdb_err *err) {
  mdb_kp_eam q = ((const geam *)ctx)->q;
  q.k = mdb_gcalc_kp(g, flags); /* the list may have grown since setup */
  mdb_status st;
  if (q.lanes == 1) {
    st = mdb_launch_eam_rho(g->dev, g->n, &q, err);
    return st ? st : mdb_launch_eam_force(g->dev, g->n, &q, err);
  }
  const long nl = (long)q.lanes * g->n;
  if ((st = mdb_launch_eam_rho_lanes(g->dev, nl, &q, err)) ||
      (st = mdb_launch_eam_embed_lanes(g->dev, g->n, &q, err)) ||
      (st = mdb_launch_eam_force_lanes(g->dev, nl, &q, err)))
    return st;
  return MDB_OK; /* the engine's next kernel adds the lanes' partials */
}

MDB_KERNELS_EAM(MDB_KERNEL_DEFINE)

static const mdb_gcalc_ops mdb_eam_gpu = {0, geam_setup, geam_forces, NULL, 0};

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
    .cost = eam_cost,
    .params = eam_params,
    .keys = eam_keys,
    .file_keys = eam_file_keys,
    .gpu = &mdb_eam_gpu,
};
