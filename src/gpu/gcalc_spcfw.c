/*
 * gcalc_spcfw.c — the device half of the spcfw calculator. Placeholder: no setup
 * means "no CUDA backend" (gpu/gmd.c names the calculators that have one).
 */
#include "gpu/gmd_impl.h"

const mdb_gcalc_ops mdb_gcalc_spcfw = {"spcfw", 0, NULL, NULL, NULL};
