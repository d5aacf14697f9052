"""The matcher's batched computations give what the one-at-a-time ones gave."""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz import fuzz

from bot.knowledge.model import KnowledgeBase
from bot.matching.coverage import CoverageScorer, entry_fields
from bot.matching.ngrams import DENSE_CELLS, CharScorer, word_grams
from bot.matching.normalise import content_tokens, token_tuple, tokens

WORDS = ["etablererveiledning", "kurs", "gründer", "vieledning", "aaaaaa", "lisboa", "x", "naeringsliv"]


def _one_word(scorer: CharScorer, word: str) -> tuple[np.ndarray, float]:
    """The n-gram vector of one word as a plain loop over its n-grams computes it."""
    dot = np.zeros(scorer.size)
    weight_squared = 0.0
    for gram, tf in word_grams(word).items():
        scale = 1 + np.log(tf)
        weight = scale * scorer._idf.get(gram, scorer._unknown_idf)
        weight_squared += weight * weight
        if gram in scorer._postings:
            indices, values = scorer._postings[gram]
            np.add.at(dot, indices, values * scale)
    return dot, weight_squared


@pytest.mark.parametrize("dense", [True, False])
def test_new_words_worked_out_together_equal_each_on_its_own(
    knowledge: KnowledgeBase, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not dense:
        monkeypatch.setattr("bot.matching.ngrams.DENSE_CELLS", 0)
    scorer = CharScorer(list(knowledge))
    assert (scorer._dense is not None) == dense and DENSE_CELLS > 0
    found = scorer._words(WORDS + WORDS[:2])  # repeated words in one batch
    for word, (vector, weight_squared) in zip(WORDS, found, strict=False):
        expected, expected_squared = _one_word(scorer, word)
        np.testing.assert_allclose(vector, expected, rtol=1e-6, atol=1e-7)
        assert weight_squared == pytest.approx(expected_squared, rel=1e-12)
    assert scorer.scores([]).tolist() == [0.0] * scorer.size


def test_phrase_similarities_equal_token_sort_ratio_per_entry(knowledge: KnowledgeBase) -> None:
    entries = list(knowledge)
    coverage = CoverageScorer(entries)
    words = ["starte", "bedrift", "hjelp"]
    indices = [0, 3, len(entries) - 1]
    for index, similarity in zip(indices, coverage.phrase_similarities(words, indices), strict=True):
        phrases = [" ".join(content_tokens(text)) for kind, text in entry_fields(entries[index]) if kind != "keyword"]
        assert similarity == pytest.approx(max(fuzz.token_sort_ratio(" ".join(words), p) for p in phrases) / 100)
    assert coverage.phrase_similarities(words, []) == []


def test_cached_tokens_cannot_be_changed_by_a_caller() -> None:
    first = tokens("Hei, kurs for gründere")
    first.append("changed")
    assert tokens("Hei, kurs for gründere") == ["hei", "kurs", "for", "grundere"]
    assert token_tuple("Hei, kurs for gründere") == ("hei", "kurs", "for", "grundere")
