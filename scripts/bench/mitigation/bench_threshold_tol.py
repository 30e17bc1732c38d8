"""threshold-adult with fairlearn 0.15's relaxed constraints: ThresholdOptimizer(tol=...).

The anchors' bench_threshold_adult.py (same LR, prefit=True, predict_method='predict_proba',
objective 'accuracy_score', grid_size=1000, sensitive feature sex) with a --tol option and any
single-rate constraint. Timed call: ThresholdOptimizer.fit; predict on test is timed separately.
Prints one JSON line in the anchors' shape. Usage (from the package root):

    /work/venv/bin/python scripts/bench/mitigation/bench_threshold_tol.py \
        --constraint demographic_parity --tol 0.05 --runs 5 [--anchors ../shared/anchors]
"""
import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--constraint", default="demographic_parity")
ap.add_argument("--tol", type=float, default=None)
ap.add_argument("--anchors", default=os.path.join(os.path.dirname(__file__), "../../../../shared/anchors"))
a = ap.parse_args()
sys.path.insert(0, os.path.abspath(a.anchors))
import common  # noqa: E402  (the anchors' harness)
from bench_expgrad_adult import expected_violation  # noqa: E402
from fairlearn.postprocessing import ThresholdOptimizer  # noqa: E402

warnings.filterwarnings("ignore")
d = common.load_adult_all()
lr = common.adult_lr().fit(d["Xtr"], d["ytr"])
s_tr, s_te = d["train"]["sex"].to_numpy(), d["test"]["sex"].to_numpy()


def fit():
    to = ThresholdOptimizer(estimator=lr, constraints=a.constraint, prefit=True,
                            predict_method="predict_proba", tol=a.tol)
    return to.fit(d["Xtr"], d["ytr"], sensitive_features=s_tr)


stats, to = common.measure(fit, a.runs)
pt = []
for _ in range(a.runs):
    t0 = time.perf_counter()
    to.predict(d["Xte"], sensitive_features=s_te, random_state=0)
    pt.append(time.perf_counter() - t0)
y = d["yte"]
pr = to._pmf_predict(d["Xte"], sensitive_features=s_te)[:, 1]
res = {
    "test_expected_accuracy": float(np.mean(y * pr + (1 - y) * (1 - pr))),
    "test_expected_violation_dp": expected_violation(pr, y, s_te, "dp"),
    "test_expected_selection_rate": float(pr.mean()),
    "x_best_per_group": {str(k): float(v) for k, v in to._x_best_per_group.items()},
}
common.emit("threshold-adult", "fairlearn", len(d["ytr"]), stats,
            variant=f"ThresholdOptimizer({a.constraint}, tol={a.tol}):sex",
            predict_seconds_median=round(statistics.median(pt), 6), results=res,
            versions=common.versions())
