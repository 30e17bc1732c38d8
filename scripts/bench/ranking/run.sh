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
[ -f "$BENCH_DATA/ranking_10m.csv" ] || "$PY" scripts/bench/ranking/gen_ranking_data.py --queries 100000 --items 100 --out "$BENCH_DATA" --csv
swift build -c release --product biaskit-bench >/dev/null
swift build -c release --product biaskit >/dev/null
BIN=$(swift build -c release --show-bin-path)
echo "== biaskit-bench ranking-metrics"; "$BIN/biaskit-bench" ranking-metrics --rows "$ROWS" --runs 3
echo "== biaskit-bench ranking-fair";    "$BIN/biaskit-bench" ranking-fair --rows "$ROWS" --runs 3
echo "== numpy";                         "$PY" scripts/bench/ranking/bench_numpy.py --rows "$ROWS" --runs 1
echo "== numpy + pandas groupby";        "$PY" scripts/bench/ranking/bench_numpy.py --rows "$ROWS" --runs 1 --pandas
echo "== fairsearchcore";                "$PY" scripts/bench/ranking/bench_fairsearchcore.py --rows "$ROWS" --queries 5000
# Whole process, CSV in: every exposure measure and NDCG@10 by group; FA*IR re-ranking written out.
echo "== biaskit rank exposure (whole process)"
/usr/bin/time -f '{"task":"ranking-metrics-cli","seconds":%e,"peak_rss_kb":%M}' \
  "$BIN/biaskit" rank exposure "$BENCH_DATA/ranking_10m.csv" --item item --rank rank \
  --group group --relevance relevance --protected protected --k 10 --format json >/dev/null
echo "== biaskit rank fair (whole process)"
/usr/bin/time -f '{"task":"ranking-fair-cli","seconds":%e,"peak_rss_kb":%M}' \
  "$BIN/biaskit" rank fair "$BENCH_DATA/ranking_10m.csv" --item item --rank rank \
  --group group --relevance relevance --protected protected --p 0.3 --k 100 \
  --output "$BENCH_DATA/ranking_10m_fair.csv" --format json >/dev/null
