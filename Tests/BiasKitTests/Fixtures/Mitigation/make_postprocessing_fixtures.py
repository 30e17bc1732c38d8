"""Reference values for AIF360PostprocessingTests, made with the real aif360 0.6.1.

Run from the package root with the project's venv (aif360 0.6.1, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_postprocessing_fixtures.py [--shared ../shared]

Writes postprocessing.json beside this file. Scores: sklearn's LogisticRegression fitted on
the shared Adult train design (as make_fixtures.py), applied to the first 2 * ROWS rows of the
test design. The first ROWS rows are the "fit" set, the next ROWS the "apply" set. The scores,
labels and groups are stored in the JSON, so the Swift tests need neither Python nor the LR.
Privileged group: sex_raw == "Male" (protected attribute 1).
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


def dataset(y, s, scores, labels):
    from aif360.datasets import BinaryLabelDataset
    df = pd.DataFrame({"sex": s.astype(float), "y": y.astype(float)})
    d = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["sex"],
                           favorable_label=1.0, unfavorable_label=0.0)
    d.scores = scores.reshape(-1, 1).astype(np.float64)
    d.labels = labels.reshape(-1, 1).astype(np.float64)
    return d


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
        # Expected P(label 1) on the apply set at threshold 0.5 (deterministic).
        sa, ga = scores[app], s[app]
        # P(row mixed) = P(U <= rate) for U ~ Uniform[0, 1): the rate clipped to [0, 1].
        mix = np.clip(np.nan_to_num(np.where(ga == 1, m.priv_mix_rate, m.unpriv_mix_rate), nan=0.0), 0, 1)
        base = np.where(ga == 1, m.base_rate_priv, m.base_rate_unpriv)
        p = (1 - mix) * (sa >= 0.5) + mix * (base >= 0.5)
        cases.append({"cost_constraint": cost, "priv_mix_rate": float(m.priv_mix_rate),
                      "unpriv_mix_rate": float(m.unpriv_mix_rate),
                      "base_rate_priv": float(m.base_rate_priv),
                      "base_rate_unpriv": float(m.base_rate_unpriv),
                      "apply_expected_positive": p.tolist()})
    out["calibrated_eq_odds"] = cases

    m = EqOddsPostprocessing(unpriv, priv, seed=0).fit(true_fit, pred_fit)
    out["eq_odds"] = {"x": [float(v) for v in m.model_params.x], "status": int(m.model_params.status),
                      "fun": float(m.model_params.fun)}

    cases = []
    # The last case has bounds no grid point meets: AIF360 then takes the smallest metric value.
    for metric, lo, hi, nt, nm, lb, ub in (
            ("Statistical parity difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
            ("Average odds difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
            ("Equal opportunity difference", 0.01, 0.99, 40, 20, -0.05, 0.05),
            ("Statistical parity difference", 0.01, 0.99, 100, 50, -0.05, 0.05),
            ("Average odds difference", 0.05, 0.95, 20, 10, -0.9, -0.8)):
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


if __name__ == "__main__":
    main()
