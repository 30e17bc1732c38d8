"""Reference fixtures for `biaskit audit --task multiclass`, made with the real libraries.

Run from the repository root (scikit-learn 1.9.1, fairlearn 0.15.0, numpy 2.4.6, pandas):

    /work/venvs/audit/bin/python Tests/BiasKitTests/Fixtures/Audit/make_multiclass_fixtures.py

Writes, in this folder: multiclass.csv, multiclass-int.csv, audit-multiclass.json (~5 s).

* The multiclass metrics go through fairlearn's `MetricFrame` with scikit-learn's functions
  (`accuracy_score`, `balanced_accuracy_score`, `precision/recall/f1_score(average=…,
  zero_division=0)`, `matthews_corrcoef`, `roc_auc_score(multi_class="ovr"|"ovo",
  average="macro"|"weighted", labels=classes)`, `log_loss(labels=classes)`,
  `brier_score_loss(labels=classes)`, `top_k_accuracy_score(k=2, labels=classes)`).
  fairlearn's MetricFrame only splits 1-D sample parameters, so the probability metrics get
  the row numbers and look their rows up in the n × K matrix.
* One-vs-rest: for each class c, fairlearn's MetricFrame of `y_true == c`, `y_pred == c`
  (count, selection_rate, true/false_positive_rate, precision, recall, f1, and roc_auc of the
  class's probability column) and fairlearn's demographic parity / equalized odds / equal
  opportunity difference and ratio (`method="between_groups"` and `"to_overall"`).
  The worst value over the classes (BiasKit's definition) is the largest difference or the
  smallest ratio, NaN classes skipped.
"""
from __future__ import annotations

import json
import math
import os
import warnings
from importlib import metadata

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
    top_k_accuracy_score,
)

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "Tests/BiasKitTests/Fixtures/Audit/"


def clean(obj):
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        obj = float(obj)
    if isinstance(obj, float):
        return None if (math.isnan(obj) or math.isinf(obj)) else obj
    return obj


def key(k):
    return "|".join(str(x) for x in k) if isinstance(k, tuple) else str(k)


def safe(f):
    def g(*a, **k):
        try:
            return f(*a, **k)
        except (ValueError, ZeroDivisionError):
            return float("nan")
    return g


def hundredths(rng, logits):
    """Probabilities in hundredths (many ties, exact 0 and 1) summing to 1."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    counts = np.array([rng.multinomial(100, row) for row in p])
    return counts / 100.0


def build(seed, n, classes, name, integer=False):
    rng = np.random.default_rng(seed)
    k = len(classes)
    a = rng.choice(["a0", "a1", "a2"], n, p=[0.5, 0.35, 0.15])
    b = rng.choice(["b0", "b1"], n, p=[0.6, 0.4])
    truth = rng.choice(k, n, p=np.linspace(2, 1, k) / np.linspace(2, 1, k).sum())
    # The last class never occurs as a true class in a1|b0 (it is still predicted there).
    absent = (a == "a1") & (b == "b0") & (truth == k - 1)
    truth[absent] = 0
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), truth] += 1.2 + 0.6 * (a == "a0")
    P = hundredths(rng, logits)
    pred = np.argmax(P + rng.normal(0, 0.05, P.shape), axis=1)
    # One row alone in a2|b1: it keeps the first such row only.
    lone = np.flatnonzero((a == "a2") & (b == "b1"))
    b[lone[1:]] = "b0"
    w = np.round(rng.uniform(0.25, 4, n), 3)
    labels = np.array(classes, dtype=object)
    df = pd.DataFrame({"y_true": labels[truth], "y_pred": labels[pred]})
    for j, c in enumerate(classes):
        df[f"p_{c}"] = P[:, j]
    df["weight"] = w
    df["a"] = a
    df["b"] = b
    df["ctrl"] = rng.choice(["c0", "c1"], n)
    df.to_csv(os.path.join(HERE, name), index=False, float_format="%.2f")
    # Read back as the audit reads it.
    return pd.read_csv(os.path.join(HERE, name), keep_default_na=False)


MULTICLASS = [
    "accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro",
    "precision_weighted", "recall_weighted", "f1_weighted", "precision_micro", "recall_micro",
    "f1_micro", "matthews_corrcoef",
]
PROBABILITY = [
    "roc_auc_ovr", "roc_auc_ovr_weighted", "roc_auc_ovo", "roc_auc_ovo_weighted", "log_loss",
    "brier_score", "top_k_accuracy",
]
OVR = ["count", "selection_rate", "true_positive_rate", "false_positive_rate", "precision",
       "recall", "f1"]
FAIRNESS = {
    "demographic_parity_difference": demographic_parity_difference,
    "demographic_parity_ratio": demographic_parity_ratio,
    "equalized_odds_difference": equalized_odds_difference,
    "equalized_odds_ratio": equalized_odds_ratio,
    "equal_opportunity_difference": equal_opportunity_difference,
    "equal_opportunity_ratio": equal_opportunity_ratio,
}


def label_metric(name, weighted):
    zd = dict(zero_division=0)
    base = {
        "accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score,
        "matthews_corrcoef": matthews_corrcoef,
    }
    if name in base:
        f = base[name]
    else:
        score, average = name.split("_")
        g = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[score]

        def f(yt, yp, sample_weight=None, g=g, average=average):
            return g(yt, yp, average=average, sample_weight=sample_weight, **zd)
    if weighted:
        return lambda yt, yp, sample_weight: f(yt, yp, sample_weight=sample_weight)
    return lambda yt, yp: f(yt, yp)


def probability_metric(name, P, classes, weighted):
    def f(yt, yp, rows, sample_weight=None):
        s = P[np.asarray(rows, dtype=np.int64)]
        kw = {} if sample_weight is None else {"sample_weight": sample_weight}
        if name.startswith("roc_auc"):
            multi = "ovo" if "ovo" in name else "ovr"
            average = "weighted" if name.endswith("weighted") else "macro"
            return roc_auc_score(yt, s, multi_class=multi, average=average, labels=classes,
                                 **kw)
        if name == "log_loss":
            return log_loss(yt, s, labels=classes, **kw)
        if name == "brier_score":
            return brier_score_loss(yt, s, labels=classes, **kw)
        return top_k_accuracy_score(yt, s, k=2, labels=classes, **kw)
    if weighted:
        return lambda yt, yp, rows, sample_weight: f(yt, yp, rows, sample_weight)
    return lambda yt, yp, rows: f(yt, yp, rows)


def aggregates(mf, names):
    def agg(x):
        if isinstance(x, pd.DataFrame):
            return {m: {key(i): x.loc[i, m] for i in x.index} for m in names}
        return {m: x[m] for m in names}
    bg = mf.by_group
    return {
        "overall": agg(mf.overall),
        "by_group": {m: {key(g): bg.loc[g, m] for g in bg.index} for m in names},
        "difference_between_groups": agg(mf.difference(method="between_groups")),
        "difference_to_overall": agg(mf.difference(method="to_overall")),
        "ratio_between_groups": agg(mf.ratio(method="between_groups")),
        "ratio_to_overall": agg(mf.ratio(method="to_overall")),
        "group_min": agg(mf.group_min()),
        "group_max": agg(mf.group_max()),
    }


def audit_case(df, *, input_name, classes, sensitive, control=(), weight=None,
               probabilities=True):
    sensitive, control = list(sensitive), list(control)
    yt = df["y_true"].to_numpy()
    yp = df["y_pred"].to_numpy()
    P = df[[f"p_{c}" for c in classes]].to_numpy(dtype=float)
    w = df[weight].to_numpy(dtype=float) if weight else None
    rows = np.arange(len(df))
    sf = df[sensitive].astype(str)
    cf = df[control].astype(str) if control else None
    names = ["count"] + MULTICLASS + (PROBABILITY if probabilities else [])
    if w is not None:
        names = [m for m in names if not m.startswith("roc_auc_ovo")]  # sklearn refuses weights
    funcs, params = {}, {}
    for m in names:
        if m == "count":
            funcs[m] = lambda yt_, yp_: count(yt_, yp_)
            continue
        p = {}
        if m in PROBABILITY:
            funcs[m] = safe(probability_metric(m, P, classes, w is not None))
            p["rows"] = rows
        else:
            funcs[m] = safe(label_metric(m, w is not None))
        if w is not None:
            p["sample_weight"] = w
        params[m] = p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = MetricFrame(metrics=funcs, y_true=yt, y_pred=yp, sensitive_features=sf,
                         control_features=cf, sample_params=params)
        frame = aggregates(mf, names)
        # Confusion matrices (unweighted counts, rows true, columns predicted).
        groups = df[control + sensitive].astype(str).agg("|".join, axis=1).to_numpy()
        matrices = {g: confusion_matrix(yt[groups == g], yp[groups == g], labels=classes).tolist()
                    for g in sorted(set(groups))}
        one_vs_rest = {}
        for j, c in enumerate(classes):
            bt = (yt == c).astype(int)
            bp = (yp == c).astype(int)
            ovr_funcs = {
                "count": lambda a, b_: count(a, b_),
                "selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
                "false_positive_rate": false_positive_rate,
                "precision": lambda a, b_, **k: precision_score(a, b_, zero_division=0, **k),
                "recall": lambda a, b_, **k: recall_score(a, b_, zero_division=0, **k),
                "f1": lambda a, b_, **k: f1_score(a, b_, zero_division=0, **k),
            }
            ovr_params = {m: {"sample_weight": w} for m in OVR if m != "count"} if w is not None \
                else {}
            names_c = list(OVR)
            if probabilities:
                score = P[:, j]

                def auc(a, b_, rows, sample_weight=None, score=score):
                    return roc_auc_score(a, score[np.asarray(rows, dtype=np.int64)],
                                         sample_weight=sample_weight)
                ovr_funcs["roc_auc"] = safe(auc)
                ovr_params["roc_auc"] = {"rows": rows} | (
                    {"sample_weight": w} if w is not None else {})
                names_c.append("roc_auc")
            mfc = MetricFrame(metrics=ovr_funcs, y_true=bt, y_pred=bp, sensitive_features=sf,
                              control_features=cf, sample_params=ovr_params or None)
            fairness = {}
            for fname, f in FAIRNESS.items():
                for method, suffix in (("between_groups", ""), ("to_overall", "_to_overall")):
                    kw = {"method": method}
                    if w is not None:
                        kw["sample_weight"] = w
                    if control:
                        fairness[fname + suffix] = {}
                        for level in sorted(set(cf.agg("|".join, axis=1))):
                            m = (cf.agg("|".join, axis=1) == level).to_numpy()
                            kw2 = dict(kw)
                            if w is not None:
                                kw2["sample_weight"] = w[m]
                            fairness[fname + suffix][level] = f(
                                bt[m], bp[m], sensitive_features=sf[m], **kw2)
                    else:
                        fairness[fname + suffix] = f(bt, bp, sensitive_features=sf, **kw)
            one_vs_rest[c] = {"metric_frame": aggregates(mfc, names_c), "fairness": fairness}

    def worst(fname):
        ratio = "ratio" in fname

        def pick(values):
            values = [v for v in values if not math.isnan(v)]
            return float("nan") if not values else (min(values) if ratio else max(values))
        first = one_vs_rest[classes[0]]["fairness"][fname]
        if isinstance(first, dict):
            return {lv: pick([one_vs_rest[c]["fairness"][fname][lv] for c in classes])
                    for lv in first}
        return pick([one_vs_rest[c]["fairness"][fname] for c in classes])

    worst_over_classes = {f + s: worst(f + s) for f in FAIRNESS for s in ("", "_to_overall")}
    return {
        "input": PREFIX + input_name,
        "task": "multiclass",
        "classes": [str(c) for c in classes],
        "columns": {"y_true": "y_true", "y_pred": "y_pred",
                    "y_score": [f"p_{c}" for c in classes] if probabilities else None,
                    "sample_weight": weight},
        "sensitive_features": sensitive, "control_features": control,
        "params": {"top_k": 2, "zero_division": 0},
        "metrics": names,
        "group_keys": [key(g) for g in mf.by_group.index],
        "metric_frame": frame,
        "confusion_matrices": matrices,
        "one_vs_rest": one_vs_rest,
        "worst_over_classes": worst_over_classes,
    }


def main():
    strings = ["ant", "bee", "cat", "dog"]
    df = build(20261203, 2000, strings, "multiclass.csv")
    # Integer classes: np.unique sorts them numerically (2 < 10 < 33), not as text.
    ints = [2, 10, 33]
    di = build(7, 600, ints, "multiclass-int.csv", integer=True)
    assert sorted(np.unique(di["y_true"])) == ints
    cases = {
        "mc-a-b": audit_case(df, input_name="multiclass.csv", classes=strings,
                             sensitive=["a", "b"]),
        "mc-a-b-weighted": audit_case(df, input_name="multiclass.csv", classes=strings,
                                      sensitive=["a", "b"], weight="weight"),
        "mc-a-ctrl": audit_case(df, input_name="multiclass.csv", classes=strings,
                                sensitive=["a"], control=["ctrl"]),
        "mc-int-a": audit_case(di, input_name="multiclass-int.csv", classes=ints,
                               sensitive=["a"]),
        "mc-labels-only-b": audit_case(df, input_name="multiclass.csv", classes=strings,
                                       sensitive=["b"], probabilities=False),
    }
    out = {
        "about": "biaskit audit --task multiclass references; made by make_multiclass_fixtures.py",
        "versions": {d: metadata.version(d)
                     for d in ("numpy", "pandas", "scikit-learn", "fairlearn")},
        "cases": cases,
    }
    with open(os.path.join(HERE, "audit-multiclass.json"), "w") as f:
        json.dump(clean(out), f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
