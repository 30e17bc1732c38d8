"""The shipped ranking example, Examples/compas-ranking.csv, and fairsearchcore's FA*IR on it.

Run from the package root with the ranking venv (fairsearchcore 1.0.4, numpy 2.4.6, pandas):

    /work/venvs/ranking/bin/python Tests/BiasKitTests/Fixtures/Ranking/make_compas_ranking.py [--shared ../shared]

The example: ProPublica's COMPAS data with ProPublica's filter (|days_b_screening_arrest| <= 30,
is_recid != -1, c_charge_degree != 'O', score_text != 'N/A': 6,172 defendants), as candidate
lists for a "low risk" shortlist, one list per month of screening (24 queries, 2013-01 to
2014-12, 58 to 507 candidates each):

    query        screening month (YYYY-MM)      query_group  screening year
    item         the defendant's id             score        (10 - decile_score) + (10 - v_decile_score) / 10
    rank         1 = highest score, ties by id  relevance    1 if no recidivism within two years, else 0
    group        African-American or other      race, sex    as in the data

The score ties often (same recidivism and violence deciles). Ranks break ties by id, the row
order of the file (rows are sorted by query, then rank).

fair_compas.json: fairsearchcore's Fair(k=20, p=0.5, alpha=0.1) re_rank of every list with at
least 20 candidates, African-American the protected group, each list given top first (score
descending, ties by id): the adjusted m-table, alpha_c and the ids of the re-ranked top 20.
The LegalAssignmentKey hash is wrapped in int() (see make_fair_fixtures.py).
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd

import fairsearchcore as fsc
from fairsearchcore import fail_prob
from fairsearchcore.models import FairScoreDoc

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
_hash = fail_prob.LegalAssignmentKey.__hash__
fail_prob.LegalAssignmentKey.__hash__ = lambda self: int(_hash(self))
K, P, ALPHA = 20, 0.5, 0.1


def load(shared):
    df = pd.read_csv(os.path.join(shared, "data/compas/compas-scores-two-years.csv"))
    df = df[(df.days_b_screening_arrest <= 30) & (df.days_b_screening_arrest >= -30)
            & (df.is_recid != -1) & (df.c_charge_degree != "O") & (df.score_text != "N/A")]
    decile = df["decile_score"].iloc[:, 0] if isinstance(df["decile_score"], pd.DataFrame) else df["decile_score"]
    out = pd.DataFrame({
        "query": df.compas_screening_date.str.slice(0, 7),
        "item": df.id.astype(int),
        "score": (10 - decile.astype(int)) + (10 - df.v_decile_score.astype(int)) / 10,
        "group": np.where(df.race == "African-American", "African-American", "other"),
        "race": df.race,
        "sex": df.sex,
        "relevance": 1 - df.two_year_recid.astype(int),
        "query_group": df.compas_screening_date.str.slice(0, 4),
    })
    out = out.sort_values(["query", "score", "item"], ascending=[True, False, True], kind="stable")
    out["rank"] = out.groupby("query").cumcount() + 1
    return out[["query", "item", "rank", "score", "group", "race", "sex", "relevance", "query_group"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(ROOT, "../shared"))
    args = parser.parse_args()
    df = load(args.shared)
    path = os.path.join(ROOT, "Examples/compas-ranking.csv")
    with open(path, "w") as f:
        f.write(",".join(df.columns) + "\n")
        for row in df.itertuples(index=False):
            f.write(",".join([row.query, str(row.item), str(row.rank), repr(float(row.score)),
                              row.group, row.race, row.sex, str(int(row.relevance)),
                              row.query_group]) + "\n")
    fair = fsc.Fair(K, P, ALPHA)
    mtable = [int(v) for v in fair.create_adjusted_mtable()]
    alpha_c = float(fair.adjust_alpha())
    queries = []
    for query, rows in df.groupby("query", sort=True):
        if len(rows) < K:
            continue
        docs = [FairScoreDoc(int(r.item), float(r.score), r.group == "African-American")
                for r in rows.itertuples(index=False)]
        result = fair.re_rank(docs)
        queries.append({"query": query, "reranked_ids": [int(d.id) for d in result],
                        "is_fair_before": bool(fair.is_fair(docs[:K])),
                        "is_fair_after": bool(fair.is_fair(result))})
    with open(os.path.join(HERE, "fair_compas.json"), "w") as f:
        json.dump({"k": K, "p": P, "alpha": ALPHA, "mtable_adjusted": mtable,
                   "alpha_adjusted": alpha_c, "alpha_adjusted_text": repr(alpha_c),
                   "rows": len(df), "queries": queries}, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
