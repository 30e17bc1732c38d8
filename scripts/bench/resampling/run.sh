#!/usr/bin/env bash
# Side-by-side SMOTE benchmark: imbalanced-learn 0.14.2 vs BiasKit on the anchors' `smote` job.
#
#   PY=/work/venv/bin/python BENCH_DATA=/work/anchors-data scripts/bench/resampling/run.sh
#
# Needs the exported inputs: $PY ../shared/anchors/bench_smote.py --rows N --export (N = 100000,
# 1000000), which writes smote_<tag>_X.f64 / _y.u8; this script converts them to .npy once.
# Prints JSON lines (call times) and /usr/bin/time -v summaries (whole processes).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${PY:-/work/venv/bin/python}
BENCH_DATA=${BENCH_DATA:-/work/anchors-data}
SCRATCH=${SCRATCH:-.build-resample-rel}
ANCHORS=${ANCHORS:-../shared/anchors}
OUT=${OUT:-$(mktemp -d)}
export BENCH_DATA

swift build -c release --scratch-path "$SCRATCH" >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

"$PY" - <<'PYEOF'
import os, numpy as np
d = os.environ["BENCH_DATA"]
for tag, rows in [("100k", 100_000), ("1m", 1_000_000)]:
    if not os.path.exists(f"{d}/smote_{tag}_X.npy"):
        X = np.fromfile(f"{d}/smote_{tag}_X.f64", dtype="<f8").reshape(rows, 20)
        y = np.fromfile(f"{d}/smote_{tag}_y.u8", dtype="u1").astype("<i8")
        np.save(f"{d}/smote_{tag}_X.npy", X); np.save(f"{d}/smote_{tag}_y.npy", y)
PYEOF

for rows in 100000 1000000; do
  tag=$([ $rows = 100000 ] && echo 100k || echo 1m)
  echo "== call: imbalanced-learn, $rows rows"
  (cd "$ANCHORS" && "$PY" bench_smote.py --rows $rows --runs 3)
  echo "== call: biaskit, $rows rows"
  "$BIN/biaskit-bench" smote --rows $rows --runs 3
  echo "== process: imbalanced-learn, .npy in and out, $rows rows"
  /usr/bin/time -v "$PY" scripts/bench/resampling/imblearn_smote_npy.py \
    "$BENCH_DATA/smote_${tag}_X.npy" "$BENCH_DATA/smote_${tag}_y.npy" "$OUT/py_X.npy" "$OUT/py_y.npy" 2>&1 \
    | grep -E "load |Elapsed|Maximum resident|User time|System time"
  echo "== process: biaskit resample smote, .npy in and out, $rows rows"
  /usr/bin/time -v "$BIN/biaskit" resample smote --x "$BENCH_DATA/smote_${tag}_X.npy" --y "$BENCH_DATA/smote_${tag}_y.npy" \
    --output-x "$OUT/bk_X.npy" --output-y "$OUT/bk_y.npy" --format json 2>&1 \
    | grep -E "rows_after|Elapsed|Maximum resident|User time|System time"
done
rm -rf "$OUT"
