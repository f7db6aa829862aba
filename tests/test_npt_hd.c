/*
 * The scalar part of an NPT step (md/npt_hd.h), which md/mtk.c and the
 * device's kernels (gpu/kern_ens.h) both call:
 *
 *  1. mdb_npt_begin_hd and mdb_npt_end_hd give, bit for bit, what the
 *     sequence in md/mtk.c's header gives when written out from the
 *     formulas (mdb_nhc_half_step, mdb_mtk_omega_dot_hd), over 40 steps
 *     of made-up kinetic energies, virials and volumes: the factors, 2 KE,
 *     the chains and v_ε;
 *  2. mdb_npt_end_hd without the barostat (the device's threads other than
 *     the one that keeps the state) gives the same factor, 2 KE and
 *     particle chain bits as with it;
 *  3. the blow-up flag is raised when |h v_ε| reaches
 *     MDB_MTK_MAX_HALF_STRAIN = 0.05 and not below: with the barostat's
 *     chain made inert (Q = 1e30), h = 1 fs and v_ε = 0.08/fs are past it,
 *     0.001/fs is not.
 */
#include <string.h>

#include "core/units.h"
#include "md/md.h"
#include "md/npt_hd.h"
#include "check.h"

enum { N = 256 };

static void setup(mdb_mtk *b, mdb_nhc *c, double veps) {
  const double kt = MDB_KB_EV * 300.0, tdamp = 50.0, pdamp = 500.0;
  memset(b, 0, sizeof *b);
  mdb_nhc_init(c, 3, 3.0 * N - 3.0, kt, tdamp);
  b->w = (N + 1.0) * kt * pdamp * pdamp;
  b->p_ext = 1000.0 / MDB_EVA3_TO_BAR;
  b->veps = veps;
  b->mtk2 = veps / N;
  mdb_nhc_init(&b->chain, 3, 1.0, kt, pdamp);
}

static int same(const void *a, const void *b, size_t n) { return memcmp(a, b, n) == 0; }

/* md/mtk.c's header, line by line, from the formulas */
static void reference_begin(mdb_mtk *b, mdb_nhc *c, double *ke2, double vol, double trw, double h, double *sv,
                            double *sp, double *e) {
  b->veps *= mdb_nhc_half_step(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
  const double st = mdb_nhc_half_step(c, *ke2, h);
  *ke2 *= st * st;
  mdb_mtk_omega_dot_hd(b, vol, trw, *ke2, N, h);
  *sp = exp(-h * (b->veps + b->mtk2));
  *sv = st * *sp;
  *e = exp(h * b->veps);
}

static double reference_end(mdb_mtk *b, mdb_nhc *c, double *ke2, double vol, double trw, double h) {
  mdb_mtk_omega_dot_hd(b, vol, trw, *ke2, N, h);
  const double st = mdb_nhc_half_step(c, *ke2, h);
  *ke2 *= st * st;
  b->veps *= mdb_nhc_half_step(&b->chain, 3.0 * b->w * b->veps * b->veps, h);
  return st;
}

int main(void) {
  const double h = 1.0, kt = MDB_KB_EV * 300.0;
  mdb_mtk b, rb;
  mdb_nhc c, rc;
  setup(&b, &c, 1e-5);
  setup(&rb, &rc, 1e-5);
  double ke2 = (3.0 * N - 3.0) * kt, rke2 = ke2, vol = 256 * 45.0;
  int bits = 1, steps = 0;
  for (int s = 0; s < 40; s++) {
    /* a kinetic energy and a virial that swing, so the chains and v_ε move */
    const double trw = -3.0 * vol * (2e-4 + 3e-4 * sin(0.3 * s)) - ke2;
    const mdb_npt_half hf = mdb_npt_begin_hd(&b, &c, &ke2, vol, trw, N, h);
    double sv, sp, e;
    reference_begin(&rb, &rc, &rke2, vol, trw, h, &sv, &sp, &e);
    bits &= hf.sv == sv && hf.sp == sp && hf.e == e && hf.cell == e * e && ke2 == rke2 && !hf.blown;
    vol *= hf.cell * hf.cell * hf.cell;
    ke2 = rke2 = (3.0 * N - 3.0) * kt * (1.0 + 0.2 * cos(0.7 * s));
    const double trw2 = trw * 1.01;

    mdb_nhc c0 = c;
    double k0 = ke2;
    const double st0 = mdb_npt_end_hd(NULL, &c0, &k0, vol, trw2, N, h);
    const double st = mdb_npt_end_hd(&b, &c, &ke2, vol, trw2, N, h);
    CHECK(st0 == st && k0 == ke2 && same(&c0, &c, sizeof c));
    const double rst = reference_end(&rb, &rc, &rke2, vol, trw2, h);
    bits &= st == rst && ke2 == rke2 && same(&b, &rb, sizeof b) && same(&c, &rc, sizeof c);
    steps++;
  }
  printf("%d steps: shared scalars %s the written-out sequence; v_eps %.6g /fs, chain v1 %.6g /fs, baro chain v1 "
         "%.6g /fs\n",
         steps, bits ? "bit for bit" : "DIFFER from", b.veps, c.v[0], b.chain.v[0]);
  CHECK(bits);
  CHECK(b.veps != 1e-5 && c.v[0] != 0.0 && b.chain.v[0] != 0.0); /* the test moved every part */

  mdb_npt_half hf;
  double k = (3.0 * N - 3.0) * kt;
  setup(&b, &c, 0.08);
  for (int j = 0; j < 3; j++) b.chain.q[j] = 1e30;
  hf = mdb_npt_begin_hd(&b, &c, &k, vol, -k, N, h);
  CHECK(hf.blown && fabs(h * b.veps) >= MDB_MTK_MAX_HALF_STRAIN);
  setup(&b, &c, 0.001);
  for (int j = 0; j < 3; j++) b.chain.q[j] = 1e30;
  hf = mdb_npt_begin_hd(&b, &c, &k, vol, -k, N, h);
  CHECK(!hf.blown && fabs(h * b.veps) < MDB_MTK_MAX_HALF_STRAIN);
  return check_report();
}
