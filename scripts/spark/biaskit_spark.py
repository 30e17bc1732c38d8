#!/usr/bin/env python3
"""Audits a Spark table with biaskit in one command: the audit's GROUP BY runs in Spark, the
few result rows come back, and biaskit computes the metrics from them.

    spark-submit scripts/spark/biaskit_spark.py --input preds.parquet -- \\
        --y-score y_score --sensitive sex,race --format json
    python3 scripts/spark/biaskit_spark.py --table db.predictions --biaskit .build/release/biaskit \\
        --save-state eu.json -- --y-score y_score --sensitive sex,race

Everything after `--` is passed to `biaskit audit`: the column options (--y-true, --y-pred,
--y-score, --sensitive, --control, --sample-weight, --pos-label, --missing-group) and the output
options (--metrics, --format, --output, --save-state, --max, --min, …). Steps:

1. `biaskit audit --emit-sql spark --table biaskit_input <columns> --exact-scores` prints the
   query (identifiers quoted, numbers as named parameters on its first line);
2. Spark runs it on the table (`--table NAME`, or `--input PATH`: a Parquet, CSV or JSON file or
   folder read into a temporary view) with `spark.sql(query, args=…)`;
3. the result (one row per group, per distinct score with exact scores) is written as CSV and
   read by `biaskit audit --state-from rows.csv <columns> <output options>`.

The result equals `biaskit audit FILE` on the same rows (scripts/ci/spark_check.sh checks it
on every CI run). With `--max-distinct-scores N` the scores are binned in Spark (N bins, a
stated AUC error bound) instead of grouped by value. Needs pyspark (and Java 17).
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

# biaskit audit's options that name columns or the score histogram: they shape the query, so
# they go to --emit-sql as well as to --state-from. The rest only shape the report.
QUERY_OPTIONS = {
    "--y-true", "--y-pred", "--y-score", "--sensitive", "--control", "--sample-weight",
    "--pos-label", "--missing-group", "--task", "--max-distinct-scores", "--score-range", "--bins",
}


FLAGS = {"--exact-scores"}


def split_options(arguments):
    """(options for the query, options for the report) from biaskit audit's arguments: every
    option takes a value (`--name value` or `--name=value`) but the flags above."""
    query, report = [], []
    i = 0
    while i < len(arguments):
        item = arguments[i]
        name = item.split("=", 1)[0]
        target = query if name in QUERY_OPTIONS or name in FLAGS else report
        target.append(item)
        if "=" not in item and name.startswith("--") and name not in FLAGS and i + 1 < len(arguments):
            target.append(arguments[i + 1])
            i += 1
        i += 1
    return query, report


def parameters(first_line):
    """The named parameters of the query's first line: `-- parameters: lo=0.0, bins=100000`."""
    assert first_line.startswith("-- parameters"), first_line
    values = {}
    body = first_line.split(":", 1)[1].strip()
    if not body:
        return values
    for item in body.split(","):
        name, value = item.strip().split("=")
        values[name] = float(value) if any(c in value for c in ".eE") else int(value)
    return values


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit(done.returncode)
    return done.stdout


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="biaskit_spark.py (--table NAME | --input PATH) [--biaskit PATH] -- AUDIT OPTIONS…")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--table", help="a table of the Spark catalog")
    source.add_argument("--input", help="a Parquet, CSV or JSON file (or folder) to read")
    parser.add_argument("--format", dest="input_format", default=None,
                        help="format of --input (default: by extension)")
    parser.add_argument("--biaskit", default="biaskit", help="the biaskit executable")
    parser.add_argument("--keep-rows", help="also keep the query's result rows in this CSV file")
    parser.add_argument("audit", nargs=argparse.REMAINDER, help="biaskit audit options after --")
    args = parser.parse_args()
    audit = args.audit[1:] if args.audit[:1] == ["--"] else args.audit
    query_options, report_options = split_options(audit)
    if not any(o.startswith("--max-distinct-scores") for o in query_options) and \
            "--exact-scores" not in query_options:
        query_options.append("--exact-scores")

    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName("biaskit-audit").getOrCreate()
    if args.input:
        fmt = args.input_format or os.path.splitext(args.input.rstrip("/"))[1].lstrip(".") or "parquet"
        reader = spark.read.format(fmt)
        if fmt == "csv":
            reader = reader.option("header", True).option("inferSchema", True)
        reader.load(args.input).createOrReplaceTempView("biaskit_input")
        table = "biaskit_input"
    else:
        table = args.table
    script = run([args.biaskit, "audit", "--emit-sql", "spark", "--table", table] + query_options)
    first, query = script.split("\n", 1)
    result = spark.sql(query, args=parameters(first))
    rows = result.collect()
    folder = tempfile.mkdtemp(prefix="biaskit-spark-")
    rows_csv = args.keep_rows or os.path.join(folder, "rows.csv")
    with open(rows_csv, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(result.columns)
        # repr(float) is the shortest text that reads back as the same double.
        out.writerows(["" if v is None else repr(v) if isinstance(v, float) else v for v in row]
                      for row in rows)
    spark.stop()
    done = subprocess.run(
        [args.biaskit, "audit", "--state-from", rows_csv] + query_options + report_options)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
