#!/usr/bin/env bash
# Side-by-side ranking benchmark: BiasKit (release) vs vectorized NumPy/SciPy (and pandas) for
# the measures, and vs fairsearchcore 1.0.4 for FA*IR, on 100K lists of 100 items (10M rows).
#
#   PY=/work/venvs/ranking/bin/python BENCH_DATA=/work/bench-data scripts/bench/ranking/run.sh
#
# PY needs numpy 2.4.6, scipy 1.17.1, pandas and fairsearchcore 1.0.4. Prints JSON lines.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${PY:-/work/venvs/ranking/bin/python}
BENCH_DATA=${BENCH_DATA:-/work/bench-data}
ROWS=${ROWS:-10000000}
export BENCH_DATA
[ -f "$BENCH_DATA/ranking_10m_group.u8" ] || "$PY" scripts/bench/ranking/gen_ranking_data.py --queries 100000 --items 100 --out "$BENCH_DATA"
swift build -c release --product biaskit-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
echo "== biaskit-bench ranking-metrics"; "$BIN/biaskit-bench" ranking-metrics --rows "$ROWS" --runs 3
echo "== biaskit-bench ranking-fair";    "$BIN/biaskit-bench" ranking-fair --rows "$ROWS" --runs 3
echo "== numpy";                         "$PY" scripts/bench/ranking/bench_numpy.py --rows "$ROWS" --runs 1
echo "== numpy + pandas groupby";        "$PY" scripts/bench/ranking/bench_numpy.py --rows "$ROWS" --runs 1 --pandas
echo "== fairsearchcore";                "$PY" scripts/bench/ranking/bench_fairsearchcore.py --rows "$ROWS" --queries 5000
