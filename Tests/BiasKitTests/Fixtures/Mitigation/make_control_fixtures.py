"""Reference values for ExponentiatedGradient with control features (fairlearn 0.15).

Run from the package root with the project's venv (fairlearn 0.15.0, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_control_fixtures.py

Writes control_features.json beside this file: Adult design fixtures, sensitive sex_raw, control
race_raw (not a feature). Library cases on the first 6000 training rows; one CLI case on all rows.
Expected values come from `_pmf_predict` (deterministic), as in make_fixtures.py.
"""
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
SHARED = os.path.join(HERE, "../../../../../shared/fixtures/")


def main():
    from fairlearn.reductions import (DemographicParity, EqualizedOdds, ErrorRateParity,
                                      ExponentiatedGradient)
    tr = pd.read_csv(SHARED + "adult_train_design.csv")
    te = pd.read_csv(SHARED + "adult_test_design.csv")
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    X, y, s, c = tr[cols].to_numpy(), tr.y.to_numpy(), tr.sex_raw.to_numpy(), tr.race_raw.to_numpy()
    Xt, yt, st = te[cols].to_numpy(), te.y.to_numpy(), te.sex_raw.to_numpy()
    rows = 6000
    made = {"demographic_parity": DemographicParity, "equalized_odds": EqualizedOdds,
            "error_rate_parity": ErrorRateParity}
    out = {"about": f"sensitive sex_raw, control race_raw; library cases on the first {rows} rows",
           "rows": rows, "library": {}, "cli": {}}

    def run(make, X, y, s, c):
        eg = ExponentiatedGradient(LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000), make())
        eg.fit(X, y, sensitive_features=s, control_features=c)
        moment = make()  # the fit works on a copy; load one to read its events
        moment.load_data(X, y, sensitive_features=s, control_features=c)
        return eg, {"n_predictors": int(len(eg.predictors_)), "weights": [float(w) for w in eg.weights_],
                    "last_iter": int(eg.last_iter_), "n_oracle_calls": int(eg.n_oracle_calls_),
                    "best_gap": float(eg.best_gap_),
                    "events": sorted(str(e) for e in moment.prob_event.index)}

    for name, make in made.items():
        eg, r = run(make, X[:rows], y[:rows], s[:rows], c[:rows])
        r.update({"test_" + k: v for k, v in summary(eg._pmf_predict(Xt)[:, 1], yt, st).items()})
        r.update({"train_" + k: v for k, v in summary(eg._pmf_predict(X[:rows])[:, 1], y[:rows], s[:rows]).items()})
        out["library"][name] = r
        print(name, r["last_iter"], r["n_oracle_calls"], r["n_predictors"], flush=True)
    eg, r = run(DemographicParity, X, y, s, c)
    r.update({"test_" + k: v for k, v in summary(eg._pmf_predict(Xt)[:, 1], yt, st).items()})
    r.update({"train_" + k: v for k, v in summary(eg._pmf_predict(X)[:, 1], y, s).items()})
    out["cli"]["demographic_parity"] = r
    with open(os.path.join(HERE, "control_features.json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
