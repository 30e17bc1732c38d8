"""PriDe in NumPy (the fixture script's implementation, vectorised) on n synthetic questions of
m options, 5% answered under every cyclic permutation; timed like biaskit-bench llm-pride.
  python bench_pride.py --questions 100000 --options 4 --runs 5
"""
import argparse
import json
import time

import numpy as np

EPS = 1e-10
parser = argparse.ArgumentParser()
parser.add_argument("--questions", type=int, default=100_000)
parser.add_argument("--options", type=int, default=4)
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()
n, m = args.questions, args.options
rng = np.random.default_rng(11)
prior = 1 / (np.arange(m) + 2)
answers = rng.integers(0, m, n)
content = 0.2 + rng.uniform(size=(n, m))
content[np.arange(n), answers] += 1
shift = (np.arange(m)[None, :] + np.arange(m)[:, None]) % m  # [p, i] -> original option
obs = prior[None, None, :] * content[:, shift]  # n x m(perm) x m(position)
obs /= obs.sum(axis=2, keepdims=True)
probs = obs[:, 0, :]
est_all = np.arange(0, n, 20)


def run():
    est = rng.choice(est_all, int(n * 0.05), replace=False)
    block = obs[est] / (obs[est].sum(axis=2, keepdims=True) + EPS)
    lm = np.log(block + EPS).mean(axis=1)
    e = np.exp(lm - lm.max(axis=1, keepdims=True))
    priors = e / (e.sum(axis=1, keepdims=True) + EPS)
    p = priors.mean(axis=0)
    debiased = np.zeros((len(est), m))
    for q in range(m):
        np.add.at(debiased, (slice(None), shift[q]), block[:, q, :])
    after = np.argmax(np.log(probs + EPS) - np.log(p + EPS), axis=1)
    after[est] = debiased.argmax(axis=1)
    before = probs.argmax(axis=1)
    out = {}
    for name, pred in [("before", before), ("after", after)]:
        rec = np.array([np.mean(pred[answers == i] == i) for i in range(m)])
        out[name] = (float(np.mean(pred == answers)), float(np.std(rec)))
    return p, out


times = []
for _ in range(args.runs):
    t = time.perf_counter()
    p, out = run()
    times.append(time.perf_counter() - t)
print(json.dumps({"task": "llm-pride", "library": "numpy " + np.__version__, "rows": n,
                  "seconds_median": sorted(times)[len(times) // 2], "seconds_all": times,
                  "results": {"prior": p.tolist(), **out}}))
