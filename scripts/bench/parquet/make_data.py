"""Writes the anchors' audit table as Parquet (snappy, pyarrow defaults: 1 Mi-row row groups,
dictionary encoding, data page v2 off) for the Parquet benchmarks.

    /work/venvs/parquet/bin/python scripts/bench/parquet/make_data.py --rows 10000000 [--csv]

The rows are ../shared/anchors/gen_audit_data.py's generate(rows, seed 12345), so the Parquet
file holds the same values as the anchors' audit_<rows>.csv (--csv also writes that CSV with the
anchors' writer; --feather a Feather v2 file, pyarrow's default LZ4). Output: $BENCH_DATA/audit_<tag>.parquet (default /tmp/anchors-data).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../shared/anchors"))
sys.path.insert(0, "/work/shared/anchors")

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import common  # noqa: E402
import gen_audit_data  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--csv", action="store_true")
    p.add_argument("--feather", action="store_true", help="also a Feather v2 file (LZ4 buffers)")
    args = p.parse_args()
    os.makedirs(common.BENCH_DATA, exist_ok=True)
    df = gen_audit_data.generate(args.rows, args.seed)
    path = common.audit_csv_path(args.rows)[: -len(".csv")] + ".parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="snappy")
    print(path, os.path.getsize(path))
    if args.feather:
        import pyarrow.feather as feather
        feather_path = path[: -len(".parquet")] + ".feather"
        feather.write_feather(pa.Table.from_pandas(df, preserve_index=False), feather_path)
        print(feather_path, os.path.getsize(feather_path))
    if args.csv:
        gen_audit_data.write_csv(df, common.audit_csv_path(args.rows))
        print(common.audit_csv_path(args.rows))


if __name__ == "__main__":
    main()
