/*
 * gmd.c — the GPU trajectory engine (gpu/gmd.h): device memory, the order
 * of the kernels in a step, graphs, overflow recovery, samples.
 *
 * A step is issued as
 *   first half   NVE_1 (or the ensemble's, gens.c); its last kernel checks
 *                each atom against the neighbour list's budget
 *   [event 0]    the calculator's kernels  [event 1]
 *   reductions   energy and virial when the force call computed them
 *   second half  NVE_2 (or the ensemble's); its last kernel counts the step
 *                and, when sampled, fills the kinetic columns
 *   sample       reductions of m v², m v; the fastest atom
 * and, with graphs on, captured once per kind of step and replayed: one
 * graph launch and one 4-byte copy of the abort flags per step. An
 * unsampled NVE step is 3 kernel launches, NVT and NPT 6 (kern_ens.h).
 *
 * Abort flags live in device memory (g->abort, an atomicOr there), are
 * sticky (every kernel returns at once while one is set) and are copied
 * back once per step. An atom beyond the list's budget raises
 * MDB_ABORT_REBUILD in the drift: the state is then the one after the
 * drift, and the engine issues the build and the rest of the step (part
 * b, its own graph). A bin or a list row that fills up in a build raises
 * an overflow flag: the engine grows what overflowed (or re-grids the bins
 * for a cell the barostat shrank) and issues part b again. Graphs are
 * captured again after any reallocation (they hold addresses). Every K-th
 * rebuild re-sorts the atoms along a Z-order curve (kern_sort.h); the
 * downloads give them back in the host's order.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/units.h"
#include "calc/calc.h"
#include "gpu/gmd_impl.h"

/* The calculator ops of the CPU registry whose name is name and that have
 * a GPU half (NULL: none). */
static const mdb_calc_ops *gpu_calc(const char *name, size_t len) {
  for (int k = 0; k < mdb_calc_registry_count(); k++) {
    const mdb_calc_ops *o = mdb_calc_registry_at(k);
    if (o->gpu && strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
  }
  return NULL;
}

int mdb_gmd_supports(const char *spec) { return gpu_calc(spec, strcspn(spec, ":")) != NULL; }

const char *mdb_gmd_calculators(void) {
  static char names[128];
  if (!names[0]) {
    size_t len = 0;
    for (int k = 0; k < mdb_calc_registry_count(); k++) {
      const mdb_calc_ops *o = mdb_calc_registry_at(k);
      if (o->gpu && len < sizeof names)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", o->name);
    }
  }
  return names;
}

/* ------------------------------------------------------------- memory */

mdb_status mdb_gmd_alloc(mdb_gmd *g, void **p, size_t bytes, mdb_err *err) {
  if (g->nallocs == (int)(sizeof g->allocs / sizeof g->allocs[0]))
    return mdb_err_set(err, MDB_ERUN, "GPU engine: too many device allocations");
  size_t b = bytes ? bytes : 8;
  mdb_status st = g->dev->ops->alloc(g->dev, p, b, err);
  if (st) return st;
  if ((st = g->dev->ops->zero(g->dev, *p, b, err))) {
    g->dev->ops->release(g->dev, *p);
    return st;
  }
  g->alloc_bytes[g->nallocs] = b;
  g->allocs[g->nallocs++] = *p;
  g->engine_bytes += (double)b;
  if (g->engine_bytes > g->engine_peak) g->engine_peak = g->engine_bytes;
  g->dev->allocated = g->engine_bytes;
  g->dev->peak_allocated = g->engine_peak;
  return MDB_OK;
}

void mdb_gmd_release(mdb_gmd *g, void *p) {
  if (!p) return;
  for (int k = 0; k < g->nallocs; k++)
    if (g->allocs[k] == p) {
      g->engine_bytes -= (double)g->alloc_bytes[k];
      g->nallocs--;
      g->allocs[k] = g->allocs[g->nallocs];
      g->alloc_bytes[k] = g->alloc_bytes[g->nallocs];
      break;
    }
  g->dev->ops->release(g->dev, p);
}

static mdb_status dalloc(mdb_gmd *g, void *pp, size_t bytes, mdb_err *err) {
  return mdb_gmd_alloc(g, (void **)pp, bytes, err);
}

/* Frees *pp (counted) and allocates bytes in its place. */
static mdb_status dregrow(mdb_gmd *g, void *pp, size_t bytes, mdb_err *err) {
  void **p = (void **)pp;
  const double held = g->engine_bytes;
  mdb_gmd_release(g, *p);
  g->regrown_bytes -= held - g->engine_bytes; /* what the old array held */
  g->regrown_bytes += (double)(bytes ? bytes : 8);
  *p = NULL;
  return mdb_gmd_alloc(g, p, bytes, err);
}

/* --------------------------------------------------------------- bins */

/* Spreads the low 10 bits of v to every third bit. */
static unsigned morton_spread(unsigned v) {
  v &= 0x3ffu;
  v = (v | v << 16) & 0x030000ffu;
  v = (v | v << 8) & 0x0300f00fu;
  v = (v | v << 4) & 0x030c30c3u;
  v = (v | v << 2) & 0x09249249u;
  return v;
}

typedef struct zkey {
  unsigned code;
  int bin;
} zkey;

static int zkey_cmp(const void *pa, const void *pb) {
  const zkey *a = pa, *b = pb;
  return a->code < b->code ? -1 : a->code > b->code;
}

/* The re-sort's per-bin arrays for the current grid, and its Z-order of
 * the bins (kern_sort.h): the bins in the order of the Morton code of
 * their integer coordinates (each < 1024: 30 bits). Outside any capture. */
static mdb_status sort_grid(mdb_gmd *g, mdb_err *err) {
  mdb_kp_sort *q = &g->sort;
  const long nb = g->nbins;
  q->chunk_bins = (int)ceil(sqrt((double)nb));
  if (q->chunk_bins < MDB_SORT_CHUNK) q->chunk_bins = MDB_SORT_CHUNK;
  q->nchunks = (int)((nb + q->chunk_bins - 1) / q->chunk_bins);
  mdb_status st;
  if ((st = dregrow(g, &q->order, (size_t)nb * sizeof(int), err)) ||
      (st = dregrow(g, &q->bin_off, (size_t)nb * sizeof(int), err)) ||
      (st = dregrow(g, &q->chunk, (size_t)q->nchunks * sizeof(int), err)))
    return st;
  zkey *z = malloc((size_t)nb * sizeof *z);
  int *order = malloc((size_t)nb * sizeof *order);
  if (!z || !order) {
    free(z);
    free(order);
    return mdb_err_nomem(err, "bin order", (double)nb * (sizeof *z + sizeof *order));
  }
  const int *nbin = g->kp.nbin;
  for (long b = 0; b < nb; b++) {
    const unsigned bx = (unsigned)(b % nbin[0]), by = (unsigned)(b / nbin[0] % nbin[1]),
                   bz = (unsigned)(b / ((long)nbin[0] * nbin[1]));
    z[b].code = morton_spread(bx) | morton_spread(by) << 1 | morton_spread(bz) << 2;
    z[b].bin = (int)b;
  }
  qsort(z, (size_t)nb, sizeof *z, zkey_cmp);
  for (long r = 0; r < nb; r++) order[r] = z[r].bin;
  st = g->dev->ops->h2d(g->dev, (void *)q->order, order, (size_t)nb * sizeof(int), err);
  free(z);
  free(order);
  return st;
}

/* Bins per direction no narrower than r_list, and how many to search each
 * side; the image shifts a search can reach must stay within ±2. */
static mdb_status grid(mdb_gmd *g, const double hinv[3][3], mdb_err *err) {
  mdb_kp *p = &g->kp;
  long total = 1;
  for (int k = 0; k < 3; k++) {
    double w = mdb_cell_width(hinv, k);
    int nb = (int)floor(w / p->rlist);
    if (nb < 1) nb = 1;
    if (nb > 1024) nb = 1024;
    int s = (int)ceil(p->rlist * nb / w - 1e-12);
    if (s < 1) s = 1;
    if ((s + nb - 1) / nb > MDB_SHIFT_RANGE)
      return mdb_err_set(err, MDB_EINPUT,
                         "the cell is too small for the CUDA backend: the cutoff plus skin (%.3g Å) exceeds "
                         "twice its width (%.3g Å) along lattice vector %d; use more atoms or --device cpu",
                         p->rlist, w, k + 1);
    p->nbin[k] = nb;
    p->sbin[k] = s;
    total *= nb;
  }
  /* very dilute cells: fewer, larger bins (still ≥ r_list wide) */
  while (total > 4L * g->n + 64) {
    int kmax = 0;
    for (int k = 1; k < 3; k++)
      if (p->nbin[k] > p->nbin[kmax]) kmax = k;
    p->nbin[kmax] = (p->nbin[kmax] + 1) / 2;
    total = (long)p->nbin[0] * p->nbin[1] * p->nbin[2];
  }
  int old_cap = p->cell_cap;
  g->nbins = total;
  double per = (double)g->n / (double)total;
  int cap = (int)ceil(2.0 * per) + 8;
  if (cap < old_cap) cap = old_cap;
  p->cell_cap = cap;
  mdb_status st;
  if ((st = dregrow(g, &p->cell_count, (size_t)total * sizeof(int), err)) ||
      (st = dregrow(g, &p->cells, (size_t)total * cap * sizeof(int), err)))
    return st;
  return g->sort.every > 0 ? sort_grid(g, err) : MDB_OK;
}

/* ------------------------------------------------------------- a step */

/* The re-sort along the Z-order curve (kern_sort.h): five launches on
 * every build, which do nothing unless this build is a K-th rebuild. */
static mdb_status issue_sort(mdb_gmd *g, mdb_err *err) {
  mdb_dev *d = g->dev;
  mdb_kp_sort q = g->sort;
  q.k = mdb_gmd_kp(g, 0);
  mdb_status st;
  if ((st = mdb_launch_sfc_count(d, q.nchunks, &q, err)) || (st = mdb_launch_sfc_scan(d, 1, &q, err)) ||
      (st = mdb_launch_sfc_rank(d, g->nbins, &q, err)) || (st = mdb_launch_sfc_scatter(d, g->n, &q, err)) ||
      (st = mdb_launch_sfc_gather(d, g->n, &q, err)))
    return st;
  return MDB_OK;
}

/* The list from scratch: NB_START … NB_BUILD (kern_neigh.h), with the
 * re-sort between the bins and the list when sort (a rebuild) and the
 * engine sorts at all. */
static mdb_status issue_neighbours(mdb_gmd *g, unsigned fflags, int sort, mdb_err *err) {
  mdb_dev *d = g->dev;
  const mdb_kp p = mdb_gmd_kp(g, fflags);
  mdb_status st;
  if ((st = mdb_launch_nb_start(d, 1, &p, err)) || (st = mdb_launch_nb_clear(d, g->nbins, &p, err)) ||
      (st = mdb_launch_nb_bin(d, g->n, &p, err)) || (st = mdb_launch_nb_sort(d, g->nbins, &p, err)) ||
      (sort && g->sort.every > 0 && (st = issue_sort(g, err))) || (st = mdb_launch_nb_build(d, g->n, &p, err)))
    return st;
  return MDB_OK;
}

/* Everything after the drift: [the neighbour build], the forces, their
 * reductions, the second half (whose last kernel counts the step), the
 * sample. Events 0 and 1 (graph nodes) time the build and the forces. */
static mdb_status issue_part_b(mdb_gmd *g, unsigned flags, int build, mdb_err *err) {
  mdb_dev *d = g->dev;
  const unsigned fflags = flags | g->ens_flags;
  mdb_status st;
  if ((st = d->ops->event_record(d, g->ev_force, 1, err)) || (build && (st = issue_neighbours(g, fflags, 1, err))) ||
      (st = g->calc->forces(&g->env, g->calc_ctx, fflags, err)) ||
      (st = d->ops->event_record(d, g->ev_force + 1, 1, err)))
    return st;
  /* the second half first: its first kernel adds the lanes' partials of a
   * calculator that left them (mdb_kp_gather), before anything reads the
   * forces, the energies or the virials */
  const mdb_kp p = mdb_gmd_kp(g, flags);
  if (g->ens.protocol == MDB_PROTOCOL_NVE)
    st = (p.lanes > 1 ? mdb_launch_nve_2_lanes : mdb_launch_nve_2)(d, g->n, &p, err);
  else
    st = mdb_gens_second(g, flags, err);
  if (st) return st;
  mdb_gstate *gd = g->gd;
  const int npt = g->ens.protocol == MDB_PROTOCOL_NPT; /* NPT reduces the virial itself, with m v² */
  if ((fflags & MDB_COMPUTE_ENERGY) &&
      (st = d->ops->reduce_sum(d, g->kp.eatom, g->n, 1, gd->red + MDB_RED_ENERGY, err)))
    return st;
  if ((fflags & MDB_COMPUTE_VIRIAL) && !npt &&
      (st = d->ops->reduce_sum(d, g->kp.vatom, g->n, 9, gd->red + MDB_RED_VIRIAL, err)))
    return st;
  if (flags) {
    /* m v², m v and the Langevin heat: 5 contiguous columns */
    if ((st = d->ops->reduce_sum(d, g->kp.scr, g->n, 5, gd->red + MDB_RED_MV2, err)) ||
        (st = mdb_launch_vmax_clear(d, 1, &p, err)) || (st = mdb_launch_vmax(d, g->n, &p, err)) ||
        (st = mdb_launch_vmax_id(d, g->n, &p, err)))
      return st;
  }
  return MDB_OK;
}

/* A whole step without a build: the first half (its last kernel checks the
 * list and raises MDB_ABORT_REBUILD when it must be built), then part b. */
static mdb_status issue_step(mdb_gmd *g, unsigned flags, mdb_err *err) {
  mdb_status st;
  if (g->ens.protocol == MDB_PROTOCOL_NVE) {
    const mdb_kp p = mdb_gmd_kp(g, 0);
    st = mdb_launch_nve_1(g->dev, g->n, &p, err);
  } else {
    st = mdb_gens_first(g, err);
  }
  return st ? st : issue_part_b(g, flags, 0, err);
}

static void drop_graphs(mdb_gmd *g) {
  for (int k = 0; k < 6; k++)
    if (g->graph_ok[k]) {
      g->dev->ops->graph_drop(g->dev, k);
      g->graph_ok[k] = 0;
    }
}

static mdb_status download_state(mdb_gmd *g, mdb_err *err) {
  return g->dev->ops->d2h(g->dev, &g->gh, g->gd, sizeof g->gh, err);
}

/* The abort flags and the step count into *g->flags_h: one 16-byte copy
 * that waits for the stream, so it is also the launch's synchronisation. */
_Static_assert(offsetof(mdb_gstate, halt) == offsetof(mdb_gstate, abort) + offsetof(mdb_gflags, halt) &&
                   offsetof(mdb_gstate, step) == offsetof(mdb_gstate, abort) + offsetof(mdb_gflags, step),
               "mdb_gflags mirrors abort, halt, step of mdb_gstate");
static mdb_status fetch_abort(mdb_gmd *g, mdb_err *err) {
  return g->dev->ops->d2h(g->dev, g->flags_h, &g->gd->abort, sizeof(mdb_gflags), err);
}

static mdb_status clear_abort(mdb_gmd *g, mdb_err *err) {
  const int zero[2] = {0, 0};
  g->flags_h->abort = g->flags_h->halt = 0;
  return g->dev->ops->h2d(g->dev, &g->gd->abort, zero, sizeof zero, err);
}

/* Grows what the abort flags a say overflowed (a full bin, a full list
 * row), from the needs the last build recorded (g->gh, downloaded). */
static mdb_status grow(mdb_gmd *g, int a, mdb_err *err) {
  mdb_kp *p = &g->kp;
  mdb_status st;
  if (a & MDB_ABORT_CELL) {
    int cap = g->gh.cell_needed + g->gh.cell_needed / 2 + 4;
    if ((st = dregrow(g, &p->cells, (size_t)g->nbins * cap * sizeof(int), err))) return st;
    p->cell_cap = cap;
  }
  if (a & MDB_ABORT_NEIGH) {
    int cap = g->gh.nb_needed + g->gh.nb_needed / 4 + 8;
    if ((st = dregrow(g, &p->nl, (size_t)g->n * cap * sizeof(int), err)) ||
        (st = dregrow(g, &p->nsh, (size_t)g->n * cap, err)))
      return st;
    p->nb_cap = cap;
  }
  return MDB_OK;
}

/* Issues the whole step (build 0) or part b with a build (build 1), as a
 * graph when graphs are on (one per kind: sampled or not, with a build or
 * not), and copies the abort flags back. */
static mdb_status run_part(mdb_gmd *g, unsigned flags, int build, mdb_err *err) {
  mdb_dev *d = g->dev;
  mdb_status st;
  const int slot = (flags ? 1 : 0) + (build ? 2 : 0);
  if (g->opt.graphs) {
    if (!g->graph_ok[slot]) {
      if ((st = d->ops->graph_begin(d, err))) return st;
      st = build ? issue_part_b(g, flags, 1, err) : issue_step(g, flags, err);
      mdb_err end_err;
      mdb_status st2 = d->ops->graph_end(d, slot, &end_err);
      if (st) return st;
      if (st2) {
        if (err) *err = end_err;
        return st2;
      }
      g->graph_ok[slot] = 1;
    }
    st = d->ops->graph_launch(d, slot, err);
  } else {
    st = build ? issue_part_b(g, flags, 1, err) : issue_step(g, flags, err);
  }
  return st ? st : fetch_abort(g, err);
}

/* The step stopped after the drift (every kernel after the one that raised
 * a flag did nothing): build the list — growing what overflowed, or
 * re-gridding the bins for a cell the barostat shrank — and finish it. A
 * runaway atom or a blown-up barostat ends the run (physics: MDB_ERUN). */
static mdb_status recover(mdb_gmd *g, unsigned flags, mdb_err *err) {
  mdb_status st;
  for (int attempt = 0; g->flags_h->abort; attempt++) {
    const int a = g->flags_h->abort;
    if (a & ~MDB_ABORT_REBUILD) {
      if ((st = download_state(g, err))) return st;
      if (a & MDB_ABORT_RUNAWAY)
        return mdb_err_set(err, MDB_ERUN, "an atom has a runaway or non-finite position (step %ld)", g->gh.step + 1);
      if (a & MDB_ABORT_BOX) return mdb_err_set(err, MDB_ERUN, "the barostat blew up (step %ld)", g->gh.step + 1);
      if (attempt >= 8)
        return mdb_err_set(err, MDB_ERUN, "GPU neighbour list: still overflowing after %d regrowths", attempt);
      if ((a & MDB_ABORT_GRID && (st = grid(g, g->gh.hinv, err))) || (st = grow(g, a, err))) return st;
      drop_graphs(g);
    }
    if ((st = clear_abort(g, err)) || (st = run_part(g, flags, 1, err))) return st;
    g->built = 1;
  }
  return MDB_OK;
}

mdb_status mdb_gmd_step(mdb_gmd *g, unsigned flags, mdb_err *err) {
  mdb_status st;
  g->built = 0;
  if ((st = run_part(g, flags, 0, err))) return st;
  if (g->flags_h->abort && (st = recover(g, flags, err))) return st;
  if ((st = g->dev->ops->event_ms(g->dev, 0, 1, &g->force_ms, err))) return st;
  if (flags && (st = download_state(g, err))) return st;
  return MDB_OK;
}

int mdb_gmd_last_step_built(const mdb_gmd *g) { return g->built; }

/* k unsampled steps as one graph: events 2..k+2 are nodes between the
 * steps, so each step's time is measured on the device, and events
 * EV_BFORCE + 2s, + 2s + 1 time step s's forces. A step that ends aborted
 * (a list to build, an overflow) sets g->halt and the later steps of the
 * graph do nothing; the host finishes that step (recover) and runs the rest
 * one by one, timing those on the host. Two batch graphs stay captured
 * (slots 4 and 5: a run's stretches between samples are a full batch and a
 * remainder), so alternating sizes do not recapture. */
#define EV_BFORCE 15
_Static_assert(EV_BFORCE >= 3 + MDB_GMD_MAX_BATCH && EV_BFORCE + 2 * MDB_GMD_MAX_BATCH <= MDB_DEV_MAX_EVENTS,
               "event slots: 0, 1 forces; 2..k+2 step boundaries; then two per batched step");
static mdb_status batch_graph(mdb_gmd *g, int k, int *slot, mdb_err *err) {
  mdb_dev *d = g->dev;
  mdb_status st = MDB_OK;
  for (int b = 0; b < 2; b++)
    if (g->graph_ok[4 + b] && g->batch_k[b] == k) {
      *slot = 4 + b;
      return MDB_OK;
    }
  const int b = g->batch_next;
  g->batch_next = !b;
  *slot = 4 + b;
  if (g->graph_ok[4 + b]) d->ops->graph_drop(d, 4 + b);
  g->graph_ok[4 + b] = 0;
  if ((st = d->ops->graph_begin(d, err))) return st;
  for (int s = 0; !st && s < k; s++) {
    g->ev_force = EV_BFORCE + 2 * s;
    if (!(st = d->ops->event_record(d, 2 + s, 1, err))) st = issue_step(g, 0, err);
  }
  g->ev_force = 0;
  if (!st) st = d->ops->event_record(d, 2 + k, 1, err);
  mdb_err end_err;
  mdb_status st2 = d->ops->graph_end(d, 4 + b, &end_err);
  if (st) return st;
  if (st2) {
    if (err) *err = end_err;
    return st2;
  }
  g->graph_ok[4 + b] = 1;
  g->batch_k[b] = k;
  return MDB_OK;
}

mdb_status mdb_gmd_steps(mdb_gmd *g, int k, double *step_ms, double *force_ms, int *n_done, mdb_err *err) {
  mdb_dev *d = g->dev;
  mdb_status st;
  int done = 0;
  *n_done = 0;
  if (k < 1 || k > MDB_GMD_MAX_BATCH)
    return mdb_err_set(err, MDB_EINPUT, "a batch of %d steps (valid: 1..%d)", k, MDB_GMD_MAX_BATCH);
  if (g->opt.graphs) {
    int slot;
    if ((st = batch_graph(g, k, &slot, err))) return st;
    const long s0 = g->flags_h->step;
    g->built = 0;
    if ((st = d->ops->graph_launch(d, slot, err)) || (st = fetch_abort(g, err))) return st;
    const int ran = (int)(g->flags_h->step - s0);
    for (int s = 0; s < ran; s++) {
      if ((st = d->ops->event_ms(d, 2 + s, 3 + s, &step_ms[s], err))) return st;
      if (force_ms && (st = d->ops->event_ms(d, EV_BFORCE + 2 * s, EV_BFORCE + 2 * s + 1, &force_ms[s], err)))
        return st;
    }
    *n_done = done = ran;
    if (g->flags_h->abort) {
      const double t0 = mdb_now();
      if ((st = recover(g, 0, err)) || (st = d->ops->event_ms(d, 0, 1, &g->force_ms, err))) return st;
      step_ms[done] = (mdb_now() - t0) * 1e3;
      if (force_ms) force_ms[done] = g->force_ms;
      *n_done = ++done;
    }
  }
  for (; done < k; *n_done = ++done) {
    const double t0 = mdb_now();
    if ((st = mdb_gmd_step(g, 0, err))) return st;
    step_ms[done] = (mdb_now() - t0) * 1e3;
    if (force_ms) force_ms[done] = g->force_ms;
  }
  return MDB_OK;
}

/* ------------------------------------------------------------ samples */

mdb_status mdb_gmd_thermo(mdb_gmd *g, mdb_thermo *th, double *vmax, int *vmax_id, mdb_err *err) {
  (void)err;
  const mdb_gstate *s = &g->gh;
  memset(th, 0, sizeof *th);
  const int dof = g->n > 1 ? 3 * g->n - 3 : 0;
  const double trw = s->red[MDB_RED_VIRIAL] + s->red[MDB_RED_VIRIAL + 4] + s->red[MDB_RED_VIRIAL + 8];
  mdb_thermo_fill_hd(th, s->red[MDB_RED_ENERGY], 0.5 * s->red[MDB_RED_MV2] * MDB_MVV2E, trw, s->vols, dof);
  for (int k = 0; k < 3; k++) th->momentum[k] = s->red[MDB_RED_P + k];
  th->conserved = th->total + mdb_gmd_extended_energy(g);
  if (vmax) *vmax = sqrt(s->vmax2);
  if (vmax_id) *vmax_id = s->vmax_atom;
  return MDB_OK;
}

double mdb_gmd_extended_energy(const mdb_gmd *g) {
  return g->ens.protocol == MDB_PROTOCOL_NVE ? 0.0 : mdb_gens_extended(g, &g->gh);
}

/* The re-sorted atoms back into the host's order: a[3 home[i] + k] =
 * a_dev[3 i + k]. */
static void unsort3(const int *home, long n, const void *src, void *dst, size_t item) {
  for (long i = 0; i < n; i++)
    memcpy((char *)dst + 3 * item * (size_t)home[i], (const char *)src + 3 * item * i, 3 * item);
}

mdb_status mdb_gmd_download(mdb_gmd *g, mdb_system *sys, mdb_err *err) {
  mdb_dev *d = g->dev;
  const long n = g->n;
  const size_t b3 = (size_t)n * 3 * sizeof(double), i3 = (size_t)n * 3 * sizeof(int);
  mdb_status st;
  if ((st = download_state(g, err))) return st;
  if (!g->gh.sorts) {
    if ((st = d->ops->d2h(d, sys->x, g->kp.x, b3, err)) || (st = d->ops->d2h(d, sys->v, g->kp.v, b3, err)) ||
        (st = d->ops->d2h(d, sys->f, g->kp.f, b3, err)) || (st = d->ops->d2h(d, sys->image, g->kp.image, i3, err)))
      return st;
  } else { /* the atoms were re-sorted: back into the host's order (sys's) */
    int *home = malloc((size_t)n * sizeof(int));
    void *tmp = malloc(b3);
    if (!home || !tmp) {
      free(home);
      free(tmp);
      return mdb_err_nomem(err, "download", (double)b3 + n * sizeof(int));
    }
    if (!(st = d->ops->d2h(d, home, g->sort.home, (size_t)n * sizeof(int), err))) {
      double *dst[3] = {sys->x, sys->v, sys->f};
      const double *src[3] = {g->kp.x, g->kp.v, g->kp.f};
      for (int a = 0; !st && a < 3; a++)
        if (!(st = d->ops->d2h(d, tmp, src[a], b3, err))) unsort3(home, n, tmp, dst[a], sizeof(double));
      if (!st && !(st = d->ops->d2h(d, tmp, g->kp.image, i3, err))) unsort3(home, n, tmp, sys->image, sizeof(int));
    }
    free(home);
    free(tmp);
    if (st) return st;
  }
  sys->nghost = 0;
  return mdb_box_set(&sys->box, (const double(*)[3])g->gh.hs, err);
}

double mdb_gmd_force_ms(const mdb_gmd *g) { return g->force_ms; }
long mdb_gmd_builds(const mdb_gmd *g) { return g->gh.builds; }
long mdb_gmd_sorts(const mdb_gmd *g) { return g->gh.sorts; }
int mdb_gmd_sort_every(const mdb_gmd *g) { return g->sort.every; }
long mdb_gmd_step_count(const mdb_gmd *g) { return g->flags_h->step; } /* copied back at every launch */
const mdb_dev_info *mdb_gmd_device(const mdb_gmd *g) { return &g->dev->info; }

mdb_status mdb_gmd_memory(mdb_gmd *g, double *free_b, double *total_b, double *engine_b, mdb_err *err) {
  *engine_b = g->engine_bytes;
  return g->dev->ops->mem_info(g->dev, free_b, total_b, err);
}

double mdb_gmd_engine_peak(const mdb_gmd *g) { return g->engine_peak; }
double mdb_gmd_regrown_bytes(const mdb_gmd *g) { return g->regrown_bytes; }
long mdb_gmd_launches(const mdb_gmd *g) { return g->dev->launches; }
long mdb_gmd_graph_launches(const mdb_gmd *g) { return g->dev->graph_launches; }

/* ------------------------------------------------------------- set up */

static void box_state(mdb_gstate *s, const mdb_box *box) {
  memcpy(s->h, box->h, sizeof s->h);
  memcpy(s->hs, box->h, sizeof s->hs);
  memcpy(s->hinv, box->hinv, sizeof s->hinv);
  s->volume = box->volume;
  s->vols = box->volume;
  for (int code = 0; code < MDB_NSHIFT; code++) {
    int sh[3];
    mdb_shift_decode(code, sh);
    for (int k = 0; k < 3; k++)
      s->shiftvec[code][k] = sh[0] * box->h[0][k] + sh[1] * box->h[1][k] + sh[2] * box->h[2][k];
  }
}

/* Largest |a − b| over n×3 values, and the largest |b|. */
static void max_diff(const double *a, const double *b, long n3, double *dmax, double *bmax) {
  *dmax = 0;
  *bmax = 0;
  for (long i = 0; i < n3; i++) {
    double dd = fabs(a[i] - b[i]);
    if (!(dd <= *dmax)) *dmax = dd;
    if (fabs(b[i]) > *bmax) *bmax = fabs(b[i]);
  }
}

void mdb_gmd_free(mdb_gmd *g) {
  if (!g) return;
  if (g->dev) {
    drop_graphs(g);
    if (g->calc && g->calc->release)
      g->calc->release(&g->env, g->calc_ctx);
    else
      free(g->calc_ctx);
    while (g->nallocs) mdb_gmd_release(g, g->allocs[g->nallocs - 1]);
    if (g->flags_h) g->dev->ops->release_mapped(g->dev, g->flags_h);
    mdb_dev_close(g->dev);
  }
  free(g);
}

static mdb_status env_alloc(void *engine, void **p, size_t bytes, mdb_err *err) {
  return mdb_gmd_alloc((mdb_gmd *)engine, p, bytes, err);
}

static void env_release(void *engine, void *p) { mdb_gmd_release((mdb_gmd *)engine, p); }
static void env_defer_lanes(void *engine, const double *part, int lanes) {
  mdb_gmd *g = (mdb_gmd *)engine;
  g->kp.lpart = part;
  g->kp.lanes = lanes;
}

/* The device arrays of n atoms, the state block and the pinned flags. */
static mdb_status alloc_arrays(mdb_gmd *g, long n, mdb_err *err) {
  mdb_kp *p = &g->kp;
  const size_t d3 = (size_t)n * 3 * sizeof(double);
  mdb_status st;
  if ((st = dalloc(g, &p->x, d3, err)) || (st = dalloc(g, &p->v, d3, err)) || (st = dalloc(g, &p->f, d3, err)) ||
      (st = dalloc(g, &p->x0, d3, err)) || (st = dalloc(g, &p->xt, (size_t)n * 4 * sizeof(double), err)) ||
      (st = dalloc(g, &p->type, (size_t)n * sizeof(int), err)) ||
      (st = dalloc(g, &p->id, (size_t)n * sizeof(int), err)) ||
      (st = dalloc(g, &p->image, (size_t)n * 3 * sizeof(int), err)) ||
      (st = dalloc(g, &p->eatom, (size_t)n * sizeof(double), err)) ||
      (st = dalloc(g, &p->vatom, (size_t)n * 10 * sizeof(double), err)) ||
      (st = dalloc(g, &p->scr, (size_t)n * MDB_SCR_N * sizeof(double), err)) ||
      (st = dalloc(g, &p->nn, (size_t)n * sizeof(int), err)) || (st = dalloc(g, &g->gd, sizeof(mdb_gstate), err)))
    return st;
  p->g = g->gd;
  /* what a calculator's kernels read of the state: addresses inside the block */
  p->shiftvec = g->gd->shiftvec;
  p->hinv = g->gd->hinv;
  p->abort = &g->gd->abort;
  void *abort_dev = NULL; /* pinned host memory for the flag's copy; the device address is not used */
  if ((st = g->dev->ops->alloc_mapped(g->dev, (void **)&g->flags_h, &abort_dev, sizeof(mdb_gflags), err))) return st;
  /* a first guess at the list width from the density; overflow grows it */
  double rho = n / g->sys->box.volume;
  int guess = (int)(rho * 4.18879020478639098 * /* 4π/3 */ p->rlist * p->rlist * p->rlist * 1.3) + 16;
  if (guess > n * 27 + 16) guess = (int)(n * 27 + 16);
  p->nb_cap = guess;
  if ((st = dalloc(g, &p->nl, (size_t)n * guess * sizeof(int), err)) ||
      (st = dalloc(g, &p->nsh, (size_t)n * guess, err)))
    return st;
  mdb_kp_sort *q = &g->sort; /* the re-sort's per-atom scratch: allocated here, never inside a capture */
  if (q->every > 0 && ((st = dalloc(g, &q->perm, (size_t)n * sizeof(int), err)) ||
                       (st = dalloc(g, &q->home, (size_t)n * sizeof(int), err)) ||
                       (st = dalloc(g, &q->td, (size_t)n * MDB_SORT_ND * sizeof(double), err)) ||
                       (st = dalloc(g, &q->ti, (size_t)n * MDB_SORT_NI * sizeof(int), err))))
    return st;
  return grid(g, g->sys->box.hinv, err);
}

/* The host trajectory's state, positions, velocities, types, ids and
 * images to the device. */
static mdb_status upload(mdb_gmd *g, const mdb_md *md, mdb_err *err) {
  mdb_dev *d = g->dev;
  mdb_kp *p = &g->kp;
  const mdb_system *sys = md->sys;
  const long n = g->n;
  const size_t d3 = (size_t)n * 3 * sizeof(double);
  mdb_status st;
  memset(&g->gh, 0, sizeof g->gh);
  box_state(&g->gh, &sys->box);
  g->gh.step = md->step;
  g->gh.ke2 = md->ke2;
  if (md->ens.protocol != MDB_PROTOCOL_NVE && (st = mdb_gens_setup(g, md, err))) return st;
  if ((st = d->ops->h2d(d, g->gd, &g->gh, sizeof g->gh, err)) || (st = d->ops->h2d(d, p->x, sys->x, d3, err)) ||
      (st = d->ops->h2d(d, p->v, sys->v, d3, err)) ||
      (st = d->ops->h2d(d, p->type, sys->type, (size_t)n * sizeof(int), err)) ||
      (st = d->ops->h2d(d, p->id, sys->id, (size_t)n * sizeof(int), err)) ||
      (st = d->ops->h2d(d, p->image, sys->image, (size_t)n * 3 * sizeof(int), err)))
    return st;
  /* positions and types packed for the one-load neighbour read */
  double *xt = malloc((size_t)n * 4 * sizeof(double));
  if (!xt) return mdb_err_nomem(err, "packed positions", (double)n * 4 * sizeof(double));
  for (long i = 0; i < n; i++) {
    for (int k = 0; k < 3; k++) xt[4 * i + k] = sys->x[3 * i + k];
    xt[4 * i + 3] = (double)sys->type[i];
  }
  st = d->ops->h2d(d, p->xt, xt, (size_t)n * 4 * sizeof(double), err);
  free(xt);
  if (st || g->sort.every <= 0) return st;
  int *home = malloc((size_t)n * sizeof(int)); /* the host's order: home[i] = i */
  if (!home) return mdb_err_nomem(err, "atom order", (double)n * sizeof(int));
  for (long i = 0; i < n; i++) home[i] = (int)i;
  st = d->ops->h2d(d, g->sort.home, home, (size_t)n * sizeof(int), err);
  free(home);
  return st;
}

/* The first neighbour build and forces, energy and virial, and the
 * kinetic columns: the initial sample. */
static mdb_status first_forces(mdb_gmd *g, mdb_err *err) {
  mdb_dev *d = g->dev;
  const unsigned fl = MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL;
  mdb_gstate *gd = g->gd;
  const long n = g->n;
  mdb_status st;
  for (int attempt = 0;; attempt++) {
    if ((st = clear_abort(g, err)) || (st = issue_neighbours(g, fl, 0, err)) ||
        (st = g->calc->forces(&g->env, g->calc_ctx, fl, err)) || (st = fetch_abort(g, err)))
      return st;
    if (!g->flags_h->abort) break;
    if ((st = download_state(g, err))) return st;
    if ((g->flags_h->abort & ~(MDB_ABORT_NEIGH | MDB_ABORT_CELL)) || attempt > 8)
      return mdb_err_set(err, MDB_ERUN, "GPU engine: the first neighbour build failed (flags %d)", g->flags_h->abort);
    if ((st = grow(g, g->flags_h->abort, err))) return st;
  }
  const mdb_kp pk = mdb_gmd_kp(g, fl);
  const mdb_kp *p = &g->kp;
  /* KIN first: it adds the lanes' partials (mdb_kp_gather) */
  if ((st = mdb_launch_kin(d, n, &pk, err)) ||
      (st = d->ops->reduce_sum(d, p->eatom, n, 1, gd->red + MDB_RED_ENERGY, err)) ||
      (st = d->ops->reduce_sum(d, p->vatom, n, 9, gd->red + MDB_RED_VIRIAL, err)) ||
      (st = d->ops->reduce_sum(d, p->scr, n, 5, gd->red + MDB_RED_MV2, err)) ||
      (st = mdb_launch_vmax_clear(d, 1, &pk, err)) || (st = mdb_launch_vmax(d, n, &pk, err)) ||
      (st = mdb_launch_vmax_id(d, n, &pk, err)) || (st = d->ops->sync(d, err)) || (st = download_state(g, err)))
    return st;
  return mdb_gens_start(g, err);
}

/* The device's first forces and energy against the CPU's (md's). */
static mdb_status check_forces(mdb_gmd *g, const mdb_md *md, mdb_err *err) {
  const long n = g->n;
  const size_t d3 = (size_t)n * 3 * sizeof(double);
  double *f = malloc(d3);
  if (!f) return mdb_err_nomem(err, "force check", (double)d3);
  mdb_status st = g->dev->ops->d2h(g->dev, f, g->kp.f, d3, err);
  if (st) {
    free(f);
    return st;
  }
  double df, fbig;
  max_diff(f, md->sys->f, 3 * n, &df, &fbig);
  free(f);
  const double tol = g->opt.mixed ? 1e-3 : 1e-6;
  const double e_gpu = g->gh.red[MDB_RED_ENERGY], e_cpu = md->out.energy;
  const double de = fabs(e_gpu - e_cpu) / fmax(fabs(e_cpu), 1e-300 + n * 1e-3);
  if (!(df <= tol * fmax(fbig, 1e-3)) || !(de <= tol))
    return mdb_err_set(err, MDB_ERUN,
                       "the GPU's first forces disagree with the CPU's: energy %.12g vs %.12g eV, largest force "
                       "difference %.3g eV/Å (tolerance %g relative)",
                       e_gpu, e_cpu, df, tol);
  return MDB_OK;
}

mdb_status mdb_gmd_create(mdb_gmd **out, const mdb_md *md, const mdb_gmd_opts *o, mdb_err *err) {
  *out = NULL;
  const mdb_system *sys = md->sys;
  const char *cname = md->calc->ops->name;
  const mdb_gcalc_ops *gc = md->calc->ops->gpu;
  if (!gc)
    return mdb_err_set(err, MDB_EINPUT, "calculator '%s' has no CUDA backend (valid on cuda: %s)", cname,
                       mdb_gmd_calculators());
  if (o->mixed && !gc->mixed)
    return mdb_err_set(err, MDB_EINPUT, "--precision mixed is not available for '%s' on cuda (valid: double)", cname);
  if (sys->n < 1) return mdb_err_set(err, MDB_EINPUT, "the system has no atoms");
  mdb_gmd *g = calloc(1, sizeof *g);
  if (!g) return mdb_err_nomem(err, "GPU engine", sizeof *g);
  g->opt = *o;
  g->n = sys->n;
  g->sys = sys;
  g->calc = gc;
  g->ens = md->ens;
  g->sort.every = gc->fixed_order || o->sort_every < 0 ? 0 : (o->sort_every ? o->sort_every : MDB_GMD_SORT_EVERY);
  mdb_status st = mdb_dev_open(&g->dev, o->backend, o->ordinal, err);
  if (st) goto fail;
  mdb_kp *p = &g->kp;
  p->natoms = g->n;
  p->ntypes = sys->ntypes;
  p->cutoff = md->nl.cutoff;
  p->skin = md->nl.skin;
  p->rlist = p->cutoff + p->skin;
  p->dt = md->dt;
  for (int t = 0; t < sys->ntypes; t++) {
    p->dtf[t] = md->dtf[t];
    p->mass[t] = sys->mass[t];
  }
  g->env = (mdb_gcalc_env){.dev = g->dev,
                           .kp = &g->kp,
                           .n = g->n,
                           .mixed = o->mixed,
                           .sys = sys,
                           .alloc = env_alloc,
                           .release = env_release,
                           .defer_lanes = env_defer_lanes,
                           .engine = g};
  if ((st = alloc_arrays(g, g->n, err))) goto fail;
  g->flags_h->step = md->step;
  if ((st = upload(g, md, err)) || (st = gc->setup(&g->env, md->calc, &g->calc_ctx, err)) ||
      (st = first_forces(g, err)) || (st = check_forces(g, md, err)))
    goto fail;
  *out = g;
  return MDB_OK;
fail:
  mdb_gmd_free(g);
  return st;
}
