"""Side-by-side timing of AIF360 0.6.1's post-processors and `biaskit mitigate …`.

    /work/venv/bin/python scripts/bench/aif360-postprocessing/bench_postprocessing.py \
        --shared ../shared --biaskit .build-rel/release/biaskit

Scores: sklearn LogisticRegression fitted on the Adult train design, applied to the whole
Adult test design (16 281 rows), written to a temporary CSV (score, y, sex). Both sides fit
on that file; the BiasKit time is the whole CLI run (reading the CSV included).
"""
import argparse, json, os, subprocess, tempfile, time, warnings, logging
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--biaskit", required=True)
    a = ap.parse_args()
    tr = pd.read_csv(os.path.join(a.shared, "fixtures/adult_train_design.csv"))
    te = pd.read_csv(os.path.join(a.shared, "fixtures/adult_test_design.csv"))
    cols = [c for c in tr.columns if c not in ("y", "sex_raw", "race_raw")]
    sc = LogisticRegression(max_iter=1000).fit(tr[cols].to_numpy(), tr.y).predict_proba(te[cols].to_numpy())[:, 1]
    path = os.path.join(tempfile.mkdtemp(), "scores.csv")
    pd.DataFrame({"score": sc, "y": te.y, "sex": te.sex_raw}).to_csv(path, index=False)
    from aif360.datasets import BinaryLabelDataset
    from aif360.algorithms.postprocessing import (CalibratedEqOddsPostprocessing, EqOddsPostprocessing,
                                                  RejectOptionClassification)
    df = pd.DataFrame({"sex": (te.sex_raw == "Male").astype(float), "y": te.y.astype(float)})
    t = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["sex"])
    p = t.copy(deepcopy=True); p.scores = sc.reshape(-1, 1); p.labels = (sc > 0.5).astype(float).reshape(-1, 1)
    u, v = [{"sex": 0}], [{"sex": 1}]
    jobs = [("reject-option (100 x 50 grid)", lambda: RejectOptionClassification(u, v).fit(t, p), ["reject-option"]),
            ("equalized-odds-postprocessing", lambda: EqOddsPostprocessing(u, v, seed=0).fit(t, p), ["equalized-odds-postprocessing"]),
            ("calibrated-equalized-odds", lambda: CalibratedEqOddsPostprocessing(u, v, seed=0).fit(t, p), ["calibrated-equalized-odds"])]
    for name, fit, cmd in jobs:
        t0 = time.perf_counter(); fit(); py = time.perf_counter() - t0
        args = [a.biaskit, "mitigate"] + cmd + ["--privileged", "Male", "--train", path, "--target", "y",
                                                "--sensitive", "sex", "--score", "score", "--format", "json"]
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter(); subprocess.run(args, check=True, capture_output=True); best = min(best, time.perf_counter() - t0)
        print(json.dumps({"job": name, "rows": len(sc), "aif360_s": round(py, 4), "biaskit_s": round(best, 4),
                          "ratio": round(py / best, 1)}))


if __name__ == "__main__":
    main()
