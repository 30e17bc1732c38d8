#!/usr/bin/env bash
# Python half of the audit benchmarks (fairlearn 0.15 / sklearn direct), run with the
# shared anchors harness (../shared/anchors, see its README.md).
#
#   scripts/bench/audit/run_python_bench.sh [step ...]
#
# Steps: gen scale1m-fairlearn scale1m-direct scale10m-direct bootstrap adult
#        bootstrap-counts (our numpy counting bootstrap, bench_bootstrap_counts.py)
#        cli-like (audit_like_cli.py: `biaskit audit`'s default job with fairlearn; its
#        phase timings go to stderr, kept in $OUT/cli-like.stderr)
#        scale10m-fairlearn (5-10 min; not in the default list)
# Env: VENV (default /work/venv), ANCHORS (default ../shared/anchors relative to the
#      repo root), BENCH_DATA (default /work/anchors-data; generated CSVs live there,
#      never in the repo), OUT (default scripts/bench/audit/results).
# Every process runs under `/usr/bin/time -v`; the JSON lines the scripts print go to
# $OUT/<step>.jsonl, and for each process one extra line {"step", "cmd", "uptime",
# "wall_s", "max_rss_mb", "exit"} goes to $OUT/process.jsonl.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
VENV="${VENV:-/work/venv}"
ANCHORS="${ANCHORS:-$ROOT/../shared/anchors}"
export BENCH_DATA="${BENCH_DATA:-/work/anchors-data}"
OUT="${OUT:-$ROOT/scripts/bench/audit/results}"
PY="$VENV/bin/python"
mkdir -p "$BENCH_DATA" "$OUT"
TMP="$(mktemp -d)"

run() {  # run STEP SCRIPT ARGS...
  local step="$1"; shift
  local up; up="$(uptime)"
  local cmd="$PY $*"
  echo "== $step: $cmd   [$up]" >&2
  local rc=0
  if [ "$step" = cli-like ]; then
    ( cd "${RUNDIR:-$ANCHORS}" && /usr/bin/time -v -o "$TMP/time.txt" "$PY" "$@" ) \
        2> >(grep '^{' >>"$OUT/$step.jsonl") || rc=$?
  else
    ( cd "${RUNDIR:-$ANCHORS}" && /usr/bin/time -v -o "$TMP/time.txt" "$PY" "$@" ) \
        >>"$OUT/$step.jsonl" 2>>"$TMP/stderr.txt" || rc=$?
  fi
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$TMP/time.txt")"
  rss="$(awk -F': ' '/Maximum resident set size/{print $2}' "$TMP/time.txt")"
  "$PY" - "$step" "$cmd" "$up" "$wall" "$rss" "$rc" >>"$OUT/process.jsonl" <<'PYEOF'
import json, sys
step, cmd, up, wall, rss, rc = sys.argv[1:]
parts = [float(x) for x in wall.split(":")]
secs = 0.0
for p in parts:
    secs = secs * 60 + p
print(json.dumps({"step": step, "cmd": cmd, "uptime": up.strip(), "wall_s": round(secs, 2),
                  "max_rss_mb": round(int(rss) / 1024, 1), "exit": int(rc)}))
PYEOF
  echo "   wall ${wall}  maxrss ${rss} kB  exit $rc" >&2
}

runlocal() {  # like run, but the script is in this repo (path from the repo root)
  RUNDIR="$ROOT" run "$@"
}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(gen scale1m-fairlearn scale1m-direct scale10m-direct bootstrap adult bootstrap-counts cli-like)
for s in "${steps[@]}"; do
  case "$s" in
    gen)
      run gen gen_audit_data.py --rows 100000 --runs 3
      run gen gen_audit_data.py --rows 1000000 --runs 3
      run gen gen_audit_data.py --rows 10000000 --runs 1 ;;
    scale1m-fairlearn)
      for i in 1 2 3; do run scale1m-fairlearn bench_audit_scale.py --rows 1000000 --runs 1; done ;;
    scale1m-direct)
      run scale1m-direct bench_audit_scale.py --rows 1000000 --library direct --runs 3
      for i in 1 2 3; do run scale1m-direct bench_audit_scale.py --rows 1000000 --library direct --runs 1; done ;;
    scale10m-direct)
      run scale10m-direct bench_audit_scale.py --rows 10000000 --library direct --runs 3
      run scale10m-direct bench_audit_scale.py --rows 10000000 --library direct --runs 1 ;;
    scale10m-fairlearn)
      run scale10m-fairlearn bench_audit_scale.py --rows 10000000 --runs 1 ;;
    bootstrap)
      run bootstrap bench_bootstrap.py --rows 100000 --n-boot 100 --runs 1 ;;
    bootstrap-counts)   # numpy counting bootstrap, same resampling as fairlearn (ours)
      runlocal bootstrap-counts scripts/bench/audit/bench_bootstrap_counts.py --rows 100000 --n-boot 100 --runs 3 --check "$OUT/bootstrap.jsonl"
      runlocal bootstrap-counts scripts/bench/audit/bench_bootstrap_counts.py --rows 1000000 --n-boot 1000 --runs 1 ;;
    cli-like)   # the default `biaskit audit` job done with fairlearn, as one process
      for i in 1 2 3; do runlocal cli-like scripts/bench/audit/audit_like_cli.py Examples/adult-predictions.csv --y-score y_score --sensitive sex,race --output "$TMP/out.json"; done
      runlocal cli-like scripts/bench/audit/audit_like_cli.py "$BENCH_DATA/audit_1m.csv" --y-score y_score --sensitive sens_a,sens_b --output "$TMP/out.json" ;;
    adult)
      run adult bench_audit_adult.py --dataset adult --runs 5 ;;
    *) echo "unknown step $s" >&2; exit 2 ;;
  esac
done
[ -f "$TMP/stderr.txt" ] && { grep -v -i -e 'warn' -e '^$' "$TMP/stderr.txt" | tail -n 20 >&2 || true; }
rm -rf "$TMP"
