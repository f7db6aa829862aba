/*
 * fuzz_eam.c — EAM potential files (calc/eam.c: funcfl .eam and setfl
 * .eam.alloy, told apart by content since the file name has no suffix):
 * read, prepared for fcc copper (Cu), evaluated once (fuzz_potential.h).
 */
#include "fuzz_potential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_potential("eam", "potential", "copper", 32, data, size);
  return 0;
}
