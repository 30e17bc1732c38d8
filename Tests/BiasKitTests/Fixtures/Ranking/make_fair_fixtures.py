"""FA*IR m-tables, adjusted alpha, fail probabilities and re-rankings made by fairsearchcore 1.0.4.

Run from the package root with a venv holding fairsearchcore 1.0.4 (numpy 2.4.6, scipy 1.17.1,
pandas):

    /work/venvs/ranking/bin/python Tests/BiasKitTests/Fixtures/Ranking/make_fair_fixtures.py

Writes fair_grid.json beside this file; Tests/BiasKitTests/Ranking/FAIRTests.swift reads it.

fairsearchcore 1.0.4 fails on current Python/NumPy: `LegalAssignmentKey.__hash__` returns a
NumPy integer (the sum of a pandas column), which Python rejects ("__hash__ method should
return an integer"). The script wraps that hash in int() before use; the hash only keys the
library's memo, so no value changes.

Contents:
* "tables": for every (k, p, alpha) of the grid (and a few longer k), what
  `create_unadjusted_mtable()`, `create_adjusted_mtable()`, `adjust_alpha()` and
  `compute_fail_probability()` return, computed once per case through the classes they call
  (asserted equal to the public calls on a sample of cases). Takes ~20 minutes.
* "rerankings": random candidate lists (scores with ties inside and across groups, protected
  flags) and the ids of `re_rank()`'s output, with the adjusted m-table used.
"""
import json
import os
import warnings

import numpy as np

import fairsearchcore as fsc
from fairsearchcore import fail_prob, mtable_generator
from fairsearchcore.models import FairScoreDoc

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))

_hash = fail_prob.LegalAssignmentKey.__hash__
fail_prob.LegalAssignmentKey.__hash__ = lambda self: int(_hash(self))

KS = [2, 3, 5, 10, 15, 20, 30, 50, 100]  # 360 cases
PS = [0.02, 0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 0.98]
ALPHAS = [0.01, 0.05, 0.1, 0.15, 0.5]
# A few longer rankings (each takes about a minute in fairsearchcore).
EXTRA = [(200, 0.3, 0.1), (200, 0.5, 0.05), (400, 0.25, 0.1)]


def table(k, p, alpha):
    """What Fair(k, p, alpha) returns, computed once: create_unadjusted_mtable(),
    create_adjusted_mtable() and adjust_alpha() are MTableGenerator(k, p, alpha, adjust)'s list
    and adjusted_alpha (adjust_alpha() reruns the same bisection), and compute_fail_probability
    is the calculator's calculate_fail_probability on the table's DataFrame."""
    unadjusted = mtable_generator.MTableGenerator(k, p, alpha, False)
    adjusted = mtable_generator.MTableGenerator(k, p, alpha, True)
    calculator = fail_prob.RecursiveNumericFailProbabilityCalculator(k, p, alpha)
    return {
        "k": k, "p": p, "alpha": alpha,
        "mtable_unadjusted": unadjusted.mtable_as_list(),
        "mtable_adjusted": adjusted.mtable_as_list(),
        "alpha_adjusted": float(adjusted.adjusted_alpha),
        "alpha_adjusted_text": repr(float(adjusted.adjusted_alpha)),
        "fail_probability_unadjusted": float(
            calculator.calculate_fail_probability(unadjusted.mtable_as_dataframe())),
        "fail_probability_adjusted": float(
            calculator.calculate_fail_probability(adjusted.mtable_as_dataframe())),
    }


def tables():
    out = [table(k, p, alpha) for k in KS for p in PS for alpha in ALPHAS]
    out += [table(k, p, alpha) for (k, p, alpha) in EXTRA]
    # The public API agrees with the shortcut (checked on a few cases).
    for case in out[::97]:
        fair = fsc.Fair(case["k"], case["p"], case["alpha"])
        assert fair.create_adjusted_mtable() == case["mtable_adjusted"]
        assert fair.adjust_alpha() == case["alpha_adjusted"]
        assert fair.create_unadjusted_mtable() == case["mtable_unadjusted"]
        assert fair.compute_fail_probability(case["mtable_adjusted"]) == \
            case["fail_probability_adjusted"]
    return out


def rerankings():
    rng = np.random.RandomState(16)
    out = []
    cases = [(10, 20, 0.3, 0.1), (20, 40, 0.5, 0.1), (30, 30, 0.4, 0.05), (50, 120, 0.25, 0.1),
             (15, 60, 0.6, 0.15), (40, 45, 0.3, 0.01), (100, 150, 0.5, 0.1), (25, 25, 0.2, 0.1)]
    for index, (k, n, p, alpha) in enumerate(cases):
        for rep in range(3):
            # Scores on a coarse grid so that ties occur; protected items score lower on average.
            protected = rng.rand(n) < 0.4
            scores = np.round(rng.rand(n) * 20 - protected * 4) / 2
            order = sorted(range(n), key=lambda i: (-scores[i], i))  # stable: score desc, input order
            docs = [FairScoreDoc(int(i), float(scores[i]), bool(protected[i])) for i in order]
            fair = fsc.Fair(k, p, alpha)
            result = fair.re_rank(docs)
            out.append({
                "k": k, "p": p, "alpha": alpha,
                "scores": [float(s) for s in scores],
                "protected": [bool(x) for x in protected],
                "reranked_ids": [int(d.id) for d in result],
                "mtable_adjusted": [int(v) for v in fair.create_adjusted_mtable()],
                "is_fair_before": bool(fair.is_fair(docs[:k])),
                "is_fair_after": bool(fair.is_fair(result)),
            })
    return out


def main():
    data = {
        "library": "fairsearchcore " + getattr(fsc, "__version__", "1.0.4"),
        "numpy": np.__version__,
        "tables": tables(),
        "rerankings": rerankings(),
    }
    with open(os.path.join(HERE, "fair_grid.json"), "w") as f:
        json.dump(data, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
