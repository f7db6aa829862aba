/*
 * calc.h — the calculator interface: an ops table plus a context pointer.
 *
 * A calculator turns positions into energy, forces and virial. Required ops:
 * init, cutoff, neigh_kinds, compute, fini; prepare is optional (NULL: no
 * per-system setup). Everything else a calculator has lives in its ops too:
 * its GPU half, its scheduling cost, the keys that name its files.
 *
 * Spec strings: NAME[:key=value[,key=value...]], e.g. "lj:rc=8.5".
 *
 * compute() receives forces zeroed for locals and ghosts and adds into
 * sys->f (ghosts included). The wrapper mdb_calc_compute then forms the
 * virial W = Σ x ⊗ f over locals and ghosts (unless the calculator set it
 * itself, as an external code that sees no ghosts must) and folds ghost
 * forces onto their owners. Sign convention: W_ab = Σ x_a f_b, so the
 * configurational pressure is tr(W)/(3V) and the stress σ = -W/V.
 */
#ifndef MDB_CALC_H
#define MDB_CALC_H

#include "core/system.h"
#include "neigh/neigh.h"

#define MDB_SPEC_MAX_PARAMS 16
#define MDB_SPEC_TEXT_MAX 512
#define MDB_STR_(x) #x
#define MDB_STR(x) MDB_STR_(x) /* a macro's value as a string: key defaults from their constants */

enum { MDB_COMPUTE_ENERGY = 1u, MDB_COMPUTE_VIRIAL = 2u };

typedef struct mdb_kv {
  char key[32];
  char value[MDB_SPEC_TEXT_MAX];
} mdb_kv;

typedef struct mdb_calc_spec {
  char name[32];
  int nparams;
  mdb_kv params[MDB_SPEC_MAX_PARAMS];
  char text[MDB_SPEC_TEXT_MAX]; /* the spec as given */
  char label[64];               /* label=NAME: the calculator's name in case ids, tables and file
                                   names (any calculator; not passed to init); "" when not given */
} mdb_calc_spec;

/* One key of a calculator's spec, for checking and for `mdbench list
 * calculators`: the key, its default in words, and what it sets. */
typedef struct mdb_calc_key {
  const char *key;
  const char *def;
  const char *meaning;
} mdb_calc_key;

/* How a calculator finds the file a spec key names (provenance digests,
 * --resume hashes: calc/files.h). */
typedef enum mdb_file_find {
  MDB_FILE_AS_GIVEN,         /* the value is the path, opened as is */
  MDB_FILE_POTENTIAL_SEARCH, /* as given, else $LAMMPS_POTENTIALS/NAME, /usr/share/lammps/potentials/NAME */
  MDB_FILE_SHARED_LIBRARY    /* a path with '/', else a name the dynamic loader looks up (dlopen) */
} mdb_file_find;

/* One spec key naming a file the calculator reads; a table ends with {NULL}. */
typedef struct mdb_calc_file_key {
  const char *key;    /* "file" */
  mdb_file_find find; /* how the calculator looks the value up */
} mdb_calc_file_key;

typedef struct mdb_calc_out {
  double energy;       /* eV, when MDB_COMPUTE_ENERGY was asked for */
  double virial[3][3]; /* eV, W_ab = Σ x_a f_b, when MDB_COMPUTE_VIRIAL was asked for */
  int virial_set;      /* the calculator filled virial itself */
} mdb_calc_out;

typedef struct mdb_calc_ops {
  const char *name;    /* "lj" */
  const char *device;  /* "cpu" */
  const char *summary; /* one line for --help */
  mdb_status (*init)(void **ctx, const mdb_calc_spec *spec, mdb_err *err);
  mdb_status (*prepare)(void *ctx, const mdb_system *sys, mdb_err *err); /* optional */
  double (*cutoff)(const void *ctx);                                     /* Å, valid after prepare */
  unsigned (*neigh_kinds)(const void *ctx);                              /* MDB_NEIGH_HALF/FULL */
  mdb_status (*compute)(void *ctx, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                        mdb_err *err);
  void (*fini)(void *ctx);
  /* optional: seconds spent so far waiting for an external process (a
   * socket client), so the runner can say how much of each step it was;
   * -1 while there is none (a plugin: its compute calls, once it reports
   * its model's time) */
  double (*external_wait_s)(const void *ctx);
  /* optional: the prepared parameters, in the calculator's public struct
   * (calc/lj.h mdb_lj_params, ...), for the GPU backend to upload */
  const void *(*params)(const void *ctx);
  /* optional: the spec's keys, ending with {NULL} (NULL: none listed) */
  const mdb_calc_key *keys;
  /* optional: the process id of the external client mdbench started
   * itself (ipi:launch, the ase worker), 0 while there is none */
  int (*external_pid)(const void *ctx);
  /* optional: seconds the model itself spent computing so far, as the
   * client timed it (the ase worker, an ABI-3 plugin); absent or -1: not known */
  double (*external_model_s)(const void *ctx);
  /* optional: what the client said about itself, a JSON object as text
   * (python and package versions, device, model file SHA-256); "" until known */
  const char *(*external_info)(const void *ctx);
  /* optional: the device half (at the end of calc/NAME.c, its kernels in
   * calc/NAME_kern.h): what the GPU engine runs; NULL: no GPU kernel */
  const struct mdb_gcalc_ops *gpu;
  /* optional: relative cost of one atom-step for the suite's scheduling
   * (lj argon = 1); NULL: 1 */
  double (*cost)(const mdb_calc_spec *spec);
  /* optional: the spec keys that name files the calculator reads, for
   * provenance digests and --resume hashes, ending with {NULL} */
  const struct mdb_calc_file_key *file_keys;
} mdb_calc_ops;

typedef struct mdb_calc {
  const mdb_calc_ops *ops;
  void *ctx;
  mdb_calc_spec spec;
} mdb_calc;

/* Parses NAME[:key=value,...]; fails on empty names, missing '=', repeated
 * or empty keys, too many parameters. A value in double or single quotes
 * may hold commas (launch="cmd --a 1,2"); the quotes are removed. The key
 * label (letters, digits, '.', '_', '-') goes to spec->label. */
mdb_status mdb_calc_spec_parse(const char *text, mdb_calc_spec *spec, mdb_err *err);

/* The spec as text again, values with commas quoted, label last. */
void mdb_calc_spec_format(const mdb_calc_spec *spec, char *buf, size_t len);

/* A short readable name for a spec: its label when it has one; else the
 * spec itself when at most 40 characters; else its first 31 characters and
 * '-' and 8 hex digits of a hash of the whole (no two specs share one). */
void mdb_calc_spec_short(const char *text, char *buf, size_t len);

/* Fails naming the first key not in valid (NULL-terminated), listing them. */
mdb_status mdb_spec_check_keys(const mdb_calc_spec *spec, const char *const *valid, mdb_err *err);

/* The same against a key table ({NULL}-terminated). */
mdb_status mdb_calc_check_keys(const mdb_calc_spec *spec, const mdb_calc_key *keys, mdb_err *err);

/* Reads key as a finite double; *found says whether it was given. */
mdb_status mdb_spec_double(const mdb_calc_spec *spec, const char *key, double *out, int *found, mdb_err *err);

/* Looks the spec's name up for device and initialises it. Unknown names and
 * devices are errors listing the valid ones. Free with mdb_calc_free. */
mdb_status mdb_calc_create(mdb_calc *calc, const char *spec_text, const char *device, mdb_err *err);
void mdb_calc_free(mdb_calc *calc);

/* Per-system setup: checks every species is covered. */
mdb_status mdb_calc_prepare(mdb_calc *calc, const mdb_system *sys, mdb_err *err);
double mdb_calc_cutoff(const mdb_calc *calc);
unsigned mdb_calc_neigh_kinds(const mdb_calc *calc);

/* Seconds waited on an external process so far; -1 for a calculator that
 * has none (the op is absent). */
double mdb_calc_external_wait_s(const mdb_calc *calc);

/* The external client's process id (0: none), the model's own compute
 * seconds so far (-1: not reported), its self-description ("" : none). */
int mdb_calc_external_pid(const mdb_calc *calc);
double mdb_calc_external_model_s(const mdb_calc *calc);
const char *mdb_calc_external_info(const mdb_calc *calc);

/* Zeroes forces, computes, forms the virial, folds ghost forces back. */
mdb_status mdb_calc_compute(mdb_calc *calc, mdb_system *sys, const mdb_neigh *nl, unsigned flags, mdb_calc_out *out,
                            mdb_err *err);

/* Comma-separated names of the registered calculators (static storage). */
const char *mdb_calc_names(void);

/* The registered backends, in registry order: i in [0, mdb_calc_registry_count()). */
int mdb_calc_registry_count(void);
const mdb_calc_ops *mdb_calc_registry_at(int i);

#include "calc/files.h" /* the files a spec names and their digests */

#endif
