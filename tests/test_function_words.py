"""Function words ("your", "who", "not", "the") are terms of their own, weighed by their rarity.

Many knowledge bases have entries that differ mostly by them — a bot's own name against who made
it, why a card was declined against when — while "the" or "jeg" are in nearly every entry and
should weigh next to nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MatchingSettings
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.matching.matcher import Matcher
from bot.matching.normalise import FUNCTION_WORDS, term_tokens
from tests.conftest import ROOT
from tests.helpers import english, write_knowledge


@pytest.fixture(scope="module")
def small_talk(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = write_knowledge(
        tmp_path_factory.mktemp("kb"),
        english("bot-name", "what is your name", "what should I call you", "do you have a name",
                title="The bot's name"),
        english("bot-maker", "who made you", "who built you", "which company created you", title="Who made the bot"),
        english("user-name", "what is my name", "do you know my name", "call me by my name", title="Your name"),
        english("card-declined", "why was my card declined", "my card payment was refused", title="Card declined"),
        english("card-arrival", "when will my card arrive", "how long does card delivery take", title="Card delivery"),
    )
    return load_knowledge(Path(folder))


def best(knowledge: KnowledgeBase, text: str) -> str | None:
    ranked = Matcher(knowledge, MatchingSettings()).score(text).ranked
    return ranked[0].entry_id if ranked else None


@pytest.fixture(scope="module")
def clinc150() -> KnowledgeBase:
    """CLINC150 as a knowledge base (bench/data/README.md): 150 intents, ten phrasings each."""
    return load_knowledge(ROOT / "bench" / "data" / "clinc150" / "knowledge")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how much money is in my bank accounts", "balance"),  # not "transfer": "how much … is in"
        ("have i added anything to my todo list", "todo-list"),  # not "todo-list-update"
        ("i ordered new light bulbs online when will they get here", "order-status"),  # not "order-checks"
        ("what is the least i can pay on my mortgage bill", "min-payment"),  # not "pay-bill"
        ("do you know what my precise credit score is", "credit-score"),  # not "improve-credit-score"
    ],
)
def test_intents_of_a_public_dataset_that_differ_by_function_words_are_told_apart(
    clinc150: KnowledgeBase, question: str, expected: str
) -> None:
    """Test questions of CLINC150 that ranked the neighbouring intent first while function words were
    stop words."""
    assert best(clinc150, question) == expected


def test_a_function_word_no_entry_uses_counts_against_none(small_talk: KnowledgeBase) -> None:
    """ "ikke" is in no entry here: it neither lowers nor raises any entry's coverage."""
    matcher = Matcher(small_talk, MatchingSettings())
    plain = matcher.coverage.scores(["why", "card", "declined"])
    with_unused = matcher.coverage.scores(["why", "card", "declined", "ikke"])
    assert (plain == with_unused).all()


def test_a_message_of_function_words_only_is_not_matched(small_talk: KnowledgeBase) -> None:
    """Without a content word there is nothing to be sure about: "who are you" gets no ranking,
    where the confidence model (fitted on questions with content) might otherwise answer it."""
    assert all(word in FUNCTION_WORDS for word in term_tokens("who are you"))
    assert best(small_talk, "who are you") is None


def test_every_token_is_read_and_nt_is_not() -> None:
    assert term_tokens("Why wasn't my card declined?") == ["why", "was", "not", "my", "card", "declined"]
