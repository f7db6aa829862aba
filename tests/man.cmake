# Man pages (scripts/help2roff.sh) render without a groff warning and hold
# every subcommand's options; the bash completion completes subcommands,
# flags and names (tests/man/completion_check.sh).
if(TARGET manpages)
  set(script [=[
set -u
man_dir=$1
command -v groff >/dev/null || { echo "no groff: skipped"; exit 77; }
for page in mdbench mdbench-suite; do
  f=$man_dir/$page.1
  [[ -s $f ]] || { echo "FAIL: no $f"; exit 1; }
  warn=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
  [[ -z $warn ]] || { echo "FAIL: groff warns on $page.1: $warn"; exit 1; }
  if command -v man >/dev/null; then
    out=$(MANWIDTH=100 man --warnings -l "$f" 2>"$man_dir/$page.err")
    [[ ! -s $man_dir/$page.err ]] || { echo "FAIL: man -l warns on $page.1:"; cat "$man_dir/$page.err"; exit 1; }
  else
    out=$(groff -man -Tutf8 "$f")
  fi
  echo "$out" | grep -q "^NAME" || { echo "FAIL: $page.1 has no NAME"; exit 1; }
  echo "$out" | grep -q -- "--quiet" || { echo "FAIL: $page.1 does not list --quiet"; exit 1; }
  echo "$page.1: renders without warnings, $(echo "$out" | wc -l) lines"
done
out=$(MANWIDTH=100 man -l "$man_dir/mdbench.1" 2>/dev/null || groff -man -Tutf8 "$man_dir/mdbench.1")
for sub in run eval compare analyze regress; do
  echo "$out" | grep -q "^mdbench $sub" || { echo "FAIL: mdbench.1 has no section for $sub"; exit 1; }
done
echo "$out" | grep -q -- "--calculators" || { echo "FAIL: mdbench.1 lacks compare's --calculators"; exit 1; }
echo "$out" | grep -q "lattice constant of a built-in lattice (Å)" || { echo "FAIL: Å not rendered"; exit 1; }
echo "man pages ok"
]=])
  add_test(NAME man_pages_render_without_warnings_and_list_every_subcommand
           COMMAND bash -c "${script}" man_check ${CMAKE_BINARY_DIR}/man)
  set_tests_properties(man_pages_render_without_warnings_and_list_every_subcommand PROPERTIES
                       LABELS "cli" SKIP_RETURN_CODE 77)
endif()
add_test(NAME bash_completion_completes_subcommands_flags_and_names
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/man/completion_check.sh
                 ${PROJECT_SOURCE_DIR}/scripts/completion/mdbench.bash $<TARGET_FILE_DIR:mdbench>)
set_tests_properties(bash_completion_completes_subcommands_flags_and_names PROPERTIES LABELS "cli"
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
