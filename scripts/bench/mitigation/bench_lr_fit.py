"""Times scikit-learn LogisticRegression(C=1, lbfgs, max_iter=1000).fit on the shared Adult
design fixture (the fit the anchors time inside bench_audit_adult.py as `lr-fit`), and prints
one JSON line in the anchors' shape. Usage: python bench_lr_fit.py --runs 5 [--shared ../shared]"""
import argparse, json, os, statistics, time
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../../shared"))
a = ap.parse_args()
tr = pd.read_csv(os.path.join(a.shared, "fixtures/adult_train_design.csv"))
cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
X, y = tr[cols].to_numpy(), tr.y.to_numpy()
times, cpu = [], []
for _ in range(a.runs):
    t0, c0 = time.perf_counter(), time.process_time()
    m = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(X, y)
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({"task": "lr-fit", "library": "sklearn", "rows": len(y), "seconds_median": statistics.median(times),
                  "seconds_all": times, "results": {"n_iter": int(m.n_iter_[0]), "intercept": float(m.intercept_[0]),
                  "coef_l2_norm": float(np.linalg.norm(m.coef_)), "cpu_seconds_all": cpu}}))
