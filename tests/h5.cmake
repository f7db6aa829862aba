# The HDF5 results file (src/io/h5_results.c, docs/hdf5-layout.md). Included
# by tests/CMakeLists.txt.
#   unit: test_h5 runs tiny real cases (NVE, NVT, NPT, a 5000-step run, two
#         blow-ups, one that cannot run),
#         writes them, reads them back with the readers and the raw HDF5 API
#         (every attribute, length, dtype, unit; arrays bit for bit), and
#         checks the failure paths. It keeps its file for the peer check.
#   peer: h5_layout_check.py opens that file with h5py and checks the
#         public layout exactly, then `h5dump -H` where hdf5-tools is
#         installed. Skipped (77) without h5py.
# Under MDBENCH_SANITIZE test_h5 runs with LeakSanitizer on and needs no
# suppressions: it never initialises MPI, and HDF5 frees what it holds at exit.
set(MDB_H5_TEST_FILE ${CMAKE_CURRENT_BINARY_DIR}/h5_layout_test.h5)

add_executable(test_h5 test_h5.c)
target_compile_options(test_h5 PRIVATE ${MDB_WARN})
target_link_libraries(test_h5 PRIVATE mdbench_core)
add_test(NAME h5_results_roundtrip_bit_for_bit COMMAND test_h5 ${MDB_H5_TEST_FILE})
set_tests_properties(h5_results_roundtrip_bit_for_bit PROPERTIES
                     LABELS unit FIXTURES_SETUP mdb_h5_file TIMEOUT 120)

if(MDB_PEER_PYTHON)
  add_test(NAME h5_layout_matches_the_documented_contract
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/h5_layout_check.py ${MDB_H5_TEST_FILE})
  set_tests_properties(h5_layout_matches_the_documented_contract PROPERTIES
                       LABELS "h5py;peer" FIXTURES_REQUIRED mdb_h5_file SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()

# Hostile attributes in well-formed files (io/h5_attr.c): analyze and regress
# answer each with one line and exit 2 (tests/h5_hostile.sh crafts them with h5py).
if(MDB_PEER_PYTHON)
  add_test(NAME h5_hostile_attributes_give_one_line_and_exit_2
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/h5_hostile.sh $<TARGET_FILE:mdbench> ${MDB_PEER_PYTHON}
                   ${PROJECT_SOURCE_DIR})
  set_tests_properties(h5_hostile_attributes_give_one_line_and_exit_2 PROPERTIES
                       LABELS "cli;h5py" SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()
