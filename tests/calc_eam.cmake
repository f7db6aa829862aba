# eam calculator tests (included by tests/CMakeLists.txt).
#   unit: forces and virial by finite differences (built-in Zhou 2004; LAMMPS
#         tables, skipped without /usr/share/lammps/potentials), clear errors
#         for bad potential files, NVE energy conservation (copper, aluminum)
#   peer: the same potential files through LAMMPS (eam, eam/alloy, and -sf opt)
mdb_test(eam_forces_match_finite_differences LABELS unit SOURCES test_eam_fd.c)
add_test(NAME eam_tabulated_forces_match_finite_differences COMMAND eam_forces_match_finite_differences files)
set_tests_properties(eam_tabulated_forces_match_finite_differences PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
add_test(NAME eam_bad_potential_files_give_clear_errors COMMAND eam_forces_match_finite_differences errors)
set_tests_properties(eam_bad_potential_files_give_clear_errors PROPERTIES LABELS unit)

mdb_test(eam_nve_conserves_energy LABELS unit SOURCES test_eam_nve.c)

if(MDB_PEER_PYTHON)
  add_test(NAME eam_matches_lammps
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/eam_vs_lammps.py $<TARGET_FILE:mdbench>)
  set_tests_properties(eam_matches_lammps PROPERTIES LABELS "lammps;peer" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
