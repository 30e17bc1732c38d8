"""scikit-learn 1.9.1 HistGradientBoostingClassifier and LightGBM 4.7 on the inputs of
`biaskit-bench gbm-fit-adult` / `gbm-fit-synthetic`, same settings (100 iterations, 31 leaves,
min 20 rows per leaf, 255 bins, learning rate 0.1, no early stopping), 2 threads.

    /work/venvs/gbm/bin/python scripts/bench/learners/bench_gbm.py adult --runs 5
    /work/venvs/gbm/bin/python scripts/bench/learners/bench_gbm.py synthetic --rows 1000000

Prints one JSON line per library (wall and CPU seconds, test accuracy / train accuracy).
The synthetic rows are drawn by NumPy with the same recipe as the Swift job (x ~ U(0,1)^p,
y = 1[sum_j sin(3 x_j + j) + U(-0.5, 0.5) > 0]), not the same numbers.
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import pandas as pd


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(runs, fit):
    wall, cpus, model = [], [], None
    for _ in range(runs):
        c, t = cpu(), time.perf_counter()
        model = fit()
        wall.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return model, wall, cpus


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["adult", "synthetic"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--library", choices=["sklearn", "lightgbm", "both"], default="both")
    parser.add_argument("--shared", default=os.environ.get("BIASKIT_SHARED", "../shared"))
    a = parser.parse_args()
    if a.task == "adult":
        tr = pd.read_csv(f"{a.shared}/fixtures/adult_train_design.csv")
        te = pd.read_csv(f"{a.shared}/fixtures/adult_test_design.csv")
        cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
        X, y = tr[cols].to_numpy(float), tr["y"].to_numpy()
        Xt, yt = te[cols].to_numpy(float), te["y"].to_numpy()
    else:
        rng = np.random.default_rng(7)
        X = rng.uniform(size=(a.rows, a.columns))
        y = ((np.sin(3 * X + np.arange(a.columns)).sum(axis=1) + rng.uniform(size=a.rows) - 0.5) > 0).astype(int)
        Xt, yt = X, y
    libs = ["sklearn", "lightgbm"] if a.library == "both" else [a.library]
    for lib in libs:
        if lib == "sklearn":
            from sklearn.ensemble import HistGradientBoostingClassifier
            make = lambda: HistGradientBoostingClassifier(early_stopping=False).fit(X, y)
            version = __import__("sklearn").__version__
        else:
            import lightgbm
            make = lambda: lightgbm.LGBMClassifier(
                n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
                min_child_weight=1e-3, max_bin=255, reg_lambda=0.0, subsample=1.0,
                colsample_bytree=1.0, n_jobs=2, verbose=-1).fit(X, y)
            version = lightgbm.__version__
        model, wall, cpus = timed(a.runs, make)
        c, t = cpu(), time.perf_counter()
        for _ in range(10):
            p = model.predict_proba(Xt)[:, 1]
        predict_wall, predict_cpu = (time.perf_counter() - t) / 10, (cpu() - c) / 10
        print(json.dumps({
            "task": f"gbm-fit-{a.task}", "library": f"{lib} {version}", "rows": int(X.shape[0]),
            "seconds_median": float(np.median(wall)), "seconds_all": wall, "cpu_seconds_all": cpus,
            "predict_seconds": predict_wall, "predict_cpu_seconds": predict_cpu,
            "accuracy": float(np.mean((p > 0.5) == yt)), "peak_rss_mb": peak_rss_mb(),
        }))


if __name__ == "__main__":
    main()
