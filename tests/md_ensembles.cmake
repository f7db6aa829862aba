# Ensembles (src/md): NVT with Nosé–Hoover chains and Langevin BAOAB, NPT
# with the isotropic MTK barostat, their conserved quantities, the
# neighbour-list rule for a changing cell, bad ensemble settings, and the
# cross-check of the NPT lattice constant and the virial pressure against
# LAMMPS. test_nvt and test_npt take the case as their argument; cases that
# need Debian's lammps-data potential files exit 77 (skipped) without them.
foreach(prog nvt npt)
  add_executable(test_${prog} test_${prog}.c)
  target_compile_options(test_${prog} PRIVATE ${MDB_WARN})
  target_link_libraries(test_${prog} PRIVATE mdbench_core)
endforeach()

# These runs are long statistical samples: about 25 s each in Release and
# about 12 times that under ASan + UBSan, so the sanitizer build allows more.
if(MDBENCH_SANITIZE)
  set(MDB_ENSEMBLE_TIMEOUT 900)
else()
  set(MDB_ENSEMBLE_TIMEOUT 300)
endif()
function(mdb_ensemble_test name prog arg)
  add_test(NAME ${name} COMMAND ${prog} ${arg})
  set_tests_properties(${name} PROPERTIES LABELS "unit" SKIP_RETURN_CODE 77 TIMEOUT ${MDB_ENSEMBLE_TIMEOUT})
endfunction()

mdb_ensemble_test(nvt_nhc_argon_is_canonical_and_conserves_extended_energy test_nvt argon-nhc)
mdb_ensemble_test(nvt_langevin_argon_is_canonical_and_conserves_energy_minus_heat test_nvt argon-langevin)
mdb_ensemble_test(nvt_nhc_copper_eam_is_canonical_and_conserves_extended_energy test_nvt copper-nhc)
mdb_ensemble_test(nvt_langevin_copper_eam_is_canonical_and_conserves_energy_minus_heat test_nvt copper-langevin)
mdb_ensemble_test(langevin_same_seed_gives_identical_trajectories test_nvt langevin-repeats)
mdb_ensemble_test(nhc_chain_conserves_its_energy_and_reverses test_nvt nhc-chain)
mdb_ensemble_test(npt_copper_eam_reaches_target_pressure_and_conserves_extended_energy test_npt copper-eam)
mdb_ensemble_test(npt_copper_lj_reaches_10kbar_and_conserves_extended_energy test_npt copper-lj)
mdb_ensemble_test(neighbor_list_survives_cell_changes_within_the_strain_bound test_npt neigh-strain)
mdb_ensemble_test(bad_ensemble_settings_give_clear_errors test_npt errors)

if(MDB_PEER_PYTHON)
  add_test(NAME npt_lattice_and_virial_pressure_match_lammps
           COMMAND ${MDB_PEER_PYTHON} ${PROJECT_SOURCE_DIR}/tests/peers/npt_vs_lammps.py $<TARGET_FILE:mdbench>)
  set_tests_properties(npt_lattice_and_virial_pressure_match_lammps PROPERTIES LABELS "lammps;peer"
                       SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
