# GPU-engine tests of spcfw (tests/gpu/test_gmd.c): mdb_gmd_test(NAME SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS [mixed])
mdb_gmd_test(spcfw_water_nve water 96 spcfw NVE - 300)
mdb_gmd_test(spcfw_water_375_nve water 375 spcfw NVE - 200)
mdb_gmd_test(spcfw_water_npt water 96 spcfw NPT nhc 200)
