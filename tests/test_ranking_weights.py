"""`kb tune` chooses how much the closest alternate question and the character n-grams count in the
ranking (matching.phrase_weight, char_weight) from the knowledge base's own alternate questions."""

from __future__ import annotations

import pytest

from bot.config import MatchingSettings, load_config
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.knowledge.ranking import CHAR_GRID, MIN_GAIN, PHRASE_GRID, choose_weights
from bot.matching.matcher import Matcher
from tests.conftest import ROOT

QUESTIONS = [
    "Finnes det kurs for nye bedrifter?",
    "Jeg har bakt kaker i mange år og vil selge dem, hvem kan hjelpe meg i gang?",
    "do you store what I write here",
    "papir bredden innovasjon hva gjør de",
    "Kva gjer kommunen for å få fleire bedrifter til byen?",
]


@pytest.fixture(scope="module")
def bank() -> KnowledgeBase:
    return load_knowledge(load_config(ROOT / "bench" / "data" / "bank" / "config.yaml").knowledge_dir)


@pytest.mark.parametrize(("phrase_weight", "char_weight"), [(0.25, 0.35), (0.65, 0.6), (0.0, 1.0)])
def test_the_blended_scores_rank_as_the_matcher_does(
    engine: AnswerEngine, phrase_weight: float, char_weight: float
) -> None:
    settings = engine.matcher.settings.model_copy(update={"phrase_weight": phrase_weight, "char_weight": char_weight})
    matcher = Matcher(engine.knowledge, settings)
    answerable = [not entry.decline for entry in matcher.entries]
    for question in QUESTIONS:
        parts = matcher.ranking_parts(question)
        assert parts is not None
        fused = parts.fused(phrase_weight, char_weight)
        best = max((score, index) for index, score in enumerate(fused) if answerable[index])
        ranked = matcher.rank(question)
        assert (matcher.entries[best[1]].id, round(float(best[0]), 4)) == (ranked[0].entry_id, ranked[0].score)


def test_weights_that_rank_too_few_questions_first_are_replaced(bank: KnowledgeBase) -> None:
    poor = MatchingSettings(phrase_weight=1.0, char_weight=0.0)  # the closest phrasing alone
    choice = choose_weights(bank, poor, workers=1)
    assert choice.changed and choice.measured
    assert (choice.phrase_weight, choice.char_weight) in [(p, c) for p in PHRASE_GRID for c in CHAR_GRID]
    assert choice.top1 >= choice.current_top1 + MIN_GAIN


def test_weights_stay_when_no_others_do_clearly_better(bank: KnowledgeBase) -> None:
    first = choose_weights(bank, MatchingSettings(), workers=1)
    again = choose_weights(bank, MatchingSettings(phrase_weight=first.phrase_weight,
                                                  char_weight=first.char_weight), workers=1)
    assert not again.changed
    assert (again.phrase_weight, again.char_weight, again.top1) == (first.phrase_weight, first.char_weight, first.top1)


def test_a_small_knowledge_base_keeps_its_weights(bank: KnowledgeBase) -> None:
    few = KnowledgeBase(topics=bank.topics, entries=dict(list(bank.entries.items())[:4]))
    choice = choose_weights(few, MatchingSettings(phrase_weight=0.4, char_weight=0.5), workers=1)
    assert not choice.measured and (choice.phrase_weight, choice.char_weight) == (0.4, 0.5)


def test_kb_tune_says_what_it_did_with_the_weights() -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    config = ROOT / "bench" / "data" / "bank" / "config.yaml"
    chosen = CliRunner().invoke(cli, ["kb", "tune", "--config", str(config)])
    assert chosen.exit_code == 0, chosen.output
    line = next(line for line in chosen.output.splitlines() if line.startswith("Ranking weights"))
    assert "in-scope alternate questions first" in line
    kept = CliRunner().invoke(cli, ["kb", "tune", "--config", str(config), "--keep-ranking"])
    assert kept.exit_code == 0 and "Ranking weights" not in kept.output
    assert "phrase_weight: 0.25" in kept.output and "char_weight: 0.35" in kept.output  # the config's own
