# The scalar part of one NPT step written once (md/npt_hd.h) for the CPU
# step (md/mtk.c) and the device's kernels (gpu/kern_ens.h): it follows the
# sequence of md/mtk.c's header bit for bit, the device's threads that skip
# the barostat get the same factor, and a blow-up is flagged at the limit.
add_executable(test_npt_hd test_npt_hd.c)
target_compile_options(test_npt_hd PRIVATE ${MDB_WARN})
target_link_libraries(test_npt_hd PRIVATE mdbench_core)
add_test(NAME npt_step_scalars_follow_the_mtk_sequence_bit_for_bit COMMAND test_npt_hd)
set_tests_properties(npt_step_scalars_follow_the_mtk_sequence_bit_for_bit PROPERTIES LABELS "unit")

# ... and a barostat that blows up stops a run at its first step with the
# same words on both engines (tests/npt_blowup.sh).
add_test(NAME npt_barostat_blow_up_stops_cpu_and_device_runs_at_step_1
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/npt_blowup.sh $<TARGET_FILE:mdbench>)
set_tests_properties(npt_barostat_blow_up_stops_cpu_and_device_runs_at_step_1 PROPERTIES LABELS "cli" TIMEOUT 120)
