"""Writes N flat BBQ records (JSON Lines) for the BBQ benchmark, one per item:
category, context_condition, question_polarity, label, prediction, target_loc, unknown_loc.
  python gen_bbq.py --rows 1000000 --output bbq_1m.jsonl
"""
import argparse
import json
import random

CATEGORIES = ["Age", "Disability_status", "Gender_identity", "Nationality", "Physical_appearance",
              "Race_ethnicity", "Race_x_gender", "Race_x_SES", "Religion", "SES", "Sexual_orientation"]
parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--output", default="bbq_1m.jsonl")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
rng = random.Random(args.seed)
with open(args.output, "w") as f:
    for _ in range(args.rows):
        unknown = rng.randrange(3)
        target = rng.choice([j for j in range(3) if j != unknown])
        context = rng.choice(["ambig", "disambig"])
        label = unknown if context == "ambig" else rng.choice([j for j in range(3) if j != unknown])
        f.write(json.dumps({"category": rng.choice(CATEGORIES), "context_condition": context,
                            "question_polarity": rng.choice(["neg", "nonneg"]), "label": label,
                            "prediction": rng.randrange(3), "target_loc": target,
                            "unknown_loc": unknown}) + "\n")
