"""`kb tune` chooses how much the closest alternate question, the character n-grams, BM25 and the
semantic similarity count in the ranking (matching.phrase_weight, char_weight, bm25_weight,
semantic_weight) from the knowledge base's own alternate questions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.config import MatchingSettings, load_config
from bot.engine import AnswerEngine
from bot.knowledge.folds import deal_folds, fold_matcher
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.knowledge.ranking import _hits_of_fold, choose_weights, clearly_better, grid
from bot.matching.blend import RankingWeights
from bot.matching.matcher import RERANK_DEPTH, Matcher
from bot.matching.normalise import FUNCTION_WORDS, term_tokens
from tests.conftest import ROOT

BANK_CONFIG = ROOT / "bench" / "data" / "bank" / "config.yaml"
QUESTIONS = [
    "Finnes det kurs for nye bedrifter?",
    "Jeg har bakt kaker i mange år og vil selge dem, hvem kan hjelpe meg i gang?",
    "do you store what I write here",
    "papir bredden innovasjon hva gjør de",
    "Kva gjer kommunen for å få fleire bedrifter til byen?",
]


@pytest.fixture(scope="module")
def bank() -> KnowledgeBase:
    return load_knowledge(load_config(BANK_CONFIG).knowledge_dir)


def fused_as_written(matcher: Matcher, text: str, phrase_weight: float, char_weight: float) -> np.ndarray:
    """The ranking score spelt out: coverage, plus the closest alternate question of the entries
    coverage ranks highest, then the character n-grams."""
    words = list(dict.fromkeys(term_tokens(text)))
    content = [word for word in words if word not in FUNCTION_WORDS]
    coverage = matcher.coverage.scores(words, matcher._real_words(text, words))
    lexical = (1 - phrase_weight) * np.minimum(coverage, 1.0)
    rerank = [int(i) for i in np.argsort(-coverage, kind="stable")[:RERANK_DEPTH] if coverage[i] > 0]
    for index, similarity in zip(rerank, matcher.coverage.phrase_similarities(content, rerank), strict=True):
        lexical[index] += phrase_weight * similarity
    return (1 - char_weight) * lexical + char_weight * matcher.chars.scores(content)


@pytest.mark.parametrize(("phrase_weight", "char_weight"), [(0.25, 0.35), (0.65, 0.6), (0.0, 1.0)])
def test_the_ranking_blends_coverage_phrases_and_characters_by_the_weights(
    engine: AnswerEngine, phrase_weight: float, char_weight: float
) -> None:
    settings = engine.matcher.settings.model_copy(update={"phrase_weight": phrase_weight, "char_weight": char_weight})
    matcher = Matcher(engine.knowledge, settings)
    answerable = np.array([not entry.decline for entry in matcher.entries])
    for question in QUESTIONS:
        expected = np.where(answerable, fused_as_written(matcher, question, phrase_weight, char_weight), -1.0)
        order = np.argsort(-expected, kind="stable")[:3]
        ranked = matcher.rank(question, 3)
        assert [(c.entry_id, c.score) for c in ranked] == [
            (matcher.entries[i].id, round(float(expected[i]), 4)) for i in order]


def test_the_hits_of_a_fold_are_what_matchers_with_those_weights_rank_first(bank: KnowledgeBase) -> None:
    fold = deal_folds(bank)[0]
    points = [RankingWeights(0.25, 0.35), RankingWeights(0.65, 0.6), RankingWeights(1.0, 0.0),
              RankingWeights(0.4, 0.2, bm25_weight=0.4), RankingWeights(0.4, 0.5, semantic_weight=0.5)]
    hits = _hits_of_fold((bank, fold, MatchingSettings(), points, {}))
    asked = [(entry_id, example.q) for entry_id, example in fold if example.expect]
    for column, weights in enumerate(points):
        settings = MatchingSettings(**weights._asdict())
        matcher = fold_matcher(bank, fold, settings, background=())
        first = [matcher.score(question) for _, question in asked]
        ranked_first = [bool(s.ranked) and s.declined is None and s.ranked[0].entry_id == entry_id
                        for s, (entry_id, _) in zip(first, asked, strict=True)]
        assert hits[:, column].tolist() == ranked_first


def test_weights_that_rank_too_few_questions_first_are_replaced(bank: KnowledgeBase) -> None:
    poor = MatchingSettings(phrase_weight=1.0, char_weight=0.0)  # the closest phrasing alone
    choice = choose_weights(bank, poor, workers=1)
    assert choice.changed and choice.measured and choice.current == RankingWeights(1.0, 0.0)
    assert choice.weights in grid()
    assert choice.top1 > choice.current_top1


@pytest.mark.parametrize(("wins", "losses", "better"), [(10, 0, True), (30, 15, True), (6, 5, False), (23, 14, False),
                                                         (0, 0, False), (3, 9, False)])
def test_other_weights_are_clearly_better_only_when_their_lead_is_unlikely_to_be_chance(
    wins: int, losses: int, better: bool
) -> None:
    """Only the questions the two pairs disagree on count: a sign test, whatever the base's size."""
    agreed = 500
    new = np.array([True] * wins + [False] * losses + [True] * agreed)
    old = np.array([False] * wins + [True] * losses + [True] * agreed)
    assert clearly_better(new, old) is better


def test_a_small_knowledge_base_keeps_its_weights(bank: KnowledgeBase) -> None:
    few = KnowledgeBase(topics=bank.topics, entries=dict(list(bank.entries.items())[:4]))
    choice = choose_weights(few, MatchingSettings(phrase_weight=0.4, char_weight=0.5), workers=1)
    assert not choice.measured and not choice.changed and choice.weights == RankingWeights(0.4, 0.5, 0.0, 0.0)


def test_kb_tune_prints_the_weights_it_chose_and_keeps_them_when_told() -> None:
    banking = ROOT / "bench" / "data" / "banking77" / "config.yaml"
    chosen = CliRunner().invoke(cli, ["kb", "tune", "--config", str(banking)])
    assert chosen.exit_code == 0, chosen.output
    assert "Ranking weights chosen: phrase_weight 0.1, char_weight 0.7, bm25_weight 0.0, semantic_weight 0.5" in (
        chosen.output)
    block = yaml.safe_load(chosen.output.split("For config.yaml:")[1])["matching"]
    assert (block["phrase_weight"], block["char_weight"], block["semantic_weight"]) == (0.1, 0.7, 0.5)
    kept = CliRunner().invoke(cli, ["kb", "tune", "--config", str(banking), "--keep-ranking"])
    block = yaml.safe_load(kept.output.split("For config.yaml:")[1])["matching"]
    assert "Ranking weights" not in kept.output and (block["phrase_weight"], block["char_weight"]) == (0.25, 0.35)


def test_kb_tune_run_again_keeps_the_weights_it_chose(tmp_path: Path) -> None:
    """Pasting the printed block into the config and tuning again changes nothing in the ranking."""
    first = CliRunner().invoke(cli, ["kb", "tune", "--config", str(BANK_CONFIG)])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Ranking weights chosen: ")
    config = yaml.safe_load(BANK_CONFIG.read_text(encoding="utf-8"))
    config["knowledge"]["dir"] = str(BANK_CONFIG.parent / "knowledge")
    config |= yaml.safe_load(first.output.split("For config.yaml:")[1])
    tuned = tmp_path / "config.yaml"
    tuned.write_text(yaml.safe_dump(config), encoding="utf-8")
    again = CliRunner().invoke(cli, ["kb", "tune", "--config", str(tuned)])
    assert again.exit_code == 0, again.output
    weights = ", ".join(f"{name} {config['matching'][name]}" for name in RankingWeights._fields)
    assert again.output.startswith(f"Ranking weights kept: {weights} rank "), again.output
    assert "no other weights do clearly better" in again.output.splitlines()[0]
