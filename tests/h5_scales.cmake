# Dimension scales (src/io/h5_results.c: thermo/step, timed_step,
# memory/step, shadow/step; time_fs as a "coordinates" attribute) in a
# suite's merged results.h5, a per-case file and compare's shadow-mode file:
# h5py checks DIMENSION_LIST/REFERENCE_LIST; the xarray test opens them
# through h5netcdf (skipped, 77, when xarray or h5netcdf is not importable;
# MDB_XARRAY_PYTHON picks another interpreter that has them).
find_program(MDB_SCALES_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
set(MDB_XARRAY_PYTHON "${MDB_SCALES_PYTHON3}" CACHE FILEPATH "python3 with xarray and h5netcdf for the xarray test")
if(MDB_SCALES_PYTHON3)
  add_test(NAME h5_step_and_time_are_dimension_scales_of_the_per_step_arrays
           COMMAND ${MDB_SCALES_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/h5/scales_check.py $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite>)
  set_tests_properties(h5_step_and_time_are_dimension_scales_of_the_per_step_arrays PROPERTIES
                       LABELS "h5py;cli" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
if(MDB_XARRAY_PYTHON)
  add_test(NAME xarray_opens_results_with_step_and_time_coordinates
           COMMAND ${MDB_XARRAY_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/h5/scales_check.py $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite> xarray)
  set_tests_properties(xarray_opens_results_with_step_and_time_coordinates PROPERTIES
                       LABELS "h5py;cli" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
