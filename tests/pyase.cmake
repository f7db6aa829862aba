# The in-process ASE plugin (plugins/pyase/pyase.c, libmdbench_pyase.so), run with the Python it
# embeds; exit 77 when the plugin was not built (no Python development files) or that Python
# cannot import numpy and ASE (tests/ml/pyase_check.py):
#   pyase_emt_equals_ase_worker_and_ase: `mdbench eval`, rattled Cu 108 and Cu/Al 108: energy,
#     forces and virial equal the ase: worker's to 1e-9 (eV, eV/Å, eV), ASE's own EMT to 1e-10 relative
#   pyase_emt_nve_conserves_energy: copper 32, 300 NVE steps: max |E - E0|/N <= 5e-5 eV/atom (the
#     ase: EMT bound), step-0 energy = ASE's to 1e-10; model time (plugin ABI 3): raw.model_ms 300 values,
#     each 0 < model <= step and <= the plugin call (raw.client_wait_ms), split median = raw median
#   pyase_bad_module_callable_exit_2_one_line: bad module, bad callable, python=/bin/false, timeout=:
#     exit 2, one line naming it, no result; an exception at call 6: exit 1, failed at step 5
#   pyase_tether_conserves_energy_across_rebuilds: a non-periodic tether, skin 0.1 Å (>= 10 rebuilds,
#     atoms wrap), 400 steps: max |E - E0|/N <= 1e-4 eV/atom (the model sees continuous positions)
# Python keeps its memory to the end of the process by design: LeakSanitizer is off for these.
foreach(t match:pyase_emt_equals_ase_worker_and_ase nve:pyase_emt_nve_conserves_energy
          errors:pyase_bad_module_callable_exit_2_one_line tether:pyase_tether_conserves_energy_across_rebuilds)
  string(REPLACE ":" ";" parts ${t})
  list(GET parts 0 mode)
  list(GET parts 1 name)
  if(MDB_PYASE_PLUGIN)
    add_test(NAME ${name}
             COMMAND ${MDB_PYASE_PYTHON} ${PROJECT_SOURCE_DIR}/tests/ml/pyase_check.py $<TARGET_FILE:mdbench>
                     ${MDB_PYASE_PLUGIN} ${mode})
  else()
    add_test(NAME ${name} COMMAND sh -c "echo 'SKIP: libmdbench_pyase.so not built (no Python 3 development files)'; exit 77")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "ase;plugin;cli" SKIP_RETURN_CODE 77 TIMEOUT 600
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
endforeach()
