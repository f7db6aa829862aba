# Runs GEN and compares its output with the file WANT, byte for byte.
execute_process(COMMAND ${GEN} OUTPUT_VARIABLE got RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${GEN} exited ${rc}")
endif()
file(READ ${WANT} want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "${WANT} differs from the C metrics table (src/io/metrics.def): regenerate it with\n"
                      "  ${GEN} > ${WANT}")
endif()
message(STATUS "${WANT} matches the C table")
