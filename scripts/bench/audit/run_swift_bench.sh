#!/usr/bin/env bash
# Swift half of the audit benchmarks: the same jobs as run_python_bench.sh, on the same files.
#
#   scripts/bench/audit/run_swift_bench.sh [runs]
#
# Builds the release binaries, then times
#   * whole `biaskit audit` processes (/usr/bin/time: wall seconds and peak RSS), the number to
#     put beside a Python process that loads pandas, reads the CSV and runs MetricFrame;
#   * in-process calls with `biaskit-bench` (read + audit, and the bootstrap).
# Env: BENCH_DATA (default /work/anchors-data, files made by ../shared/anchors/gen_audit_data.py),
#      OUT (default scripts/bench/audit/results).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
export BENCH_DATA="${BENCH_DATA:-/work/anchors-data}"
OUT="${OUT:-$ROOT/scripts/bench/audit/results}"
RUNS="${1:-5}"
mkdir -p "$OUT"
cd "$ROOT"
swift build -c release --product biaskit >/dev/null
swift build -c release --product biaskit-bench >/dev/null
BIN="$ROOT/.build/release"
METRICS=accuracy,selection_rate,true_positive_rate,false_positive_rate,precision,recall,balanced_accuracy,count,roc_auc

process() {  # process LABEL ARGS...
  local label="$1"; shift
  for _ in $(seq "$RUNS"); do
    local up; up="$(uptime | sed 's/.*load average: //')"
    /usr/bin/time -f "%e %M %U %S" -o /tmp/biaskit-time.txt "$BIN/biaskit" "$@" >/dev/null
    read -r wall rss user sys </tmp/biaskit-time.txt
    echo "{\"step\": \"$label\", \"wall_s\": $wall, \"cpu_s\": $(awk "BEGIN{print $user + $sys}"), \"max_rss_mb\": $((rss / 1024)), \"load\": \"$up\"}" | tee -a "$OUT/swift-process.jsonl"
  done
}

process audit-1m audit "$BENCH_DATA/audit_1m.csv" --y-score y_score --sensitive sens_a,sens_b --metrics "$METRICS" --format json
process audit-10m audit "$BENCH_DATA/audit_10m.csv" --y-score y_score --sensitive sens_a,sens_b --metrics "$METRICS" --format json
process audit-1m-default audit "$BENCH_DATA/audit_1m.csv" --y-score y_score --sensitive sens_a,sens_b --format json
process bootstrap-1m-1000 audit "$BENCH_DATA/audit_1m.csv" --sensitive sens_a,sens_b \
  --metrics accuracy,selection_rate,true_positive_rate,false_positive_rate --bootstrap 1000 --seed 12345 --format json
process bootstrap-100k-100 audit "$BENCH_DATA/audit_100k.csv" --sensitive sens_a,sens_b \
  --metrics accuracy,selection_rate,true_positive_rate,false_positive_rate --bootstrap 100 --seed 12345 --format json
process adult-default audit Examples/adult-predictions.csv --y-score y_score --sensitive sex,race --format json

"$BIN/biaskit-bench" audit-scale --rows 1000000 --runs "$RUNS" | tee -a "$OUT/swift-call.jsonl"
"$BIN/biaskit-bench" audit-scale --rows 10000000 --runs 3 | tee -a "$OUT/swift-call.jsonl"
"$BIN/biaskit-bench" bootstrap --rows 1000000 --n-boot 1000 --runs "$RUNS" | tee -a "$OUT/swift-call.jsonl"
"$BIN/biaskit-bench" audit-adult --runs 20 | tee -a "$OUT/swift-call.jsonl"
