# Several threads per atom in the many-body kernels (EAM, SW) on the host
# backend (tests/gpu/test_lanes.c): the first forces with L = 1..32 lanes
# agree with L = 1 and with the CPU to 1e-12 relative; the override is
# checked; the backend refuses a grid CUDA refuses. And whole trajectories
# (tests/gpu/test_gmd.c, CPU vs GPU to 1e-8) with the lanes forced to 32,
# and to 1 where the engine's own choice is several.
add_executable(test_lanes gpu/test_lanes.c)
target_compile_options(test_lanes PRIVATE ${MDB_WARN})
target_link_libraries(test_lanes PRIVATE mdbench_core)
set(_lanes_cual ${CMAKE_CURRENT_BINARY_DIR}/gpu_eam_cual.xyz) # written by gpu/eam.cmake
set(_lanes_sw_alloy ${CMAKE_CURRENT_BINARY_DIR}/gpu_sw/alloy64.xyz) # written by gpu/sw.cmake
set(_lanes_sw_pot /usr/share/lammps/potentials/CdTeZnSeHgS0.sw)
set(_lanes_tests gpu_lanes_host_eam_copper_zhou_forces_match_one_lane_and_cpu
                 gpu_lanes_host_eam_cual_zhou_mix_forces_match_one_lane_and_cpu
                 gpu_lanes_host_sw_silicon_forces_match_one_lane_and_cpu)
add_test(NAME gpu_lanes_host_eam_copper_zhou_forces_match_one_lane_and_cpu COMMAND test_lanes forces copper 108 eam)
add_test(NAME gpu_lanes_host_eam_cual_zhou_mix_forces_match_one_lane_and_cpu COMMAND test_lanes forces ${_lanes_cual}
                                                                                     256 eam)
add_test(NAME gpu_lanes_host_sw_silicon_forces_match_one_lane_and_cpu COMMAND test_lanes forces silicon 64 sw)
if(EXISTS /usr/share/lammps/potentials/AlCu.eam.alloy)
  add_test(NAME gpu_lanes_host_eam_cual_alcu_setfl_forces_match_one_lane_and_cpu
           COMMAND test_lanes forces ${_lanes_cual} 256 eam:file=AlCu.eam.alloy)
  list(APPEND _lanes_tests gpu_lanes_host_eam_cual_alcu_setfl_forces_match_one_lane_and_cpu)
endif()
if(EXISTS ${_lanes_sw_pot})
  add_test(NAME gpu_lanes_host_sw_alloy_6_elements_forces_match_one_lane_and_cpu
           COMMAND test_lanes forces ${_lanes_sw_alloy} 64 sw:file=${_lanes_sw_pot})
  list(APPEND _lanes_tests gpu_lanes_host_sw_alloy_6_elements_forces_match_one_lane_and_cpu)
  add_test(NAME gpu_engine_host_lanes_32_sw_alloy_6_elements
           COMMAND test_gmd host ${_lanes_sw_alloy} 64 sw:file=${_lanes_sw_pot} NVE - 200)
  set_tests_properties(gpu_engine_host_lanes_32_sw_alloy_6_elements PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=32)
  list(APPEND _lanes_tests gpu_engine_host_lanes_32_sw_alloy_6_elements)
endif()
add_test(NAME gpu_lanes_host_bad_lane_count_is_refused COMMAND test_lanes env)
add_test(NAME gpu_lanes_host_launch_beyond_cuda_grid_limit_is_refused COMMAND test_lanes grid)
set_tests_properties(gpu_lanes_host_launch_beyond_cuda_grid_limit_is_refused PROPERTIES TIMEOUT 60)
add_test(NAME gpu_engine_host_lanes_32_eam_copper_zhou_nve COMMAND test_gmd host copper 108 eam NVE - 200)
set_tests_properties(gpu_engine_host_lanes_32_eam_copper_zhou_nve PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=32)
add_test(NAME gpu_engine_host_lanes_1_eam_copper_zhou_nve COMMAND test_gmd host copper 108 eam NVE - 200)
set_tests_properties(gpu_engine_host_lanes_1_eam_copper_zhou_nve PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=1)
add_test(NAME gpu_engine_host_lanes_1_sw_silicon_nve COMMAND test_gmd host silicon 64 sw NVE - 300)
set_tests_properties(gpu_engine_host_lanes_1_sw_silicon_nve PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=1)
add_test(NAME gpu_engine_host_lanes_32_sw_silicon_nve COMMAND test_gmd host silicon 64 sw NVE - 300)
set_tests_properties(gpu_engine_host_lanes_32_sw_silicon_nve PROPERTIES ENVIRONMENT MDBENCH_GPU_LANES=32)
list(APPEND _lanes_tests gpu_lanes_host_bad_lane_count_is_refused gpu_lanes_host_launch_beyond_cuda_grid_limit_is_refused
     gpu_engine_host_lanes_32_eam_copper_zhou_nve gpu_engine_host_lanes_1_eam_copper_zhou_nve
     gpu_engine_host_lanes_1_sw_silicon_nve gpu_engine_host_lanes_32_sw_silicon_nve)
set_tests_properties(${_lanes_tests} PROPERTIES LABELS "unit;gpu-host")
