"""How sure the matcher is that its best entry is the right answer, as a probability.

The raw scores of the two matchers are not probabilities: a correct paraphrase can score 0.55 and
an out-of-scope trap that shares a rare word 0.8. A small logistic model over a handful of generic
signals (the scores, the lead over the runner-up, whether both matchers agree, how much of the
message the knowledge base knows at all) turns them into one calibrated number, so one threshold
in config means the same thing for every kind of question. The weights are fitted with
``naeringsbot kb tune`` on the project's test questions and kept in ``config.yaml``; they describe
the matcher's behaviour, not any particular phrasing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

FEATURES = (
    "score",  # the fused score of the best entry
    "gap",  # its lead over the runner-up
    "coverage",  # the word-level coverage score of the best entry
    "coverage_gap",
    "chars",  # the character n-gram cosine of the best entry
    "chars_gap",
    "coverage_agrees",  # 1 when the word-level matcher alone would pick the same entry
    "chars_agrees",  # 1 when the character matcher alone would pick the same entry
    "nearest",  # how much of the message the best entry's closest single phrasing explains
    "background",  # how closely the message resembles an everyday out-of-scope question (the corpus)
    "background_lead",  # how much closer it is to the best entry's closest question than to the corpus
    "known_share",  # share of the message's content words the knowledge base knows
    "decline_lead",  # the best entry's lead over the best decline (out-of-scope) entry
    "length",  # log(1 + number of content words)
)
L2_PENALTY = 0.01
ITERATIONS = 3000
LEARNING_RATE = 0.5


class ConfidenceModel:
    """A logistic model: ``probability = 1 / (1 + exp(-(intercept + Σ weight·feature)))``."""

    def __init__(self, intercept: float, weights: Mapping[str, float]) -> None:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features: {sorted(unknown)}")
        self.intercept = intercept
        self.weights = {name: float(weights.get(name, 0.0)) for name in FEATURES}

    def probability(self, features: Mapping[str, float]) -> float:
        logit = self.intercept + sum(weight * features[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))


def fit(
    rows: Sequence[Mapping[str, float]], labels: Sequence[bool], sample_weights: Sequence[float] | None = None
) -> ConfidenceModel:
    """Fit by gradient descent with a small L2 penalty on standardised features.

    The standardisation is folded back into the weights, so config holds plain numbers that
    apply to the raw features. ``sample_weights`` say how much each question counts.
    """
    if not rows or len(set(labels)) < 2:
        raise ValueError("fitting needs questions the matcher gets right and questions it gets wrong")
    features = np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)
    target = np.array(labels, dtype=float)
    weight = np.ones(len(rows)) if sample_weights is None else np.asarray(sample_weights, dtype=float)
    weight = weight / weight.sum()
    mean = features.mean(axis=0)
    spread = features.std(axis=0)
    spread[spread == 0] = 1.0
    design = np.c_[np.ones(len(features)), (features - mean) / spread]
    weights = np.zeros(design.shape[1])
    for _ in range(ITERATIONS):
        predicted = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (weight * (predicted - target))
        gradient[1:] += L2_PENALTY * weights[1:]
        weights -= LEARNING_RATE * gradient
    raw = weights[1:] / spread
    intercept = weights[0] - float(np.sum(raw * mean))
    weights_by_name = {name: round(float(weight), 4) for name, weight in zip(FEATURES, raw, strict=True)}
    return ConfidenceModel(round(float(intercept), 4), weights_by_name)
