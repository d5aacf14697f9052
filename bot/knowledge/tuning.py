"""Choosing the confidence model and the decision thresholds (``matching:`` in config).

``kb tune`` fits the confidence model on test questions (is the best-ranked entry right?), then
grid-searches the thresholds. Scoring is the slow part and does not depend on either, so each
question is scored once and ``decide()`` is simulated, vectorised, for every point of the grid. A
wrong confident answer is the worst outcome, so the wrong-answer rate and the rejection rate are
constraints, and only then is answer accuracy maximised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.matching.confidence import ConfidenceModel, fit
from bot.matching.matcher import Matcher, Scoring

ANSWER_GRID = tuple(round(0.30 + 0.01 * step, 2) for step in range(70))  # 0.30 … 0.99
SUGGEST_GRID = tuple(round(0.10 + 0.05 * step, 2) for step in range(11))  # 0.10 … 0.60
GAP_GRID = tuple(round(0.02 * step, 2) for step in range(11))  # 0.00 … 0.20

class Question(Protocol):
    """What tuning needs of a test question (``bot.knowledge.evaluation.TestQuestion`` fits)."""

    @property
    def q(self) -> str: ...

    @property
    def expect(self) -> list[str]: ...


@dataclass(frozen=True)
class TuningResult:
    """One grid point and the figures ``kb eval`` would report with it."""

    answer_threshold: float
    suggest_threshold: float
    min_gap: float
    answer_accuracy: float
    top1_accuracy: float
    rejection_rate: float
    wrong_answer_rate: float


def score_questions(matcher: Matcher, questions: Sequence[Question]) -> list[Scoring]:
    """Each question scored once (the expensive step), ready for ``fit_confidence`` and ``tune``."""
    return [matcher.score(question.q) for question in questions]


def fit_confidence(scored: Sequence[Scoring], questions: Sequence[Question]) -> ConfidenceModel:
    """Fit the model that tells a right best entry from a wrong or out-of-scope one."""
    usable = [(scoring, question) for scoring, question in zip(scored, questions, strict=True)
              if scoring.ranked and scoring.declined is None]
    rows = [scoring.features for scoring, _ in usable]
    labels = [scoring.ranked[0].entry_id in question.expect for scoring, question in usable]
    return fit(rows, labels)


def out_of_fold_confidence(scored: Sequence[Scoring], questions: Sequence[Question], folds: int = 5) -> list[float]:
    """Each question's confidence from a model fitted without it (k-fold cross-validation).

    Thresholds chosen on a model's own training questions are too trusting: the model has seen
    their answers. Confidences from models that never saw the question behave like those of
    questions from real users, so the thresholds chosen on them hold up better.
    """
    confidence = [0.0] * len(scored)
    for fold in range(folds):
        held_out = set(range(fold, len(scored), folds))
        training = [i for i in range(len(scored)) if i not in held_out]
        model = fit_confidence([scored[i] for i in training], [questions[i] for i in training])
        for i in held_out:
            confidence[i] = model.probability(scored[i].features) if scored[i].ranked else 0.0
    return confidence


def tune(
    scored: Sequence[Scoring],
    questions: Sequence[Question],
    confidences: Sequence[float],
    max_wrong: float = 0.02,
    min_rejection: float = 0.92,
    answer_grid: Sequence[float] = ANSWER_GRID,
    suggest_grid: Sequence[float] = SUGGEST_GRID,
    gap_grid: Sequence[float] = GAP_GRID,
) -> list[TuningResult]:
    """Grid points that meet both constraints, best first (most right answers, then fewest wrong).

    Ties go to the highest suggest threshold (fewer pointless "did you mean") and then to the
    largest gap and answer threshold, which leave the most margin on questions not seen yet.
    """
    if len(scored) != len(questions):
        raise ValueError("one scoring per question is needed")
    first = np.array([s.ranked[0].score if s.ranked else 0.0 for s in scored])
    second = np.array([s.ranked[1].score if len(s.ranked) > 1 else 0.0 for s in scored])
    confidence = np.asarray(confidences, dtype=float)
    in_scope = np.array([bool(question.expect) for question in questions], dtype=bool)
    right = np.array(
        [bool(s.ranked) and s.ranked[0].entry_id in question.expect
         for s, question in zip(scored, questions, strict=True)],
        dtype=bool,
    )
    has_ranking = np.array([bool(s.ranked) and s.declined is None for s in scored], dtype=bool)
    total, scope_count = max(len(questions), 1), max(int(in_scope.sum()), 1)
    out_count = max(int((~in_scope).sum()), 1)

    # Axes: answer threshold × gap × suggest threshold × question.
    answer = np.asarray(answer_grid)[:, None, None, None]
    gap = np.asarray(gap_grid)[None, :, None, None]
    suggest = np.asarray(suggest_grid)[None, None, :, None]
    confident = has_ranking & (confidence >= answer) & (first - second >= gap) & (suggest >= 0)
    shown = confident | (has_ranking & (first >= suggest))  # answered or suggested first
    answer_accuracy = (confident & right & in_scope).sum(-1) / scope_count
    top1 = (shown & right & in_scope).sum(-1) / scope_count
    rejection = (~confident & ~in_scope).sum(-1) / out_count
    wrong = (confident & ~right).sum(-1) / total
    valid = (wrong <= max_wrong) & (rejection >= min_rejection)

    results = [
        TuningResult(
            answer_threshold=float(answer_grid[a]),
            suggest_threshold=float(suggest_grid[s]),
            min_gap=float(gap_grid[g]),
            answer_accuracy=round(float(answer_accuracy[a, g, s]), 4),
            top1_accuracy=round(float(top1[a, g, s]), 4),
            rejection_rate=round(float(rejection[a, g, s]), 4),
            wrong_answer_rate=round(float(wrong[a, g, s]), 4),
        )
        for a, g, s in zip(*np.nonzero(valid), strict=True)
    ]
    results.sort(
        key=lambda r: (
            -r.answer_accuracy,
            r.wrong_answer_rate,
            -r.top1_accuracy,
            -r.rejection_rate,
            -r.suggest_threshold,
            -r.min_gap,
            -r.answer_threshold,
        )
    )
    return results
