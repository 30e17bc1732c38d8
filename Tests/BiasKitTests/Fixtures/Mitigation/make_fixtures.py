"""Reference values for the Mitigation tests, made with the real libraries.

Run from the package root with the project's venv (fairlearn 0.15.0, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_fixtures.py [--shared ../shared]

Writes threshold_optimizer.json and reductions.json beside this file. Inputs: the shared
Adult design fixtures (108 columns, label y, sensitive sex_raw; race_raw is not a feature).
Expected values come from `_pmf_predict` (deterministic), as in ../shared/anchors.
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_common import expected_positive, summary  # noqa: E402

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "../../../../../shared"))
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    tr = pd.read_csv(os.path.join(a.shared, "fixtures/adult_train_design.csv"))
    te = pd.read_csv(os.path.join(a.shared, "fixtures/adult_test_design.csv"))
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    X, y, s = tr[cols].to_numpy(), tr.y.to_numpy(), tr.sex_raw.to_numpy()
    Xt, yt, st = te[cols].to_numpy(), te.y.to_numpy(), te.sex_raw.to_numpy()

    if a.only in ("", "threshold"):
        from fairlearn.postprocessing import ThresholdOptimizer
        lr = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(X, y)
        cases = []
        combos = [(c, o, f) for c in ("demographic_parity", "true_positive_rate_parity",
                                       "false_positive_rate_parity", "true_negative_rate_parity",
                                       "false_negative_rate_parity")
                  for o in ("accuracy_score", "balanced_accuracy_score", "selection_rate",
                            "true_positive_rate", "true_negative_rate")
                  for f in (False,)]
        combos += [("equalized_odds", o, f) for o in ("accuracy_score", "balanced_accuracy_score")
                   for f in (False, True)]
        combos += [("demographic_parity", "accuracy_score", True)]
        for c, o, f in combos:
            to = ThresholdOptimizer(estimator=lr, constraints=c, objective=o, flip=f, prefit=True,
                                    predict_method="predict_proba")
            to.fit(X, y, sensitive_features=s)
            p = to._pmf_predict(Xt, sensitive_features=st)[:, 1]
            r = {"constraints": c, "objective": o, "flip": f}
            r.update({"test_" + k: v for k, v in summary(p, yt, st).items()})
            cases.append(r)
        with open(os.path.join(HERE, "threshold_optimizer.json"), "w") as fh:
            json.dump(cases, fh, indent=1)

    if a.only in ("", "reductions"):
        from fairlearn.reductions import (BoundedGroupLoss, DemographicParity, EqualizedOdds,
                                          ErrorRateParity, ExponentiatedGradient,
                                          FalsePositiveRateParity, GridSearch,
                                          TruePositiveRateParity, ZeroOneLoss)
        rows = 6000
        Xs, ys, ss = X[:rows], y[:rows], s[:rows]
        made = {
            "demographic_parity": lambda: DemographicParity(),
            "demographic_parity_ratio": lambda: DemographicParity(ratio_bound=0.9, ratio_bound_slack=0.0),
            "equalized_odds": lambda: EqualizedOdds(),
            "true_positive_rate_parity": lambda: TruePositiveRateParity(),
            "false_positive_rate_parity": lambda: FalsePositiveRateParity(),
            "error_rate_parity": lambda: ErrorRateParity(),
            "bounded_group_loss": lambda: BoundedGroupLoss(ZeroOneLoss(), upper_bound=0.1),
        }
        out = {"about": f"first {rows} rows of adult_train_design.csv; test = all of adult_test_design.csv",
               "rows": rows, "exponentiated_gradient": {}, "grid_search": {}}
        for name, make in made.items():
            eg = ExponentiatedGradient(LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000), make())
            eg.fit(Xs, ys, sensitive_features=ss)
            p, ptr = expected_positive(eg, Xt), expected_positive(eg, Xs)
            r = {"n_predictors": int(len(eg.predictors_)), "weights": [float(w) for w in eg.weights_],
                 "best_gap": float(eg.best_gap_), "last_iter": int(eg.last_iter_),
                 "n_oracle_calls": int(eg.n_oracle_calls_)}
            r.update({"test_" + k: v for k, v in summary(p, yt, st).items()})
            r.update({"train_" + k: v for k, v in summary(ptr, ys, ss).items()})
            out["exponentiated_gradient"][name] = r
            print("eg", name, r["test_expected_accuracy"], flush=True)
        for name in ("demographic_parity", "equalized_odds", "bounded_group_loss"):
            gs = GridSearch(LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000), made[name]())
            gs.fit(Xs, ys, sensitive_features=ss)
            pred = gs.predict(Xt).astype(float)
            r = {"best_idx": int(gs.best_idx_), "n_predictors": len(gs.predictors_),
                 "lambda_best": [float(v) for v in gs.lambda_vecs_[gs.best_idx_]]}
            r.update({"test_" + k: v for k, v in summary(pred, yt, st).items()})
            out["grid_search"][name] = r
            print("gs", name, r, flush=True)
        with open(os.path.join(HERE, "reductions.json"), "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
