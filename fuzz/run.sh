#!/usr/bin/env sh
# Fuzz load → check → render with seeds from golden/*/plan.*; extra arguments go to libFuzzer.
# usage: fuzz/run.sh [-max_total_time=600] ...     (stable toolchain: RUSTC_BOOTSTRAP=1 is set)
set -eu
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/plan
# Every case's plan is named plan.*: the seed keeps the case's name.
for plan in golden/*/plan.*; do
  case_name=$(basename "$(dirname "$plan")")
  cp "$plan" "fuzz/corpus/plan/$case_name-$(basename "$plan")"
done
RUSTC_BOOTSTRAP=1 exec cargo fuzz run plan fuzz/corpus/plan -- -timeout=10 -rss_limit_mb=2048 "$@"
