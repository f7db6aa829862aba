/*
 * files.h — the files a calculator spec reads, found as the calculator finds
 * them, and their SHA-256 (for provenance and --resume hashes).
 *
 * Which keys name files is each calculator's own knowledge: its ops'
 * file_keys table (calc/calc.h mdb_calc_file_key), looked up through the
 * registry. Included by calc/calc.h.
 */
#ifndef MDB_CALC_FILES_H
#define MDB_CALC_FILES_H

#include <stddef.h>

#include "core/error.h"

#define MDB_PATH_MAX 4096
#define MDB_SPEC_FILES_MAX 16 /* = MDB_SPEC_MAX_PARAMS: a spec names at most this many */

/* The files a calculator spec reads, in spec order, each as the calculator
 * opens it (the keys of its ops' file_keys, each found by its mdb_file_find):
 *   eam:file=NAME    NAME as given when it opens (or has a '/'); else the
 *                    first of $LAMMPS_POTENTIALS/NAME and
 *                    /usr/share/lammps/potentials/NAME that opens — eam.c's
 *                    own search (mdb_potential_resolve below)
 *   sw:file=PATH     PATH as given (sw.c opens it as is)
 *   plugin:lib=PATH  PATH as given when it has a '/'; a short name of one
 *                    of mdbench's own plugins as mdb_plugin_find finds it;
 *                    another bare name is looked up by the dynamic loader
 *                    exactly as plugin.c's dlopen does, and the loader's
 *                    full path is returned
 *   lj, spcfw, eam/sw without file=, ipi: none (ipi's launch= is a command;
 *                    what the client reads is outside mdbench's view)
 * A file that cannot be found is still listed (as given), so that
 * mdb_calc_spec_sha256 names it in its error. Returns the count (0 for
 * built-in potentials), at most max; -1 when the spec does not parse. */
int mdb_calc_spec_files(const char *spec, char (*files)[MDB_PATH_MAX], int max);

typedef struct mdb_file_digest {
  char path[MDB_PATH_MAX]; /* as mdb_calc_spec_files gives it */
  char sha256[65];         /* 64 lowercase hex characters */
} mdb_file_digest;

/* The files of spec with their digests, in spec order; *n is set to the
 * count (0 for built-ins). MDB_EINPUT for a spec that does not parse,
 * MDB_EIO naming the spec and the file that cannot be read (with the
 * directories looked in for a bare potential name), MDB_ERUN when there are
 * more than max files. */
mdb_status mdb_calc_spec_digests(const char *spec, mdb_file_digest *out, int max, int *n, mdb_err *err);

/* The same as one string "path=sha256hex;path2=sha256hex" in spec order ("" for
 * built-in potentials). Paths may themselves hold '=' or ';' (rare); readers
 * that must be exact split each entry at its LAST '=' (the digest is fixed
 * length: the last 64 characters). MDB_ERUN when outlen is too small; the
 * other errors as for mdb_calc_spec_digests. On error out is "". */
mdb_status mdb_calc_spec_sha256(const char *spec, char *out, size_t outlen, mdb_err *err);

/* eam.c's potential-file search: name as given when it can be opened for
 * reading or contains a '/'; else $LAMMPS_POTENTIALS/name, then
 * /usr/share/lammps/potentials/name, the first that opens. Returns 1 and
 * the path in out when found; 0 with name copied to out when not. */
int mdb_potential_resolve(const char *name, char *out, size_t outlen);

/* The folder of the running binary (from /proc/self/exe); 0 when unknown. */
int mdb_self_dir(char *out, size_t outlen);

/* plugin:lib=NAME with a short NAME (no '/' and no '.', e.g. "pyase",
 * "morse"): one of mdbench's own plugins, beside the binary as installed
 * (BIN/../lib/mdbench/plugins/libmdbench_NAME.so or libNAME.so) or in the
 * build tree (BIN/plugins/NAME/libmdbench_NAME.so,
 * BIN/examples/plugins/libNAME.so), the first that exists. Returns 1 with
 * its path in out; 0 with lib copied to out otherwise (a path, a file name
 * for the dynamic loader, or a short name found nowhere). */
int mdb_plugin_find(const char *lib, char *out, size_t outlen);

#endif
