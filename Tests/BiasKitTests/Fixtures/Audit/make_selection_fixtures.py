"""Reference fixtures for `biaskit audit --threshold / --top-k / --top-fraction`, made with
Aequitas 1.1.0 (`Group().get_crosstabs(score_thresholds=…)`) on the COMPAS decile scores.

Run from the repository root with a venv holding aequitas 1.1.0 (pandas 2.3, numpy 2.4.6):

    /work/venvs/audit-aequitas/bin/python Tests/BiasKitTests/Fixtures/Audit/make_selection_fixtures.py

Reads compas-predictions.csv (beside this file; y_score = decile_score / 10), writes
audit-selection.json: for each case, each group's confusion counts (tp, fp, tn, fn),
group_size, pprev (= selection_rate), tpr, fpr and precision as Aequitas computes them, per
attribute (race, sex).

Aequitas sorts the rows by descending score with pandas' default (unstable) quicksort, so the
rows it selects among tied scores are arbitrary: the rank cases cut at a tie boundary (every
row with decile >= 8, and a fraction whose ceil(F * n) is the number of rows with
decile >= 6), where every tie-breaking rule selects the same rows. The case `stable-top-k-1000`
cuts inside a tie and is not Aequitas: it is BiasKit's documented rule, the first k rows of
pandas' stable descending sort (`sort_values(kind="stable")`: earlier rows first among ties),
counted with pandas.
"""
from __future__ import annotations

import json
import math
import os
from importlib import metadata

import numpy as np
import pandas as pd
from aequitas.group import Group

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "Tests/BiasKitTests/Fixtures/Audit/"
ATTRS = ["race", "sex"]


def clean(v):
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    return v


def groups_of(crosstab):
    out = {}
    for attr in ATTRS:
        rows = crosstab[crosstab["attribute_name"] == attr]
        out[attr] = {
            str(r["attribute_value"]): {
                "tp": r["tp"], "fp": r["fp"], "tn": r["tn"], "fn": r["fn"],
                "group_size": r["group_size"], "selection_rate": r["pprev"],
                "true_positive_rate": r["tpr"], "false_positive_rate": r["fpr"],
                "precision": r["precision"],
            }
            for _, r in rows.iterrows()
        }
    return out


def main():
    path = os.path.join(HERE, "compas-predictions.csv")
    raw = pd.read_csv(path)
    n = len(raw)
    df = pd.DataFrame({"score": raw["y_score"], "label_value": raw["y_true"]})
    for attr in ATTRS:
        df[attr] = raw[attr].astype(str)
    decile = np.rint(raw["y_score"].to_numpy() * 10).astype(int)
    k_at_8 = int((decile >= 8).sum())
    fraction_at_6 = (int((decile >= 6).sum()) - 0.5) / n
    assert math.ceil(fraction_at_6 * n) == int((decile >= 6).sum())
    cases = {}
    g = Group()
    for name, key, value, flag in (
        ("threshold-0.5", "score_val", 0.5, ["--threshold", "0.5"]),
        ("threshold-0.75", "score_val", 0.75, ["--threshold", "0.75"]),
        (f"top-k-{k_at_8}", "rank_abs", k_at_8, ["--top-k", str(k_at_8)]),
        ("top-fraction", "rank_pct", fraction_at_6, ["--top-fraction", repr(fraction_at_6)]),
    ):
        crosstab, _ = g.get_crosstabs(df.copy(), score_thresholds={key: [value]},
                                      attr_cols=ATTRS, score_col="score",
                                      label_col="label_value")
        cases[name] = {"flags": flag, "selected": int(crosstab[crosstab["attribute_name"] ==
                                                              "race"]["pp"].sum()),
                       "groups": groups_of(crosstab)}
    # BiasKit's tie rule inside a tie: pandas' stable descending sort, first k rows.
    k = 1000
    order = df.sort_values("score", ascending=False, kind="stable").index[:k]
    pred = np.zeros(n, dtype=int)
    pred[order] = 1
    y = df["label_value"].to_numpy()
    groups = {}
    for attr in ATTRS:
        groups[attr] = {}
        for level in sorted(df[attr].unique()):
            m = (df[attr] == level).to_numpy()
            tp = int(((pred == 1) & (y == 1) & m).sum())
            fp = int(((pred == 1) & (y == 0) & m).sum())
            tn = int(((pred == 0) & (y == 0) & m).sum())
            fn = int(((pred == 0) & (y == 1) & m).sum())
            groups[attr][level] = {"tp": tp, "fp": fp, "tn": tn, "fn": fn,
                                   "group_size": int(m.sum())}
    cases["stable-top-k-1000"] = {"flags": ["--top-k", "1000"], "selected": k,
                                  "groups": groups}
    out = {
        "about": "Aequitas get_crosstabs on COMPAS deciles; made by make_selection_fixtures.py",
        "input": PREFIX + "compas-predictions.csv",
        "versions": {d: metadata.version(d) for d in ("aequitas", "pandas", "numpy")},
        "cases": cases,
    }
    with open(os.path.join(HERE, "audit-selection.json"), "w") as f:
        json.dump(clean(out), f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
