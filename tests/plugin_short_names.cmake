# plugin:lib=pyase / lib=morse: mdbench's own plugins by their short names
add_test(NAME plugin_short_name_loads_the_plugin_beside_the_binary
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plugin_short_names.sh $<TARGET_FILE:mdbench> ${PROJECT_BINARY_DIR})
set_tests_properties(plugin_short_name_loads_the_plugin_beside_the_binary PROPERTIES LABELS "cli" TIMEOUT 120
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
