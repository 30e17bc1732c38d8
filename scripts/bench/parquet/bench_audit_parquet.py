"""The Python side of the whole-process Parquet audit benchmark (issue 15): read the 10M-row
audit file with pyarrow.parquet.read_table(columns=...) (2 threads), then the anchors'
numpy-direct metrics (the 8 audit metrics + roc_auc for sens_a x sens_b, one sklearn call per
group and metric: `bench_audit_scale.direct`). Run it as a whole process under /usr/bin/time
beside `biaskit audit FILE.parquet`:

    /usr/bin/time -f '%e s %M KB' /work/venvs/parquet/bin/python \
        scripts/bench/parquet/bench_audit_parquet.py --path /tmp/anchors-data/audit_10m.parquet \
        --anchors ../shared/anchors

The venv needs pyarrow, numpy, pandas, scikit-learn and fairlearn (the anchors' metric set).
It prints one JSON line: read and metric seconds, rows, and the overall accuracy / roc_auc (to
check that both sides audited the same data).
"""
import argparse
import json
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", default="/tmp/anchors-data/audit_10m.parquet")
    p.add_argument("--anchors", default="../shared/anchors")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    sys.path.insert(0, args.anchors)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench_audit_scale import direct

    pa.set_cpu_count(args.threads)
    pa.set_io_thread_count(args.threads)
    start = time.perf_counter()
    table = pq.read_table(
        args.path, columns=["y_true", "y_pred", "y_score", "sens_a", "sens_b"],
        use_threads=args.threads > 1)
    y_true = table.column("y_true").to_numpy()
    y_pred = table.column("y_pred").to_numpy()
    y_score = table.column("y_score").to_numpy()
    a = table.column("sens_a").to_numpy()
    b = table.column("sens_b").to_numpy()
    read = time.perf_counter() - start
    start = time.perf_counter()
    result = direct(y_true, y_pred, y_score, a, b)
    metrics = time.perf_counter() - start
    print(json.dumps({
        "job": "parquet-audit", "library": "pyarrow+sklearn-direct", "rows": table.num_rows,
        "read_seconds": round(read, 3), "metric_seconds": round(metrics, 3),
        "accuracy": result["overall"]["accuracy"], "roc_auc": result["overall"]["roc_auc"],
    }))


if __name__ == "__main__":
    main()
