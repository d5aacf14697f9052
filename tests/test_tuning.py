"""Tuning: thresholds are grid-searched over rankings computed once, under the safety constraints."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.config import MatchingSettings
from bot.matching import Candidate, decide
from bot.tuning import tune


@dataclass(frozen=True)
class Question:
    q: str
    expect: list[str]


QUESTIONS = [
    Question("clear", ["a"]),
    Question("close call", ["b"]),
    Question("weak but right", ["a"]),
    Question("trap", []),
]
RANKED = [
    [Candidate("a", 0.9), Candidate("b", 0.2)],
    [Candidate("b", 0.7), Candidate("a", 0.65)],
    [Candidate("a", 0.55), Candidate("c", 0.1)],
    [Candidate("c", 0.6), Candidate("a", 0.1)],  # out of scope, scored like the weak right answer
]


def test_best_setting_answers_most_without_breaking_the_constraints() -> None:
    best = tune(RANKED, QUESTIONS, max_wrong=0.0, min_rejection=1.0)[0]
    assert best.wrong_answer_rate == 0.0 and best.rejection_rate == 1.0
    # The weak right answer scores below the trap, so it cannot be answered without the trap.
    assert best.answer_accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert 0.6 < best.answer_threshold <= 0.7


def test_figures_match_what_decide_would_do() -> None:
    for result in tune(RANKED, QUESTIONS, max_wrong=1.0, min_rejection=0.0)[:50]:
        settings = MatchingSettings(
            answer_threshold=result.answer_threshold,
            suggest_threshold=result.suggest_threshold,
            min_gap=result.min_gap,
        )
        outcomes = [decide(ranked, settings) for ranked in RANKED]
        right = sum(
            outcome == "answered" and ranked[0].entry_id in question.expect
            for outcome, ranked, question in zip(outcomes, RANKED, QUESTIONS, strict=True)
        )
        assert result.answer_accuracy == pytest.approx(right / 3, abs=1e-4)
        assert result.rejection_rate == (0.0 if outcomes[3] == "answered" else 1.0)


def test_allowing_a_wrong_answer_buys_more_right_ones() -> None:
    strict = tune(RANKED, QUESTIONS, max_wrong=0.0, min_rejection=0.0)[0]
    lenient = tune(RANKED, QUESTIONS, max_wrong=0.25, min_rejection=0.0)[0]
    assert lenient.answer_accuracy > strict.answer_accuracy


def test_a_confident_trap_is_left_unanswered_by_a_higher_threshold() -> None:
    best = tune([[Candidate("a", 0.9)]], [Question("trap", [])], max_wrong=0.0, min_rejection=1.0)[0]
    assert best.answer_threshold > 0.9


def test_one_ranking_per_question_is_required() -> None:
    with pytest.raises(ValueError):
        tune(RANKED, QUESTIONS[:2])
