# Trends over many runs (python3 -m mdbench_analysis history): three real runs
# of tests/history/history_suite.json, the third rewritten x1.20 with h5py;
# the injected slowdown is marked (by mdbench regress as the change test),
# the jitter between the first two is not. Details: tests/history/history_check.py.
# Skipped (77) when /usr/bin/python3 lacks h5py, numpy or matplotlib.
if(MDB_PEER_PYTHON)
  add_test(NAME history_marks_an_injected_20_percent_slowdown_and_not_jitter
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/history/history_check.py
                   $<TARGET_FILE:mdbench-suite> $<TARGET_FILE:mdbench> ${PROJECT_SOURCE_DIR})
  set_tests_properties(history_marks_an_injected_20_percent_slowdown_and_not_jitter PROPERTIES
                       LABELS "h5py;report" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
# mdbench_analysis.load(PATH) as a pandas DataFrame; skipped (77) without pandas
if(MDB_PEER_PYTHON)
  add_test(NAME analysis_load_gives_a_dataframe_equal_to_the_summary_with_per_step_arrays
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/history/frame_check.py
                   $<TARGET_FILE:mdbench-suite> ${PROJECT_SOURCE_DIR})
  set_tests_properties(analysis_load_gives_a_dataframe_equal_to_the_summary_with_per_step_arrays PROPERTIES
                       LABELS "h5py;report" SKIP_RETURN_CODE 77 TIMEOUT 120
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1;PYTHONDONTWRITEBYTECODE=1")
endif()
