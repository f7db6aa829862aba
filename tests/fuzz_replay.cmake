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

# What fuzz_result_json found: a count too large for an integer (n_steps
# 2.2e24) was converted to int64 (undefined behaviour); it is now refused with
# one line naming the file and the key, exit 2.
add_test(NAME analyze_refuses_counts_that_are_not_integers
         COMMAND bash -c "out=$($<TARGET_FILE:mdbench> analyze \"$1\" 2>&1); rc=$?; echo \"$out\"; \
[[ $rc -eq 2 && $(printf '%s\\n' \"$out\" | wc -l) -eq 1 && $out == *'metadata.n_steps = 2.22222e+24 is not an integer'* ]]"
         bash ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/result_json/regress-n_steps-out-of-int64-range.json)
set_tests_properties(analyze_refuses_counts_that_are_not_integers PROPERTIES LABELS "cli;fuzz")
