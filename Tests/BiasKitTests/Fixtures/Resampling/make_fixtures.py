"""Reference fixtures for the Resampling tests, made with imbalanced-learn 0.14.2 /
scikit-learn 1.9.1.

Run from the package root:
    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Resampling/make_fixtures.py

Writes resampling.json: small data sets (X, y) and, for each, what imbalanced-learn returns:
the k-NN of every row (kneighbors, k=6; floats as strings), the kept row indices (`sample_indices_`) of every
deterministic sampler, the class counts of the randomized ones, and sampling_strategy
resolutions, ADASYN's per-row counts and Borderline-SMOTE's danger rows; and npy/, small
.npy files (good and bad) for the reader.
"""
import json
import os
import warnings

import numpy as np
import imblearn
import sklearn
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from imblearn.over_sampling import SMOTE, ADASYN, BorderlineSMOTE, RandomOverSampler
from imblearn.under_sampling import (
    AllKNN, EditedNearestNeighbours, NearMiss, NeighbourhoodCleaningRule,
    RandomUnderSampler, RepeatedEditedNearestNeighbours, TomekLinks,
    CondensedNearestNeighbour, OneSidedSelection,
)
from imblearn.utils import check_sampling_strategy

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def datasets():
    out = {}
    X, y = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=1,
                               n_classes=3, weights=[0.65, 0.25, 0.10], class_sep=0.8,
                               flip_y=0.03, random_state=7)
    out["three_classes"] = (np.round(X, 6), y)
    X, y = make_classification(n_samples=250, n_features=5, n_informative=3, n_redundant=0,
                               weights=[0.88, 0.12], class_sep=0.6, flip_y=0.02,
                               random_state=11)
    out["binary"] = (np.round(X, 6), y)
    # Overlapping classes, labels not 0-based: 2 (majority) and 5.
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, size=(160, 3)), rng.normal(0.7, 1, size=(40, 3))])
    y = np.array([2] * 160 + [5] * 40)
    perm = rng.permutation(200)
    out["shuffled_labels"] = (np.round(X[perm], 6), y[perm])
    # Heavy ties: integer grid points with duplicates (k-NN order among equal distances
    # is implementation-defined in scikit-learn).
    X = rng.integers(0, 4, size=(150, 3)).astype(float)
    y = (rng.random(150) < 0.2).astype(int)
    out["ties"] = (X, y)
    return out


def deterministic(X, y):
    res = {}
    samplers = {
        "tomek": TomekLinks(),
        "tomek_all": TomekLinks(sampling_strategy="all"),
        "enn": EditedNearestNeighbours(),
        "enn_mode": EditedNearestNeighbours(kind_sel="mode"),
        "enn_all_k5": EditedNearestNeighbours(sampling_strategy="all", n_neighbors=5),
        "renn": RepeatedEditedNearestNeighbours(),
        "renn_mode": RepeatedEditedNearestNeighbours(kind_sel="mode"),
        "allknn": AllKNN(),
        "allknn_allow": AllKNN(allow_minority=True, n_neighbors=4),
        "nearmiss1": NearMiss(version=1),
        "nearmiss2": NearMiss(version=2),
        "nearmiss3": NearMiss(version=3),
        "ncr": NeighbourhoodCleaningRule(),
        "ncr_t0": NeighbourhoodCleaningRule(threshold_cleaning=0.1),
    }
    for name, s in samplers.items():
        Xr, yr = s.fit_resample(X, y)
        idx = s.sample_indices_
        ok = bool(np.array_equal(X[idx], Xr))
        # The rows actually returned, as input indices (RENN's sample_indices_ can be
        # permuted twice on convergence; the returned X is what matters).
        rows = [int(np.flatnonzero((X == r).all(1) & (y == t))[0]) for r, t in zip(Xr, yr)] if not ok else idx.tolist()
        res[name] = {"sample_indices": [int(i) for i in idx], "returned_rows": rows,
                     "indices_match_output": ok, "labels": [int(v) for v in yr]}
    return res


def randomized(X, y):
    res = {}
    for name, s in {
        "smote": SMOTE(random_state=0),
        "smote_k3_all": SMOTE(k_neighbors=3, sampling_strategy="all", random_state=0),
        "random_over": RandomOverSampler(random_state=0),
        "random_under": RandomUnderSampler(random_state=0),
        "borderline1": BorderlineSMOTE(random_state=0, kind="borderline-1"),
        "borderline2": BorderlineSMOTE(random_state=0, kind="borderline-2"),
        "adasyn": ADASYN(random_state=0),
    }.items():
        try:
            Xr, yr = s.fit_resample(X, y)
            u, c = np.unique(yr, return_counts=True)
            res[name] = {"classes": u.tolist(), "counts": c.tolist(), "rows": int(len(yr))}
        except Exception as e:  # noqa: BLE001
            res[name] = {"error": str(e)}
    return res


def adasyn_row_counts(X, y, k=5):
    """imbalanced-learn's ADASYN n_samples_generate per class (same steps as _fit_resample)."""
    from imblearn.utils import check_sampling_strategy as css
    out = {}
    for c, n in css("auto", y, "over-sampling").items():
        if n == 0:
            continue
        Xc = X[y == c]
        nns = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(Xc, return_distance=False)[:, 1:]
        ratio = np.sum(y[nns] != c, axis=1) / k
        ratio /= np.sum(ratio)
        out[str(int(c))] = np.rint(ratio * n).astype(int).tolist()
    return out


def borderline_danger(X, y):
    s = BorderlineSMOTE(random_state=0)
    s.fit_resample(X, y)
    return {str(int(c)): [int(i) for i in idx] for c, idx in s.in_danger_indices.items()}


def write_npy_cases():
    folder = os.path.join(HERE, "npy")
    os.makedirs(folder, exist_ok=True)
    X = np.arange(12, dtype="<f8").reshape(4, 3) / 4
    np.save(os.path.join(folder, "x_f8.npy"), X)
    np.save(os.path.join(folder, "x_f4.npy"), X.astype("<f4"))
    np.save(os.path.join(folder, "x_i4.npy"), np.arange(12, dtype="<i4").reshape(4, 3))
    np.save(os.path.join(folder, "y_i8.npy"), np.array([0, 1, 0, 1], dtype="<i8"))
    np.save(os.path.join(folder, "y_u1.npy"), np.array([0, 1, 0, 1], dtype="u1"))
    np.save(os.path.join(folder, "y_f8.npy"), np.array([0.0, 1.0, 0.0, 1.0]))
    np.save(os.path.join(folder, "y_f8_continuous.npy"), np.array([0.0, 0.5, 0.0, 1.0]))
    np.save(os.path.join(folder, "x_big_endian.npy"), X.astype(">f8"))
    np.save(os.path.join(folder, "x_fortran.npy"), np.asfortranarray(X))
    np.save(os.path.join(folder, "x_3d.npy"), X.reshape(2, 2, 3))
    np.save(os.path.join(folder, "x_complex.npy"), X.astype("<c16"))
    np.save(os.path.join(folder, "x_unicode.npy"), np.array([["a", "b"], ["c", "d"]]))
    with open(os.path.join(folder, "x_f8.npy"), "rb") as f:
        raw = f.read()
    with open(os.path.join(folder, "x_truncated.npy"), "wb") as f:
        f.write(raw[:-8])
    with open(os.path.join(folder, "not_npy.npy"), "wb") as f:
        f.write(b"x,y\n1,2\n")


def strategies(y):
    out = []
    specs = ["auto", "minority", "majority", "not minority", "not majority", "all"]
    for kind in ["over-sampling", "under-sampling", "clean-sampling"]:
        for spec in specs:
            try:
                r = check_sampling_strategy(spec, y, kind)
                out.append({"kind": kind, "spec": spec, "targets": [[int(k), int(v)] for k, v in r.items()]})
            except ValueError as e:
                out.append({"kind": kind, "spec": spec, "error": str(e)})
    return out


def exact(a):
    """Floats as shortest round-trip strings: Foundation's JSON number parser is not
    correctly rounded, Swift's Double(String) is."""
    return [[repr(float(v)) for v in row] for row in a]


def main():
    data = {"versions": {"imbalanced-learn": imblearn.__version__, "scikit-learn": sklearn.__version__},
            "datasets": {}}
    for name, (X, y) in datasets().items():
        d, i = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)
        entry = {
            "X": exact(X), "y": [int(v) for v in y],
            "knn6": {"indices": i.tolist(), "distances": exact(d)},
            "deterministic": deterministic(X, y),
            "randomized": randomized(X, y),
            "strategies": strategies(y),
            "adasyn_row_counts": adasyn_row_counts(X, y),
            "borderline_danger": borderline_danger(X, y),
        }
        data["datasets"][name] = entry
    # Ratio strategies on the binary set.
    X, y = datasets()["binary"]
    ratios = []
    for kind in ["over-sampling", "under-sampling"]:
        for r in [0.3, 0.5, 0.75, 1.0, 0.1]:
            try:
                t = check_sampling_strategy(r, y, kind)
                ratios.append({"kind": kind, "ratio": r, "targets": [[int(k), int(v)] for k, v in t.items()]})
            except ValueError as e:
                ratios.append({"kind": kind, "ratio": r, "error": str(e)})
    data["ratios"] = ratios
    with open(os.path.join(HERE, "resampling.json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))
    write_npy_cases()


if __name__ == "__main__":
    main()
