/*
 * NVT: Nosé–Hoover chains and Langevin BAOAB sample the canonical ensemble
 * and conserve their extended energy. One executable, one case per run
 * (tests/md_ensembles.cmake registers each):
 *
 *   argon-nhc, argon-langevin     argon 256 atoms, lj, dt 1 fs
 *   copper-nhc, copper-langevin   copper 108 atoms, eam:file=Cu_u3.eam (the
 *                                 tabulated potential of Debian's
 *                                 lammps-data; exit 77 when it is missing)
 *   langevin-repeats              the same seed twice: bit-identical
 *   nhc-chain                     the chain alone (md/nhc.c)
 *
 * Each physics case starts from the perfect lattice with Maxwell–Boltzmann
 * velocities at T0 = 300 K, tdamp = 100 fs (chain length 3), runs 10 ps of
 * equilibration and 200 ps of production sampled every 10 fs, through
 * mdb_case_run as a benchmark runs it. Checks on the production window:
 *
 *   |⟨T⟩/T0 − 1| < 0.02 (the bound). Expected statistical error:
 *     per sample σ_T/T = √(2/N_f) (5.1 % argon, 7.9 % copper); block
 *     averaging gives a statistical inefficiency g ≈ 60–140 fs, so 200 ps
 *     hold ≈ 1500–3000 independent samples and σ(⟨T⟩) ≈ 0.1–0.2 %: the
 *     bound is > 10σ, and a thermostat with a wrong target or acting on
 *     the wrong degrees of freedom misses it by far.
 *   |Var(KE) / ((N_f/2)(kB T0)²) − 1| < 0.08. The KE of a canonical system
 *     is χ²-distributed whatever the potential. Expected error of the
 *     variance: √(2 g / n) with g ≈ 6–14 samples and n = 20000 gives
 *     σ ≈ 0.02 (measured over 5 seeds of argon, 100 ps each: ratios 0.977
 *     to 1.054, spread 0.03, i.e. 0.021 at 200 ps; the block estimate
 *     printed agrees). 0.08 is 4σ. A Berendsen or velocity-rescaling
 *     thermostat gives ratios ≪ 0.5.
 *   Conserved quantity (NHC: E + chain energy; Langevin: E − heat) over the
 *     whole run, step 0 included: |slope| < 1e-6 eV/atom/ps and
 *     max |C(t) − C(0)|/N < 1e-4 eV/atom (measured ≤ 1.2e-7 and ≤ 2.3e-5,
 *     the level of NVE at 300 K). From the perfect lattice the thermostat
 *     must put in about (3/2) kB T0 per atom (0.039 eV/atom) as the lattice
 *     takes its share of potential energy, so the total energy E moves by
 *     that much: |C_end − C_0| and max |C − C_0| must both be ≥ 50× smaller
 *     than the same measures of E (measured ratios > 1000).
 */
#include <string.h>

#include "bench/bench.h"
#include "core/units.h"
#include "ensemble_stats.h"
#include "md/md.h"
#include "testutil.h"

#define T0 300.0
#define EQUIL_FS 10000.0
#define PROD_FS 200000.0
#define TOL_MEAN_T 0.02
#define TOL_VAR_KE 0.08
#define TOL_SLOPE 1e-6
#define TOL_DEV 1e-4
#define MIN_RATIO 50.0

#define CU_FILE "/usr/share/lammps/potentials/Cu_u3.eam"

static void nvt_case(mdb_case *c, const char *system, const char *calc, int atoms, const char *thermostat, int steps,
                     uint64_t seed) {
  mdb_case_defaults(c);
  snprintf(c->system, sizeof c->system, "%s", system);
  snprintf(c->calculator, sizeof c->calculator, "%s", calc);
  snprintf(c->protocol, sizeof c->protocol, "NVT");
  snprintf(c->thermostat, sizeof c->thermostat, "%s", thermostat);
  c->n_atoms = atoms;
  c->n_steps = steps;
  c->warmup_steps = 0;
  c->timestep_fs = 1.0;
  c->temperature_K = T0;
  c->tdamp_fs = 100.0;
  c->energy_interval = 10;
  c->seed = seed;
}

static int canonical(const char *system, const char *calc, int atoms, const char *thermostat) {
  mdb_case c;
  mdb_result r;
  mdb_err err;
  nvt_case(&c, system, calc, atoms, thermostat, (int)(EQUIL_FS + PROD_FS), 42);
  REQUIRE_OK(mdb_case_run(&c, &r, &err), &err);
  CHECK(strcmp(r.status, "ok") == 0);
  CHECK(strcmp(r.c.thermostat, thermostat) == 0 && r.c.chain == (strcmp(thermostat, "nhc") == 0 ? 3 : 0));
  int ns = r.n_samples, k0 = 0;
  while (k0 < ns - 1 && r.th_time_fs[k0] < EQUIL_FS) k0++;
  int n = ns - k0;
  double nf = 3.0 * r.n_atoms - 3.0, kt = MDB_KB_EV * T0, canon = 0.5 * nf * kt * kt;
  es_result t = es_block(r.th_temperature + k0, n, 20), ke = es_block(r.th_kinetic + k0, n, 20);
  double ratio = ke.var / canon;

  /* conserved vs total energy over the whole run */
  const es_excursion x = es_excursions(&r);
  const double cdev = x.cdev, cend = x.cend, edev = x.edev, eend = x.eend, eslope = x.eslope;
  printf("%s %s %s, %d atoms, %.0f ps production (%d samples):\n"
         "  <T> = %.3f K ± %.3f (block error; g = %.0f fs); target %.1f K, rel diff %.2e (tol %.2g)\n"
         "  Var(KE)/canonical = %.4f ± %.4f (g_KE %.0f fs) (tol |ratio - 1| < %.2g)\n"
         "  conserved: slope %.3e eV/atom/ps, max|C-C0| %.3e, |C_end-C0| %.3e eV/atom\n"
         "  total E:   slope %.3e eV/atom/ps, max|E-E0| %.3e, |E_end-E0| %.3e eV/atom "
         "(ratios %.0f, %.0f); %.1f us/step\n",
         system, calc, thermostat, r.n_atoms, PROD_FS * 1e-3, n, t.mean, t.mean_err, t.g_mean * c.energy_interval, T0,
         t.mean / T0 - 1, TOL_MEAN_T, ratio, ke.var_err / canon, ke.g_mean * c.energy_interval, TOL_VAR_KE,
         r.drift_slope, cdev, cend, eslope, edev, eend, edev / cdev, eend / cend, r.step.mean * 1e3);
  CHECK_REL(t.mean, T0, TOL_MEAN_T, 0);
  CHECK_ABS(ratio, 1.0, TOL_VAR_KE);
  CHECK(fabs(r.drift_slope) < TOL_SLOPE);
  CHECK(cdev < TOL_DEV);
  CHECK(cdev * MIN_RATIO < edev);
  CHECK(cend * MIN_RATIO < eend);
  mdb_result_free(&r);
  return check_report();
}

/* Langevin noise is keyed by (seed, step, atom id, component): two runs
 * with one seed agree bit for bit, another seed differs. */
static int repeats(void) {
  mdb_case c;
  mdb_result a, b, o;
  mdb_err err;
  nvt_case(&c, "argon", "lj", 108, "langevin", 2000, 7);
  c.energy_interval = 5;
  REQUIRE_OK(mdb_case_run(&c, &a, &err), &err);
  REQUIRE_OK(mdb_case_run(&c, &b, &err), &err);
  c.seed = 8;
  REQUIRE_OK(mdb_case_run(&c, &o, &err), &err);
  int same = a.n_samples == b.n_samples && a.n_samples > 100, differ = 0;
  for (int k = 0; same && k < a.n_samples; k++)
    same = memcmp(&a.th_total[k], &b.th_total[k], sizeof(double)) == 0 &&
           memcmp(&a.th_conserved[k], &b.th_conserved[k], sizeof(double)) == 0 &&
           memcmp(&a.th_pressure[k], &b.th_pressure[k], sizeof(double)) == 0 &&
           memcmp(&a.th_temperature[k], &b.th_temperature[k], sizeof(double)) == 0;
  for (int k = 1; k < a.n_samples && k < o.n_samples; k++) differ += a.th_kinetic[k] != o.th_kinetic[k];
  printf("langevin seed 7 twice: %s over %d samples; seed 8 differs at %d of %d; |P| max %.2e amu·Å/fs\n",
         same ? "bit-identical" : "DIFFERENT", a.n_samples, differ, a.n_samples - 1, a.momentum_drift * a.n_atoms);
  CHECK(same);
  CHECK(differ == a.n_samples - 1);
  /* the noise's centre-of-mass part is removed: total momentum stays ~0 */
  CHECK(a.momentum_drift * a.n_atoms < 1e-9);
  mdb_result_free(&a);
  mdb_result_free(&b);
  mdb_result_free(&o);
  return check_report();
}

/* The chain alone, as on an ideal gas (no forces: the particles' kinetic
 * energy changes only by the chain's scaling). Checks:
 *   the masses are Q_1 = nf kT τ², Q_k = kT τ²;
 *   at ke2 = nf kT with the chain at rest the first half-step leaves the
 *     particles alone (s == 1 exactly, v_1 stays 0);
 *   H = KE + chain energy is conserved by the Trotter half-steps up to
 *     their splitting error, O((h/τ)²) ≈ 2.5e-5 relative at h = 0.5 fs,
 *     τ = 100 fs: over 20,000 half-steps (10 ps at dt 1 fs) from KE 3×
 *     the target, |H − H0| < 1e-4 · H0 (measured 1.1e-5; an energy term
 *     missing or with the wrong mass is off by O(1));
 *   time reversal: negating every v_k after 400 half-steps (200 fs) and
 *     running 400 more returns ke2 and ξ_1 to their start within 1e-12
 *     (measured 1e-15). The chain is chaotic (round-off grows ~e-fold per
 *     25 fs here), so longer spans would test round-off, not the map. */
static int chain_unit(void) {
  const double kt = MDB_KB_EV * T0, nf = 99.0, tau = 100.0, h = 0.5;
  mdb_nhc c;
  mdb_nhc_init(&c, 3, nf, kt, tau);
  CHECK_REL(c.q[0], nf * kt * tau * tau, 1e-15, 0);
  CHECK_REL(c.q[1], kt * tau * tau, 1e-15, 0);
  CHECK_REL(c.q[2], kt * tau * tau, 1e-15, 0);
  double s = mdb_nhc_half_step(&c, nf * kt, h);
  CHECK(s == 1.0 && c.v[0] == 0 && c.xi[0] == 0);

  mdb_nhc_init(&c, 3, nf, kt, tau);
  double ke2 = 3.0 * nf * kt, h0 = 0.5 * ke2, worst = 0;
  for (int k = 0; k < 20000; k++) {
    s = mdb_nhc_half_step(&c, ke2, h);
    ke2 *= s * s;
    worst = fmax(worst, fabs(0.5 * ke2 + mdb_nhc_energy(&c) - h0));
  }
  double ke_end = ke2;

  mdb_nhc_init(&c, 3, nf, kt, tau);
  ke2 = 3.0 * nf * kt;
  for (int k = 0; k < 400; k++) {
    s = mdb_nhc_half_step(&c, ke2, h);
    ke2 *= s * s;
  }
  double ke_mid = ke2, xi_mid = c.xi[0];
  for (int k = 0; k < 3; k++) c.v[k] = -c.v[k];
  for (int k = 0; k < 400; k++) {
    s = mdb_nhc_half_step(&c, ke2, h);
    ke2 *= s * s;
  }
  printf("NHC chain alone: |H - H0| max %.3e eV = %.2e H0; KE/target after 10 ps %.4f; reversal after 200 fs "
         "(KE/target %.4f, xi1 %.4f): ke2 off by %.2e rel, xi1 by %.2e\n",
         worst, worst / h0, ke_end / (nf * kt), ke_mid / (nf * kt), xi_mid, ke2 / (3.0 * nf * kt) - 1, c.xi[0]);
  CHECK(worst < 1e-4 * h0);
  CHECK(fabs(ke_mid / (nf * kt) - 3.0) > 0.5); /* the chain really acted */
  CHECK_REL(ke2, 3.0 * nf * kt, 1e-12, 0);
  CHECK_ABS(c.xi[0], 0.0, 1e-12);
  return check_report();
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "";
  if (strcmp(which, "argon-nhc") == 0) return canonical("argon", "lj", 256, "nhc");
  if (strcmp(which, "argon-langevin") == 0) return canonical("argon", "lj", 256, "langevin");
  if (!strncmp(which, "copper-", 7)) {
    FILE *f = fopen(CU_FILE, "r");
    if (!f) {
      printf("SKIP: %s not found (Debian: apt install lammps-data)\n", CU_FILE);
      return 77;
    }
    fclose(f);
    return canonical("copper", "eam:file=" CU_FILE, 108, which + 7);
  }
  if (strcmp(which, "langevin-repeats") == 0) return repeats();
  if (strcmp(which, "nhc-chain") == 0) return chain_unit();
  fprintf(stderr, "usage: %s argon-nhc|argon-langevin|copper-nhc|copper-langevin|langevin-repeats|nhc-chain\n",
          argv[0]);
  return 2;
}
