# --version, --help and `mdbench list` (src/cli/cmd_list.c), checked against
# what the programs accept and do (tests/cli_misc.sh says how).
add_test(NAME version_help_and_lists_match_what_runs
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli_misc.sh $<TARGET_FILE:mdbench> $<TARGET_FILE:mdbench-suite>
                 ${PROJECT_VERSION} ${PROJECT_SOURCE_DIR})
set_tests_properties(version_help_and_lists_match_what_runs PROPERTIES LABELS "cli" TIMEOUT 120)
