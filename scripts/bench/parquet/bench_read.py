"""pyarrow's side of the Parquet reading benchmark: read_table(columns=[5 audit columns]) with 2
threads, as numpy arrays ready for the metrics (labels int8, scores float64, groups as
dictionary codes), timed over --runs; peak RSS of the process.

    /work/venvs/parquet/bin/python scripts/bench/parquet/bench_read.py --path /tmp/anchors-data/audit_10m.parquet
"""
import argparse
import json
import resource
import statistics
import time

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

COLUMNS = ["y_true", "y_pred", "y_score", "sens_a", "sens_b"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", default="/tmp/anchors-data/audit_10m.parquet")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    pa.set_cpu_count(args.threads)
    pa.set_io_thread_count(args.threads)
    seconds = []
    cpu = []
    rows = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        if args.path.endswith(".parquet"):
            table = pq.read_table(args.path, columns=COLUMNS, use_threads=args.threads > 1)
        else:
            table = feather.read_table(args.path, columns=COLUMNS, use_threads=args.threads > 1)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        rows = table.num_rows
        del table
    print(json.dumps({
        "task": "parquet-read", "library": f"pyarrow {pa.__version__}", "rows": rows,
        "threads": args.threads, "seconds_median": statistics.median(seconds),
        "seconds_all": seconds, "cpu_seconds_median": statistics.median(cpu),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
