# A stop between two thermo samples (src/bench/run.c): the result ends with a
# fully computed sample (CPU) or the last real one (GPU engine), never a
# partial one. Included by tests/CMakeLists.txt; the library-level test is
# stop_between_samples_records_a_fully_computed_sample.
add_test(NAME stop_at_a_non_sample_step_keeps_drift_at_the_uninterrupted_scale
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/stop_sample.sh $<TARGET_FILE:mdbench>)
set_tests_properties(stop_at_a_non_sample_step_keeps_drift_at_the_uninterrupted_scale PROPERTIES
                     LABELS "cli;gpu-host" SKIP_RETURN_CODE 77 TIMEOUT 120)

# A second SIGTERM kills at once but leaves no PATH.tmp.PID behind (core/stop
# removes the registered temporaries of core/atomic before dying).
mdb_test(second_signal_leaves_no_temporary_file LABELS unit SOURCES test_stop_tmp.c)
