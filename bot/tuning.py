"""Choosing the decision thresholds (``matching:`` in config) from a file of test questions.

Ranking is the slow part and does not depend on the thresholds, so each question is ranked once
and ``decide()`` is then simulated, vectorised, for every point of a grid. A wrong confident answer
is the worst outcome, so the wrong-answer rate and the rejection rate are constraints, and only
then is answer accuracy maximised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.matching import Candidate, Matcher

ANSWER_GRID = tuple(round(0.30 + 0.01 * step, 2) for step in range(66))  # 0.30 … 0.95
SUGGEST_GRID = tuple(round(0.10 + 0.05 * step, 2) for step in range(11))  # 0.10 … 0.60
GAP_GRID = tuple(round(0.01 * step, 2) for step in range(41))  # 0.00 … 0.40


class Question(Protocol):
    """What tuning needs of a test question (``bot.evaluation.TestQuestion`` fits)."""

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


def rank_questions(matcher: Matcher, questions: Iterable[Question | str]) -> list[list[Candidate]]:
    """Each question ranked once (the expensive step), ready for ``tune``."""
    return [matcher.rank(question if isinstance(question, str) else _text(question)) for question in questions]


def tune(
    ranked_per_question: Sequence[Sequence[Candidate]],
    questions: Sequence[Question],
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
    if len(ranked_per_question) != len(questions):
        raise ValueError("one ranking per question is needed")
    first = np.array([ranked[0].score if ranked else 0.0 for ranked in ranked_per_question], dtype=float)
    second = np.array(
        [ranked[1].score if len(ranked) > 1 else 0.0 for ranked in ranked_per_question], dtype=float
    )
    in_scope = np.array([bool(question.expect) for question in questions], dtype=bool)
    right = np.array(
        [
            bool(ranked) and ranked[0].entry_id in question.expect
            for ranked, question in zip(ranked_per_question, questions, strict=True)
        ],
        dtype=bool,
    )
    total, scope_count = max(len(questions), 1), max(int(in_scope.sum()), 1)
    out_count = max(int((~in_scope).sum()), 1)

    # Axes: answer threshold × gap × suggest threshold × question.
    answer = np.asarray(answer_grid)[:, None, None, None]
    gap = np.asarray(gap_grid)[None, :, None, None]
    suggest = np.asarray(suggest_grid)[None, None, :, None]
    confident = (first >= answer) & (first - second >= gap) & (first >= suggest)
    shown = first >= suggest  # answered or suggested first: what top-1 accuracy counts
    answer_accuracy = (confident & right & in_scope).sum(-1) / scope_count
    top1 = np.broadcast_to((shown & right & in_scope).sum(-1) / scope_count, answer_accuracy.shape)
    rejection = (~confident & ~in_scope).sum(-1) / out_count
    wrong = (confident & ~right).sum(-1) / total
    valid = (suggest[..., 0] <= answer[..., 0]) & (wrong <= max_wrong) & (rejection >= min_rejection)

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


def _text(question: Question) -> str:
    text = getattr(question, "q", None)
    if not isinstance(text, str):
        raise TypeError("a question needs its text in .q")
    return text
