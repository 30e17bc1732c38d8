"""PriDe fixtures: a NumPy implementation written from Zheng et al. (ICLR 2024), Section 4,
checked on a worked example, run on synthetic questions.

P_obs(d_i | q, x^I) ∝ P_prior(d_i | q) · P_debiased(o_{I_i} | q, x)
prior_q = softmax(mean_I log(P_obs(. | x^I) + eps))           (eps = 1e-10, softmax / (sum + eps))
debiased_q(o) = mean_I P_obs(position of o under I)           (estimation questions)
prior = mean_q prior_q;  others: argmax log(P_obs + eps) - log(prior + eps)
Recall per option ID (sklearn recall, 0 without support), RStd = np.std(recalls).

Writes pride_questions.jsonl and pride_expected.json. Run: /work/venvs/llm/bin/python make_pride_fixtures.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-10
rng = np.random.default_rng(2024)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / (e.sum(axis=-1, keepdims=True) + EPS)


def cyclic(m):
    # Row p shows original option (i + p) % m at position i.
    return np.array([[(i + p) % m for i in range(m)] for p in range(m)])


def question_prior_and_debiased(block):
    m = block.shape[1]
    obs = block / (block.sum(axis=1, keepdims=True) + EPS)
    prior = softmax(np.log(obs + EPS).mean(axis=0))
    debiased = np.zeros(m)
    for p, shown in enumerate(cyclic(m)):
        debiased[shown] += obs[p]
    return prior, debiased / m


def recalls(pred, gold, m):
    return np.array([np.mean(pred[gold == i] == i) if np.any(gold == i) else 0.0 for i in range(m)])


def pride(probs, permuted, answers):
    m = probs.shape[1]
    est = sorted(permuted)
    priors, debiased = [], {}
    for q in est:
        pq, dq = question_prior_and_debiased(permuted[q])
        priors.append(pq)
        debiased[q] = dq
    prior = np.mean(priors, axis=0)
    before = probs.argmax(axis=1)
    after = np.array([debiased[q].argmax() if q in debiased else
                      np.argmax(np.log(probs[q] + EPS) - np.log(prior + EPS)) for q in range(len(probs))])
    out = {"prior": prior.tolist(), "estimation": est, "before": before.tolist(), "after": after.tolist()}
    for name, pred in [("before", before), ("after", after)]:
        r = recalls(pred, answers, m)
        out[f"{name}_accuracy"] = float(np.mean(pred == answers))
        out[f"{name}_recalls"] = r.tolist()
        out[f"{name}_rstd"] = float(np.std(r))
    return out


def observed(prior, content, p):
    m = len(prior)
    shown = cyclic(m)[p]
    v = prior * content[shown]
    return v / v.sum()


# Worked example: with P_obs exactly proportional to prior x content, averaging the log
# probabilities over all cyclic permutations recovers the prior (each position sees every
# option once), and dividing it out recovers the content's argmax.
m = 4
true_prior = np.array([0.4, 0.3, 0.2, 0.1])
content = np.array([0.3, 0.1, 0.5, 0.1])
block = np.array([observed(true_prior, content, p) for p in range(m)])
prior, debiased = question_prior_and_debiased(block)
assert np.allclose(prior, true_prior, atol=1e-9), prior
assert np.argmax(np.log(block[0] + EPS) - np.log(prior + EPS)) == 2
assert np.argmax(block[0]) == 0  # biased towards A before
worked = {"true_prior": true_prior.tolist(), "content": content.tolist(), "block": block.tolist(),
          "prior": prior.tolist(), "debiased": debiased.tolist()}

# Synthetic questions: a model that prefers A and D; 24 of 400 answered under all permutations.
n = 400
model_prior = np.array([0.42, 0.18, 0.13, 0.27])
answers = rng.integers(0, m, n)
probs = np.zeros((n, m))
permuted = {}
for q in range(n):
    c = rng.dirichlet(np.ones(m) * 0.8)
    c[answers[q]] += rng.uniform(0, 0.6)
    c /= c.sum()
    noise = lambda: rng.lognormal(0, 0.15, m)
    rows = []
    for p in range(m):
        v = observed(model_prior, c, p) * noise()
        rows.append(v / v.sum())
    probs[q] = rows[0]
    if q % 17 == 3:
        permuted[q] = np.array(rows)
result = pride(probs, permuted, answers)

with open(os.path.join(HERE, "pride_questions.jsonl"), "w") as f:
    for q in range(n):
        record = {"id": f"q{q}", "answer": "ABCD"[answers[q]] if q % 2 else int(answers[q])}
        record["probs"] = permuted[q].tolist() if q in permuted else probs[q].tolist()
        f.write(json.dumps(record) + "\n")
with open(os.path.join(HERE, "pride_expected.json"), "w") as f:
    json.dump({"worked_example": worked, "questions": result}, f, indent=1)
print(result["prior"], result["before_accuracy"], result["after_accuracy"], result["before_rstd"], result["after_rstd"])
