/*
 * The same seed gives the same trajectory: two runs of one case agree bit
 * for bit in every thermo sample; another seed gives another trajectory.
 * Initial velocities depend on the seed and the atom's original index only,
 * not on the order atoms are stored in.
 */
#include "bench/bench.h"
#include "build/build.h"
#include "md/md.h"
#include "testutil.h"

static void run(uint64_t seed, mdb_result *r) {
  mdb_case c;
  mdb_err err;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "copper");
  c.n_atoms = 108;
  c.n_steps = 400;
  c.energy_interval = 5;
  c.seed = seed;
  REQUIRE_OK(mdb_case_run(&c, r, &err), &err);
}

int main(void) {
  mdb_result a, b, other;
  run(1234, &a);
  run(1234, &b);
  run(1235, &other);
  CHECK(a.n_samples == b.n_samples && a.n_samples > 50);
  int same = a.n_samples == b.n_samples, differ = 0;
  for (int k = 0; same && k < a.n_samples; k++)
    same = memcmp(&a.th_total[k], &b.th_total[k], sizeof(double)) == 0 &&
           memcmp(&a.th_pressure[k], &b.th_pressure[k], sizeof(double)) == 0 &&
           memcmp(&a.th_temperature[k], &b.th_temperature[k], sizeof(double)) == 0;
  for (int k = 1; k < a.n_samples && k < other.n_samples; k++) differ += a.th_potential[k] != other.th_potential[k];
  CHECK(same);
  CHECK(differ > 0);
  printf("seed 1234 twice: %s over %d samples; seed 1235 differs at %d samples\n", same ? "identical" : "DIFFERENT",
         a.n_samples, differ);
  mdb_result_free(&a);
  mdb_result_free(&b);
  mdb_result_free(&other);

  /* storage order does not matter: reverse the atoms, keep their ids */
  mdb_err err;
  mdb_system s1, s2;
  REQUIRE_OK(mdb_build_system(&s1, "silicon", 64, 0, 0, NULL, &err), &err);
  REQUIRE_OK(mdb_system_copy(&s2, &s1, &err), &err);
  for (int i = 0; i < s1.n; i++) {
    int j = s1.n - 1 - i;
    memcpy(s2.x + 3 * j, s1.x + 3 * i, 3 * sizeof(double));
    s2.id[j] = s1.id[i];
    s2.type[j] = s1.type[i];
  }
  REQUIRE_OK(mdb_velocity_init(&s1, 500.0, 99, &err), &err);
  REQUIRE_OK(mdb_velocity_init(&s2, 500.0, 99, &err), &err);
  double worst = 0;
  for (int i = 0; i < s1.n; i++)
    for (int k = 0; k < 3; k++) worst = fmax(worst, fabs(s1.v[3 * i + k] - s2.v[3 * (s1.n - 1 - i) + k]));
  CHECK(worst == 0.0); /* bit for bit */
  printf("velocities with reversed storage: max difference %.2e Å/fs\n", worst);
  mdb_system_free(&s1);
  mdb_system_free(&s2);
  return check_report();
}
