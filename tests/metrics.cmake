# Metrics declared once (src/io/metrics.def, docs/metric-names.md).
#   metrics_py_matches_the_c_table: the Python report's list of metric names
#     (analysis/mdbench_analysis/metrics.py) is exactly what the C table
#     generates (tests/metrics/metrics_py.c).
#   old_results_load_in_analyze_regress_and_report: files written by mdbench
#     0.2 (tests/data/v0.2, commit bcfc3e4) load in `mdbench analyze`,
#     `mdbench regress` and the report package with their numbers
#     (tests/metrics/old_files.py).
add_executable(metrics_py metrics/metrics_py.c)
target_compile_options(metrics_py PRIVATE ${MDB_WARN})
target_link_libraries(metrics_py PRIVATE mdbench_core)
add_test(NAME metrics_py_matches_the_c_table
         COMMAND ${CMAKE_COMMAND} -DGEN=$<TARGET_FILE:metrics_py>
                 -DWANT=${PROJECT_SOURCE_DIR}/analysis/mdbench_analysis/metrics.py
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/metrics/py_check.cmake)
set_tests_properties(metrics_py_matches_the_c_table PROPERTIES LABELS unit TIMEOUT 30)
if(MDB_PEER_PYTHON)
  add_test(NAME old_results_load_in_analyze_regress_and_report
           COMMAND ${MDB_PEER_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/metrics/old_files.py $<TARGET_FILE:mdbench>
                   ${PROJECT_SOURCE_DIR})
  set_tests_properties(old_results_load_in_analyze_regress_and_report PROPERTIES
                       LABELS "cli;report" SKIP_RETURN_CODE 77 TIMEOUT 120
                       ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endif()
