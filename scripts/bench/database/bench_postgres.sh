#!/usr/bin/env bash
# Database audit benchmark: 10M rows in PostgreSQL.
#   push-down (biaskit audit --db …: one GROUP BY in the server)
#   vs SELECT * streamed out of the server into BiasKit (COPY (SELECT …) TO STDOUT, then the file audit)
#   vs the file audit of the same CSV.
# Usage: PGPASSWORD=… scripts/bench/database/bench_postgres.sh BIASKIT postgres://user@127.0.0.1:PORT/db [CSV]
# The table is loaded once with psql \copy (types: bigint, bigint, double precision, text, text).
set -euo pipefail
BIASKIT=$1
URL=$2
CSV=${3:-/work/anchors-data/audit_10m.csv}
TABLE=audit_10m
COLS=(--y-true y_true --y-pred y_pred --sensitive sens_a,sens_b)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "$(psql "$URL" -tAc "SELECT to_regclass('$TABLE') IS NOT NULL")" != t ]; then
  psql "$URL" -q -c "CREATE TABLE $TABLE (y_true bigint, y_pred bigint, y_score double precision, sens_a text, sens_b text)"
  /usr/bin/time -f "load (psql \\copy): %e s" psql "$URL" -q -c "\\copy $TABLE FROM '$CSV' WITH (FORMAT csv, HEADER true)"
  psql "$URL" -q -c "VACUUM ANALYZE $TABLE"
fi

timed() {  # label, command…: best of 3 wall-clock seconds and peak RSS
  local label=$1; shift
  local best=999999 rss=0 s m
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$TMP/t" "$@" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
    read -r s m <"$TMP/t"
    best=$(python3 -c "print(min($best, $s))"); rss=$m
  done
  printf '%-58s %8.2f s  %7d MB\n' "$label" "$best" "$((rss / 1024))"
}

result_bytes() {  # the text size of the push-down result: the emitted script run by psql
  "$BIASKIT" audit --emit-sql postgres --table "$TABLE" "${COLS[@]}" "$@" >"$TMP/q.sql"
  psql "$URL" -qAt -F, -f "$TMP/q.sql" | wc -c
}

echo "== confusion metrics (12 metrics × 10 groups)"
timed "push-down: biaskit audit --db" "$BIASKIT" audit --db "$URL" --table "$TABLE" "${COLS[@]}"
timed "SELECT * streamed out + file audit" bash -c \
  "psql '$URL' -qc \"\\copy (SELECT y_true, y_pred, sens_a, sens_b FROM $TABLE) TO '$TMP/dump.csv' WITH (FORMAT csv, HEADER true)\" && '$BIASKIT' audit '$TMP/dump.csv' ${COLS[*]}"
timed "file audit (CSV on disk)" "$BIASKIT" audit "$CSV" "${COLS[@]}"
echo "bytes: push-down result $(result_bytes) B; SELECT * (4 columns, CSV) $(stat -c %s "$TMP/dump.csv") B"

echo "== with scores (roc_auc, average_precision)"
for m in 1000 100000; do
  timed "push-down, --max-distinct-scores $m (histogram)" "$BIASKIT" audit --db "$URL" --table "$TABLE" "${COLS[@]}" \
    --y-score y_score --metrics accuracy,roc_auc,average_precision --max-distinct-scores $m
  grep -o 'roc_auc is within ±[0-9.e-]*' "$TMP/out" || true
  echo "bytes: push-down result $(result_bytes --y-score y_score --max-distinct-scores $m) B"
done
# Scores have 6 decimals: with bins of 1e-7 every group holds one score, so the one pass is exact.
timed "push-down, exact (--max-distinct-scores 10000000)" "$BIASKIT" audit --db "$URL" --table "$TABLE" "${COLS[@]}" \
  --y-score y_score --metrics accuracy,roc_auc,average_precision --max-distinct-scores 10000000
grep -o 'roc_auc is within ±[0-9.e-]*' "$TMP/out" || echo "(exact: no histogram note)"
echo "bytes: push-down result $(result_bytes --y-score y_score --max-distinct-scores 10000000) B"
timed "SELECT * streamed out + file audit (exact)" bash -c \
  "psql '$URL' -qc \"\\copy (SELECT * FROM $TABLE) TO '$TMP/dump.csv' WITH (FORMAT csv, HEADER true)\" && '$BIASKIT' audit '$TMP/dump.csv' ${COLS[*]} --y-score y_score --metrics accuracy,roc_auc,average_precision"
echo "bytes: SELECT * (CSV) $(stat -c %s "$TMP/dump.csv") B"
timed "file audit (exact)" "$BIASKIT" audit "$CSV" "${COLS[@]}" --y-score y_score --metrics accuracy,roc_auc,average_precision
