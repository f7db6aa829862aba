/*
 * The Verlet lists equal an O(N²) search over all periodic images, on tiny
 * cells (cutoff + skin larger than the cell, so atoms meet many images of
 * each other, including their own) and on skewed triclinic cells.
 *
 * A neighbour is identified by (owner atom, image shift). The full list of
 * atom i must be exactly the set {(j, n) : |x_j + n·h − x_i| < r_list,
 * (j, n) ≠ (i, 0)}; the half list must hold every such interaction once
 * (either (i→j, n) or (j→i, −n), never both). After moving atoms by less
 * than skin/2 the list must not be rebuilt and must still hold every pair
 * within the cutoff.
 */
#include "testutil.h"

typedef struct pair_key {
  int i, j, s0, s1, s2;
} pair_key;

static int cmp_key(const void *a, const void *b) { return memcmp(a, b, sizeof(pair_key)); }

/* Every (j, n) within r of local i, by brute force over images |n_k| <= m. */
static int brute(const mdb_system *sys, double r, pair_key *out) {
  int cnt = 0, m = 4;
  for (int i = 0; i < sys->n; i++)
    for (int j = 0; j < sys->n; j++)
      for (int a = -m; a <= m; a++)
        for (int b = -m; b <= m; b++)
          for (int c = -m; c <= m; c++) {
            if (i == j && !a && !b && !c) continue;
            double s[3] = {a, b, c}, d[3], r2 = 0;
            mdb_box_to_cart(&sys->box, s, d);
            for (int k = 0; k < 3; k++) {
              double dk = sys->x[3 * j + k] + d[k] - sys->x[3 * i + k];
              r2 += dk * dk;
            }
            if (r2 < r * r) out[cnt++] = (pair_key){i, j, a, b, c};
          }
  return cnt;
}

static pair_key key_of(const mdb_neigh *nl, const mdb_system *sys, int i, int p) {
  if (p < sys->n) return (pair_key){i, p, 0, 0, 0};
  const int *sh = nl->shift + 3 * (p - sys->n);
  return (pair_key){i, nl->owner[p - sys->n], sh[0], sh[1], sh[2]};
}

static void check_cell(const char *label, const double h[3][3], int n, double cutoff, double skin) {
  mdb_err err;
  mdb_system sys;
  const char *sp[] = {"Ar"};
  tu_system(&sys, n, h, sp, 1, NULL, 0, 0.5, 11);
  mdb_neigh nl;
  REQUIRE_OK(mdb_neigh_init(&nl, cutoff, skin, MDB_NEIGH_HALF | MDB_NEIGH_FULL, &err), &err);
  REQUIRE_OK(mdb_neigh_build(&nl, &sys, &err), &err);
  double r = cutoff + skin;
  size_t cap = (size_t)n * n * 729 + 1;
  pair_key *ref = malloc(cap * sizeof *ref), *got = malloc(cap * sizeof *got);
  int nref = brute(&sys, r, ref);
  qsort(ref, (size_t)nref, sizeof *ref, cmp_key);
  /* full list */
  int ngot = 0;
  for (int i = 0; i < sys.n; i++)
    for (int k = nl.full_start[i]; k < nl.full_start[i + 1]; k++) got[ngot++] = key_of(&nl, &sys, i, nl.full[k]);
  qsort(got, (size_t)ngot, sizeof *got, cmp_key);
  CHECK(ngot == nref);
  CHECK(ngot == nref && memcmp(got, ref, (size_t)nref * sizeof *ref) == 0);
  /* half list, mirrored, equals the full set */
  int nh = 0;
  for (int i = 0; i < sys.n; i++)
    for (int k = nl.half_start[i]; k < nl.half_start[i + 1]; k++) {
      pair_key a = key_of(&nl, &sys, i, nl.half[k]);
      got[nh++] = a;
      got[nh++] = (pair_key){a.j, a.i, -a.s0, -a.s1, -a.s2};
    }
  qsort(got, (size_t)nh, sizeof *got, cmp_key);
  CHECK(nh == nref);
  CHECK(nh == nref && memcmp(got, ref, (size_t)nref * sizeof *ref) == 0);
  printf("%-30s %4d atoms, r_list %.2f Å, widths %.2f %.2f %.2f Å: %d pairs, %d ghosts\n", label, n, r,
         sys.box.width[0], sys.box.width[1], sys.box.width[2], nref, nl.nghost);

  /* move every atom by < skin/2: no rebuild, and every pair within the
   * cutoff at the new positions is still in the list */
  if (skin > 0) {
    for (int i = 0; i < 3 * sys.n; i++) sys.x[i] += 0.49 * skin / sqrt(3.0) * (i % 2 ? 1 : -1);
    int rebuilt = -1;
    REQUIRE_OK(mdb_neigh_update(&nl, &sys, &rebuilt, &err), &err);
    CHECK(rebuilt == 0);
    int nc = brute(&sys, cutoff, ref), missing = 0;
    ngot = 0;
    for (int i = 0; i < sys.n; i++)
      for (int k = nl.full_start[i]; k < nl.full_start[i + 1]; k++) got[ngot++] = key_of(&nl, &sys, i, nl.full[k]);
    qsort(got, (size_t)ngot, sizeof *got, cmp_key);
    for (int q = 0; q < nc; q++) missing += bsearch(&ref[q], got, (size_t)ngot, sizeof *got, cmp_key) == NULL;
    CHECK(missing == 0);
    /* ghost positions follow their owners exactly */
    double worst = 0;
    for (int g = 0; g < nl.nghost; g++) {
      double s[3] = {nl.shift[3 * g], nl.shift[3 * g + 1], nl.shift[3 * g + 2]}, d[3];
      mdb_box_to_cart(&sys.box, s, d);
      for (int k = 0; k < 3; k++)
        worst = fmax(worst, fabs(sys.x[3 * (sys.n + g) + k] - sys.x[3 * nl.owner[g] + k] - d[k]));
    }
    CHECK_ABS(worst, 0.0, 1e-12);
    /* a move past skin/2 triggers a rebuild */
    sys.x[0] += skin;
    REQUIRE_OK(mdb_neigh_update(&nl, &sys, &rebuilt, &err), &err);
    CHECK(rebuilt == 1);
  }
  free(ref);
  free(got);
  mdb_neigh_free(&nl);
  mdb_system_free(&sys);
}

int main(void) {
  const double cube6[3][3] = {{6, 0, 0}, {0, 6, 0}, {0, 0, 6}};
  const double tiny[3][3] = {{3.1, 0, 0}, {0, 4.2, 0}, {0, 0, 5.3}};
  const double skew[3][3] = {{9, 0, 0}, {4.5, 8, 0}, {-2.5, 3, 7.5}};
  const double flat[3][3] = {{14, 0, 0}, {7, 12, 0}, {0.5, 0.5, 2.2}};
  const double left_lean[3][3] = {{10, 0, 0}, {-6, 9, 0}, {5, -4, 9}};
  check_cell("cube narrower than r_list", cube6, 10, 6.0, 1.0);
  check_cell("tiny orthorhombic", tiny, 3, 5.0, 0.5);
  check_cell("skewed triclinic", skew, 30, 5.0, 1.0);
  check_cell("flat slab, strong tilt", flat, 25, 4.0, 0.8);
  check_cell("negative tilts", left_lean, 40, 4.5, 0.6);
  check_cell("no skin", skew, 30, 5.0, 0.0);
  return check_report();
}
