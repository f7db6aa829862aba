# mdbench analyze / mdbench regress (src/analysis/results.c, regress.c,
# regress_stats.c; src/cli/cmd_analyze.c, cmd_regress.c; docs/regress.md).
# Included by tests/CMakeLists.txt.
#   unit: Mann-Whitney U against scipy's numbers, quantiles against numpy,
#         the bootstrap, and every decision rule on synthetic cases.
#   cli:  tests/regress/regress_cli.sh runs a small real suite
#         (tests/regress/regress_suite.json) as the baseline, synthesises
#         current runs with h5py (x1.20, 2 % jitter, x0.8, a missing case,
#         another device) and checks the exit codes, the named cases, the
#         ratios, --output JSON, analyze's table against /summary, sorting,
#         and scripts/check_performance_regression.sh end to end. Needs
#         numpy and h5py (MDB_PEER_PYTHON); skipped (77) without them.
mdb_test(regress_statistics_and_verdicts LABELS unit SOURCES test_regress_stats.c)

if(MDB_PEER_PYTHON)
  add_test(NAME regress_flags_slowdowns_not_jitter_and_analyze_tables
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/regress/regress_cli.sh $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite> ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR})
  # mdbench-suite runs as an MPI singleton; Open MPI leaks by design at exit
  set_tests_properties(regress_flags_slowdowns_not_jitter_and_analyze_tables PROPERTIES
                       LABELS "cli;h5py" TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
