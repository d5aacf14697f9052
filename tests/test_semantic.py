"""The semantic part of the ranking: paraphrases that share no word with any phrasing still come
close; weight 0 never loads the model, and kb tune tries it for English knowledge bases only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge import ranking
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.matching import semantic
from bot.matching.blend import RankingWeights
from bot.matching.matcher import Matcher
from bot.matching.semantic import SemanticScorer, embedder
from tests.helpers import english, write_knowledge


@pytest.fixture(scope="module")
def small_talk(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = write_knowledge(
        tmp_path_factory.mktemp("kb"),
        english("thank-you", "thanks", "thank you so much", "cheers for the help"),
        english("card-lost", "i lost my card", "my card is missing"),
        english("weather", "what is the weather like", "will it rain today"),
    )
    return load_knowledge(Path(folder))


def test_a_paraphrase_that_shares_no_word_comes_closest_to_its_entry(small_talk: KnowledgeBase) -> None:
    scores = SemanticScorer(list(small_talk)).scores("you have my sincere gratitude")
    ids = [entry.id for entry in small_talk]
    assert ids[int(np.argmax(scores))] == "thank-you"
    assert ((scores >= 0) & (scores <= 1)).all()


def test_the_lexical_ranking_misses_that_paraphrase_and_the_semantic_weight_finds_it(
    small_talk: KnowledgeBase,
) -> None:
    lexical = Matcher(small_talk, MatchingSettings())
    with_meaning = Matcher(small_talk, MatchingSettings(semantic_weight=0.5))
    for question, right in [("do I need an umbrella", "weather"), ("you have my sincere gratitude", "thank-you")]:
        assert lexical.rank(question)[0].entry_id != right
        assert with_meaning.rank(question)[0].entry_id == right


def test_a_weighted_part_is_built_with_the_matcher_not_by_the_first_message(small_talk: KnowledgeBase) -> None:
    """The first person to ask must not wait for the model's load."""
    matcher = Matcher(small_talk, MatchingSettings(semantic_weight=0.5, bm25_weight=0.2))
    assert "semantic" in vars(matcher) and "bm25" in vars(matcher)


def test_case_says_nothing_about_meaning() -> None:
    shouted, typed = embedder().embed(["WHERE IS MY BAGGAGE", "where is my baggage"])
    assert np.allclose(shouted, typed)


def test_a_text_with_no_token_has_no_direction() -> None:
    vectors = embedder().embed(["", "thanks"])
    assert not vectors[0].any() and np.isclose(np.linalg.norm(vectors[1]), 1.0)


def test_the_semantic_weight_blends_its_similarity_into_the_ranking(small_talk: KnowledgeBase) -> None:
    parts = Matcher(small_talk, MatchingSettings()).ranking_parts("thanks a lot for the help")
    assert parts is not None and parts.semantic is not None
    blended = parts.fused(RankingWeights(0.25, 0.35, semantic_weight=0.5))
    assert np.allclose(blended, 0.5 * parts.fused(RankingWeights(0.25, 0.35)) + 0.5 * parts.semantic)


def test_with_weight_zero_the_model_is_never_loaded(engine: AnswerEngine) -> None:
    """The shipped knowledge base does not weigh it: not the 40 MB, not the 0.2 s of the load."""
    fresh = Matcher(engine.knowledge, engine.settings)
    assert engine.settings.semantic_weight == 0.0
    fresh.match("Hvordan starter jeg en bedrift?")
    assert "semantic" not in vars(fresh)
    assert fresh.score("Hvordan starter jeg en bedrift?").features["semantic"] == 0.0


def test_kb_tune_tries_the_semantic_part_for_an_english_knowledge_base_only(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its Norwegian is weak (bot/matching/semantic.py): for the shipped base the model is not even loaded."""
    assert {weights.semantic_weight for weights in ranking.grid()} == set(ranking.SEMANTIC_GRID)
    assert {weights.semantic_weight for weights in ranking.grid(semantic=False)} == {0.0}

    def no_model() -> None:
        raise AssertionError("the semantic model was loaded for a Norwegian knowledge base")

    monkeypatch.setattr(semantic, "embedder", no_model)
    norwegian = KnowledgeBase(topics=engine.knowledge.topics, entries=dict(list(engine.knowledge.entries.items())[:8]))
    choice = ranking.choose_weights(norwegian, engine.settings, workers=1)
    assert choice.measured and choice.weights.semantic_weight == 0.0
