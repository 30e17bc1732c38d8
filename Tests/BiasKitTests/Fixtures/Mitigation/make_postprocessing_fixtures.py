"""Reference values for AIF360PostprocessingTests, made with the real aif360 0.6.1.

Run from the package root with the project's venv (aif360 0.6.1, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_postprocessing_fixtures.py [--shared ../shared]

Writes postprocessing.json beside this file. Scores: sklearn's LogisticRegression fitted on
the shared Adult train design (as make_fixtures.py), applied to the first 2 * ROWS rows of the
test design. The first ROWS rows are the "fit" set, the next ROWS the "apply" set. The scores,
labels and groups are stored in the JSON, so the Swift tests need neither Python nor the LR.
Privileged group: sex_raw == "Male" (protected attribute 1).

Also writes postprocessing_weighted.json: the same fit/apply rows fitted with instance weights
(`dataset.instance_weights`, set on both the true and the predicted dataset as AIF360 requires),
in two weightings: "reweighing" (AIF360 Reweighing fitted on the fit rows' true labels, the
natural pipeline) and "random" (uniform in [0.1, 3), numpy default_rng(20261123)). Weights and
ROC's threshold/margin are stored as repr strings so the Swift side reads them exactly.
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 1500


def calibrated_case(m, cost, sa, ga):
    """A fitted CalibratedEqOddsPostprocessing's rates and its expected P(label 1) on the apply
    rows (scores sa, groups ga) at threshold 0.5, which is deterministic."""
    # P(row mixed) = P(U <= rate) for U ~ Uniform[0, 1): the rate clipped to [0, 1].
    mix = np.clip(np.nan_to_num(np.where(ga == 1, m.priv_mix_rate, m.unpriv_mix_rate), nan=0.0), 0, 1)
    base = np.where(ga == 1, m.base_rate_priv, m.base_rate_unpriv)
    p = (1 - mix) * (sa >= 0.5) + mix * (base >= 0.5)
    return {"cost_constraint": cost, "priv_mix_rate": float(m.priv_mix_rate),
            "unpriv_mix_rate": float(m.unpriv_mix_rate),
            "base_rate_priv": float(m.base_rate_priv),
            "base_rate_unpriv": float(m.base_rate_unpriv),
            "apply_expected_positive": p.tolist()}


def dataset(y, s, scores, labels, weights=None):
    from aif360.datasets import BinaryLabelDataset
    df = pd.DataFrame({"sex": s.astype(float), "y": y.astype(float)})
    d = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["sex"],
                           favorable_label=1.0, unfavorable_label=0.0)
    d.scores = scores.reshape(-1, 1).astype(np.float64)
    d.labels = labels.reshape(-1, 1).astype(np.float64)
    if weights is not None:
        d.instance_weights = np.asarray(weights, dtype=np.float64).copy()
    return d


ROC_CASES = (
    # The last case has bounds no grid point meets: AIF360 then takes the smallest metric value.
    ("Statistical parity difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
    ("Average odds difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
    ("Equal opportunity difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
    ("Statistical parity difference", 0.01, 0.99, 100, 50, -0.05, 0.05),
    ("Average odds difference", 0.05, 0.95, 20, 10, -0.9, -0.8))


def roc_margins(metric, lo, hi, nt, nm, lb, ub, y, s, scores, w):
    """How far AIF360's choice is from a tie: the gap between the best balanced accuracy and the
    best of the grid points with other labels, and the smallest distance of a metric value to a
    bound (numpy, weighted; only to document that the fixture's choice is not a rounding tie)."""
    rows = []
    for t in np.linspace(lo, hi, nt):
        for m in np.linspace(0.0, t if t <= 0.5 else 1.0 - t, nm):
            lab = (scores > t).astype(int)
            crit = (scores <= t + m) & (scores > t - m)
            lab[crit & (s == 1)] = 0
            lab[crit & (s == 0)] = 1
            def rate(num, den):
                return np.sum(w[num]) / np.sum(w[den])
            ba = 0.5 * (rate((y == 1) & (lab == 1), y == 1) + rate((y == 0) & (lab == 0), y == 0))
            tpr = {g: rate((y == 1) & (lab == 1) & (s == g), (y == 1) & (s == g)) for g in (0, 1)}
            fpr = {g: rate((y == 0) & (lab == 1) & (s == g), (y == 0) & (s == g)) for g in (0, 1)}
            if metric == "Statistical parity difference":
                v = rate((lab == 1) & (s == 0), s == 0) - rate((lab == 1) & (s == 1), s == 1)
            elif metric == "Average odds difference":
                v = 0.5 * ((fpr[0] - fpr[1]) + (tpr[0] - tpr[1]))
            else:
                v = tpr[0] - tpr[1]
            rows.append((ba, v, lab.tobytes()))
    feasible = [r for r in rows if lb <= r[1] <= ub]
    if not feasible:
        return None, float(min(min(abs(r[1] - lb), abs(r[1] - ub)) for r in rows))
    best = max(feasible, key=lambda r: r[0])
    others = [r[0] for r in feasible if r[2] != best[2]]
    gap = float(best[0] - max(others)) if others else float("inf")
    return gap, float(min(min(abs(r[1] - lb), abs(r[1] - ub)) for r in rows))


def weighted_fixture(y, s, scores, pred, fit, app, priv, unpriv):
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.algorithms.postprocessing import (CalibratedEqOddsPostprocessing,
                                                  EqOddsPostprocessing,
                                                  RejectOptionClassification)
    from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric
    rw = Reweighing(unpriv, priv).fit(dataset(y[fit], s[fit], scores[fit], y[fit]))
    w_rw = rw.transform(dataset(y[fit], s[fit], scores[fit], y[fit])).instance_weights.ravel()
    w_rand = np.random.default_rng(20261123).uniform(0.1, 3.0, size=len(y[fit]))
    out = {"weightings": []}
    for name, w in (("reweighing", w_rw), ("random", w_rand)):
        true_fit = dataset(y[fit], s[fit], scores[fit], y[fit], w)
        pred_fit = dataset(y[fit], s[fit], scores[fit], pred[fit], w)
        case = {"name": name, "weights_repr": [repr(float(v)) for v in w]}
        ceo = []
        for cost in ("fnr", "fpr", "weighted"):
            m = CalibratedEqOddsPostprocessing(unpriv, priv, cost_constraint=cost, seed=0).fit(true_fit, pred_fit)
            ceo.append(calibrated_case(m, cost, scores[app], s[app]))
        case["calibrated_eq_odds"] = ceo
        m = EqOddsPostprocessing(unpriv, priv, seed=0).fit(true_fit, pred_fit)
        case["eq_odds"] = {"x": [float(v) for v in m.model_params.x], "status": int(m.model_params.status),
                           "fun": float(m.model_params.fun)}
        roc = []
        for metric, lo, hi, nt, nm, lb, ub in ROC_CASES:
            m = RejectOptionClassification(unpriv, priv, low_class_thresh=lo, high_class_thresh=hi,
                                           num_class_thresh=nt, num_ROC_margin=nm, metric_name=metric,
                                           metric_ub=ub, metric_lb=lb).fit(true_fit, pred_fit)
            pred_app = dataset(y[app], s[app], scores[app], pred[app])
            labels = m.predict(pred_app).labels.ravel().astype(int)
            # Balanced accuracy and metric of the chosen point on the fit rows, as ROC's fit computes them.
            chosen = m.predict(pred_fit)
            cm = ClassificationMetric(true_fit, chosen, unprivileged_groups=unpriv, privileged_groups=priv)
            bm = BinaryLabelDatasetMetric(chosen, unprivileged_groups=unpriv, privileged_groups=priv)
            value = {"Statistical parity difference": bm.mean_difference(),
                     "Average odds difference": cm.average_odds_difference(),
                     "Equal opportunity difference": cm.equal_opportunity_difference()}[metric]
            gap, bound_gap = roc_margins(metric, lo, hi, nt, nm, lb, ub, y[fit], s[fit], scores[fit], w)
            roc.append({"metric_name": metric, "low": lo, "high": hi, "num_class_thresh": nt,
                        "num_ROC_margin": nm, "metric_lb": lb, "metric_ub": ub,
                        "classification_threshold_repr": repr(float(m.classification_threshold)),
                        "ROC_margin_repr": repr(float(m.ROC_margin)),
                        "balanced_accuracy": float(0.5 * (cm.true_positive_rate() + cm.true_negative_rate())),
                        "metric_value": float(value), "apply_labels": labels.tolist(),
                        "best_balanced_accuracy_gap": gap, "closest_metric_to_bound": bound_gap})
        case["reject_option"] = roc
        out["weightings"].append(case)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "../../../../../shared"))
    a = ap.parse_args()
    tr = pd.read_csv(os.path.join(a.shared, "fixtures/adult_train_design.csv"))
    te = pd.read_csv(os.path.join(a.shared, "fixtures/adult_test_design.csv"))
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    lr = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(tr[cols].to_numpy(), tr.y.to_numpy())
    te = te.iloc[: 2 * ROWS]
    scores = lr.predict_proba(te[cols].to_numpy())[:, 1]
    y = te.y.to_numpy().astype(int)
    s = (te.sex_raw.to_numpy() == "Male").astype(int)
    pred = (scores > 0.5).astype(int)
    fit, app = slice(0, ROWS), slice(ROWS, 2 * ROWS)
    priv, unpriv = [{"sex": 1}], [{"sex": 0}]
    out = {"rows": ROWS, "scores": scores.tolist(), "labels": y.tolist(),
           "sex": te.sex_raw.tolist(), "predicted_labels": pred.tolist()}
    true_fit = dataset(y[fit], s[fit], scores[fit], y[fit])
    pred_fit = dataset(y[fit], s[fit], scores[fit], pred[fit])
    pred_app = dataset(y[app], s[app], scores[app], pred[app])

    from aif360.algorithms.postprocessing import (CalibratedEqOddsPostprocessing,
                                                  EqOddsPostprocessing,
                                                  RejectOptionClassification)
    cases = []
    for cost in ("fnr", "fpr", "weighted"):
        m = CalibratedEqOddsPostprocessing(unpriv, priv, cost_constraint=cost, seed=0).fit(true_fit, pred_fit)
        cases.append(calibrated_case(m, cost, scores[app], s[app]))
    out["calibrated_eq_odds"] = cases

    m = EqOddsPostprocessing(unpriv, priv, seed=0).fit(true_fit, pred_fit)
    out["eq_odds"] = {"x": [float(v) for v in m.model_params.x], "status": int(m.model_params.status),
                      "fun": float(m.model_params.fun)}

    cases = []
    for metric, lo, hi, nt, nm, lb, ub in ROC_CASES:
        m = RejectOptionClassification(unpriv, priv, low_class_thresh=lo, high_class_thresh=hi,
                                       num_class_thresh=nt, num_ROC_margin=nm, metric_name=metric,
                                       metric_ub=ub, metric_lb=lb).fit(true_fit, pred_fit)
        labels = m.predict(pred_app).labels.ravel().astype(int)
        cases.append({"metric_name": metric, "low": lo, "high": hi, "num_class_thresh": nt,
                      "num_ROC_margin": nm, "metric_lb": lb, "metric_ub": ub, "classification_threshold": float(m.classification_threshold),
                      "ROC_margin": float(m.ROC_margin), "apply_labels": labels.tolist(),
                      # repr strings: Foundation's JSON parser may be 1 ulp off, Double(String) is exact.
                      "classification_threshold_repr": repr(float(m.classification_threshold)),
                      "ROC_margin_repr": repr(float(m.ROC_margin))})
    out["reject_option"] = cases
    with open(os.path.join(HERE, "postprocessing.json"), "w") as fh:
        json.dump(out, fh)
    weighted = weighted_fixture(y, s, scores, pred, fit, app, priv, unpriv)
    with open(os.path.join(HERE, "postprocessing_weighted.json"), "w") as fh:
        json.dump(weighted, fh)


if __name__ == "__main__":
    main()
