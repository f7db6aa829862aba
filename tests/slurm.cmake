# Slurm: mdbench-suite --submit slurm, the job-script templates in
# jobscripts/, and the clean stop on a signal (docs/slurm.md). Included by
# tests/CMakeLists.txt.
#   cli:   submit_cli.sh — bad submit options (exit 2, one line naming the
#          valid choices, nothing created), every template filled completely
#          by --dry-run and by hand, sbatch missing / failing / a stand-in,
#          and SIGTERM / SIGUSR1 (through mpirun) stopping a run with exit 75
#          and the line that says how to finish it. Needs no Slurm.
#   slurm: slurm_jobs.sh — a real one-node Slurm on this machine (munged,
#          slurmctld, slurmd from Debian's slurm-wlm and munge; installed by
#          scripts/deps.sh --test), started in a temporary directory and
#          stopped at the end whatever happens: the quick suite submitted
#          through the project's submit path, a 1-minute time limit that
#          stops a run cleanly before the limit and a --resume that finishes
#          it, and a job that requeues itself. Skipped (77), saying why, when
#          the daemons cannot start or h5py is missing. About 2-3 minutes.
# Open MPI leaks by design at exit: LeakSanitizer stays off for these MPI
# programs under MDBENCH_SANITIZE (the rest of ASan/UBSan stays on).
find_program(MDB_SLURM_MPIRUN NAMES mpirun mpiexec)
set(MDB_SLURM_PYTHON ${MDB_PEER_PYTHON})
if(NOT MDB_SLURM_PYTHON)
  set(MDB_SLURM_PYTHON /usr/bin/python3) # the test skips when it cannot import h5py
endif()

if(MDB_SLURM_MPIRUN)
  add_test(NAME suite_submit_options_and_clean_stop_on_signals
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/submit_cli.sh $<TARGET_FILE:mdbench-suite>
                   ${PROJECT_SOURCE_DIR})
  set_tests_properties(suite_submit_options_and_clean_stop_on_signals PROPERTIES LABELS "cli;mpi" TIMEOUT 180
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")

  add_test(NAME slurm_jobs_complete_stop_before_the_limit_requeue_and_resume
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/slurm_jobs.sh $<TARGET_FILE:mdbench-suite>
                   $<TARGET_FILE:mdbench> ${MDB_SLURM_PYTHON} ${PROJECT_SOURCE_DIR})
  set_tests_properties(slurm_jobs_complete_stop_before_the_limit_requeue_and_resume PROPERTIES
                       LABELS "slurm;mpi;h5py" TIMEOUT 300 RUN_SERIAL TRUE SKIP_RETURN_CODE 77
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endif()

# the templates read summary.jsonc when the launcher exits 0 after a stop
# (MPICH's Hydra before 4.2.3 may): a stand-in srun, no Slurm needed
add_test(NAME jobscripts_stop_is_75_when_the_launcher_says_0
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/launcher_exit0.sh $<TARGET_FILE:mdbench-suite>
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(jobscripts_stop_is_75_when_the_launcher_says_0 PROPERTIES LABELS "cli;slurm" TIMEOUT 180
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
