"""fairsearchcore 1.0.4's FA*IR on the benchmark lists: Fair(k, 0.3, 0.1).re_rank per query.

    python bench_fairsearchcore.py --rows 10000000 --queries 2000 [--data $BENCH_DATA]

Times the adjusted m-table (create_adjusted_mtable, once: re_rank caches it) and re_rank of the
first --queries lists (each given top first as FairScoreDoc objects, protected = group 1), and
extrapolates the re-ranking to all lists (it is a Python loop per list; the m-table is shared).
The LegalAssignmentKey hash is wrapped in int() (fairsearchcore 1.0.4 fails without on NumPy 2).
"""
import argparse
import json
import os
import time
import warnings

import numpy as np

import fairsearchcore as fsc
from fairsearchcore import fail_prob
from fairsearchcore.models import FairScoreDoc

warnings.filterwarnings("ignore")
_hash = fail_prob.LegalAssignmentKey.__hash__
fail_prob.LegalAssignmentKey.__hash__ = lambda self: int(_hash(self))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/anchors-data"))
    args = parser.parse_args()
    tag = f"{args.rows // 1_000_000}m" if args.rows % 1_000_000 == 0 else f"{args.rows // 1000}k"
    base = os.path.join(args.data, f"ranking_{tag}")
    group = np.fromfile(base + "_group.u8", dtype="u1")
    m = args.items
    total_queries = len(group) // m
    fair = fsc.Fair(args.k, 0.3, 0.1)
    t = time.perf_counter()
    mtable = fair.create_adjusted_mtable()
    mtable_seconds = time.perf_counter() - t
    t = time.perf_counter()
    passing = 0
    for q in range(args.queries):
        flags = group[q * m:(q + 1) * m]
        docs = [FairScoreDoc(i, m - i, bool(flags[i])) for i in range(m)]  # top first
        result = fair.re_rank(docs)
        passing += fair.is_fair(result) if len(result) == args.k else 0
    rerank_seconds = time.perf_counter() - t
    per_query = rerank_seconds / args.queries
    print(json.dumps({
        "task": "ranking-fair", "library": "fairsearchcore 1.0.4", "rows": args.rows,
        "mtable_seconds": mtable_seconds, "rerank_seconds_measured": rerank_seconds,
        "queries_measured": args.queries, "seconds_per_query": per_query,
        "seconds_extrapolated": mtable_seconds + per_query * total_queries,
        "alpha_adjusted": fair.adjust_alpha(), "mtable_sum": int(sum(mtable)),
        "passing_measured": int(passing)}, sort_keys=True))


if __name__ == "__main__":
    main()
