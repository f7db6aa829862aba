#!/usr/bin/env bash
# Every relative link in the repository's Markdown names a file inside the
# repository that exists (a clone or an install has nothing beside it), and
# no table is cut in two by a blank line (a row after the blank renders as
# a paragraph of pipes).
# usage: docs_links.sh SOURCE_DIR
set -u
SRC=$(cd "$1" && pwd)
fail=0 n=0
while IFS= read -r md; do
  dir=$(dirname "$md")
  while IFS= read -r target; do
    n=$((n + 1))
    t=${target%%#*}
    [[ -z $t ]] && continue
    real=$(realpath -m "$dir/$t")
    if [[ $real != "$SRC"/* ]]; then echo "FAIL: ${md#$SRC/} links $target, outside the repository" >&2; fail=1
    elif [[ ! -e $real ]]; then echo "FAIL: ${md#$SRC/} links $target, which does not exist" >&2; fail=1; fi
  done < <(grep -o '\](\([^)h#][^)]*\))' "$md" | sed 's/^](\(.*\))$/\1/' | grep -v '^mailto:')
  # a table row, a blank line, a table row
  if awk 'prev2 ~ /^\|/ && prev == "" && $0 ~ /^\|/ {found = 1} {prev2 = prev; prev = $0} END {exit !found}' "$md"; then
    echo "FAIL: ${md#$SRC/} has a table split by a blank line" >&2; fail=1
  fi
  if grep -q '\.\./shared/' "$md"; then echo "FAIL: ${md#$SRC/} names ../shared/, outside the repository" >&2; fail=1; fi
done < <(find "$SRC" -name '*.md' -not -path '*/build*' -not -path '*/.git/*' -not -path '*/node_modules/*')
echo "docs_links: $n relative links checked"
exit $fail
