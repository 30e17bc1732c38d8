#!/usr/bin/env bash
# CI step: BiasKit's Spark push-down on a local Spark (issue #18, item 5).
#
#   scripts/ci/spark_check.sh [path/to/biaskit]     # default: .build/release/biaskit
#
# Installs what it needs when missing — Debian's Java 17 (openjdk-17-jre-headless) and pyspark
# from PyPI in a venv ($BIASKIT_CI_SPARK_VENV, default /tmp/biaskit-ci-spark) — and skips, saying
# why, when that installation fails (no network, no apt). Then, with a local SparkSession:
#   1. scripts/bench/database/spark_pushdown.py: the `--emit-sql spark` query on 3 shards of
#      Examples/adult-predictions.csv, each result read with `--state-from` and saved with
#      `--save-state`, the shards combined with `biaskit merge`, the merged report equal to the
#      file audit's (bit for bit; expected_calibration_error to 1e-13);
#   2. scripts/spark/biaskit_spark.py, the one command documented for Spark users: its report
#      equals the file audit's the same way.
# A failure after a successful installation fails CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIASKIT="${1:-.build/release/biaskit}"
VENV="${BIASKIT_CI_SPARK_VENV:-/tmp/biaskit-ci-spark}"
skip() { echo "skip: the Spark check did not run: $*"; exit 0; }

if ! command -v java >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
    || skip "Java 17 is missing and 'apt-get install openjdk-17-jre-headless' failed"
fi
echo "java: $(java -version 2>&1 | head -1)"
if ! "$VENV/bin/python" -c "import pyspark" >/dev/null 2>&1; then
  python3 -m venv "$VENV" >/dev/null 2>&1 || skip "python3 -m venv $VENV failed"
  "$VENV/bin/pip" install -q pyspark >/dev/null 2>&1 || skip "'pip install pyspark' failed (no access to PyPI?)"
fi
echo "pyspark: $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)')"
export PYSPARK_PYTHON="$VENV/bin/python"

"$VENV/bin/python" scripts/bench/database/spark_pushdown.py --biaskit "$BIASKIT" --shards 3

TMP="$(mktemp -d /tmp/biaskit-spark-check.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
COLUMNS=(--y-true y_true --y-pred y_pred --y-score y_score --sensitive sex,race)
"$VENV/bin/python" scripts/spark/biaskit_spark.py --input Examples/adult-predictions.csv \
  --biaskit "$BIASKIT" -- "${COLUMNS[@]}" --format json --output "$TMP/spark.json"
"$BIASKIT" audit Examples/adult-predictions.csv "${COLUMNS[@]}" --format json --output "$TMP/file.json"
"$VENV/bin/python" - "$TMP/file.json" "$TMP/spark.json" <<'PY'
import json, sys
sys.path.insert(0, "scripts/bench/database")
from spark_pushdown import compare
whole, spark = (json.load(open(p)) for p in sys.argv[1:3])
differences = list(compare(whole, spark))
for d in differences[:20]:
    print("  ", d)
print("biaskit_spark.py round trip vs file audit:",
      "identical" if not differences else f"{len(differences)} differences")
sys.exit(1 if differences else 0)
PY
