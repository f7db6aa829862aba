# Stillinger–Weber (src/calc/sw.c): finite differences, potential-file
# errors, NVE energy conservation, and the cross-check against LAMMPS.
mdb_test(sw_forces_match_finite_differences LABELS unit SOURCES test_sw_fd.c)
add_test(NAME sw_bad_potential_files_give_clear_errors COMMAND sw_forces_match_finite_differences --file-errors)
set_tests_properties(sw_bad_potential_files_give_clear_errors PROPERTIES LABELS unit)
mdb_test(sw_nve_silicon_conserves_energy LABELS unit SOURCES test_sw_nve.c)

if(MDB_PEER_PYTHON)
  add_test(NAME sw_matches_lammps
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/sw_vs_lammps.py $<TARGET_FILE:mdbench>)
  set_tests_properties(sw_matches_lammps PROPERTIES
                       LABELS "lammps;peer"
                       SKIP_RETURN_CODE 77
                       TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
