"""BM25 in the ranking: how often an entry uses a word counts, saturated; weight 0 changes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.matching.blend import RankingWeights
from bot.matching.bm25 import Bm25Scorer
from bot.matching.matcher import Matcher
from tests.helpers import english, write_knowledge


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = write_knowledge(
        tmp_path_factory.mktemp("kb"),
        english("card-delivery", "when will my card arrive", "my card has not arrived", "card delivery time",
                "track my card delivery"),
        english("card-limits", "what is my card limit", "raise the limit"),
        english("opening-hours", "when are you open", "opening hours"),
    )
    return load_knowledge(Path(folder))


def test_the_entry_that_uses_a_word_most_scores_highest_and_scores_are_scaled(cards: KnowledgeBase) -> None:
    scores = Bm25Scorer(list(cards)).scores(["card", "arrive"])
    ids = [entry.id for entry in cards]
    assert ids[int(np.argmax(scores))] == "card-delivery"
    assert scores.max() == 1.0 and scores[ids.index("opening-hours")] == 0.0


def test_words_no_entry_uses_score_nothing(cards: KnowledgeBase) -> None:
    assert not Bm25Scorer(list(cards)).scores(["zebra", "xqzvw"]).any()


def test_with_weight_zero_the_ranking_is_unchanged_and_bm25_is_never_built(engine: AnswerEngine) -> None:
    """The shipped knowledge base does not weigh BM25: it costs it nothing, not even the index."""
    fresh = Matcher(engine.knowledge, engine.settings)
    assert engine.settings.bm25_weight == 0.0
    fresh.score("Finnes det kurs for nye bedrifter?")
    assert "bm25" not in fresh.__dict__  # the cached property was never read
    parts = fresh.ranking_parts("Finnes det kurs for nye bedrifter?")
    assert parts is not None and parts.bm25 is not None
    assert (parts.fused(RankingWeights(0.65, 0.6)) == parts.fused(RankingWeights(0.65, 0.6, 0.0))).all()


def test_a_bm25_weight_blends_it_into_the_ranking(cards: KnowledgeBase) -> None:
    matcher = Matcher(cards, MatchingSettings(bm25_weight=0.4))
    parts = matcher.ranking_parts("card arrive")
    assert parts is not None and parts.bm25 is not None
    blended = parts.fused(RankingWeights(0.25, 0.35, 0.4))
    assert np.allclose(blended, 0.6 * parts.fused(RankingWeights(0.25, 0.35)) + 0.4 * parts.bm25)
    assert matcher.rank("card arrive")[0].entry_id == "card-delivery"
