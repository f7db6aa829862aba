#!/usr/bin/env bash
# help2roff.sh — a man page (roff, man macros) from a program's --help, at
# build time (help2man is not needed): the program's --help is DESCRIPTION
# and each subcommand's --help its own section, as preformatted text with
# roff's special characters escaped and non-ASCII as \[uXXXX].
#   usage: help2roff.sh PROGRAM NAME VERSION "ONE-LINE SUMMARY" OUT.1 [SUBCOMMAND...]
# A subcommand whose --help exits non-zero is left out (so the page follows
# what the program offers).
set -euo pipefail
prog=$1 name=$2 version=$3 summary=$4 out=$5
shift 5

esc() { # roff-escape stdin: backslash, leading . and ', minus signs, non-ASCII
  perl -CSD -pe 's/\\/\\e/g; s/-/\\-/g; s/^([.\x27])/\\&$1/; s/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge'
}
section() { # .SH title, then stdin preformatted
  printf '.SH %s\n.nf\n' "$1"
  esc
  printf '.fi\n'
}

upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  printf '.TH %s 1 "" "%s %s" "User Commands"\n' "$upper" "$name" "$version"
  printf '.SH NAME\n%s \\- %s\n' "$(printf '%s' "$name" | esc)" "$(printf '%s' "$summary" | esc)"
  "$prog" --help | grep -E '^ *(usage:|\[?mpirun|mdbench)' | sed -E 's/^ *usage: *//; s/^ +//; s/ {3,}.*$//' | section SYNOPSIS
  "$prog" --help | section DESCRIPTION
  for sub in "$@"; do
    if help=$("$prog" "$sub" --help 2>/dev/null); then
      printf '%s\n' "$help" | section "\"$name $sub\""
    fi
  done
  cat <<'ROFF'
.SH ENVIRONMENT
.TP
.B MDBENCH_SUITES
where suite names are looked up (mdbench\-suite), before the installed share/mdbench/suites
.TP
.B MDBENCH_PROGRESS_S
seconds between progress lines of mdbench run and compare (default 0.25 on a terminal, 10 otherwise)
.SH FILES
.TP
.I PREFIX/share/mdbench/suites
the shipped suites and their format (README.md)
.TP
.I PREFIX/share/doc/mdbench/docs
the documentation the output names, e.g. docs/hdf5\-layout.md (the results file)
.SH SEE ALSO
.BR mdbench (1),
.BR mdbench\-suite (1),
.BR mpirun (1)
ROFF
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
