"""Normalisation: the many spellings of one Norwegian word become one term."""

from __future__ import annotations

import pytest

from bot.matching.language import detect_language
from bot.matching.normalise import content_tokens, fold, stems, terms


@pytest.mark.parametrize("spelling", ["næringsliv", "naeringsliv", "naringsliv", "NÆRINGSLIV"])
def test_missing_norwegian_letters_fold_together(spelling: str) -> None:
    assert fold(spelling) == "naringsliv"


@pytest.mark.parametrize(("a", "b"), [("søknad", "soeknad"), ("gründer", "grunder"), ("kafé", "kafe"), ("får", "faar")])
def test_accents_and_digraphs_fold(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(("a", "b"), [("kurset", "kursene"), ("bedrifter", "bedriftene"), ("courses", "course")])
def test_inflections_share_a_stem(a: str, b: str) -> None:
    assert set(stems(fold(a))) & set(stems(fold(b)))


def test_stop_words_go_but_topic_words_stay() -> None:
    assert content_tokens("Hvordan kan jeg få hjelp til å starte en bedrift?") == ["hjelp", "starte", "bedrift"]
    assert content_tokens("kva slags hjelp kan eg få") == ["hjelp"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hvordan starter jeg en bedrift?", "nb"),
        ("korleis kan eg få hjelp til å starte", "nn"),
        ("How do I start a business in Drammen?", "en"),
        ("Is there funding for research?", "en"),
        ("Drammen", None),
        ("", None),
    ],
)
def test_language_of_a_question(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "words",
    [
        ["bedrift", "firma", "verksemd", "selskap", "company", "business"],
        ["penger", "midlar", "tilskot", "støtte", "funding", "grant"],
        ["veiledning", "rettleiing", "rådgivning", "advice", "guidance"],
        ["kurs", "kursene", "course", "workshop", "training"],
    ],
)
def test_everyday_synonyms_in_three_languages_share_a_term(words: list[str]) -> None:
    assert len({terms(fold(word)) for word in words}) == 1


def test_words_that_tell_entries_apart_keep_their_own_terms() -> None:
    assert terms("etablere") != terms("starte")  # moving a company here versus founding one
    assert terms("konferanse") != terms("kurs")


def test_nynorsk_function_words_are_stop_words() -> None:
    assert content_tokens("korleis kan eg finne ut kva som finst") == []


def test_marker_words_stay_for_meaning() -> None:
    from bot.matching.normalise import meaning_tokens

    assert meaning_tokens("Why wasn't my card declined?") == ["why", "not", "my", "card", "declined"]
    assert meaning_tokens("hvorfor er ikke kortet mitt godkjent") == ["hvorfor", "ikke", "kortet", "mitt", "godkjent"]
    assert content_tokens("Why was my card declined?") == ["card", "declined"]


def test_content_words_keep_the_spelling_a_dictionary_knows() -> None:
    from bot.matching.normalise import content_words

    assert content_words("Kan jeg få foreldrepenger? Næringsliv!") == [
        ("foreldrepenger", "foreldrepenger"), ("naringsliv", "næringsliv")]


@pytest.mark.parametrize(("word", "not_in_group"), [("livet", "bo"), ("found", "grunder"), ("mark", "markedsforing")])
def test_a_synonym_group_is_no_wider_than_its_language(word: str, not_in_group: str) -> None:
    # The Norwegian stem of "lives" is "liv" (life): "livet" must not mean "to live somewhere".
    assert not_in_group not in terms(fold(word))
