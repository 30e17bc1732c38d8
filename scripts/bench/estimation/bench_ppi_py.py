"""ppi_py 0.2.3's side of the Estimation benchmarks, on the data the Swift side reads.

    PY=/work/venvs/estimate/bin/python
    $PY scripts/bench/estimation/bench_ppi_py.py --export          # writes $BENCH_DATA/estimation/*.npy
    $PY scripts/bench/estimation/bench_ppi_py.py --runs 3          # times ppi_py, prints JSON lines

The data (seeded): 10,000 labelled + 1,000,000 unlabelled rows.
- mean: Y ~ N(1, 1), Yhat = 0.8 Y + 0.3 + N(0, 0.5), a group code 0..9 per row;
- ols: 20 covariates (an intercept and 19 standard normals), Y = X beta + N(0, 1),
  Yhat = Y + 0.3 x1 + N(0, 0.7);
- logistic: the same X, Y ~ Bernoulli(expit(X beta / 3)), Yhat = a noisy, biased probability.

Each job times what `biaskit estimate` reports, the point estimate and its interval with the
tuned lambda: `ppi_*_pointestimate(lam=None)` and `ppi_*_ci(lam=None)`, after one warm-up call
(numba compiles `_ols_get_stats` / `_logistic_get_stats` on first use; not counted). The
per-group job runs the mean for each of the 10 groups. Results (point estimates, interval
ends) are printed for a cross-check with the Swift side.
"""
import argparse
import json
import os
import time

import numpy as np

N_LABELLED, N_UNLABELLED, D = 10_000, 1_000_000, 20


def folder():
    base = os.environ.get("BENCH_DATA", "/tmp/anchors-data")
    path = os.path.join(base, "estimation")
    os.makedirs(path, exist_ok=True)
    return path


def export():
    rng = np.random.default_rng(19)
    n, N = N_LABELLED, N_UNLABELLED
    m = n + N
    Y = rng.normal(1.0, 1.0, m)
    Yhat = 0.8 * Y + 0.3 + rng.normal(0, 0.5, m)
    g = rng.integers(0, 10, m).astype(float)
    d = folder()
    np.save(f"{d}/mean_labelled.npy", np.column_stack([Y[:n], Yhat[:n], g[:n]]))
    np.save(f"{d}/mean_unlabelled.npy", np.column_stack([Yhat[n:], g[n:]]))
    X = np.column_stack([np.ones(m), rng.normal(0, 1, (m, D - 1))])
    beta = rng.normal(0, 1, D)
    Yr = X @ beta + rng.normal(0, 1, m)
    Yhr = Yr + 0.3 * X[:, 1] + rng.normal(0, 0.7, m)
    np.save(f"{d}/ols_labelled.npy", np.column_stack([Yr[:n], Yhr[:n], X[:n]]))
    np.save(f"{d}/ols_unlabelled.npy", np.column_stack([Yhr[n:], X[n:]]))
    p = 1 / (1 + np.exp(-(X @ beta) / 3))
    Yl = (rng.uniform(size=m) < p).astype(float)
    Yhl = np.clip(p + 0.1 * X[:, 2] + rng.normal(0, 0.1, m), 0.01, 0.99)
    np.save(f"{d}/logistic_labelled.npy", np.column_stack([Yl[:n], Yhl[:n], X[:n]]))
    np.save(f"{d}/logistic_unlabelled.npy", np.column_stack([Yhl[n:], X[n:]]))
    print(f"wrote {d}")


def load(name):
    d = folder()
    return np.load(f"{d}/{name}_labelled.npy"), np.load(f"{d}/{name}_unlabelled.npy")


def timed(runs, body):
    body()  # warm-up (numba compilation)
    seconds, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = body()
        seconds.append(time.perf_counter() - t)
    return seconds, result


def emit(task, seconds, results):
    s = sorted(seconds)
    print(json.dumps({"task": task, "library": "ppi_py 0.2.3", "rows": N_LABELLED + N_UNLABELLED,
                      "seconds_median": s[len(s) // 2], "seconds_min": s[0], "seconds_all": seconds,
                      "results": results}, sort_keys=True), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    if a.export:
        export()
        return
    from ppi_py import (ppi_logistic_ci, ppi_logistic_pointestimate, ppi_mean_ci,
                        ppi_mean_pointestimate, ppi_ols_ci, ppi_ols_pointestimate)

    if a.only in ("", "mean", "groups"):
        L, U = load("mean")
        Y, Yh, Yu = L[:, 0], L[:, 1], U[:, 0]
        if a.only in ("", "mean"):
            def mean():
                return ppi_mean_pointestimate(Y, Yh, Yu), ppi_mean_ci(Y, Yh, Yu)
            s, (p, (lo, hi)) = timed(a.runs, mean)
            emit("estimation-mean", s, {"point": float(p[0]), "lower": float(lo[0]), "upper": float(hi[0])})
        if a.only in ("", "groups"):
            gl, gu = L[:, 2], U[:, 1]

            def groups():
                out = []
                for k in range(10):
                    yl, yhl, yu = Y[gl == k], Yh[gl == k], Yu[gu == k]
                    out.append((ppi_mean_pointestimate(yl, yhl, yu), ppi_mean_ci(yl, yhl, yu)))
                return out
            s, out = timed(a.runs, groups)
            emit("estimation-mean-groups", s, {"points": [float(p[0]) for p, _ in out],
                                               "lowers": [float(c[0][0]) for _, c in out]})
    if a.only in ("", "ols"):
        L, U = load("ols")
        Y, Yh, X, Yu, Xu = L[:, 0], L[:, 1], L[:, 2:], U[:, 0], U[:, 1:]

        def ols():
            return ppi_ols_pointestimate(X, Y, Yh, Xu, Yu), ppi_ols_ci(X, Y, Yh, Xu, Yu)
        s, (p, (lo, hi)) = timed(a.runs, ols)
        emit("estimation-ols", s, {"point": p[:3].tolist(), "lower": lo[:3].tolist()})
    if a.only in ("", "logistic"):
        L, U = load("logistic")
        Y, Yh, X, Yu, Xu = L[:, 0], L[:, 1], L[:, 2:], U[:, 0], U[:, 1:]

        def logistic():
            return ppi_logistic_pointestimate(X, Y, Yh, Xu, Yu), ppi_logistic_ci(X, Y, Yh, Xu, Yu)
        s, (p, (lo, hi)) = timed(a.runs, logistic)
        emit("estimation-logistic", s, {"point": p[:3].tolist(), "lower": lo[:3].tolist()})


if __name__ == "__main__":
    main()
