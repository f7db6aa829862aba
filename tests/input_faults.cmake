# Faults in user input and models (tests/cli_input_faults.sh): input files,
# huge cutoffs, non-finite model output, null statistics. Included by
# tests/CMakeLists.txt.
add_test(NAME input_faults_exit_2_with_one_line_and_no_wrong_number
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_input_faults.sh $<TARGET_FILE:mdbench>)
set_tests_properties(input_faults_exit_2_with_one_line_and_no_wrong_number PROPERTIES LABELS "cli" TIMEOUT 300)
