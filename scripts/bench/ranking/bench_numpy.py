"""The ranking benchmark's Python side: the same measures as `biaskit-bench ranking-metrics`,
written with vectorized NumPy/SciPy (the fastest Python form: the lists are regular, Q x M).

    python bench_numpy.py --rows 10000000 --runs 1 [--data $BENCH_DATA] [--pandas]

Measures (2 item groups, logarithmic exposure weights, the same conventions as BiasKit):
group exposure, mean relevance and click-through per query and group; exposure difference and
ratio, DTR and DIR per query and their means; rND/rKL/rRD at cut-offs 10, 20, … with exact
normalizers (per distinct protected count, by the same recursion); top-k shares and the FA*IR
binomial test at k = 10, 20 (scipy.stats.binom.cdf/ppf, p = the list's protected share);
expected exposure (one sample per query, RBP 0.5: EE-L, EE-D, EE-R); NDCG@10, precision@10,
recall@10 overall and per item group (each group's sublist for NDCG). With --pandas the group
exposure is computed with pandas groupby instead (the common way to write it).

Prints one JSON line (seconds per run, and checksums to compare with BiasKit's).
"""
import argparse
import json
import math
import os
import time

import numpy as np
from scipy.stats import binom


def load(data, rows):
    tag = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
    base = os.path.join(data, f"ranking_{tag}")
    query = np.fromfile(base + "_query.i32", dtype="<i4")
    rank = np.fromfile(base + "_rank.f64", dtype="<f8")
    group = np.fromfile(base + "_group.u8", dtype="u1")
    relevance = np.fromfile(base + "_relevance.f64", dtype="<f8")
    return query, rank, group, relevance


def normalizer(measure, n, total, step=10):
    best = np.full(total + 1, -np.inf)
    best[0] = 0.0
    prev = 0
    for i in range(step, n + 1, step):
        nxt = np.full(total + 1, -np.inf)
        room = i - prev
        for x in range(max(0, i - (n - total)), min(total, i) + 1):
            b = best[max(0, x - room):x + 1].max()
            if b > -np.inf:
                nxt[x] = b + term(measure, x, i, total, n) / math.log2(i)
        best = nxt
        prev = i
    return best.max()


def term(measure, x, i, total, n):
    if measure == 0:
        return abs(x / i - total / n)
    if measure == 1:
        p, q = x / i, total / n
        d = 0.0
        if p > 0:
            d += p * math.log(p / q)
        if p < 1:
            d += (1 - p) * math.log((1 - p) / (1 - q))
        return d
    ratio = 0.0 if x == 0 or x == i else x / (i - x)
    return abs(ratio - total / (n - total))


def metrics(query, rank, group, relevance, use_pandas=False):
    q = int(query[-1]) + 1
    m = len(query) // q
    out = {}
    # Rows are query by query, rank 1 first (the generator's order); sort anyway, as a user would.
    order = np.lexsort((rank, query))
    g = group[order].reshape(q, m).astype(np.int64)
    rel = relevance[order].reshape(q, m)
    positions = np.arange(1, m + 1, dtype=np.float64)
    v = 1.0 / np.log2(positions + 1)
    # Group exposure, relevance, click-through.
    if use_pandas:
        import pandas as pd
        frame = pd.DataFrame({"q": np.repeat(np.arange(q), m), "g": g.ravel(),
                              "v": np.tile(v, q), "u": rel.ravel()})
        frame["c"] = frame.v * frame.u
        means = frame.groupby(["q", "g"]).agg(e=("v", "mean"), u=("u", "mean"), c=("c", "mean"))
        means = means.unstack("g")
        e = means["e"].to_numpy()
        u = means["u"].to_numpy()
        c = means["c"].to_numpy()
    else:
        counts = np.stack([(g == h).sum(1) for h in (0, 1)], 1).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = np.stack([((g == h) * v).sum(1) for h in (0, 1)], 1) / counts
            u = np.stack([((g == h) * rel).sum(1) for h in (0, 1)], 1) / counts
            c = np.stack([((g == h) * v * rel).sum(1) for h in (0, 1)], 1) / counts
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(e[:, 0] - e[:, 1])
        ratio = e.min(1) / e.max(1)
        t = e / u
        i = c / u
        dtr = t.min(1) / t.max(1)
        dir_ = i.min(1) / i.max(1)
    out["exposure_ratio"] = float(np.nanmean(ratio))
    out["dtr"] = float(np.nanmean(np.where(np.isfinite(dtr), dtr, np.nan)))
    out["dir"] = float(np.nanmean(np.where(np.isfinite(dir_), dir_, np.nan)))
    out["exposure_difference"] = float(np.nanmean(diff))
    # rND, rKL, rRD.
    protected = (g == 1)
    total = protected.sum(1)
    cum = np.cumsum(protected, 1)
    cut = np.arange(10, m + 1, 10)
    x = cum[:, cut - 1].astype(float)
    i_ = cut.astype(float)
    pn = (total / m)[:, None]
    disc = 1 / np.log2(i_)
    nd = (np.abs(x / i_ - pn) * disc).sum(1)
    p = x / i_
    with np.errstate(invalid="ignore", divide="ignore"):
        kl = np.where(p > 0, p * np.log(p / pn), 0) + np.where(p < 1, (1 - p) * np.log((1 - p) / (1 - pn)), 0)
        r = np.where((x == 0) | (x == i_), 0, x / (i_ - x))
        rd = np.abs(r - (total / (m - total))[:, None])
    kl = (kl * disc).sum(1)
    rd = (rd * disc).sum(1)
    zs = {}
    for tot in np.unique(total):
        if 0 < tot < m:
            zs[int(tot)] = [normalizer(k, m, int(tot)) for k in range(3)]
    valid = (total > 0) & (total < m)
    z = np.array([zs.get(int(tt), [np.nan] * 3) for tt in total])
    out["rND"] = float(np.mean(nd[valid] / z[valid, 0]))
    out["rKL"] = float(np.mean(kl[valid] / z[valid, 1]))
    out["rRD"] = float(np.mean(rd[valid] / z[valid, 2]))
    # Top-k shares and the binomial test.
    for k in (10, 20):
        tau = cum[:, k - 1]
        pl = total / m
        out[f"share@{k}"] = float(np.mean(tau / k))
        out[f"pvalue@{k}"] = float(np.mean(binom.cdf(tau, k, pl)))
        mk = np.maximum(0, binom.ppf(0.1, k, pl))
        out[f"passes@{k}"] = float(np.mean(tau >= mk))
    # Expected exposure (one sample; RBP 0.5).
    w = 0.5 ** (positions - 1)
    srel = -np.sort(-rel, 1)
    # Target: each relevance grade shares its positions' weights (runs of the sorted grades).
    change = np.ones_like(srel, dtype=bool)
    change[:, 1:] = srel[:, 1:] != srel[:, :-1]
    block = np.cumsum(change, 1) - 1 + (np.arange(q) * m)[:, None]
    wsum = np.bincount(block.ravel(), weights=np.tile(w, q), minlength=q * m)
    wcount = np.bincount(block.ravel(), minlength=q * m)
    with np.errstate(invalid="ignore"):
        target_sorted = (wsum / np.maximum(wcount, 1))[block]
    # Each item's target: by its relevance grade within the query.
    eps = (w[None, :]) * np.ones((q, 1))
    # Map targets back to items: target depends only on (query, relevance value).
    key_sorted = srel + (np.arange(q) * 4)[:, None]
    key_items = rel + (np.arange(q) * 4)[:, None]
    lut = np.zeros(q * 4)
    lut[key_sorted.astype(int).ravel()] = target_sorted.ravel()
    target = lut[key_items.astype(int)]
    out["ee_loss"] = float(np.mean(((eps - target) ** 2).sum(1)))
    out["ee_disparity"] = float(np.mean((eps ** 2).sum(1)))
    out["ee_relevance"] = float(np.mean((eps * target).sum(1)))
    # NDCG@10, precision@10, recall@10.
    k = 10
    dv = v[:k]
    dcg = (rel[:, :k] * dv).sum(1)
    idcg = (srel[:, :k] * dv).sum(1)
    ndcg = np.where(idcg > 0, dcg / np.where(idcg > 0, idcg, 1), 0)
    out["ndcg@10"] = float(ndcg.mean())
    hits = (rel[:, :k] > 0).sum(1)
    nrel = (rel > 0).sum(1)
    out["precision@10"] = float((hits / k).mean())
    out["recall@10"] = float(np.mean(hits[nrel > 0] / nrel[nrel > 0]))
    for h in (0, 1):
        mask = g == h
        # Position within the group's sublist.
        sub_rank = np.cumsum(mask, 1) * mask
        in_k = mask & (sub_rank <= k)
        dv_sub = np.where(in_k, 1 / np.log2(np.maximum(sub_rank, 1) + 1.0), 0)
        dcg_g = (rel * dv_sub).sum(1)
        grel = np.where(mask, rel, -1)
        sg = -np.sort(-grel, 1)[:, :k]
        sg = np.where(sg < 0, 0, sg)
        idcg_g = (sg * dv).sum(1)
        has = (np.where(mask, rel, 0) > 0).sum(1) > 0
        out[f"ndcg@10_group{h}"] = float(np.mean(dcg_g[has] / idcg_g[has]))
        shown = (mask[:, :k]).sum(1)
        ghits = ((rel[:, :k] > 0) & mask[:, :k]).sum(1)
        out[f"precision@10_group{h}"] = float(np.mean(ghits[shown > 0] / shown[shown > 0]))
        grel_total = ((rel > 0) & mask).sum(1)
        out[f"recall@10_group{h}"] = float(np.mean(ghits[grel_total > 0] / grel_total[grel_total > 0]))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/anchors-data"))
    parser.add_argument("--pandas", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    arrays = load(args.data, args.rows)
    load_seconds = time.perf_counter() - t0
    seconds = []
    result = None
    for _ in range(args.runs):
        t = time.perf_counter()
        result = metrics(*arrays, use_pandas=args.pandas)
        seconds.append(time.perf_counter() - t)
    print(json.dumps({"task": "ranking-metrics", "library": "numpy" + ("+pandas" if args.pandas else ""),
                      "rows": args.rows, "seconds_all": seconds, "seconds_median": sorted(seconds)[len(seconds) // 2],
                      "load_seconds": load_seconds, "results": result}, sort_keys=True))


if __name__ == "__main__":
    main()
