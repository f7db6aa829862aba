# ML force fields through the ase calculator (src/calc/ase.c, python/mdbench_ase_worker.py):
# mdbench starts its own Python worker; Debian's ASE belongs to /usr/bin/python3, so
# every spec passes python=/usr/bin/python3. Exit 77 without ASE.
#   ase_emt_matches_ase_energy_forces_virial: Cu 108 and a Cu/Al extended-XYZ alloy, 1e-10 relative
#   ase_emt_nve_1000_steps_conserves_energy: max |E - E0|/N <= 5e-5 eV/atom
#   ase_startup_errors_exit_2_one_line: bad module/callable/keyword/constructor/python -> exit 2,
#     one line naming module and interpreter; an exception at step 5 -> exit 1, failed at step 5
if(MDB_PEER_PYTHON)
  add_test(NAME ase_emt_matches_ase_energy_forces_virial
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> emt)
  add_test(NAME ase_emt_nve_1000_steps_conserves_energy
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> nve)
  add_test(NAME ase_startup_errors_exit_2_one_line
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> errors)
  set_tests_properties(ase_emt_matches_ase_energy_forces_virial ase_startup_errors_exit_2_one_line
                       PROPERTIES LABELS "ase;peer;cli" SKIP_RETURN_CODE 77 TIMEOUT 300)
  set_tests_properties(ase_emt_nve_1000_steps_conserves_energy PROPERTIES LABELS "ase;peer;slow"
                       SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
#   ase_model_ms_matches_a_40ms_sleep: a calculator busy 40 ms per call (recording its own duration):
#     model_ms median within 5 % of its own, never below it; model <= client wait <= step every step;
#     the split's median equals the raw array's; provenance: python version, ase version, SHA-256 of model=
#   ase_model_leak_sets_flag_own_memory_flat: 2 MB kept per call -> model grew ~80 MiB in 40 steps
#     (within 15 %), leak flag set from the model, mdbench's own flag clear (< 2 MiB)
#   ase_tether_conserves_energy_across_rebuilds: a non-periodic harmonic tether with skin 0.1 Å
#     (>= 10 rebuilds, atoms wrap): max |E - E0|/N <= 1e-4 eV/atom (wrapped positions: blow-up)
if(MDB_PEER_PYTHON)
  foreach(t model_time:ase_model_ms_matches_a_40ms_sleep leak:ase_model_leak_sets_flag_own_memory_flat
            tether:ase_tether_conserves_energy_across_rebuilds)
    string(REPLACE ":" ";" parts ${t})
    list(GET parts 0 mode)
    list(GET parts 1 name)
    add_test(NAME ${name}
             COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> ${mode})
    set_tests_properties(${name} PROPERTIES LABELS "ase;peer" SKIP_RETURN_CODE 77 TIMEOUT 300)
  endforeach()
endif()

# calculator_labels_name_cases_and_files: label=NAME on any spec names the JSON result, compare's
#   files and table rows and the suite's case ids (full spec kept in metadata); a bad label and an
#   unclosed quote exit 2; a quoted launch command keeps its comma; suite numbers print as written
#   (timeout-300, rc-8.5); compare speedups have 3 significant digits; shadow mode's headline energy
#   error is offset-removed (max |dE - mean dE| recomputed from the raw array to 1e-12)
if(MDB_PEER_PYTHON)
  add_test(NAME calculator_labels_name_cases_and_files
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/ml/labels_check.py $<TARGET_FILE:mdbench>
                   $<TARGET_FILE:mdbench-suite>)
  set_tests_properties(calculator_labels_name_cases_and_files PROPERTIES LABELS "cli" TIMEOUT 300)
endif()

# ase_suite_two_models_two_systems_mpi: mdbench-suite under mpirun -n 2, two ase calculators (labels,
#   threads 1 and 2) x copper/argon: 4 cases named by label, each with 30 model_ms values, model memory and
#   the worker's own OMP_NUM_THREADS in its JSON, and model/ (model_ms, info, memory) in results.h5;
#   the report (with matplotlib) lists the 4 model processes' memory and time
if(MDB_PEER_PYTHON AND MDB_MPIRUN)
  add_test(NAME ase_suite_two_models_two_systems_mpi
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> suite
                   $<TARGET_FILE:mdbench-suite> ${MDB_MPIRUN})
  set_tests_properties(ase_suite_two_models_two_systems_mpi PROPERTIES LABELS "ase;peer;mpi" SKIP_RETURN_CODE 77
                       TIMEOUT 600)
endif()

# ase_chgnet_silicon_64_runs: optional, a universal model with its weights on PyPI (CHGNet) on silicon 64
#   for 100 NVE steps: status ok, 100 model_ms values, torch in the provenance, max |E - E0|/N <= 1e-2
#   eV/atom (float32 model); exit 77 when $MDB_ML_PYTHON (default /usr/bin/python3) cannot import chgnet
if(MDB_PEER_PYTHON)
  add_test(NAME ase_chgnet_silicon_64_runs
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/ase_calc_check.py $<TARGET_FILE:mdbench> chgnet)
  set_tests_properties(ase_chgnet_silicon_64_runs PROPERTIES LABELS "ase;peer;slow" SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()

# ase_model_gpu_memory_per_process_and_namespaces: a stand-in nvidia-smi (tests/ml/gpu_memory_check.sh):
#   the worker at 512 MiB -> gpu_peak_gb 0.536870912 (1e-12); a stranger's PID only -> 0; the same in a
#   PID namespace -> null naming it; nvidia-smi failing after 2 samples -> the peak before stays; no
#   nvidia-smi -> null
if(MDB_PEER_PYTHON)
  add_test(NAME ase_model_gpu_memory_per_process_and_namespaces
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/ml/gpu_memory_check.sh $<TARGET_FILE:mdbench> ${MDB_PEER_PYTHON})
  set_tests_properties(ase_model_gpu_memory_per_process_and_namespaces PROPERTIES LABELS "ase;cli" SKIP_RETURN_CODE 77
                       TIMEOUT 300)
endif()
