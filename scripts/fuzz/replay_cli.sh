#!/bin/bash
# Replays the fuzz corpora through the command-line tool and reports every run that neither
# succeeded (0) nor failed cleanly (status 2 with one `biaskit: error:` line), or that left an
# output file behind after failing.
#   scripts/fuzz/replay_cli.sh <biaskit binary> [output folder]
set -u
B=$1
OUT=${2:-/work/fuzz-build}
C="$OUT/corpus"
T=$(mktemp -d)
E="$(cd "$(dirname "$0")/../.." && pwd)/Tests/BiasKitTests/Fixtures/Embeddings"
export SWIFT_BACKTRACE=enable=no
STRIDE=${REPLAY_STRIDE:-1}  # replay every STRIDE-th CSV input (the CSV corpora are large)
bad=0
runs=0
k=0
check() {  # check <input> <command…>
  local input=$1
  shift
  rm -rf "$T/out" && mkdir -p "$T/out"
  timeout 20 "$@" > "$T/stdout" 2> "$T/stderr"
  local rc=$?
  runs=$((runs + 1))
  if [ $rc -eq 0 ]; then return; fi
  if [ $rc -eq 2 ] && [ "$(wc -l < "$T/stderr")" -le 1 ] && grep -q '^biaskit: error: ' "$T/stderr" \
    && [ -z "$(ls -A "$T/out")" ]; then return; fi
  bad=$((bad + 1))
  echo "FINDING rc=$rc: $* ($(head -c 300 "$T/stderr" | tr '\n' ' '))"
  cp "$input" "$OUT/cli-finding-$bad"
}
for f in "$C"/audit/* "$C"/csv/*; do
  k=$((k + 1))
  [ $((k % STRIDE)) -eq 0 ] || continue
  IFS=, read -r h0 h1 h2 h3 h4 _ < <(head -n 1 "$f" | tr -d '\r"') || true
  # Empty names are an argument-parser usage error (several lines by design), not a data error.
  [ -n "${h0:-}" ] && [ -n "${h1:-}" ] && [ -n "${h2:-}" ] || continue
  check "$f" "$B" audit "$f" --y-true="$h0" --y-pred="$h1" --sensitive="$h2" --format json
  check "$f" "$B" audit "$f" --y-true="$h0" --y-pred="$h1" --sensitive="$h2" --format html --output "$T/out/r.html"
  [ -n "${h3:-}" ] && check "$f" "$B" audit "$f" --y-true="$h0" --y-pred="$h1" --y-score="$h2" \
    --sensitive="$h3" --save-state "$T/out/s.json" --bootstrap 20
  [ -n "${h3:-}" ] && check "$f" "$B" audit "$f" --task regression --y-true="$h0" --y-pred="$h1" --sensitive="$h3"
  check "$f" "$B" resample random-over --input "$f" --target="$h0" --output "$T/out/o.csv"
  check "$f" "$B" resample smote --input "$f" --target="$h0" --features="$h1,$h2" --output "$T/out/o.csv"
done
for f in "$C"/npy/*; do
  check "$f" "$B" resample random-over --x "$f" --y "$f" --output-x "$T/out/x.npy" --output-y "$T/out/y.npy"
  check "$f" "$B" resample smote --x "$f" --y "$f" --output-x "$T/out/x.npy" --output-y "$T/out/y.npy"
done
for f in "$C"/embedding/*; do
  check "$f" "$B" embeddings weat --embeddings "$f" --tests "$E/tiny_weat.json"
  check "$f" "$B" embeddings debias --embeddings "$f" --word-lists "$E/tiny_lists.json" --output "$T/out/e.bin"
done
for f in "$C"/wordsets/*; do
  check "$f" "$B" embeddings weat --embeddings "$E/tiny.txt" --tests "$f"
  check "$f" "$B" embeddings wefe --embeddings "$E/tiny.txt" --tests "$f"
done
for f in "$C"/state/*; do
  check "$f" "$B" merge "$f" "$f" --format json --save-state "$T/out/m.json"
done
rm -rf "$T"
echo "$runs runs, $bad findings"
