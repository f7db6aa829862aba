# The fuzz targets' seed corpora (tests/fuzz/corpus/<target>, regress-* inputs
# of fixed bugs included) replayed without libFuzzer, in every build
# (tests/fuzz/replay.c; docs/fuzzing.md). libFuzzer itself runs in scripts/fuzz.sh.
#   fuzz_corpus_<target>_reads_cleanly: every input returns (no crash; under
#     the sanitizer build no ASan/UBSan report)
foreach(t xyz eam sw spec suite result_json h5_results ipi)
  add_executable(replay_${t} fuzz/replay.c fuzz/fuzz_${t}.c)
  target_compile_options(replay_${t} PRIVATE ${MDB_WARN})
  target_link_libraries(replay_${t} PRIVATE mdbench_core)
  add_test(NAME fuzz_corpus_${t}_reads_cleanly COMMAND replay_${t} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${t})
  set_tests_properties(fuzz_corpus_${t}_reads_cleanly PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
endforeach()
