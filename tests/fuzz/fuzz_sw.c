/*
 * fuzz_sw.c — Stillinger–Weber .sw files (calc/sw.c): read, prepared for
 * diamond silicon (Si), evaluated once (fuzz_potential.h).
 */
#include "fuzz_potential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_potential("sw", "potential.sw", "silicon", 64, data, size);
  return 0;
}
