"""How sure the matcher is that its best entry is the right answer, as a probability.

The raw scores of the two matchers are not probabilities: a correct paraphrase can score 0.55 and
an out-of-scope trap that shares a rare word 0.8. Small logistic models over a handful of generic
signals (the scores, the lead over the runner-up, whether both matchers agree, how much of the
message the knowledge base knows at all) turn them into one calibrated number, so one threshold
in config means the same thing for every kind of question. The weights are fitted with
``naeringsbot kb tune`` on the project's test questions and kept in ``config.yaml``; they describe
the matcher's behaviour, not any particular phrasing.

A best entry can be wrong in two ways that the same signals show differently: the question is about
something the knowledge base does not cover (a long message full of unknown words may still be a
covered question told as a situation; a short one sharing a single word with an entry is usually
not), or it is covered but a neighbouring entry won the ranking. One linear model has to trade the
two against each other; two models, one for "is it in scope at all" and one for "is the best entry
right, given it is", each fit their own case, and their product is the confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from bot.config import ConfidenceSettings, ScopeSettings

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
    "strongest_share",  # share of the best entry's explained weight its strongest word brings
    "supporting_words",  # log(1 + number of words that each bring the best entry a fair share)
    "semantic",  # the semantic similarity of the best entry (0 when semantic_weight is 0)
    "semantic_agrees",  # 1 when the semantic similarity alone would pick the same entry
    "other_place",  # 1 when the message names a place and none of the knowledge base's own
)
L2_PENALTY = 0.01
ITERATIONS = 3000
LEARNING_RATE = 0.5


class ConfidenceModel:
    """A logistic model: ``probability = 1 / (1 + exp(-(intercept + Σ weight·feature)))``.

    With ``scope`` (a model of "the question is in scope at all") this one is the probability that
    the best entry is right given that it is, and ``probability`` is the product of the two.
    """

    def __init__(self, intercept: float, weights: Mapping[str, float], scope: ConfidenceModel | None = None) -> None:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features: {sorted(unknown)}")
        self.intercept = intercept
        self.weights = {name: float(weights.get(name, 0.0)) for name in FEATURES}
        self.scope = scope

    @classmethod
    def from_settings(cls, settings: ConfidenceSettings) -> ConfidenceModel:
        scope = settings.scope
        return cls(settings.intercept, settings.weights,
                   cls(scope.intercept, scope.weights) if scope is not None else None)

    def settings(self) -> ConfidenceSettings:
        """The model as config holds it (``matching.confidence``)."""
        scope = ScopeSettings(intercept=self.scope.intercept, weights=self.scope.weights) if self.scope else None
        return ConfidenceSettings(intercept=self.intercept, weights=self.weights, scope=scope)

    def probability(self, features: Mapping[str, float]) -> float:
        in_scope, right = self.parts(features)
        return in_scope * right

    def parts(self, features: Mapping[str, float]) -> tuple[float, float]:
        """``(in scope, right if in scope)``; without a scope model the first is 1."""
        logit = self.intercept + sum(weight * features[name] for name, weight in self.weights.items())
        own = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))
        return (self.scope.probability(features) if self.scope is not None else 1.0), own


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


def fit_two_stage(
    rows: Sequence[Mapping[str, float]], in_scope: Sequence[bool], right: Sequence[bool],
    sample_weights: Sequence[float] | None = None,
) -> ConfidenceModel:
    """The scope model on every question, the ranking model on the in-scope ones (see the module).

    Falls back to one model on "the best entry is right" when either part has only one kind of
    question to learn from (a tiny or a perfectly ranked set).
    """
    weight = [1.0] * len(rows) if sample_weights is None else list(sample_weights)
    inside = [index for index, flag in enumerate(in_scope) if flag]
    try:
        scope = fit(rows, in_scope, weight)
        ranking = fit([rows[i] for i in inside], [right[i] for i in inside], [weight[i] for i in inside])
    except ValueError:
        return fit(rows, [flag and hit for flag, hit in zip(in_scope, right, strict=True)], weight)
    return ConfidenceModel(ranking.intercept, ranking.weights, scope)
