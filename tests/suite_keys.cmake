# The suite key table (src/suite/suite_keys.h): one row per key drives
# parsing and the --resume hash; costs come from the calculators; --device
# folding lives in suite/ (tests/test_suite_keys.c; without an argument it runs
# the hash checks).
mdb_test(suite_key_table_every_hashed_key_changes_the_hash_and_old_hashes_hold LABELS unit SOURCES test_suite_keys.c)
target_compile_definitions(suite_key_table_every_hashed_key_changes_the_hash_and_old_hashes_hold PRIVATE
                           MDB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
set(mdb_suite_keys_exe suite_key_table_every_hashed_key_changes_the_hash_and_old_hashes_hold)
foreach(pair IN ITEMS "parse;suite_key_table_every_setting_is_read_into_its_case_field"
                      "cost;suite_costs_come_from_the_calculators_ops"
                      "fold;suite_folds_cuda_cases_onto_cpu_twins_and_reads_precision")
  list(GET pair 0 mode)
  list(GET pair 1 name)
  add_test(NAME ${name} COMMAND ${mdb_suite_keys_exe} ${mode})
  set_tests_properties(${name} PROPERTIES LABELS unit)
endforeach()
