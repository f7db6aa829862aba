# ipi calculator tests (included by tests/CMakeLists.txt): mdbench as an i-PI
# server (src/calc/ipi.c).
#   ipi_failing_clients_give_clear_errors: no client, a client that hangs up,
#     garbage headers, the wrong atom count, a stalled client -> exit 3 with a
#     message naming the problem, each within the 2 s timeout (no ASE needed)
#   ipi_matches_ase_emt: ASE's SocketClient serving EMT (examples/ase_ipi_client.py):
#     eval equals ASE's EMT, NVE conserves energy, a killed client fails the case
#     (exit 77 without ASE)
if(MDB_PEER_PYTHON)
  add_test(NAME ipi_failing_clients_give_clear_errors
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ipi_ase_check.py $<TARGET_FILE:mdbench> errors)
  set_tests_properties(ipi_failing_clients_give_clear_errors PROPERTIES LABELS "cli" TIMEOUT 120)
  add_test(NAME ipi_matches_ase_emt
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ipi_ase_check.py $<TARGET_FILE:mdbench>)
  set_tests_properties(ipi_matches_ase_emt PROPERTIES LABELS "ase;peer;slow" SKIP_RETURN_CODE 77 TIMEOUT 400
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
# ipi_wait_ends_on_a_stop_request_without_a_signal: the 0.1 s poll slices see a
#   stop that no signal announced (another thread's mdb_stop_request), while
#   waiting for a client to connect and for a stalled client's answer (< 1 s)
find_package(Threads REQUIRED)
mdb_test(ipi_wait_ends_on_a_stop_request_without_a_signal LABELS unit SOURCES test_ipi_stop.c)
target_link_libraries(ipi_wait_ends_on_a_stop_request_without_a_signal PRIVATE Threads::Threads)
set_tests_properties(ipi_wait_ends_on_a_stop_request_without_a_signal PROPERTIES TIMEOUT 120)

# ipi_stop_ends_the_wait_for_a_stalled_client: a client that connects and never
#   answers (at setup, mid-run, launched by a suite case); SIGTERM/SIGUSR1 ->
#   exit 75 within 2 s, status "interrupted", no sample of the half-done step
#   (tests/peers/ipi_stop_check.py; the default 60 s timeout is never reached)
if(MDB_PEER_PYTHON)
  add_test(NAME ipi_stop_ends_the_wait_for_a_stalled_client
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ipi_stop_check.py $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite>)
  set_tests_properties(ipi_stop_ends_the_wait_for_a_stalled_client PROPERTIES LABELS "cli" TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
if(MDB_PEER_PYTHON)
  # ipi_matches_lammps_eam: LAMMPS `fix ipi` (Cu_u3.eam) as the client: eval and a
  #   200-step NVE trajectory equal mdbench's own eam (exit 77 without lmp/fix ipi)
  add_test(NAME ipi_matches_lammps_eam
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ipi_lammps_check.py $<TARGET_FILE:mdbench>)
  set_tests_properties(ipi_matches_lammps_eam PROPERTIES LABELS "lammps;peer" SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()

# ipi:launch=COMMAND: mdbench starts and stops the client (run and suite)
if(MDB_PEER_PYTHON)
  add_test(NAME ipi_launches_and_stops_its_client
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ipi_launch_check.py $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite> ${PROJECT_SOURCE_DIR}/examples)
  set_tests_properties(ipi_launches_and_stops_its_client PROPERTIES LABELS "ase;peer;mpi" SKIP_RETURN_CODE 77
                       TIMEOUT 600 ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()
