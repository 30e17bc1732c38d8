"""Reference values for the Estimation tests, made with ppi-python 0.2.3 and NumPy/SciPy.

Run from the package root with a venv holding ppi-python==0.2.3 (numpy 2.4.6, scipy 1.17.1,
scikit-learn 1.9.1, statsmodels 0.15.0):

    python3 -m venv /work/venvs/estimate
    /work/venvs/estimate/bin/pip install ppi-python==0.2.3 numpy==2.4.6 scipy==1.17.1
    /work/venvs/estimate/bin/python Tests/BiasKitTests/Fixtures/Estimation/make_estimation_fixtures.py

Writes `estimation.json` (the expected values) and `data/*.npy` (the samples, one 2-D table per
set: labelled columns Y, Yhat, w, x0.., unlabelled columns Yhat, w, x..; a case with
`"weighted": true` uses the w columns, otherwise no weights) beside this file.

Sources of truth:
- PPI, PPI++, classical, naive, cross-prediction and the power analysis: ppi_py 0.2.3 itself.
  ppi_py's tuned lambda is not returned by its functions, so it is recomputed here with its
  own internals (`_ols_get_stats`, `_logistic_get_stats`, `_calc_lam_glm`) at the lambda = 1
  estimate, as `ppi_*_pointestimate(lam=None)` does; the tuned intervals are then
  `ppi_*_ci(lam=<that lambda>)`. The quirks are recorded as such (`ppi_*_ci(lam=None)`).
- PPI++ for quantiles (not in ppi_py) and stratified PPI (not in ppi_py): NumPy, from ppi_py's
  pieces (`compute_cdf`, `_calc_lam_glm`, `ppi_mean_ci`).
- DSL: a NumPy implementation of Egami et al. (NeurIPS 2023), eq. (pseudo-outcome) and the
  sandwich variance, written from the paper (the R package `dsl` is GPL and not used).
- Linear calibration and Tweedie corrections: NumPy / scikit-learn / SciPy `gaussian_kde`, as
  the `unshrink` package (MIT) of Pettersson, Jerzak and Daoud computes them.
- forest_badmodel: `examples/baselines/forest_badmodel.npz` of the ppi_py repository (MIT,
  Copyright (c) 2023 Anastasios Angelopoulos): a real gold/prediction pair (1596 rows),
  stored here as data/forest_labelled.npy and data/forest_unlabelled.npy after a seeded split.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy.stats import gaussian_kde, norm
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold

import ppi_py
from ppi_py import (
    classical_logistic_ci,
    classical_mean_ci,
    classical_ols_ci,
    classical_quantile_ci,
    crossppi_logistic_ci,
    crossppi_logistic_pointestimate,
    crossppi_mean_ci,
    crossppi_mean_pointestimate,
    crossppi_ols_ci,
    crossppi_ols_pointestimate,
    crossppi_quantile_ci,
    crossppi_quantile_pointestimate,
    ppi_logistic_ci,
    ppi_logistic_pointestimate,
    ppi_mean_ci,
    ppi_mean_pointestimate,
    ppi_mean_power,
    ppi_ols_ci,
    ppi_ols_pointestimate,
    ppi_ols_power,
    ppi_logistic_power,
    ppi_quantile_ci,
    ppi_quantile_pointestimate,
)
from ppi_py.ppi import _calc_lam_glm, _logistic_get_stats, _ols_get_stats
from ppi_py.utils import compute_cdf, compute_cdf_diff

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
PPI_REPO_FOREST = "/tmp/est/forest_badmodel.npz"  # git show HEAD:examples/baselines/forest_badmodel.npz


def flt(x):
    """A list of floats; infinite interval ends as the strings "inf" / "-inf" (JSON has no inf)."""
    out = []
    for v in np.atleast_1d(np.asarray(x, dtype=float)):
        out.append(("inf" if v > 0 else "-inf") if np.isinf(v) else float(v))
    return out


# ---------------------------------------------------------------- datasets

datasets = {}


def save_dataset(name, Y, Yhat, Yu, X=None, Xu=None, w=None, wu=None, extra=None):
    n, N = len(Y), len(Yu)
    w_col = np.ones(n) if w is None else w
    wu_col = np.ones(N) if wu is None else wu
    lab = [Y, Yhat, w_col] + ([] if X is None else [X[:, j] for j in range(X.shape[1])])
    unl = [Yu, wu_col] + ([] if Xu is None else [Xu[:, j] for j in range(Xu.shape[1])])
    os.makedirs(DATA, exist_ok=True)
    np.save(os.path.join(DATA, f"{name}_labelled.npy"), np.column_stack(lab).astype(np.float64))
    np.save(os.path.join(DATA, f"{name}_unlabelled.npy"), np.column_stack(unl).astype(np.float64))
    datasets[name] = {
        "labelled": f"data/{name}_labelled.npy",
        "unlabelled": f"data/{name}_unlabelled.npy",
        "covariates": 0 if X is None else X.shape[1],
    }
    if extra:
        datasets[name].update(extra)


rng = np.random.default_rng(20250719)

# Continuous outcome, biased predictions (mean, quantiles).
n, N = 200, 2000
Yall = rng.normal(1.0, 1.0, n + N)
Yhat_all = 0.8 * Yall + 0.3 + rng.normal(0, 0.5, n + N)
sim_Y, sim_Yhat, sim_Yu = Yall[:n], Yhat_all[:n], Yhat_all[n:]
sim_w = rng.uniform(0.5, 2.0, n)
sim_wu = rng.uniform(0.5, 2.0, N)
save_dataset("sim", sim_Y, sim_Yhat, sim_Yu, w=sim_w, wu=sim_wu)

# forest_badmodel (real): 300 gold rows, the rest unlabelled.
forest = np.load(PPI_REPO_FOREST)
perm = np.random.default_rng(7).permutation(len(forest["Y"]))
fY = forest["Y"][perm].astype(float)
fYhat = forest["Yhat"][perm].astype(float)
save_dataset("forest", fY[:300], fYhat[:300], fYhat[300:])

# OLS: intercept + 2 covariates, predictions with covariate-dependent bias.
n, N = 300, 1500
X = np.column_stack([np.ones(n + N), rng.normal(0, 1, n + N), rng.uniform(-1, 1, n + N)])
beta = np.array([0.5, 1.5, -2.0])
Yreg = X @ beta + rng.normal(0, 1, n + N)
Yhat_reg = Yreg + 0.4 * X[:, 1] + rng.normal(0, 0.7, n + N)
ols_w = rng.uniform(0.5, 2.0, n)
ols_wu = rng.uniform(0.5, 2.0, N)
save_dataset("ols", Yreg[:n], Yhat_reg[:n], Yhat_reg[n:], X[:n], X[n:], ols_w, ols_wu)

# Logistic: binary outcome, soft and hard predictions.
n, N = 500, 2000
XL = np.column_stack([np.ones(n + N), rng.normal(0, 1, n + N), rng.normal(0, 1, n + N)])
betaL = np.array([-0.5, 1.0, -0.8])
pL = 1 / (1 + np.exp(-(XL @ betaL)))
YL = (rng.uniform(size=n + N) < pL).astype(float)
soft = np.clip(pL + 0.15 * XL[:, 2] + rng.normal(0, 0.1, n + N), 0.01, 0.99)
hard = (soft > 0.5).astype(float)
log_w = rng.uniform(0.5, 2.0, n)
log_wu = rng.uniform(0.5, 2.0, N)
save_dataset("logistic", YL[:n], soft[:n], soft[n:], XL[:n], XL[n:], log_w, log_wu)
save_dataset("logistic_hard", YL[:n], hard[:n], hard[n:], XL[:n], XL[n:])

# ---------------------------------------------------------------- helpers


def load(name, weighted=False):
    d = datasets[name]
    L = np.load(os.path.join(HERE, d["labelled"]))
    U = np.load(os.path.join(HERE, d["unlabelled"]))
    out = {"Y": L[:, 0], "Yhat": L[:, 1], "Yu": U[:, 0]}
    if weighted:
        out["w"], out["wu"] = L[:, 2], U[:, 1]
    else:
        out["w"], out["wu"] = None, None
    if d["covariates"]:
        out["X"], out["Xu"] = L[:, 3:], U[:, 2:]
    return out


cases = []


def case(name, dataset, estimand, method, point, lower, upper, tolerance, **extra):
    weighted = dataset.endswith("+w")
    shape = np.shape(np.atleast_1d(point))
    c = {
        "name": name,
        "dataset": dataset.removesuffix("+w"),
        "weighted": weighted,
        "estimand": estimand,
        "method": method,
        "point": flt(point),
        "lower": flt(np.broadcast_to(lower, shape)),
        "upper": flt(np.broadcast_to(upper, shape)),
        "tolerance": tolerance,
    }
    c.update(extra)
    cases.append(c)


def lam_mean(D):
    Y, Yhat, Yu = D["Y"].reshape(-1, 1), D["Yhat"].reshape(-1, 1), D["Yu"].reshape(-1, 1)
    n, N = len(Y), len(Yu)
    w = np.ones((n, 1)) if D["w"] is None else (D["w"] / D["w"].sum() * n)[:, None]
    wu = np.ones((N, 1)) if D["wu"] is None else (D["wu"] / D["wu"].sum() * N)[:, None]
    theta = ppi_mean_pointestimate(D["Y"], D["Yhat"], D["Yu"], lam=1, w=D["w"], w_unlabeled=D["wu"])
    return float(
        _calc_lam_glm(w * (Y - theta), w * (Yhat - theta), wu * (Yu - theta), np.eye(1), clip=True)
    )


def lam_ols(D, coord=None):
    X, Xu = D["X"], D["Xu"]
    n, N = len(D["Y"]), len(D["Yu"])
    w = np.ones(n) if D["w"] is None else D["w"] / D["w"].sum() * n
    wu = np.ones(N) if D["wu"] is None else D["wu"] / D["wu"].sum() * N
    theta = ppi_ols_pointestimate(X, D["Y"], D["Yhat"], Xu, D["Yu"], lam=1, w=D["w"], w_unlabeled=D["wu"])
    g, gh, ghu, ih = _ols_get_stats(theta, X, D["Y"], D["Yhat"], Xu, D["Yu"], w=w, w_unlabeled=wu, use_unlabeled=True)
    return float(_calc_lam_glm(g, gh, ghu, ih, coord, clip=True))


def lam_logistic(D):
    X, Xu = D["X"], D["Xu"]
    n, N = len(D["Y"]), len(D["Yu"])
    w = np.ones(n) if D["w"] is None else D["w"] / D["w"].sum() * n
    wu = np.ones(N) if D["wu"] is None else D["wu"] / D["wu"].sum() * N
    theta = ppi_logistic_pointestimate(X, D["Y"], D["Yhat"], Xu, D["Yu"], lam=1, w=D["w"], w_unlabeled=D["wu"])
    g, gh, ghu, ih = _logistic_get_stats(theta, X, D["Y"], D["Yhat"], Xu, D["Yu"], w, wu)
    return float(_calc_lam_glm(g, gh, ghu, ih, clip=True))


# ---------------------------------------------------------------- mean

for ds in ["sim", "sim+w", "forest"]:
    D = load(ds.removesuffix("+w"), ds.endswith("+w"))
    Y, Yhat, Yu, w, wu = D["Y"], D["Yhat"], D["Yu"], D["w"], D["wu"]
    lo, hi = classical_mean_ci(Y, w=w)
    case(f"{ds}-mean-classical", ds, "mean", "classical", (w / w.sum() * len(Y) * Y).mean() if w is not None else Y.mean(), lo, hi, 1e-10)
    lo, hi = classical_mean_ci(Yu, w=wu)
    case(f"{ds}-mean-naive", ds, "mean", "naive", (wu / wu.sum() * len(Yu) * Yu).mean() if wu is not None else Yu.mean(), lo, hi, 1e-10)
    for lam in [1.0, 0.3, 0.0]:
        p = ppi_mean_pointestimate(Y, Yhat, Yu, lam=lam, w=w, w_unlabeled=wu)
        lo, hi = ppi_mean_ci(Y, Yhat, Yu, lam=lam, w=w, w_unlabeled=wu)
        case(f"{ds}-mean-ppi-{lam}", ds, "mean", "ppi", p, lo, hi, 1e-10, **{"lambda": lam})
    lam = lam_mean(D)
    p = ppi_mean_pointestimate(Y, Yhat, Yu, w=w, w_unlabeled=wu)
    lo, hi = ppi_mean_ci(Y, Yhat, Yu, w=w, w_unlabeled=wu)
    case(f"{ds}-mean-ppi++", ds, "mean", "ppi++", p, lo, hi, 1e-10, expected_lambda=lam)
    for alt in ["larger", "smaller"]:
        lo, hi = ppi_mean_ci(Y, Yhat, Yu, lam=lam, w=w, w_unlabeled=wu, alternative=alt)
        case(f"{ds}-mean-ppi++-{alt}", ds, "mean", "ppi++", p, lo, hi, 1e-10, alternative=alt, expected_lambda=lam)
    for alpha in [0.05, 0.2]:
        lo, hi = ppi_mean_ci(Y, Yhat, Yu, alpha=alpha, w=w, w_unlabeled=wu)
        case(f"{ds}-mean-ppi++-alpha{alpha}", ds, "mean", "ppi++", p, lo, hi, 1e-10, alpha=alpha)

# The quirk: lam=None with a one-sided alternative returns the two-sided interval.
D = load("sim")
qlo, qhi = ppi_mean_ci(D["Y"], D["Yhat"], D["Yu"], alternative="larger")
quirks = {"mean_lam_none_larger": {"dataset": "sim", "lower": float(qlo[0]), "upper": float(qhi[0])}}

# ---------------------------------------------------------------- quantiles


def ppi_quantile_lambda_numpy(Y, Yhat, Yu, q, lam, exact_grid=False, alpha=0.1):
    """PPI at lambda for a quantile, from ppi_py's pieces (ppi_py has lam = 1 only)."""
    n, N = len(Y), len(Yu)
    grid = np.concatenate([Y, Yhat, Yu])
    grid = np.sort(grid) if exact_grid else np.linspace(grid.min(), grid.max(), 5000)
    cdf_u, cdf_u_std = compute_cdf(Yu, grid)
    iy = (Y[:, None] <= grid[None, :]).astype(float)
    iyh = (Yhat[:, None] <= grid[None, :]).astype(float)
    r = iy - lam * iyh
    rect, rect_std = r.mean(0), r.std(0)
    values = lam * cdf_u + rect
    std = np.maximum(np.sqrt((lam * cdf_u_std / np.sqrt(N)) ** 2 + (rect_std / np.sqrt(n)) ** 2), 1e-16)
    pv = 2 * norm.sf(np.abs((values - q) / std))
    point = grid[np.argmin(np.abs(values - q))]
    keep = grid[pv > alpha]
    return point, keep[0], keep[-1]


for ds in ["sim", "sim+w"]:
    D = load(ds.removesuffix("+w"), ds.endswith("+w"))
    Y, Yhat, Yu, w, wu = D["Y"], D["Yhat"], D["Yu"], D["w"], D["wu"]
    for q in [0.25, 0.5, 0.9]:
        for exact in [False, True]:
            p = ppi_quantile_pointestimate(Y, Yhat, Yu, q, exact_grid=exact, w=w, w_unlabeled=wu)
            lo, hi = ppi_quantile_ci(Y, Yhat, Yu, q, exact_grid=exact, w=w, w_unlabeled=wu)
            case(f"{ds}-q{q}-ppi-{'exact' if exact else 'linear'}", ds, {"quantile": q}, "ppi", p, lo, hi, 1e-6,
                 grid="exact" if exact else "linear", **{"lambda": 1.0})
        if w is None:
            lo, hi = classical_quantile_ci(Y, q)
            case(f"{ds}-q{q}-classical", ds, {"quantile": q}, "classical", np.sort(Y)[int(np.ceil(q * len(Y))) - 1], lo, hi, 1e-12)
            lo, hi = classical_quantile_ci(Yu, q)
            case(f"{ds}-q{q}-naive", ds, {"quantile": q}, "naive", np.sort(Yu)[int(np.ceil(q * len(Yu))) - 1], lo, hi, 1e-12)
            # PPI++ for a quantile: lambda from _calc_lam_glm on the pinball gradients at the lambda = 1 estimate.
            theta = ppi_quantile_pointestimate(Y, Yhat, Yu, q)
            g = ((Y <= theta) - q).astype(float)[:, None]
            gh = ((Yhat <= theta) - q).astype(float)[:, None]
            ghu = ((Yu <= theta) - q).astype(float)[:, None]
            lam = float(_calc_lam_glm(g, gh, ghu, np.eye(1), clip=True))
            p, lo, hi = ppi_quantile_lambda_numpy(Y, Yhat, Yu, q, lam)
            case(f"{ds}-q{q}-ppi++", ds, {"quantile": q}, "ppi++", p, lo, hi, 1e-6, expected_lambda=lam)
            p, lo, hi = ppi_quantile_lambda_numpy(Y, Yhat, Yu, q, 0.4)
            case(f"{ds}-q{q}-ppi-0.4", ds, {"quantile": q}, "ppi", p, lo, hi, 1e-6, **{"lambda": 0.4})

# ---------------------------------------------------------------- OLS

for ds in ["ols", "ols+w"]:
    D = load(ds.removesuffix("+w"), ds.endswith("+w"))
    X, Y, Yhat, Xu, Yu, w, wu = D["X"], D["Y"], D["Yhat"], D["Xu"], D["Yu"], D["w"], D["wu"]
    lo, hi = classical_ols_ci(X, Y, w=w)
    p = (lo + hi) / 2
    case(f"{ds}-classical", ds, "ols", "classical", p, lo, hi, 1e-10)
    lo, hi = classical_ols_ci(Xu, Yu, w=wu)
    case(f"{ds}-naive", ds, "ols", "naive", (lo + hi) / 2, lo, hi, 1e-10)
    for lam in [1.0, 0.5, 0.0]:
        p = ppi_ols_pointestimate(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
        lo, hi = ppi_ols_ci(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
        case(f"{ds}-ppi-{lam}", ds, "ols", "ppi", p, lo, hi, 1e-10, **{"lambda": lam})
    for coord in [None, 1]:
        lam = lam_ols(D, coord)
        p = ppi_ols_pointestimate(X, Y, Yhat, Xu, Yu, coord=coord, w=w, w_unlabeled=wu)
        lo, hi = ppi_ols_ci(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
        qlo, qhi = ppi_ols_ci(X, Y, Yhat, Xu, Yu, coord=coord, w=w, w_unlabeled=wu)
        case(f"{ds}-ppi++" + ("" if coord is None else f"-coord{coord}"), ds, "ols", "ppi++", p, lo, hi, 1e-10,
             expected_lambda=lam, coord=coord, ppi_py_lam_none_lower=flt(qlo), ppi_py_lam_none_upper=flt(qhi))
    lam = lam_ols(D)
    lo, hi = ppi_ols_ci(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu, alternative="larger")
    p = ppi_ols_pointestimate(X, Y, Yhat, Xu, Yu, w=w, w_unlabeled=wu)
    case(f"{ds}-ppi++-larger", ds, "ols", "ppi++", p, lo, hi, 1e-10, alternative="larger", expected_lambda=lam)

# ---------------------------------------------------------------- logistic

for ds in ["logistic", "logistic_hard", "logistic+w"]:
    D = load(ds.removesuffix("+w"), ds.endswith("+w"))
    X, Y, Yhat, Xu, Yu, w, wu = D["X"], D["Y"], D["Yhat"], D["Xu"], D["Yu"], D["w"], D["wu"]
    if w is None:
        lo, hi = classical_logistic_ci(X, Y)
        case(f"{ds}-classical", ds, "logistic", "classical", (lo + hi) / 2, lo, hi, 1e-6)
    if ds == "logistic_hard":
        lo, hi = classical_logistic_ci(Xu, Yu)
        case(f"{ds}-naive", ds, "logistic", "naive", (lo + hi) / 2, lo, hi, 1e-6)
    for lam in [1.0, 0.5, 0.0]:
        p = ppi_logistic_pointestimate(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
        lo, hi = ppi_logistic_ci(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
        case(f"{ds}-ppi-{lam}", ds, "logistic", "ppi", p, lo, hi, 1e-6, **{"lambda": lam})
    lam = lam_logistic(D)
    p = ppi_logistic_pointestimate(X, Y, Yhat, Xu, Yu, w=w, w_unlabeled=wu)
    lo, hi = ppi_logistic_ci(X, Y, Yhat, Xu, Yu, lam=lam, w=w, w_unlabeled=wu)
    qlo, qhi = ppi_logistic_ci(X, Y, Yhat, Xu, Yu, w=w, w_unlabeled=wu)
    case(f"{ds}-ppi++", ds, "logistic", "ppi++", p, lo, hi, 1e-6, expected_lambda=lam,
         ppi_py_lam_none_lower=flt(qlo), ppi_py_lam_none_upper=flt(qhi))

# ---------------------------------------------------------------- cross-prediction

n, N, K = 400, 1200, 5
XC = np.column_stack([rng.normal(0, 1, n + N), rng.normal(0, 1, n + N), rng.uniform(-1, 1, n + N)])
YC = (rng.uniform(size=n + N) < 1 / (1 + np.exp(-(0.3 + XC @ np.array([1.2, -0.7, 0.5]))))).astype(float)
Yc, Xc, Xcu = YC[:n], XC[:n], XC[n:]
Yhat_c = np.zeros(n)
Yhat_cu = np.zeros((N, K))
for k, (train, test) in enumerate(KFold(n_splits=K, shuffle=False).split(Xc)):
    model = LogisticRegression(C=1.0, max_iter=1000).fit(Xc[train], Yc[train])
    Yhat_c[test] = model.predict_proba(Xc[test])[:, 1]
    Yhat_cu[:, k] = model.predict_proba(Xcu)[:, 1]
Xc1 = np.column_stack([np.ones(n), Xc])
Xcu1 = np.column_stack([np.ones(N), Xcu])
os.makedirs(DATA, exist_ok=True)
np.save(os.path.join(DATA, "cross_labelled.npy"), np.column_stack([Yc, Yhat_c, Xc]))
np.save(os.path.join(DATA, "cross_unlabelled.npy"), np.column_stack([Yhat_cu, Xcu]))
cross = {"folds": K, "labelled": "data/cross_labelled.npy", "unlabelled": "data/cross_unlabelled.npy", "cases": []}


def cross_case(name, estimand, point, lower, upper, tolerance):
    cross["cases"].append({"name": name, "estimand": estimand, "point": flt(point), "lower": flt(lower),
                           "upper": flt(upper), "tolerance": tolerance})


lo, hi = crossppi_mean_ci(Yc, Yhat_c, Yhat_cu)
cross_case("cross-mean", "mean", crossppi_mean_pointestimate(Yc, Yhat_c, Yhat_cu), lo, hi, 1e-10)
lo, hi = crossppi_ols_ci(Xc1, Yc, Yhat_c, Xcu1, Yhat_cu)
cross_case("cross-ols", "ols", crossppi_ols_pointestimate(Xc1, Yc, Yhat_c, Xcu1, Yhat_cu), lo, hi, 1e-10)
lo, hi = crossppi_logistic_ci(Xc1, Yc, Yhat_c, Xcu1, Yhat_cu, optimizer_options={"ftol": 1e-15})
cross_case("cross-logistic", "logistic",
           crossppi_logistic_pointestimate(Xc1, Yc, Yhat_c, Xcu1, Yhat_cu, optimizer_options={"ftol": 1e-15}), lo, hi, 1e-6)
# A continuous outcome for the quantile: the cross-fitted probabilities themselves serve.
lo, hi = crossppi_quantile_ci(Yhat_c * 2 + Yc, Yhat_c, Yhat_cu, 0.5)
cross_case("cross-quantile", {"quantile": 0.5},
           crossppi_quantile_pointestimate(Yhat_c * 2 + Yc, Yhat_c, Yhat_cu, 0.5), lo, hi, 1e-6)

# ---------------------------------------------------------------- stratified PPI (mean)

D = load("sim")
strata_l = (D["Y"] > 1.0).astype(int) + (np.arange(len(D["Y"])) % 3 == 0).astype(int)
strata_u = (D["Yu"] > 1.2).astype(int) + (np.arange(len(D["Yu"])) % 3 == 0).astype(int)
z = norm.ppf(0.95)
value, variance, shares, lams = 0.0, 0.0, [], []
for k in range(3):
    Yk, Yhk, Yuk = D["Y"][strata_l == k], D["Yhat"][strata_l == k], D["Yu"][strata_u == k]
    share = (strata_u == k).sum() / len(strata_u)
    pk = ppi_mean_pointestimate(Yk, Yhk, Yuk)
    lo, hi = ppi_mean_ci(Yk, Yhk, Yuk)
    se = float((hi[0] - lo[0]) / (2 * z))
    value += share * float(pk[0])
    variance += share ** 2 * se ** 2
    shares.append(float(share))
stratified = {"dataset": "sim", "labelled_strata": [int(v) for v in strata_l],
              "unlabelled_strata": [int(v) for v in strata_u], "shares": shares,
              "point": value, "lower": value - z * np.sqrt(variance), "upper": value + z * np.sqrt(variance)}

# ---------------------------------------------------------------- DSL (NumPy, from the paper)


def dsl_numpy(estimand, Y, R, pi, g, X=None):
    """Egami et al.: pseudo-outcome g + R/pi (Y - g); moment equations; sandwich J^-1 M J^-1 / m."""
    Yt = g + np.where(R == 1, (np.nan_to_num(Y) - g) / pi, 0.0)
    m = len(Yt)
    if estimand == "mean":
        theta = Yt.mean()
        return np.array([theta]), np.array([np.sqrt(((Yt - theta) ** 2).mean() / m)])
    if estimand == "ols":
        theta = np.linalg.solve(X.T @ X, X.T @ Yt)
        e = Yt - X @ theta
        J = X.T @ X / m
    else:
        theta = np.zeros(X.shape[1])
        for _ in range(100):  # Newton on sum x (Yt - mu) = 0
            mu = 1 / (1 + np.exp(-(X @ theta)))
            step = np.linalg.solve(X.T @ (X * (mu * (1 - mu))[:, None]), X.T @ (Yt - mu))
            theta = theta + step
            if np.max(np.abs(step)) < 1e-14:
                break
        mu = 1 / (1 + np.exp(-(X @ theta)))
        e = Yt - mu
        J = X.T @ (X * (mu * (1 - mu))[:, None]) / m
    M = (X * e[:, None]).T @ (X * e[:, None]) / m
    Ji = np.linalg.inv(J)
    V = Ji @ M @ Ji / m
    return theta, np.sqrt(np.diag(V))


# After Egami et al.'s simulation: a logistic regression of a binary label on covariates, a
# surrogate ~90% accurate whose errors depend on the covariates, gold labels drawn with known,
# unequal probabilities (oversampling one covariate group).
m = 3000
XD = np.column_stack([np.ones(m), rng.normal(0, 1, m), (rng.uniform(size=m) < 0.4).astype(float), rng.normal(0, 1, m)])
YD = (rng.uniform(size=m) < 1 / (1 + np.exp(-(XD @ np.array([-1.0, 0.8, 1.0, -0.5]))))).astype(float)
flip = rng.uniform(size=m) < np.where(XD[:, 1] > 0, 0.16, 0.04)
QD = np.where(flip, 1 - YD, YD)
piD = np.where(XD[:, 2] == 1, 0.15, 0.05)
RD = (rng.uniform(size=m) < piD).astype(int)
order = np.concatenate([np.flatnonzero(RD == 1), np.flatnonzero(RD == 0)])
XD, YD, QD, piD, RD = XD[order], YD[order], QD[order], piD[order], RD[order]
nl = int(RD.sum())
np.save(os.path.join(DATA, "dsl_labelled.npy"), np.column_stack([YD[:nl], QD[:nl], piD[:nl], XD[:nl]]))
np.save(os.path.join(DATA, "dsl_unlabelled.npy"), np.column_stack([QD[nl:], XD[nl:]]))
dsl = {"labelled": "data/dsl_labelled.npy", "unlabelled": "data/dsl_unlabelled.npy", "cases": []}
for est in ["mean", "ols", "logistic"]:
    theta, se = dsl_numpy(est, np.where(RD == 1, YD, np.nan), RD, piD, QD.astype(float), XD)
    lo, hi = theta - z * se, theta + z * se
    dsl["cases"].append({"estimand": est, "point": flt(theta), "standard_error": flt(se),
                         "lower": flt(lo), "upper": flt(hi), "tolerance": 1e-10 if est != "logistic" else 1e-9})
# The truth the DSL estimate targets, and what the surrogate alone gives (biased).
dsl["surrogate_only_logistic"] = flt(
    LogisticRegression(penalty=None, fit_intercept=False, tol=1e-12, max_iter=10000).fit(XD, QD).coef_[0])

# ---------------------------------------------------------------- power analysis

power = []
D = load("forest")
for kw in [dict(effective_n=200), dict(budget=500.0), dict(effective_n=150, n_max=400), dict(budget=300.0, n_max=350)]:
    r = ppi_mean_power(D["Y"], D["Yhat"], cost_Y=1.0, cost_Yhat=0.05, **kw)
    power.append({"dataset": "forest", "estimand": "mean", "cost_Y": 1.0, "cost_Yhat": 0.05, "cost_X": 0.0,
                  "query": kw, "result": {k: float(v) for k, v in r.items()}})
D = load("sim")
for kw in [dict(effective_n=300), dict(budget=400.0), dict(effective_n=300, n_max=1000), dict(budget=250.0, n_max=600)]:
    r = ppi_mean_power(D["Y"], D["Yhat"], cost_Y=1.0, cost_Yhat=0.02, **kw)
    power.append({"dataset": "sim", "estimand": "mean", "cost_Y": 1.0, "cost_Yhat": 0.02, "cost_X": 0.0,
                  "query": kw, "result": {k: float(v) for k, v in r.items()}})
D = load("ols")
for kw in [dict(effective_n=400), dict(budget=2000.0)]:
    r = ppi_ols_power(D["X"], D["Y"], D["Yhat"], cost_X=0.1, cost_Y=1.0, cost_Yhat=0.2, coord=1, **kw)
    power.append({"dataset": "ols", "estimand": "ols", "coord": 1, "cost_Y": 1.0, "cost_Yhat": 0.2, "cost_X": 0.1,
                  "query": kw, "result": {k: float(v) for k, v in r.items()}})
D = load("logistic_hard")
r = ppi_logistic_power(D["X"], D["Y"], D["Yhat"], cost_X=0.0, cost_Y=1.0, cost_Yhat=0.1, coord=1, effective_n=800)
power.append({"dataset": "logistic_hard", "estimand": "logistic", "coord": 1, "cost_Y": 1.0, "cost_Yhat": 0.1,
              "cost_X": 0.0, "query": {"effective_n": 800}, "result": {k: float(v) for k, v in r.items()}})
# sigma^2 of the mean on forest (ddof 0), for the target-width plan.
Y = load("forest")["Y"]
forest_sigma2 = float(((Y - Y.mean()) ** 2).mean())

# ---------------------------------------------------------------- label-free corrections

nc, nt = 400, 3000
Ycal = rng.normal(50, 10, nc)
Pcal = 50 + 0.7 * (Ycal - 50) + rng.normal(0, 4, nc)  # shrunk toward the mean
Ytr = rng.normal(52, 10, nt)
treated = rng.uniform(size=nt) < 0.5
Ytr = Ytr + 5 * treated
Ptr = 50 + 0.7 * (Ytr - 50) + rng.normal(0, 4, nt)
lr = LinearRegression().fit(Ycal.reshape(-1, 1), Pcal)
a, b = float(lr.intercept_), float(lr.coef_[0])
lcc_pred = (Ptr - a) / b
sigma = float(np.std(Pcal - Ycal))
kde = gaussian_kde(Pcal)
h = float(np.sqrt(kde.covariance[0, 0]))


def score_exact(y):
    d = y[:, None] - Pcal[None, :]
    k = np.exp(-(d ** 2) / (2 * h * h))
    return -(d * k).sum(1) / (h * h * k.sum(1))


delta = max(max(float(np.std(Pcal)), np.finfo(float).eps ** 0.5) * 1e-3, 1e-8)
score_fd = (kde.logpdf(Ptr + delta) - kde.logpdf(Ptr - delta)) / (2 * delta)
tweedie_exact = Ptr - sigma ** 2 * score_exact(Ptr)
tweedie_fd = Ptr - sigma ** 2 * score_fd
np.save(os.path.join(DATA, "corrections.npy"), np.column_stack([
    np.concatenate([Ycal, np.full(nt, np.nan)]), np.concatenate([Pcal, np.full(nt, np.nan)]),
    np.concatenate([np.full(nc, np.nan), Ptr]), np.concatenate([np.full(nc, np.nan), treated.astype(float)])]))
corrections = {
    "data": "data/corrections.npy", "calibration_rows": nc,
    "lcc": {"intercept": a, "slope": b, "first": flt(lcc_pred[:20]), "mean": float(lcc_pred.mean()),
            "effect": float(lcc_pred[treated].mean() - lcc_pred[~treated].mean())},
    "tweedie": {"sigma": sigma, "bandwidth": h, "exact_first": flt(tweedie_exact[:20]),
                "finite_difference_first": flt(tweedie_fd[:20]), "exact_mean": float(tweedie_exact.mean()),
                "exact_effect": float(tweedie_exact[treated].mean() - tweedie_exact[~treated].mean()),
                "finite_difference_mean": float(tweedie_fd.mean())},
    "naive": {"mean": float(Ptr.mean()), "effect": float(Ptr[treated].mean() - Ptr[~treated].mean())},
}

# ---------------------------------------------------------------- normal distribution

ps = np.concatenate([[1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.999],
                     rng.uniform(size=40), [1 - 1e-10, 1 - 1e-16]])
xs = np.concatenate([np.linspace(-38, 38, 39), rng.normal(0, 3, 20)])
# As strings: Foundation's JSON parser does not round every decimal correctly (it reads
# 0.9999999999999999 as 1), which matters at this precision.
def strs(a):
    return [repr(float(v)) for v in a]


normal = {"p": strs(ps), "ppf": strs(norm.ppf(ps)), "x": strs(xs), "sf": strs(norm.sf(xs)), "cdf": strs(norm.cdf(xs))}

out = {
    "versions": {"ppi_python": "0.2.3", "numpy": np.__version__, "scipy": scipy.__version__,
                 "scikit_learn": sklearn.__version__, "statsmodels": statsmodels.__version__,
                 "python": sys.version.split()[0]},
    "datasets": datasets, "cases": cases, "quirks": quirks, "cross": cross, "stratified": stratified,
    "dsl": dsl, "power": power, "forest_sigma2": forest_sigma2, "corrections": corrections, "normal": normal,
}
with open(os.path.join(HERE, "estimation.json"), "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
print(f"{len(cases)} cases, {len(power)} power queries")
