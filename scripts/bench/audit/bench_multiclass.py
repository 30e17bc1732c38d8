"""Python side of the multiclass audit benchmark (issue #14): fairlearn 0.15 MetricFrame with
scikit-learn 1.9.1 metrics on 1M rows, 5 classes, a probability matrix, sens_a x sens_b.

    /work/venvs/audit/bin/python scripts/bench/audit/bench_multiclass.py --make-data
    /work/venvs/audit/bin/python scripts/bench/audit/bench_multiclass.py --runs 1

The Swift side is `biaskit-bench audit-multiclass` (same file) and the whole process
`biaskit audit $BENCH_DATA/multiclass_1m.csv --task multiclass --y-score-prefix p_
--sensitive sens_a,sens_b --format json`. The data file lives in $BENCH_DATA (default
/work/anchors-data), never in the repository. Prints one JSON line per run:
{"task", "rows", "seconds", "variant", "results": {"overall": {...}}}.

The metrics: accuracy, balanced_accuracy, precision/recall/f1 macro, weighted and micro
(zero_division=0), matthews_corrcoef, roc_auc OvR macro and weighted, log_loss, brier_score,
top-k accuracy (k=2), each through MetricFrame (overall and by group). fairlearn's
MetricFrame splits only 1-D sample parameters, so the probability metrics receive the row
numbers and index the n x 5 matrix (the lookup is part of the measured time, as small as it
can be).
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd

CLASSES = ["c0", "c1", "c2", "c3", "c4"]


def data_path(rows):
    folder = os.environ.get("BENCH_DATA", "/work/anchors-data")
    name = f"{rows // 1_000_000}m" if rows >= 1_000_000 else f"{rows // 1000}k"
    return os.path.join(folder, f"multiclass_{name}.csv")


def make_data(rows, seed=20261203):
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    truth = rng.integers(0, k, rows)
    sens_a = rng.choice(["a0", "a1", "a2"], rows, p=[0.5, 0.3, 0.2])
    sens_b = rng.choice(["b0", "b1", "b2", "b3"], rows)
    logits = rng.normal(0, 1, (rows, k))
    logits[np.arange(rows), truth] += 1.0 + 0.3 * (sens_a == "a0")
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    # Ten-thousandths that sum to exactly 10000: the remainder goes to the largest.
    q = np.floor(p * 10000).astype(np.int64)
    q[np.arange(rows), p.argmax(axis=1)] += 10000 - q.sum(axis=1)
    p = q / 10000.0
    pred = p.argmax(axis=1)
    labels = np.array(CLASSES)
    df = pd.DataFrame({"y_true": labels[truth], "y_pred": labels[pred]})
    for j, c in enumerate(CLASSES):
        df[f"p_{c}"] = p[:, j]
    df["sens_a"] = sens_a
    df["sens_b"] = sens_b
    path = data_path(rows)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    df.to_csv(path, index=False, float_format="%.4f")
    return path


def metrics(P):
    from sklearn.metrics import (
        accuracy_score, balanced_accuracy_score, brier_score_loss, f1_score, log_loss,
        matthews_corrcoef, precision_score, recall_score, roc_auc_score, top_k_accuracy_score)
    zd = dict(zero_division=0)
    m = {
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
        "matthews_corrcoef": matthews_corrcoef,
    }
    for name, f in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
        for average in ("macro", "weighted", "micro"):
            m[f"{name}_{average}"] = (
                lambda yt, yp, f=f, average=average: f(yt, yp, average=average, **zd))
    prob = {
        "roc_auc_ovr": lambda yt, s: roc_auc_score(yt, s, multi_class="ovr", labels=CLASSES),
        "roc_auc_ovr_weighted": lambda yt, s: roc_auc_score(
            yt, s, multi_class="ovr", average="weighted", labels=CLASSES),
        "log_loss": lambda yt, s: log_loss(yt, s, labels=CLASSES),
        "brier_score": lambda yt, s: brier_score_loss(yt, s, labels=CLASSES),
        "top_k_accuracy": lambda yt, s: top_k_accuracy_score(yt, s, k=2, labels=CLASSES),
    }
    for name, f in prob.items():
        m[name] = lambda yt, yp, rows, f=f: f(yt, P[np.asarray(rows, dtype=np.int64)])
    return m, list(prob)


def run(rows, runs):
    from fairlearn.metrics import MetricFrame
    path = data_path(rows)
    for _ in range(runs):
        start = time.perf_counter()
        df = pd.read_csv(path)
        P = df[[f"p_{c}" for c in CLASSES]].to_numpy()
        funcs, prob = metrics(P)
        n = len(df)
        params = {name: {"rows": np.arange(n)} for name in prob}
        mf = MetricFrame(metrics=funcs, y_true=df["y_true"].to_numpy(),
                         y_pred=df["y_pred"].to_numpy(),
                         sensitive_features=df[["sens_a", "sens_b"]], sample_params=params)
        overall = {k: float(v) for k, v in mf.overall.items()}
        _ = mf.by_group, mf.difference(), mf.ratio()
        seconds = time.perf_counter() - start
        print(json.dumps({"task": "audit-multiclass", "rows": n, "seconds": seconds,
                          "variant": "read+metricframe:a_x_b:5_classes",
                          "results": {"overall": overall}}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--make-data", action="store_true")
    args = parser.parse_args()
    if args.make_data:
        print(make_data(args.rows))
        return
    run(args.rows, args.runs)


if __name__ == "__main__":
    main()
