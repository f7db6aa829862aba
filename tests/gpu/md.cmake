# The GPU engine through mdb_case_run (tests/gpu/test_gpu_md.c): NVE energy
# conservation of every built-in system, NVT temperature, NPT pressure, and
# the CPU and GPU runs of one case side by side.
add_executable(test_gpu_md gpu/test_gpu_md.c)
target_compile_options(test_gpu_md PRIVATE ${MDB_WARN})
target_link_libraries(test_gpu_md PRIVATE mdbench_core)
add_test(NAME gpu_md_host_conserves_energy_and_holds_T_and_P COMMAND test_gpu_md host)
set_tests_properties(gpu_md_host_conserves_energy_and_holds_T_and_P PROPERTIES LABELS "unit;gpu-host" TIMEOUT 600)
add_test(NAME gpu_md_cuda_conserves_energy_and_holds_T_and_P COMMAND test_gpu_md cuda)
set_tests_properties(gpu_md_cuda_conserves_energy_and_holds_T_and_P PROPERTIES LABELS "gpu" SKIP_RETURN_CODE 77)
