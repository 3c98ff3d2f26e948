#!/usr/bin/env bash
# House-style checks a program can make (STYLE.md §10). Prints each problem as
# FILE:LINE: message and a closing "tidy: N passed, N failed" (one check per file).
set -uo pipefail
cd "$(dirname "$0")/.."
files=$(find src tests/unit tests/store tests/support tests/sim fuzz bench -name '*.[ch]' 2>/dev/null | sort)
problems=0; checked=0

report() { echo "$1"; problems=$((problems + 1)); }

for f in $files; do
  checked=$((checked + 1))
  before=$problems
  # Lines over 100 columns (code points, not bytes).
  while IFS= read -r hit; do report "$f:${hit%%:*}: line longer than 100 columns"; done < <(
    LC_ALL=C.UTF-8 grep -nE '^.{101,}' "$f" | cut -d: -f1)
  # Banned calls everywhere.
  while IFS= read -r hit; do report "$f:${hit%%:*}: banned call: ${hit#*:}"; done < <(
    grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|atol|gets|gmtime|localtime)[[:space:]]*\(' "$f" \
      | grep -vE 'v?snprintf|gmtime_r|localtime_r' | sed -E 's/^([0-9]+):.*\b(sprintf|strcpy|strcat|strtok|atoi|atol|gets|gmtime|localtime)\b.*/\1:\2/')
  # Bare assert (use FO_ASSERT; cmocka's assert_* in tests are fine).
  while IFS= read -r hit; do report "$f:${hit%%:*}: bare assert(), use FO_ASSERT"; done < <(
    grep -nE '(^|[^_a-zA-Z])assert[[:space:]]*\(' "$f" | cut -d: -f1)
  # TODO must name an issue: TODO(#12).
  while IFS= read -r hit; do report "$f:${hit%%:*}: TODO without an issue number"; done < <(
    grep -nE 'TODO' "$f" | grep -vE 'TODO\(#[0-9]+\)' | cut -d: -f1)
  case "$f" in
    src/core/*)
      while IFS= read -r hit; do report "$f:${hit%%:*}: float/double in src/core"; done < <(
        grep -nE '\b(float|double)\b' "$f" | cut -d: -f1)
      while IFS= read -r hit; do report "$f:${hit%%:*}: allocation in src/core"; done < <(
        grep -nE '\b(malloc|calloc|realloc|free)[[:space:]]*\(' "$f" | cut -d: -f1)
      ;;
  esac
  # Functions over 70 lines: a body opens with "{" in column 1 and closes with "}".
  if [[ "$f" == *.c ]]; then
    while IFS= read -r hit; do report "$f:$hit"; done < <(awk '
      /^\{/ { start = NR; inside = 1; next }
      /^\}/ && inside { if (NR - start - 1 > 70) print start ": function body of " (NR - start - 1) " lines (max 70)"; inside = 0 }
    ' "$f")
  fi
  : "$before"
done
failed_files=0
[[ $problems -gt 0 ]] && failed_files=1
echo "tidy: $((checked - failed_files)) passed, $failed_files failed ($problems problems in $checked files)"
[[ $problems -eq 0 ]]
