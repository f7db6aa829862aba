# mdbench-suite --dry-run (src/suite/estimate.c, src/cli/mdbench_suite.c):
# filters before cuda cases move onto the CPU, the move flagged, estimated
# seconds per case checked against a real run (tests/suite_plan.sh says how).
add_test(NAME suite_dry_run_filters_as_written_and_estimates_seconds
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/suite_plan.sh $<TARGET_FILE:mdbench-suite> $<TARGET_FILE:mdbench>
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(suite_dry_run_filters_as_written_and_estimates_seconds PROPERTIES LABELS "cli;mpi" TIMEOUT 300)
