# --version, --help and `mdbench list` (src/cli/cmd_list.c), checked against
# what the programs accept and do (tests/cli_misc.sh says how).
add_test(NAME version_help_and_lists_match_what_runs
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli_misc.sh $<TARGET_FILE:mdbench> $<TARGET_FILE:mdbench-suite>
                 ${PROJECT_VERSION} ${PROJECT_SOURCE_DIR})
set_tests_properties(version_help_and_lists_match_what_runs PROPERTIES LABELS "cli" TIMEOUT 120)

# Markdown: relative links stay inside the repository and exist; no table
# split by a blank line (tests/docs_links.sh).
add_test(NAME docs_links_resolve_inside_the_repository
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/docs_links.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(docs_links_resolve_inside_the_repository PROPERTIES LABELS "cli")

# A CUDA build on a machine without an NVIDIA driver says so, rather than the
# runtime's "driver version is insufficient" (skipped where a driver exists).
if(MDBENCH_HAVE_CUDA)
  add_test(NAME no_nvidia_driver_is_named_as_such
           COMMAND bash -c "[[ -e /proc/driver/nvidia/version ]] && exit 77; \
out=$($<TARGET_FILE:mdbench> run --device cuda --steps 1 2>&1); rc=$?; echo \"$out\"; \
[[ $rc == 3 ]] && grep -q 'no NVIDIA driver found' <<<\"$out\" && ! grep -q insufficient <<<\"$out\"")
  set_tests_properties(no_nvidia_driver_is_named_as_such PROPERTIES LABELS "cli;gpu-host" SKIP_RETURN_CODE 77)
endif()
