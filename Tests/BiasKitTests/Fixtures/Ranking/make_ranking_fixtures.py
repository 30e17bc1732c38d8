"""Reference values for the ranking measures: scikit-learn, SciPy and NumPy references.

Run from the package root with a venv holding numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1:

    /work/venvs/ranking/bin/python Tests/BiasKitTests/Fixtures/Ranking/make_ranking_fixtures.py

Writes ranking_reference.json beside this file (inputs and expected outputs);
Tests/BiasKitTests/Ranking/RankingReferenceTests.swift reads it, never Python.

* "ndcg": random lists with graded relevance and coarse scores (ties inside lists), per query
  sklearn.metrics.ndcg_score(y_true, y_score, k=k) for k in 1, 3, 5, 10, and the same on each
  item group's rows alone (the per-group NDCG), plus precision@k / recall@k written out.
* "exposure": lists given by ranks; NumPy group exposure (DCG, RBP(0.5) and 1/rank weights),
  mean relevance, expected click-through, DP difference/ratio, DTR, DIR per query and means.
* "ties": a tiny list with tied scores; exposure under uniformly random tie-breaking by
  enumerating every order of the ties.
* "divergence": rND, rKL, rRD (Yang & Stoyanovich 2017), a reference written from the paper's
  formulas (discount 1/log2 i, 0 log 0 = 0, a ratio with a zero part is 0) with Z the exact
  maximum by brute force over all rankings (small N) or over the protected counts at the
  cut-offs; the same code with the authors' FairRank conventions (1/log2(i + 1), KL smoothed
  with 0.001, rRD below the overall ratio only) reproduces the authors' demo values
  (demo_measures.md: N = 100, 50 protected ranked first: rKL 1.15901724032,
  rND 0.660066334446, rRD 1.08152800722 before normalization), asserted below.
* "topk": shares and scipy.stats.binom cdf/ppf tests at cut-offs.
* "expected_exposure": several sampled rankings per query, NumPy EE-L/EE-D/EE-R.
* "click_model": a simulated click log (position-based model), NumPy EM for a fixed number
  of iterations (tolerance 0), and NumPy naive/IPS/SNIPS estimates of two rankers (DCG@k the
  mean over lists, the per-relevant-item measures ratios of totals over the log).
"""
import itertools
import json
import math
import os

import numpy as np
from scipy.stats import binom
from sklearn.metrics import ndcg_score

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(2018)


def weights(kind, n):
    r = np.arange(1, n + 1, dtype=float)
    if kind == "logarithmic":
        return 1.0 / np.log2(r + 1)
    if kind == "geometric":
        return 0.5 ** (r - 1)
    return 1.0 / r


# ---------------------------------------------------------------- NDCG, precision, recall
def ndcg_case():
    rows = []
    queries = []
    for q in range(25):
        m = rng.randint(12, 30)
        rel = rng.choice([0, 0, 0, 1, 2, 3], size=m).astype(float)
        if q == 3:
            rel[:] = 0  # no relevant item: NDCG 0, recall NaN
        score = np.round(rng.rand(m) * 8) / 2  # ties
        group = rng.choice(["a", "b", "c"], size=m, p=[0.5, 0.3, 0.2])
        order = np.argsort(-score, kind="stable")
        values = {}
        for k in [1, 3, 5, 10]:
            entry = {"ndcg": float(ndcg_score([rel], [score], k=k))}
            top = order[:k]
            hits = float((rel[top] > 0).sum())
            entry["precision"] = hits / k
            entry["recall"] = hits / float((rel > 0).sum()) if (rel > 0).sum() > 0 else None
            for g in ["a", "b", "c"]:
                mask = group == g
                grel, gscore = rel[mask], score[mask]
                if (grel > 0).sum() > 0:
                    if mask.sum() == 1:
                        nd = 1.0  # one relevant item, alone: DCG = IDCG
                    else:
                        nd = float(ndcg_score([grel], [gscore], k=k))
                    entry["ndcg_" + g] = nd
                    entry["recall_" + g] = float((rel[top][group[top] == g] > 0).sum()) / float(
                        (grel > 0).sum())
                else:
                    entry["ndcg_" + g] = None
                    entry["recall_" + g] = None
                shown = (group[top] == g).sum()
                entry["precision_" + g] = (
                    float((rel[top][group[top] == g] > 0).sum()) / shown if shown else None)
            values[str(k)] = entry
        queries.append(values)
        for i in range(m):
            rows.append({"query": "q%d" % q, "item": "d%d" % i, "score": float(score[i]),
                         "relevance": float(rel[i]), "group": str(group[i])})
    return {"rows": rows, "queries": queries}


# ---------------------------------------------------------------- exposure, DT, DI
def exposure_case():
    rows = []
    out = {k: [] for k in ["logarithmic", "geometric", "reciprocal"]}
    for q in range(30):
        m = rng.randint(5, 25)
        ranks = rng.permutation(m) + 1
        rel = rng.rand(m).round(2) + 0.01 * (q % 3)
        group = rng.choice(["F", "M"], size=m, p=[0.4, 0.6])
        if q == 7:
            group[:] = "M"  # one group: parity undefined
        qg = "young" if q % 2 else "old"
        for i in range(m):
            rows.append({"query": "q%d" % q, "item": "d%d" % i, "rank": int(ranks[i]),
                         "relevance": float(rel[i]), "group": str(group[i]), "query_group": qg})
        for kind in out:
            v = weights(kind, m)[ranks - 1]
            entry = {}
            for g in ["F", "M"]:
                mask = group == g
                if mask.sum() == 0:
                    entry[g] = None
                    continue
                e = v[mask].mean()
                u = rel[mask].mean()
                c = (v[mask] * rel[mask]).mean()
                entry[g] = {"exposure": e, "relevance": u, "ctr": c, "treatment": e / u,
                            "impact": c / u}
            if entry["F"] and entry["M"]:
                es = [entry["F"]["exposure"], entry["M"]["exposure"]]
                ts = [entry["F"]["treatment"], entry["M"]["treatment"]]
                cs = [entry["F"]["impact"], entry["M"]["impact"]]
                entry["difference"] = max(es) - min(es)
                entry["ratio"] = min(es) / max(es)
                entry["dtr"] = min(ts) / max(ts)
                entry["dir"] = min(cs) / max(cs)
            out[kind].append(entry)
    means = {}
    for kind, entries in out.items():
        def mean(values):
            values = [x for x in values if x is not None]
            return float(np.mean(values)) if values else None
        means[kind] = {
            "exposure_F": mean([e["F"]["exposure"] if e["F"] else None for e in entries]),
            "exposure_M": mean([e["M"]["exposure"] if e["M"] else None for e in entries]),
            "difference": mean([e.get("difference") for e in entries]),
            "ratio": mean([e.get("ratio") for e in entries]),
            "dtr": mean([e.get("dtr") for e in entries]),
            "dir": mean([e.get("dir") for e in entries]),
        }
        for qg in ["old", "young"]:
            idx = [i for i in range(30) if ("young" if i % 2 else "old") == qg]
            means[kind]["ratio_" + qg] = mean([entries[i].get("ratio") for i in idx])
    return {"rows": rows, "queries": out, "means": means}


def ties_case():
    score = [3.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    group = ["a", "b", "a", "b", "a", "b"]
    n = len(score)
    v = weights("logarithmic", n)
    blocks = [[0], [1, 2, 3], [4, 5]]
    totals = {"a": 0.0, "b": 0.0}
    count = 0
    for p1 in itertools.permutations(blocks[1]):
        for p2 in itertools.permutations(blocks[2]):
            order = [0] + list(p1) + list(p2)
            count += 1
            for pos, item in enumerate(order):
                totals[group[item]] += v[pos]
    exposure = {g: totals[g] / count / 3 for g in totals}
    return {"score": score, "group": group, "exposure": exposure}


# ---------------------------------------------------------------- rND, rKL, rRD
def term(measure, x, i, total, n, fairrank=False):
    if measure == "rND":
        return abs(x / i - total / n)
    if measure == "rKL":
        px, qx = x / i, total / n
        if fairrank:
            if px == 0 or px == 1:
                px = 0.001
            return px * math.log(px / qx, 2) + (1 - px) * math.log((1 - px) / (1 - qx), 2)
        d = 0.0
        if px > 0:
            d += px * math.log(px / qx)
        if px < 1:
            d += (1 - px) * math.log((1 - px) / (1 - qx))
        return d
    others = i - x
    overall = total / (n - total)
    ratio = 0.0 if x == 0 or others == 0 else x / others
    if fairrank:
        return abs(min(overall, ratio) - overall)
    return abs(ratio - overall)


def raw_sum(measure, protected_flags, step=10, fairrank=False):
    n = len(protected_flags)
    total = sum(protected_flags)
    s, x = 0.0, 0
    for i in range(1, n + 1):
        x += protected_flags[i - 1]
        if i % step == 0:
            d = math.log(i + 1, 2) if fairrank else math.log2(i)
            s += term(measure, x, i, total, n, fairrank) / d
    return s


def brute_normalizer(measure, n, total, step):
    best = 0.0
    for positions in itertools.combinations(range(n), total):
        flags = [0] * n
        for p in positions:
            flags[p] = 1
        best = max(best, raw_sum(measure, flags, step))
    return best


def count_normalizer(measure, n, total, step):
    # Exhaustive over the protected counts at the cut-offs (each feasible sequence is some ranking).
    cuts = list(range(step, n + 1, step))
    best = {0: 0.0}
    prev = 0
    for i in cuts:
        nxt = {}
        for x0, b in best.items():
            for x in range(x0, min(total, x0 + i - prev) + 1):
                if i - x > n - total:
                    continue
                val = b + term(measure, x, i, total, n) / math.log2(i)
                if val > nxt.get(x, -1.0):
                    nxt[x] = val
        best = nxt
        prev = i
    return max(best.values())


def divergence_case():
    # The authors' demo (FairRank demo_measures.md), raw sums with their conventions.
    flags = [1] * 50 + [0] * 50
    demo = {m: raw_sum(m, flags, fairrank=True) for m in ["rKL", "rND", "rRD"]}
    assert abs(demo["rKL"] - 1.15901724032) < 1e-11
    assert abs(demo["rND"] - 0.660066334446) < 1e-12
    assert abs(demo["rRD"] - 1.08152800722) < 1e-11
    # Exact normalizers: brute force agrees with the count recursion on small lists.
    for (n, total, step) in [(12, 4, 2), (10, 3, 3), (14, 7, 2), (9, 2, 2), (11, 6, 3)]:
        for m in ["rND", "rKL", "rRD"]:
            assert abs(brute_normalizer(m, n, total, step) - count_normalizer(m, n, total, step)) < 1e-12
    lists = []
    for q in range(12):
        n = [20, 35, 47, 60, 100, 13, 30, 40, 55, 70, 90, 25][q]
        share = rng.uniform(0.15, 0.6)
        flags = (rng.rand(n) < share).astype(int)
        if q == 4:
            flags = np.array([1] * 50 + [0] * 50)
        if q == 11:
            flags = np.zeros(n, dtype=int)  # no protected item: undefined
        if flags.sum() in (0, n):
            values = None
        else:
            total = int(flags.sum())
            values = {}
            for m in ["rND", "rKL", "rRD"]:
                z = count_normalizer(m, n, total, 10)
                values[m] = raw_sum(m, list(flags)) / z
                values["raw_" + m] = raw_sum(m, list(flags))
                values["z_" + m] = z
        lists.append({"protected": [int(x) for x in flags], "values": values})
    small = []
    for (n, total, step) in [(12, 4, 2), (10, 3, 3), (14, 7, 2)]:
        small.append({"n": n, "protected": total, "step": step,
                      "z": {m: brute_normalizer(m, n, total, step) for m in ["rND", "rKL", "rRD"]}})
    return {"demo_fairrank_raw": demo, "lists": lists, "normalizers": small}


# ---------------------------------------------------------------- top-k shares and tests
def topk_case():
    lists = []
    for q in range(15):
        n = rng.randint(20, 40)
        flags = (rng.rand(n) < rng.uniform(0.2, 0.6)).astype(int)
        p_list = flags.mean()
        entry = {"protected": [int(x) for x in flags], "cutoffs": {}}
        for k in [5, 10, 20]:
            tau = int(flags[:k].sum())
            entry["cutoffs"][str(k)] = {
                "share": tau / k,
                "p_value_list": float(binom.cdf(tau, k, p_list)),
                "m_list": int(max(0, binom.ppf(0.1, k, p_list))),
                "p_value_fixed": float(binom.cdf(tau, k, 0.4)),
                "m_fixed": int(max(0, binom.ppf(0.1, k, 0.4))),
            }
        lists.append(entry)
    return {"lists": lists}


# ---------------------------------------------------------------- expected exposure
def expected_exposure_case():
    queries = []
    for q in range(8):
        n = rng.randint(6, 12)
        rel = rng.choice([0, 1, 2], size=n).astype(float)
        group = rng.choice(["x", "y"], size=n)
        samples = []
        for s in range(rng.randint(1, 6)):
            # A stochastic ranker: Plackett-Luce-ish noise around relevance; some samples truncated.
            noisy = rel + rng.rand(n) * 2
            order = list(np.argsort(-noisy, kind="stable"))
            if s % 3 == 2:
                order = order[: n - 2]
            samples.append([int(i) for i in order])
        v = weights("geometric", n)
        exposure = np.zeros(n)
        for order in samples:
            for pos, item in enumerate(order):
                exposure[item] += v[pos]
        exposure /= len(samples)
        longest = max(len(o) for o in samples)
        ideal = np.argsort(-rel, kind="stable")
        target = np.zeros(n)
        a = 0
        srel = rel[ideal]
        while a < n:
            b = a
            while b < n and srel[b] == srel[a]:
                b += 1
            w = sum(v[p] for p in range(a, b) if p < longest) / (b - a)
            for j in range(a, b):
                target[ideal[j]] = w
            a = b
        ge = np.array([exposure[group == g].sum() for g in ["x", "y"]])
        gt = np.array([target[group == g].sum() for g in ["x", "y"]])
        queries.append({
            "relevance": [float(x) for x in rel], "group": [str(g) for g in group],
            "samples": samples,
            "loss": float(((exposure - target) ** 2).sum()),
            "disparity": float((exposure ** 2).sum()),
            "relevance_measure": float((exposure * target).sum()),
            "ideal_norm": float((target ** 2).sum()),
            "group_exposure": [float(x) for x in ge], "group_target": [float(x) for x in gt],
            "group_loss": float(((ge - gt) ** 2).sum()),
        })
    return {"queries": queries}


# ---------------------------------------------------------------- click model, IPS
def click_case():
    n_queries, n_items, sessions, length = 40, 12, 6, 8
    theta_true = 1.0 / np.arange(1, length + 1) ** 0.9
    rows = []
    for q in range(n_queries):
        gamma = rng.beta(1, 2, size=n_items)
        relevant = (rng.rand(n_items) < gamma).astype(int)
        group = rng.choice(["g0", "g1"], size=n_items)
        other = rng.rand(n_items) + relevant * 0.5  # a second ranker's scores
        for s in range(sessions):
            shown = rng.choice(n_items, size=length, replace=False)
            for pos, item in enumerate(shown):
                examined = rng.rand() < theta_true[pos]
                click = int(examined and relevant[item] == 1)
                rows.append({"query": "q%d" % q, "session": "s%d" % s, "item": "d%d" % item,
                             "rank": pos + 1, "click": click, "group": str(group[item]),
                             "relevance": float(relevant[item]),
                             "propensity": float(theta_true[pos]),
                             "other_score": float(round(other[item], 1))})
    # EM in NumPy, rows in the Swift order (query, session, rank: as generated).
    q_idx = np.array([int(r["query"][1:]) for r in rows])
    item_idx = np.array([int(r["item"][1:]) for r in rows])
    rank = np.array([r["rank"] - 1 for r in rows])
    click = np.array([r["click"] for r in rows], dtype=float)
    pair_key = q_idx * n_items + item_idx
    pairs, pair = np.unique(pair_key, return_inverse=True)
    theta = np.full(length, 0.5)
    gamma = np.full(len(pairs), 0.5)
    iterations = 60
    for _ in range(iterations):
        t = theta[rank]
        g = gamma[pair]
        skip = 1 - t * g
        e = np.where(click == 1, 1.0, t * (1 - g) / skip)
        r = np.where(click == 1, 1.0, (1 - t) * g / skip)
        theta = np.bincount(rank, weights=e, minlength=length) / np.bincount(rank, minlength=length)
        gamma = np.bincount(pair, weights=r, minlength=len(pairs)) / np.bincount(pair, minlength=len(pairs))
    # IPS with the true propensities: logged ranker and "other_score" ranker, k = 5.
    k = 5
    disc = 1.0 / np.log2(np.arange(1, length + 1) + 1)
    estimates = {}
    for ranker in ["logged", "other"]:
        # Totals over the log per estimator: Σ r̂ D, Σ r̂, Σ r̂ 1[top k], per group Σ r̂ v, Σ r̂.
        tot = {name: np.zeros(3 + 4) for name in ["naive", "ips", "truth"]}
        lists = 0
        for q in range(n_queries):
            for s in range(sessions):
                lists += 1
                idx = [i for i, row in enumerate(rows) if row["query"] == "q%d" % q and row["session"] == "s%d" % s]
                c = np.array([rows[i]["click"] for i in idx], dtype=float)
                p = np.array([rows[i]["propensity"] for i in idx])
                rel = np.array([rows[i]["relevance"] for i in idx])
                grp = np.array([rows[i]["group"] for i in idx])
                if ranker == "logged":
                    pos = np.arange(len(idx))
                    d = np.where(pos < k, disc[pos], 0.0)
                    v = disc[pos]
                    inside = (pos < k).astype(float)
                else:
                    sc = np.array([rows[i]["other_score"] for i in idx])
                    order = sorted(range(len(idx)), key=lambda j: (-sc[j], j))
                    d = np.zeros(len(idx)); v = np.zeros(len(idx)); inside = np.zeros(len(idx))
                    a = 0
                    while a < len(order):
                        b = a
                        while b < len(order) and sc[order[b]] == sc[order[a]]:
                            b += 1
                        block = range(a, b)
                        dd = sum(disc[x] if x < k else 0.0 for x in block) / (b - a)
                        vv = sum(disc[x] for x in block) / (b - a)
                        ii = sum(1.0 if x < k else 0.0 for x in block) / (b - a)
                        for j in block:
                            d[order[j]] = dd; v[order[j]] = vv; inside[order[j]] = ii
                        a = b
                for name, rhat in [("naive", c), ("ips", c / p), ("truth", (rel > 0).astype(float))]:
                    m0, m1 = grp == "g0", grp == "g1"
                    tot[name] += [(rhat * d).sum(), rhat.sum(), (rhat * inside).sum(),
                                  (rhat[m0] * v[m0]).sum(), (rhat[m1] * v[m1]).sum(),
                                  rhat[m0].sum(), rhat[m1].sum()]
        summary = {}
        for name, t in tot.items():
            summary[name] = {"dcg": t[0] / lists, "dcg_per_relevant": t[0] / t[1],
                             "recall": t[2] / t[1], "exposure_g0": t[3] / t[5],
                             "exposure_g1": t[4] / t[6]}
        estimates[ranker] = summary
    return {"rows": rows, "iterations": iterations, "theta": [float(x) for x in theta],
            "gamma_by_pair": {str(int(k)): float(g) for k, g in zip(pairs, gamma)},
            "n_items": n_items, "cutoff": k, "estimates": estimates}


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def main():
    data = {
        "numpy": np.__version__,
        "ndcg": ndcg_case(),
        "exposure": exposure_case(),
        "ties": ties_case(),
        "divergence": divergence_case(),
        "topk": topk_case(),
        "expected_exposure": expected_exposure_case(),
        "click_model": click_case(),
    }
    with open(os.path.join(HERE, "ranking_reference.json"), "w") as f:
        json.dump(clean(data), f)
        f.write("\n")


if __name__ == "__main__":
    main()
