# Reports (analysis/mdbench_analysis, the Python package): a small real suite
# (tests/analysis/report_suite.json) run by mdbench-suite under mpirun -n 2,
# then `python3 -m mdbench_analysis report`: every file exists, each PNG is a
# real non-blank image of its stated size, report.html is self-contained,
# report.md's numbers equal /summary and its scaling exponents an independent
# numpy fit; shadow groups, interrupted/error cases, many cases, bad input.
# Details: tests/analysis/report_check.py. Skipped (77) when /usr/bin/python3
# lacks h5py, numpy or matplotlib.
if(MDB_PEER_PYTHON)
  find_program(MDB_ANALYSIS_MPIRUN NAMES mpirun mpiexec)
  if(NOT MDB_ANALYSIS_MPIRUN)
    set(MDB_ANALYSIS_MPIRUN "")
  endif()
  add_test(NAME report_from_a_small_suite_has_every_plot_and_the_summarys_numbers
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/analysis/report_check.py
                   $<TARGET_FILE:mdbench-suite> ${PROJECT_SOURCE_DIR} "${MDB_ANALYSIS_MPIRUN}"
                   $<TARGET_FILE:mdbench>)
  # Open MPI leaks by design at exit: LeakSanitizer off under MDBENCH_SANITIZE
  set_tests_properties(report_from_a_small_suite_has_every_plot_and_the_summarys_numbers PROPERTIES
                       LABELS "h5py;report" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1;PYTHONDONTWRITEBYTECODE=1")
endif()
