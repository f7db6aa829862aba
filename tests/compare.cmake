# mdbench compare (src/cli/cmd_compare.c, src/bench/shadow.c) and the
# bootstrap intervals of its speedups (src/analysis/bootstrap.c).
#   unit: bootstrap intervals — block length, reproducibility, width against
#         the delta-method standard error, and coverage over 200 samples.
#   cli:  compare_check.py — identical seeded starts (two lj instances give
#         bit-identical energies at every sample), the files and the table,
#         shadow mode (lj shadowing itself: zero error; lj shadowing eam on
#         copper: a plausible non-zero error, energies consistent with the
#         reference's thermo and with `mdbench eval`), bad input.
mdb_test(bootstrap_intervals_cover_and_reproduce LABELS unit SOURCES test_bootstrap.c)

if(MDB_PEER_PYTHON)
  add_test(NAME compare_identical_starts_speedups_and_shadow_mode
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/compare_check.py $<TARGET_FILE:mdbench>)
  set_tests_properties(compare_identical_starts_speedups_and_shadow_mode PROPERTIES
                       LABELS "cli;h5py" SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
