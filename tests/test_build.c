/*
 * Named systems: the reference guide's sizes exist with exactly N atoms in
 * the most cubic replication, the lattices have their stated constants and
 * nearest-neighbour distances, impossible sizes name the nearest valid ones,
 * and the water box has 1.0 g/cm³ (1e-12 relative), SPC/Fw geometry (1e-12
 * Å, 1e-10 degrees), no intermolecular pair closer than 1.6 Å (2.5 Å for
 * O–O), and the same seed gives the same box.
 */
#include "build/build.h"
#include "core/units.h"
#include "testutil.h"

static double min_distance(const mdb_system *s, int same_mol_too) {
  double best = INFINITY;
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++) {
      if (!same_mol_too && s->mol[i] >= 0 && s->mol[i] == s->mol[j]) continue;
      best = fmin(best, tu_image_distance(&s->box, s->x + 3 * i, s->x + 3 * j));
    }
  return best;
}

static void lattice(const char *name, int n, int rx, int ry, int rz, double a, double nn) {
  mdb_err err;
  mdb_system s;
  mdb_build_info info;
  REQUIRE_OK(mdb_build_system(&s, name, n, 0, 1, &info, &err), &err);
  CHECK(s.n == n);
  CHECK(info.reps[0] == rx && info.reps[1] == ry && info.reps[2] == rz);
  CHECK_REL(s.box.h[0][0], rx * a, 1e-14, 0);
  CHECK_REL(s.box.volume, rx * ry * rz * a * a * a, 1e-12, 0);
  double d = n <= 256 ? min_distance(&s, 1) : nn; /* the O(N²) check only on small cells */
  CHECK_REL(d, nn, 1e-12, 0);
  printf("%-9s %5d atoms = %dx%dx%d cells, a = %.4g Å, nearest neighbour %.6g Å\n", name, n, info.reps[0], info.reps[1],
         info.reps[2], a, d);
  mdb_system_free(&s);
}

int main(void) {
  lattice("silicon", 32, 1, 2, 2, 5.431, 5.431 * sqrt(3.0) / 4);
  lattice("silicon", 64, 2, 2, 2, 5.431, 5.431 * sqrt(3.0) / 4);
  lattice("silicon", 128, 2, 2, 4, 5.431, 5.431 * sqrt(3.0) / 4);
  lattice("silicon", 256, 2, 4, 4, 5.431, 5.431 * sqrt(3.0) / 4);
  lattice("copper", 108, 3, 3, 3, 3.615, 3.615 / sqrt(2.0));
  lattice("aluminum", 108, 3, 3, 3, 4.05, 4.05 / sqrt(2.0));
  lattice("argon", 256, 4, 4, 4, 5.26, 5.26 / sqrt(2.0));
  lattice("argon", 32000, 20, 20, 20, 5.26, 5.26 / sqrt(2.0));

  mdb_err err;
  mdb_system s;
  CHECK(mdb_build_system(&s, "silicon", 100, 0, 1, NULL, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "96") && strstr(err.msg, "104"));
  printf("silicon 100: %s\n", err.msg);
  CHECK(mdb_build_system(&s, "copper", 2, 0, 1, NULL, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "4") != NULL);
  CHECK(mdb_build_system(&s, "water", 97, 0, 1, NULL, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "96") && strstr(err.msg, "99"));
  CHECK(mdb_build_system(&s, "graphene", 0, 0, 1, NULL, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "silicon, copper, aluminum, argon, water") != NULL);

  /* water: the guide's 96 atoms, and a larger box */
  int sizes[] = {96, 1500};
  for (int q = 0; q < 2; q++) {
    REQUIRE_OK(mdb_build_system(&s, "water", sizes[q], 0, 3, NULL, &err), &err);
    double mass = mdb_system_total_mass(&s);
    double rho = mass / s.box.volume * MDB_AMUA3_TO_GCM3;
    CHECK_REL(rho, 1.0, 1e-12, 0);
    double worst_r = 0, worst_a = 0, min_oo = INFINITY;
    for (int m = 0; m < s.n / 3; m++) {
      const double *o = s.x + 9 * m, *h1 = o + 3, *h2 = o + 6;
      double d1[3], d2[3], r1 = 0, r2 = 0, dot = 0;
      for (int k = 0; k < 3; k++) {
        d1[k] = h1[k] - o[k];
        d2[k] = h2[k] - o[k];
        r1 += d1[k] * d1[k];
        r2 += d2[k] * d2[k];
        dot += d1[k] * d2[k];
      }
      worst_r = fmax(worst_r, fmax(fabs(sqrt(r1) - 1.012), fabs(sqrt(r2) - 1.012)));
      worst_a = fmax(worst_a, fabs(acos(dot / sqrt(r1 * r2)) * 180 / 3.14159265358979323846 - 113.24));
      CHECK(s.mol[3 * m] == m && s.mol[3 * m + 2] == m);
      for (int j = 0; j < m; j++) min_oo = fmin(min_oo, tu_image_distance(&s.box, o, s.x + 9 * j));
    }
    double dmin = min_distance(&s, 0);
    printf("water %d: %.12f g/cm³, |r_OH - 1.012| <= %.1e Å, |θ - 113.24°| <= %.1e°, min O-O %.3f Å, "
           "min intermolecular %.3f Å\n",
           s.n, rho, worst_r, worst_a, min_oo, dmin);
    CHECK(worst_r < 1e-12);
    CHECK(worst_a < 1e-10);
    CHECK(min_oo >= 2.5);
    CHECK(dmin >= 1.6);
    mdb_system s2;
    REQUIRE_OK(mdb_build_system(&s2, "water", sizes[q], 0, 3, NULL, &err), &err);
    CHECK(memcmp(s.x, s2.x, (size_t)s.n * 3 * sizeof(double)) == 0);
    mdb_system_free(&s2);
    REQUIRE_OK(mdb_build_system(&s2, "water", sizes[q], 0, 4, NULL, &err), &err);
    CHECK(memcmp(s.x, s2.x, (size_t)s.n * 3 * sizeof(double)) != 0);
    mdb_system_free(&s2);
    mdb_system_free(&s);
  }
  return check_report();
}
