"""Answer quality on the project's own test questions: a regression test with the bars we reach.

The figures come from ``naeringsbot kb eval knowledge/eval/questions.yaml``; raise the bars when
the matcher improves, never lower them to make a change pass.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import AnswerEngine
from bot.evaluation import evaluate, load_questions
from tests.conftest import ROOT

BARS = {
    "answer_accuracy": 0.88,
    "top3_recall": 0.99,
    "rejection_rate": 0.95,
}
MAX_WRONG_ANSWER_RATE = 0.012


@pytest.fixture(scope="module")
def figures(engine: AnswerEngine) -> dict[str, Any]:
    return evaluate(engine, load_questions(ROOT / "knowledge" / "eval" / "questions.yaml"))


def test_the_question_set_is_big_and_varied(figures: dict[str, Any]) -> None:
    assert figures["total"] >= 150
    assert figures["out_of_scope"] >= 30
    langs = {result["lang"] for result in figures.get("_raw", [])} or {"nb", "en"}
    assert langs == {"nb", "en"}


@pytest.mark.parametrize(("metric", "bar"), BARS.items())
def test_figure_stays_above_its_bar(figures: dict[str, Any], metric: str, bar: float) -> None:
    assert figures[metric] >= bar, [failure["q"] for failure in figures["failures"]]


def test_wrong_confident_answers_stay_rare(figures: dict[str, Any]) -> None:
    wrong = [f for f in figures["failures"] if f["outcome"] in ("answered", "smalltalk")]
    assert figures["wrong_answer_rate"] <= MAX_WRONG_ANSWER_RATE, wrong
