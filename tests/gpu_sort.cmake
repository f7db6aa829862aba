# The GPU engine's re-sort of the atoms along a Z-order curve at neighbour
# rebuilds (gpu/kern_sort.h), on the host backend (tests/gpu/test_sort.c):
# sorted and unsorted trajectories agree to 1e-10 relative; the device
# order is a bijection of the host's and downloads undo it; the sort
# allocates nothing while steps run.
add_executable(test_sort gpu/test_sort.c)
target_compile_options(test_sort PRIVATE ${MDB_WARN})
target_link_libraries(test_sort PRIVATE mdbench_core)
add_test(NAME gpu_sort_host_eam_copper_trajectory_equals_unsorted COMMAND test_sort traj copper 256 eam NVE - 200)
add_test(NAME gpu_sort_host_lj_argon_trajectory_equals_unsorted COMMAND test_sort traj argon 256 lj NVE - 200)
add_test(NAME gpu_sort_host_lj_argon_langevin_trajectory_equals_unsorted
         COMMAND test_sort traj argon 256 lj NVT langevin 200)
add_test(NAME gpu_sort_host_permutation_is_a_bijection_undone_by_downloads_without_allocations
         COMMAND test_sort perm argon 256 lj 200 1)
# 4000 atoms: 125 bins, two chunks of the prefix sum
add_test(NAME gpu_sort_host_bins_follow_z_order_over_several_chunks COMMAND test_sort perm argon 4000 lj 60 2)
set_tests_properties(gpu_sort_host_eam_copper_trajectory_equals_unsorted
                     gpu_sort_host_lj_argon_trajectory_equals_unsorted
                     gpu_sort_host_lj_argon_langevin_trajectory_equals_unsorted
                     gpu_sort_host_permutation_is_a_bijection_undone_by_downloads_without_allocations
                     gpu_sort_host_bins_follow_z_order_over_several_chunks PROPERTIES LABELS "unit;gpu-host")
# a bad MDBENCH_GPU_SORT_EVERY is bad input: one line naming the valid range, exit 2, no output file
add_test(NAME gpu_run_host_bad_sort_every_is_one_line_exit_2
         COMMAND bash -c "out=$(MDBENCH_GPU_BACKEND=host MDBENCH_GPU_SORT_EVERY=-3 \"$1\" run --device cuda --steps 5 --output \"$2\" 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && [ $(printf '%s\\n' \"$out\" | wc -l) -eq 1 ] && printf '%s' \"$out\" | grep -q 'MDBENCH_GPU_SORT_EVERY=.-3.*valid: 0..1000000' && [ ! -e \"$2\" ]"
                 _ $<TARGET_FILE:mdbench> ${CMAKE_CURRENT_BINARY_DIR}/bad_sort_every.json)
set_tests_properties(gpu_run_host_bad_sort_every_is_one_line_exit_2 PROPERTIES LABELS "cli;gpu-host")
