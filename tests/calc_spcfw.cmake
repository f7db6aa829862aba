# spcfw (flexible SPC/Fw water, damped shifted force Coulomb): unit tests and
# the LAMMPS cross-check. Included by tests/CMakeLists.txt.
mdb_test(spcfw_forces_and_virial_match_finite_differences LABELS unit SOURCES test_spcfw_fd.c)
add_test(NAME spcfw_energy_and_forces_match_direct_sum
         COMMAND spcfw_forces_and_virial_match_finite_differences reference)
set_tests_properties(spcfw_energy_and_forces_match_direct_sum PROPERTIES LABELS unit)
add_test(NAME spcfw_rejects_bad_specs_and_systems
         COMMAND spcfw_forces_and_virial_match_finite_differences input)
set_tests_properties(spcfw_rejects_bad_specs_and_systems PROPERTIES LABELS unit)

mdb_test(nve_water_spcfw_conserves_energy LABELS unit SOURCES test_spcfw_nve.c)

if(MDB_PEER_PYTHON)
  add_test(NAME spcfw_matches_lammps
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/spcfw_vs_lammps.py $<TARGET_FILE:mdbench>)
  set_tests_properties(spcfw_matches_lammps PROPERTIES
                       LABELS "lammps;peer"
                       SKIP_RETURN_CODE 77
                       TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
