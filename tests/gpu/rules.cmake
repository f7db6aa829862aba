# The host backend is as strict as CUDA where the engine relies on CUDA's
# rules, and the engine keeps them; the kernel launches a step costs
# (tests/gpu/test_dev_rules.c).
add_executable(test_dev_rules gpu/test_dev_rules.c)
target_compile_options(test_dev_rules PRIVATE ${MDB_WARN})
target_link_libraries(test_dev_rules PRIVATE mdbench_core)
foreach(_rule event sync zero params engine)
  set(_name_event gpu_host_capture_event_without_external_flag_cannot_be_timed)
  set(_name_sync gpu_host_capture_refuses_sync_copy_alloc_release_and_sync)
  set(_name_zero gpu_host_capture_rules_launch_of_zero_blocks_is_an_error)
  set(_name_params gpu_host_capture_replays_stale_parameters)
  set(_name_engine gpu_engine_host_capture_rules_hold_for_every_protocol)
  add_test(NAME ${_name_${_rule}} COMMAND test_dev_rules ${_rule})
  set_tests_properties(${_name_${_rule}} PROPERTIES LABELS "unit;gpu-host")
endforeach()
# launches per step (graphs on): test_dev_rules launches SYSTEM ATOMS CALC
# PROTOCOL THERMOSTAT MAX_PLAIN MAX_SAMPLED — a plain step is unsampled and
# without a neighbour build; a reduction counts as the two launches it is
# on CUDA
function(mdb_launch_test name)
  add_test(NAME gpu_engine_host_launches_${name} COMMAND test_dev_rules launches host ${ARGN})
  set_tests_properties(gpu_engine_host_launches_${name} PROPERTIES LABELS "unit;gpu-host")
  add_test(NAME gpu_engine_cuda_launches_${name} COMMAND test_dev_rules launches cuda ${ARGN})
  set_tests_properties(gpu_engine_cuda_launches_${name} PROPERTIES LABELS "gpu" SKIP_RETURN_CODE 77)
endfunction()
mdb_launch_test(nve_lj_at_most_4 argon 256 lj NVE - 4 12)
mdb_launch_test(nvt_nhc_at_most_6 argon 256 lj NVT nhc 6 15)
mdb_launch_test(nvt_langevin_at_most_6 argon 256 lj NVT langevin 6 15)
mdb_launch_test(npt_at_most_6 argon 256 lj NPT nhc 6 13)
# the many-body kernels with the threads per atom the engine chooses there
# (silicon 64 sw: 8, copper 108 eam: 32): the lanes' partials are added by
# the second half-kick (mdb_kp_gather), no launch of their own; EAM's
# density pass is one launch more than a pair potential (every ρ before any
# force), and its lanes' sum of ρ one more; with one thread per atom 4.
# "solid": 200 steps at 300 K need no neighbour build there
mdb_launch_test(nve_sw_lanes_at_most_3 silicon 64 sw NVE - 3 12 solid)
mdb_launch_test(npt_sw_lanes_at_most_6 silicon 64 sw NPT nhc 6 13 solid)
mdb_launch_test(nve_eam_lanes_at_most_5 copper 108 eam NVE - 5 14 solid)
mdb_launch_test(nve_eam_one_lane_at_most_4 copper 108 eam NVE - 4 13 solid)
set_tests_properties(gpu_engine_host_launches_nve_eam_one_lane_at_most_4 gpu_engine_cuda_launches_nve_eam_one_lane_at_most_4
                     PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=1)
add_test(NAME gpu_engine_host_launch_batches_of_steps_match_single_steps COMMAND test_dev_rules batches host)
set_tests_properties(gpu_engine_host_launch_batches_of_steps_match_single_steps PROPERTIES LABELS "unit;gpu-host")
add_test(NAME gpu_engine_cuda_launch_batches_of_steps_match_single_steps COMMAND test_dev_rules batches cuda)
set_tests_properties(gpu_engine_cuda_launch_batches_of_steps_match_single_steps PROPERTIES LABELS "gpu"
                     SKIP_RETURN_CODE 77)
# scripts/gpu-check.sh answers "no device" in one line, before building
add_test(NAME gpu_check_without_device_exits_nonzero_with_one_line
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gpu/gpu_check_probe.sh ${PROJECT_SOURCE_DIR}/scripts/gpu-check.sh)
set_tests_properties(gpu_check_without_device_exits_nonzero_with_one_line PROPERTIES LABELS "cli")
