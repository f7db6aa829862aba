# The live progress line of `mdbench run` and `compare` (src/cli/progress.c):
# on a pty (python3's pty module) a \r-redrawn line with steps, rate and ETA,
# at most ~4 redraws/s, nothing with --quiet; without a terminal plain lines
# every MDBENCH_PROGRESS_S seconds (default 10 s: none in a short run).
find_program(MDB_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(MDB_SYSTEM_PYTHON3)
  add_test(NAME run_and_compare_show_progress_on_a_terminal_and_plain_lines_in_logs
           COMMAND ${MDB_SYSTEM_PYTHON3} ${PROJECT_SOURCE_DIR}/tests/cli/progress_check.py $<TARGET_FILE:mdbench>)
  set_tests_properties(run_and_compare_show_progress_on_a_terminal_and_plain_lines_in_logs PROPERTIES
                       LABELS "cli" TIMEOUT 120)
endif()
