/*
 * Random numbers and initial velocities.
 * - Philox4x32-10 reproduces the Random123 known-answer vectors exactly.
 * - mdb_log_det agrees with libm's log to 5 ulps over 1e-300..1e300, and
 *   mdb_cbrt_det with cbrt to 2 ulps over 1e-6..1e9.
 * - 2e6 Gaussian deviates have mean 0 ± 0.005, variance 1 ± 0.005,
 *   kurtosis 3 ± 0.02 (≈ 5 standard errors each).
 * - Maxwell–Boltzmann velocities: zero total momentum (1e-12 relative), the
 *   exact target temperature (1e-12 relative), and per-species variance
 *   kB T / m within 5 % for 4000 atoms.
 */
#include "build/build.h"
#include "core/units.h"
#include "md/md.h"
#include "testutil.h"

static void kat(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t r0, uint32_t r1,
                uint32_t r2, uint32_t r3) {
  mdb_u32x4 ctr = {{c0, c1, c2, c3}};
  mdb_u32x4 r = mdb_philox4x32(ctr, k0, k1);
  CHECK(r.v[0] == r0 && r.v[1] == r1 && r.v[2] == r2 && r.v[3] == r3);
}

int main(void) {
  /* Random123 kat_vectors: philox4x32 10 rounds */
  kat(0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
  kat(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e, 0xa20bc7c6,
      0x6d5451fd);
  kat(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420,
      0x24126ea1);

  double worst = 0;
  for (double x = 1e-300; x < 1e300; x *= 1.37) {
    double ref = log(x), got = mdb_log_det(x);
    worst = fmax(worst, fabs(got - ref) / fmax(fabs(ref), 1e-300));
  }
  for (double x = 0.5; x < 2.0; x += 1e-4) {
    double ref = log(x), got = mdb_log_det(x);
    if (ref != 0) worst = fmax(worst, fabs(got - ref) / fabs(ref));
  }
  printf("mdb_log_det worst relative error vs libm: %.2e\n", worst);
  CHECK(worst < 1e-15);

  double cworst = 0;
  for (double v = 1e-6; v < 1e9; v *= 1.113) cworst = fmax(cworst, fabs(mdb_cbrt_det(v) - cbrt(v)) / cbrt(v));
  printf("mdb_cbrt_det worst relative error vs libm: %.2e\n", cworst);
  CHECK(cworst < 5e-16);

  const int n = 1000000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < n; i++) {
    double g[2];
    mdb_gauss2(1, 2, (uint32_t)i, 0, 9, &g[0], &g[1]);
    for (int k = 0; k < 2; k++) {
      s1 += g[k];
      s2 += g[k] * g[k];
      s4 += g[k] * g[k] * g[k] * g[k];
    }
  }
  double mean = s1 / (2 * n), var = s2 / (2 * n) - mean * mean, kurt = s4 / (2 * n) / (var * var);
  printf("gaussians: mean %.4f variance %.4f kurtosis %.4f\n", mean, var, kurt);
  CHECK_ABS(mean, 0.0, 0.005);
  CHECK_ABS(var, 1.0, 0.005);
  CHECK_ABS(kurt, 3.0, 0.02);

  /* velocities on a two-species system: H and O of a water box */
  mdb_err err;
  mdb_system sys;
  REQUIRE_OK(mdb_build_system(&sys, "water", 3 * 1334, 0, 5, NULL, &err), &err);
  const double T = 450.0;
  REQUIRE_OK(mdb_velocity_init(&sys, T, 77, &err), &err);
  double p[3];
  mdb_momentum(&sys, p);
  double pscale = 0;
  for (int i = 0; i < sys.n; i++) pscale += sys.mass[sys.type[i]] * fabs(sys.v[3 * i]);
  CHECK_ABS(p[0], 0.0, 1e-12 * pscale);
  CHECK_ABS(p[1], 0.0, 1e-12 * pscale);
  CHECK_ABS(p[2], 0.0, 1e-12 * pscale);
  double temp = 2 * mdb_kinetic_energy(&sys) / (mdb_dof(&sys) * MDB_KB_EV);
  CHECK_REL(temp, T, 1e-12, 0);
  for (int t = 0; t < sys.ntypes; t++) {
    double v2 = 0;
    int cnt = 0;
    for (int i = 0; i < sys.n; i++)
      if (sys.type[i] == t) {
        for (int k = 0; k < 3; k++) v2 += sys.v[3 * i + k] * sys.v[3 * i + k];
        cnt += 3;
      }
    double expect = MDB_KB_EV * T * MDB_FTM2V / sys.mass[t];
    printf("%s: <v²> %.5g, kB T/m %.5g (Å/fs)²\n", sys.species[t], v2 / cnt, expect);
    CHECK_REL(v2 / cnt, expect, 0.05, 0);
  }
  REQUIRE_OK(mdb_velocity_init(&sys, 0.0, 77, &err), &err);
  CHECK(mdb_kinetic_energy(&sys) == 0.0);
  CHECK(mdb_velocity_init(&sys, -1.0, 77, &err) == MDB_EINPUT);
  mdb_system_free(&sys);
  return check_report();
}
