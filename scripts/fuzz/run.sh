#!/bin/sh
# Runs one fuzz target: scripts/fuzz/run.sh <target> [seconds] [extra libFuzzer flags…]
# Targets: csv audit npy embedding state wordsets. Crashes land in $OUT/crashes/<target>/.
set -eu
OUT=${OUT:-/work/fuzz-build}
TARGET=$1
SECONDS_=${2:-240}
shift; [ $# -gt 0 ] && shift
mkdir -p "$OUT/corpus/$TARGET" "$OUT/crashes/$TARGET"
# SWIFT_BACKTRACE=enable=no: the Swift runtime's crash handler would otherwise fight ASan's.
# -fork=1 with -ignore_*: keep fuzzing after a finding, saving each one.
SWIFT_BACKTRACE=enable=no BIASKIT_FUZZ_TARGET=$TARGET ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
  "$OUT/biaskit-fuzz" -max_total_time="$SECONDS_" -rss_limit_mb=4096 -malloc_limit_mb=2048 \
  -timeout=10 -max_len=4096 -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -artifact_prefix="$OUT/crashes/$TARGET/" "$@" "$OUT/corpus/$TARGET"
