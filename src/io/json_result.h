/*
 * json_result.h — a case result as JSON in the reference guide's schema.
 *
 * Keys of the guide (metadata, performance, memory, energy) are spelled as
 * the guide spells them; mdbench adds status/failure, a thermo block,
 * provenance, and the raw per-step arrays ("raw") so that reloading a
 * result loses nothing. The schema is documented in docs/json-schema.md;
 * its scalar metrics come from the one table io/metrics.def.
 */
#ifndef MDB_JSON_RESULT_H
#define MDB_JSON_RESULT_H

#include <cjson/cJSON.h>

#include "bench/bench.h"
#include "io/metrics.h"

/* Builds the JSON tree (caller frees with cJSON_Delete); NULL when out of
 * memory. */
cJSON *mdb_result_to_json(const mdb_result *r);

/* metadata.provenance: host, CPU, Slurm job, GPUs, MPI, compiler, build, commit. */
cJSON *mdb_provenance_to_json(const mdb_provenance *p);

/* Writes it to path atomically. */
mdb_status mdb_result_write_json(const mdb_result *r, const char *path, mdb_err *err);

#endif
