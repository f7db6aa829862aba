# ML force fields through the ase calculator (src/calc/ase.c, python/mdbench_ase_worker.py):
# mdbench starts its own Python worker; Debian's ASE belongs to /usr/bin/python3, so
# every spec passes python=/usr/bin/python3. Exit 77 without ASE.
#   ase_emt_matches_ase_energy_forces_virial: Cu 108 and a Cu/Al extended-XYZ alloy, 1e-10 relative
#   ase_emt_nve_1000_steps_conserves_energy: max |E - E0|/N <= 5e-5 eV/atom
#   ase_startup_errors_exit_2_one_line: bad module/callable/keyword/constructor/python -> exit 2,
#     one line naming module and interpreter; an exception at step 5 -> exit 1, failed at step 5
if(MDB_PEER_PYTHON)
  add_test(NAME ase_emt_matches_ase_energy_forces_virial
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> emt)
  add_test(NAME ase_emt_nve_1000_steps_conserves_energy
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> nve)
  add_test(NAME ase_startup_errors_exit_2_one_line
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> errors)
  set_tests_properties(ase_emt_matches_ase_energy_forces_virial ase_startup_errors_exit_2_one_line
                       PROPERTIES LABELS "ase;peer;cli" SKIP_RETURN_CODE 77 TIMEOUT 300)
  set_tests_properties(ase_emt_nve_1000_steps_conserves_energy PROPERTIES LABELS "ase;peer;slow"
                       SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
