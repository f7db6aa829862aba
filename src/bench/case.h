/*
 * case.h — one benchmark case as plain data (what the suite expands, MPI
 * ships and a result records as run), its defaults and its validation.
 */
#ifndef MDB_CASE_H
#define MDB_CASE_H

#include <stdint.h>

#include "core/error.h"

typedef struct mdb_case {
  char system[256];     /* built-in name or .xyz path */
  int n_atoms;          /* 0: the system's default */
  double lattice_A;     /* 0: the system's default */
  char protocol[8];     /* "NVE", "NVT" or "NPT" (md/md.h) */
  char thermostat[16];  /* "nhc" or "langevin"; "": none for NVE, nhc otherwise */
  double tdamp_fs;      /* thermostat damping; 0: 100 fs (NVT, NPT) */
  double pdamp_fs;      /* barostat damping; 0: 1000 fs (NPT) */
  double pressure_bar;  /* NPT target, used when pressure_set */
  int pressure_set;     /* 0: 1.01325 bar for NPT; set for any other protocol is an error */
  int chain;            /* Nosé–Hoover chain length; 0: 3 (nhc only) */
  char calculator[512]; /* spec; "" : the system's default */
  char device[16];      /* "cpu" or "cuda" (gpu/gmd.h) */
  char precision[8];    /* "double", or "mixed" (cuda: float pair arithmetic, double integration and sums) */
  int n_steps;
  int warmup_steps;
  double timestep_fs; /* 0: the system's default */
  double temperature_K;
  uint64_t seed;
  int energy_interval;
  int memory_interval;
  double skin_A;
} mdb_case;

/* Fills defaults (argon 256 atoms, lj, NVE, cpu, 1000 steps, 10 warmup,
 * 300 K, seed 42, energy every 10 steps, memory every 100, skin 1 Å). The
 * temperature is the start temperature and, for NVT and NPT, the target;
 * seed also keys the Langevin noise. */
void mdb_case_defaults(mdb_case *c);

/* Resolves system and ensemble defaults and checks every field; the
 * message names the flag and its valid range. Idempotent. Settings that do
 * not apply to the protocol (a thermostat or --tdamp-fs for NVE,
 * --pdamp-fs or --pressure-bar without NPT) are errors. */
mdb_status mdb_case_resolve(mdb_case *c, mdb_err *err);

#endif
