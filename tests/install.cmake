# cmake --install: a prefix that works without the source tree, even moved
# (tests/install/install_check.sh): quick suite under mpirun, a suite found
# beside the moved binary, a report from the pip-installed analysis package,
# a case with the installed example plugin, the docs the output names.
find_program(MDB_INSTALL_MPIRUN NAMES mpirun mpiexec)
find_program(MDB_INSTALL_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(MDB_INSTALL_MPIRUN AND MDB_INSTALL_PYTHON3)
  add_test(NAME installed_prefix_works_after_being_moved
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/install_check.sh ${CMAKE_BINARY_DIR}
                   ${MDB_INSTALL_MPIRUN} ${MDB_INSTALL_PYTHON3})
  set_tests_properties(installed_prefix_works_after_being_moved PROPERTIES
                       LABELS "cli;mpi;install" TIMEOUT 600 SKIP_RETURN_CODE 77
                       ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl=self,vader;OMPI_MCA_btl_base_warn_component_unused=0;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
