/*
 * gcalc_eam.c — the device half of the eam calculator. Placeholder: no setup
 * means "no CUDA backend" (gpu/gmd.c names the calculators that have one).
 */
#include "gpu/gmd_impl.h"

const mdb_gcalc_ops mdb_gcalc_eam = {"eam", 0, NULL, NULL, NULL};
