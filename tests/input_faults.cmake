# Faults in user input and models (tests/cli_input_faults.sh): input files,
# huge cutoffs, a plugin that returns NaN or an unterminated error message,
# null statistics. Included by tests/CMakeLists.txt.
add_library(faulty MODULE plugin_faults.c)
target_include_directories(faulty PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_options(faulty PRIVATE ${MDB_WARN})
target_link_libraries(faulty PRIVATE ${MATH_LIBRARY})

add_test(NAME input_faults_exit_2_with_one_line_and_no_wrong_number
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_input_faults.sh $<TARGET_FILE:mdbench>
                 $<TARGET_FILE:mdbench-suite> $<TARGET_FILE:faulty>)
# (the script turns LeakSanitizer off for mdbench-suite alone: Open MPI leaks
# by design at exit)
set_tests_properties(input_faults_exit_2_with_one_line_and_no_wrong_number PROPERTIES LABELS "cli;plugin" TIMEOUT 300
                     ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
