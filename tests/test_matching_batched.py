"""The matcher's batched computations give what the one-at-a-time ones gave."""

from __future__ import annotations

import math
import threading
from collections import Counter

import numpy as np
import pytest
from rapidfuzz import fuzz

from bot.knowledge.model import Entry, KnowledgeBase
from bot.matching.coverage import CoverageScorer, entry_fields
from bot.matching.ngrams import DENSE_CELLS, CharScorer, word_grams
from bot.matching.normalise import content_tokens, recent_token_tuple, token_tuple, tokenising_once, tokens

WORDS = ["etablererveiledning", "kurs", "gründer", "vieledning", "aaaaaa", "lisboa", "x", "naeringsliv"]


def _reference(entries: list[Entry], words: list[str]) -> list[tuple[np.ndarray, float]]:
    """Each word's unnormalised dot product with every entry, from the TF-IDF definition, in plain Python."""
    counts = []
    for entry in entries:
        grams: Counter[str] = Counter()
        for _, text in entry_fields(entry):
            for word in content_tokens(text):
                grams.update(word_grams(word))
        counts.append(grams)
    frequency = Counter(gram for grams in counts for gram in grams)
    idf = {gram: math.log((1 + len(entries)) / (1 + df)) + 1 for gram, df in frequency.items()}
    unknown = math.log(1 + len(entries)) + 1
    unit = []
    for grams in counts:
        weights = {gram: (1 + math.log(tf)) * idf[gram] for gram, tf in grams.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        unit.append({gram: weight / norm for gram, weight in weights.items()})
    result = []
    for word in words:
        grams = word_grams(word)
        scale = {gram: 1 + math.log(tf) for gram, tf in grams.items()}
        squared = sum((scale[gram] * idf.get(gram, unknown)) ** 2 for gram in grams)
        dot = [sum(scale[gram] * idf[gram] * vector.get(gram, 0.0) for gram in grams if gram in idf)
               for vector in unit]
        result.append((np.array(dot), squared))
    return result


@pytest.mark.parametrize("dense", [True, False])
def test_new_words_worked_out_together_equal_the_tf_idf_definition(
    knowledge: KnowledgeBase, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not dense:
        monkeypatch.setattr("bot.matching.ngrams.DENSE_CELLS", 0)
    entries = list(knowledge)
    scorer = CharScorer(entries)
    assert (scorer._dense is not None) == dense and DENSE_CELLS > 0
    found = scorer._words(WORDS + WORDS[:2])  # repeated words in one batch
    for (vector, weight_squared), (expected, expected_squared) in zip(found, _reference(entries, WORDS),
                                                                       strict=False):
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


def _fold_by_translate(text: str) -> str:
    """Folding as a translation table describes it, character by character."""
    import re
    import unicodedata

    table = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
    text = unicodedata.normalize("NFKC", text).casefold().translate(table)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return re.sub(r"ae|oe|aa", lambda match: {"ae": "a", "oe": "o", "aa": "a"}[match.group()], text)


@pytest.mark.parametrize("text", ["Næringsliv i Drammen", "ÆØÅ ßtraße Ünïcödé café naïve", "plain ascii AE OE AA",
                                  "ﬁ ǅ İstanbul", "", "Søknad om tilskudd? Hvor får jeg råd"])
def test_folding_skips_no_letter(text: str) -> None:
    from bot.matching.normalise import fold

    assert fold(text) == _fold_by_translate(text)


def test_language_counts_repeated_words_and_letters() -> None:
    from bot.matching.language import detect_language

    assert detect_language("æø hello hello hello") == "nb"  # each Norwegian letter counts twice
    assert detect_language("æ hello hello") is None  # a tie
    assert detect_language("hello hello kurs") == "en"
    assert detect_language("eg treng hjelp") == "nn"


def test_sparse_evidence_reads_like_a_dense_vector(knowledge: KnowledgeBase) -> None:
    coverage = CoverageScorer(list(knowledge))
    size = len(coverage.entries)
    for word in ["kurs", "etablererveiledning", "vieledning", "svomming"]:
        evidence = coverage.evidence(word)
        vector = evidence.vector
        if vector is None:
            assert not evidence.known and evidence.contribution(0) == 0.0
            continue
        dense = vector.dense(size)
        assert [float(vector[index]) for index in range(size)] == [float(value) for value in dense]
        assert evidence.known and dense.any()


def test_the_word_cache_holds_fewer_words_the_larger_the_knowledge_base(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.matching.ngrams.WORD_CACHE_CELLS", 1_000 * len(knowledge))
    scorer = CharScorer(list(knowledge))
    assert scorer._cache_words == 1_000
    scorer.warm(f"word{index}" for index in range(1_001))  # would not fit: left to the messages
    assert not scorer._word_cache
    before = scorer.scores(["kurs", "word7"])
    scorer.warm(["kurs", "word7"])
    assert scorer.scores(["kurs", "word7"]).tolist() == before.tolist()
    scorer._words([f"new{index}" for index in range(999)])
    scorer._words(["kurs", "another"])  # full: emptied, then the message's words
    assert set(scorer._word_cache) == {"kurs", "another"}


def test_a_text_scored_again_comes_from_the_cache_as_a_copy(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.config import MatchingSettings
    from bot.matching import matcher as matching

    scorer = matching.Matcher(knowledge, MatchingSettings())
    first = scorer.score("Hvordan starter jeg en bedrift?")
    first.ranked.clear()
    first.features.clear()
    again = scorer.score("Hvordan starter jeg en bedrift?")
    assert again.ranked and again.features  # the caller's changes did not reach the cache
    assert again == scorer._score("Hvordan starter jeg en bedrift?")
    monkeypatch.setattr(matching, "SCORING_CACHE_SIZE", 2)
    for text in ("kurs", "tilskudd", "gründer"):
        scorer.score(text)
    assert len(scorer._scorings) <= 2


def test_a_build_reads_each_text_once_and_keeps_none_of_them_after() -> None:
    recent_token_tuple.cache_clear()
    with tokenising_once():
        first = token_tuple("Kurs for gründere i Drammen")
        assert token_tuple("Kurs for gründere i Drammen") is first  # read once, not again per scorer
    assert recent_token_tuple.cache_info().currsize == 0  # the build's texts are gone with it
    assert token_tuple("Kurs for gründere i Drammen") == first


def test_a_build_in_one_thread_keeps_no_text_of_another() -> None:
    # A reload builds in its own thread while messages are answered: their texts stay out of the build's store.
    recent_token_tuple.cache_clear()
    with tokenising_once():
        answering = threading.Thread(target=token_tuple, args=("hvem kan jeg snakke med",))
        answering.start()
        answering.join()
    assert recent_token_tuple.cache_info().currsize == 1
