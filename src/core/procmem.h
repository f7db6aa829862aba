/*
 * procmem.h — memory readings: this process's resident set and peak, an
 * external client's process tree (/proc), its GPU memory (nvidia-smi).
 */
#ifndef MDB_PROCMEM_H
#define MDB_PROCMEM_H

#include <stddef.h>
#include <stdint.h>

/* Host memory: current resident set and the process's peak (bytes). */
int64_t mdb_mem_rss_bytes(void);
int64_t mdb_mem_peak_bytes(void);

/* The client's process tree from /proc: resident set, high-water mark (both
 * bytes, summed) and threads; returns 0, or -1 when pid is gone. */
int mdb_proc_tree_status(int pid, int64_t *rss, int64_t *hwm, int *threads);

/* GPU memory (bytes) used by pid's process tree per nvidia-smi; -1 with
 * why filled when that cannot be measured here. */
double mdb_proc_tree_gpu_bytes(int pid, char *why, size_t len);

#endif
