# The Python framework's --analyze DIR (a copy of its directory loading written
# from its guide) loads mdbench's suite and compare folders: their summary and
# comparison tables are summary.jsonc / comparison.jsonc, not *.json; mdbench
# still recognises the old names. Details: tests/framework/analyze_dir.py.
if(MDB_PEER_PYTHON)
  add_test(NAME framework_analyze_dir_loads_suite_and_compare_folders
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/framework/analyze_dir.py
                   $<TARGET_FILE:mdbench-suite> $<TARGET_FILE:mdbench> ${PROJECT_SOURCE_DIR})
  set_tests_properties(framework_analyze_dir_loads_suite_and_compare_folders PROPERTIES
                       LABELS "h5py;cli" SKIP_RETURN_CODE 77 TIMEOUT 120
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
