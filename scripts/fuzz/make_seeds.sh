#!/bin/sh
# Seeds the fuzz corpora under $OUT/corpus/<target>/ from the repository's examples and fixtures,
# plus small generated .npy files and an audit state written by the CLI.
#   scripts/fuzz/make_seeds.sh [output folder] [biaskit binary]
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-/work/fuzz-build}
BIASKIT=${2:-}
C="$OUT/corpus"
mkdir -p "$C/csv" "$C/audit" "$C/npy" "$C/embedding" "$C/state" "$C/wordsets" "$C/parquet" "$C/arrow" "$C/jsonl"
# Parquet and Arrow: the small fixtures (every encoding and codec) and the files the writer makes.
for f in Tests/BiasKitTests/Fixtures/Parquet/*.parquet; do
  [ "$(wc -c < "$f")" -le 40000 ] && cp "$f" "$C/parquet/"
done
cp Tests/BiasKitTests/Fixtures/Parquet/*.arrow Tests/BiasKitTests/Fixtures/Parquet/*.feather "$C/arrow/"
# CSV: the first lines of each example and every CSV fixture (small inputs fuzz faster).
for f in Examples/*.csv Tests/BiasKitTests/Fixtures/*/*.csv; do
  head -n 12 "$f" > "$C/csv/$(basename "$f")"
  head -n 12 "$f" > "$C/audit/$(basename "$f")"
done
printf 'a,"b ""q""",c\r\n1,"x\ny",\n\n-1,2e5,nan\n' > "$C/csv/quoted.csv"
printf 'y,p,s,w,g\n1,0,0.5,1,a\n0,1,0.25,2,b\n' > "$C/audit/weights.csv"
# Embeddings: every fixture (word2vec binary and text, GloVe).
cp Tests/BiasKitTests/Fixtures/Embeddings/*.bin Tests/BiasKitTests/Fixtures/Embeddings/*.txt "$C/embedding/"
# WEAT word sets.
cp Tests/BiasKitTests/Fixtures/Embeddings/tiny_weat.json Tests/BiasKitTests/Fixtures/Embeddings/tiny_lists.json \
  Tests/BiasKitTests/Fixtures/Embeddings/empty_defining_sets.json "$C/wordsets/"
# JSON Lines: the first records of each language-model fixture.
for f in Tests/BiasKitTests/Fixtures/LanguageModels/*.jsonl; do
  head -n 4 "$f" > "$C/jsonl/$(basename "$f")"
done
# .npy: one file per element type and rank.
PY=/work/venv/bin/python
[ -x "$PY" ] || PY=python3
"$PY" - "$C/npy" <<'PYEOF'
import sys, numpy as np
out = sys.argv[1]
np.save(f"{out}/f8.npy", np.arange(6, dtype="<f8").reshape(3, 2))
np.save(f"{out}/f4.npy", np.arange(4, dtype="<f4").reshape(2, 2))
for t in ["<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "|b1"]:
    np.save(f"{out}/{t[1:]}.npy", np.array([0, 1, 1, 0], dtype=t))
np.save(f"{out}/labels_f8.npy", np.array([0.0, 1.0, 2.0]))
np.save(f"{out}/empty.npy", np.zeros((0, 3)))
PYEOF
# An audit state, if a biaskit binary was given.
if [ -n "$BIASKIT" ]; then
  head -n 30 Examples/adult-predictions.csv > "$OUT/adult-head.csv"
  "$BIASKIT" audit "$OUT/adult-head.csv" --y-true y_true --y-pred y_pred --y-score y_score \
    --sensitive sex --save-state "$C/state/adult.json" > /dev/null || true
  "$BIASKIT" audit "$OUT/adult-head.csv" --y-true y_true --y-pred y_pred --y-score y_score \
    --sensitive sex,race --max-distinct-scores 8 --save-state "$C/state/binned.json" > /dev/null 2>&1 || true
fi
echo "corpora in $C"
