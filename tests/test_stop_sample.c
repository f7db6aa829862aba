/*
 * A stop between two thermo samples (core/stop.h) ends the energy record
 * with a fully computed sample, never a partial one whose potential energy
 * was not asked of the calculator (it used to be 0: drift ≈ 1.006).
 *
 * Copper (EAM), 256 atoms, energy every 10 steps. A stop requested after
 * step 15 must give the very samples of an uninterrupted 15-step run (whose
 * last step is a sample step): same steps, the same potential and total
 * energy to 1e-12 relative, the same drift to 1e-12 absolute; |drift| below
 * 1e-4 (a 0 potential gives ≈ 1); every potential sample finite and within
 * 1% of the first. A stop after step 20 (a sample step) adds no sample.
 */
#include <signal.h>
#include <string.h>

#include "bench/bench.h"
#include "check.h"
#include "core/stop.h"

static long stop_after;

static mdb_status stop_hook(void *user, const struct mdb_md *md, long step, int timed, mdb_err *err) {
  (void)user, (void)md, (void)timed, (void)err;
  if (step == stop_after) mdb_stop_request(SIGTERM);
  return MDB_OK;
}

static void run(long n_steps, long stop_at, mdb_result *r) {
  mdb_case c;
  mdb_err err;
  mdb_case_defaults(&c);
  snprintf(c.system, sizeof c.system, "copper");
  c.n_atoms = 256;
  c.n_steps = (int)n_steps;
  c.warmup_steps = 0;
  c.energy_interval = 10;
  stop_after = stop_at;
  mdb_run_hooks h = {.after_step = stop_hook};
  REQUIRE_OK(mdb_case_run_hooked(&c, &h, r, &err), &err);
  mdb_stop_request(0);
}

int main(void) {
  mdb_result full, cut, on_sample;
  run(15, -1, &full);
  run(1000, 15, &cut);
  run(1000, 20, &on_sample);

  CHECK(strcmp(full.status, "ok") == 0);
  CHECK(strcmp(cut.status, "interrupted") == 0);
  CHECK(cut.fail_step == 15);
  printf("uninterrupted: %d samples, drift %.3e; stopped after 15: %d samples, drift %.3e, last U %.6f eV\n",
         full.n_samples, full.energy_drift, cut.n_samples, cut.energy_drift,
         cut.n_samples ? cut.th_potential[cut.n_samples - 1] : 0.0);
  CHECK(full.n_samples == 3);
  CHECK(cut.n_samples == full.n_samples);
  for (int k = 0; k < cut.n_samples && k < full.n_samples; k++) {
    CHECK(cut.th_step[k] == full.th_step[k]);
    CHECK_REL(cut.th_potential[k], full.th_potential[k], 1e-12, 1.0);
    CHECK_REL(cut.th_total[k], full.th_total[k], 1e-12, 1.0);
    CHECK_REL(cut.th_pressure[k], full.th_pressure[k], 1e-9, 1.0);
  }
  CHECK_ABS(cut.energy_drift, full.energy_drift, 1e-12);
  CHECK(fabs(cut.energy_drift) < 1e-4);
  CHECK(cut.max_dev_per_atom < 1e-3);
  for (int k = 0; k < cut.n_samples; k++) {
    CHECK(isfinite(cut.th_potential[k]));
    CHECK_REL(cut.th_potential[k], cut.th_potential[0], 1e-2, 1.0);
  }

  CHECK(strcmp(on_sample.status, "interrupted") == 0);
  CHECK(on_sample.n_samples == 3);
  CHECK(on_sample.n_samples == 3 && on_sample.th_step[2] == 20);
  CHECK(fabs(on_sample.energy_drift) < 1e-4);

  mdb_result_free(&full);
  mdb_result_free(&cut);
  mdb_result_free(&on_sample);
  return check_report();
}
