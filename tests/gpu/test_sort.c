/*
 * The GPU engine's re-sort of the atoms along a Z-order curve
 * (gpu/kern_sort.h), on the host backend:
 *
 *   test_sort traj SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS
 *       the same run with a re-sort at every neighbour rebuild and without
 *       any (skin 0.3 Å: a rebuild every few steps): every sample's
 *       energies, temperature and pressure, and the final positions
 *       (unwrapped), velocities and forces, in the host's atom order, agree
 *       to 1e-10 relative; the sorted run re-sorted at least 3 times and
 *       moved atoms; graphs on and off give the same bits.
 *   test_sort perm SYSTEM ATOMS CALC STEPS MIN_CHUNKS
 *       after STEPS steps (NVE) with a re-sort at every rebuild, and up to
 *       the next rebuild: the device order is a bijection of the host's
 *       (home[] a permutation, not the identity); ids, types, positions,
 *       the packed positions and the images on the device are the
 *       downloaded (host-order) arrays permuted by it; right after the
 *       sort, the atoms of each bin hold consecutive indices and the bins
 *       follow the Z-order (Morton codes ascending), over at least
 *       MIN_CHUNKS chunks of the prefix sum; and the steps allocated
 *       nothing on the device (the strict host backend refuses an
 *       allocation inside a capture: the sort's scratch is allocated at
 *       set-up), the engine's allocations and bytes unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "gpu/gmd_impl.h"
#include "md/md.h"
#include "../check.h"

typedef struct setup {
  const char *system, *calc, *protocol, *thermostat;
  int atoms, steps;
} setup;

typedef struct traj {
  int ns;
  double e[64], pe[64], ec[64], t[64], p[64];
  double *x, *v, *f; /* final, host order; x unwrapped */
  long builds, sorts;
} traj;

static void host_md(const setup *s, mdb_system *sys, mdb_calc *calc, mdb_md *md) {
  mdb_err err;
  REQUIRE_OK(mdb_build_system(sys, s->system, s->atoms, 0, 42, NULL, &err), &err);
  REQUIRE_OK(mdb_velocity_init(sys, 300.0, 42, &err), &err);
  REQUIRE_OK(mdb_calc_create(calc, s->calc, "cpu", &err), &err);
  REQUIRE_OK(mdb_md_init(md, sys, calc, mdb_build_default_timestep(s->system), 0.3, &err), &err);
  mdb_ensemble e;
  mdb_ensemble_defaults(&e);
  REQUIRE_OK(mdb_protocol_parse(s->protocol, &e.protocol, &err), &err);
  if (strcmp(s->thermostat, "-")) REQUIRE_OK(mdb_thermostat_parse(s->thermostat, &e.thermostat, &err), &err);
  e.temperature_K = 300.0;
  e.tdamp_fs = 50.0;
  e.pdamp_fs = 500.0;
  e.chain = e.thermostat == MDB_THERMOSTAT_NHC ? 3 : 0;
  e.seed = 42;
  REQUIRE_OK(mdb_md_set_ensemble(md, &e, &err), &err);
}

/* A run of s->steps steps (every 10th sampled) with the given re-sort
 * period (< 0: never). */
static void run(const setup *s, int sort_every, int graphs, traj *t) {
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g;
  mdb_gmd_opts o = {"host", -1, 0, graphs, sort_every};
  host_md(s, &sys, &calc, &md);
  REQUIRE_OK(mdb_gmd_create(&g, &md, &o, &err), &err);
  t->ns = 0;
  for (int step = 0; step <= s->steps; step++) {
    const unsigned fl = step % 10 == 0 ? MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL : 0;
    if (step) REQUIRE_OK(mdb_gmd_step(g, fl, &err), &err);
    if (!fl) continue;
    mdb_thermo th;
    REQUIRE_OK(mdb_gmd_thermo(g, &th, NULL, NULL, &err), &err);
    const int k = t->ns++;
    t->e[k] = th.total;
    t->pe[k] = th.potential;
    t->ec[k] = th.conserved;
    t->t[k] = th.temperature;
    t->p[k] = th.pressure;
  }
  REQUIRE_OK(mdb_gmd_download(g, &sys, &err), &err);
  const int n = sys.n;
  t->x = malloc(sizeof(double) * 3 * n);
  t->v = malloc(sizeof(double) * 3 * n);
  t->f = malloc(sizeof(double) * 3 * n);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 3; k++) {
      t->x[3 * i + k] = sys.x[3 * i + k] + sys.image[3 * i] * sys.box.h[0][k] + sys.image[3 * i + 1] * sys.box.h[1][k] +
                        sys.image[3 * i + 2] * sys.box.h[2][k];
      t->v[3 * i + k] = sys.v[3 * i + k];
      t->f[3 * i + k] = sys.f[3 * i + k];
    }
  t->builds = mdb_gmd_builds(g);
  t->sorts = mdb_gmd_sorts(g);
  mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
}

/* Largest |a − b| over n values, relative to the largest |b|. */
static double rel_diff(const double *a, const double *b, long n) {
  double d = 0, big = 0;
  for (long i = 0; i < n; i++) {
    d = fmax(d, fabs(a[i] - b[i]));
    big = fmax(big, fabs(b[i]));
  }
  return d / fmax(big, 1e-300);
}

static void traj_free(traj *t) {
  free(t->x);
  free(t->v);
  free(t->f);
}

static int mode_traj(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: test_sort traj SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS\n");
    return 2;
  }
  const setup s = {argv[2], argv[4], argv[5], argv[6], atoi(argv[3]), atoi(argv[7])};
  traj u, so, s0;
  run(&s, -1, 1, &u);
  run(&s, 1, 1, &so);
  run(&s, 1, 0, &s0);
  mdb_system tmp;
  mdb_err err;
  REQUIRE_OK(mdb_build_system(&tmp, s.system, s.atoms, 0, 42, NULL, &err), &err);
  const long n3 = 3L * tmp.n;
  mdb_system_free(&tmp);
  CHECK(u.sorts == 0);
  CHECK(so.sorts >= 3);             /* the sorted run did re-sort, several times */
  CHECK(so.sorts == so.builds - 1); /* every rebuild (the first build is not one) */
  CHECK(labs(so.builds - u.builds) <= 1);
  CHECK(so.ns == u.ns);
  double worst = 0;
  for (int k = 0; k < u.ns && k < so.ns; k++) {
    CHECK_REL(so.e[k], u.e[k], 1e-10, 1e-3);
    CHECK_REL(so.pe[k], u.pe[k], 1e-10, 1e-3);
    CHECK_REL(so.ec[k], u.ec[k], 1e-10, 1e-3);
    CHECK_REL(so.t[k], u.t[k], 1e-10, 1e-3);
    CHECK_REL(so.p[k], u.p[k], 1e-10, 1.0);
    worst = fmax(worst, fabs(so.e[k] - u.e[k]) / fabs(u.e[k]));
  }
  const double dx = rel_diff(so.x, u.x, n3), dv = rel_diff(so.v, u.v, n3), df = rel_diff(so.f, u.f, n3);
  CHECK(dx <= 1e-10);
  CHECK(dv <= 1e-10);
  CHECK(df <= 1e-10);
  /* graphs off: the same kernels in the same order, the same bits */
  CHECK(memcmp(so.x, s0.x, n3 * sizeof(double)) == 0 && memcmp(so.v, s0.v, n3 * sizeof(double)) == 0);
  printf("%s %s %s/%s %d steps: %ld builds, %ld re-sorts; sorted vs unsorted: worst |dE|/|E| %.3g over %d "
         "samples, final x %.3g, v %.3g, F %.3g relative\n",
         s.system, s.calc, s.protocol, s.thermostat, s.steps, so.builds, so.sorts, worst, so.ns, dx, dv, df);
  traj_free(&u);
  traj_free(&so);
  traj_free(&s0);
  return check_report();
}

/* The Morton code of bin b (10 bits per direction), as gmd.c orders them. */
static unsigned zcode(long b, const int nbin[3]) {
  const unsigned c[3] = {(unsigned)(b % nbin[0]), (unsigned)(b / nbin[0] % nbin[1]),
                         (unsigned)(b / ((long)nbin[0] * nbin[1]))};
  unsigned z = 0;
  for (int bit = 0; bit < 10; bit++)
    for (int k = 0; k < 3; k++) z |= ((c[k] >> bit) & 1u) << (3 * bit + k);
  return z;
}

/* Right after a sorting build: bins in Z-order hold consecutive indices. */
static void check_bins(mdb_gmd *g) {
  mdb_err err;
  mdb_dev *d = g->dev;
  const long nb = g->nbins, cap = g->kp.cell_cap;
  int *order = malloc(sizeof(int) * nb), *count = malloc(sizeof(int) * nb), *cells = malloc(sizeof(int) * nb * cap);
  REQUIRE_OK(d->ops->d2h(d, order, g->sort.order, sizeof(int) * nb, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, count, g->kp.cell_count, sizeof(int) * nb, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, cells, g->kp.cells, sizeof(int) * nb * cap, &err), &err);
  int ascending = 1, consecutive = 1, next = 0;
  for (long r = 0; r < nb; r++) {
    if (r && !(zcode(order[r], g->kp.nbin) > zcode(order[r - 1], g->kp.nbin))) ascending = 0;
    for (int a = 0; a < count[order[r]]; a++) consecutive &= cells[(long)order[r] * cap + a] == next++;
  }
  CHECK(ascending);
  CHECK(consecutive);
  CHECK(next == g->n);
  printf("%ld bins (%d x %d x %d) in %d chunks of %d: Z-order %s, each bin's atoms consecutive: %s\n", nb,
         g->kp.nbin[0], g->kp.nbin[1], g->kp.nbin[2], g->sort.nchunks, g->sort.chunk_bins, ascending ? "yes" : "no",
         consecutive ? "yes" : "no");
  free(order);
  free(count);
  free(cells);
}

static int mode_perm(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: test_sort perm SYSTEM ATOMS CALC STEPS MIN_CHUNKS\n");
    return 2;
  }
  const setup s = {argv[2], argv[4], "NVE", "-", atoi(argv[3]), atoi(argv[5])};
  const int min_chunks = atoi(argv[6]);
  mdb_err err;
  mdb_system sys;
  mdb_calc calc;
  mdb_md md;
  mdb_gmd *g;
  mdb_gmd_opts o = {"host", -1, 0, 1, 1};
  host_md(&s, &sys, &calc, &md);
  REQUIRE_OK(mdb_gmd_create(&g, &md, &o, &err), &err);
  const int nallocs = g->nallocs;
  const double bytes = g->engine_bytes, regrown = mdb_gmd_regrown_bytes(g);
  int step = 1;
  for (; step <= s.steps; step++) REQUIRE_OK(mdb_gmd_step(g, step % 10 == 0 ? MDB_COMPUTE_ENERGY : 0, &err), &err);
  do /* on to a step that built (and so sorted) the list */
    REQUIRE_OK(mdb_gmd_step(g, 0, &err), &err);
  while (!mdb_gmd_last_step_built(g) && ++step < 10 * s.steps);
  CHECK(mdb_gmd_last_step_built(g));
  check_bins(g);
  CHECK(g->sort.nchunks >= min_chunks);
  CHECK(mdb_gmd_regrown_bytes(g) == regrown); /* no list or bin regrowth: then nothing may have been allocated */
  CHECK(g->nallocs == nallocs);
  CHECK(g->engine_bytes == bytes);
  const int n = sys.n;
  int *id0 = malloc(sizeof(int) * n), *type0 = malloc(sizeof(int) * n);
  memcpy(id0, sys.id, sizeof(int) * n);
  memcpy(type0, sys.type, sizeof(int) * n);
  REQUIRE_OK(mdb_gmd_download(g, &sys, &err), &err); /* host order */
  CHECK(mdb_gmd_sorts(g) >= 3);
  int *home = malloc(sizeof(int) * n), *id = malloc(sizeof(int) * n), *type = malloc(sizeof(int) * n);
  int *image = malloc(sizeof(int) * 3 * n), *seen = calloc((size_t)n, sizeof(int));
  double *x = malloc(sizeof(double) * 3 * n), *xt = malloc(sizeof(double) * 4 * n);
  mdb_dev *d = g->dev;
  REQUIRE_OK(d->ops->d2h(d, home, g->sort.home, sizeof(int) * n, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, id, g->kp.id, sizeof(int) * n, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, type, g->kp.type, sizeof(int) * n, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, image, g->kp.image, sizeof(int) * 3 * n, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, x, g->kp.x, sizeof(double) * 3 * n, &err), &err);
  REQUIRE_OK(d->ops->d2h(d, xt, g->kp.xt, sizeof(double) * 4 * n, &err), &err);
  int bijective = 1, moved = 0, same = 1;
  for (int i = 0; i < n; i++) {
    if (home[i] < 0 || home[i] >= n || seen[home[i]]++) {
      bijective = 0;
      break;
    }
    const int h = home[i];
    moved += h != i;
    same &= id[i] == id0[h] && type[i] == type0[h] && xt[4 * i + 3] == (double)type0[h];
    for (int k = 0; k < 3; k++)
      same &= x[3 * i + k] == sys.x[3 * h + k] && xt[4 * i + k] == sys.x[3 * h + k] &&
              image[3 * i + k] == sys.image[3 * h + k];
  }
  CHECK(bijective);
  CHECK(moved > n / 2); /* the sort did reorder (not the identity) */
  CHECK(same);
  printf("%s %d %s: %ld re-sorts in %d steps; %d of %d atoms away from their host index; device arrays are the "
         "host's permuted: %s; allocations %d -> %d\n",
         s.system, n, s.calc, mdb_gmd_sorts(g), step, moved, n, same ? "yes" : "no", nallocs, g->nallocs);
  free(home);
  free(id);
  free(type);
  free(image);
  free(seen);
  free(x);
  free(xt);
  free(id0);
  free(type0);
  mdb_gmd_free(g);
  mdb_md_free(&md);
  mdb_calc_free(&calc);
  mdb_system_free(&sys);
  return check_report();
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "traj") == 0) return mode_traj(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "perm") == 0) return mode_perm(argc, argv);
  fprintf(stderr, "usage: %s traj|perm ...\n", argv[0]);
  return 2;
}
