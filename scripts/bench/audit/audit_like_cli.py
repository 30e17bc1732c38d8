"""What `biaskit audit` does by default, done with fairlearn 0.15: the Python process to time
beside the `biaskit audit` process on the same file.

    /work/venv/bin/python scripts/bench/audit/audit_like_cli.py FILE --sensitive a,b \
        [--y-true y_true] [--y-pred y_pred] [--y-score y_score] [--output out.json]

Reads FILE with pandas; one MetricFrame with the default metric set (the 12 confusion-matrix
metrics, plus roc_auc, average_precision, brier_score, log_loss and
expected_calibration_error when --y-score is given, the score passed per group through
sample_params); every aggregate (overall, by_group, difference/ratio between_groups and
to_overall, group_min/max); the fairness scalars (demographic parity, equalized odds,
equal opportunity: difference and ratio); JSON on stdout or --output. Timings (seconds) of
each phase go to stderr as one JSON line.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from fairlearn.metrics import (  # noqa: E402
    MetricFrame, count, demographic_parity_difference, demographic_parity_ratio,
    equal_opportunity_difference, equal_opportunity_ratio, equalized_odds_difference,
    equalized_odds_ratio, false_negative_rate, false_positive_rate, selection_rate,
    true_negative_rate, true_positive_rate)
from sklearn.metrics import (  # noqa: E402
    accuracy_score, average_precision_score, balanced_accuracy_score, brier_score_loss,
    f1_score, log_loss, matthews_corrcoef, precision_score, recall_score, roc_auc_score)

T_IMPORT = time.perf_counter()


def ece(y, p, bins=10):
    idx = np.minimum(np.floor(p * bins).astype(np.int64), bins - 1)
    n = np.bincount(idx, minlength=bins)
    sy = np.bincount(idx, weights=y, minlength=bins)
    sp = np.bincount(idx, weights=p, minlength=bins)
    return float(np.abs(sy - sp).sum() / len(p))


def safe(f):
    def g(*a, **k):
        try:
            return f(*a, **k)
        except Exception:  # noqa: BLE001
            return float("nan")
    return g


def clean(o):
    if isinstance(o, dict):
        return {str(k): clean(v) for k, v in o.items()}
    if isinstance(o, (np.floating, float)):
        o = float(o)
        return None if math.isnan(o) or math.isinf(o) else o
    if isinstance(o, np.integer):
        return int(o)
    return o


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--y-true", default="y_true")
    ap.add_argument("--y-pred", default="y_pred")
    ap.add_argument("--y-score")
    ap.add_argument("--sensitive", required=True)
    ap.add_argument("--output")
    a = ap.parse_args()
    sens = a.sensitive.split(",")
    t = {"import": T_IMPORT - T0}
    t1 = time.perf_counter()
    cols = [a.y_true, a.y_pred] + ([a.y_score] if a.y_score else []) + sens
    df = pd.read_csv(a.file, usecols=cols, dtype={c: str for c in sens})
    yt, yp = df[a.y_true].to_numpy(), df[a.y_pred].to_numpy()
    t["read"] = time.perf_counter() - t1
    zd = dict(zero_division=0)
    metrics = {
        "count": count, "selection_rate": selection_rate, "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
        "precision": lambda y, p: precision_score(y, p, **zd),
        "recall": lambda y, p: recall_score(y, p, **zd),
        "f1": lambda y, p: f1_score(y, p, **zd),
        "true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate,
        "true_negative_rate": true_negative_rate, "false_negative_rate": false_negative_rate,
        "matthews_corrcoef": matthews_corrcoef,
    }
    params = {}
    if a.y_score:
        s = df[a.y_score].to_numpy()
        score = {
            "roc_auc": lambda y, p, s: roc_auc_score(y, s),
            "average_precision": lambda y, p, s: average_precision_score(y, s),
            "brier_score": lambda y, p, s: brier_score_loss(y, s),
            "log_loss": lambda y, p, s: log_loss(y, s, labels=[0, 1]),
            "expected_calibration_error": lambda y, p, s: ece(y, s),
        }
        metrics.update(score)
        params = {m: {"s": s} for m in score}
    t1 = time.perf_counter()
    mf = MetricFrame(metrics={m: safe(f) for m, f in metrics.items()}, y_true=yt, y_pred=yp,
                     sensitive_features=df[sens], sample_params=params or None)
    bg = mf.by_group
    out = {
        "rows": len(df), "sensitive_features": sens, "metrics": list(metrics),
        "overall": dict(mf.overall),
        "by_group": {"|".join(map(str, g if isinstance(g, tuple) else (g,))): dict(bg.loc[g])
                     for g in bg.index},
        "difference_between_groups": dict(mf.difference(method="between_groups")),
        "difference_to_overall": dict(mf.difference(method="to_overall")),
        "ratio_between_groups": dict(mf.ratio(method="between_groups")),
        "ratio_to_overall": dict(mf.ratio(method="to_overall")),
        "group_min": dict(mf.group_min()), "group_max": dict(mf.group_max()),
    }
    t["metricframe"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    sf = df[sens]
    out["fairness"] = {
        "demographic_parity_difference": demographic_parity_difference(yt, yp, sensitive_features=sf),
        "demographic_parity_ratio": demographic_parity_ratio(yt, yp, sensitive_features=sf),
        "equalized_odds_difference": equalized_odds_difference(yt, yp, sensitive_features=sf),
        "equalized_odds_ratio": equalized_odds_ratio(yt, yp, sensitive_features=sf),
        "equal_opportunity_difference": equal_opportunity_difference(yt, yp, sensitive_features=sf),
        "equal_opportunity_ratio": equal_opportunity_ratio(yt, yp, sensitive_features=sf),
    }
    t["fairness"] = time.perf_counter() - t1
    text = json.dumps(clean(out), indent=1)
    if a.output:
        with open(a.output, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text + "\n")
    t["total_in_process"] = time.perf_counter() - T0
    print(json.dumps({k: round(v, 4) for k, v in t.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
