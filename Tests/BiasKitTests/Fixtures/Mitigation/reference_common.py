"""What the mitigation fixture scripts share: the expected-outcome summary of a randomised
classifier's probabilities (`_pmf_predict(X)[:, 1]`), as the anchors' benchmark scripts record it
and as BiasKit's `ExpectedOutcome` computes it, and the expected positives of a fitted reduction.

Imported by make_fixtures.py, make_threshold_tol_fixtures.py, make_compas_german.py and
make_control_fixtures.py (run them from anywhere: each puts this folder on sys.path).
"""
import numpy as np
import pandas as pd


def summary(p, y, s):
    """Expected accuracy, selection rate, DP and EO differences of probabilities p."""
    groups = np.unique(s)
    rates = [p[s == g].mean() for g in groups]
    eo = 0.0
    for label in (0, 1):
        r = [p[(s == g) & (y == label)].mean() for g in groups]
        eo = max(eo, max(r) - min(r))
    return {
        "expected_accuracy": float(np.mean(y * p + (1 - y) * (1 - p))),
        "expected_selection_rate": float(p.mean()),
        "expected_violation_dp": float(max(rates) - min(rates)),
        "expected_violation_eo": float(eo),
    }


def expected_positive(reduction, X):
    """P(y = 1) of a fitted ExponentiatedGradient (loss moments return one column per predictor)."""
    out = reduction._pmf_predict(X)
    if isinstance(out, pd.DataFrame):
        return out[reduction.weights_.index].to_numpy() @ reduction.weights_.to_numpy()
    return out[:, 1]
