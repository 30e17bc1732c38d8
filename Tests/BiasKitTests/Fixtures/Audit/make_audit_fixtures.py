"""Reference fixtures for `biaskit audit`, made with the real Python libraries.

Run from the repository root with the project venv (see README.md beside this file):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Audit/make_audit_fixtures.py
    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Audit/make_audit_fixtures.py --bootstrap

Needs the shared folder beside the repository (../shared: COMPAS raw data and the anchors
harness, whose `common.load_compas` builds the COMPAS predictions). Writes, in this folder:

    compas-predictions.csv  edge.csv  labels-yesno.csv  labels-truefalse.csv
    audit-adult.json  audit-compas.json  audit-edge.json  audit-labels.json
    bootstrap-adult.json    (only with --bootstrap; ~10 min on 2 cores)

Versions used: fairlearn 0.15.0, scikit-learn 1.9.1, aif360 0.6.1 (recorded in each JSON).
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SHARED = os.environ.get("BIASKIT_SHARED", os.path.join(ROOT, "..", "shared"))
FIXTURE_PREFIX = "Tests/BiasKitTests/Fixtures/Audit/"

import logging  # noqa: E402

logging.disable(logging.WARNING)  # aif360's import-time notes about optional packages
from aif360.sklearn.metrics import (  # noqa: E402
    between_group_generalized_entropy_error,
    coefficient_of_variation as aif_coefficient_of_variation,
    generalized_entropy_error,
)
from fairlearn.metrics import (  # noqa: E402
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

logging.disable(logging.NOTSET)


# --------------------------------------------------------------------------- #
# metric definitions.  Every function has the signature
#   f(y_true, y_pred, y_score=None, sample_weight=None)
# with 0/1 integer labels (the labels cases map their strings to 0/1 first).
# --------------------------------------------------------------------------- #
def expected_calibration_error(y_true, p, bins=10, sample_weight=None):
    """bins equal-width bins on [0, 1]; bin = min(floor(p*bins), bins-1);
    ECE = sum_b (W_b/W) * |sum_b(w*y)/W_b - sum_b(w*p)/W_b| over non-empty bins."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    w = np.ones_like(p) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    idx = np.minimum(np.floor(p * bins).astype(np.int64), bins - 1)
    W = w.sum()
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if not m.any():
            continue
        Wb = w[m].sum()
        ece += (Wb / W) * abs((w[m] * y[m]).sum() / Wb - (w[m] * p[m]).sum() / Wb)
    return ece


def _b_vector(y_true, y_pred, pos_label=1):
    # exactly as aif360.sklearn.metrics.generalized_entropy_error builds it
    return 1 + (np.asarray(y_pred) == pos_label) - (np.asarray(y_true) == pos_label)


def make_classification_metrics(alpha=2.0, bins=10):
    """name -> (function, takes sample_weight, needs y_score)."""
    zd = dict(zero_division=0)
    M = {
        "count": (lambda yt, yp, **k: count(yt, yp), False, False),
        "selection_rate": (lambda yt, yp, sample_weight=None, **k:
                           selection_rate(yt, yp, sample_weight=sample_weight), True, False),
        "accuracy": (lambda yt, yp, sample_weight=None, **k:
                     accuracy_score(yt, yp, sample_weight=sample_weight), True, False),
        "balanced_accuracy": (lambda yt, yp, sample_weight=None, **k:
                              balanced_accuracy_score(yt, yp, sample_weight=sample_weight),
                              True, False),
        "precision": (lambda yt, yp, sample_weight=None, **k:
                      precision_score(yt, yp, sample_weight=sample_weight, **zd), True, False),
        "recall": (lambda yt, yp, sample_weight=None, **k:
                   recall_score(yt, yp, sample_weight=sample_weight, **zd), True, False),
        "f1": (lambda yt, yp, sample_weight=None, **k:
               f1_score(yt, yp, sample_weight=sample_weight, **zd), True, False),
        "true_positive_rate": (lambda yt, yp, sample_weight=None, **k:
                               true_positive_rate(yt, yp, sample_weight=sample_weight),
                               True, False),
        "false_positive_rate": (lambda yt, yp, sample_weight=None, **k:
                                false_positive_rate(yt, yp, sample_weight=sample_weight),
                                True, False),
        "true_negative_rate": (lambda yt, yp, sample_weight=None, **k:
                               true_negative_rate(yt, yp, sample_weight=sample_weight),
                               True, False),
        "false_negative_rate": (lambda yt, yp, sample_weight=None, **k:
                                false_negative_rate(yt, yp, sample_weight=sample_weight),
                                True, False),
        "matthews_corrcoef": (lambda yt, yp, sample_weight=None, **k:
                              matthews_corrcoef(yt, yp, sample_weight=sample_weight),
                              True, False),
        "roc_auc": (lambda yt, yp, y_score=None, sample_weight=None:
                    roc_auc_score(yt, y_score, sample_weight=sample_weight), True, True),
        "average_precision": (lambda yt, yp, y_score=None, sample_weight=None:
                              average_precision_score(yt, y_score, sample_weight=sample_weight),
                              True, True),
        "brier_score": (lambda yt, yp, y_score=None, sample_weight=None:
                        brier_score_loss(yt, y_score, sample_weight=sample_weight), True, True),
        "log_loss": (lambda yt, yp, y_score=None, sample_weight=None:
                     log_loss(yt, y_score, sample_weight=sample_weight, labels=[0, 1]),
                     True, True),
        "expected_calibration_error": (lambda yt, yp, y_score=None, sample_weight=None:
                                       expected_calibration_error(yt, y_score, bins=bins,
                                                                  sample_weight=sample_weight),
                                       True, True),
        "generalized_entropy_index": (lambda yt, yp, **k:
                                      generalized_entropy_error(np.asarray(yt), np.asarray(yp),
                                                                alpha=alpha), False, False),
        "theil_index": (lambda yt, yp, **k:
                        generalized_entropy_error(np.asarray(yt), np.asarray(yp), alpha=1),
                        False, False),
        "coefficient_of_variation": (lambda yt, yp, **k:
                                     aif_coefficient_of_variation(_b_vector(yt, yp)),
                                     False, False),
    }
    return M


REGRESSION_METRICS = {
    "count": (lambda yt, yp, **k: count(yt, yp), False, False),
    "mean_absolute_error": (lambda yt, yp, sample_weight=None, **k:
                            mean_absolute_error(yt, yp, sample_weight=sample_weight), True, False),
    "mean_squared_error": (lambda yt, yp, sample_weight=None, **k:
                           mean_squared_error(yt, yp, sample_weight=sample_weight), True, False),
    "r2_score": (lambda yt, yp, sample_weight=None, **k:
                 r2_score(yt, yp, sample_weight=sample_weight), True, False),
    "mean_prediction": (lambda yt, yp, sample_weight=None, **k:
                        mean_prediction(yt, yp, sample_weight=sample_weight), True, False),
}


def safe(f):
    """Metric wrapper for MetricFrame: an exception becomes NaN (recorded separately)."""
    @functools.wraps(f)
    def g(*a, **k):
        try:
            return f(*a, **k)
        except Exception:  # noqa: BLE001
            return float("nan")
    return g


# --------------------------------------------------------------------------- #
# JSON helpers
# --------------------------------------------------------------------------- #
def clean(obj):
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.floating):
        obj = float(obj)
    if isinstance(obj, float):
        return None if (math.isnan(obj) or math.isinf(obj)) else obj
    return obj


def key(k):
    if isinstance(k, tuple):
        return "|".join(str(x) for x in k)
    return str(k)


def series_or_frame_to_dict(x, metrics):
    """Aggregates: a Series (metric -> v) without controls; a DataFrame
    (control level -> metric) with controls -> {metric: {ctrlkey: v}}."""
    if isinstance(x, pd.DataFrame):
        return {m: {key(i): x.loc[i, m] for i in x.index} for m in metrics}
    return {m: x[m] for m in metrics}


def versions():
    from importlib import metadata
    import platform
    out = {"python": platform.python_version()}
    for d in ("numpy", "pandas", "scikit-learn", "scipy", "fairlearn", "aif360"):
        out[d] = metadata.version(d)
    return out


def warn_text(w):
    return f"{w.category.__name__}: {w.message}"


def call_recording(f, *a, **k):
    """(value, error text or None, [warning texts])"""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            v = f(*a, **k)
            err = None
        except Exception as e:  # noqa: BLE001
            v, err = float("nan"), f"{type(e).__name__}: {e}"
    msgs = []
    for w in ws:
        t = warn_text(w)
        if t not in msgs:
            msgs.append(t)
    return v, err, msgs


def same(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-15 * max(1.0, abs(a))


# --------------------------------------------------------------------------- #
# one audit case
# --------------------------------------------------------------------------- #
def audit_case(df, *, input_path, task="classification", y_true="y_true", y_pred="y_pred",
               y_score=None, sensitive, control=(), weight=None, metrics=None, alpha=2.0,
               bins=10, label_map=None, note=None):
    sensitive, control = list(sensitive), list(control)
    if task == "classification":
        catalog = make_classification_metrics(alpha=alpha, bins=bins)
    else:
        catalog = REGRESSION_METRICS
    names = [m for m in (metrics or catalog) if y_score is not None or not catalog[m][2]]
    defs = {m: catalog[m] for m in names}

    if label_map is not None:  # string labels -> 0/1 (pos label -> 1)
        yt = (df[y_true].astype(str) == label_map["pos_label"]).astype(np.int64).to_numpy()
        yp = (df[y_pred].astype(str) == label_map["pos_label"]).astype(np.int64).to_numpy()
    elif task == "classification":
        yt = df[y_true].astype(np.int64).to_numpy()
        yp = df[y_pred].astype(np.int64).to_numpy()
    else:
        yt = df[y_true].astype(float).to_numpy()
        yp = df[y_pred].astype(float).to_numpy()
    ys = df[y_score].astype(float).to_numpy() if y_score else None
    w = df[weight].astype(float).to_numpy() if weight else None
    sf = df[sensitive].astype(str)
    cf = df[control].astype(str) if control else None

    weighted = [m for m in names if w is not None and defs[m][1]]
    unweighted = [m for m in names if m not in weighted]
    sample_params = {}
    for m in names:
        p = {}
        if defs[m][2]:
            p["y_score"] = ys
        if m in weighted:
            p["sample_weight"] = w
        if p:
            sample_params[m] = p

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # recorded per group below
        mf = MetricFrame(metrics={m: safe(defs[m][0]) for m in names}, y_true=yt, y_pred=yp,
                         sensitive_features=sf, control_features=cf,
                         sample_params=sample_params or None)
    bg = mf.by_group
    frame = {
        "overall": series_or_frame_to_dict(mf.overall, names),
        "by_group": {m: {key(g): bg.loc[g, m] for g in bg.index} for m in names},
        "difference_between_groups": series_or_frame_to_dict(
            mf.difference(method="between_groups"), names),
        "difference_to_overall": series_or_frame_to_dict(mf.difference(method="to_overall"),
                                                         names),
        "ratio_between_groups": series_or_frame_to_dict(mf.ratio(method="between_groups"),
                                                        names),
        "ratio_to_overall": series_or_frame_to_dict(mf.ratio(method="to_overall"), names),
        "group_min": series_or_frame_to_dict(mf.group_min(), names),
        "group_max": series_or_frame_to_dict(mf.group_max(), names),
    }

    # Errors and warnings, group by group, by calling the raw (unwrapped) functions on the
    # same slices; also a check that our slicing reproduces MetricFrame's numbers.
    errors, warns, overall_errors, overall_warns = {}, {}, {}, {}
    levels = control + sensitive
    cols = df[levels].astype(str)

    def evaluate(mask, m):
        f, _, needs = defs[m]
        kw = {}
        if needs:
            kw["y_score"] = ys[mask]
        if m in weighted:
            kw["sample_weight"] = w[mask]
        return call_recording(f, yt[mask], yp[mask], **kw)

    for g in bg.index:
        gt = g if isinstance(g, tuple) else (g,)
        mask = np.ones(len(df), dtype=bool)
        for c, v in zip(levels, gt):
            mask &= (cols[c] == v).to_numpy()
        if not mask.any():
            continue  # a combination that does not occur: fairlearn gives NaN for all
        for m in names:
            v, err, ws = evaluate(mask, m)
            assert same(v, bg.loc[g, m]), (m, g, v, bg.loc[g, m])
            if err:
                errors.setdefault(m, {})[key(g)] = err
            if ws:
                warns.setdefault(m, {})[key(g)] = "; ".join(ws)
    ctrl_levels = [None] if not control else list(mf.overall.index)
    for cl in ctrl_levels:
        if cl is None:
            mask = np.ones(len(df), dtype=bool)
        else:
            clt = cl if isinstance(cl, tuple) else (cl,)
            mask = np.ones(len(df), dtype=bool)
            for c, v in zip(control, clt):
                mask &= (cols[c] == v).to_numpy()
        for m in names:
            v, err, ws = evaluate(mask, m)
            ref = mf.overall[m] if cl is None else mf.overall.loc[cl, m]
            assert same(v, ref), (m, cl, v, ref)
            k = "overall" if cl is None else key(cl)
            if err:
                overall_errors.setdefault(m, {})[k] = err
            if ws:
                overall_warns.setdefault(m, {})[k] = "; ".join(ws)

    case = {
        "input": input_path,
        "task": task,
        "columns": {"y_true": y_true, "y_pred": y_pred, "y_score": y_score,
                    "sample_weight": weight},
        "pos_label": label_map["pos_label"] if label_map else None,
        "sensitive_features": sensitive,
        "control_features": control,
        "params": {"alpha": alpha, "bins": bins, "zero_division": 0,
                   "log_loss_labels": [0, 1]} if task == "classification" else {},
        "metrics": names,
        "weighted_metrics": weighted,
        "unweighted_metrics": unweighted,
        "group_keys": [key(g) for g in bg.index],
        "metric_frame": frame,
    }

    # inequality indices between groups (aif360), on the whole table (or on each
    # control level's rows), groups = the intersectional sensitive groups; unweighted.
    if task == "classification":
        gkey = sf.agg("|".join, axis=1).to_numpy()

        def between(mask):
            yt_, yp_, g_ = yt[mask], yp[mask], gkey[mask]
            ge = between_group_generalized_entropy_error(yt_, yp_, prot_attr=g_, alpha=alpha)
            # the same with the raw columns as prot_attr (list of arrays) must agree
            ge2 = between_group_generalized_entropy_error(
                yt_, yp_, prot_attr=[sf[c].to_numpy()[mask] for c in sensitive], alpha=alpha)
            assert same(ge, ge2), (ge, ge2)
            th = between_group_generalized_entropy_error(yt_, yp_, prot_attr=g_, alpha=1)
            ge_2 = between_group_generalized_entropy_error(yt_, yp_, prot_attr=g_, alpha=2)
            return {"between_group_generalized_entropy_index": ge,
                    "between_group_theil_index": th,
                    "between_group_coefficient_of_variation": float(np.sqrt(2 * ge_2))}

        if not control:
            case["between_groups"] = between(np.ones(len(df), dtype=bool))
        else:
            out = {}
            for cl in ctrl_levels:
                clt = cl if isinstance(cl, tuple) else (cl,)
                mask = np.ones(len(df), dtype=bool)
                for c, v in zip(control, clt):
                    mask &= (cols[c] == v).to_numpy()
                for k2, v2 in between(mask).items():
                    out.setdefault(k2, {})[key(cl)] = v2
            case["between_groups"] = out

        # fairness scalars (fairlearn functions; they take no control_features, so with
        # controls they are computed on the rows of each control level)
        def scalars(mask):
            sfm = sf[mask].reset_index(drop=True)
            kw = {"sensitive_features": sfm}
            if w is not None:
                kw["sample_weight"] = w[mask]
            a, b = yt[mask], yp[mask]
            out = {}
            for method, suffix in (("between_groups", ""), ("to_overall", "_to_overall")):
                out["demographic_parity_difference" + suffix] = demographic_parity_difference(
                    a, b, method=method, **kw)
                out["demographic_parity_ratio" + suffix] = demographic_parity_ratio(
                    a, b, method=method, **kw)
                for agg, s2 in (("worst_case", ""), ("mean", "_mean")):
                    out["equalized_odds_difference" + s2 + suffix] = equalized_odds_difference(
                        a, b, method=method, agg=agg, **kw)
                    out["equalized_odds_ratio" + s2 + suffix] = equalized_odds_ratio(
                        a, b, method=method, agg=agg, **kw)
                out["equal_opportunity_difference" + suffix] = equal_opportunity_difference(
                    a, b, method=method, **kw)
                out["equal_opportunity_ratio" + suffix] = equal_opportunity_ratio(
                    a, b, method=method, **kw)
            return out

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not control:
                case["fairness"] = scalars(np.ones(len(df), dtype=bool))
            else:
                out = {}
                for cl in ctrl_levels:
                    clt = cl if isinstance(cl, tuple) else (cl,)
                    mask = np.ones(len(df), dtype=bool)
                    for c, v in zip(control, clt):
                        mask &= (cols[c] == v).to_numpy()
                    for k2, v2 in scalars(mask).items():
                        out.setdefault(k2, {})[key(cl)] = v2
                case["fairness"] = out
    case["errors"] = errors
    case["warnings"] = warns
    case["overall_errors"] = overall_errors
    case["overall_warnings"] = overall_warns
    if note:
        case["note"] = note
    return case


# --------------------------------------------------------------------------- #
# inputs
# --------------------------------------------------------------------------- #
def write_csv(df, name):
    path = os.path.join(HERE, name)
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def build_compas():
    sys.path.insert(0, os.path.join(SHARED, "anchors"))
    os.environ.setdefault("COMPAS_CSV", os.path.join(SHARED, "data", "compas",
                                                     "compas-scores-two-years.csv"))
    import common  # the anchors harness: ProPublica filter, 6,172 rows

    c = common.load_compas()
    assert len(c) == 6172, len(c)
    out = pd.DataFrame({
        "y_true": c["y_true"].astype(np.int64),
        "y_pred": c["y_pred"].astype(np.int64),
        "y_score": c["decile_score"].astype(np.int64) / 10.0,
        "sex": c["sex"], "race": c["race"], "age_cat": c["age_cat"],
    })
    write_csv(out, "compas-predictions.csv")
    return out


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def build_edge(n=3000, seed=20261123):
    """Synthetic edge cases (see README.md):
    a in {a0,a1,a2} (p .45/.35/.20), b in {b0..b3} (p .40/.30/.20/.10), ctrl in {c0,c1};
    (a2,b3) absent; (a0,b3) only negative labels; (a1,b2) no positive predictions;
    (a2,b2) a single row (y_true=1, y_pred=0, y_score=0.0); scores rounded to 2 decimals
    with exact 0 and 1; weight in (0.25, 4) with 3 decimals, never an integer."""
    rng = np.random.default_rng(seed)
    a = rng.choice(3, n, p=[0.45, 0.35, 0.20])
    b = rng.choice(4, n, p=[0.40, 0.30, 0.20, 0.10])
    ctrl = rng.choice(2, n, p=[0.6, 0.4])
    u = rng.random(n)
    noise = rng.normal(0.0, 1.0, n)
    extreme = rng.random(n)
    weight = np.round(rng.uniform(0.25, 4.0, n), 3)
    y_reg = np.round(rng.normal(50.0, 10.0, n), 3)
    p_reg = np.round(y_reg + rng.normal(0.0, 5.0, n) + 2.0 * a, 3)

    b[(a == 2) & (b == 3)] = 0                       # (a2,b3) absent
    idx22 = np.flatnonzero((a == 2) & (b == 2))
    b[idx22[1:]] = 1                                 # (a2,b2) a single row
    y_true = (u < sigmoid(-0.6 + 0.5 * a - 0.3 * b)).astype(np.int64)
    y_true[(a == 0) & (b == 3)] = 0                  # only negative labels
    s = sigmoid(-1.0 + 2.0 * y_true + 0.3 * a - 0.2 * b + noise)
    s = np.round(s, 2)
    s[extreme < 0.02] = 0.0
    s[extreme > 0.98] = 1.0
    nopos = (a == 1) & (b == 2)
    s[nopos] = np.round(np.minimum(s[nopos], 0.49), 2)   # no positive predictions
    one = idx22[0]
    y_true[one], s[one] = 1, 0.0
    y_pred = (s >= 0.5).astype(np.int64)
    weight[weight == np.round(weight)] += 0.125
    df = pd.DataFrame({
        "y_true": y_true, "y_pred": y_pred, "y_score": s, "weight": weight,
        "a": np.array(["a0", "a1", "a2"])[a], "b": np.array(["b0", "b1", "b2", "b3"])[b],
        "ctrl": np.array(["c0", "c1"])[ctrl], "y_reg": y_reg, "p_reg": p_reg,
    })
    write_csv(df, "edge.csv")
    return df


def build_zero_predictions(n=40, seed=11):
    """No positive prediction at all: selection rates are all 0, so ratios are 0/0."""
    rng = np.random.default_rng(seed)
    g = np.array(["g1", "g2"])[np.arange(n) % 2]
    y = np.array([1, 0, 0, 1] * (n // 4))
    s = np.round(rng.uniform(0.0, 0.49, n), 2)
    df = pd.DataFrame({"y_true": y, "y_pred": np.zeros(n, dtype=np.int64), "y_score": s,
                       "g": g})
    write_csv(df, "zero-predictions.csv")
    return df


def build_labels(n=60, seed=7):
    rng = np.random.default_rng(seed)
    g = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < 0.4).astype(int)
    s = np.round(sigmoid(-0.8 + 1.8 * y + 0.4 * g + rng.normal(0, 1, n)), 3)
    p = (s >= 0.5).astype(int)
    grp = np.array(["g1", "g2", "g3"])[g]
    yesno = pd.DataFrame({"y_true": np.where(y == 1, "yes", "no"),
                          "y_pred": np.where(p == 1, "yes", "no"), "y_score": s, "group": grp})
    tf = pd.DataFrame({"y_true": np.where(y == 1, "true", "false"),
                       "y_pred": np.where(p == 1, "true", "false"), "y_score": s,
                       "group": grp})
    write_csv(yesno, "labels-yesno.csv")
    write_csv(tf, "labels-truefalse.csv")
    return yesno, tf


# --------------------------------------------------------------------------- #
def dump(name, about, cases):
    doc = {"about": about, "versions": versions(), "cases": cases}
    path = os.path.join(HERE, name)
    with open(path, "w") as fh:
        json.dump(clean(doc), fh, indent=1, allow_nan=False)
        fh.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


ABOUT_COMMON = (
    "Expected values of fairlearn 0.15.0 MetricFrame (+ sklearn 1.9.1 metric functions, "
    "aif360 0.6.1 inequality indices). Per case: metric_frame.{overall, by_group, "
    "difference_between_groups, difference_to_overall, ratio_between_groups, ratio_to_overall, "
    "group_min, group_max}; overall and the aggregates are {metric: v}, or {metric: {ctrlkey: v}} "
    "with control features; by_group is {metric: {\"A|B\": v}} with keys joining control values "
    "then sensitive values by '|', for every combination of observed levels (fairlearn's "
    "cartesian index: a combination that never occurs has null for every metric, count "
    "included). NaN -> null. 'errors'/'warnings': {metric: {groupkey: text}} from calling the "
    "raw function on that group's rows (a raising function gives null in the frame); "
    "'overall_errors'/'overall_warnings' likewise keyed 'overall' or by control level. "
    "'between_groups': aif360 between_group_generalized_entropy_error over the intersectional "
    "groups (theil = alpha 1, coefficient_of_variation = sqrt(2*GE(2))), unweighted. "
    "'fairness': fairlearn functions, keys suffixed _mean for agg='mean' and _to_overall for "
    "method='to_overall'; with control features computed on each control level's rows. "
    "With a weight column, weighted_metrics got sample_weight, unweighted_metrics did not; "
    "fairness scalars got sample_weight. Made by make_audit_fixtures.py.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", action="store_true", help="also bootstrap-adult.json")
    ap.add_argument("--only-bootstrap", action="store_true")
    args = ap.parse_args()
    if not args.only_bootstrap:
        make_audits()
    if args.bootstrap or args.only_bootstrap:
        make_bootstrap()


def make_audits():
    # ---- adult ------------------------------------------------------------
    adult_path = "Examples/adult-predictions.csv"
    adult = pd.read_csv(os.path.join(ROOT, adult_path), dtype={"sex": str, "race": str})
    cases = {}
    for name, sens in (("adult-sex", ["sex"]), ("adult-race", ["race"]),
                       ("adult-sex-race", ["sex", "race"])):
        cases[name] = audit_case(adult, input_path=adult_path, y_score="y_score",
                                 sensitive=sens)
    cases["adult-sex-race-alpha3"] = audit_case(
        adult, input_path=adult_path, y_score="y_score", sensitive=["sex", "race"], alpha=3.0,
        metrics=["count", "generalized_entropy_index"],
        note="generalized_entropy_index and between_group_generalized_entropy_index with "
             "alpha=3 (--alpha 3)")
    check_against_shared_reference(cases)
    dump("audit-adult.json", ABOUT_COMMON, cases)

    # ---- compas -----------------------------------------------------------
    compas = build_compas()
    cpath = FIXTURE_PREFIX + "compas-predictions.csv"
    cases = {}
    for name, sens in (("compas-sex", ["sex"]), ("compas-race", ["race"]),
                       ("compas-sex-race", ["sex", "race"])):
        cases[name] = audit_case(compas, input_path=cpath, y_score="y_score", sensitive=sens)
    cases["compas-sex-race-ctrl-age_cat"] = audit_case(
        compas, input_path=cpath, y_score="y_score", sensitive=["sex", "race"],
        control=["age_cat"])
    dump("audit-compas.json", ABOUT_COMMON, cases)

    # ---- edge -------------------------------------------------------------
    edge = build_edge()
    epath = FIXTURE_PREFIX + "edge.csv"
    cases = {}
    for wname, wcol in (("", None), ("-weighted", "weight")):
        cases["edge-a" + wname] = audit_case(edge, input_path=epath, y_score="y_score",
                                             sensitive=["a"], weight=wcol)
        cases["edge-a-b" + wname] = audit_case(edge, input_path=epath, y_score="y_score",
                                               sensitive=["a", "b"], weight=wcol)
        cases["edge-a-b-ctrl" + wname] = audit_case(edge, input_path=epath, y_score="y_score",
                                                    sensitive=["a", "b"], control=["ctrl"],
                                                    weight=wcol)
        cases["edge-regression-a-b" + wname] = audit_case(
            edge, input_path=epath, task="regression", y_true="y_reg", y_pred="p_reg",
            sensitive=["a", "b"], weight=wcol)
    zero = build_zero_predictions()
    cases["zero-predictions-g"] = audit_case(
        zero, input_path=FIXTURE_PREFIX + "zero-predictions.csv", y_score="y_score",
        sensitive=["g"], note="y_pred is 0 everywhere: ratios of all-zero rates are 0/0 -> null")
    dump("audit-edge.json", ABOUT_COMMON, cases)

    # ---- labels -----------------------------------------------------------
    yesno, tf = build_labels()
    cases = {
        "labels-yesno": audit_case(yesno, input_path=FIXTURE_PREFIX + "labels-yesno.csv",
                                   y_score="y_score", sensitive=["group"],
                                   label_map={"pos_label": "yes"},
                                   note="string labels yes/no, --pos-label yes"),
        "labels-truefalse": audit_case(tf, input_path=FIXTURE_PREFIX + "labels-truefalse.csv",
                                       y_score="y_score", sensitive=["group"],
                                       label_map={"pos_label": "true"},
                                       note="labels true/false: true is the positive class"),
    }
    check_string_labels(yesno, "yes", cases["labels-yesno"])
    check_string_labels(tf, "true", cases["labels-truefalse"])
    dump("audit-labels.json", ABOUT_COMMON, cases)


def check_string_labels(df, pos, case):
    """The 0/1 mapping gives what the libraries give on the raw strings with pos_label."""
    yt, yp, s = df["y_true"].to_numpy(), df["y_pred"].to_numpy(), df["y_score"].to_numpy()
    ov = case["metric_frame"]["overall"]
    checks = {
        "selection_rate": selection_rate(yt, yp, pos_label=pos),
        "accuracy": accuracy_score(yt, yp),
        "precision": precision_score(yt, yp, pos_label=pos, zero_division=0),
        "recall": recall_score(yt, yp, pos_label=pos, zero_division=0),
        "f1": f1_score(yt, yp, pos_label=pos, zero_division=0),
        "true_positive_rate": true_positive_rate(yt, yp, pos_label=pos),
        "false_positive_rate": false_positive_rate(yt, yp, pos_label=pos),
        "matthews_corrcoef": matthews_corrcoef(yt, yp),
        "roc_auc": roc_auc_score(yt, s),
        "average_precision": average_precision_score(yt, s, pos_label=pos),
        "brier_score": brier_score_loss(yt, s, pos_label=pos),
        "generalized_entropy_index": generalized_entropy_error(yt, yp, pos_label=pos),
    }
    for m, v in checks.items():
        assert same(v, ov[m]), (m, v, ov[m])


def check_against_shared_reference(cases):
    path = os.path.join(SHARED, "reference", "adult_audit_fairlearn.json")
    if not os.path.exists(path):
        print("shared reference missing: skipped the cross-check")
        return
    ref = json.load(open(path))
    rename = {"tpr": "true_positive_rate", "fpr": "false_positive_rate"}
    n = 0
    for sname, case in (("sex", "adult-sex"), ("race", "adult-race"),
                        ("sex_x_race", "adult-sex-race")):
        if sname not in ref["sensitive_sets"]:
            continue
        r = ref["sensitive_sets"][sname]
        mine = cases[case]
        for agg, vals in r["metric_frame"].items():
            for m, v in vals.items():
                mm = rename.get(m, m)
                got = mine["metric_frame"][agg][mm]
                if isinstance(v, dict):
                    for g, x in v.items():
                        assert x == got[g], (case, agg, m, g, x, got[g])
                        n += 1
                else:
                    assert v == got, (case, agg, m, v, got)
                    n += 1
        for m, v in r["fairness"].items():
            assert v == mine["fairness"][m], (case, m, v, mine["fairness"][m])
            n += 1
    print(f"matched {n} values of the shared adult reference exactly")


def make_bootstrap():
    adult_path = "Examples/adult-predictions.csv"
    df = pd.read_csv(os.path.join(ROOT, adult_path), dtype={"sex": str, "race": str})
    yt, yp = df["y_true"].to_numpy(), df["y_pred"].to_numpy()
    sf = df[["sex", "race"]]
    metrics = {"accuracy": accuracy_score, "selection_rate": selection_rate,
               "true_positive_rate": true_positive_rate,
               "false_positive_rate": false_positive_rate}
    q = [0.025, 0.5, 0.975]
    n_boot, seed = 1000, 12345
    mf = MetricFrame(metrics=metrics, y_true=yt, y_pred=yp, sensitive_features=sf,
                     n_boot=n_boot, ci_quantiles=q, random_state=seed)
    names = list(metrics)

    def per_q(frames, is_frame):
        out = {}
        for qq, fr in zip(q, frames):
            if is_frame:
                out[str(qq)] = {m: {key(g): fr.loc[g, m] for g in fr.index} for m in names}
            else:
                out[str(qq)] = {m: fr[m] for m in names}
        return out

    bg = mf.by_group
    res = {
        "input": adult_path,
        "columns": {"y_true": "y_true", "y_pred": "y_pred"},
        "sensitive_features": ["sex", "race"], "control_features": [],
        "metrics": names, "n_boot": n_boot, "ci_quantiles": q, "random_state": seed,
        "metric_frame": {
            "overall": {m: mf.overall[m] for m in names},
            "by_group": {m: {key(g): bg.loc[g, m] for g in bg.index} for m in names},
            "difference_between_groups": dict(mf.difference(method="between_groups")),
            "difference_to_overall": dict(mf.difference(method="to_overall")),
            "ratio_between_groups": dict(mf.ratio(method="between_groups")),
            "ratio_to_overall": dict(mf.ratio(method="to_overall")),
            "group_min": dict(mf.group_min()), "group_max": dict(mf.group_max()),
        },
        "intervals": {
            "overall_ci": per_q(mf.overall_ci, False),
            "by_group_ci": per_q(mf.by_group_ci, True),
            "difference_between_groups_ci": per_q(mf.difference_ci(method="between_groups"),
                                                  False),
            "difference_to_overall_ci": per_q(mf.difference_ci(method="to_overall"), False),
            "ratio_between_groups_ci": per_q(mf.ratio_ci(method="between_groups"), False),
            "ratio_to_overall_ci": per_q(mf.ratio_ci(method="to_overall"), False),
            "group_min_ci": per_q(mf.group_min_ci(), False),
            "group_max_ci": per_q(mf.group_max_ci(), False),
        },
    }
    res["bootstrap_sd"] = replicate_sd(df, names, n_boot, seed, q, res)
    about = (
        "fairlearn 0.15.0 MetricFrame(n_boot=1000, ci_quantiles=[0.025,0.5,0.975], "
        "random_state=12345) on Examples/adult-predictions.csv, sensitive sex x race. "
        "intervals.<aggregate>_ci.<quantile> has the shape of metric_frame.<aggregate>. "
        "Resampling: seeds = numpy.random.default_rng(12345).integers(0, 2**32-1, n_boot, "
        "uint32); sample i = DataFrame.sample(frac=1, replace=True, random_state=seeds[i]) over "
        "the whole table (rows with replacement, n rows); quantiles by numpy.quantile (linear "
        "interpolation) over the n_boot replicate values (NaN-free here). bootstrap_sd: the "
        "standard deviation (ddof=1) of the same n_boot replicates, recomputed from counts "
        "(their quantiles were checked to equal fairlearn's), for statistical comparisons: a "
        "quantile estimated from n_boot replicates has a Monte-Carlo standard error of about "
        "sd*sqrt(q(1-q)/n_boot)/phi(z_q) (0.040*sd at the median, 0.085*sd at 2.5%/97.5% for "
        "1000 replicates); the difference of two independent estimates is sqrt(2) times that.")
    dump("bootstrap-adult.json", about, {"adult-sex-race-bootstrap": res})


def replicate_sd(df, names, n_boot, seed, q, res):
    """Recompute fairlearn's bootstrap replicates with counts; check the quantiles; return
    the replicate standard deviations in the flat shape."""
    n = len(df)
    seeds = np.random.default_rng(seed).integers(0, np.iinfo(np.uint32).max, size=n_boot,
                                                 dtype=np.uint32)
    gcode, glev = pd.factorize(df["sex"] + "|" + df["race"], sort=False)
    # fairlearn's group order (sorted levels of each column, cartesian)
    keys = list(res["metric_frame"]["by_group"]["accuracy"].keys())
    code_of = {k: i for i, k in enumerate(glev)}
    G = len(glev)
    yt = df["y_true"].to_numpy().astype(np.int64)
    yp = df["y_pred"].to_numpy().astype(np.int64)
    rows = pd.DataFrame({"i": np.arange(n)})
    reps = {"overall": {m: [] for m in names},
            "by_group": {m: {k: [] for k in keys} for m in names},
            "difference_between_groups": {m: [] for m in names},
            "difference_to_overall": {m: [] for m in names},
            "ratio_between_groups": {m: [] for m in names},
            "ratio_to_overall": {m: [] for m in names},
            "group_min": {m: [] for m in names}, "group_max": {m: [] for m in names}}
    for s in seeds:
        idx = rows.sample(frac=1, replace=True, random_state=s, axis=0,
                          ignore_index=True)["i"].to_numpy()
        t, p, g = yt[idx], yp[idx], gcode[idx]
        cell = g * 4 + t * 2 + p                    # (group, y_true, y_pred)
        c = np.bincount(cell, minlength=G * 4).reshape(G, 4).astype(float)
        tn, fp, fn, tp = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
        tot = c.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            grp = {"accuracy": (tp + tn) / tot, "selection_rate": (tp + fp) / tot,
                   "true_positive_rate": np.nan_to_num(tp / (tp + fn)),
                   "false_positive_rate": np.nan_to_num(fp / (fp + tn))}
        T = c.sum(0)
        ov = {"accuracy": (T[3] + T[0]) / n, "selection_rate": (T[3] + T[1]) / n,
              "true_positive_rate": T[3] / (T[3] + T[2]),
              "false_positive_rate": T[1] / (T[1] + T[0])}
        for m in names:
            vals = np.array([grp[m][code_of[k]] for k in keys])
            reps["overall"][m].append(ov[m])
            for k, v in zip(keys, vals):
                reps["by_group"][m][k].append(v)
            lo, hi = vals.min(), vals.max()
            reps["difference_between_groups"][m].append(hi - lo)
            reps["difference_to_overall"][m].append(np.abs(vals - ov[m]).max())
            reps["ratio_between_groups"][m].append(lo / hi)
            r = vals / ov[m]
            reps["ratio_to_overall"][m].append(np.minimum(r, 1 / r).min())
            reps["group_min"][m].append(lo)
            reps["group_max"][m].append(hi)
    # check against fairlearn's quantiles
    iv = res["intervals"]
    names_ci = {"overall": "overall_ci", "by_group": "by_group_ci",
                "difference_between_groups": "difference_between_groups_ci",
                "difference_to_overall": "difference_to_overall_ci",
                "ratio_between_groups": "ratio_between_groups_ci",
                "ratio_to_overall": "ratio_to_overall_ci",
                "group_min": "group_min_ci", "group_max": "group_max_ci"}
    sd = {}
    for agg, per in reps.items():
        sd[agg] = {}
        for m, v in per.items():
            if isinstance(v, dict):
                sd[agg][m] = {}
                for k, arr in v.items():
                    qs = np.quantile(arr, q)
                    for qq, x in zip(q, qs):
                        ref = iv[names_ci[agg]][str(qq)][m][k]
                        assert abs(x - ref) <= 1e-12, (agg, m, k, qq, x, ref)
                    sd[agg][m][k] = float(np.std(arr, ddof=1))
            else:
                qs = np.quantile(v, q)
                for qq, x in zip(q, qs):
                    ref = iv[names_ci[agg]][str(qq)][m]
                    assert abs(x - ref) <= 1e-12, (agg, m, qq, x, ref)
                sd[agg][m] = float(np.std(v, ddof=1))
    print("bootstrap replicates recomputed from counts: quantiles equal fairlearn's")
    return sd


if __name__ == "__main__":
    main()
