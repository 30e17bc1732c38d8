#!/usr/bin/env python3
"""Runs BiasKit's emitted Spark SQL on a local Spark and checks that the merged result of the
shards equals the file audit.

    python3 -m venv /work/venv-spark && /work/venv-spark/bin/pip install pyspark   # Java 17
    swift build -c release --scratch-path .build-rel
    /work/venv-spark/bin/python scripts/bench/database/spark_pushdown.py \
        --biaskit .build-rel/release/biaskit [--csv Examples/adult-predictions.csv] [--shards 3]

Steps: `biaskit audit --emit-sql spark` prints the GROUP BY (identifiers quoted, numbers as
named parameters); the CSV is split into shards, each a Spark view; Spark runs the query on
each shard (`spark.sql(text, args=…)`); each result is saved as CSV and read back with
`biaskit audit --state-from rows.csv --save-state shard.json`; `biaskit merge` combines the
shards; the merged JSON report must equal `biaskit audit FILE`'s: bit for bit for every
metric but expected_calibration_error (its bin sums of scores depend on the order of
additions; checked to 1e-13). Not run in CI (Spark takes ~30 s to start).
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def compare(a, b, path=""):
    """Yields the paths where two JSON documents differ (ECE within 1e-13)."""
    if isinstance(a, dict):
        for k in a:
            yield from compare(a[k], b.get(k), f"{path}.{k}")
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            yield path
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from compare(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        if a != b and not ("expected_calibration_error" in path and abs(a - b) <= 1e-13 * max(1, abs(a))):
            yield f"{path}: {a!r} vs {b!r}"
    elif a != b:
        yield f"{path}: {a!r} vs {b!r}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--biaskit", required=True)
    p.add_argument("--csv", default="Examples/adult-predictions.csv")
    p.add_argument("--shards", type=int, default=3)
    p.add_argument("--sensitive", default="sex,race")
    p.add_argument("--max-distinct-scores", default=None,
                   help="histogram bins (default: exact scores, --emit-sql … --exact-scores)")
    args = p.parse_args()
    columns = ["--y-true", "y_true", "--y-pred", "y_pred", "--y-score", "y_score", "--sensitive", args.sensitive]
    metrics = []
    if args.max_distinct_scores:
        columns += ["--max-distinct-scores", args.max_distinct_scores]
        # Binned scores carry no calibration sums: compare the other metrics.
        metrics = ["--metrics", "count,selection_rate,accuracy,true_positive_rate,false_positive_rate,roc_auc,average_precision"]
    exact = [] if args.max_distinct_scores else ["--exact-scores"]
    script = run([args.biaskit, "audit", "--emit-sql", "spark", "--table", "predictions"] + columns + exact)
    first, sql = script.split("\n", 1)
    assert first.startswith("-- parameters"), first
    params = {}
    for item in first.split(":", 1)[1].split(","):
        name, value = item.strip().split("=")
        params[name] = float(value) if "." in value or "e" in value else int(value)

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("biaskit-pushdown")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    frame = spark.read.csv(args.csv, header=True, inferSchema=True)
    with open(args.csv) as f:
        header = f.readline()
        lines = f.readlines()
    tmp = tempfile.mkdtemp(prefix="biaskit-spark-")
    states = []
    start = time.time()
    for k in range(args.shards):
        part = os.path.join(tmp, f"part{k}.csv")
        with open(part, "w") as f:
            f.write(header)
            f.writelines(lines[k::args.shards])
        spark.read.csv(part, header=True, inferSchema=True).createOrReplaceTempView("predictions")
        result = spark.sql(sql, args=params)
        rows = result.collect()
        rows_csv = os.path.join(tmp, f"rows{k}.csv")
        with open(rows_csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(result.columns)
            # repr(float) is the shortest text that reads back to the same double.
            out.writerows(["" if v is None else repr(v) if isinstance(v, float) else v for v in row] for row in rows)
        state = os.path.join(tmp, f"state{k}.json")
        run([args.biaskit, "audit", "--state-from", rows_csv, "--save-state", state, "--format", "json"] + columns + exact)
        states.append(state)
        print(f"shard {k}: {len(rows)} result rows ({os.path.getsize(rows_csv)} bytes) for "
              f"{len(lines[k::args.shards])} input rows")
    spark_seconds = time.time() - start
    spark.stop()
    merged = json.loads(run([args.biaskit, "merge", *states, "--format", "json"] + metrics))
    whole = json.loads(run([args.biaskit, "audit", args.csv, "--format", "json"] + columns + metrics))
    differences = list(compare(whole, merged))
    print(f"{args.shards} Spark shards in {spark_seconds:.1f} s; merged vs file audit: "
          f"{'identical' if not differences else f'{len(differences)} differences'}")
    for d in differences[:20]:
        print("  ", d)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
