"""Reference Wilson score intervals for `biaskit audit --wilson`, made with statsmodels.

Run from the repository root (statsmodels 0.15.0, scipy 1.17.1, pandas):

    /work/venvs/audit/bin/python Tests/BiasKitTests/Fixtures/Audit/make_wilson_fixtures.py

Reads compas-predictions.csv (beside this file), writes audit-wilson.json: for sensitive
`race` (and `sex` x `race`), at confidence 0.95 and 0.9, each group's (and all rows')
`statsmodels.stats.proportion.proportion_confint(x, n, alpha, method="wilson")` for the rates
selection_rate (x = predicted positives, n = rows), accuracy (correct / rows), precision
(tp / predicted positives), true_positive_rate (tp / positives), false_positive_rate
(fp / negatives), true_negative_rate, false_negative_rate. n = 0 gives null.
"""
from __future__ import annotations

import json
import os
from importlib import metadata

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))
RATES = ["selection_rate", "accuracy", "precision", "true_positive_rate",
         "false_positive_rate", "true_negative_rate", "false_negative_rate"]


def counts(y, p):
    tp = int(((y == 1) & (p == 1)).sum())
    fp = int(((y == 0) & (p == 1)).sum())
    tn = int(((y == 0) & (p == 0)).sum())
    fn = int(((y == 1) & (p == 0)).sum())
    return {
        "selection_rate": (tp + fp, tp + fp + tn + fn),
        "accuracy": (tp + tn, tp + fp + tn + fn),
        "precision": (tp, tp + fp),
        "true_positive_rate": (tp, tp + fn),
        "false_positive_rate": (fp, fp + tn),
        "true_negative_rate": (tn, tn + fp),
        "false_negative_rate": (fn, fn + tp),
    }


def intervals(y, p, confidence):
    out = {}
    for metric, (x, n) in counts(y, p).items():
        if n == 0:
            out[metric] = None
            continue
        lo, hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        out[metric] = [float(lo), float(hi)]
    return out


def main():
    df = pd.read_csv(os.path.join(HERE, "compas-predictions.csv"))
    y = df["y_true"].to_numpy()
    p = df["y_pred"].to_numpy()
    cases = {}
    for sensitive in (["race"], ["sex", "race"]):
        key = df[sensitive].astype(str).agg("|".join, axis=1).to_numpy()
        for confidence in (0.95, 0.9):
            cases[f"{'-'.join(sensitive)}-{confidence}"] = {
                "sensitive_features": sensitive, "confidence": confidence,
                "overall": intervals(y, p, confidence),
                "by_group": {g: intervals(y[key == g], p[key == g], confidence)
                             for g in sorted(set(key))},
            }
    out = {"about": "statsmodels proportion_confint(method='wilson'); make_wilson_fixtures.py",
           "input": "Tests/BiasKitTests/Fixtures/Audit/compas-predictions.csv",
           "rates": RATES,
           "versions": {d: metadata.version(d) for d in ("statsmodels", "scipy", "pandas")},
           "cases": cases}
    with open(os.path.join(HERE, "audit-wilson.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
