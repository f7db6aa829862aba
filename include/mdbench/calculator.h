/*
 * mdbench/calculator.h — the calculator plugin ABI, version 3.
 *
 * A plugin is a shared library that exports one function,
 *
 *   const mdb_plugin_v1 *mdb_plugin_entry_v1(void);
 *
 * and mdbench runs it as the calculator `plugin:lib=PATH[,key=value...]`.
 * mdbench loads PATH with dlopen(RTLD_NOW | RTLD_LOCAL), looks the entry up
 * by that versioned name, and refuses the library unless the table it
 * returns says MDB_PLUGIN_ABI_MIN_VERSION <= abi_version <=
 * MDB_PLUGIN_ABI_VERSION. Every key but `lib` is passed to init as text.
 *
 * This header is the whole contract: plain C types only, no mdbench internal
 * struct, nothing to link against. Versions:
 *   1  the frame up to flags.
 *   2  (mdbench 0.2.0) the frame gains atom_ids, x_unwrapped and image at
 *      its end; mdbench fills them only for a plugin that declares 2.
 *   3  (mdbench 0.3.1) the result gains model_ms at its end: the time the
 *      plugin's model spent in this compute, reported by the plugin (or
 *      not: mdbench sets it to -1 before each call of a plugin that
 *      declares 3 and takes a negative value as "not reported").
 * An addition at the end of mdb_plugin_frame (which mdbench allocates and
 * a plugin only reads) or of mdb_plugin_result (which mdbench allocates,
 * sets before the call and reads after it) raises MDB_PLUGIN_ABI_VERSION
 * and keeps the entry symbol: a plugin built against an older header still
 * loads, is given what its version knows, and the new fields are NULL (in
 * the frame) or not read (in the result) for it; a plugin built against a
 * newer header is refused by an older mdbench, so it never writes a field
 * that mdbench did not allocate. Any other
 * change to a type or field below comes with a new entry symbol name, so a
 * plugin built against an incompatible header is refused with a message,
 * never misread.
 *
 * Units: Å, eV, eV/Å. Virial sign: W_ab = Σ x_a f_b (eV), as mdbench uses
 * internally; configurational pressure tr(W)/(3V).
 *
 * Atoms: mdbench gives the plugin n_local real atoms followed by ghosts,
 * periodic images of locals within cutoff + skin of the cell, n_total in all.
 * The neighbour list holds indices into all n_total atoms, so a plugin needs
 * no minimum-image arithmetic and no cell at all. Forces go on ghosts as on
 * locals; mdbench folds them onto their owners and forms the virial as
 * Σ x ⊗ f over all n_total atoms (unless the plugin sets virial_set).
 *
 * Positions: `positions` are wrapped into the cell at each neighbour-list
 * build (with the ghosts made from them), and locals are reordered there
 * for locality, so a local's index and its position jump at rebuilds. An
 * energy that is periodic in the cell and uses the list does not mind. A
 * plugin whose energy is not periodic (a tether, a field, a model of an
 * isolated molecule fed through a cell) or that keeps per-atom state uses
 * the version-2 fields: atom_ids (the atom's index in the input system,
 * stable for the whole run) and x_unwrapped (continuous positions, as
 * i-PI clients and the ase worker get them), never the list with them.
 *
 * Threads: mdbench calls a context from one thread at a time. Errors: a
 * failing call writes a one-line message (no newline) into err, at most
 * errlen bytes with the terminating NUL, and returns NULL / non-zero. A
 * plugin never prints and never exits.
 */
#ifndef MDBENCH_CALCULATOR_H
#define MDBENCH_CALCULATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MDB_PLUGIN_ABI_VERSION 3     /* the version this header describes */
#define MDB_PLUGIN_ABI_MIN_VERSION 1 /* the oldest that mdbench still loads */
#define MDB_PLUGIN_ENTRY_SYMBOL "mdb_plugin_entry_v1"

/* What compute is asked for (mdb_plugin_frame.flags); forces always. */
enum { MDB_PLUGIN_ENERGY = 1u, MDB_PLUGIN_VIRIAL = 2u };

/* One force evaluation's input. Everything is owned by mdbench and valid
 * only during the compute call: copy what must outlive it. */
typedef struct mdb_plugin_frame {
  int n_local;               /* real atoms, indices 0 .. n_local-1 */
  int n_total;               /* locals + ghosts */
  const double *positions;   /* [n_total*3] Å, xyz per atom */
  const int *atomic_numbers; /* [n_total] Z of each atom (0: not a chemical element) */
  const int *types;          /* [n_total] index into species_symbols */
  int n_species;
  const char *const *species_symbols; /* [n_species] "Cu", ... */
  const int *owners;                  /* [n_total] local atom each one is (a local is its own owner) */
  double cell[3][3];                  /* rows: lattice vectors a, b, c (Å); always periodic */
  int full_list;                      /* 1: full list (every neighbour of i), 0: half (each pair
                        once) */
  const int *neigh_offsets;           /* [n_local+1] CSR: i's neighbours are
                               neigh_indices[offsets[i] .. offsets[i+1]) */
  const int *neigh_indices;           /* neighbour j of i, 0 .. n_total-1; includes pairs
                               up to cutoff + skin */
  unsigned flags;                     /* MDB_PLUGIN_ENERGY | MDB_PLUGIN_VIRIAL as needed this step */

  /* ABI 2: set only for a plugin whose table says abi_version >= 2 (NULL
   * for a version-1 plugin). Owned by mdbench, valid during the call only. */
  const int *atom_ids;       /* [n_local] each local's index in the input system
                          (0-based, a permutation of 0 .. n_local-1), stable
                          across the reordering at list builds */
  const double *x_unwrapped; /* [n_local*3] Å, continuous positions of the
                                locals: positions + image·cell (image[i][0]
                                times row a, ...), never jump when a build
                                wraps an atom; locals only (no ghosts) */
  const int *image;          /* [n_local*3] integers (a, b, c): how many lattice
                       vectors the builds have wrapped each local by,
                       x_unwrapped = positions + image·cell */
} mdb_plugin_frame;

/* One force evaluation's output. mdbench owns forces and zeroes energy,
 * forces, virial and virial_set before each call (and sets model_ms to -1
 * for a plugin of ABI >= 3). */
typedef struct mdb_plugin_result {
  double energy;       /* eV; required when flags has MDB_PLUGIN_ENERGY */
  double *forces;      /* [n_total*3] eV/Å: ADD into it, ghosts included */
  double virial[3][3]; /* eV, W_ab = Σ x_a f_b; optional, see virial_set */
  int virial_set;      /* set to 1 when virial was filled (else mdbench takes Σ x ⊗
                     f) */

  /* ABI 3: read only from a plugin whose table says abi_version >= 3.
   * Optional: the wall time in ms the model itself spent in this call
   * (e.g. a clock around the model's forward pass, without the plugin's
   * own conversions), >= 0. Left negative: not reported. A plugin reports
   * it on every call or on none: mdbench then records it per step
   * (raw.model_ms) and splits the step into the model, the rest of the
   * compute call, and mdbench's own work (performance.model_split). */
  double model_ms;
} mdb_plugin_result;

/* The table mdb_plugin_entry_v1 returns. The table and name are owned by
 * the plugin and must stay valid until the library is unloaded (a static
 * const table). Required: init, cutoff, compute, fini. Optional (NULL):
 * needs_full_list (NULL: half list), prepare (NULL: every species accepted). */
typedef struct mdb_plugin_v1 {
  int abi_version;  /* MDB_PLUGIN_ABI_VERSION of the header the plugin was built
                       with */
  const char *name; /* short name used in messages, e.g. "morse" */

  /* Creates a context from n key=value pairs (the spec without lib). keys and
   * values are owned by mdbench and valid during the call only. Returns the
   * context (owned by the plugin, released by fini) or NULL with err filled,
   * e.g. for an unknown key: name it and list the valid ones. */
  void *(*init)(const char *const *keys, const char *const *values, int n, char *err, size_t errlen);

  /* Checks a system's species before any compute (the same species the
   * frames will carry). Returns 0, or non-zero with err filled. Optional. */
  int (*prepare)(void *ctx, int n_species, const char *const *species_symbols, const int *atomic_numbers, char *err,
                 size_t errlen);

  /* Interaction cutoff in Å (> 0), valid after init and prepare. */
  double (*cutoff)(const void *ctx);

  /* Non-zero: compute wants a full list; zero: a half list. Optional. */
  int (*needs_full_list)(const void *ctx);

  /* Adds forces into out->forces and sets out->energy (and optionally the
   * virial). Returns 0, or non-zero with err filled. */
  int (*compute)(void *ctx, const mdb_plugin_frame *in, mdb_plugin_result *out, char *err, size_t errlen);

  /* Releases everything init allocated; ctx may be NULL. */
  void (*fini)(void *ctx);
} mdb_plugin_v1;

/* The entry point a plugin defines (with default visibility). */
typedef const mdb_plugin_v1 *(*mdb_plugin_entry_v1_fn)(void);
const mdb_plugin_v1 *mdb_plugin_entry_v1(void);

#ifdef __cplusplus
}
#endif

#endif
