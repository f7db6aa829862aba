# The architecture's shape (issue 16): the folder dependency graph of src/
# has no cycle and no include from a lower folder to a higher one (the
# layer order is declared at the top of scripts/layering.py), and no source
# file is over 1,000 lines nor any function over 150 (scripts/size-check.py,
# with its allow-list of files being split); docs/architecture.md shows the
# graph as it is. Each checker is also run on a small tree it must reject,
# so a checker that stopped seeing offences fails.
find_program(MDB_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT MDB_PYTHON3)
  find_program(MDB_PYTHON3 NAMES python3)
endif()
if(MDB_PYTHON3)
  add_test(NAME src_folders_include_only_lower_layers_without_cycles
           COMMAND ${MDB_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/layering.py ${PROJECT_SOURCE_DIR})
  add_test(NAME architecture_doc_shows_the_current_folder_graph
           COMMAND ${MDB_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/layering.py --check-doc
                   ${PROJECT_SOURCE_DIR}/docs/architecture.md ${PROJECT_SOURCE_DIR})
  add_test(NAME layering_check_rejects_an_upward_include_a_cycle_and_an_unplaced_folder
           COMMAND ${MDB_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/layering.py --self-test)
  add_test(NAME src_files_under_1000_lines_and_functions_under_150
           COMMAND ${MDB_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/size-check.py ${PROJECT_SOURCE_DIR})
  add_test(NAME size_check_flags_a_long_file_and_a_long_function
           COMMAND ${MDB_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/size-check.py --self-test)
  set_tests_properties(
    src_folders_include_only_lower_layers_without_cycles architecture_doc_shows_the_current_folder_graph
    layering_check_rejects_an_upward_include_a_cycle_and_an_unplaced_folder
    src_files_under_1000_lines_and_functions_under_150 size_check_flags_a_long_file_and_a_long_function
    PROPERTIES LABELS unit)
endif()
