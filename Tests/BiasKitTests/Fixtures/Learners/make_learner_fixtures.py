"""Fixtures for Tests/BiasKitTests/Learners: scikit-learn 1.9.1 HistGradientBoostingClassifier,
NumPy references of the imbalance-aware losses, and SciPy L-BFGS fits of logistic regression
with those losses.

    python3 -m venv /work/venvs/gbm
    /work/venvs/gbm/bin/pip install numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1 pandas
    cd Tests/BiasKitTests/Fixtures/Learners && /work/venvs/gbm/bin/python make_learner_fixtures.py

Reads ../../../../../shared/fixtures/adult_{train,test}_design.csv (the shared folder beside the
clone, or $BIASKIT_SHARED).
"""

import json
import os

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.optimize import minimize
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

assert sklearn.__version__ == "1.9.1", sklearn.__version__
assert np.__version__ == "2.4.6" and scipy.__version__ == "1.17.1"

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BIASKIT_SHARED", os.path.join(HERE, "../../../../../shared"))


def dump(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")


def adult():
    tr = pd.read_csv(os.path.join(SHARED, "fixtures/adult_train_design.csv"))
    te = pd.read_csv(os.path.join(SHARED, "fixtures/adult_test_design.csv"))
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    return (tr[cols].to_numpy(float), tr["y"].to_numpy(), te[cols].to_numpy(float),
            te["y"].to_numpy(), cols)


TREE_FIELDS = ["value", "count", "feature", "threshold", "bin_threshold", "missing_go_to_left",
               "left", "right", "is_leaf", "depth"]


def tree_nodes(predictor):
    """Each node as a list in TREE_FIELDS order."""
    out = []
    for node in predictor.nodes:
        out.append([
            float(node["value"]), int(node["count"]), int(node["feature_idx"]),
            float(node["num_threshold"]), int(node["bin_threshold"]),
            int(node["missing_go_to_left"]), int(node["left"]), int(node["right"]),
            int(node["is_leaf"]), int(node["depth"]),
        ])
    return out


def adult_fixtures():
    X, y, Xt, yt, cols = adult()
    mapper = _BinMapper(n_bins=256).fit(X)
    dump("gbm_adult_bins.json", {
        "columns": cols,
        "thresholds": [[float(t) for t in th] for th in mapper.bin_thresholds_],
        "max_bins_16": [[float(t) for t in th] for th in _BinMapper(n_bins=17).fit(X).bin_thresholds_],
    })
    model = HistGradientBoostingClassifier(early_stopping=False).fit(X, y)
    p = model.predict_proba(Xt)[:, 1]
    pred = model.predict(Xt)
    eps = 1e-15
    loss = -np.mean(yt * np.log(np.clip(p, eps, 1)) + (1 - yt) * np.log(np.clip(1 - p, eps, 1)))
    with open(os.path.join(HERE, "gbm_adult_test_proba.csv"), "w") as f:
        f.write("p\n")
        for v in p:
            f.write(f"{float(v)!r}\n")
    dump("gbm_adult.json", {
        "baseline": float(model._baseline_prediction[0, 0]),
        "n_iter": int(model.n_iter_),
        "leaves": int(sum(pr[0].get_n_leaf_nodes() for pr in model._predictors)),
        "test_accuracy": float(np.mean(pred == yt)),
        "test_log_loss": float(loss),
        "tree_fields": TREE_FIELDS,
        "first_tree": tree_nodes(model._predictors[0][0]),
    })


def synthetic(seed, n, p, missing):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p), 4)
    score = np.sin(X[:, 0]) + 0.5 * X[:, 1] - 0.3 * X[:, 2] ** 2 + rng.normal(size=n) * 0.5
    y = (score > 0).astype(int)
    if missing:
        X[rng.uniform(size=n) < 0.1, 1] = np.nan
        X[rng.uniform(size=n) < 0.05, 3] = np.nan
    return X, y


SYNTHETIC_CASES = [
    ("defaults", dict(max_iter=8), dict(seed=1, n=1000, p=4, missing=False), False),
    ("missing", dict(max_iter=8), dict(seed=2, n=800, p=4, missing=True), False),
    ("small_leaves", dict(max_iter=6, max_leaf_nodes=8, min_samples_leaf=5, learning_rate=0.3,
                          l2_regularization=1.0), dict(seed=3, n=800, p=5, missing=True), False),
    ("depth", dict(max_iter=5, max_depth=3, max_leaf_nodes=None), dict(seed=4, n=1000, p=3,
                                                                       missing=False), False),
    ("weights", dict(max_iter=6, min_samples_leaf=10), dict(seed=5, n=700, p=4, missing=True), True),
    ("quantile_bins", dict(max_iter=6, max_bins=16), dict(seed=6, n=1200, p=4, missing=True), False),
    ("weighted_quantiles", dict(max_iter=4, max_bins=32), dict(seed=7, n=1000, p=3,
                                                               missing=False), True),
]


def synthetic_fixtures():
    cases = []
    for name, params, data, weighted in SYNTHETIC_CASES:
        X, y = synthetic(**data)
        Xt, _ = synthetic(data["seed"] + 100, 200, data["p"], data["missing"])
        w = None
        if weighted:
            w = np.random.default_rng(data["seed"] + 7).uniform(0.2, 3.0, size=len(y))
        model = HistGradientBoostingClassifier(early_stopping=False, **params).fit(X, y, sample_weight=w)
        cases.append({
            "name": name, "params": {k: v for k, v in params.items()},
            "x": [[None if np.isnan(v) else float(v) for v in row] for row in X],
            "y": [int(v) for v in y], "weights": None if w is None else [float(v) for v in w],
            "test_x": [[None if np.isnan(v) else float(v) for v in row] for row in Xt],
            "thresholds": [[float(t) for t in th] for th in model._bin_mapper.bin_thresholds_],
            "baseline": float(model._baseline_prediction[0, 0]),
            "trees": [tree_nodes(pr[0]) for pr in model._predictors],
            "test_proba": [float(v) for v in model.predict_proba(Xt)[:, 1]],
            "test_raw": [float(v) for v in model.decision_function(Xt)],
        })
    # Early stopping on a given validation set (sklearn >= 1.7: X_val, y_val).
    X, y = synthetic(11, 1000, 4, True)
    Xv, yv = synthetic(12, 300, 4, True)
    model = HistGradientBoostingClassifier(
        early_stopping=True, max_iter=200, n_iter_no_change=5, tol=1e-4, learning_rate=0.3,
        random_state=0).fit(X, y, X_val=Xv, y_val=yv)
    early = {
        "x": [[None if np.isnan(v) else float(v) for v in row] for row in X],
        "y": [int(v) for v in y],
        "val_x": [[None if np.isnan(v) else float(v) for v in row] for row in Xv],
        "val_y": [int(v) for v in yv],
        "n_iter": int(model.n_iter_),
        "validation_score": [float(v) for v in model.validation_score_],
    }
    dump("gbm_synthetic.json", {"tree_fields": TREE_FIELDS, "cases": cases, "early_stopping": early})


# ---- losses (independent NumPy formulas, checked by finite differences) --------------------

def sig(z):
    return 1 / (1 + np.exp(-z))


def focal(y, z, g):
    s = np.where(y == 1, 1.0, -1.0)
    q = sig(s * z)
    u = 1 - q
    logq = np.log(q)
    v = -(u ** g) * logq
    d = s * (g * q * u ** g * logq - u ** (g + 1))
    h = q * u ** g * (g * u * logq - g * g * q * logq + (2 * g + 1) * u)
    return v, d, h


def logloss(y, z):
    p = sig(z)
    return np.logaddexp(0, z) - y * z, p - y, p * (1 - p)


def asymmetric(y, z, gp, gn, m):
    vp, dp, hp = focal(np.ones_like(y), z, gp)
    p = sig(z)
    r = np.maximum(p - m, 0)
    a = p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.log1p(-r)
        v = -(r ** gn) * L
        B = -gn * r ** (gn - 1) * L + r ** gn / (1 - r)
        Bp = -gn * (gn - 1) * r ** (gn - 2) * L + 2 * gn * r ** (gn - 1) / (1 - r) + r ** gn / (1 - r) ** 2
    d = a * B
    h = a * (1 - 2 * p) * B + a * a * Bp
    zero = r <= 0
    vn, dn, hn = np.where(zero, 0, v), np.where(zero, 0, d), np.where(zero, 0, h)
    return (np.where(y == 1, vp, vn), np.where(y == 1, dp, dn), np.where(y == 1, hp, hn))


def cb_weights(beta, n0, n1):
    w = np.array([(1 - beta) / (1 - beta ** n0), (1 - beta) / (1 - beta ** n1)])
    return 2 * w / w.sum()


def ldam(y, z, margins):
    zz = np.where(y == 1, z - margins[1], z + margins[0])
    return logloss(y, zz)


def loss_fixtures():
    rng = np.random.default_rng(20261203)
    n = 400
    z = rng.normal(size=n) * 4
    y = (rng.uniform(size=n) < 0.3).astype(int)
    n0, n1 = float((y == 0).sum()), float((y == 1).sum())
    m = np.array([n0 ** -0.25, n1 ** -0.25])
    margins = m * (0.5 / m.max())
    cbw = cb_weights(0.99, n0, n1)
    cases = {
        "log_loss": logloss(y, z),
        "focal_2": focal(y, z, 2.0),
        "focal_0.5": focal(y, z, 0.5),
        "dual_focal_2": tuple(4.0 * a for a in focal(y, z, 2.0)),
        "class_balanced_0.99": tuple(np.where(y == 1, cbw[1], cbw[0]) * a for a in logloss(y, z)),
        "ldam_0.5": ldam(y, z, margins),
        "asymmetric_1_4_0.05": asymmetric(y, z, 1.0, 4.0, 0.05),
        "asymmetric_0_2_0": asymmetric(y, z, 0.0, 2.0, 0.0),
    }
    # finite-difference check of every gradient and Hessian
    eps = 1e-6
    funcs = {
        "log_loss": lambda zz: logloss(y, zz), "focal_2": lambda zz: focal(y, zz, 2.0),
        "focal_0.5": lambda zz: focal(y, zz, 0.5), "ldam_0.5": lambda zz: ldam(y, zz, margins),
        "asymmetric_1_4_0.05": lambda zz: asymmetric(y, zz, 1.0, 4.0, 0.05),
        "asymmetric_0_2_0": lambda zz: asymmetric(y, zz, 0.0, 2.0, 0.0),
    }
    for name, f in funcs.items():
        v, d, h = f(z)
        vp, dp, _ = f(z + eps)
        vm, dm, _ = f(z - eps)
        assert np.allclose((vp - vm) / (2 * eps), d, atol=1e-6, rtol=1e-5), name
        assert np.allclose((dp - dm) / (2 * eps), h, atol=1e-6, rtol=1e-5), name
    dump("losses.json", {
        "z": z.tolist(), "y": y.tolist(), "ldam_margins": margins.tolist(),
        "class_balanced_weights": cbw.tolist(),
        "cases": {k: {"value": v.tolist(), "gradient": d.tolist(), "hessian": h.tolist()}
                  for k, (v, d, h) in cases.items()},
    })

    # Logistic regression with a loss: the same objective minimised by SciPy's L-BFGS-B.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, 5))
    yl = (X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + rng.normal(size=600) * 1.5 > 1.8).astype(int)
    C = 1.0
    n0, n1 = float((yl == 0).sum()), float((yl == 1).sum())

    def fit(rowloss):
        def objective(theta):
            w, b = theta[:-1], theta[-1]
            zz = X @ w + b
            v, d, _ = rowloss(yl, zz)
            n = len(yl)
            f = v.sum() / n + 0.5 * (w @ w) / (C * n)
            g = np.concatenate([X.T @ d / n + w / (C * n), [d.sum() / n]])
            return f, g
        r = minimize(objective, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-12, "ftol": 1e-16, "maxiter": 10000, "maxcor": 10})
        return r.x

    cbw = cb_weights(0.99, n0, n1)
    fits = {
        "focal_2": fit(lambda yy, zz: focal(yy, zz, 2.0)),
        "class_balanced_0.99": fit(
            lambda yy, zz: tuple(np.where(yy == 1, cbw[1], cbw[0]) * a for a in logloss(yy, zz))),
        "asymmetric_1_4_0.05": fit(lambda yy, zz: asymmetric(yy, zz, 1.0, 4.0, 0.05)),
    }
    m = np.array([n0 ** -0.25, n1 ** -0.25])
    fits["ldam_0.5"] = fit(lambda yy, zz: ldam(yy, zz, m * (0.5 / m.max())))
    dump("lr_losses.json", {
        "x": X.tolist(), "y": yl.tolist(), "C": C,
        "fits": {k: {"coefficients": v[:-1].tolist(), "intercept": float(v[-1])}
                 for k, v in fits.items()},
    })


if __name__ == "__main__":
    loss_fixtures()
    synthetic_fixtures()
    adult_fixtures()
