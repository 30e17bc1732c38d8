"""The first four monthly lists of Examples/compas-ranking.csv as Parquet (snappy, two row
groups), for the test that `biaskit rank` reads Parquet as it reads CSV.

    /work/venvs/parquet/bin/python make_compas_parquet.py     # pyarrow 26.0.1
"""
import csv
import os

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "../../../../Examples/compas-ranking.csv")
MONTHS = {"2013-01", "2013-02", "2013-03", "2013-04"}

with open(SOURCE, newline="") as f:
    rows = [r for r in csv.DictReader(f) if r["query"] in MONTHS]
table = pa.table({
    "query": pa.array([r["query"] for r in rows], pa.string()),
    "item": pa.array([int(r["item"]) for r in rows], pa.int64()),
    "rank": pa.array([int(r["rank"]) for r in rows], pa.int32()),
    "score": pa.array([float(r["score"]) for r in rows], pa.float64()),
    "group": pa.array([r["group"] for r in rows], pa.string()),
    "relevance": pa.array([float(r["relevance"]) for r in rows], pa.float64()),
})
pq.write_table(table, os.path.join(HERE, "compas-ranking-4.parquet"), compression="snappy",
               row_group_size=(len(rows) + 1) // 2)
print(len(rows), "rows")
