"""The answer engine: replies carry the answer card, suggestions, related entries and the language."""

from __future__ import annotations

from bot.engine import AnswerEngine


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
    assert "vet jeg dessverre ikke" in reply.text
    assert all(reply.text != item.answer.nb for item in engine.knowledge)


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
