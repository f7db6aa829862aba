# Suite files (src/suite): the shipped suites (quick, baseline,
# comprehensive), matrix expansion with include/exclude, incompatible
# calculators, --filter, ids and hashes, and the malformed files in
# tests/suites/ that must report every problem at once.
mdb_test(shipped_suites_load_and_hold_the_guides_cases LABELS unit SOURCES test_suite.c)
target_compile_definitions(shipped_suites_load_and_hold_the_guides_cases PRIVATE
                           MDB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

function(mdb_suite_test name mode)
  add_test(NAME ${name} COMMAND shipped_suites_load_and_hold_the_guides_cases ${mode})
  set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()

mdb_suite_test(suite_matrix_expands_like_github_actions expand)
mdb_suite_test(suite_filter_keeps_the_cases_it_names filter)
mdb_suite_test(malformed_suites_report_every_error_with_file_and_path errors)
