# The case runner's engine interface and the device binding, on the host
# backend (tests/gpu/test_engine.c).
add_executable(test_engine gpu/test_engine.c)
target_compile_options(test_engine PRIVATE ${MDB_WARN})
target_link_libraries(test_engine PRIVATE mdbench_core)
add_test(NAME gpu_case_runs_on_the_device_binding_it_is_given COMMAND test_engine binding)
add_test(NAME gpu_cuda_accepts_exactly_the_calculators_whose_ops_have_a_gpu_half COMMAND test_engine lookup)
add_test(NAME gpu_engine_and_cpu_engine_give_the_same_samples_nve_nvt COMMAND test_engine same)
set_tests_properties(gpu_case_runs_on_the_device_binding_it_is_given
                     gpu_cuda_accepts_exactly_the_calculators_whose_ops_have_a_gpu_half
                     gpu_engine_and_cpu_engine_give_the_same_samples_nve_nvt PROPERTIES LABELS "unit;gpu-host")
