# mdbench run's GPU cases run unsampled stretches as batches of steps in one
# graph launch (bench/run.c, mdb_gmd_steps): same bits, fewer launches, stops
# at a batch's end (tests/gpu/test_run_batch.c, host backend).
add_executable(test_run_batch gpu/test_run_batch.c)
target_compile_options(test_run_batch PRIVATE ${MDB_WARN})
target_link_libraries(test_run_batch PRIVATE mdbench_core)
add_test(NAME gpu_run_host_batches_give_the_bits_of_single_steps COMMAND test_run_batch bits)
add_test(NAME gpu_run_host_batches_cut_graph_launches_as_planned COMMAND test_run_batch launches)
add_test(NAME gpu_run_host_batch_stop_lands_at_the_batch_end COMMAND test_run_batch stop)
set_tests_properties(gpu_run_host_batches_give_the_bits_of_single_steps
                     gpu_run_host_batches_cut_graph_launches_as_planned
                     gpu_run_host_batch_stop_lands_at_the_batch_end PROPERTIES LABELS "unit;gpu-host")
