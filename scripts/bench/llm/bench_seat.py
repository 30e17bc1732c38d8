"""SEAT in NumPy on random 384-d sentence embeddings: associations, effect size and 10,000
sampled permutations (vectorised: one argsort per batch); timed like biaskit-bench llm-seat.
  python bench_seat.py --sentences 64 --dimension 384 --permutations 10000 --runs 5
"""
import argparse
import json
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--sentences", type=int, default=64)
parser.add_argument("--dimension", type=int, default=384)
parser.add_argument("--permutations", type=int, default=10_000)
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()
k, d = args.sentences, args.dimension
rng = np.random.default_rng(5)
X, Y, A, B = (rng.uniform(-0.5, 0.5, (k, d)) + (0.01 if s == 0 else 0) for s in range(4))


def run():
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)
    x, y, a, b = map(unit, (X, Y, A, B))
    s = lambda W: (W @ a.T).mean(axis=1) - (W @ b.T).mean(axis=1)
    sx, sy = s(x), s(y)
    pooled = np.concatenate([sx, sy])
    stat = sx.sum() - sy.sum()
    effect = (sx.mean() - sy.mean()) / np.std(pooled, ddof=1)
    total = pooled.sum()
    perm = np.argsort(rng.random((args.permutations, 2 * k)), axis=1)[:, :k]
    null = 2 * pooled[perm].sum(axis=1) - total
    return stat, effect, float(np.mean(null > stat))


times = []
for _ in range(args.runs):
    t = time.perf_counter()
    stat, effect, p = run()
    times.append(time.perf_counter() - t)
print(json.dumps({"task": "llm-seat", "library": "numpy " + np.__version__, "rows": 4 * k,
                  "seconds_median": sorted(times)[len(times) // 2], "seconds_all": times,
                  "results": {"statistic": float(stat), "effect_size": float(effect), "p_value": p}}))
