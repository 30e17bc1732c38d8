#!/usr/bin/env bash
# Side-by-side timings of the mitigation jobs: BiasKit (release) and the anchors' Python scripts.
# Usage (from the package root):  scripts/bench/mitigation/run_side_by_side.sh [OUT_DIR]
# Needs ../shared (anchors, fixtures) and a venv with fairlearn 0.15 / aif360 0.6.1 / sklearn 1.9.1
# ($PY, default /work/venv/bin/python). Writes JSON lines to OUT_DIR (default /tmp/mitigation-bench).
set -euo pipefail
OUT=${1:-/tmp/mitigation-bench}
PY=${PY:-/work/venv/bin/python}
SHARED=${SHARED:-$(cd ../shared && pwd)}
mkdir -p "$OUT"
swift build -c release --product biaskit-bench >/dev/null
BENCH=$(swift build -c release --show-bin-path)/biaskit-bench
run_swift() { "$BENCH" "$@" --shared "$SHARED" >> "$OUT/biaskit.jsonl"; }
run_swift lr-fit-adult --runs 5
run_swift expgrad-adult --constraint dp --runs 3
run_swift expgrad-adult --constraint eo --runs 3
run_swift threshold-adult --constraint demographic_parity --runs 5
run_swift threshold-adult --constraint equalized_odds --runs 5
run_swift threshold-adult --constraint demographic_parity --tol 0.05 --runs 5
run_swift threshold-adult --constraint true_positive_rate_parity --tol 0.05 --runs 5
run_swift reweighing --runs 5
run_swift correlation-remover --runs 5
cd "$SHARED/anchors"
"$PY" bench_expgrad_adult.py --constraint dp --runs 1 >> "$OUT/python.jsonl"
"$PY" bench_expgrad_adult.py --constraint eo --runs 1 >> "$OUT/python.jsonl"
"$PY" bench_threshold_adult.py --constraint demographic_parity --runs 5 >> "$OUT/python.jsonl"
"$PY" bench_threshold_adult.py --constraint equalized_odds --runs 5 >> "$OUT/python.jsonl"
"$PY" "$OLDPWD/scripts/bench/mitigation/bench_threshold_tol.py" --constraint demographic_parity --tol 0.05 --runs 5 --anchors . >> "$OUT/python.jsonl"
"$PY" "$OLDPWD/scripts/bench/mitigation/bench_threshold_tol.py" --constraint true_positive_rate_parity --tol 0.05 --runs 5 --anchors . >> "$OUT/python.jsonl"
"$PY" bench_preprocess_adult.py --method reweighing --runs 5 >> "$OUT/python.jsonl" 2>/dev/null
"$PY" bench_preprocess_adult.py --method correlation-remover --runs 5 >> "$OUT/python.jsonl"
"$PY" "$OLDPWD/scripts/bench/mitigation/bench_lr_fit.py" --runs 5 >> "$OUT/python.jsonl"
echo "results in $OUT"
