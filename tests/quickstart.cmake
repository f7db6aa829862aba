# scripts/quickstart.sh builds what the READMEs then use from build/ (the two
# programs and the example plugin build/examples/plugins/libmorse.so)
add_test(NAME quickstart_builds_every_program_and_plugin_the_readmes_use
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/quickstart_targets.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(quickstart_builds_every_program_and_plugin_the_readmes_use PROPERTIES LABELS "cli" TIMEOUT 30)
