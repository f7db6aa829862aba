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
# the same on a device (scripts/gpu-check.sh runs label gpu; 77 without a GPU)
add_test(NAME gpu_run_cuda_batches_give_the_bits_of_single_steps COMMAND test_run_batch bits cuda)
add_test(NAME gpu_run_cuda_batches_cut_graph_launches_as_planned COMMAND test_run_batch launches cuda)
add_test(NAME gpu_run_cuda_batch_stop_lands_at_the_batch_end COMMAND test_run_batch stop cuda)
set_tests_properties(gpu_run_cuda_batches_give_the_bits_of_single_steps
                     gpu_run_cuda_batches_cut_graph_launches_as_planned
                     gpu_run_cuda_batch_stop_lands_at_the_batch_end PROPERTIES LABELS "gpu" SKIP_RETURN_CODE 77)
# a bad MDBENCH_GPU_BATCH is bad input: one line naming the valid range, exit 2, no output file
add_test(NAME gpu_run_host_bad_batch_is_one_line_exit_2
         COMMAND bash -c "out=$(MDBENCH_GPU_BACKEND=host MDBENCH_GPU_BATCH=13 \"$1\" run --device cuda --steps 5 --output \"$2\" 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && [ $(printf '%s\\n' \"$out\" | wc -l) -eq 1 ] && printf '%s' \"$out\" | grep -q 'MDBENCH_GPU_BATCH=.13.*valid: 1..12' && [ ! -e \"$2\" ]"
                 _ $<TARGET_FILE:mdbench> ${CMAKE_CURRENT_BINARY_DIR}/bad_batch.json)
set_tests_properties(gpu_run_host_bad_batch_is_one_line_exit_2 PROPERTIES LABELS "cli;gpu-host")
