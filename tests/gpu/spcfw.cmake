# GPU-engine tests of spcfw (tests/gpu/test_gmd.c): mdb_gmd_test(NAME SYSTEM ATOMS CALC PROTOCOL THERMOSTAT STEPS [mixed])
