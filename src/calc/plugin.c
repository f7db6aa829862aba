/*
 * plugin.c — a calculator loaded from a shared library at run time.
 *
 * Spec: plugin:lib=PATH[,key=value...]
 *   lib   the plugin: a path; a short name (no '/' or '.', e.g. pyase) for
 *         one of mdbench's own (calc/files.h mdb_plugin_find); another
 *         name without '/', the dynamic loader's search path
 *   the other keys are handed to the plugin's init as text.
 *
 * The library exports mdb_plugin_entry_v1, defined by the public header
 * include/mdbench/calculator.h, and this file adapts that plain-C ABI to
 * mdb_calc_ops: positions, forces and the neighbour list are passed as the
 * system's own arrays (no copies); per-atom atomic numbers and owners are
 * kept in buffers that grow with the ghost count. A plugin of ABI 2 also
 * gets the locals' ids, images and unwrapped positions (x + image·h, a
 * buffer here); a plugin of ABI 1 gets the version-1 frame, its new fields
 * NULL. A plugin of ABI 3 may report its model's own time per call
 * (mdb_plugin_result.model_ms): from the first call that does, the
 * calculator tells the runner the model's time and the time spent inside
 * the plugin's compute (as the ase: worker's model time and socket wait),
 * so the result carries raw.model_ms and the step split. The library is loaded
 * with RTLD_LOCAL so two plugins cannot clash on symbol names, and RTLD_NOW
 * so a missing symbol fails at load, not mid-run.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdbench/calculator.h"
#include "calc/calc.h"
#include "core/clock.h"
#include "core/elements.h"
#include "core/text.h"

_Static_assert(sizeof(void *) == sizeof(mdb_plugin_entry_v1_fn), "dlsym returns function pointers as void *");

typedef struct plugin_ctx {
  char path[MDB_SPEC_TEXT_MAX];
  void *handle;             /* dlopen handle, closed by fini */
  const mdb_plugin_v1 *api; /* owned by the library */
  void *pctx;               /* the plugin's context, freed by api->fini */
  int *z;                   /* [cap] atomic numbers of locals and ghosts */
  int *owners;              /* [cap] */
  int cap;
  double *xu; /* [xu_cap*3] unwrapped local positions (ABI >= 2) */
  int xu_cap;
  int reports_model; /* ABI >= 3 and a compute has reported model_ms */
  double model_s;    /* sum of the reported model_ms, in s */
  double call_s;     /* wall time inside api->compute, in s (ABI >= 3) */
} plugin_ctx;

static void plugin_fini(void *ctx) {
  plugin_ctx *c = ctx;
  if (!c) return;
  if (c->api && c->pctx) c->api->fini(c->pctx);
  if (c->handle) dlclose(c->handle);
  free(c->z);
  free(c->owners);
  free(c->xu);
  free(c);
}

/* Loads and checks the library; c->handle and c->api are set on success. */
static mdb_status plugin_load(plugin_ctx *c, mdb_err *err) {
  dlerror();
  c->handle = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
  if (!c->handle) {
    const char *why = dlerror();
    return mdb_err_set(err, MDB_EINPUT, "plugin: cannot load %s: %s%s", c->path, why ? why : "unknown dlopen error",
                       strpbrk(c->path, "/.") ? ""
                                              : " (a short name is one of mdbench's own plugins, e.g. pyase when built "
                                                "with Python's development files, morse from the examples; else give "
                                                "the library's path)");
  }
  dlerror();
  void *sym = dlsym(c->handle, MDB_PLUGIN_ENTRY_SYMBOL);
  if (!sym)
    return mdb_err_set(err, MDB_EINPUT,
                       "plugin: %s has no symbol %s (is it an mdbench plugin built against "
                       "include/mdbench/calculator.h ABI %d to %d?)",
                       c->path, MDB_PLUGIN_ENTRY_SYMBOL, MDB_PLUGIN_ABI_MIN_VERSION, MDB_PLUGIN_ABI_VERSION);
  mdb_plugin_entry_v1_fn entry;
  memcpy(&entry, &sym, sizeof entry);
  const mdb_plugin_v1 *api = entry();
  if (!api) return mdb_err_set(err, MDB_EINPUT, "plugin: %s: %s() returned NULL", c->path, MDB_PLUGIN_ENTRY_SYMBOL);
  if (api->abi_version < MDB_PLUGIN_ABI_MIN_VERSION || api->abi_version > MDB_PLUGIN_ABI_VERSION)
    return mdb_err_set(err, MDB_EINPUT,
                       "plugin: %s implements ABI %d, this mdbench accepts "
                       "ABI %d to %d",
                       c->path, api->abi_version, MDB_PLUGIN_ABI_MIN_VERSION, MDB_PLUGIN_ABI_VERSION);
  if (!api->init || !api->cutoff || !api->compute || !api->fini)
    return mdb_err_set(err, MDB_EINPUT,
                       "plugin: %s leaves a required function NULL (init, "
                       "cutoff, compute, fini)",
                       c->path);
  c->api = api;
  return MDB_OK;
}

static const char *plugin_name(const plugin_ctx *c) { return c->api->name ? c->api->name : c->path; }

/* What a plugin wrote into its err buffer (len bytes), quoted for a one-line
 * message: the plugin may fill every byte without a terminating NUL, or put
 * control bytes in it; dflt when it wrote nothing. */
static const char *plugin_msg(const char *msg, size_t len, const char *dflt) {
  return msg[0] ? mdb_text_q(msg, len) : dflt;
}

static mdb_status plugin_init(void **out, const mdb_calc_spec *spec, mdb_err *err) {
  const char *lib = NULL;
  const char *keys[MDB_SPEC_MAX_PARAMS], *values[MDB_SPEC_MAX_PARAMS];
  int n = 0;
  for (int i = 0; i < spec->nparams; i++) {
    if (strcmp(spec->params[i].key, "lib") == 0) {
      lib = spec->params[i].value;
      continue;
    }
    keys[n] = spec->params[i].key;
    values[n++] = spec->params[i].value;
  }
  if (!lib)
    return mdb_err_set(err, MDB_EINPUT,
                       "calculator '%s': plugin needs lib=PATH, the shared library to load "
                       "(e.g. plugin:lib=build/examples/plugins/libmorse.so)",
                       spec->text);
  plugin_ctx *c = calloc(1, sizeof *c);
  if (!c) return mdb_err_nomem(err, "plugin context", sizeof *c);
  mdb_plugin_find(lib, c->path, sizeof c->path); /* a short name: one of mdbench's own plugins */
  mdb_status st = plugin_load(c, err);
  if (!st) {
    char msg[sizeof err->msg / 2] = "";
    c->pctx = c->api->init(keys, values, n, msg, sizeof msg);
    if (!c->pctx)
      st = mdb_err_set(err, MDB_EINPUT, "plugin: %s: %s", c->path,
                       plugin_msg(msg, sizeof msg, "init failed (no message)"));
  }
  if (st) {
    plugin_fini(c);
    return st;
  }
  *out = c;
  return MDB_OK;
}

static mdb_status plugin_prepare(void *ctx, const mdb_system *sys, mdb_err *err) {
  plugin_ctx *c = ctx;
  if (!c->api->prepare) return MDB_OK;
  const char *symbols[MDB_MAX_TYPES];
  int z[MDB_MAX_TYPES];
  for (int t = 0; t < sys->ntypes; t++) {
    symbols[t] = sys->species[t];
    z[t] = mdb_element_mass(sys->species[t], NULL);
  }
  char msg[sizeof err->msg / 2] = "";
  if (c->api->prepare(c->pctx, sys->ntypes, symbols, z, msg, sizeof msg))
    return mdb_err_set(err, MDB_EINPUT, "plugin %s (%s): %s", plugin_name(c), c->path,
                       plugin_msg(msg, sizeof msg, "prepare failed (no message)"));
  return MDB_OK;
}

static double plugin_cutoff(const void *ctx) {
  const plugin_ctx *c = ctx;
  return c->api->cutoff(c->pctx);
}

static unsigned plugin_kinds(const void *ctx) {
  const plugin_ctx *c = ctx;
  return c->api->needs_full_list && c->api->needs_full_list(c->pctx) ? MDB_NEIGH_FULL : MDB_NEIGH_HALF;
}

static mdb_status plugin_compute(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                                 mdb_err *err) {
  plugin_ctx *c = ctx;
  const int ntot = sys->n + sys->nghost;
  if (ntot > c->cap) {
    int *z = realloc(c->z, (size_t)ntot * sizeof *z);
    if (z) c->z = z;
    int *ow = z ? realloc(c->owners, (size_t)ntot * sizeof *ow) : NULL;
    if (ow) c->owners = ow;
    if (!z || !ow) return mdb_err_nomem(err, "plugin atom buffers", 2.0 * ntot * sizeof(int));
    c->cap = ntot;
  }
  int ztype[MDB_MAX_TYPES];
  const char *symbols[MDB_MAX_TYPES];
  for (int t = 0; t < sys->ntypes; t++) {
    ztype[t] = mdb_element_mass(sys->species[t], NULL);
    symbols[t] = sys->species[t];
  }
  for (int p = 0; p < ntot; p++) {
    c->z[p] = ztype[sys->type[p]];
    c->owners[p] = p < sys->n ? p : nl->owner[p - sys->n];
  }
  const int full = plugin_kinds(c) == MDB_NEIGH_FULL;
  mdb_plugin_frame in = {
      .n_local = sys->n,
      .n_total = ntot,
      .positions = sys->x,
      .atomic_numbers = c->z,
      .types = sys->type,
      .n_species = sys->ntypes,
      .species_symbols = symbols,
      .owners = c->owners,
      .full_list = full,
      .neigh_offsets = full ? nl->full_start : nl->half_start,
      .neigh_indices = full ? nl->full : nl->half,
      .flags = ((flags & MDB_COMPUTE_ENERGY) ? MDB_PLUGIN_ENERGY : 0u) |
               ((flags & MDB_COMPUTE_VIRIAL) ? MDB_PLUGIN_VIRIAL : 0u),
  };
  memcpy(in.cell, sys->box.h, sizeof in.cell);
  if (c->api->abi_version >= 2) {
    if (sys->n > c->xu_cap) {
      double *xu = realloc(c->xu, (size_t)sys->n * 3 * sizeof *xu);
      if (!xu) return mdb_err_nomem(err, "plugin unwrapped positions", 3.0 * sys->n * sizeof *xu);
      c->xu = xu;
      c->xu_cap = sys->n;
    }
    const double(*h)[3] = sys->box.h;
    for (int i = 0; i < sys->n; i++) {
      const int *im = sys->image + 3 * i;
      for (int k = 0; k < 3; k++)
        c->xu[3 * i + k] = sys->x[3 * i + k] + im[0] * h[0][k] + im[1] * h[1][k] + im[2] * h[2][k];
    }
    in.atom_ids = sys->id;
    in.x_unwrapped = c->xu;
    in.image = sys->image;
  }
  /* an older plugin's result struct ends before model_ms: never read it */
  const int v3 = c->api->abi_version >= 3;
  mdb_plugin_result res = {.forces = sys->f, .model_ms = -1.0};
  char msg[sizeof err->msg / 2] = "";
  const double t0 = v3 ? mdb_now() : 0;
  const int rc = c->api->compute(c->pctx, &in, &res, msg, sizeof msg);
  if (v3) c->call_s += mdb_now() - t0;
  if (rc)
    return mdb_err_set(err, MDB_ERUN, "plugin %s (%s): %s", plugin_name(c), c->path,
                       plugin_msg(msg, sizeof msg, "compute failed (no message)"));
  if (v3 && res.model_ms >= 0) { /* NaN and negative: not reported */
    c->model_s += res.model_ms * 1e-3;
    c->reports_model = 1;
  }
  out->energy = res.energy;
  if ((flags & MDB_COMPUTE_VIRIAL) && res.virial_set) {
    memcpy(out->virial, res.virial, sizeof out->virial);
    out->virial_set = 1;
  }
  return MDB_OK;
}

/* The model's own seconds so far, and the seconds inside the plugin's
 * compute (what the runner takes as the wait for the model, like the ase:
 * worker's socket wait); -1 for a plugin that has not reported its time. */
static double plugin_model_s(const void *ctx) {
  const plugin_ctx *c = ctx;
  return c->reports_model ? c->model_s : -1.0;
}

static double plugin_call_s(const void *ctx) {
  const plugin_ctx *c = ctx;
  return c->reports_model ? c->call_s : -1.0;
}

static const mdb_calc_key plugin_keys[] = {
    {"lib", "none (required)", "the plugin: a path, or a name for the dynamic loader"},
    {"...", "the plugin's", "every other key goes to the plugin's init as text"},
    {NULL, NULL, NULL}};

static const mdb_calc_file_key plugin_file_keys[] = {{"lib", MDB_FILE_SHARED_LIBRARY} /* plugin_load */, {NULL, 0}};

const mdb_calc_ops mdb_plugin_cpu_ops = {
    .name = "plugin",
    .device = "cpu",
    .summary = "a calculator from a shared library, "
               "include/mdbench/calculator.h (keys: lib, then the plugin's)",
    .init = plugin_init,
    .prepare = plugin_prepare,
    .cutoff = plugin_cutoff,
    .neigh_kinds = plugin_kinds,
    .compute = plugin_compute,
    .fini = plugin_fini,
    .keys = plugin_keys,
    .file_keys = plugin_file_keys,
    .external_wait_s = plugin_call_s,
    .external_model_s = plugin_model_s,
};
