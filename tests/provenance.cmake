# Provenance (src/core/provenance.c, src/core/sha256.c, src/calc/files.c). Included by
# tests/CMakeLists.txt.
#   unit: SHA-256 against the FIPS 180-4 vectors and hashlib digests of
#         files across block and read-buffer boundaries, any chunking; the
#         files each calculator spec reads (eam's potentials search, sw as
#         given, plugin libraries through the dynamic loader) and clear
#         errors for missing ones; Slurm variables, host, CPU, OS, compiler,
#         build type, git commit and MPI library as collected.
#   peer: the digests of real LAMMPS potential files and of the Morse
#         plugin equal `sha256sum`'s, also through calculator specs with a
#         bare name (skipped, 77, without /usr/share/lammps/potentials).
mdb_test(provenance_sha256_and_environment LABELS unit SOURCES test_provenance.c)
target_compile_definitions(provenance_sha256_and_environment PRIVATE MDB_TEST_BUILD_TYPE="${CMAKE_BUILD_TYPE}")

add_test(NAME provenance_sha256_matches_sha256sum
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/provenance/sha256sum_peer.sh
                 $<TARGET_FILE:provenance_sha256_and_environment> $<TARGET_FILE:morse>)
set_tests_properties(provenance_sha256_matches_sha256sum PROPERTIES LABELS "unit;peer" SKIP_RETURN_CODE 77
                     TIMEOUT 120)
