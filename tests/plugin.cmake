# Calculator plugins (include/mdbench/calculator.h, src/calc/plugin.c):
# the example Morse plugin (examples/plugins) through finite differences, a
# direct image sum, NVE, load errors, and a suite case under mdbench-suite;
# the ABI-2 frame (x_unwrapped, atom_ids) through a non-periodic tether
# across neighbour rebuilds, and an ABI-1 plugin that still loads.
#
# libnotaplugin.so (no entry point) and libbadabi.so (ABI 99) come from
# test_plugin.c itself, built with MDB_PLUGIN_TEST_LIB = 1 or 2.
foreach(kind notaplugin badabi)
  add_library(${kind} MODULE test_plugin.c)
  target_include_directories(${kind} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(${kind} PRIVATE ${MDB_WARN})
endforeach()
target_compile_definitions(notaplugin PRIVATE MDB_PLUGIN_TEST_LIB=1)
target_compile_definitions(badabi PRIVATE MDB_PLUGIN_TEST_LIB=2)

# libtether.so (ABI 2: x_unwrapped, atom_ids) and libtether_v1.so (the same
# source declaring ABI 1: a plugin built for the previous version) come from
# plugin_tether.c.
foreach(kind tether tether_v1)
  add_library(${kind} MODULE plugin_tether.c)
  target_include_directories(${kind} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(${kind} PRIVATE ${MDB_WARN})
endforeach()
target_compile_definitions(tether_v1 PRIVATE MDB_TETHER_DECLARE_V1=1)

add_executable(plugin_test test_plugin.c)
target_compile_options(plugin_test PRIVATE ${MDB_WARN})
target_include_directories(plugin_test PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(plugin_test PRIVATE mdbench_core)
target_compile_definitions(plugin_test PRIVATE MDB_MORSE_PLUGIN="$<TARGET_FILE:morse>"
                           MDB_NOTAPLUGIN="$<TARGET_FILE:notaplugin>" MDB_BADABI="$<TARGET_FILE:badabi>"
                           MDB_TETHER_PLUGIN="$<TARGET_FILE:tether>"
                           MDB_TETHER_V1_PLUGIN="$<TARGET_FILE:tether_v1>")
add_dependencies(plugin_test morse notaplugin badabi tether tether_v1)

function(mdb_plugin_test name mode)
  add_test(NAME ${name} COMMAND plugin_test ${mode})
  set_tests_properties(${name} PROPERTIES LABELS "unit;plugin")
endfunction()
mdb_plugin_test(plugin_morse_forces_match_finite_differences forces)
mdb_plugin_test(plugin_morse_matches_direct_image_sum direct)
mdb_plugin_test(plugin_morse_nve_copper_conserves_energy nve)
mdb_plugin_test(plugin_load_errors_name_what_was_expected errors)
mdb_plugin_test(plugin_tether_unwrapped_conserves_energy_across_rebuilds tether)
mdb_plugin_test(plugin_abi1_plugin_still_loads_without_abi2_fields abi1)

# The suite file names the plugin by its build-tree path: generated here.
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/plugin_suite.json
     INPUT ${CMAKE_CURRENT_SOURCE_DIR}/suites/plugin_suite.json)
find_program(MDB_MPIRUN NAMES mpirun mpiexec)
if(MDB_MPIRUN)
  set(script [=[
set -u
out=$(mktemp -d)/run
trap 'rm -rf "$(dirname "$out")"' EXIT
"$1" -n 1 "$2" "$3" -o "$out" --quiet || { echo "FAIL: mdbench-suite exited $?"; exit 1; }
[[ -s $out/results.h5 ]] || { echo "FAIL: no $out/results.h5"; exit 1; }
n=0
for f in "$out"/cases/*.json; do
  [[ -e $f ]] || continue
  n=$((n + 1))
  grep -Eq '"status":[[:space:]]*"ok"' "$f" || { echo "FAIL: $f: status is not ok"; cat "$f"; exit 1; }
  grep -q '"plugin:lib=' "$f" || { echo "FAIL: $f does not name the plugin calculator"; exit 1; }
done
[[ $n -eq 1 ]] || { echo "FAIL: $n case files, want 1"; exit 1; }
echo "suite case with the morse plugin: ok"
]=])
  add_test(NAME plugin_suite_case_runs_under_mdbench_suite
           COMMAND bash -c "${script}" plugin_suite ${MDB_MPIRUN} $<TARGET_FILE:mdbench-suite>
                   ${CMAKE_CURRENT_BINARY_DIR}/plugin_suite.json)
  # Open MPI leaks by design at exit; LeakSanitizer would fail every clean run
  set_tests_properties(plugin_suite_case_runs_under_mdbench_suite PROPERTIES
                       LABELS "plugin;mpi" TIMEOUT 300
                       ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl=self,vader;OMPI_MCA_btl_base_warn_component_unused=0;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
