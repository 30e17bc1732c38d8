"""Bootstrap CIs of the audit metrics the fast way in Python: numpy counting, not MetricFrame.

Same resampling as fairlearn 0.15 MetricFrame(n_boot, ci_quantiles, random_state):
seeds = numpy.random.default_rng(random_state).integers(0, 2**32-1, n_boot, uint32); sample i
draws n row indices with replacement exactly as DataFrame.sample(frac=1, replace=True,
random_state=seeds[i]) does (RandomState(seeds[i]).choice(n, n, replace=True)); each
replicate is one bincount over (group, y_true, y_pred); quantiles with numpy.quantile.
So the intervals equal fairlearn's (checked with --check against the anchors bootstrap line),
at the cost of a counting pass per sample. It is the honest "good Python" reference for
`biaskit audit --bootstrap`.

Metrics: accuracy, selection_rate, tpr, fpr; sensitive sens_a x sens_b; data
$BENCH_DATA/audit_<rows>.csv (gen_audit_data.py).

    BENCH_DATA=/work/anchors-data /work/venv/bin/python scripts/bench/audit/bench_bootstrap_counts.py \
        --rows 1000000 --n-boot 1000 [--runs 1] [--check results/bootstrap.jsonl]
Prints one JSON line in the anchors format (task "bootstrap", library "numpy-counts").
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.environ.get("ANCHORS", os.path.join(ROOT, "..", "shared", "anchors")))
import common  # noqa: E402  (anchors harness: measure / emit / loaders)

METRICS = ["accuracy", "selection_rate", "tpr", "fpr"]


def metrics_from_counts(c):
    """c: (..., 4) counts of (tn, fp, fn, tp) -> dict of arrays (fairlearn conventions:
    tpr/fpr of a group without positives/negatives is 0)."""
    tn, fp, fn, tp = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    tot = tn + fp + fn + tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"accuracy": (tp + tn) / tot, "selection_rate": (tp + fp) / tot,
                "tpr": np.nan_to_num(tp / (tp + fn)), "fpr": np.nan_to_num(fp / (fp + tn))}


def run(y_true, y_pred, gcode, G, n_boot, seed, q):
    n = len(y_true)
    cell = gcode.astype(np.int64) * 4 + y_true.astype(np.int64) * 2 + y_pred
    seeds = np.random.default_rng(seed).integers(0, np.iinfo(np.uint32).max, size=n_boot,
                                                 dtype=np.uint32)
    over = {m: np.empty(n_boot) for m in METRICS}
    grp = {m: np.empty((n_boot, G)) for m in METRICS}
    for i, s in enumerate(seeds):
        idx = np.random.RandomState(s).choice(n, n, replace=True)
        c = np.bincount(cell[idx], minlength=G * 4).reshape(G, 4).astype(float)
        mg = metrics_from_counts(c)
        mo = metrics_from_counts(c.sum(0))
        for m in METRICS:
            over[m][i] = mo[m]
            grp[m][i] = mg[m]
    out = {"overall_ci": {}, "by_group_ci": {}, "difference_between_groups_ci": {}}
    qs = {m: np.quantile(over[m], q) for m in METRICS}
    qg = {m: np.quantile(grp[m], q, axis=0) for m in METRICS}
    qd = {m: np.quantile(grp[m].max(1) - grp[m].min(1), q) for m in METRICS}
    return qs, qg, qd


def main():
    p = common.base_args(__doc__, default_runs=1)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--check", help="anchors bootstrap JSON line(s) to compare with")
    args = p.parse_args()
    q = [0.025, 0.5, 0.975]
    with common.Timer() as tl:
        df = common.load_audit_csv(args.rows)
    yt = df["y_true"].to_numpy()
    yp = df["y_pred"].to_numpy()
    # fairlearn's group order: sorted levels of sens_a, then of sens_b (cartesian)
    ca, la = pd.factorize(df["sens_a"], sort=True)
    cb, lb = pd.factorize(df["sens_b"], sort=True)
    gcode = ca * len(lb) + cb
    G = len(la) * len(lb)
    keys = [f"{a}|{b}" for a in la for b in lb]

    stats, (qs, qg, qd) = common.measure(
        lambda: run(yt, yp, gcode, G, args.n_boot, args.seed, q), args.runs)
    res = {"overall_ci": {}, "by_group_ci": {}, "difference_between_groups_ci": {}}
    for j, qq in enumerate(q):
        res["overall_ci"][str(qq)] = {m: qs[m][j] for m in METRICS}
        res["by_group_ci"][str(qq)] = {m: dict(zip(keys, qg[m][j])) for m in METRICS}
        res["difference_between_groups_ci"][str(qq)] = {m: qd[m][j] for m in METRICS}
    if args.check:
        worst = 0.0
        for line in open(args.check):
            ref = json.loads(line)
            if ref.get("rows") != args.rows or ref.get("n_boot") != args.n_boot:
                continue
            r = ref["results"]
            for agg in res:
                for qq in res[agg]:
                    for m in METRICS:
                        a, b = res[agg][qq][m], r[agg][qq][m]
                        pairs = [(a[k], b[k]) for k in a] if isinstance(a, dict) else [(a, b)]
                        for x, y in pairs:
                            worst = max(worst, abs(x - y))
        res["check_max_abs_diff_vs_fairlearn"] = worst
    common.emit("bootstrap", "numpy-counts", args.rows, stats,
                variant=f"bincount-n_boot={args.n_boot}:a_x_b", load_seconds=round(tl.seconds, 4),
                n_boot=args.n_boot, ci_quantiles=q, metrics=METRICS, random_state=args.seed,
                data=common.audit_csv_path(args.rows), results=res, versions=common.versions())


if __name__ == "__main__":
    main()
