# mdbench-suite's final table shows the drift of the conserved quantity for
# NVT/NPT (labelled "conserved") and of the total energy for NVE ("total");
# summary.json carries potential_drift. Details: tests/suite_table/check.py.
if(MDB_PEER_PYTHON)
  add_test(NAME suite_table_shows_conserved_drift_for_nvt_npt_and_summary_json_has_potential_drift
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/suite_table/check.py
                   $<TARGET_FILE:mdbench-suite> ${PROJECT_SOURCE_DIR})
  set_tests_properties(suite_table_shows_conserved_drift_for_nvt_npt_and_summary_json_has_potential_drift
                       PROPERTIES LABELS "h5py;cli" SKIP_RETURN_CODE 77 TIMEOUT 120
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
