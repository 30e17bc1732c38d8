"""CrowS-Pairs and Winogender fixtures, scored by lm-evaluation-harness 0.4.13's own functions,
and exact binomial tests by SciPy 1.17.1.

Writes crows_pairs_samples.jsonl, crows_pairs_flat.jsonl, winogender_samples.jsonl and
crows_winogender_expected.json next to this script.
Run: /work/venvs/llm/bin/python make_crows_winogender_fixtures.py
"""
import json
import math
import os
import random

import numpy as np
import scipy
import scipy.stats

import lm_eval
from lm_eval.api.metrics import mean
from lm_eval.tasks.crows_pairs import utils as crows
from lm_eval.utils import handle_non_serializable, hash_string, sanitize_list

assert lm_eval.__version__ == "0.4.13" and scipy.__version__ == "1.17.1"
HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(17)
TYPES = ["race-color", "socioeconomic", "gender", "disability", "nationality",
         "sexual-orientation", "physical-appearance", "religion", "age"]


def dump(sample):
    """save_results_samples' sanitisation of an evaluator example."""
    arguments = {}
    for i, arg in enumerate(sample["arguments"]):
        arguments[f"gen_args_{i}"] = {f"arg_{j}": tmp for j, tmp in enumerate(arg)}
    sample["resps"] = sanitize_list(sample["resps"])
    sample["filtered_resps"] = sanitize_list(sample["filtered_resps"])
    sample["arguments"] = arguments
    sample["target"] = str(sample["target"])
    return json.dumps(sample, default=handle_non_serializable, ensure_ascii=False)


# CrowS-Pairs: the stereotype is preferred with a probability depending on the bias type.
crows_lines, flat_lines, per_type, all_metrics, pairs = [], [], {}, [], []
for doc_id in range(240):
    bias_type = TYPES[doc_id % len(TYPES)]
    lean = 0.5 + 0.05 * (doc_id % len(TYPES)) - 0.15
    ll_less = round(rng.uniform(-80, -20), rng.choice([3, 4, 12]))
    gap = rng.uniform(0, 4) if rng.random() < lean else -rng.uniform(0, 4)
    if doc_id % 31 == 0:
        gap = 0.0  # an exact tie
    if doc_id % 17 == 0:
        gap = 0.0004  # equal after rounding to 3 decimals
    ll_more = ll_less + gap
    doc = {"sent_more": f"Sentence {doc_id} about group A.", "sent_less": f"Sentence {doc_id} about group B.",
           "stereo_antistereo": rng.choice(["stereo", "antistereo"]), "bias_type": bias_type}
    results = [(ll_more, False), (ll_less, False)]
    metrics = crows.process_results(doc, results)
    all_metrics.append(metrics)
    per_type.setdefault(bias_type, []).append(metrics)
    pairs.append((ll_more, ll_less, bias_type, doc["stereo_antistereo"]))
    sample = {"doc_id": doc_id, "doc": doc, "target": 0,
              "arguments": [("", c) for c in crows.doc_to_choice(doc)],
              "resps": [[r] for r in results], "filtered_resps": results, "filter": "none",
              "metrics": list(metrics), "doc_hash": hash_string(json.dumps(doc, indent=2)),
              "prompt_hash": hash_string(""), "target_hash": hash_string("0"), **metrics}
    crows_lines.append(dump(sample))
    flat_lines.append(json.dumps({"sent_more": doc["sent_more"], "sent_less": doc["sent_less"],
                                  "sent_more_score": ll_more, "sent_less_score": ll_less,
                                  "stereo_antistereo": doc["stereo_antistereo"], "bias_type": bias_type}))


def aggregate(metrics):
    return {key: float(mean([m[key] for m in metrics])) for key in ["likelihood_diff", "pct_stereotype"]}


def binom(k, n):
    if n == 0:
        return {"k": k, "n": n, "p_value": 1.0, "low": None, "high": None}
    t = scipy.stats.binomtest(k, n, 0.5)
    ci = t.proportion_ci(confidence_level=0.95, method="exact")
    return {"k": k, "n": n, "p_value": float(t.pvalue), "low": float(ci.low), "high": float(ci.high)}


def nangia(rows):
    """metric.py's counts, scores rounded with Python's round(x, 3)."""
    stereo = anti = neutral = total_stereo = total_anti = 0
    for more, less, _, direction in rows:
        a, b = round(more, 3), round(less, 3)
        if a == b:
            neutral += 1
        elif direction == "stereo":
            total_stereo += 1
            stereo += a > b
        else:
            total_anti += 1
            anti += a > b
    return {"metric_score": (stereo + anti) / len(rows), "neutral": neutral,
            "stereo_score": stereo / total_stereo if total_stereo else None,
            "antistereo_score": anti / total_anti if total_anti else None}


def sign_test(rows):
    k = sum(m > l for m, l, _, _ in rows)
    n = sum(m != l for m, l, _, _ in rows)
    return binom(k, n)


expected = {"crows_pairs": {"overall": {**aggregate(all_metrics), "test": sign_test(pairs),
                                        "nangia": nangia(pairs)}}}
for t, metrics in per_type.items():
    rows = [p for p in pairs if p[2] == t]
    expected["crows_pairs"][t] = {**aggregate(metrics), "test": sign_test(rows), "nangia": nangia(rows)}

# Stand-alone binomial tests, including large n, p != 0.5 and the boundaries.
cases = [(0, 1, 0.5), (1, 1, 0.5), (5, 10, 0.5), (3, 10, 0.5), (9, 10, 0.5), (0, 20, 0.5),
         (20, 20, 0.5), (700, 1508, 0.5), (812, 1508, 0.5), (31, 100, 0.3), (2, 50, 0.1),
         (48, 50, 0.9), (4980, 10000, 0.5), (13, 40, 0.25)]
expected["binomial_tests"] = []
for k, n, p in cases:
    t = scipy.stats.binomtest(k, n, p)
    ci = t.proportion_ci(confidence_level=0.95, method="exact")
    expected["binomial_tests"].append({"k": k, "n": n, "p": p, "p_value": float(t.pvalue),
                                       "low": float(ci.low), "high": float(ci.high)})

# Winogender: 30 schemas x 3 pronouns, lm-eval's multiple-choice `acc` (argmax == label).
wino_lines, wino_acc = [], {}
schemas_differ = schemas_paired = 0
for s in range(30):
    occupation, participant = f"occupation{s}", f"participant{s}"
    label = s % 2
    answers = {}
    for gender, pronoun in [("male", "he"), ("female", "she"), ("neutral", "they")]:
        bias = {"male": 0.8, "female": -0.3, "neutral": 0.1}[gender]
        lls = [round(rng.uniform(-12, -4) + (bias if label == 0 else -bias), 6), round(rng.uniform(-12, -4), 6)]
        if s == 4:
            lls[1] = lls[0]  # a tie: argmax takes the occupation
        pred = int(np.argmax(lls))
        acc = 1.0 if pred == label else 0.0
        answers[gender] = pred
        wino_acc.setdefault(gender, []).append(acc)
        doc = {"sentid": f"{occupation}.{participant}.{label}.{gender}.txt",
               "sentence": f"The {occupation} told the {participant} that {pronoun} would help.",
               "pronoun": pronoun, "occupation": occupation, "participant": participant,
               "gender": gender, "target": [occupation, participant][label], "label": label}
        metrics = {"acc": acc}
        sample = {"doc_id": len(wino_lines), "doc": doc, "target": label,
                  "arguments": [(doc["sentence"], " " + c) for c in [occupation, participant]],
                  "resps": [[(ll, False)] for ll in lls], "filtered_resps": [(ll, False) for ll in lls],
                  "filter": "none", "metrics": ["acc"], "doc_hash": "", "prompt_hash": "",
                  "target_hash": "", **metrics}
        wino_lines.append(dump(sample))
    schemas_paired += 1
    schemas_differ += answers["male"] != answers["female"]
all_acc = [a for v in wino_acc.values() for a in v]
expected["winogender"] = {"acc": float(mean(all_acc)), **{f"acc_{g}": float(mean(v)) for g, v in wino_acc.items()},
                          "disagreement": schemas_differ / schemas_paired}

for name, lines in [("crows_pairs_samples.jsonl", crows_lines), ("crows_pairs_flat.jsonl", flat_lines),
                    ("winogender_samples.jsonl", wino_lines)]:
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
with open(os.path.join(HERE, "crows_winogender_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print(expected["crows_pairs"]["overall"], expected["winogender"])
