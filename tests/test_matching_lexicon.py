"""The general lexicon: a real word is content the knowledge base does not explain, never a typo."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import AnswerEngine
from bot.matching.lexicon import is_word


@pytest.mark.parametrize("word", ["meningen", "lisboa", "sykepenger", "morgen", "puppy", "grunder"])
def test_real_words_are_known(word: str) -> None:
    assert is_word(word)


@pytest.mark.parametrize("word", ["vieledning", "etablerervieledning", "bussiness", "startng", "naeringsliv", "12345"])
def test_typos_and_non_words_are_not(word: str) -> None:
    assert not is_word(word)


def test_a_real_word_is_not_corrected_into_a_knowledge_base_word(engine: AnswerEngine) -> None:
    # "meningen" (the meaning) is one edit from nothing here, but fuzzy matching would read it as
    # "mentoring", across languages.
    coverage = engine.matcher.coverage
    assert not coverage.evidence("meningen", real=True).terms
    assert coverage.evidence("meningen", real=False).terms  # what the typo corrector would have done


def test_a_misspelling_is_still_corrected(engine: AnswerEngine) -> None:
    match = engine.matcher.match("vieledning for gründere")
    assert match.best is not None and match.best.entry_id == "establisher-guidance"


def test_the_matcher_reads_real_words_as_written(engine: AnswerEngine) -> None:
    assert engine.matcher._real_words("hva er meningen", ["meningen"]) == frozenset({"meningen"})
    assert engine.matcher._real_words("vieledning", ["vieledning"]) == frozenset()


def test_the_lexicon_read_directly_is_wordfreqs() -> None:
    from bot.matching.lexicon import _frequent_words, _frequent_words_by_wordfreq

    for lang in ("nb", "en"):
        assert set(_frequent_words(lang)) == set(_frequent_words_by_wordfreq(lang))


def test_an_unreadable_wordfreq_file_falls_back_to_wordfreq(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.matching import lexicon

    monkeypatch.setattr(lexicon, "_data_file", lambda lang: tmp_path / "missing.msgpack.gz")
    assert "meningen" in lexicon._frequent_words("nb")
