# Plugin ABI 3 (include/mdbench/calculator.h): a plugin reports its model's time per compute
# (mdb_plugin_result.model_ms) and the result carries it as an ase: case's (raw.model_ms, the
# step split, the printed split line, HDF5 model/); older plugins give none (tests/plugin_abi3_check.py).
#
# libtimed.so (ABI 3) and libtimed_v2.so (the same source declaring ABI 2) come from plugin_timed.c.
foreach(kind timed timed_v2)
  add_library(${kind} MODULE plugin_timed.c)
  target_include_directories(${kind} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(${kind} PRIVATE ${MDB_WARN})
endforeach()
target_compile_definitions(timed_v2 PRIVATE MDB_TIMED_DECLARE_V2=1)

#   plugin_abi3_model_time_equals_the_plugins_within_5_percent: a 5 ms sleep reported as measured:
#     40 raw.model_ms, median within 5 % of 5 ms, none below; model <= plugin call <= step; split and
#     printed medians = the raw median; a fixed report of 1.25 ms: every value 1.25 to 1e-9 ms; ABI 1,
#     ABI 2 (writing model_ms anyway), ABI 3 reporting nothing, morse: no model time, no split
#   plugin_abi3_model_time_in_results_h5: mdbench compare: model/model_ms = JSON raw.model_ms to 1e-12,
#     no pid; the ABI-2 case has no model/ group (exit 77 without h5py)
if(MDB_PEER_PYTHON)
  foreach(t json:plugin_abi3_model_time_equals_the_plugins_within_5_percent h5:plugin_abi3_model_time_in_results_h5)
    string(REPLACE ":" ";" parts ${t})
    list(GET parts 0 mode)
    list(GET parts 1 name)
    add_test(NAME ${name}
             COMMAND ${MDB_PEER_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/plugin_abi3_check.py ${mode}
                     $<TARGET_FILE:mdbench> $<TARGET_FILE:timed> $<TARGET_FILE:timed_v2> $<TARGET_FILE:tether_v1>
                     $<TARGET_FILE:morse>)
    set_tests_properties(${name} PROPERTIES LABELS "plugin;cli" SKIP_RETURN_CODE 77 TIMEOUT 300)
  endforeach()
endif()
