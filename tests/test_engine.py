"""The answer engine: replies carry the answer card, suggestions, related entries and the language."""

from __future__ import annotations

from pathlib import Path

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.model import load_knowledge
from tests.helpers import entry as kb_entry
from tests.helpers import write_knowledge


def test_confident_reply_shows_the_entry_answer_as_written(engine: AnswerEngine) -> None:
    reply = engine.answer("Hvordan starter jeg en bedrift?", "nb")
    entry = engine.knowledge.entries["establisher-guidance"]
    assert reply.outcome == "answered"
    assert reply.text == entry.answer.nb
    assert reply.title == entry.title.nb
    assert [choice.entry_id for choice in reply.related] == entry.related


def test_reply_language_follows_a_clearly_english_question(engine: AnswerEngine) -> None:
    reply = engine.answer("How do I start a business?", "nb")
    assert reply.lang == "en"
    assert reply.text == engine.knowledge.entries[reply.entry_id or ""].answer.en


def test_unclear_language_keeps_the_users_preference(engine: AnswerEngine) -> None:
    assert engine.answer("Visit Drammensregionen", "en").lang == "en"
    assert engine.answer("Visit Drammensregionen", "nb").lang == "nb"


def test_fallback_says_it_does_not_know_and_shows_no_answer_card(engine: AnswerEngine) -> None:
    reply = engine.answer("Hvor kan jeg kjøpe billige sykler?", "nb")
    assert reply.outcome == "fallback"
    if reply.declined is None:
        assert "vet jeg dessverre ikke" in reply.text
    else:  # honest scope: the out-of-scope entry's own words
        assert reply.text == engine.knowledge.entries[reply.declined].answer.nb
    assert all(reply.text != item.answer.nb for item in engine.knowledge if not item.decline)


def test_a_matched_decline_entry_says_what_the_bot_cannot_help_with(
    tmp_path: Path, matching: MatchingSettings
) -> None:
    folder = write_knowledge(
        tmp_path / "kb",
        kb_entry("funding", questions={"nb": ["hvordan søker jeg forskningsmidler"], "en": ["research funding"]}),
        kb_entry("decline-housing", decline=True,
              answer={"nb": "Om boliglån kan jeg ikke svare; jeg svarer om næringsutvikling.",
                      "en": "I cannot answer about home loans; I answer about business development."},
              questions={"nb": ["startlån fra husbanken til leilighet", "boliglån"], "en": ["home loan"]}),
    )
    engine = AnswerEngine(load_knowledge(folder), matching)
    reply = engine.answer("startlån fra husbanken til leilighet", "nb")
    assert (reply.outcome, reply.declined, reply.entry_id) == ("fallback", "decline-housing", None)
    assert reply.text == "Om boliglån kan jeg ikke svare; jeg svarer om næringsutvikling."


def test_ambiguous_reply_offers_at_most_three_suggestions(engine: AnswerEngine) -> None:
    reply = engine.answer("kurs", "nb")
    if reply.outcome == "ambiguous":
        assert 1 <= len(reply.suggestions) <= 3
        assert reply.text.startswith("Mente du")


def test_small_talk_has_its_own_outcome(engine: AnswerEngine) -> None:
    assert engine.answer("hei!", "nb").outcome == "smalltalk"
    assert engine.answer("thanks a lot", "en").outcome == "smalltalk"


def test_emoji_only_message_asks_for_words(engine: AnswerEngine) -> None:
    reply = engine.answer("👍🎉", "en")
    assert reply.outcome == "fallback" and "words" in reply.text


def test_one_word_shared_with_a_decline_entry_is_no_reason_to_answer_with_it(engine: AnswerEngine) -> None:
    reply = engine.answer("Hvor kan jeg kjøpe billige sykler?", "nb")  # "kjøpe" also appears in housing questions
    assert reply.outcome == "fallback" and reply.declined is None
