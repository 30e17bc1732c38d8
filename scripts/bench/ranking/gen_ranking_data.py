"""Synthetic ranked lists for the ranking benchmarks: Q queries of M items, 2 item groups.

    python gen_ranking_data.py --queries 100000 --items 100 --out $BENCH_DATA [--csv]

Writes ranking_<tag>_{query.i32,item.i32,rank.f64,group.u8,relevance.f64} (little-endian, one
value per row, rows query by query, rank 1 first; tag = rows, e.g. 10m) and, with --csv,
ranking_<tag>.csv (query,item,rank,group,relevance) for the whole-process runs.

Item groups: "protected" with probability 0.15 + 0.3 (rank - 1) / (M - 1) (a ranking biased
against them, ~30 % overall), else "other". Relevance: 0-3, likelier near the top. Seed 16.
"""
import argparse
import os

import numpy as np


def tag(rows):
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--out", default=os.environ.get("BENCH_DATA", "/tmp/anchors-data"))
    parser.add_argument("--csv", action="store_true")
    args = parser.parse_args()
    q, m = args.queries, args.items
    n = q * m
    rng = np.random.RandomState(16)
    query = np.repeat(np.arange(q, dtype=np.int32), m)
    item = np.tile(np.arange(m, dtype=np.int32), q)
    rank = np.tile(np.arange(1, m + 1, dtype=np.float64), q)
    p_protected = 0.15 + 0.3 * (rank - 1) / (m - 1)
    group = (rng.rand(n) < p_protected).astype(np.uint8)  # 1 = protected
    relevant = rng.rand(n) < 0.1 + 0.5 * (1 - rank / m)
    relevance = (relevant * rng.randint(1, 4, size=n)).astype(np.float64)
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, f"ranking_{tag(n)}")
    query.astype("<i4").tofile(base + "_query.i32")
    item.astype("<i4").tofile(base + "_item.i32")
    rank.astype("<f8").tofile(base + "_rank.f64")
    group.tofile(base + "_group.u8")
    relevance.astype("<f8").tofile(base + "_relevance.f64")
    if args.csv:
        names = np.array(["other", "protected"])
        with open(base + ".csv", "w") as f:
            f.write("query,item,rank,group,relevance\n")
            step = 1_000_000
            for start in range(0, n, step):
                end = min(n, start + step)
                lines = [
                    f"q{a},d{b},{int(c)},{d},{int(e)}"
                    for a, b, c, d, e in zip(query[start:end], item[start:end], rank[start:end],
                                             names[group[start:end]], relevance[start:end])
                ]
                f.write("\n".join(lines) + "\n")
    print(base)


if __name__ == "__main__":
    main()
