"""Reference values for ThresholdOptimizer's relaxed constraints (fairlearn 0.15 `tol`).

Run from the package root with the project's venv (fairlearn 0.15.0, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_threshold_tol_fixtures.py [--shared ../shared]

Writes threshold_optimizer_tol.json beside this file:

- "adult": the shared Adult design fixtures with the prefit scikit-learn LogisticRegression of
  make_fixtures.py (`predict_method="predict_proba"`), sensitive feature `sex_raw` (and a few
  cases with `race_raw`), several constraints x objectives x tol in {None, 0.0, 0.01, 0.05, 0.1}.
  tol=0.0 is falsy in fairlearn (`if not self.tol`), so it takes the strict path like None.
- "synthetic": a small data set with heavily tied scores (one decimal) in three groups, whose
  scores, labels and groups are stored in the file, fitted with a pass-through estimator
  (`predict_method="predict"`), grid sizes 10, 20 and 1000; `probabilities[group][k]` is
  `_pmf_predict` of a row of that group with score `levels[k]` (the distinct scores).

Each case records the per-group chosen grid values (`_x_best_per_group`), the objective
(`_y_best`), the interpolation (p0, operation0, p1, operation1), the expected accuracy,
selection rate and violations of `_pmf_predict` on train (and on test for Adult), and
`train_constraint_range`: the range across groups of the constrained metric's expected value.
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from fairlearn.postprocessing import ThresholdOptimizer
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_common import expected_positive, summary  # noqa: E402

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))

CONSTRAINED_METRIC = {
    "demographic_parity": ("selection_rate", None),
    "true_positive_rate_parity": ("true_positive_rate", 1),
    "false_positive_rate_parity": ("false_positive_rate", 0),
    "true_negative_rate_parity": ("true_negative_rate", 0),
    "false_negative_rate_parity": ("false_negative_rate", 1),
}


def constraint_range(constraint, p, y, s):
    """Range across groups of the expected constrained metric."""
    metric, label = CONSTRAINED_METRIC[constraint]
    values = []
    for g in np.unique(s):
        rows = (s == g) if label is None else ((s == g) & (y == label))
        q = p[rows].mean()
        values.append(1 - q if metric in ("true_negative_rate", "false_negative_rate") else q)
    return float(max(values) - min(values))


def fitted_state(to):
    interp = {}
    for g, t in to.interpolated_thresholder_.interpolation_dict.items():
        interp[str(g)] = {"p0": float(t.p0), "operation0": str(t.operation0),
                          "p1": float(t.p1), "operation1": str(t.operation1)}
    return {
        "x_best_per_group": {str(g): float(v) for g, v in to._x_best_per_group.items()},
        "y_best": float(to._y_best),
        "between_groups": float(to._between_groups),
        "interpolation": interp,
    }


class PassThrough(ClassifierMixin, BaseEstimator):
    """An already 'fitted' estimator whose prediction is the first feature column."""

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0]


def adult_cases(shared):
    tr = pd.read_csv(os.path.join(shared, "fixtures/adult_train_design.csv"))
    te = pd.read_csv(os.path.join(shared, "fixtures/adult_test_design.csv"))
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    X, y = tr[cols].to_numpy(), tr.y.to_numpy()
    Xt, yt = te[cols].to_numpy(), te.y.to_numpy()
    lr = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(X, y)
    combos = [(c, o, f, "sex_raw")
              for c in ("demographic_parity", "true_positive_rate_parity",
                        "false_positive_rate_parity", "true_negative_rate_parity",
                        "false_negative_rate_parity")
              for o in ("accuracy_score", "balanced_accuracy_score", "selection_rate")
              for f in (False,)]
    combos += [("demographic_parity", "true_positive_rate", False, "sex_raw"),
               ("true_positive_rate_parity", "true_negative_rate", False, "sex_raw"),
               ("demographic_parity", "accuracy_score", True, "sex_raw"),
               ("demographic_parity", "accuracy_score", False, "race_raw"),
               ("true_positive_rate_parity", "balanced_accuracy_score", False, "race_raw"),
               ("false_positive_rate_parity", "accuracy_score", True, "race_raw")]
    cases = []
    for c, o, f, sensitive in combos:
        s, st = tr[sensitive].to_numpy(), te[sensitive].to_numpy()
        for tol in (None, 0.0, 0.01, 0.05, 0.1):
            to = ThresholdOptimizer(estimator=lr, constraints=c, objective=o, flip=f, prefit=True,
                                    predict_method="predict_proba", tol=tol)
            to.fit(X, y, sensitive_features=s)
            p = to._pmf_predict(Xt, sensitive_features=st)[:, 1]
            ptr = to._pmf_predict(X, sensitive_features=s)[:, 1]
            r = {"constraints": c, "objective": o, "flip": f, "sensitive": sensitive, "tol": tol}
            r.update(fitted_state(to))
            r.update({"test_" + k: v for k, v in summary(p, yt, st).items()})
            r.update({"train_" + k: v for k, v in summary(ptr, y, s).items()})
            r["train_constraint_range"] = constraint_range(c, ptr, y, s)
            cases.append(r)
            print(c, o, f, sensitive, tol, r["x_best_per_group"], r["test_expected_accuracy"], flush=True)
    return cases


def synthetic():
    rng = np.random.RandomState(4)
    n = 240
    groups = np.array(["a", "b", "c"])[rng.choice(3, size=n, p=[0.5, 0.3, 0.2])]
    shift = {"a": 0.15, "b": 0.0, "c": -0.1}
    latent = rng.uniform(size=n)
    scores = np.round(np.clip(latent + np.array([shift[g] for g in groups]), 0, 1), 1)
    labels = (rng.uniform(size=n) < latent).astype(int)
    X = scores.reshape(-1, 1)
    est = PassThrough().fit(X, labels)
    levels = np.unique(scores)
    cases = []
    for grid in (10, 20, 1000):
        for c, o in (("demographic_parity", "accuracy_score"),
                     ("demographic_parity", "selection_rate"),
                     ("true_positive_rate_parity", "balanced_accuracy_score"),
                     ("false_negative_rate_parity", "true_negative_rate"),
                     ("true_negative_rate_parity", "accuracy_score")):
            for tol in (None, 0.0, 0.05, 0.1, 0.3):
                to = ThresholdOptimizer(estimator=est, constraints=c, objective=o, grid_size=grid,
                                        prefit=True, predict_method="predict", tol=tol)
                to.fit(X, labels, sensitive_features=groups)
                p = to._pmf_predict(X, sensitive_features=groups)[:, 1]
                table = {}
                for g in np.unique(groups):
                    q = to._pmf_predict(levels.reshape(-1, 1),
                                        sensitive_features=np.full(len(levels), g))[:, 1]
                    table[str(g)] = [float(v) for v in q]
                r = {"constraints": c, "objective": o, "grid_size": grid, "tol": tol}
                r.update(fitted_state(to))
                r.update({"train_" + k: v for k, v in summary(p, labels, groups).items()})
                r["train_constraint_range"] = constraint_range(c, p, labels, groups)
                r["probabilities"] = table
                cases.append(r)
    return {"levels": [float(v) for v in levels], "scores": [float(v) for v in scores], "labels": [int(v) for v in labels],
            "groups": [str(g) for g in groups], "cases": cases}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "../../../../../shared"))
    a = ap.parse_args()
    out = {"about": "fairlearn 0.15.0 ThresholdOptimizer(tol=...); see make_threshold_tol_fixtures.py",
           "synthetic": synthetic(), "adult": adult_cases(a.shared)}
    with open(os.path.join(HERE, "threshold_optimizer_tol.json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
