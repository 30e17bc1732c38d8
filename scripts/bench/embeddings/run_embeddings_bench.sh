#!/usr/bin/env bash
# Side-by-side benchmark of `biaskit embeddings` against responsibly 0.1.2 and WEFE 1.0.1.
# Usage: scripts/bench/embeddings/run_embeddings_bench.sh [OUT.jsonl]
# Needs: the release bench binary (swift build -c release --product biaskit-bench), the venvs
#   RESP_PY (Python 3.7: pip install responsibly==0.1.2 gensim==3.8.3, see
#   ../shared/reference/embeddings/requirements-venv-responsibly.txt) and
#   WEFE_PY (Python 3.11: pip install wefe==1.0.1 gensim==4.4.0 numpy==1.26.4 scipy==1.12.0).
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${1:-/tmp/embeddings-bench.jsonl}
BENCH=${BENCH:-.build/release/biaskit-bench}
RESP_PY=${RESP_PY:-/work/venv-responsibly/bin/python}
WEFE_PY=${WEFE_PY:-/work/venv-wefe/bin/python}
SHARED=${BIASKIT_SHARED:-../shared}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0 MPLBACKEND=Agg BIASKIT_SHARED=$SHARED
PY=scripts/bench/embeddings/bench_embeddings.py
: > "$OUT"
$BENCH embeddings-load   --runs 9 --shared "$SHARED" >> "$OUT"
$RESP_PY $PY --library responsibly --job load --runs 5 >> "$OUT"
$WEFE_PY $PY --library wefe --job load --runs 5 >> "$OUT"
$BENCH embeddings-weat   --runs 5 --shared "$SHARED" >> "$OUT"
$RESP_PY $PY --library responsibly --job weat --runs 3 >> "$OUT"
$BENCH embeddings-debias --runs 5 --shared "$SHARED" >> "$OUT"
$RESP_PY $PY --library responsibly --job debias --runs 3 >> "$OUT"
$BENCH embeddings-analogies --runs 3 --shared "$SHARED" >> "$OUT"
# WEFE's 10,000-iteration p-value takes ~3 min per test here; time one test:
$WEFE_PY $PY --library wefe --job weat --runs 1 --tests 0 >> "$OUT"
cat "$OUT"
