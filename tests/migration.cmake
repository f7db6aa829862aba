# Coming from the Python framework: its potential-energy drift kept as
# energy.potential_drift (JSON) and potential_drift (HDF5 summary) beside
# mdbench's total-energy drift (tests/cli/potential_drift_check.py).
find_program(MDB_MIGRATION_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(MDB_MIGRATION_PYTHON3)
  add_test(NAME potential_drift_is_the_frameworks_drift_beside_the_total_energy_drift
           COMMAND ${MDB_MIGRATION_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/cli/potential_drift_check.py
                   $<TARGET_FILE:mdbench>)
  set_tests_properties(potential_drift_is_the_frameworks_drift_beside_the_total_energy_drift PROPERTIES
                       LABELS "cli" TIMEOUT 300)
endif()
