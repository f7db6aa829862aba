/*
 * gcalc_sw.c — the device half of the sw calculator. Placeholder: no setup
 * means "no CUDA backend" (gpu/gmd.c names the calculators that have one).
 */
#include "gpu/gmd_impl.h"

const mdb_gcalc_ops mdb_gcalc_sw = {"sw", 0, NULL, NULL, NULL};
