# Man pages generated at build time from the programs' --help
# (scripts/help2roff.sh: bash and perl, no help2man), and the bash completion
# (scripts/completion/mdbench.bash); both installed.
find_program(MDB_PERL perl)
find_program(MDB_BASH bash)
if(MDB_PERL AND MDB_BASH)
  set(MDB_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(MDB_HELP2ROFF ${PROJECT_SOURCE_DIR}/scripts/help2roff.sh)
  add_custom_command(OUTPUT ${MDB_MAN_DIR}/mdbench.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MDB_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${MDB_BASH} ${MDB_HELP2ROFF} $<TARGET_FILE:mdbench> mdbench ${PROJECT_VERSION}
            "MD force-field trajectory benchmarks: run, eval, compare, analyze, regress"
            ${MDB_MAN_DIR}/mdbench.1 run eval compare analyze regress list
    DEPENDS mdbench ${MDB_HELP2ROFF} VERBATIM)
  add_custom_command(OUTPUT ${MDB_MAN_DIR}/mdbench-suite.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MDB_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${MDB_BASH} ${MDB_HELP2ROFF} $<TARGET_FILE:mdbench-suite> mdbench-suite ${PROJECT_VERSION}
            "run a benchmark suite of MD cases over MPI ranks, or submit it to Slurm"
            ${MDB_MAN_DIR}/mdbench-suite.1
    DEPENDS mdbench-suite ${MDB_HELP2ROFF} VERBATIM)
  add_custom_target(manpages ALL DEPENDS ${MDB_MAN_DIR}/mdbench.1 ${MDB_MAN_DIR}/mdbench-suite.1)
  install(FILES ${MDB_MAN_DIR}/mdbench.1 ${MDB_MAN_DIR}/mdbench-suite.1 DESTINATION share/man/man1)
else()
  message(STATUS "mdbench: no perl or bash: man pages not generated")
endif()
# bash-completion loads completions/NAME for the command NAME: one file, twice
install(FILES scripts/completion/mdbench.bash DESTINATION share/bash-completion/completions RENAME mdbench)
install(FILES scripts/completion/mdbench.bash DESTINATION share/bash-completion/completions RENAME mdbench-suite)
