"""Counterfactual-probe fixtures: paired permutation tests by SciPy 1.17.1's permutation_test
(permutation_type='samples', alternative='greater', statistic = range of the fillers' means),
flip rates, and lexicon rates per 1,000 words computed here.

Writes counterfactual_records.jsonl, counterfactual_texts.jsonl, lexicon_agentic.txt,
lexicon_refusal.txt and counterfactual_expected.json. Run: /work/venvs/llm/bin/python make_counterfactual_fixtures.py
"""
import json
import os
import re

import numpy as np
import scipy
from scipy.stats import permutation_test

assert scipy.__version__ == "1.17.1"
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(5)


def gap(*samples, axis=-1):
    means = np.stack([np.mean(s, axis=axis) for s in samples])
    return means.max(axis=0) - means.min(axis=0)


records, expected = [], {"templates": {}}


def add(template, fillers, values, labels=None, exact=True):
    k, n = len(fillers), len(values[0])
    for i in range(n):
        for f, filler in enumerate(fillers):
            r = {"template": template, "filler": filler, "instance": f"i{i}"}
            if labels is not None:
                r["label"] = labels[f][i]
            else:
                r["score"] = float(values[f][i])
            records.append(r)
    res = permutation_test([np.asarray(v, float) for v in values], gap, permutation_type="samples",
                           alternative="greater", n_resamples=9999, vectorized=True, rng=1)
    flip = None
    if labels is not None:
        flip = float(np.mean([len({labels[f][i] for f in range(k)}) > 1 for i in range(n)]))
    expected["templates"][template] = {
        "gap": float(gap(*[np.asarray(v, float) for v in values])), "p_value": float(res.pvalue),
        "exact": exact, "means": [float(np.mean(v)) for v in values], "flip_rate": flip,
        "instances": n}


# Exact cases.
add("pair8", ["she", "he"], [rng.normal(0.6, 0.1, 8).round(3), rng.normal(0.5, 0.1, 8).round(3)])
add("three4", ["Aisha", "Emily", "Lakisha"], [rng.normal(m, 0.2, 4).round(2) for m in (0.1, 0.3, 0.2)])
labs = [["yes" if x > 0.4 else "no" for x in rng.uniform(0, 1, 10)] for _ in range(2)]
add("labels10", ["woman", "man"], [[1.0 if l == "yes" else 0.0 for l in row] for row in labs], labels=labs)
add("ties6", ["a", "b"], [[1, 1, 2, 2, 3, 3], [1, 2, 2, 3, 3, 3]])
# A sampled case (2^30 relabellings > 9999): compare statistically.
add("pair30", ["she", "he"], [rng.normal(0.52, 0.1, 30), rng.normal(0.5, 0.1, 30)], exact=False)

# Sort fillers as BiasKit does (Unicode order); the record order does not matter.
with open(os.path.join(HERE, "counterfactual_records.jsonl"), "w") as f:
    for r in records:
        f.write(json.dumps(r) + "\n")

# Text outputs and two lexicons.
agentic = ["# agentic words (a test list)", "lead*", "ambitious", "confident", "take charge", ""]
refusal = ["# refusal phrases", "i cannot", "i'm sorry", "unable"]
with open(os.path.join(HERE, "lexicon_agentic.txt"), "w") as f:
    f.write("\n".join(agentic) + "\n")
with open(os.path.join(HERE, "lexicon_refusal.txt"), "w") as f:
    f.write("\n".join(refusal) + "\n")
TEXTS = {
    "Kelly": ["Kelly is a warm and caring colleague who supports the team.",
              "I'm sorry, I cannot write that letter.",
              "She is kind, helpful and a confident well-liked leader.",
              "Kelly's work is thorough; she listens."],
    "Joseph": ["Joseph is an ambitious leader who will take charge of any project.",
               "Joseph leads with confidence and is ambitious, confident and driven.",
               "Unable to comply. I cannot help with this.",
               "He takes charge and leads; a natural leader."],
}
text_records = []
for i in range(4):
    for name in ["Kelly", "Joseph"]:
        text_records.append({"template": "letter", "filler": name, "instance": str(i), "text": TEXTS[name][i]})
with open(os.path.join(HERE, "counterfactual_texts.jsonl"), "w") as f:
    for r in text_records:
        f.write(json.dumps(r) + "\n")


def words(text):
    return re.findall(r"[^\W_]+(?:['\u2019-][^\W_]+)*", text.lower())


def matches(terms, ws):
    count = 0
    for start in range(len(ws)):
        for term in terms:
            t = term.split()
            if start + len(t) > len(ws):
                continue
            ok = all(ws[start + j].startswith(p[:-1]) if p.endswith("*") else ws[start + j] == p
                     for j, p in enumerate(t))
            count += ok
    return count


lex = {"agentic": [t for t in agentic if t and not t.startswith("#")],
       "refusal": [t for t in refusal if t and not t.startswith("#")]}
rates = {}
for name, terms in lex.items():
    per = {}
    for filler in ["Joseph", "Kelly"]:
        texts = TEXTS[filler]
        w = sum(len(words(t)) for t in texts)
        m = sum(matches(terms, words(t)) for t in texts)
        hit = sum(matches(terms, words(t)) > 0 for t in texts)
        per[filler] = {"words": w, "matches": m, "rate": 1000 * m / w, "texts_with_match": hit / len(texts)}
    rates[name] = per
expected["lexicons"] = rates
with open(os.path.join(HERE, "counterfactual_expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print(json.dumps(expected["templates"], indent=0)[:800])
print(rates)
