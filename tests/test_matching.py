"""The matcher on real questions, per kind of phrasing; confident answers must be right."""

from __future__ import annotations

import pytest

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase
from bot.matching.confidence import FEATURES
from bot.matching.matcher import Candidate, Matcher, decide
from tests.helpers import entry, write_knowledge

ANSWERED = [
    # plain
    ("Hvordan starter jeg en bedrift?", "establisher-guidance"),
    ("How do I start my own company?", "establisher-guidance"),
    ("Hva er Visit Drammensregionen?", "visit-drammensregionen"),
    ("Where is the tourist office?", "tourist-office"),
    ("digitalt næringsmagasin", "business-magazine"),
    # typos and missing æøå
    ("etablerervieledning", "establisher-guidance"),
    ("naeringsmagasin", "business-magazine"),
    ("turistkontoret", "tourist-office"),
    # nynorsk
    ("korleis startar eg eiga verksemd", "establisher-guidance"),
    # English words meet the Norwegian ones through the synonym groups
    ("I need funding for my company", "funding"),
    # small talk
    ("hei", "greeting"),
    ("tusen takk!", "thanks"),
    ("thank you, that helped a lot", "thanks"),  # "helped" does not make it a question about help
]

# Vaguer questions: the right entry must come first, answered or offered as "did you mean".
RANKED_FIRST = [
    ("kva tilskot kan verksemda søkje", "funding"),
    ("kurs", "establisher-courses"),
    ("I want to open a hair salon in Drammen, who can advise me?", "establisher-guidance"),
]

NOT_CONFIDENT = [
    "kurs i svømming for barn",
    "hva blir været i morgen",
    "Hvordan søker jeg byggetillatelse for garasje?",
    "what time does the bus to Oslo leave",
    "startlån i Husbanken for leilighet",
    "ledige stillinger i drammen kommune",
]


@pytest.mark.parametrize(("question", "expected"), ANSWERED)
def test_answers_real_questions(engine: AnswerEngine, question: str, expected: str) -> None:
    match = engine.matcher.match(question)
    assert match.best is not None and match.best.entry_id == expected
    assert match.outcome == "answered", match


@pytest.mark.parametrize(("question", "expected"), RANKED_FIRST)
def test_vague_questions_rank_the_right_entry_first(engine: AnswerEngine, question: str, expected: str) -> None:
    match = engine.matcher.match(question)
    assert match.outcome in ("answered", "ambiguous")
    assert match.best is not None and match.best.entry_id == expected


@pytest.mark.parametrize("question", NOT_CONFIDENT)
def test_out_of_scope_questions_get_no_confident_answer(engine: AnswerEngine, question: str) -> None:
    assert engine.matcher.match(question).outcome != "answered"


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x07\x1b", "؟ما هذا", "?!", "x" * 4096])
def test_odd_input_gives_a_match_without_error(engine: AnswerEngine, text: str) -> None:
    assert engine.matcher.match(text).outcome in ("fallback", "ambiguous")


def test_long_message_stays_fast_and_safe(engine: AnswerEngine) -> None:
    text = ("Jeg vil starte bedrift i Drammen og lurer på hva dere kan hjelpe med. " * 60)[:4096]
    assert engine.matcher.match(text).best.entry_id == "establisher-guidance"  # type: ignore[union-attr]


def test_scores_are_between_zero_and_one_and_sorted(engine: AnswerEngine) -> None:
    ranked = engine.matcher.rank("kurs for gründere i drammen")
    scores = [candidate.score for candidate in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


@pytest.mark.parametrize(
    ("ranked", "confidence", "outcome"),
    [
        ([], 0.0, "fallback"),
        ([Candidate("a", 0.2)], 0.1, "fallback"),
        ([Candidate("a", 0.9), Candidate("b", 0.3)], 0.95, "answered"),
        ([Candidate("a", 0.9), Candidate("b", 0.88)], 0.95, "ambiguous"),  # not clearly ahead
        ([Candidate("a", 0.5), Candidate("b", 0.1)], 0.5, "ambiguous"),  # not confident enough
        ([Candidate("a", 0.35), Candidate("b", 0.1)], 0.2, "fallback"),  # too weak to suggest
    ],
)
def test_confidence_gap_and_suggest_threshold_decide_the_outcome(
    ranked: list[Candidate], confidence: float, outcome: str
) -> None:
    settings = MatchingSettings(answer_threshold=0.8, suggest_threshold=0.4, min_gap=0.1)
    assert decide(ranked, confidence, settings) == outcome


def test_confidence_is_a_probability_that_ranks_clear_questions_above_traps(engine: AnswerEngine) -> None:
    clear = engine.matcher.match("Hvordan blir jeg med på etablererkurs?")
    trap = engine.matcher.match("kurs i svømming for barn")
    assert 0.0 <= trap.confidence < clear.confidence <= 1.0
    assert set(clear.features) == set(FEATURES)


def test_compound_words_match_their_parts(tmp_path: object) -> None:
    from pathlib import Path

    folder = write_knowledge(
        Path(str(tmp_path)),
        entry("guidance", questions={"nb": ["etablererveiledning"], "en": ["founder guidance"]}),
        entry("magazine", questions={"nb": ["næringsmagasin"], "en": ["business magazine"]}),
    )
    from bot.knowledge.model import load_knowledge

    matcher = Matcher(load_knowledge(folder), MatchingSettings())
    assert matcher.match("veiledning for etablerere").best.entry_id == "guidance"  # type: ignore[union-attr]
    assert matcher.match("magasinet").best.entry_id == "magazine"  # type: ignore[union-attr]


def test_unknown_words_count_against_every_entry(knowledge: KnowledgeBase, matching: MatchingSettings) -> None:
    matcher = Matcher(knowledge, matching)
    plain = matcher.match("kurs for gründere").score
    diluted = matcher.match("kurs for gründere svømming barnehage fotball").score
    assert diluted < plain




def test_misspelt_first_letter_is_not_taken_for_a_known_word(engine: AnswerEngine) -> None:
    # "bostøtte" (housing allowance) ends like "støtte" but is no typo of it.
    assert engine.matcher.match("bostøtte fra husbanken").outcome != "answered"


def test_repeating_a_message_does_not_change_its_answer(engine: AnswerEngine) -> None:
    once = engine.matcher.rank("kurs for gründere")
    many = engine.matcher.rank("kurs for gründere " * 20)
    assert [c.entry_id for c in once] == [c.entry_id for c in many]


def test_a_decline_entry_turns_a_near_miss_into_an_honest_fallback(tmp_path: object) -> None:
    from pathlib import Path

    from bot.engine import AnswerEngine
    from bot.knowledge.model import load_knowledge

    folder = write_knowledge(
        Path(str(tmp_path)),
        entry("funding", questions={"nb": ["midler til forskning fra Husbanken"], "en": ["research funding"]}),
        entry("decline-housing", decline=True, questions={"nb": ["startlån i Husbanken til leilighet"],
                                                          "en": ["home loan from Husbanken"]},
              answer={"nb": "Boliglån kan jeg ikke svare på.", "en": "I cannot answer about home loans."}),
    )
    knowledge = load_knowledge(folder)
    matcher = Matcher(knowledge, MatchingSettings(answer_threshold=0.0, suggest_threshold=0.0))
    near_miss = matcher.match("startlån fra Husbanken for å kjøpe leilighet")
    assert near_miss.outcome == "fallback" and near_miss.declined == "decline-housing"
    assert [candidate.entry_id for candidate in near_miss.ranked] == ["funding"]
    assert matcher.match("forskningsmidler").declined is None
    reply = AnswerEngine(knowledge, MatchingSettings()).answer("startlån fra Husbanken for å kjøpe leilighet")
    assert reply.outcome == "fallback" and reply.entry_id is None  # no in-scope answer card
    assert knowledge.in_topic("start") == [knowledge.entries["funding"]]
