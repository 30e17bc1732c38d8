"""Reference values for DisparateImpactRemover, made with AIF360 0.6.1 + BlackBoxAuditing 0.1.54.

Run from the package root with the project's venv (pip install BlackBoxAuditing first):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_di_fixtures.py [--shared ../shared]

Writes disparate_impact_remover.json beside this file: the first ROWS rows of the shared Adult
training design (numeric columns COLUMNS, sensitive sex_raw coded Female = 0, Male = 1), and
AIF360's repaired columns for repair levels 0, 0.5 and 1; plus, for all training rows, the
per-column sums and sums of squares of the repaired columns (checked when ../shared exists).
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["age", "education-num", "capital-gain", "hours-per-week"]
ROWS = 400
LEVELS = [0.0, 0.5, 1.0]


def repair(frame, level):
    from aif360.algorithms.preprocessing import DisparateImpactRemover
    from aif360.datasets import BinaryLabelDataset
    df = frame[COLUMNS].astype(float).copy()
    df["sex"] = (frame["sex_raw"] == "Male").astype(float)
    df["y"] = frame["y"].astype(float)
    ds = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["sex"])
    out = DisparateImpactRemover(repair_level=level, sensitive_attribute="sex").fit_transform(ds)
    names = ds.feature_names
    return np.column_stack([out.features[:, names.index(c)] for c in COLUMNS])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(HERE, "../../../../../shared"))
    a = ap.parse_args()
    tr = pd.read_csv(os.path.join(a.shared, "fixtures/adult_train_design.csv"))
    small = tr.iloc[:ROWS]
    out = {"about": f"first {ROWS} rows of adult_train_design.csv; sensitive sex_raw (Male = 1)",
           "columns": COLUMNS, "rows": ROWS,
           "sex": [str(v) for v in small["sex_raw"]],
           "input": small[COLUMNS].astype(float).to_numpy().tolist(),
           "repaired": {}, "full": {}}
    for level in LEVELS:
        out["repaired"][str(level)] = repair(small, level).tolist()
        full = repair(tr, level)
        out["full"][str(level)] = {"rows": int(len(tr)), "sum": full.sum(axis=0).tolist(),
                                   "sum_of_squares": (full ** 2).sum(axis=0).tolist()}
        print(level, out["full"][str(level)], flush=True)
    with open(os.path.join(HERE, "disparate_impact_remover.json"), "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
